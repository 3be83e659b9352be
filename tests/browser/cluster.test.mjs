// The service as two nodes sharing rooms through a real Redis, behind a real HAProxy on one port
// (cluster_service.mjs), in real Chromium: two people whose signaling WebSockets land on different
// nodes meet, chat and send a file; then the node that holds one of them is killed with SIGKILL in
// the middle of a transfer: the other sees that person leave, the page reconnects through the
// balancer to the surviving node and is back in the room, and the file arrives whole.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { startCluster } from './cluster_service.mjs';
import * as flow from './room_flow.mjs';
import { b3sum, eventually, incomingBatch, savedHash, until } from './transfer_steps.mjs';

const MiB = 1024 * 1024;
// A dead node's peers leave within this (heartbeat TTL 3 s, checked every second, dead after two
// missed checks: tests/server/cluster.test.mjs), plus up to a second for the page to show it.
const peerLeftBoundMs = 6000 + 1000;

let cluster;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-cluster-'));
  cluster = await startCluster(2);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function sourceFile(name, size) {
  const file = path.join(dir, name);
  writeFileSync(file, randomBytes(size));
  return { file, name, hash: b3sum(file), size };
}

// Runs `step` (which makes one page join a room) and resolves the node that took that join: the
// one whose log gained a peer-joined line (and no other node's did).
async function nodeOfJoin(step) {
  const joinsBefore = cluster.nodes.map((n) => n.events('peer-joined').length);
  await step();
  const grown = () => cluster.nodes.filter((n, i) => n.events('peer-joined').length > joinsBefore[i]);
  await eventually(() => grown().length > 0, 'a node to log the join', 5000);
  const [node, ...others] = grown();
  assert.deepEqual(others, [], 'one join, logged by one node');
  assert.equal(node.events('peer-joined').length, joinsBefore[cluster.nodes.indexOf(node)] + 1);
  return node;
}

// Ada creates a room and Bob opens its link, both through the balancer; each one's node is checked
// from the nodes' own logs and /metrics, and they must differ.
async function meetOnTwoNodes(ada, bob) {
  let url;
  const adaNode = await nodeOfJoin(async () => {
    url = await flow.createRoom(ada, cluster.origin);
  });
  const bobNode = await nodeOfJoin(() => flow.joinRoom(bob, url));
  assert.notEqual(adaNode, bobNode, 'the two WebSockets landed on different nodes');
  await eventually(
    async () => (await adaNode.wsConnections()) === 1 && (await bobNode.wsConnections()) === 1,
    'each node to hold one of the two WebSockets',
    5000,
  );
  await flow.waitReadyForFiles(ada, bob);
  return { adaNode, bobNode };
}

// What the room shows over time, recorded in the page: the peer list (name:state), the status
// notice and whether the file at `path` is done (its hash shown), one entry per change, with the
// time of the change.
async function recordRoom(peer, path) {
  await peer.page.evaluate((path) => {
    const timeline = [];
    globalThis.__roomTimeline = timeline;
    let last = '';
    const take = () => {
      const peers = [...document.querySelectorAll('[data-testid=peer]')].map(
        (e) => `${e.querySelector('[data-testid=peer-name]')?.textContent}:${e.dataset.state}`,
      );
      const box = document.querySelector('[data-testid=room-status]');
      const status = box && !box.hidden ? `${box.dataset.key}: ${box.textContent}` : null;
      const done = document.querySelector(`[data-testid=file-hash][data-path="${path}"]`) !== null;
      const now = JSON.stringify({ peers, status, done });
      if (now === last) return;
      last = now;
      timeline.push({ at: Date.now(), peers, status, done });
    };
    take();
    const changes = { subtree: true, childList: true, attributes: true, characterData: true };
    new MutationObserver(take).observe(document.body, changes);
  }, path);
}
const roomTimeline = (peer) => peer.page.evaluate(() => globalThis.__roomTimeline);

// Waits until `peer` has received (verified and written) at least `bytes` of the file at `p`.
function untilReceived(peer, p, bytes) {
  const condition = async ([p, bytes]) =>
    (await __cieloweb.engine.snapshot()).incoming.some((i) => i.path === p && i.bytes >= bytes);
  return until(peer, condition, { timeout: 60000, polling: 20, arg: [p, bytes] });
}

const receivedOf = (peer, p) =>
  peer.page.evaluate(async (p) => (await __cieloweb.engine.snapshot()).incoming.find((i) => i.path === p), p);

async function expectReceived(peer, src) {
  const shown = peer.page.locator(`[data-testid=file-hash][data-path="${src.name}"]`);
  await shown.waitFor({ timeout: 120000 });
  assert.equal(await shown.textContent(), src.hash, `shown hash of ${src.name}`);
  assert.equal(await savedHash(peer.page, src.name, dir), src.hash, `bytes saved from OPFS for ${src.name}`);
}

