// The app's transfers against the bare data channel, side by side in one run, in the two ways two
// people meet on one machine: two Chromium processes (sender and receiver), and two tabs of one
// Chromium. Real app, real server, one room per topology.
//   raw_channel_MBps        bare RTCDataChannel between the same two pages (bench/lib/raw_channel.mjs):
//                           the physical limit, printed so a fast machine is visible
//   transfer_random_MBps    the app, 256 MiB of random bytes from a file, BLAKE3 verified, to OPFS
//   transfer_text_MBps      the app, 256 MiB of JSON log lines (compressible: zstd pays)
//   ..._two_tabs            the same between two tabs of one Chromium (raw and random)
//   receiver_mem_growth_MiB peak growth of the receiving browser's renderer processes' resident
//                           memory (VmRSS) while receiving 1 GiB (two processes);
//                           receiver_js_heap_growth_MiB is the page's JS heap after against before
//   bare_vs_bare_best_rounds[_two_tabs]  the bare channel's runs of the same rounds against each
//                           other (two interleaved halves, best over best): how far the best-of-rounds
//                           ratio moves by luck alone
//   sender_wasm_memory_MiB  the sending worker's WASM memory after the rounds (it only grows, so the
//                           most its core held; 32 MiB at start)
//   {sender,receiver}_long_tasks_over_50ms, ..._longest_task_ms: main-thread tasks longer than
//                           50 ms during the 1 GiB transfer
//   raw_channel[_two_tabs]_machine_busy_pct  how busy all the machine's cores were during the bare
//                           runs (median): near 100, the machine has little CPU to spare beside it
//                           (each run also holds up to a second of waiting for its last progress poll)
//   host_steal_pct          the share of this machine's CPU time its host kept for others (steal in
//                           /proc/stat) during the whole run
//   transfer_rounds_failed  rounds (of either topology) that stalled twice and were left out
// Rates are MB/s (10^6 bytes) from the sender's start to the receiver's last byte (Date.now() on
// both: same machine, same clock); raw, random and text are the best of CIELO_BENCH_ROUNDS (5)
// interleaved rounds (the best round of each is the least disturbed one), and ..._median_round is
// the median of each round's own random/raw, against the bare-channel runs just before and after.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRoom, joinRoom, waitReadyForFiles } from '../../tests/browser/room_flow.mjs';
import { startService } from '../../tests/browser/service.mjs';
import { anotherTab, autoAccept, firstTab, launchBrowser, sendThroughApp, wasmMemoryMiB } from '../lib/app_peers.mjs';
import { longTaskCauses, longTasks, memoryProbe, pageNow, resetLongTasks } from '../lib/page_health.mjs';
import { closeRaw, connectRaw, rawRates } from '../lib/raw_channel.mjs';
import { busyPct, cpuTicks, median, oneLine, stealPct, tryTwice } from '../lib/rounds.mjs';
import { writeRandom, writeText } from '../lib/bench_files.mjs';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const BIG = 1024 * MiB;
const WARM_UP = 32 * MiB;
const ROUNDS = Number(process.env.CIELO_BENCH_ROUNDS || 5);
const STALL_MS = 60000; // a transfer without progress this long fails its round

// Sender and receiver in one room, a bare channel between the same two pages, the receiver
// accepting everything. `open` makes the sender's page and a way to make the receiver's (once the
// sender is in the room); close() ends their browsers.
function pair(open) {
  const topology = {
    async start(origin) {
      const { a, openB, close } = await open();
      Object.assign(topology, { sender: a, close, origin });
      const url = await createRoom(a, origin);
      const b = await openB();
      topology.receiver = b;
      await joinRoom(b, url);
      await waitReadyForFiles(a, b);
      await autoAccept(b);
      await connectRaw(a, b, 'raw');
    },
    async restart() {
      await closeRaw([topology.sender, topology.receiver]);
      await topology.close().catch(() => {});
      await topology.start(topology.origin);
    },
  };
  return topology;
}

