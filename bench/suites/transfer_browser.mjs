// The app's transfers against the bare data channel, side by side in one run: two Chromium
// processes (sender and receiver), the real server serving the WASM core, WebRTC between them.
//   raw_channel_MBps        best case: 64 KiB messages on a bare RTCDataChannel paced by
//                           bufferedAmount (4 MiB high / 1 MiB low), nothing read, hashed or stored
//   transfer_random_MBps    the app, 256 MiB of random bytes from a file, BLAKE3 verified, to OPFS
//   transfer_text_MBps      the app, 256 MiB of JSON log lines (compressible: zstd pays)
//   receiver_mem_growth_MiB peak growth of the receiving browser's renderer processes' resident
//                           memory (VmRSS from /proc, pids from CDP SystemInfo.getProcessInfo)
//                           while receiving 1 GiB; receiver_js_heap_growth_MiB is the JS heap's
//                           (CDP Performance.getMetrics JSHeapUsedSize) for comparison.
// Rates are MB/s (10^6 bytes) from the sender's start to the receiver's last byte (Date.now() on
// both: same machine, same clock). The pages are web/test-pages/engine.html from the source tree.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/browser/chromium.mjs';
import { startService } from '../../tests/browser/service.mjs';

const MiB = 1024 * 1024;
const MB = 1e6;
const SIZE = 256 * MiB;
const BIG = 1024 * MiB;

function writeRandom(file, size) {
  const fd = openSync(file, 'w');
  for (let done = 0; done < size; done += 4 * MiB) writeSync(fd, randomBytes(Math.min(4 * MiB, size - done)));
  closeSync(fd);
}

// JSON log lines like bench/suites/core.mjs's corpus (zstd level 1 shrinks them ~5x).
function writeText(file, size) {
  const levels = ['info', 'warn', 'debug', 'error'];
  const fd = openSync(file, 'w');
  let x = 12345;
  let total = 0;
  for (let i = 0; total < size; i += 1) {
    const lines = [];
    for (let j = 0; j < 4096; j += 1) {
      x = (x * 1103515245 + 12345) >>> 0;
      lines.push(`{"ts":"2026-11-28T12:${String(j % 60).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}.${x % 1000}Z","level":"${levels[x % 4]}","room":"r${x % 977}","peer":"p${(x >>> 8) % 31}","event":"block-verified","block":${(i * 4096 + j) % 4096},"bytes":1048576,"ms":${x % 97}}\n`);
    }
    const chunk = Buffer.from(lines.join(''));
    const n = Math.min(chunk.length, size - total);
    writeSync(fd, chunk, 0, n);
    total += n;
  }
  closeSync(fd);
}

