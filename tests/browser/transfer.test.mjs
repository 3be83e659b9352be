// File transfers in the room app, between real Chromium pages over real WebRTC data channels,
// against the real server (which serves the page and the WASM core and introduces the peers):
// create a room, open its link, then 1 byte to 64 MiB (with chat both ways during the transfer),
// a folder of 20 files to two receivers, a file to one chosen person, a cut connection and a
// reloaded receiver that resume with only the missing blocks, a decline and a cancel that leave
// both sides clean, and what the server sees of it all (no file bytes). Every received file is
// hashed back from OPFS in the page and compared with b3sum of the source.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import * as steps from './transfer_steps.mjs';

const { b3sum, eventually, incomingBatch, opfsEntries, until } = steps;

const MiB = 1024 * 1024;
const suite = roomSuite('cieloweb-transfer-');

function sourceFile(relative, size) {
  const file = path.join(suite.dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, size > 0 ? randomBytes(size) : Buffer.alloc(0));
  return { file, hash: b3sum(file), size };
}

// People in one room, ready to send files to each other: the first creates the room, the others
// open its link. Each is a browser context of its own (its own OPFS and IndexedDB).
async function roomOf(names, { ownProcess = [], record = null } = {}) {
  const peers = [];
  for (const name of names) {
    peers.push(
      ownProcess.includes(name)
        ? await flow.newPeerInOwnProcess(name, { record })
        : await flow.newPeer(suite.browser, name, { record }),
    );
  }
  const url = await flow.createRoom(peers[0], suite.service.origin);
  for (const p of peers.slice(1)) await flow.joinRoom(p, url);
  for (let i = 0; i < peers.length; i += 1)
    for (let j = i + 1; j < peers.length; j += 1) await flow.waitReadyForFiles(peers[i], peers[j]);
  return peers;
}

const fileRow = (p) => `[data-testid=file-hash][data-path="${p}"]`;

const savedHash = (page, p) => steps.savedHash(page, p, suite.dir);

// Waits until `peer` has received (verified and written) at least `bytes` of the file at `p`.
function untilReceived(peer, p, bytes) {
  const condition = async ([p, bytes]) =>
    (await __cieloweb.engine.snapshot()).incoming.some((i) => i.path === p && i.bytes >= bytes);
  return until(peer, condition, { timeout: 60000, polling: 20, arg: [p, bytes] });
}

const incomingBytes = (peer, p) =>
  peer.page.evaluate(
    async (p) => (await __cieloweb.engine.snapshot()).incoming.find((i) => i.path === p)?.bytes ?? 0,
    p,
  );

async function expectReceived(page, p, hash) {
  await page.waitForSelector(fileRow(p), { timeout: 120000 });
  assert.equal(await page.textContent(fileRow(p)), hash, `shown hash of ${p}`);
  assert.equal(await savedHash(page, p), hash, `bytes saved from OPFS for ${p}`);
}

const snapshot = (peer) => peer.page.evaluate(() => __cieloweb.engine.snapshot());
const receivedOf = (peer, p) =>
  peer.page.evaluate(async (p) => (await __cieloweb.engine.snapshot()).incoming.find((i) => i.path === p), p);

// What the receiver's resume store (IndexedDB, see web/src/transfer/resume_store.js) holds.
async function resumeRecords(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('cieloweb-transfer');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('resume')) return resolve([]);
          const all = db.transaction('resume').objectStore('resume').getAll();
          all.onsuccess = () => resolve(all.result);
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

