// The first page in real Chromium against the real server: pick or drop a file, see its BLAKE3
// (equal to b3sum), its size and the hashing speed; the language switch works.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import { startService } from './service.mjs';

let service;
let browser;
let dir;

function randomFile(name, size, seed) {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return { file, bytes, hash: execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim() };
}

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-page-'));
  service = await startService();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function openPage(locale = 'en-US') {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${service.origin}/`);
  await page.waitForSelector('[data-testid=drop-zone]');
  return { context, page, errors };
}

test('page: a picked 64 MiB + 7 file shows its b3sum hash, size and speed', async () => {
  const { context, page, errors } = await openPage();
  try {
    const { file, hash } = randomFile('big.bin', 64 * 1024 * 1024 + 7, 7);
    await page.setInputFiles('[data-testid=file-input]', file);
    await page.waitForFunction(
      () => /^[0-9a-f]{64}$/.test(document.querySelector('[data-testid=file-hash]').textContent),
      null,
      { timeout: 60000 },
    );
    assert.equal(await page.textContent('[data-testid=file-hash]'), hash);
    assert.equal(await page.textContent('[data-testid=file-name]'), 'big.bin');
    assert.match(await page.textContent('[data-testid=file-size]'), /64 MiB \(67,108,871 B\)/);
    assert.match(await page.textContent('[data-testid=hash-speed]'), /^\d[\d,]* MB\/s$/);
    // The core came with the first file (never before it) and says which build it is.
    await page.waitForSelector('body[data-engine-ready="true"]', { state: 'attached', timeout: 20000 });
    assert.match(await page.textContent('[data-testid=engine]'), /simd128/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('page: a dropped file of 1025 bytes and an empty file hash like b3sum', async () => {
  const { context, page, errors } = await openPage();
  try {
    for (const size of [1025, 0]) {
      const { bytes, hash } = randomFile(`drop-${size}.bin`, size, size + 1);
      // A real drop event carrying a File, as the browser builds it from a drag.
      await page.evaluate(
        ({ data, name }) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(data)], name));
          const zone = document.querySelector('[data-testid=drop-zone]');
          zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        },
        { data: [...bytes], name: `drop-${size}.bin` },
      );
      await page.waitForFunction(
        (expected) => document.querySelector('[data-testid=file-hash]').textContent === expected,
        hash,
        {
          timeout: 20000,
        },
      );
      assert.equal(await page.textContent('[data-testid=file-name]'), `drop-${size}.bin`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('page: speaks Dutch to a Dutch browser and switches to English on request', async () => {
  const { context, page } = await openPage('nl-NL');
  try {
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');
    assert.match(await page.textContent('[data-i18n=pick]'), /Kies een bestand/);
    await page.selectOption('[data-testid=language]', 'en');
    assert.match(await page.textContent('[data-i18n=pick]'), /Choose a file/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  } finally {
    await context.close();
  }
});