export const twoProcesses = (dir) =>
  pair(async () => {
    const a = await firstTab(await launchBrowser(path.join(dir, 'sender-profile')), 'Sender');
    const b = await firstTab(await launchBrowser(path.join(dir, 'receiver-profile')), 'Receiver');
    return {
      a,
      openB: async () => b,
      close: async () => {
        await a.context.close();
        await b.context.close();
      },
    };
  });

// `launch.args`: more of Chromium's flags (a lab tool's logging).
export const twoTabs = (dir, launch = {}) =>
  pair(async () => {
    const context = await launchBrowser(path.join(dir, 'tabs-profile'), launch.args);
    const a = await firstTab(context, 'Sender');
    // Opened once the first tab is in the room (it has read its name by then).
    return { a, openB: () => anotherTab(context, a, 'Receiver'), close: () => context.close() };
  });

// Interleaved rounds of raw, random (and text), after an unrecorded warm-up of both (the app's
// first transfer also compiles its worker's code and makes its folders; a new association's
// congestion window starts small). Every app round sits between two bare-channel runs, and its own
// ratio is against their mean: the machine drifts between runs a minute apart, and this cancels
// the part of the drift that is steady. Each best figure is the best of its rounds.
// `contender` is what a round measures against the bare channel: the app (here), or the bare
// channel itself (bench/tools/bare_against_bare.mjs: how the figures fall when both are equal).
export async function rounds(topology, label, files, log, contender = appContender) {
  const best = { raw: 0, random: 0, text: 0 };
  const ratios = [];
  const bareRuns = [];
  let failed = 0;
  // How busy the machine's cores were during each bare run (100 %: all of them, all the time): how
  // little CPU the machine has to spare beside the bare channel for the app's own work.
  const bareBusy = [];
  const measure = async (what, run) => {
    const value = await tryTwice(`${label}, ${what}`, run, { log, recover: () => topology.restart() });
    if (value === null) failed += 1;
    return value;
  };
  const measureBare = async (what, run) => {
    const from = cpuTicks();
    const value = await measure(what, run);
    if (value !== null) bareBusy.push(busyPct(from, cpuTicks()));
    return value;
  };
  const bare = (bytes) => () => bareRun(topology, bytes);
  const app =
    (file, bytes = SIZE) =>
    () =>
      contender(topology, file, bytes);
  await measure('warm-up, bare channel', bare(WARM_UP));
  const name = contender.label;
  await measure(`warm-up, ${name}`, app(files.warmUp, WARM_UP));
  const show = (x) => (x === null ? 'failed' : x.toFixed(1));
  let rawBefore = await measureBare('round 1, bare channel', bare(SIZE));
  for (let round = 1; round <= ROUNDS; round += 1) {
    const roundStart = cpuTicks();
    const random = await measure(`round ${round}, ${name} random`, app(files.random));
    const text = files.text ? await measure(`round ${round}, app text`, app(files.text)) : null;
    const rawAfter = await measureBare(`round ${round + 1}, bare channel`, bare(SIZE));
    const raws = [rawBefore, rawAfter].filter((x) => x !== null);
    const rawMean = raws.length ? raws.reduce((sum, x) => sum + x, 0) / raws.length : null;
    log(
      `${label} round ${round}: bare channel ${show(rawBefore)} / ${show(rawAfter)}, ${name} random ${show(random)}${files.text ? `, app text ${show(text)}` : ''} MB/s${rawMean && random ? ` (${(random / rawMean).toFixed(3)}x)` : ''} (host steal ${stealPct(roundStart, cpuTicks()).toFixed(1)}%)`,
    );
    if (rawMean !== null && random !== null) ratios.push(random / rawMean);
    // The best bare channel is taken over the runs that open a round, as many as the app's runs:
    // the closing run only brackets the last round (one more draw would favour the anchor).
    best.raw = Math.max(best.raw, rawBefore ?? 0);
    if (rawBefore !== null) bareRuns.push(rawBefore);
    best.random = Math.max(best.random, random ?? 0);
    best.text = Math.max(best.text, text ?? 0);
    rawBefore = rawAfter;
  }
  if (rawBefore !== null) bareRuns.push(rawBefore);
  const aa = bareVsBare(bareRuns);
  if (aa !== null) log(`${label}: the bare channel against itself, best of alternate runs: ${aa.toFixed(3)}x`);
  const bareBusyMedian = bareBusy.length ? median(bareBusy) : null;
  if (bareBusyMedian !== null)
    log(`${label}: the machine's cores were ${bareBusy.map((x) => x.toFixed(0)).join(', ')} % busy in the bare runs`);
  return { best, medianRatio: median(ratios), bareVsBare: aa, bareBusy: bareBusyMedian, failed };
}

