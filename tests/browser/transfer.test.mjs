// File transfers between real Chromium pages over real WebRTC data channels, against the real
// server (which serves the WASM core): sizes from 1 byte to 64 MiB, a folder of 20 files to two
// receivers, a cut connection and a reloaded receiver that resume with only the missing blocks, a
// decline and a cancel that leave both sides clean. Every received file is hashed back from OPFS
// in the page and compared with b3sum of the source.
//
// The peers are wired by web/test-pages/engine.html (the engine and its panel over a
// RTCPeerConnection whose offer/answer this test carries), served from the source tree: the room
// UI has its own tests, this file tests the transfer half through its seams (PeerLink in, panel
// and engine out).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { projectRoot, startService } from './service.mjs';

const MiB = 1024 * 1024;
let service;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-transfer-'));
  service = await startService();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function b3sum(file) {
  return execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim();
}

function sourceFile(relative, size) {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, size > 0 ? randomBytes(size) : Buffer.alloc(0));
  return { file, hash: b3sum(file), size };
}

// A page of its own browser context (its own OPFS and IndexedDB, like another person's browser).
async function openPeer(context) {
  context ??= await browser.newContext();
  await context.route(/\/(test-pages|src)\//, (route) => {
    const p = new URL(route.request().url()).pathname;
    route.fulfill({
      body: readFileSync(path.join(projectRoot, 'web', p)),
      contentType: p.endsWith('.js') ? 'text/javascript' : 'text/html',
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${service.origin}/test-pages/engine.html`);
  await page.waitForSelector('body[data-engine-ready=true]', { timeout: 20000 });
  return { context, page, errors };
}

// a knows b as idB/nameB, b knows a as idA/nameA.
async function connect(a, idA, nameA, b, idB, nameB) {
  const offer = await a.page.evaluate(([id, name]) => __cieloweb.page.offer(id, name), [idB, nameB]);
  const answer = await b.page.evaluate(([id, name, o]) => __cieloweb.page.answer(id, name, o), [idA, nameA, offer]);
  await a.page.evaluate(([id, x]) => __cieloweb.page.finish(id, x), [idB, answer]);
  await a.page.waitForFunction((id) => __cieloweb.engine.peers.get(id)?.attached, idB);
  await b.page.waitForFunction((id) => __cieloweb.engine.peers.get(id)?.attached, idA);
}

const fileRow = (p) => `[data-testid=file-hash][data-path="${p}"]`;

// The received file read back from OPFS through its Save link, hashed in the page by the core.
async function savedHash(page, p) {
  return page.evaluate(async (p) => {
    const link = document.querySelector(`[data-testid=save-link][data-path="${p}"]`);
    const hasher = new __cieloweb.engine.core.Blake3Hasher();
    const reader = (await fetch(link.href)).body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) hasher.update(r.value);
    const hex = hasher.finalizeHex();
    hasher.delete();
    return hex;
  }, p);
}

async function expectReceived(page, p, hash) {
  await page.waitForSelector(fileRow(p), { timeout: 120000 });
  assert.equal(await page.textContent(fileRow(p)), hash, `shown hash of ${p}`);
  assert.equal(await savedHash(page, p), hash, `bytes saved in OPFS for ${p}`);
}

const snapshot = (peer) => peer.page.evaluate(() => __cieloweb.engine.snapshot());
const receivedOf = (peer, p) => peer.page.evaluate((p) => __cieloweb.engine.snapshot().incoming.find((i) => i.path === p), p);

async function opfsEntries(page) {
  return page.evaluate(async () => {
    const names = [];
    async function walk(d, prefix) {
      for await (const [name, h] of d.entries()) {
        names.push(prefix + name);
        if (h.kind === 'directory') await walk(h, `${prefix}${name}/`);
      }
    }
    await walk(await navigator.storage.getDirectory(), '');
    return names;
  });
}

test('1 byte, 1 MiB and 64 MiB arrive intact (shown BLAKE3 and bytes in OPFS equal b3sum)', async () => {
  const a = await openPeer();
  const b = await openPeer();
  try {
    await connect(a, 'A', 'Alice', b, 'B', 'Bob');
    for (const [name, size] of [['one.bin', 1], ['mib.bin', MiB], ['big.bin', 64 * MiB]]) {
      const src = sourceFile(name, size);
      await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
      const offer = b.page.locator('[data-testid=transfer-batch][data-direction=in]').filter({ hasText: name });
      await offer.locator('[data-testid=accept-batch]').click();
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
    await a.context.close();
    await b.context.close();
  }
});

test('a folder of 20 files goes to two receivers at once, paths kept', async () => {
  const [a, b, c] = [await openPeer(), await openPeer(), await openPeer()];
  try {
    await connect(a, 'A', 'Alice', b, 'B', 'Bob');
    await connect(a, 'A', 'Alice', c, 'C', 'Carol');
    const folder = path.join(dir, 'album');
    const files = [];
    for (let i = 0; i < 20; i += 1) {
      const rel = `album/${i % 3 === 0 ? 'sub/' : ''}f${i}.bin`;
      files.push({ rel, ...sourceFile(rel, 1000 + i * 37 * 1024) });
    }
    await a.page.setInputFiles('[data-testid=room-folder-input]', folder);
    for (const r of [b, c]) {
      const offer = r.page.locator('[data-testid=transfer-batch][data-direction=in]');
      await offer.filter({ hasText: '20' }).locator('[data-testid=accept-batch]').click();
    }
    for (const r of [b, c]) for (const f of files) await expectReceived(r.page, f.rel, f.hash);
    // One Sender per file served both peers: each file was read once.
    const out = (await snapshot(a)).outgoing;
    assert.equal(out.length, 20);
    for (const f of out) assert.deepEqual(Object.keys(f.peers).sort(), ['B', 'C']);
    const entries = await opfsEntries(b.page);
    assert.ok(entries.some((e) => e.endsWith('/album/sub/f0.bin')), entries.join(' '));
    assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
  } finally {
    for (const p of [a, b, c]) await p.context.close();
  }
});

test('a cut connection resumes and re-sends only the missing blocks', async () => {
  const a = await openPeer();
  const b = await openPeer();
  try {
    await connect(a, 'A', 'Alice', b, 'B', 'Bob');
    const src = sourceFile('cut.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await b.page.click('[data-testid=accept-batch]');
    await b.page.waitForFunction(() => __cieloweb.engine.snapshot().incoming[0]?.bytes >= 12 * 1024 * 1024, null, { timeout: 60000, polling: 20 });
    await a.page.evaluate(() => __cieloweb.page.cut('B')); // pc.close() on the sender's side
    await b.page.waitForFunction(() => !__cieloweb.engine.peers.get('A').attached);
    const atCut = await receivedOf(b, 'cut.bin');
    assert.ok(atCut.bytes < 64 * MiB, 'cut before the end');
    await connect(a, 'A', 'Alice', b, 'B', 'Bob');
    await expectReceived(b.page, 'cut.bin', src.hash);
    const done = await receivedOf(b, 'cut.bin');
    // Every block was received (verified and written) exactly once, before or after the cut.
    assert.equal(done.blocksReceived, 64);
    assert.ok(done.blocksResent <= 2, `blocks resent: ${done.blocksResent}`);
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a receiver that reloads resumes from what it saved in OPFS', async () => {
  const a = await openPeer();
  const b = await openPeer();
  try {
    await connect(a, 'A', 'Alice', b, 'B', 'Bob');
    const src = sourceFile('reload.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', src.file);
    await b.page.click('[data-testid=accept-batch]');
    // Two 16 MiB segments committed (so the saved state covers at least 32 blocks).
    await b.page.waitForFunction(() => __cieloweb.engine.snapshot().incoming[0]?.bytes >= 36 * 1024 * 1024, null, { timeout: 60000, polling: 20 });
    await b.page.reload();
    await b.page.waitForSelector('body[data-engine-ready=true]');
    await a.page.waitForFunction(() => !__cieloweb.engine.peers.get('B').attached);
    // The reloaded tab comes back as a new peer id with the same name (as the room does).
    await connect(a, 'A', 'Alice', b, 'B2', 'Bob');
    await expectReceived(b.page, 'reload.bin', src.hash);
    const done = await receivedOf(b, 'reload.bin');
    assert.ok(done.resumedBlocks >= 32, `resumed from ${done.resumedBlocks} saved blocks`);
    assert.equal(done.blocksReceived + done.resumedBlocks, 64, 'only the missing blocks came again');
    assert.deepEqual(a.errors, []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a decline and a cancel leave both sides clean', async () => {
  const a = await openPeer();
  const b = await openPeer();
  try {
    await connect(a, 'A', 'Alice', b, 'B', 'Bob');
    const small = sourceFile('declined.bin', 3 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', small.file);
    await b.page.click('[data-testid=decline-batch]');
    await a.page.waitForSelector('[data-testid=transfer-file][data-path="declined.bin"] [data-failed=true]');
    assert.match(await a.page.textContent('[data-testid=transfer-file][data-path="declined.bin"]'), /declined/i);

    const big = sourceFile('cancelled.bin', 64 * MiB);
    await a.page.setInputFiles('[data-testid=room-file-input]', big.file);
    await b.page.locator('[data-testid=transfer-batch]').filter({ hasText: 'cancelled.bin' }).locator('[data-testid=accept-batch]').click();
    await b.page.waitForFunction(() => __cieloweb.engine.snapshot().incoming.some((i) => i.path === 'cancelled.bin' && i.bytes >= 4 * 1024 * 1024), null, { timeout: 60000, polling: 20 });
    await a.page.locator('[data-testid=transfer-batch]').filter({ hasText: 'cancelled.bin' }).locator('[data-testid=cancel-batch]').click();
    await b.page.waitForSelector('[data-testid=transfer-file][data-path="cancelled.bin"] [data-failed=true]');
    assert.match(await b.page.textContent('[data-testid=transfer-file][data-path="cancelled.bin"]'), /cancelled by the sender/);
    await b.page.waitForFunction(() => __cieloweb.engine.snapshot().liveObjects === 0);
    await a.page.waitForFunction(() => __cieloweb.engine.snapshot().liveObjects === 0);
    // Nothing left behind: no partial file, no resume record.
    await b.page.waitForFunction(async () => {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle('cieloweb-received', { create: true });
      for await (const entry of top.keys()) return !entry;
      return true;
    });
    const records = await b.page.evaluate(async () => (await import('/src/transfer/resume_store.js')).resumeStore.all());
    assert.deepEqual(records, []);
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