test('1 byte, 1 MiB and 64 MiB arrive intact between two Chromium processes; chat flows both ways meanwhile', async () => {
  const [a, b] = await roomOf(['Alice', 'Bob'], { ownProcess: ['Bob'] });
  try {
    // Chromium hands the transfer channel to a worker: no byte is handled on the main thread.
    for (const p of [a, b]) assert.equal(await p.page.evaluate(() => __cieloweb.engine.inWorker), true);
    for (const [name, size] of [
      ['one.bin', 1],
      ['mib.bin', MiB],
      ['big.bin', 64 * MiB],
    ]) {
      const src = sourceFile(name, size);
      await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
      const offer = incomingBatch(b, name);
      await offer.waitFor();
      assert.match(await offer.textContent(), /Alice/, 'the offer names its sender');
      await offer.locator('[data-testid=accept-batch]').click();
      if (name === 'big.bin') {
        // Chat both ways while the big file is on its way: both arrive, and before the file does.
        await untilReceived(b, 'big.bin', 1);
        const mine = await flow.sendChat(a, 'is it coming through?');
        const reply = await flow.sendChat(b, 'yes, streaming now');
        await mine.and(a.page.locator('[data-delivery=delivered]')).waitFor();
        await reply.and(b.page.locator('[data-delivery=delivered]')).waitFor();
        await a.page.locator('[data-testid=chat-message]', { hasText: 'yes, streaming now' }).waitFor();
        assert.ok((await incomingBytes(b, name)) < size, 'the chat went both ways before the file was complete');
      }
      await expectReceived(b.page, name, src.hash);
      await a.page.waitForSelector(fileRow(name)); // the sender shows its own hash too
      assert.equal(await a.page.textContent(fileRow(name)), src.hash);
    }
    const big = await receivedOf(b, 'big.bin');
    assert.equal(big.blocksReceived, 64);
    assert.equal((await snapshot(a)).liveObjects, 0, 'every WASM Sender freed');
    assert.equal((await snapshot(b)).liveObjects, 0, 'every WASM Receiver freed');
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await flow.closeAll(a, b);
  }
});

test('the worker paints progress, speed and ETA on both sides (in the chosen language); the page takes no progress events', async () => {
  const [a, b] = await roomOf(['Alice', 'Bob']);
  try {
    // Every 'progress' event that reaches a page, counted from here on.
    for (const p of [a, b]) {
      await p.page.evaluate(() => {
        globalThis.__progressEvents = 0;
        __cieloweb.engine.worker.addEventListener('message', ({ data }) => {
          if (data.type === 'events') __progressEvents += data.events.filter((e) => e.event === 'progress').length;
        });
      });
    }
    const src = sourceFile('painted.bin', 128 * MiB); // long enough to be watched mid-way three times
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await incomingBatch(b, 'painted.bin').locator('[data-testid=accept-batch]').click();
    const painting = async (peer, pattern) => {
      const rows = Object.entries(await peer.page.evaluate(() => __cieloweb.engine.paintState()));
      return rows.find(([, r]) => r.fraction > 0 && r.fraction < 1 && pattern.test(r.text));
    };
    const rows = new Map(); // peer -> its painted row id
    for (const p of [a, b]) {
      let row;
      await eventually(
        async () => (row = await painting(p, /^\d[\d.,]* MB\/s · (\d+ min )?\d+ s left$/)),
        `${p.name}: a painted row mid-transfer`,
      );
      const [rowId] = row;
      assert.equal(
        await p.page.locator(`[data-testid=file-progress-canvas][data-row="${rowId}"]`).count(),
        1,
        `${p.name}: the canvas of ${rowId} is on the page`,
      );
      rows.set(p, rowId);
    }
    // Screen readers get the value in steps of 10 %.
    const percentOf = (p) =>
      p.page.getAttribute(`[data-testid=file-progress-canvas][data-row="${rows.get(p)}"]`, 'aria-valuenow');
    await eventually(
      async () => ['10', '20', '30', '40', '50', '60', '70', '80', '90'].includes(await percentOf(b)),
      'Bob: an accessible value mid-transfer',
    );
    // The words follow the language switch; the re-drawn batch keeps its progress.
    await b.page.selectOption('[data-testid=language]', 'nl');
    await eventually(
      async () => await painting(b, /^\d[\d.,]* MB\/s · nog (\d+ min )?\d+ s$/),
      'Bob: a painted row in Dutch',
    );
    await expectReceived(b.page, 'painted.bin', src.hash);
    for (const p of [a, b]) {
      // Done: a full plain bar in the canvas's place, and the worker holds no canvas for it any more.
      const done = p.page.locator(`[data-testid=file-progress][data-row="${rows.get(p)}"]`);
      await done.waitFor();
      assert.equal(await done.getAttribute('value'), '100', `${p.name}: full bar at the end`);
      assert.equal(
        await p.page.locator(`[data-testid=file-progress-canvas][data-row="${rows.get(p)}"]`).count(),
        0,
        `${p.name}: canvas replaced`,
      );
      await eventually(
        async () => !(rows.get(p) in (await p.page.evaluate(() => __cieloweb.engine.paintState()))),
        `${p.name}: the worker let the canvas go`,
      );
      assert.equal(await p.page.evaluate(() => __progressEvents), 0, `${p.name}: no progress event reached the page`);
    }
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await flow.closeAll(a, b);
  }
});

