// Behind a reverse proxy every client would share the proxy's address, and so one bucket of every
// per-address limit. With --trusted-proxies the server reads the client address from the header the
// proxy appends, and from no one else. A real HAProxy sits in front of the real server here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, createRoom, join, startHaproxy, startServer, withTimeout } from './harness.mjs';

// One join attempt of an unknown room; the error code it gets.
async function guess(client, i) {
  client.send({ type: 'join', room: `guess${i}AAAAAAAAAAAAAAAAA`, name: 'g' });
  return (await client.expect('error')).code;
}

test('behind HAProxy each client has its own guess budget, and a bad guesser locks no one out', async () => {
  const server = await startServer([
    '--trusted-proxies',
    '127.0.0.1/32',
    '--guess-burst',
    '2',
    '--guess-per-min',
    '0.001',
  ]);
  const proxy = await startHaproxy(server);
  // Each connection forges different forwarding headers: HAProxy appends the real address after
  // them, and only that hop counts.
  let forged = 0;
  const via = (localAddress) =>
    Client.open(proxy, {
      localAddress,
      headers: { 'X-Forwarded-For': `203.0.113.${++forged}`, Forwarded: `for=198.51.100.${forged}` },
    });
  try {
    const owner = await via('127.0.0.4');
    const room = await createRoom(owner);
    await join(owner, room, 'owner');

    const guesser = await via('127.0.0.2');
    assert.deepEqual(
      [await guess(guesser, 1), await guess(guesser, 2), await guess(guesser, 3)],
      ['room-not-found', 'room-not-found', 'too-many-guesses'],
    );
    assert.equal((await withTimeout(guesser.closed, 'the 1008 close')).code, 1008);
    const again = await via('127.0.0.2'); // new forged headers do not buy a new budget
    assert.equal(await guess(again, 4), 'too-many-guesses');

    const neighbour = await via('127.0.0.3'); // another client of the same proxy: its own budget
    assert.equal(await guess(neighbour, 5), 'room-not-found');
    assert.equal((await join(neighbour, room, 'neighbour')).room, room);
    await owner.expect('peer-joined');

    const guesserWithLink = await via('127.0.0.2'); // throttled, but the room exists
    assert.equal((await join(guesserWithLink, room, 'late')).room, room);
    for (const c of [owner, neighbour, guesserWithLink]) c.close();
  } finally {
    await proxy.stop();
    await server.stop();
  }
});

test('a forged X-Forwarded-For from a peer outside --trusted-proxies is ignored', async () => {
  // Loopback is not trusted here: the header is the client's own invention.
  const server = await startServer([
    '--trusted-proxies',
    '10.0.0.0/8',
    '--guess-burst',
    '2',
    '--guess-per-min',
    '0.001',
  ]);
  try {
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const c = await Client.open(server, {
        localAddress: '127.0.0.5',
        headers: { 'X-Forwarded-For': `203.0.113.${i}` },
      });
      codes.push(await guess(c, i));
      c.close();
    }
    assert.deepEqual(codes, ['room-not-found', 'room-not-found', 'too-many-guesses']);
  } finally {
    await server.stop();
  }
});
