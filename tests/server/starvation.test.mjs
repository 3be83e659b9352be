// One client cannot starve the server (control frames): each test mounts the attack over a raw
// socket against the real binary, and checks the attacker is cut off while others are served.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Client,
  createRoom,
  frame,
  join,
  metric,
  rawUpgrade,
  serverRssBytes,
  startServer,
  withTimeout,
} from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Pings with the largest payload a control frame may carry, many to a buffer: each one asks the
// server for a pong of the same size.
const pingBatch = Buffer.concat(Array.from({ length: 512 }, () => frame(9, Buffer.alloc(125, 0x61))));

// Writes ping batches (respecting the socket's own backpressure, so the test holds no backlog)
// until the server cuts the connection, `maxBytes` have gone out, or `ms` have passed.
async function floodPings(socket, { maxBytes, ms }) {
  let closed = false;
  socket.once('close', () => (closed = true));
  let sent = 0;
  const deadline = Date.now() + ms;
  while (!closed && sent < maxBytes && Date.now() < deadline) {
    if (!socket.write(pingBatch)) {
      await Promise.race([new Promise((r) => socket.once('drain', r)), sleep(50)]);
    }
    sent += pingBatch.length;
  }
  return { closed, sent };
}

async function healthy(server) {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  const c = await Client.open(server);
  const room = await createRoom(c);
  assert.equal((await join(c, room, 'ok')).room, room);
  c.close();
}

test('a ping flood from a socket that never reads is dropped; server memory stays bounded', async () => {
  // The message rate is out of the way here: only the bounded write queue can stop this client.
  const server = await startServer([
    '--rate-per-s',
    '10000000',
    '--rate-burst',
    '10000000',
    '--write-timeout-ms',
    '600000',
    '--ping-timeout-ms',
    '600000',
  ]);
  try {
    const rssBefore = serverRssBytes(server);
    const raw = await rawUpgrade(server);
    raw.socket.pause(); // never reads again: every pong stays with the server or the kernel
    const { closed, sent } = await floodPings(raw.socket, { maxBytes: 96 * 1024 * 1024, ms: 6000 });
    const grownMiB = (serverRssBytes(server) - rssBefore) / (1024 * 1024);
    assert.ok(closed, `the server kept a client that never reads (${(sent / 2 ** 20).toFixed(0)} MiB of pings)`);
    assert.ok(grownMiB < 24, `server RSS grew by ${grownMiB.toFixed(1)} MiB`);
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="slow-consumer"}')) >= 1);
    await healthy(server);
  } finally {
    await server.stop();
  }
});

test('pings spend the message rate: a ping flood is closed with 1008', async () => {
  const server = await startServer(['--rate-per-s', '5', '--rate-burst', '5', '--rate-strikes', '3']);
  try {
    const c = await Client.open(server);
    for (let i = 0; i < 30; i++) c.ws.ping();
    assert.equal((await c.expect('error')).code, 'rate-limited');
    assert.equal((await withTimeout(c.closed, 'the 1008 close')).code, 1008);
    await healthy(server);
  } finally {
    await server.stop();
  }
});

test('a client that keeps sending but never reads is dropped at the write timeout', async () => {
  // A queue far larger than this test sends, and a ping timeout the client keeps satisfying: only
  // the write timeout can end it.
  const server = await startServer([
    '--rate-per-s',
    '10000000',
    '--rate-burst',
    '10000000',
    '--write-queue-bytes',
    String(1024 * 1024 * 1024),
    '--write-timeout-ms',
    '500',
    '--ping-timeout-ms',
    '4000',
  ]);
  try {
    const raw = await rawUpgrade(server);
    raw.socket.pause();
    // Enough pongs to fill the kernel's buffers both ways, so a write stays pending.
    await floodPings(raw.socket, { maxBytes: 16 * 1024 * 1024, ms: 3000 });
    let closed = raw.socket.destroyed;
    raw.socket.once('close', () => (closed = true));
    const started = Date.now();
    while (!closed && Date.now() - started < 3000) {
      raw.socket.write(frame(9, 'alive')); // stays well inside the ping timeout
      await sleep(100);
    }
    assert.ok(closed, 'the connection outlived its write timeout');
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="write-timeout"}')) >= 1);
    await healthy(server);
  } finally {
    await server.stop();
  }
});