// One run of `bytes` through the bare channel, or through the app from `file`: MB/s.
const bareRun = async (topology, bytes) =>
  (await rawRates(topology.sender, [{ peer: topology.receiver, label: 'raw' }], bytes, { stallMs: STALL_MS }))[0];
// A contender's label names it in the log.
const appContender = Object.assign(
  async (topology, file, bytes) =>
    (await sendThroughApp(topology.sender, [topology.receiver], file, bytes, { stallMs: STALL_MS })).rates[0],
  { label: 'app' },
);
export const bareContender = Object.assign((topology, _file, bytes) => bareRun(topology, bytes), {
  label: 'second bare channel',
});

// The best-of-rounds figure's own noise: the bare channel against itself, its runs dealt into two
// interleaved halves, the best of one half over the best of the other (the lower of the two ways).
// Two identical contenders land this far apart by luck alone on this machine.
function bareVsBare(runs) {
  if (runs.length < 2) return null;
  const a = Math.max(...runs.filter((_, i) => i % 2 === 0));
  const b = Math.max(...runs.filter((_, i) => i % 2 === 1));
  return Math.min(a, b) / Math.max(a, b);
}

// The receiver's memory and both main threads' long tasks while 1 GiB goes through (two processes).
async function bigTransfer(topology, dir, big, log) {
  const { sender, receiver } = topology;
  const probe = await memoryProbe(path.join(dir, 'receiver-profile'), receiver.page);
  const base = { rss: probe.rss(), heap: await probe.heap() };
  if (base.rss === 0) throw new Error('receiving renderer not found in /proc');
  let peakRss = base.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, probe.rss())), 200);
  await resetLongTasks(sender);
  await resetLongTasks(receiver);
  const since = { a: await pageNow(sender), b: await pageNow(receiver) };
  const steal = cpuTicks();
  const run = await sendThroughApp(sender, [receiver], big, BIG, { stallMs: STALL_MS }).finally(() =>
    clearInterval(sampler),
  );
  const bigSteal = stealPct(steal, cpuTicks());
  const [senderTasks, receiverTasks] = [await longTasks(sender), await longTasks(receiver)];
  const heapAfter = await probe.heap();
  const longest = (tasks) => (tasks.length ? Math.max(...tasks) : 0);
  log(
    `long tasks (> 50 ms) during 1 GiB: sender ${senderTasks.length} (longest ${longest(senderTasks).toFixed(0)} ms), receiver ${receiverTasks.length} (longest ${longest(receiverTasks).toFixed(0)} ms)`,
  );
  for (const cause of await longTaskCauses(sender, since.a)) log(`  sender: ${cause}`);
  for (const cause of await longTaskCauses(receiver, since.b)) log(`  receiver: ${cause}`);
  log(
    `1 GiB: ${run.rates[0].toFixed(1)} MB/s, renderer RSS ${(base.rss / MiB).toFixed(0)} -> peak ${(peakRss / MiB).toFixed(0)} MiB, host steal ${bigSteal.toFixed(1)}%`,
  );
  return {
    transfer_1GiB_MBps: run.rates[0],
    receiver_mem_growth_MiB: (peakRss - base.rss) / MiB,
    receiver_js_heap_growth_MiB: (heapAfter - base.heap) / MiB,
    sender_long_tasks_over_50ms: senderTasks.length,
    sender_longest_task_ms: longest(senderTasks),
    receiver_long_tasks_over_50ms: receiverTasks.length,
    receiver_longest_task_ms: longest(receiverTasks),
  };
}

