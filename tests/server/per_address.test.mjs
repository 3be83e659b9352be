// One address cannot take the server from everyone else: per-address caps on connections (HTTP
// keep-alive included), rooms created and TURN credentials minted, each mounted for real from one
// loopback address while a second address (127.0.0.3) is still served; and running out of file
// descriptors backs off instead of spinning.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { Client, createRoom, join, metric, startServer, withTimeout } from './harness.mjs';

const attacker = '127.0.0.2';
const bystander = '127.0.0.3';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A raw TCP connection from `localAddress`; resolves once connected, records what it reads.
async function connect(server, localAddress) {
  const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress });
  socket.received = '';
  socket.on('data', (chunk) => (socket.received += chunk));
  socket.on('error', () => {});
  socket.ended = new Promise((resolve) => socket.on('close', resolve));
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }),
    'TCP connect',
  );
  return socket;
}

// An HTTP/1.1 keep-alive connection that has had one answer and stays open for the next request.
async function keepAlive(server, localAddress) {
  const socket = await connect(server, localAddress);
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await withTimeout(
    (async () => {
      while (!socket.received.includes('"ok"')) await sleep(10);
    })(),
    'the keep-alive answer',
  );
  return socket;
}

test('one address holds connections up to its cap (keep-alive HTTP counted); a second address still gets a room', async () => {
  const server = await startServer(['--per-ip-connections', '4']);
  try {
    const held = [
      await Client.open(server, { localAddress: attacker }),
      await Client.open(server, { localAddress: attacker }),
      await keepAlive(server, attacker),
      await keepAlive(server, attacker),
    ];
    const over = await connect(server, attacker);
    await withTimeout(over.ended, 'the over-cap connection to be closed');
    assert.match(over.received, /^HTTP\/1\.1 429 /);
    await assert.rejects(Client.open(server, { localAddress: attacker }), /429|ECONNRESET|socket hang up/);

    const other = await Client.open(server, { localAddress: bystander });
    const room = await createRoom(other);
    assert.equal((await join(other, room, 'b')).room, room);

    // A closed connection gives its place back.
    held[0].close();
    await withTimeout(held[0].closed, 'the close');
    let again;
    for (let i = 0; i < 50 && !again; i++) {
      again = await Client.open(server, { localAddress: attacker }).catch(() => sleep(20));
    }
    assert.ok(again, 'a connection closed, yet no new one from the same address was let in');
    assert.ok((await metric(server, 'cieloweb_rejects_total{reason="per-ip-connections"}')) >= 2);
    for (const c of [again, other, held[1]]) c.close();
    for (const s of held.slice(2)) s.destroy();
  } finally {
    await server.stop();
  }
});

test('one address creates rooms up to its cap per minute; a second address still gets a room', async () => {
  const server = await startServer(['--per-ip-rooms-per-min', '3']);
  try {
    const a = await Client.open(server, { localAddress: attacker });
    for (let i = 0; i < 3; i++) await createRoom(a);
    a.send({ type: 'create-room' });
    assert.equal((await a.expect('error')).code, 'too-many-rooms-created');
    const b = await Client.open(server, { localAddress: attacker }); // a new connection: same address
    b.send({ type: 'create-room' });
    assert.equal((await b.expect('error')).code, 'too-many-rooms-created');
    const other = await Client.open(server, { localAddress: bystander });
    const room = await createRoom(other);
    assert.equal((await join(other, room, 'b')).room, room);
    for (const c of [a, b, other]) c.close();
  } finally {
    await server.stop();
  }
});

test('TURN credentials minted per address per minute: past the cap, joined has no TURN', async () => {
  const server = await startServer([
    '--turn-urls',
    'turn:127.0.0.1:3478',
    '--turn-secret',
    'a-test-secret-of-16+chars',
    '--per-ip-turn-per-min',
    '2',
  ]);
  const minted = (joined) => joined.ice.iceServers.some((s) => typeof s.username === 'string');
  try {
    const a = await Client.open(server, { localAddress: attacker });
    const room = await createRoom(a);
    const got = [];
    for (let i = 0; i < 3; i++) {
      got.push(minted(await join(a, room, 'a')));
      a.send({ type: 'leave' });
      await a.expect('left');
    }
    assert.deepEqual(got, [true, true, false]);
    const other = await Client.open(server, { localAddress: bystander });
    assert.ok(minted(await join(other, room, 'b')));
    a.close();
    other.close();
  } finally {
    await server.stop();
  }
});

// CPU seconds the process has used (user + system), from /proc/<pid>/stat.
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
}

test('out of file descriptors: accepting backs off instead of spinning, and recovers', async () => {
  // The server lifts its limit to --max-connections + 1024 descriptors; more connections than that
  // leave it unable to accept while they wait in the backlog.
  const server = await startServer(
    ['--max-connections', '16', '--per-ip-connections', '100000', '--handshake-timeout-ms', '60000'],
    { wrap: ['prlimit', '--nofile=64:64'] },
  );
  const sockets = [];
  try {
    for (let batch = 0; batch < 12; batch++) {
      sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => connect(server, attacker)))));
    }
    await sleep(300); // the server takes what it can and starts failing
    const before = cpuSeconds(server.proc.pid);
    await sleep(1000);
    const used = cpuSeconds(server.proc.pid) - before;
    assert.ok(used < 0.15, `the server burnt ${used.toFixed(2)} s of CPU in 1 s while out of descriptors`);
    assert.ok(
      server.logs.some((l) => l.includes('"accept-backoff"')),
      'the backoff was logged',
    );
    for (const s of sockets.splice(0)) s.destroy();
    const res = await withTimeout(
      (async () => {
        for (;;) {
          const r = await fetch(`${server.url}/healthz`).catch(() => undefined);
          if (r?.status === 200) return r;
          await sleep(100);
        }
      })(),
      '/healthz after the descriptors came back',
    );
    assert.equal(res.status, 200);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});