test('cluster: people on different nodes meet, chat both ways and send a file', async () => {
  const ada = await flow.newPeer(browser, 'Ada');
  const bob = await flow.newPeer(browser, 'Bob');
  try {
    await meetOnTwoNodes(ada, bob);

    const mine = await flow.sendChat(ada, 'Hello Bob, from the other node');
    await mine.and(ada.page.locator('[data-delivery=delivered]')).waitFor();
    await bob.page
      .locator('[data-testid=chat-message]', { hasText: 'Hello Bob, from the other node' })
      .locator('[data-testid=chat-sender]', { hasText: 'Ada' })
      .waitFor();
    const reply = await flow.sendChat(bob, 'Hi Ada, got it');
    await reply.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    await ada.page
      .locator('[data-testid=chat-message]', { hasText: 'Hi Ada, got it' })
      .locator('[data-testid=chat-sender]', { hasText: 'Bob' })
      .waitFor();

    const src = sourceFile('across.bin', 3 * MiB + 5);
    await ada.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await incomingBatch(bob, src.name).locator('[data-testid=accept-batch]').click();
    await expectReceived(bob, src);
    assert.deepEqual([...ada.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(ada, bob);
  }
});

test('cluster: a node killed mid-transfer: Bob leaves and comes back through the other node; the file arrives whole', async () => {
  const ada = await flow.newPeer(browser, 'Ada');
  const bob = await flow.newPeer(browser, 'Bob');
  try {
    const { adaNode, bobNode } = await meetOnTwoNodes(ada, bob);
    const [adaJoin] = adaNode.events('peer-joined').slice(-1);
    const src = sourceFile('through-the-kill.bin', 64 * MiB);
    for (const p of [ada, bob]) await recordRoom(p, src.name);
    await ada.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await incomingBatch(bob, src.name).locator('[data-testid=accept-batch]').click();
    await untilReceived(bob, src.name, 8 * MiB);

    // The node that holds Bob's WebSocket dies with no goodbye, the file an eighth of the way.
    const joinsBefore = adaNode.events('peer-joined').length;
    const killedAt = Date.now();
    await bobNode.kill();
    const atKill = await receivedOf(bob, src.name);
    assert.ok(atKill.bytes < src.size, 'killed while the file was on its way');

    // The balancer's check takes the dead node out (and only it).
    await eventually(
      () => cluster.haproxy.log().includes(`Server signaling/${bobNode.name} is DOWN`),
      'HAProxy to take the killed node out',
      3000,
    );

    // Bob's page lost the server, reconnected through the balancer to the surviving node and joined
    // the same room again there: that node logged one more join, in Ada's room, and holds both.
    await eventually(
      () => adaNode.events('peer-joined').length > joinsBefore,
      "the surviving node to log Bob's re-join",
      10000,
    );
    const rejoins = adaNode.events('peer-joined').slice(joinsBefore);
    assert.equal(rejoins.length, 1, 'one re-join');
    assert.equal(rejoins[0].room, adaJoin.room, 'into the same room');
    assert.equal(await adaNode.wsConnections(), 2, 'the surviving node holds both WebSockets');

    // Each sees exactly the other, open, within the bound for a dead node's peers to leave (counted
    // from the kill): Bob's peer from before, gone with its node, is no longer listed on either side.
    const onlyOpen = async (peer, name) =>
      JSON.stringify((await roomTimeline(peer)).at(-1).peers) === JSON.stringify([`${name}:open`]);
    await eventually(
      async () => (await onlyOpen(ada, 'Bob')) && (await onlyOpen(bob, 'Ada')),
      'Ada and Bob to see only each other, open',
      Math.max(0, killedAt + peerLeftBoundMs - Date.now()),
    );
    const adaSaw = (await roomTimeline(ada)).filter((e) => e.at >= killedAt);
    const bobSaw = (await roomTimeline(bob)).filter((e) => e.at >= killedAt);
    const story = `\nAda saw: ${JSON.stringify(adaSaw)}\nBob saw: ${JSON.stringify(bobSaw)}`;
    // Bob's page said it lost the server, and no longer says so.
    assert.ok(
      bobSaw.some((e) => e.status?.startsWith('statusServerLost')),
      `Bob was told the server was lost${story}`,
    );
    assert.equal(bobSaw.at(-1).status?.startsWith('statusServerLost') ?? false, false, story);
    assert.equal(await bob.page.getAttribute('body', 'data-room'), 'joined');
    // Ada was told Bob left (his old peer, gone with its node), within the bound.
    const left = adaSaw.find((e) => e.status === 'statusPeerLeft: Bob left the room.');
    assert.ok(left, `Ada was told Bob left${story}`);
    assert.ok(left.at - killedAt <= peerLeftBoundMs, `Bob left ${left.at - killedAt} ms after the kill${story}`);

    // The file: its connection to Ada was rebuilt while it was still on its way (Bob's new peer id
    // after the re-join makes every old connection stale), and it resumed on the new one.
    assert.ok(
      bobSaw.some((e) => !e.done && e.peers.some((p) => p.startsWith('Ada:') && p !== 'Ada:open')),
      `Bob's connection to Ada was rebuilt before the file was done${story}`,
    );
    await expectReceived(bob, src);
    const done = await receivedOf(bob, src.name);
    // Every block was received (verified and written) once, before or after the kill.
    assert.equal(done.blocksReceived, 64);
    assert.ok(done.blocksResent <= 2, `blocks resent: ${done.blocksResent}`);

    // Back in the room for good: chat goes through on the new connection.
    const msg = await flow.sendChat(bob, 'back, through the other node');
    await msg.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    await ada.page.locator('[data-testid=chat-message]', { hasText: 'back, through the other node' }).waitFor();
    assert.equal(
      cluster.haproxy.log().includes(`Server signaling/${adaNode.name} is DOWN`),
      false,
      'the survivor stayed in',
    );
    assert.deepEqual([...ada.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(ada, bob);
  }
});