test('a folder of 20 files goes to two receivers at once, paths kept; one file goes to one chosen person', async () => {
  const [a, b, c] = await roomOf(['Alice', 'Bob', 'Carol']);
  try {
    const folder = path.join(suite.dir, 'album');
    const files = [];
    for (let i = 0; i < 20; i += 1) {
      const rel = `album/${i % 3 === 0 ? 'sub/' : ''}f${i}.bin`;
      files.push({ rel, ...sourceFile(rel, 1000 + i * 37 * 1024) });
    }
    await a.page.setInputFiles('[data-testid=room-folder-input]', folder);
    for (const r of [b, c]) await incomingBatch(r, '20').locator('[data-testid=accept-batch]').click();
    for (const r of [b, c]) for (const f of files) await expectReceived(r.page, f.rel, f.hash);
    // One Sender per file served both peers: each file was read once.
    const out = (await snapshot(a)).outgoing;
    assert.equal(out.length, 20);
    for (const f of out) assert.equal(Object.keys(f.peers).length, 2, JSON.stringify(f.peers));
    const entries = await opfsEntries(b.page);
    assert.ok(
      entries.some((e) => e.endsWith('/album/sub/f0.bin')),
      entries.join(' '),
    );

    // "Send to": Carol only. Bob is never offered it.
    const only = sourceFile('for-carol.bin', 100 * 1024);
    await a.page.selectOption('[data-testid=peer-select]', { label: 'Carol' });
    await a.page.setInputFiles('[data-testid=room-file-input]', only.file);
    await incomingBatch(c, 'for-carol.bin').locator('[data-testid=accept-batch]').click();
    await expectReceived(c.page, 'for-carol.bin', only.hash);
    assert.equal(await incomingBatch(b, 'for-carol.bin').count(), 0);
    assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
  } finally {
    await flow.closeAll(a, b, c);
  }
});

test('a cut connection is rebuilt through the server and the transfer re-sends only the missing blocks', async () => {
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  try {
    await flow.keepConnections(bob);
    const url = await flow.createRoom(alice, suite.service.origin);
    await flow.joinRoom(bob, url);
    await flow.waitReadyForFiles(alice, bob);
    const src = sourceFile('cut.bin', 64 * MiB);
    await alice.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await bob.page.click('[data-testid=accept-batch]');
    await untilReceived(bob, 'cut.bin', 12 * MiB);
    await bob.page.evaluate(() => window.testConnections[0].close());
    const atCut = await receivedOf(bob, 'cut.bin');
    assert.ok(atCut.bytes < 64 * MiB, 'cut before the end');
    // The mesh negotiates a new connection through the server; the engine picks the file up again.
    await bob.page.waitForFunction(() => window.testConnections.length === 2);
    await expectReceived(bob.page, 'cut.bin', src.hash);
    const done = await receivedOf(bob, 'cut.bin');
    // Every block was received (verified and written) exactly once, before or after the cut.
    assert.equal(done.blocksReceived, 64);
    assert.ok(done.blocksResent <= 2, `blocks resent: ${done.blocksResent}`);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(alice, bob);
  }
});

