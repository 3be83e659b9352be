// Several server nodes sharing rooms through a real Redis (--redis, docs/scale-out.md): people on
// different nodes meet and signal each other as on one node, capacity holds when joins race on
// two nodes, a node killed with SIGKILL is noticed within the documented bound, and a Redis that
// restarts empty makes every page join again instead of leaving it with a stale view.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, createRoom, join, meet, startServer, withTimeout } from './harness.mjs';
import { startRedis } from '../support/redis.mjs';

// Heartbeat TTL 3 s, checked every second, dead after two missed checks (docs/scale-out.md).
const nodeDeathBoundMs = 6000;

async function startNodes(redis, count, args = []) {
  const nodes = [];
  for (let i = 0; i < count; i++) nodes.push(await startServer(['--redis', redis.url, ...args]));
  return nodes;
}

// The next message of `type`, skipping pongs and the like; bounded by `ms`.
async function nextOfType(client, type, ms = 5000) {
  return withTimeout(
    (async () => {
      for (;;) {
        const msg = await client.next(`a '${type}' message`);
        if (msg.type === type) return msg;
      }
    })(),
    `'${type}'`,
    ms,
  );
}

describe('two nodes, one Redis', () => {
  let redis;
  let nodes;
  before(async () => {
    redis = await startRedis();
    nodes = await startNodes(redis, 2);
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    await redis.stop();
  });

  test('people on different nodes meet, signal both ways and see each other leave', async () => {
    const [n1, n2] = nodes;
    const ada = await Client.open(n1);
    const bob = await Client.open(n2);
    const room = await createRoom(ada);
    const adaJoined = await join(ada, room, 'Ada');
    const bobJoined = await join(bob, room, 'Bob');
    assert.deepEqual(bobJoined.peers, [{ id: adaJoined.self.id, name: 'Ada' }]);
    const seen = await ada.expect('peer-joined');
    assert.deepEqual(seen.peer, { id: bobJoined.self.id, name: 'Bob' });

    ada.send({ type: 'signal', to: bobJoined.self.id, data: { sdp: 'offer from Ada' } });
    const toBob = await bob.expect('signal');
    assert.equal(toBob.from, adaJoined.self.id);
    assert.deepEqual(toBob.data, { sdp: 'offer from Ada' });
    bob.send({ type: 'signal', to: adaJoined.self.id, data: { sdp: 'answer from Bob' } });
    const toAda = await ada.expect('signal');
    assert.equal(toAda.from, bobJoined.self.id);
    assert.deepEqual(toAda.data, { sdp: 'answer from Bob' });

    // Order holds across nodes: a burst arrives as it was sent.
    for (let i = 0; i < 50; i++) ada.send({ type: 'signal', to: bobJoined.self.id, data: { i } });
    for (let i = 0; i < 50; i++) assert.equal((await bob.expect('signal')).data.i, i);

    // A peer of another room, on either node, is not reachable.
    const eve = await Client.open(n2);
    const eveJoined = await join(eve, await createRoom(eve), 'Eve');
    ada.send({ type: 'signal', to: eveJoined.self.id, data: {} });
    assert.equal((await ada.expect('error')).code, 'peer-not-found');

    bob.send({ type: 'leave' });
    await bob.expect('left');
    assert.equal((await ada.expect('peer-left')).peer, bobJoined.self.id);
    ada.send({ type: 'signal', to: bobJoined.self.id, data: {} });
    assert.equal((await ada.expect('error')).code, 'peer-not-found');
    assert.deepEqual(await bob.drain(), [], 'nothing reaches the one who left');
    for (const c of [ada, bob, eve]) c.close();
  });

  test('a closed connection is announced to the other node exactly once', async () => {
    const [n1, n2] = nodes;
    const { a: ada, b: bob, jb: bobJoined } = await meet(n1, n2, ['Ada', 'Bob']);
    bob.ws.terminate();
    assert.equal((await ada.expect('peer-left')).peer, bobJoined.self.id);
    assert.deepEqual(await ada.drain(), [], 'one peer-left, no duplicate');
    ada.close();
  });

  test('capacity holds when joins race on two nodes', async () => {
    const racers = [];
    for (let i = 0; i < 12; i++) racers.push(await Client.open(nodes[i % 2]));
    const owner = await Client.open(nodes[0]);
    const room = await createRoom(owner); // capacity 8 (anonymous creator)
    for (const [i, c] of racers.entries()) c.send({ type: 'join', room, name: `racer ${i}` });
    const answers = await Promise.all(racers.map((c) => c.next('join answer')));
    const joined = answers.filter((m) => m.type === 'joined');
    const refused = answers.filter((m) => m.type === 'error');
    assert.equal(joined.length, 8, 'exactly the capacity got in');
    assert.equal(refused.length, 4);
    for (const m of refused) assert.equal(m.code, 'room-full');
    for (const c of [...racers, owner]) c.close();
  });
});

