// Between browsers: a sender in Chromium and a receiver in Firefox ESR (puppeteer-core over WebDriver
// BiDi), in one room of the real app, side by side in this run with a bare RTCDataChannel between
// the same two pages (bench/lib/raw_channel.mjs: the physical limit between these two browsers).
//   firefox_raw_channel_MBps      the bare channel, Chromium to Firefox, best of the rounds
//   firefox_transfer_random_MBps  the app, 128 MiB of random bytes, verified, to Firefox's OPFS, best
//   firefox_transfer_over_raw     their ratio; ..._median_round the median of each round's own ratio
// Rounds interleave bare and app runs as in transfer_browser.mjs, after an unrecorded warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchFirefox } from '../../tests/browser/firefox.mjs';
import { createRoom, waitEngineAttached } from '../../tests/browser/room_flow.mjs';
import { startService } from '../../tests/browser/service.mjs';
import { firstTab, launchBrowser } from '../lib/app_peers.mjs';
import { writeRandom } from '../lib/bench_files.mjs';
import { closeRaw, connectRaw, rawRates } from '../lib/raw_channel.mjs';
import { median, tryTwice, watchProgress } from '../lib/rounds.mjs';

const MiB = 1024 * 1024;
const MB = 1e6;
const SIZE = 128 * MiB;
const WARM_UP = 16 * MiB;
const ROUNDS = Number(process.env.CIELO_BENCH_FIREFOX_ROUNDS || 3);
const STALL_MS = 60000;

// Firefox joins the room and accepts every batch at once, noting in its page when each file is
// verified (the engine's events reach the page from its worker).
async function joinFirefox(firefox, origin, url) {
  const page = await firefox.newPage();
  await page.goto(`${origin}/privacy`);
  await page.evaluate(() => localStorage.setItem('cieloweb.name', 'Receiver'));
  await page.goto(url);
  await page.waitForSelector('body[data-room=joined]');
  await page.waitForFunction(() => [...(__cieloweb.engine?.peers.values() ?? [])].some((p) => p.attached), {
    timeout: 30000,
  });
  await page.evaluate(() => {
    const { engine } = __cieloweb;
    globalThis.__done = new Map();
    engine.addEventListener('batch-offered', (e) => engine.accept(e.detail.batchId));
    engine.addEventListener('file-complete', (e) => {
      if (e.detail.direction === 'in') __done.set(e.detail.path, { at: Date.now(), hash: e.detail.rootHex });
    });
    engine.addEventListener('file-failed', (e) => __done.set(e.detail.path, { failed: e.detail.reason }));
  });
  return { name: 'Receiver', page };
}

// The app: `file` from Chromium until Firefox verified it; MB/s from the sender's start to the end.
async function sendToFirefox(sender, receiver, file, size) {
  const name = path.basename(file);
  await receiver.page.evaluate((n) => __done.delete(n), name);
  const start = Date.now();
  await sender.page.setInputFiles('[data-testid=room-file-input]', file);
  const state = await watchProgress({
    progress: async () => ({
      done: await receiver.page.evaluate((n) => __done.get(n) ?? null, name),
      bytes: (await receiver.page.evaluate(() => __cieloweb.engine.snapshot())).incoming.reduce(
        (sum, i) => sum + (i.bytes ?? 0),
        0,
      ),
    }),
    done: (s) => {
      if (s.done?.failed) throw new Error(`${name}: ${s.done.failed}`);
      return Boolean(s.done);
    },
    stallMs: STALL_MS,
    what: `the app to Firefox, ${name}`,
  });
  await receiver.page.evaluate(() => __cieloweb.engine.clearReceived());
  return size / MB / ((state.done.at - start) / 1000);
}

export async function run({ log }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bench-firefox-'));
  const service = await startService();
  let firefox = null;
  let chromium = null;
  try {
    const random = path.join(dir, 'random.bin');
    const warm = path.join(dir, 'warm.bin');
    writeRandom(random, SIZE);
    writeRandom(warm, WARM_UP);
    chromium = await launchBrowser(path.join(dir, 'sender-profile'));
    firefox = await launchFirefox();
    const sender = await firstTab(chromium, 'Sender');
    const url = await createRoom(sender, service.origin);
    const receiver = await joinFirefox(firefox, service.origin, url);
    await waitEngineAttached(sender, 'Receiver');
    await connectRaw(sender, receiver, 'raw');

    const bare = (bytes) => async () =>
      (await rawRates(sender, [{ peer: receiver, label: 'raw' }], bytes, { stallMs: STALL_MS }))[0];
    const app = (file, bytes) => () => sendToFirefox(sender, receiver, file, bytes);
    await tryTwice('warm-up, bare channel', bare(WARM_UP), { log });
    await tryTwice('warm-up, app', app(warm, WARM_UP), { log });
    const best = { raw: 0, app: 0 };
    const ratios = [];
    let rawBefore = await tryTwice('round 1, bare channel', bare(SIZE), { log });
    for (let round = 1; round <= ROUNDS; round += 1) {
      const appRate = await tryTwice(`round ${round}, app`, app(random, SIZE), { log });
      const rawAfter = await tryTwice(`round ${round + 1}, bare channel`, bare(SIZE), { log });
      const raws = [rawBefore, rawAfter].filter((x) => x !== null);
      const rawMean = raws.length ? raws.reduce((s, x) => s + x, 0) / raws.length : null;
      const show = (x) => (x === null ? 'failed' : x.toFixed(1));
      log(
        `Chromium to Firefox, round ${round}: bare channel ${show(rawBefore)} / ${show(rawAfter)}, app ${show(appRate)} MB/s${rawMean && appRate ? ` (${(appRate / rawMean).toFixed(3)}x)` : ''}`,
      );
      if (rawMean !== null && appRate !== null) ratios.push(appRate / rawMean);
      best.raw = Math.max(best.raw, rawBefore ?? 0);
      best.app = Math.max(best.app, appRate ?? 0);
      rawBefore = rawAfter;
    }
    await closeRaw([sender, receiver]);
    return {
      firefox_raw_channel_MBps: best.raw || null,
      firefox_transfer_random_MBps: best.app || null,
      firefox_transfer_over_raw: best.raw && best.app ? best.app / best.raw : null,
      firefox_transfer_over_raw_median_round: median(ratios),
    };
  } finally {
    await chromium?.close().catch(() => {});
    await firefox?.close().catch(() => {});
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
