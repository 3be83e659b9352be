// The shipped coturn configuration (deploy/coturn/turnserver.conf) under attack, run by Debian's
// real coturn with only its addresses, ports, database and log moved to loopback
// (tests/support/coturn.mjs), and driven by a TURN client of our own (tests/support/turn_client.mjs)
// with credentials of coturn's shared-secret scheme, minted by the test or by the real server:
// - a relay towards loopback, private, link-local (cloud metadata), CGNAT and the other special
//   ranges is refused (403) while public addresses get their permission; without the defence
//   (coturn with --allow-loopback-peers and no denied ranges) the same requests succeed and a
//   datagram really reaches a service on loopback;
// - two secrets at once: credentials of the old and of the new one are both taken during the
//   switch, the old one's are refused once it is removed, and a relay made before keeps working
//   (coturn never restarts; the server picks up the new secret from its file);
// - an expired credential is refused; one credential holds at most user-quota relays.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { configValues, shippedConfig, startCoturn } from '../support/coturn.mjs';
import { restCredential, TurnClient } from '../support/turn_client.mjs';
import { Client, createRoom, join, startServer } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const newSecret = () => randomBytes(24).toString('base64url');

// Addresses a relay must never reach, a few per range (its ends among them), and public ones
// just outside those ranges (and the documentation ranges) that must still get a permission.
const forbidden = {
  ipv4: [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'RFC 1918'],
    ['10.255.255.255', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['192.168.255.255', 'RFC 1918'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'container metadata'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'CGNAT'],
    ['100.100.100.200', 'CGNAT (a cloud metadata address)'],
    ['100.127.255.255', 'CGNAT'],
    ['0.1.2.3', 'this network'],
    ['192.0.0.1', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['168.63.129.16', "Azure's WireServer"],
  ],
  ipv6: [
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['100::1', 'discard-only'],
    ['2002:a00:1::1', '6to4 of 10.0.0.1'],
    ['fc00::1', 'unique local'],
    ['fd00:ec2::254', 'unique local (cloud metadata)'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
  ],
};
const allowed = {
  ipv4: [
    '203.0.113.5',
    '198.51.100.7',
    '192.0.2.1',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '168.63.129.17',
  ],
  ipv6: [
    '2001:db8::5',
    '2001:4860:4860::8888',
    '2606:4700::1111',
    '2003::1',
    'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  ],
};
const host = { ipv4: '127.0.0.1', ipv6: '::1' };

async function allocated(turn, secret, family, credential = restCredential(secret)) {
  const client = await TurnClient.connect(host[family], turn.port);
  const result = await client.allocate({ ...credential, family });
  assert.ok(result.ok, `allocation (${family}): ${JSON.stringify(result)}`);
  return client;
}

// What a relay allocation can send: a UDP "internal service" on loopback counts what arrives.
async function loopbackService(family) {
  const socket = dgram.createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
  await new Promise((resolve) => socket.bind(0, host[family], resolve));
  const received = [];
  socket.on('message', (data) => received.push(data.toString()));
  return { socket, received, address: { address: host[family], port: socket.address().port } };
}

async function relayToLoopback(turn, secret, family) {
  const service = await loopbackService(family);
  const client = await allocated(turn, secret, family);
  try {
    const permission = await client.createPermission(host[family]);
    client.send(service.address, `through the relay (${family})`);
    await sleep(300);
    return { permission, received: service.received };
  } finally {
    client.close();
    service.socket.close();
  }
}

let shipped;
const secret = newSecret();

before(async () => {
  shipped = await startCoturn({ config: shippedConfig, secrets: [secret] });
});

after(async () => {
  await shipped?.stop();
});

test('turn config: coturn reads every denied range of the shipped file (a CIDR line would be ignored)', () => {
  const lines = configValues(shippedConfig, 'denied-peer-ip');
  assert.ok(lines.length >= 20, `${lines.length} denied-peer-ip lines`);
  // coturn 4.6.1 logs "Wrong address format" for a line it cannot read, and runs on without it.
  assert.deepEqual(
    shipped.log.filter((line) => /wrong address format|error resolving/i.test(line)),
    [],
  );
  const listed = shipped.log.filter((line) => line.includes('Black listing: ')).map((l) => l.split(': ').pop());
  assert.deepEqual(listed, lines);
  assert.deepEqual(configValues(shippedConfig, 'allowed-peer-ip'), [], 'an allowed-peer-ip overrides the denied');
  assert.ok(!/^\s*allow-loopback-peers/m.test(readFileSync(shippedConfig, 'utf8')));
});

for (const family of ['ipv4', 'ipv6']) {
  test(`turn config: no permission towards loopback, private, metadata and special ranges (${family}); public addresses get one`, async () => {
    const client = await allocated(shipped, secret, family);
    try {
      for (const [address, what] of forbidden[family]) {
        const result = await client.createPermission(address);
        assert.equal(result.code, 403, `${address} (${what}): ${JSON.stringify(result)}`);
      }
      for (const address of allowed[family]) {
        const result = await client.createPermission(address);
        assert.ok(result.ok, `${address}: ${JSON.stringify(result)}`);
      }
    } finally {
      client.close();
    }
  });
}

test('turn config: a datagram sent through the relay to a service on loopback never arrives', async () => {
  for (const family of ['ipv4', 'ipv6']) {
    const { permission, received } = await relayToLoopback(shipped, secret, family);
    assert.equal(permission.code, 403, family);
    assert.deepEqual(received, [], family);
  }
});

test('turn config (control): without the denied ranges and with --allow-loopback-peers, the same requests succeed and the datagram arrives', async () => {
  const realm = 'control.test';
  const open = await startCoturn({
    realm,
    secrets: [secret],
    args: [
      '-n',
      '--use-auth-secret',
      `--realm=${realm}`,
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--allow-loopback-peers',
    ],
  });
  // coturn refuses the "this network" range by itself; everything else is up to the configuration.
  const refusedByCoturn = new Set(['0.1.2.3']);
  try {
    for (const family of ['ipv4', 'ipv6']) {
      const client = await allocated(open, secret, family);
      try {
        for (const [address, what] of forbidden[family]) {
          if (refusedByCoturn.has(address)) continue;
          const result = await client.createPermission(address);
          assert.ok(result.ok, `${address} (${what}) is open without the defence: ${JSON.stringify(result)}`);
        }
      } finally {
        client.close();
      }
      const { permission, received } = await relayToLoopback(open, secret, family);
      assert.ok(permission.ok, family);
      assert.deepEqual(received, [`through the relay (${family})`]);
    }
  } finally {
    await open.stop();
  }
});

test('turn config: an expired credential is refused, the same one unexpired is taken', async () => {
  const now = Math.floor(Date.now() / 1000);
  const tryWith = async (expiresAt) => {
    const client = await TurnClient.connect('127.0.0.1', shipped.port);
    try {
      return await client.allocate(restCredential(secret, { expiresAt, peer: 'p' }));
    } finally {
      client.close();
    }
  };
  const expired = await tryWith(now - 60);
  assert.equal(expired.code, 401, JSON.stringify(expired));
  const valid = await tryWith(now + 60);
  assert.ok(valid.ok, JSON.stringify(valid));
});

test('turn config: one credential holds at most user-quota relays at once', async () => {
  const quota = Number(configValues(shippedConfig, 'user-quota')[0]);
  assert.ok(quota > 0 && quota <= 100, `user-quota=${quota}`);
  const credential = restCredential(secret, { peer: 'farmer' });
  const clients = [];
  try {
    for (let i = 0; i < quota; i++) clients.push(await allocated(shipped, secret, 'ipv4', credential));
    const one = await TurnClient.connect('127.0.0.1', shipped.port);
    clients.push(one);
    const over = await one.allocate(credential);
    assert.equal(over.code, 486, JSON.stringify(over));
    const other = await TurnClient.connect('127.0.0.1', shipped.port);
    clients.push(other);
    assert.ok((await other.allocate(restCredential(secret, { peer: 'someone-else' }))).ok);
  } finally {
    for (const client of clients) client.close();
  }
});

// Relay-only rooms put both peers on the same coturn, so each relay sends to the other: to this
// host's own address. That must keep working with the shipped file, also behind 1:1 NAT (most
// clouds: the relay address is private, `external-ip` names the public one). Needs an address
// other than loopback (coturn refuses loopback peers before it maps addresses).
const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i.family === 'IPv4' && !i.internal)?.address;

test('turn config: two peers relayed by the same coturn behind NAT still reach each other (relay to relay)', {
  skip: !hostAddress && 'no IPv4 address besides loopback',
}, async () => {
  const published = '203.0.113.10';
  const turn = await startCoturn({
    config: shippedConfig,
    secrets: [secret],
    relayIps: [hostAddress],
    args: [`--external-ip=${published}/${hostAddress}`],
  });
  const clients = [];
  try {
    const [alice, bob] = await Promise.all(
      ['alice', 'bob'].map(async (peer) => {
        const client = await TurnClient.connect('127.0.0.1', turn.port);
        clients.push(client);
        const result = await client.allocate(restCredential(secret, { peer }));
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(result.relayed.address, published);
        return { client, relayed: result.relayed };
      }),
    );
    assert.ok((await alice.client.createPermission(published)).ok);
    assert.ok((await bob.client.createPermission(published)).ok);
    alice.client.send(bob.relayed, 'hello Bob');
    for (let i = 0; i < 20 && bob.client.received.length === 0; i++) await sleep(50);
    assert.deepEqual(
      bob.client.received.map((m) => [m.data.toString(), m.peer.address, m.peer.port]),
      [['hello Bob', published, alice.relayed.port]],
    );
  } finally {
    for (const client of clients) client.close();
    await turn.stop();
  }
});

// The server's credential for a peer: one join's `ice`, checked against coturn's scheme.
async function mintedByServer(client, room) {
  const joined = await join(client, room, 'p');
  client.send({ type: 'leave' });
  await client.expect('left');
  const turn = joined.ice.iceServers.find((s) => typeof s.username === 'string');
  return { username: turn.username, password: turn.credential };
}

const signedWith = (secret_, { username, password }) =>
  createHmac('sha1', secret_).update(username).digest('base64') === password;

test('turn config: rotation without downtime: old and new secret both taken during the switch, the old refused once removed, running relays kept', async () => {
  const oldSecret = newSecret();
  const nextSecret = newSecret();
  const turn = await startCoturn({ config: shippedConfig, secrets: [oldSecret] });
  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-turn-secret-'));
  const secretFile = path.join(dir, 'turn-secret');
  writeFileSync(secretFile, `${oldSecret}\n`, { mode: 0o600 });
  const server = await startServer(['--turn-urls', turn.url, '--turn-secret-file', secretFile, '--turn-ttl', '600']);
  const clients = [];
  const allocate = async (credential) => {
    const client = await TurnClient.connect('127.0.0.1', turn.port);
    clients.push(client);
    return client.allocate(credential);
  };
  try {
    const peer = await Client.open(server);
    const room = await createRoom(peer);
    const fromOld = await mintedByServer(peer, room);
    assert.ok(signedWith(oldSecret, fromOld));
    const running = await TurnClient.connect('127.0.0.1', turn.port);
    clients.push(running);
    assert.ok((await running.allocate(fromOld)).ok, 'a relay made before the rotation');
    assert.equal((await allocate(restCredential(nextSecret))).code, 401, 'the new secret is not known yet');

    // 1. coturn learns the new secret while it runs.
    turn.addSecret(nextSecret);
    assert.deepEqual(turn.listSecrets().sort(), [oldSecret, nextSecret].sort());
    // 2. The server's secret file gets the new secret (written aside, then renamed over it).
    writeFileSync(`${secretFile}.new`, `${nextSecret}\n`, { mode: 0o600 });
    renameSync(`${secretFile}.new`, secretFile);
    let fromNew = await mintedByServer(peer, room);
    for (let i = 0; i < 30 && !signedWith(nextSecret, fromNew); i++) {
      await sleep(100);
      fromNew = await mintedByServer(peer, room);
    }
    assert.ok(signedWith(nextSecret, fromNew), 'the server mints with the new secret within a second or so');
    assert.ok(server.logs.some((line) => line.includes('"turn-secret-changed"')));
    assert.ok(!server.logs.some((line) => line.includes(nextSecret) || line.includes(oldSecret)));
    // During the switch, both kinds of credential are taken.
    assert.ok((await allocate(fromNew)).ok, 'a credential of the new secret');
    assert.ok((await allocate(fromOld)).ok, 'a credential of the old secret, still within its TTL');

    // 3. A TTL later the old secret goes.
    turn.removeSecret(oldSecret);
    assert.deepEqual(turn.listSecrets(), [nextSecret]);
    assert.equal((await allocate(fromOld)).code, 401, 'the old secret is refused once removed');
    assert.ok((await allocate(fromNew)).ok);
    // The relay made with the old secret before all this still works: nothing restarted.
    assert.ok((await running.createPermission('203.0.113.5')).ok);
    assert.ok((await running.refresh(600)).ok);
    peer.close();
  } finally {
    for (const client of clients) client.close();
    await server.stop();
    await turn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