// A persistent profile on disk: OPFS then lives on disk with a disk-sized quota (a fresh
// Playwright context is incognito-like, with a small quota).
async function launchPeer(profile) {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

async function openPeer(context, root, origin) {
  await context.route(/\/(test-pages|src)\//, (route) => {
    const p = new URL(route.request().url()).pathname;
    route.fulfill({ body: readFileSync(path.join(root, 'web', p)), contentType: p.endsWith('.js') ? 'text/javascript' : 'text/html' });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/test-pages/engine.html`);
  await page.waitForSelector('body[data-engine-ready=true]', { timeout: 60000 }).catch((e) => {
    throw new Error(`test page did not start: ${errors.join('; ') || e.message}`);
  });
  // The receiver accepts every batch at once: the figure is the transfer, not a click.
  await page.evaluate(() => {
    const { engine } = globalThis.__cieloweb;
    engine.addEventListener('batch-offered', (e) => engine.accept(e.detail.batchId));
    globalThis.__done = new Map();
    engine.addEventListener('file-complete', (e) => e.detail.direction === 'in' && __done.set(e.detail.path, { at: Date.now(), hash: e.detail.rootHex }));
    engine.addEventListener('file-failed', (e) => __done.set(e.detail.path, { failed: e.detail.reason }));
  });
  return { context, page };
}

async function connect(a, b) {
  const offer = await a.page.evaluate(() => __cieloweb.page.offer('B', 'receiver'));
  const answer = await b.page.evaluate((o) => __cieloweb.page.answer('A', 'sender', o), offer);
  await a.page.evaluate((x) => __cieloweb.page.finish('B', x), answer);
  await a.page.waitForFunction(() => __cieloweb.engine.peers.get('B')?.attached);
  await b.page.waitForFunction(() => __cieloweb.engine.peers.get('A')?.attached);
}

async function rawRate(a, b, bytes) {
  const end = b.page.evaluate((n) => __cieloweb.page.rawReceive('A', n), bytes);
  const start = await a.page.evaluate((n) => __cieloweb.page.rawSend('B', n), bytes);
  return bytes / MB / (((await end) - start) / 1000);
}

// Sends `file` through the app (its file input), returns MB/s and the receiver's verdict.
async function appRate(a, b, file, size, onTick) {
  const name = path.basename(file);
  const start = Date.now();
  await a.page.setInputFiles('[data-testid=room-file-input]', file);
  for (;;) {
    const done = await b.page.evaluate((n) => __done.get(n), name);
    if (done?.failed) throw new Error(`${name}: ${done.failed}`);
    if (done) return { rate: size / MB / ((done.at - start) / 1000), hash: done.hash };
    await onTick?.();
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Resident memory of the receiving browser's renderer processes, and the page's JS heap.
function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function rendererPids(profile) {
  // Debian's Chromium passes --user-data-dir on to its child processes.
  return readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    const args = readProc(p, 'cmdline').split(/[\0 ]/); // children rewrite argv into one string
    return args.includes('--type=renderer') && args.includes(`--user-data-dir=${profile}`);
  });
}

async function memoryProbe(profile, page) {
  const pageCdp = await page.context().newCDPSession(page);
  await pageCdp.send('Performance.enable');
  return async () => {
    let rss = 0;
    for (const pid of rendererPids(profile)) rss += Number(/VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'))?.[1] ?? 0) * 1024;
    const { metrics } = await pageCdp.send('Performance.getMetrics');
    return { rss, heap: metrics.find((m) => m.name === 'JSHeapUsedSize').value };
  };
}

export async function run({ root, log }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bench-transfer-'));
  const service = await startService();
  const senderBrowser = await launchPeer(path.join(dir, 'sender-profile'));
  const receiverBrowser = await launchPeer(path.join(dir, 'receiver-profile'));
  try {
    const a = await openPeer(senderBrowser, root, service.origin);
    const b = await openPeer(receiverBrowser, root, service.origin);
    await connect(a, b);
    const random = path.join(dir, 'random.bin');
    const text = path.join(dir, 'logs.json');
    const big = path.join(dir, 'big.bin');
    writeRandom(random, SIZE);
    writeText(text, SIZE);
    writeRandom(big, BIG);

    // Raw channel before and after our transfers: the machine is shared, so take the better one
    // of two as the anchor, the least disturbed.
    const raw1 = await rawRate(a, b, SIZE);
    log(`raw channel: ${raw1.toFixed(1)} MB/s`);
    const rnd = await appRate(a, b, random, SIZE);
    log(`app, random: ${rnd.rate.toFixed(1)} MB/s`);
    const txt = await appRate(a, b, text, SIZE);
    log(`app, text: ${txt.rate.toFixed(1)} MB/s`);
    const raw2 = await rawRate(a, b, SIZE);
    log(`raw channel again: ${raw2.toFixed(1)} MB/s`);
    const raw = Math.max(raw1, raw2);

    const probe = await memoryProbe(path.join(dir, 'receiver-profile'), b.page);
    const base = await probe();
    if (base.rss === 0) throw new Error('receiving renderer not found in /proc');
    let peak = { ...base };
    const bigRun = await appRate(a, b, big, BIG, async () => {
      const now = await probe();
      peak = { rss: Math.max(peak.rss, now.rss), heap: Math.max(peak.heap, now.heap) };
    });
    const growth = (peak.rss - base.rss) / MiB;
    log(`1 GiB: ${bigRun.rate.toFixed(1)} MB/s, renderer RSS ${(base.rss / MiB).toFixed(0)} -> peak ${(peak.rss / MiB).toFixed(0)} MiB`);
    log(`targets: random/raw ${(rnd.rate / raw).toFixed(2)} (>= 0.9), text/raw ${(txt.rate / raw).toFixed(2)} (>= 2.5), growth ${growth.toFixed(1)} MiB (< 64)`);
    return {
      raw_channel_MBps: raw,
      transfer_random_MBps: rnd.rate,
      transfer_text_MBps: txt.rate,
      transfer_random_over_raw: rnd.rate / raw,
      transfer_text_over_raw: txt.rate / raw,
      transfer_1GiB_MBps: bigRun.rate,
      receiver_mem_growth_MiB: growth,
      receiver_js_heap_growth_MiB: (peak.heap - base.heap) / MiB,
    };
  } finally {
    await senderBrowser.close();
    await receiverBrowser.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
