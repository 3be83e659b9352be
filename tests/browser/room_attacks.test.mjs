// Attacks on the room proof from the signaling path, in real Chromium against the real server.
// Mallory (mallory.mjs) holds DTLS sessions of her own with the victims and forges the SDP she
// hands them: a decoy m-section in front of the live one carries the fingerprint the victim's proof
// should be bound to, while DTLS runs with her certificate. Chromium ignores the decoy's
// fingerprint; a proof bound to the SDP's first a=fingerprint does not.
//
//   bridge: Alice and Bob, each connected to Mallory, the decoy carrying the other's fingerprint;
//           Mallory passes every data channel message across.
//   reflection: only Alice; Mallory joins without the room key, the decoy carries Alice's own
//           fingerprint and Mallory sends Alice's proof back to her.
//
// Decoy layouts Chromium 156 takes as a remote offer and still connects over Mallory's
// certificate: a rejected audio section (port 0, outside BUNDLE); an audio section in the BUNDLE
// group after the live mid, that the answerer drops (unknown codec); the same outside BUNDLE. An
// accepted BUNDLE member placed first in the text becomes the BUNDLE transport (the answer lists
// it first): DTLS then checks the decoy's fingerprint and fails, so that layout cannot be used.
//
// In every attack the victims must show the peer blocked (with a warning), and nothing Alice
// then sends (a chat message, a file) may reach Mallory: no chat text, no file name, no file byte,
// no message at all on the transfer channel. The positive control shows the interception itself
// leaves an honest pair working.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { bridge, chromiumAccepts, forwardingRelay, recordOf, reflect, statesOf } from './mallory.mjs';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';

const SETTLE_MS = 20000; // for each victim to show the peer open or blocked
const LEAK_BUDGET_MS = 8000; // after Alice shared, to conclude nothing reached Mallory
const FILE_BYTES = 64 * 1024;

const suite = roomSuite('cieloweb-attacks-');

const newPeer = (name) => flow.newPeer(suite.browser, name);

// What Alice will share: a chat text and a file of random bytes, both unique to this test.
function bait() {
  const tag = randomBytes(6).toString('hex');
  const fileName = `bait-${tag}.bin`;
  const file = path.join(suite.dir, fileName);
  const content = randomBytes(FILE_BYTES);
  writeFileSync(file, content);
  return { chat: `the vault code is ${tag}`, fileName, file, content };
}

// Every 16-byte run of the file, to spot any piece of it in a message.
function windowsOf(content, width = 16) {
  const set = new Set();
  for (let i = 0; i + width <= content.length; i += 1) set.add(content.subarray(i, i + width).toString('hex'));
  return set;
}

function containsPieceOf(windows, bytes, width = 16) {
  for (let i = 0; i + width <= bytes.length; i += 1)
    if (windows.has(bytes.subarray(i, i + width).toString('hex'))) return true;
  return false;
}

// What reached Mallory of Alice's bait, from her record of every data channel message.
function leaksOf(record, b) {
  const windows = windowsOf(b.content);
  const binaries = record.filter((m) => m.kind === 'binary').map((m) => Buffer.from(m.base64, 'base64'));
  const texts = [
    ...record.filter((m) => m.kind === 'text').map((m) => m.text),
    ...binaries.map((bytes) => bytes.toString('latin1')),
  ];
  return {
    chatText: texts.some((t) => t.includes(b.chat)),
    fileName: texts.some((t) => t.includes(b.fileName)),
    fileBytes: binaries.some((bytes) => containsPieceOf(windows, bytes)),
    transferMessages: record.filter((m) => m.label === 'transfer').length,
    binaryMessages: binaries.length,
  };
}

const NOTHING_LEAKED = { chatText: false, fileName: false, fileBytes: false, transferMessages: 0, binaryMessages: 0 };
const BLOCKED = { state: 'blocked', warning: true };

// Waits (up to SETTLE_MS) until the victim's peer is open or blocked.
async function settle(victim) {
  await victim.page
    .locator('[data-testid=peer][data-state=open], [data-testid=peer][data-state=blocked]')
    .first()
    .waitFor({ timeout: SETTLE_MS })
    .catch(() => {}); // the state is reported (and judged) below
}

// How the victim shows its (only) peer: its state, and whether a non-empty warning is shown.
async function peerShown(victim) {
  const item = victim.page.locator('[data-testid=peer]').first();
  if ((await item.count()) === 0) return { state: 'none', warning: false };
  const warning = item.locator('[data-testid=peer-warning]');
  const text = (await warning.count()) > 0 ? (await warning.first().textContent()).trim() : '';
  return { state: await item.getAttribute('data-state'), warning: text.length > 0 };
}

// Alice sends a chat message and offers a file, as a person does in the room.
async function aliceShares(alice, b) {
  await flow.sendChat(alice, b.chat);
  await alice.page.setInputFiles('[data-testid=room-file-input]', b.file);
}