// Opens a topology, runs `body` on it, closes it; a topology that cannot even open is reported in
// one line and its figures are left out.
export async function withTopology(topology, origin, label, log, body) {
  try {
    await topology.start(origin);
  } catch (error) {
    log(`${label}: could not set up: ${oneLine(error)}`);
    await topology.close?.().catch(() => {});
    return {};
  }
  try {
    return await body();
  } finally {
    await topology.close().catch(() => {});
  }
}

export async function run({ log }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bench-transfer-'));
  const service = await startService();
  const runStart = cpuTicks();
  try {
    const files = {
      random: path.join(dir, 'random.bin'),
      text: path.join(dir, 'logs.json'),
      warmUp: path.join(dir, 'warm-up.bin'),
    };
    const big = path.join(dir, 'big.bin');
    writeRandom(files.random, SIZE);
    writeText(files.text, SIZE);
    writeRandom(files.warmUp, WARM_UP);
    writeRandom(big, BIG);
    const figures = {};
    let failedRounds = 0;

    const processes = twoProcesses(dir);
    Object.assign(
      figures,
      await withTopology(processes, service.origin, 'two processes', log, async () => {
        const r = await rounds(processes, 'two processes', files, log);
        failedRounds += r.failed;
        const out = {
          raw_channel_MBps: r.best.raw,
          transfer_random_MBps: r.best.random,
          transfer_text_MBps: r.best.text,
          transfer_random_over_raw: r.best.random / r.best.raw,
          transfer_text_over_raw: r.best.text / r.best.raw,
          transfer_random_over_raw_median_round: r.medianRatio,
          bare_vs_bare_best_rounds: r.bareVsBare,
          raw_channel_machine_busy_pct: r.bareBusy,
          // An aside: a worker that cannot be asked costs this figure, not the topology's others.
          sender_wasm_memory_MiB: await wasmMemoryMiB(processes.sender).catch(() => null),
        };
        log(`sender's WASM memory after the rounds: ${out.sender_wasm_memory_MiB?.toFixed(0) ?? 'not read'} MiB`);
        const memory = await tryTwice('two processes, 1 GiB', () => bigTransfer(processes, dir, big, log), {
          log,
          recover: () => processes.restart(),
        });
        return { ...out, ...(memory ?? {}) };
      }),
    );

    const tabs = twoTabs(dir);
    Object.assign(
      figures,
      await withTopology(tabs, service.origin, 'two tabs', log, async () => {
        const r = await rounds(tabs, 'two tabs', { random: files.random, warmUp: files.warmUp }, log);
        failedRounds += r.failed;
        return {
          raw_channel_two_tabs_MBps: r.best.raw,
          transfer_random_two_tabs_MBps: r.best.random,
          transfer_random_over_raw_two_tabs: r.best.random / r.best.raw,
          transfer_random_over_raw_median_round_two_tabs: r.medianRatio,
          bare_vs_bare_best_rounds_two_tabs: r.bareVsBare,
          raw_channel_two_tabs_machine_busy_pct: r.bareBusy,
        };
      }),
    );

    const runSteal = stealPct(runStart, cpuTicks());
    log(`host steal: ${runSteal.toFixed(1)}% of the machine's CPU time during the run`);
    return { ...figures, transfer_rounds_failed: failedRounds, host_steal_pct: runSteal };
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
