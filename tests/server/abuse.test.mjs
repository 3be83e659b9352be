// Hostile and broken clients (RELIABILITY.md, "Signaling server"): each case is refused the way the
// protocol says, and the server keeps serving a well-behaved client afterwards.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { Client, createRoom, frame, join, metric, rawUpgrade, startServer, withTimeout } from './harness.mjs';

async function stillServing(server) {
  const c = await Client.open(server);
  const room = await createRoom(c);
  assert.equal((await join(c, room, 'ok')).room, room);
  c.close();
}

async function upgradeStatus(server, origin) {
  const ws = new WebSocket(server.wsUrl, origin === undefined ? {} : { origin });
  return withTimeout(
    new Promise((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => {});
    }),
    'the upgrade answer',
  );
}

describe('hostile input', () => {
  let server;
  before(async () => {
    server = await startServer([
      '--max-message-bytes',
      '4096',
      '--rate-per-s',
      '5',
      '--rate-burst',
      '5',
      '--rate-strikes',
      '3',
      '--handshake-timeout-ms',
      '300',
      '--ping-timeout-ms',
      '600',
      '--write-queue-bytes',
      '65536',
    ]);
  });
  after(() => server.stop());

  test('origins outside the list, and a missing origin, are refused at the handshake', async () => {
    assert.equal(await upgradeStatus(server, 'https://evil.example'), 403);
    assert.equal(await upgradeStatus(server, `http://127.0.0.1:${server.port + 1}`), 403);
    assert.equal(await upgradeStatus(server, undefined), 403);
    assert.equal(await upgradeStatus(server, server.origin), 101);
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="origin"}')) >= 3);
  });

  test('an oversized message closes with 1009', async () => {
    const c = await Client.open(server);
    c.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    assert.equal((await withTimeout(c.closed, 'close')).code, 1009);
    await stillServing(server);
  });

  test('malformed, mistyped, deep, unknown and wrong-version messages get an error each', async () => {
    const c = await Client.open(server);
    const cases = [
      ['{"type":"join",', 'bad-json'],
      ['not json at all', 'bad-json'],
      ['[1,2,3]', 'bad-message'],
      ['{"type":42}', 'bad-message'],
      [JSON.stringify({ type: 'join', room: 5, name: 'x' }), 'bad-message'],
      ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', 'too-deep'],
      [
        JSON.stringify({ type: 'signal', to: 'x', data: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } }),
        'too-deep',
      ],
      [JSON.stringify({ type: 'teleport' }), 'unknown-type'],
    ];
    for (const [text, code] of cases) {
      c.send(text);
      assert.equal((await c.expect('error')).code, code, text);
      // Stay under the test server's rate of 5/s (burst 5).
      await new Promise((r) => setTimeout(r, 210));
    }
    c.send(JSON.stringify({ v: 2, type: 'ping' }));
    assert.equal((await c.expect('error')).code, 'unsupported-version');
    c.close();
    await stillServing(server);
  });

  test('a flood gets one rate-limited error, then a 1008 close', async () => {
    const c = await Client.open(server);
    for (let i = 0; i < 30; i++) c.send({ type: 'ping' });
    const seen = [];
    for (;;) {
      const msg = await c.next();
      seen.push(msg.type === 'error' ? msg.code : msg.type);
      if (msg.type === 'error') break;
    }
    assert.deepEqual(seen, ['pong', 'pong', 'pong', 'pong', 'pong', 'rate-limited']);
    assert.equal((await withTimeout(c.closed, 'close')).code, 1008);
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="rate-limit-close"}')) >= 1);
    await stillServing(server);
  });

  test('handshakes that never finish are dropped', async () => {
    const silent = net.connect(server.port, '127.0.0.1');
    const partial = net.connect(server.port, '127.0.0.1', () => partial.write('GET /ws HTTP/1.1\r\nHost: x\r\n'));
    for (const s of [silent, partial]) s.on('error', () => {});
    await withTimeout(
      Promise.all([silent, partial].map((s) => new Promise((r) => s.on('close', r)))),
      'the server to drop half-open handshakes',
    );
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="handshake-timeout"}')) >= 2);
    await stillServing(server);
  });

  test('a peer that stops answering pings is removed with peer-left', async () => {
    const a = await Client.open(server);
    const silent = await Client.open(server, { autoPong: false });
    const room = await createRoom(a);
    await join(a, room, 'a');
    const js = await join(silent, room, 'silent');
    await a.expect('peer-joined');
    const left = await withTimeout(a.expect('peer-left'), 'peer-left for the silent peer', 8000);
    assert.equal(left.peer, js.self.id);
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="ping-timeout"}')) >= 1);
    a.close();
  });

  for (const [name, bytes, code] of [
    ['an unmasked client frame', frame(1, '{"type":"ping"}', { mask: false }), 1002],
    ['bad UTF-8 in a text frame', frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
    ['an oversized control frame', frame(9, Buffer.alloc(126, 1)), 1002],
    ['a fragmented control frame', frame(9, 'x', { fin: false }), 1002],
  ]) {
    test(`WebSocket protocol violation: ${name} closes with ${code}`, async () => {
      const raw = await rawUpgrade(server);
      raw.socket.write(bytes);
      await withTimeout(raw.ended, 'the server to close');
      const close = raw.frames().find((f) => f.opcode === 8);
      assert.ok(close, 'a close frame was sent');
      assert.equal(close.closeCode, code);
      await stillServing(server);
    });
  }

  test('binary messages are refused with 1003', async () => {
    const c = await Client.open(server);
    c.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await withTimeout(c.closed, 'close')).code, 1003);
  });
});

test('a client too slow to read is dropped; its room hears peer-left', async () => {
  const server = await startServer([
    '--write-queue-bytes',
    '65536',
    '--rate-per-s',
    '100000',
    '--rate-burst',
    '100000',
  ]);
  try {
    const a = await Client.open(server);
    const b = await Client.open(server);
    const room = await createRoom(a);
    await join(a, room, 'a');
    const jb = await join(b, room, 'slow');
    await a.expect('peer-joined');
    b.ws._socket.pause(); // b stops reading: the kernel buffers fill, then the server's queue
    const blob = 'x'.repeat(60000);
    let left;
    const leftSeen = a.expect('peer-left').then((m) => (left = m));
    for (let i = 0; i < 2000 && left === undefined; i++) {
      a.send({ type: 'signal', to: jb.self.id, data: { blob } });
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await withTimeout(leftSeen, 'peer-left for the slow peer', 10000);
    assert.equal(left.peer, jb.self.id);
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="slow-consumer"}')) >= 1);
    a.close();
  } finally {
    await server.stop();
  }
});

test('SIGTERM: peers are told, closed with 1001, and the process exits cleanly', async () => {
  const server = await startServer();
  const a = await Client.open(server);
  const b = await Client.open(server);
  const room = await createRoom(a);
  await join(a, room, 'a');
  await join(b, room, 'b');
  await a.expect('peer-joined');
  server.proc.kill('SIGTERM');
  assert.equal((await a.expect('shutdown')).type, 'shutdown');
  assert.equal((await b.expect('shutdown')).type, 'shutdown');
  assert.equal((await withTimeout(a.closed, 'close')).code, 1001);
  assert.equal((await withTimeout(b.closed, 'close')).code, 1001);
  const exit = await withTimeout(server.exited, 'the process to exit');
  assert.equal(exit.code, 0);
});