// Polls Mallory's record until `complete(leaks)` or the budget is spent.
async function watchMallory(mallory, b, complete) {
  const deadline = Date.now() + LEAK_BUDGET_MS;
  for (;;) {
    const leaks = leaksOf(await recordOf(mallory), b);
    if (complete(leaks) || Date.now() > deadline) return leaks;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function diagnostics(mallory, ...victims) {
  return [
    `Mallory: ${mallory.steps.join(' → ')}; her connections ${JSON.stringify(await statesOf(mallory))}`,
    ...mallory.errors.map((e) => `Mallory error: ${e}`),
    await flow.describe(...victims),
  ].join('\n');
}

// Every SDP Mallory forged is one Chromium takes as a remote offer (checked on a fresh
// connection, apart from the app): the attack is not refused by the browser itself.
async function assertChromiumAccepts(mallory) {
  assert.ok(
    mallory.forged.length > 0,
    `Mallory forged nothing\n${mallory.steps.join(' → ')}\n${mallory.errors.join('\n')}`,
  );
  for (const sdp of mallory.forged)
    assert.equal(await chromiumAccepts(mallory, sdp), true, `Chromium refused:\n${sdp}`);
}

const BRIDGES = [
  ['rejected', 'a rejected audio m-section (port 0) before the live one'],
  ['bundleMember', 'a non-first BUNDLE member placed before the live section'],
  ['outsideBundle', 'an audio m-section outside BUNDLE before the live one'],
];

for (const [layout, decoy] of BRIDGES) {
  test(`attack: a relay bridging two victims, decoy ${decoy} with the other victim's fingerprint, is blocked and learns nothing`, async () => {
    const alice = await newPeer('Alice');
    const bob = await newPeer('Bob');
    let mallory = null;
    try {
      mallory = await bridge(suite.browser, bob, layout);
      const url = await flow.createRoom(alice, suite.service.origin);
      await flow.joinRoom(bob, url);
      await Promise.all([settle(alice), settle(bob)]);

      const b = bait();
      await aliceShares(alice, b);
      // Should Bob be offered the file, he takes it (so its bytes would cross Mallory's bridge).
      const offer = bob.page.locator('[data-testid=transfer-batch][data-direction=in]').filter({ hasText: b.fileName });
      const taken = offer
        .locator('[data-testid=accept-batch]')
        .click({ timeout: LEAK_BUDGET_MS })
        .then(
          () => true,
          () => false,
        );
      const leaks = await watchMallory(mallory, b, (l) => l.chatText && l.fileBytes);
      const bobTook = await taken;

      await assertChromiumAccepts(mallory);
      const seen = { alice: await peerShown(alice), bob: await peerShown(bob), mallory: leaks };
      assert.deepEqual(
        seen,
        { alice: BLOCKED, bob: BLOCKED, mallory: NOTHING_LEAKED },
        `${bobTook ? 'Bob was offered the file and took it. ' : ''}${await diagnostics(mallory, alice, bob)}`,
      );
    } finally {
      await flow.closeAll(alice, bob);
      await mallory?.close();
    }
  });
}

for (const [layout, decoy] of BRIDGES.slice(0, 2)) {
  test(`attack: a peer without the room key reflecting Alice's proof, decoy ${decoy} with Alice's own fingerprint, is blocked and learns nothing`, async () => {
    const alice = await newPeer('Alice');
    let mallory = null;
    try {
      const url = await flow.createRoom(alice, suite.service.origin);
      const roomId = new URL(url).pathname.split('/').pop();
      mallory = await reflect(suite.browser, suite.service.origin, roomId, layout);
      await settle(alice);

      const b = bait();
      await aliceShares(alice, b);
      const leaks = await watchMallory(mallory, b, (l) => l.chatText && l.fileName);

      await assertChromiumAccepts(mallory);
      assert.deepEqual(
        { alice: await peerShown(alice), mallory: leaks },
        { alice: BLOCKED, mallory: NOTHING_LEAKED },
        await diagnostics(mallory, alice),
      );
    } finally {
      await flow.closeAll(alice);
      await mallory?.close();
    }
  });
}

test('attack machinery (control): an honest pair through a relay that forwards signaling unchanged connects and chats', async () => {
  const alice = await newPeer('Alice');
  const bob = await newPeer('Bob');
  try {
    const relayed = await forwardingRelay(bob);
    const url = await flow.createRoom(alice, suite.service.origin);
    await flow.joinRoom(bob, url);
    await flow.waitConnected(alice, bob);
    const mine = await flow.sendChat(alice, 'through the relay');
    await mine.and(alice.page.locator('[data-delivery=delivered]')).waitFor();
    const reply = await flow.sendChat(bob, 'and back');
    await reply.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
    // The relay was on the path: the offer, the answer and candidates of both went through it.
    const kinds = relayed.map(
      ({ from, data }) => `${from}:${data.description?.type ?? (data.candidate ? 'candidate' : '?')}`,
    );
    for (const k of ['Bob:offer', 'Alice:answer', 'Bob:candidate', 'Alice:candidate'])
      assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  } finally {
    await flow.closeAll(alice, bob);
  }
});
