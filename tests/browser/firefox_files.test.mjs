// Files between browsers: a person in Chromium (Playwright) and one in Firefox ESR (puppeteer-core
// over WebDriver BiDi) in one room of the real app. The same safety code, chat both ways, random
// data, text and a folder from Chromium to Firefox, files from Firefox to Chromium, and a cut
// connection resumed with only the missing blocks. Every received file is checked byte for byte:
// in Chromium through its Save link and b3sum, in Firefox by hashing the Save link's bytes in the
// page against the source's SHA-256.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { launchFirefox } from './firefox.mjs';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import * as steps from './transfer_steps.mjs';

const MiB = 1024 * 1024;
const suite = roomSuite('cieloweb-firefox-files-');

function sourceFile(relative, bytes) {
  const file = path.join(suite.dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return { file, rel: relative, b3: steps.b3sum(file), sha256: createHash('sha256').update(bytes).digest('hex') };
}

function textOf(size) {
  const line = 'CieloWeb Share moves files peer to peer; text like this compresses well. ';
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size));
}

// Firefox: polls `fn(arg)` in the page until it returns something truthy.
async function untilIn(page, fn, arg, what, timeout = 60000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Firefox: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Firefox accepts the incoming batch whose text contains `text` (a real click on its Accept).
async function acceptInFirefox(page, text) {
  // 1 + the index of the batch (0: not there yet), so that the first batch counts as found.
  const position = (t) =>
    1 +
    [...document.querySelectorAll('[data-testid=transfer-batch][data-direction=in]')].findIndex(
      (b) => b.textContent.includes(t) && b.querySelector('[data-testid=accept-batch]:not([hidden])'),
    );
  const index = (await untilIn(page, position, text, `the offer of ${text}`)) - 1;
  const batches = await page.$$('[data-testid=transfer-batch][data-direction=in]');
  await (await batches[index].$('[data-testid=accept-batch]')).click();
}

// Firefox: the verified hash it shows for `rel`, and the SHA-256 of the bytes it stored in its
// private storage (OPFS: the file itself, or its segments `rel.part0`, `rel.part1`, ... in order,
// which is what its Save link hands out; the page's CSP keeps fetch() away from blob: URLs).
async function receivedInFirefox(page, rel) {
  return untilIn(
    page,
    async (p) => {
      const shown = document.querySelector(`[data-testid=file-hash][data-path="${p}"]`);
      if (!shown || !document.querySelector(`[data-testid=save-link][data-path="${p}"]`)) return null;
      const parts = [];
      async function walk(dir, prefix) {
        for await (const [name, handle] of dir.entries()) {
          const full = prefix + name;
          if (handle.kind === 'directory') await walk(handle, `${full}/`);
          else {
            const m = full.match(/^(.*?)(?:\.part(\d+))?$/);
            if (m[1] === p || m[1].endsWith(`/${p}`))
              parts.push({ index: Number(m[2] ?? 0), file: await handle.getFile() });
          }
        }
      }
      await walk(await navigator.storage.getDirectory(), '');
      parts.sort((a, b) => a.index - b.index);
      const bytes = await new Blob(parts.map((x) => x.file)).arrayBuffer();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return { b3: shown.textContent, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
    },
    rel,
    `${rel} to arrive`,
    120000,
  );
}

const snapshotIn = (page) => page.evaluate(() => __cieloweb.engine.snapshot());

test('Chromium and Firefox: safety code, chat, files and a folder both ways, a cut resumed', async () => {
  const firefox = await launchFirefox();
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const fiona = await firefox.newPage();
  const fionaErrors = [];
  fiona.on('pageerror', (e) => fionaErrors.push(e.message));
  try {
    await flow.keepConnections(alice);
    const url = await flow.createRoom(alice, suite.service.origin);
    await fiona.goto(`${suite.service.origin}/privacy`); // her name, remembered in this origin's storage
    await fiona.evaluate(() => localStorage.setItem('cieloweb.name', 'Fiona'));
    await fiona.goto(url);
    await fiona.waitForSelector('body[data-room=joined]');
    await flow.waitEngineAttached(alice, 'Fiona');
    await untilIn(fiona, () => [...__cieloweb.engine.peers.values()].some((p) => p.attached), null, 'her engine');
    const codeA = await flow.peerItem(alice.page, 'Fiona').locator('[data-testid=peer-safety-code]').textContent();
    const codeF = await fiona.$eval('[data-testid=peer-safety-code]', (e) => e.textContent);
    assert.equal(codeA, codeF, 'the same safety code in both browsers');
    // Firefox, too, moves the transfer channel to the engine's worker (no byte on its main thread).
    assert.equal(await fiona.evaluate(() => __cieloweb.engine.inWorker === true), true);

    // Chat both ways.
    await flow.sendChat(alice, 'hello Firefox');
    await untilIn(fiona, () => document.body.textContent.includes('hello Firefox'), null, 'the chat');
    await fiona.type('[data-testid=chat-input]', 'hello Chromium');
    await fiona.keyboard.press('Enter');
    await alice.page.locator('[data-testid=chat-message]', { hasText: 'hello Chromium' }).waitFor();

    // Chromium to Firefox: random data and text in one batch, then a folder.
    const random = sourceFile('to-firefox/random.bin', randomBytes(6 * MiB + 5));
    const text = sourceFile('to-firefox/notes.txt', textOf(4 * MiB));
    await alice.page.setInputFiles('[data-testid=room-file-input]', [random.file, text.file]);
    await acceptInFirefox(fiona, 'random.bin');
    for (const f of [random, text]) {
      const got = await receivedInFirefox(fiona, path.basename(f.rel));
      assert.deepEqual(got, { b3: f.b3, sha256: f.sha256 }, path.basename(f.rel));
    }
    const folder = [0, 1, 2, 3, 4].map((i) =>
      sourceFile(`trip/${i % 2 ? 'day2/' : ''}photo${i}.bin`, randomBytes(200 * 1024 + i)),
    );
    await alice.page.setInputFiles('[data-testid=room-folder-input]', path.join(suite.dir, 'trip'));
    await acceptInFirefox(fiona, 'photo0.bin');
    for (const f of folder)
      assert.deepEqual(await receivedInFirefox(fiona, f.rel), { b3: f.b3, sha256: f.sha256 }, f.rel);

    // Firefox to Chromium: random data and text, through her file input.
    const back = sourceFile('to-chromium/back.bin', randomBytes(3 * MiB + 1));
    const backText = sourceFile('to-chromium/back.txt', textOf(2 * MiB));
    const input = await fiona.$('[data-testid=room-file-input]');
    await input.uploadFile(back.file, backText.file);
    await steps.incomingBatch(alice, 'back.bin').locator('[data-testid=accept-batch]').click();
    for (const f of [back, backText]) {
      const name = path.basename(f.rel);
      await alice.page.waitForSelector(`[data-testid=file-hash][data-path="${name}"]`, { timeout: 60000 });
      assert.equal(await steps.savedHash(alice.page, name, suite.dir), f.b3, name);
    }

    // A cut: Chromium's connection closes mid-file; a new one is negotiated with Firefox and only
    // the missing blocks are sent again.
    const big = sourceFile('cut/long.bin', randomBytes(48 * MiB));
    await alice.page.setInputFiles('[data-testid=room-file-input]', big.file);
    await acceptInFirefox(fiona, 'long.bin');
    const received = () => snapshotIn(fiona).then((s) => s.incoming.find((i) => i.path === 'long.bin')?.bytes ?? 0);
    await steps.eventually(async () => (await received()) >= 10 * MiB, 'the first 10 MiB in Firefox', 60000);
    await alice.page.evaluate(() => window.testConnections[0].close());
    assert.ok((await received()) < 48 * MiB, 'cut before the end');
    await alice.page.waitForFunction(() => window.testConnections.length === 2, null, { timeout: 30000 });
    assert.deepEqual(await receivedInFirefox(fiona, 'long.bin'), { b3: big.b3, sha256: big.sha256 });
    const done = (await snapshotIn(fiona)).incoming.find((i) => i.path === 'long.bin');
    assert.equal(done.blocksReceived, 48);
    assert.ok(done.blocksResent <= 2, `blocks resent: ${done.blocksResent}`);
    assert.deepEqual([...alice.errors, ...fionaErrors], []);
  } finally {
    await alice.context.close();
    await fiona.close().catch(() => {});
    await firefox.close();
  }
});
