// The people of the transfer benches: Chromium with a persistent profile (OPFS then lives on disk
// with a disk-sized quota; a fresh Playwright context is incognito-like, with a small quota), in a
// room of the real app, served by the real server. Receivers accept every batch at once (the figure
// is the transfer, not a click) and are watched from inside their transfer worker, so watching costs
// their pages' main threads nothing (the long-task figures are the app's alone).
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../tests/browser/chromium.mjs';
import { preparePeer } from '../../tests/browser/room_flow.mjs';
import { watchProgress } from './rounds.mjs';

const MB = 1e6;

// Long tasks are recorded from the start, and so are long animation frames, which say what ran in
// them (page_health.mjs logs each long task with its frame's scripts).
function recordLongTasks() {
  globalThis.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) globalThis.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });
  globalThis.__longFrames = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration <= 50) continue;
      const scripts = e.scripts.map(
        (x) => `${x.invoker} ${x.sourceURL.split('/').pop()}:${x.sourceCharPosition} ${Math.round(x.duration)} ms`,
      );
      globalThis.__longFrames.push({ start: e.startTime, end: e.startTime + e.duration, scripts });
    }
  }).observe({ type: 'long-animation-frame' });
}

// A Chromium process of its own, with its profile in `profile` (and `extraArgs` on its command line).
export async function launchBrowser(profile, extraArgs = []) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  await context.addInitScript(recordLongTasks);
  return context;
}

// The first tab of a browser, as a person called `name`.
export async function firstTab(context, name) {
  return preparePeer(context, name);
}

// Another tab of the same browser (same process, same profile) as another person: the display
// name is remembered per profile, so the new one is set just before the tab opens (the first
// tab read its own when it entered the room).
export async function anotherTab(context, first, name) {
  await first.page.evaluate((n) => localStorage.setItem('cieloweb.name', n), name);
  const page = await context.newPage();
  const errors = [];
  const logs = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  return { name, context, page, errors, logs };
}

// The peer's transfer worker (web/src/transfer/transfer_worker.js).
export async function transferWorker(peer) {
  for (let tries = 0; tries < 100; tries += 1) {
    const worker = peer.page.workers().find((w) => /transfer_worker/.test(w.url()));
    if (worker && (await worker.evaluate(() => Boolean(globalThis.__cielowebWorker)))) return worker;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${peer.name}: no transfer worker`);
}

// The receiver accepts every batch at once and notes when each file is complete, inside its worker.
export async function autoAccept(peer) {
  peer.worker = await transferWorker(peer);
  await peer.worker.evaluate(() => {
    const { engine } = globalThis.__cielowebWorker;
    engine.addEventListener('batch-offered', (e) => engine.accept(e.detail.batchId));
    globalThis.__done = new Map();
    engine.addEventListener(
      'file-complete',
      (e) => e.detail.direction === 'in' && __done.set(e.detail.path, { at: Date.now(), hash: e.detail.rootHex }),
    );
    engine.addEventListener('file-failed', (e) => __done.set(e.detail.path, { failed: e.detail.reason }));
  });
}

// Sends `file` from `sender` (its file input: to everyone in the room) and waits until every one of
// `receivers` has it verified. Resolves to {rates: MB/s per receiver, hashes}; a receiver's rate
// runs from the sender's start to its last byte. No progress for `stallMs` fails, in one line.
export async function sendThroughApp(sender, receivers, file, size, { stallMs }) {
  const name = path.basename(file);
  for (const r of receivers) await r.worker.evaluate((n) => __done.delete(n), name); // the same file again
  const start = Date.now();
  await sender.page.setInputFiles('[data-testid=room-file-input]', file);
  const states = await watchProgress({
    progress: () =>
      Promise.all(
        receivers.map((r) =>
          r.worker.evaluate(
            (n) => ({
              done: __done.get(n) ?? null,
              bytes: __cielowebWorker.engine.snapshot().incoming.reduce((sum, i) => sum + (i.bytes ?? 0), 0),
            }),
            name,
          ),
        ),
      ),
    done: (all) => {
      const failed = all.find((s) => s.done?.failed);
      if (failed) throw new Error(`${name}: ${failed.done.failed}`);
      return all.every((s) => s.done);
    },
    stallMs,
    what: `the app, ${name}`,
  });
  // Then each receiver clears what it received, as a person does once the file is saved. Kept,
  // every round would write into page cache the kernel never used before, which on these VMs costs
  // 10-14 ms/MiB against 0.4 for reused pages (docs/performance.md): later rounds would measure the
  // host, not the app, and each round a different machine state.
  for (const r of receivers) await r.worker.evaluate(() => __cielowebWorker.engine.clearReceived());
  return {
    rates: states.map((s) => size / MB / ((s.done.at - start) / 1000)),
    hashes: states.map((s) => s.done.hash),
  };
}

// How many blocks the sender read for the latest file called `name`: a fan-out reads each once.
export async function blocksReadFor(sender, name) {
  const worker = await transferWorker(sender);
  return worker.evaluate((n) => {
    const files = __cielowebWorker.engine.snapshot().outgoing.filter((f) => f.path === n);
    return files.at(-1)?.blocksRead ?? -1;
  }, name);
}

// The WASM memory of a peer's transfer worker, in MiB. It only grows, so this is the most its core
// ever held (32 MiB at start; the Sender's cache is bounded by the memory it holds, text or random).
export async function wasmMemoryMiB(peer) {
  const worker = await transferWorker(peer);
  return (await worker.evaluate(() => __cielowebWorker.engine.snapshot().wasmMemoryBytes)) / (1024 * 1024);
}