describe('a node dies', () => {
  test('SIGKILL: the others see its peers leave within the bound; they come back through another node', async () => {
    const redis = await startRedis();
    const [n1, n2] = await startNodes(redis, 2);
    try {
      const { a: ada, room, jb: bobJoined } = await meet(n1, n2, ['Ada', 'Bob']);

      const killedAt = Date.now();
      n2.proc.kill('SIGKILL');
      const left = await nextOfType(ada, 'peer-left', nodeDeathBoundMs + 2000);
      const tookMs = Date.now() - killedAt;
      assert.equal(left.peer, bobJoined.self.id);
      assert.ok(tookMs <= nodeDeathBoundMs, `peer-left after ${tookMs} ms (bound ${nodeDeathBoundMs})`);

      // Bob's page reconnects (through the balancer, here straight to the surviving node).
      const bobAgain = await Client.open(n1);
      const rejoined = await join(bobAgain, room, 'Bob');
      assert.deepEqual(
        rejoined.peers.map((p) => p.name),
        ['Ada'],
        'the dead node left no ghost member behind',
      );
      assert.equal((await ada.expect('peer-joined')).peer.id, rejoined.self.id);
      ada.close();
      bobAgain.close();
    } finally {
      await n1.stop();
      await n2.stop();
      await redis.stop();
    }
  });
});

describe('a node stops', () => {
  test('SIGTERM: its peers are announced as leaving at once, not after the heartbeat expires', async () => {
    const redis = await startRedis();
    const [n1, n2] = await startNodes(redis, 2);
    try {
      const { a: ada, jb: bobJoined } = await meet(n1, n2, ['Ada', 'Bob']);
      const stoppedAt = Date.now();
      n2.proc.kill('SIGTERM');
      const left = await nextOfType(ada, 'peer-left', nodeDeathBoundMs);
      assert.equal(left.peer, bobJoined.self.id);
      const tookMs = Date.now() - stoppedAt;
      assert.ok(tookMs < 2000, `peer-left after ${tookMs} ms (a dead node's bound is ${nodeDeathBoundMs})`);
      // Past two heartbeat checks: the dead-node path must not announce Bob a second time.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.deepEqual(await ada.drain(), [], 'one peer-left, no duplicate from the heartbeat');
      ada.close();
    } finally {
      await n1.stop();
      await n2.stop();
      await redis.stop();
    }
  });
});

describe('Redis restarts empty', () => {
  test('pages in rooms are told to join again, and the room is there with its capacity', async () => {
    let redis = await startRedis();
    const [n1, n2] = await startNodes(redis, 2, ['--room-capacity', '2']);
    try {
      const { a: ada, b: bob, room } = await meet(n1, n2, ['Ada', 'Bob']);

      const port = redis.port;
      await redis.stop();
      redis = await startRedis({ port });
      const [adaClosed, bobClosed] = await withTimeout(
        Promise.all([ada.closed, bob.closed]),
        'the nodes to close the joined connections',
        10_000,
      );
      assert.equal(adaClosed.code, 1012);
      assert.equal(bobClosed.code, 1012);

      // What the page does on a close: reconnect and join the same room again.
      const ada2 = await Client.open(n1);
      const bob2 = await Client.open(n2);
      const adaAgain = await join(ada2, room, 'Ada');
      assert.deepEqual(adaAgain.peers, []);
      const bobAgain = await join(bob2, room, 'Bob');
      assert.deepEqual(bobAgain.peers, [{ id: adaAgain.self.id, name: 'Ada' }]);
      assert.equal((await ada2.expect('peer-joined')).peer.id, bobAgain.self.id);
      // The restored room kept its capacity of 2.
      const carol = await Client.open(n1);
      carol.send({ type: 'join', room, name: 'Carol' });
      assert.equal((await carol.expect('error')).code, 'room-full');
      for (const c of [ada2, bob2, carol]) c.close();
    } finally {
      await n1.stop();
      await n2.stop();
      await redis.stop();
    }
  });
});
