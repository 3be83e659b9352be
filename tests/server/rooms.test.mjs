// Rooms and relay through the real binary with real WebSocket clients.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createRoom, join, metric, startServer, withTimeout } from './harness.mjs';

describe('rooms', () => {
  let server;
  before(async () => {
    server = await startServer(['--room-capacity', '3', '--guess-burst', '3', '--guess-per-min', '0.01']);
  });
  after(() => server.stop());

  test('room ids are 128-bit base64url and distinct', async () => {
    const c = await Client.open(server);
    const ids = new Set();
    for (let i = 0; i < 20; i++) ids.add(await createRoom(c));
    assert.equal(ids.size, 20);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    c.close();
  });

  test('join returns the peers present and announces peer-joined; leave and disconnect announce peer-left', async () => {
    const a = await Client.open(server);
    const b = await Client.open(server);
    const c = await Client.open(server);
    const room = await createRoom(a);
    const ja = await join(a, room, 'Ana');
    assert.equal(ja.room, room);
    assert.deepEqual(ja.peers, []);
    assert.match(ja.self.id, /^[A-Za-z0-9_-]{16}$/);

    const jb = await join(b, room, 'Bram 🚀');
    assert.deepEqual(jb.peers, [{ id: ja.self.id, name: 'Ana' }]);
    assert.deepEqual((await a.expect('peer-joined')).peer, { id: jb.self.id, name: 'Bram 🚀' });

    const jc = await join(c, room, 'Cleo');
    assert.deepEqual(
      jc.peers.map((p) => p.name),
      ['Ana', 'Bram 🚀'],
    );
    await a.expect('peer-joined');
    await b.expect('peer-joined');

    b.send({ type: 'leave' });
    assert.equal((await b.expect('left')).room, room);
    assert.equal((await a.expect('peer-left')).peer, jb.self.id);
    assert.equal((await c.expect('peer-left')).peer, jb.self.id);

    c.close();
    assert.equal((await a.expect('peer-left')).peer, jc.self.id);
    assert.deepEqual(await a.drain(), []);
    a.close();
    b.close();
  });

  test('a signal reaches exactly the named peer, with the sender id set by the server', async () => {
    const [a, b, c] = await Promise.all([Client.open(server), Client.open(server), Client.open(server)]);
    const room = await createRoom(a);
    const ja = await join(a, room, 'a');
    const jb = await join(b, room, 'b');
    const jc = await join(c, room, 'c');
    await a.drain();
    await b.drain();

    const data = { description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } };
    // "from" in the client's message is a forgery attempt: the server must overwrite it.
    a.send({ type: 'signal', to: jb.self.id, from: jc.self.id, data });
    const got = await b.expect('signal');
    assert.equal(got.from, ja.self.id);
    assert.deepEqual(got.data, data);
    assert.deepEqual(await c.drain(), [], 'the third peer receives nothing');
    assert.deepEqual(await a.drain(), [], 'the sender gets no echo');
    assert.ok((await metric(server, 'cieloweb_signals_relayed_total')) >= 1);
    for (const x of [a, b, c]) x.close();
  });

  test('a signal to a peer of another room is never delivered', async () => {
    const [a, x] = await Promise.all([Client.open(server), Client.open(server)]);
    await join(a, await createRoom(a), 'a');
    const jx = await join(x, await createRoom(x), 'x');
    a.send({ type: 'signal', to: jx.self.id, data: { candidate: 'secret' } });
    assert.equal((await a.expect('error')).code, 'peer-not-found');
    assert.deepEqual(await x.drain(), []);
    a.send({ type: 'signal', to: 'AAAAAAAAAAAAAAAA', data: {} });
    assert.equal((await a.expect('error')).code, 'peer-not-found');
    a.close();
    x.close();
  });

  test('signals outside a room, double joins and bad names are refused', async () => {
    const a = await Client.open(server);
    a.send({ type: 'signal', to: 'AAAAAAAAAAAAAAAA', data: {} });
    assert.equal((await a.expect('error')).code, 'not-in-room');
    const room = await createRoom(a);
    for (const name of ['', '   ', 'x'.repeat(65), 'a\u0007b', 'evil\u202Eexe']) {
      a.send({ type: 'join', room, name });
      assert.equal((await a.expect('error')).code, 'invalid-name', JSON.stringify(name));
    }
    await join(a, room, 'ok');
    a.send({ type: 'join', room, name: 'again' });
    assert.equal((await a.expect('error')).code, 'already-in-room');
    a.close();
  });

  test('one more than the capacity gets room-full; members are unaffected', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => Client.open(server)));
    const room = await createRoom(clients[0]);
    const joined = [];
    for (const [i, c] of clients.slice(0, 3).entries()) joined.push(await join(c, room, `p${i}`));
    await clients[0].drain();
    await clients[1].drain();
    clients[3].send({ type: 'join', room, name: 'late' });
    assert.equal((await clients[3].expect('error')).code, 'room-full');
    assert.deepEqual(await clients[0].drain(), [], 'no peer-joined for the refused peer');
    clients[0].send({ type: 'signal', to: joined[1].self.id, data: { n: 1 } });
    assert.deepEqual((await clients[1].expect('signal')).data, { n: 1 });
    for (const c of clients) c.close();
  });

  test('an empty room stays joinable (a reload does not lose the room)', async () => {
    const a = await Client.open(server);
    const room = await createRoom(a);
    await join(a, room, 'a');
    a.close();
    await a.closed;
    const again = await Client.open(server);
    const j = await join(again, room, 'a');
    assert.equal(j.room, room);
    again.close();
  });

  test('signal payloads never reach the logs', async () => {
    const [a, b] = await Promise.all([Client.open(server), Client.open(server)]);
    const room = await createRoom(a);
    await join(a, room, 'a');
    const jb = await join(b, room, 'b');
    const marker = 'a=candidate:1 1 udp 2122260223 192.0.2.77 54321 typ host marker-7f3e';
    a.send({ type: 'signal', to: jb.self.id, data: { candidate: marker } });
    assert.equal((await b.expect('signal')).data.candidate, marker);
    await a.drain();
    assert.ok(
      server.logs.some((l) => l.includes('signal-relayed')),
      'debug logs were written',
    );
    assert.ok(!server.logs.some((l) => l.includes('marker-7f3e') || l.includes('192.0.2.77')));
    assert.ok(!server.logs.some((l) => l.includes(room)), 'full room ids are not logged');
    a.close();
    b.close();
  });

  // Last in this group: it exhausts this address's guess budget.
  test('guessing room ids is throttled: a throttled miss closes; joins of real rooms still work', async () => {
    const a = await Client.open(server);
    const real = await createRoom(a);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      a.send({ type: 'join', room: `guess${i}AAAAAAAAAAAAAAAAA`, name: 'g' });
      codes.push((await a.expect('error')).code);
    }
    assert.deepEqual(codes, ['room-not-found', 'room-not-found', 'room-not-found', 'too-many-guesses']);
    assert.equal((await withTimeout(a.closed, 'the 1008 close')).code, 1008);
    // The same address, throttled, still gets into a room that exists.
    const b = await Client.open(server);
    assert.equal((await join(b, real, 'g')).room, real);
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="too-many-guesses"}')) >= 1);
    b.close();
  });
});