test('a receiver that reloads the room resumes from what it saved in OPFS', async () => {
  const [a, b] = await roomOf(['Alice', 'Bob']);
  try {
    const src = sourceFile('reload.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await b.page.click('[data-testid=accept-batch]');
    // Two 16 MiB segments committed (so the saved state covers at least 32 blocks).
    await untilReceived(b, 'reload.bin', 36 * MiB);
    await b.page.reload();
    await b.page.waitForSelector('body[data-room=joined]');
    // The reloaded tab comes back as a new peer with the same remembered name; the sender offers
    // its unfinished file again and the receiver's resume store knows what it already has.
    await flow.waitReadyForFiles(a, b);
    await expectReceived(b.page, 'reload.bin', src.hash);
    const done = await receivedOf(b, 'reload.bin');
    assert.ok(done.resumedBlocks >= 32, `resumed from ${done.resumedBlocks} saved blocks`);
    assert.equal(done.blocksReceived + done.resumedBlocks, 64, 'only the missing blocks came again');
    assert.deepEqual(a.errors, []);
  } finally {
    await flow.closeAll(a, b);
  }
});

test('a decline and a cancel leave both sides clean', async () => {
  const [a, b] = await roomOf(['Alice', 'Bob']);
  try {
    const small = sourceFile('declined.bin', 3 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', small.file);
    await b.page.click('[data-testid=decline-batch]');
    await a.page.waitForSelector('[data-testid=transfer-file][data-path="declined.bin"] [data-failed=true]');
    assert.match(await a.page.textContent('[data-testid=transfer-file][data-path="declined.bin"]'), /declined/i);

    const big = sourceFile('cancelled.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', big.file);
    await incomingBatch(b, 'cancelled.bin').locator('[data-testid=accept-batch]').click();
    await untilReceived(b, 'cancelled.bin', 4 * MiB);
    await a.page
      .locator('[data-testid=transfer-batch]')
      .filter({ hasText: 'cancelled.bin' })
      .locator('[data-testid=cancel-batch]')
      .click();
    await b.page.waitForSelector('[data-testid=transfer-file][data-path="cancelled.bin"] [data-failed=true]');
    assert.equal(
      await b.page.getAttribute('[data-testid=transfer-file][data-path="cancelled.bin"]', 'data-reason'),
      'cancelled_by_sender',
    );
    await until(b, async () => (await __cieloweb.engine.snapshot()).liveObjects === 0);
    await until(a, async () => (await __cieloweb.engine.snapshot()).liveObjects === 0);
    // Nothing left behind: no partial file, no resume record.
    await b.page.waitForFunction(async () => {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle('cieloweb-received', { create: true });
      for await (const entry of top.keys()) return !entry;
      return true;
    });
    assert.deepEqual(await resumeRecords(b.page), []);
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await flow.closeAll(a, b);
  }
});

test('privacy: no file bytes reach the server, in any form', async () => {
  const seen = [];
  const [a, b] = await roomOf(['Alice', 'Bob'], { record: seen });
  try {
    // A text file with a marker on every line, 4 MiB: large next to all signaling together.
    const marker = `confidential-${Math.random().toString(36).slice(2)}`;
    const file = path.join(suite.dir, 'notes.txt');
    writeFileSync(file, `${marker} line of the quarterly report\n`.repeat(Math.ceil((4 * MiB) / 50)));
    const hash = b3sum(file);
    await a.page.setInputFiles('[data-testid=room-file-input]', file);
    await incomingBatch(b, 'notes.txt').locator('[data-testid=accept-batch]').click();
    await expectReceived(b.page, 'notes.txt', hash);

    const toServer = seen.filter((m) => m.to === 'server');
    assert.ok(
      toServer.some((m) => m.text.includes('a=fingerprint')),
      'the recording saw the signaling',
    );
    const everything = seen.map((m) => m.text).join('\n') + suite.service.log.join('');
    assert.equal(everything.includes(marker), false, 'the marker text never passed the server');
    assert.equal(everything.includes(Buffer.from(marker).toString('base64').slice(0, 16)), false, 'nor in base64');
    assert.equal(everything.includes('notes.txt'), false, 'nor the file name');
    // Whatever the encoding: all signaling in both directions is far smaller than the file.
    const signalingBytes = seen.reduce((n, m) => n + m.text.length, 0);
    assert.ok(signalingBytes < 256 * 1024, `signaling carried ${signalingBytes} bytes for a 4 MiB file`);
  } finally {
    await flow.closeAll(a, b);
  }
});

test('a receiver that cancels midway can be sent the file again with Retry', async () => {
  const [a, b] = await roomOf(['Alice', 'Bob']);
  try {
    const src = sourceFile('again.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await incomingBatch(b, 'again.bin').locator('[data-testid=accept-batch]').click();
    await untilReceived(b, 'again.bin', 4 * MiB);
    await incomingBatch(b, 'again.bin').locator('[data-testid=cancel-batch]').click();
    await a.page.waitForSelector('[data-testid=transfer-file][data-path="again.bin"] [data-failed=true]');
    assert.equal(
      await a.page.getAttribute('[data-testid=transfer-file][data-path="again.bin"]', 'data-reason'),
      'cancelled_by_receiver',
    );

    await a.page.click('[data-testid=retry-batch]');
    // A new offer of the same file; accepted, it arrives whole.
    await until(b, () => document.querySelectorAll('[data-testid=transfer-batch][data-direction=in]').length === 2);
    await incomingBatch(b, 'again.bin').locator('[data-testid=accept-batch]').click();
    await expectReceived(b.page, 'again.bin', src.hash);
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await flow.closeAll(a, b);
  }
});

test('a receiver whose storage fills up midway sees a clear reason on both sides and keeps nothing', async () => {
  const [a, b] = await roomOf(['Alice', 'Bob']);
  try {
    // Accepted while there was room; then the receiver's origin may store only 8 MiB (CDP's quota
    // override, as a disk that fills up would). A batch too big from the start is refused before
    // Accept is offered (storage.test.mjs).
    const src = sourceFile('too-big.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await incomingBatch(b, 'too-big.bin').locator('[data-testid=accept-batch]').click();
    await untilReceived(b, 'too-big.bin', 1);
    const cdp = await b.context.newCDPSession(b.page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: suite.service.origin, quotaSize: 8 * MiB });
    for (const p of [a, b]) {
      await p.page.waitForSelector('[data-testid=transfer-file][data-path="too-big.bin"] [data-failed=true]');
      assert.equal(
        await p.page.getAttribute('[data-testid=transfer-file][data-path="too-big.bin"]', 'data-reason'),
        'storage_full',
      );
    }
    await until(b, async () => (await __cieloweb.engine.snapshot()).liveObjects === 0);
    assert.deepEqual(await resumeRecords(b.page), []);
    await eventually(
      async () => (await opfsEntries(b.page)).every((e) => !e.includes('too-big.bin')),
      'no part of too-big.bin left in OPFS',
    );
  } finally {
    await flow.closeAll(a, b);
  }
});

test('where workers are not available, the engine runs in the page and files still arrive intact', async () => {
  const a = await flow.newPeer(suite.browser, 'Alice');
  const b = await flow.newPeer(suite.browser, 'Bob');
  try {
    for (const p of [a, b]) await p.context.addInitScript(() => delete window.Worker);
    const url = await flow.createRoom(a, suite.service.origin);
    await flow.joinRoom(b, url);
    await flow.waitReadyForFiles(a, b);
    for (const p of [a, b]) assert.equal(await p.page.evaluate(() => __cieloweb.engine.inWorker), undefined);
    const src = sourceFile('in-page.bin', 3 * MiB + 5);
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await incomingBatch(b, 'in-page.bin').locator('[data-testid=accept-batch]').click();
    await expectReceived(b.page, 'in-page.bin', src.hash);
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await flow.closeAll(a, b);
  }
});
