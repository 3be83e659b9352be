// Where a transfer's time goes (issue 13; docs/performance.md): CPU per MB of every Chromium thread
// (/proc/<pid>/task/*/stat) for the bare channel and for the app, one 256 MiB random transfer each
// after a warm-up, between two processes (or two tabs of one Chromium: TABS=1), plus a JS sampling
// profile of both transfer workers and the receiving worker's heap (PROFILE=0: no profiler, whose
// own cost shows in the CPU figures; TEXT=1: the app sends the text corpus instead of random data).
// Not part of `make bench`: a lab tool.
//   node bench/tools/profile_transfer.mjs   [SIZE_MIB=256 ROUNDS=1 TABS=0 PROFILE=1 TEXT=0 HEAP_MS=300]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRoom, joinRoom, waitReadyForFiles } from '../../tests/browser/room_flow.mjs';
import { startService } from '../../tests/browser/service.mjs';
import { anotherTab, autoAccept, firstTab, launchBrowser, sendThroughApp, transferWorker } from '../lib/app_peers.mjs';
import { writeRandom, writeText } from '../lib/bench_files.mjs';
import { connectRaw, rawRates } from '../lib/raw_channel.mjs';
import { memoryProbe, readProc, threadMsBetween, threadTicks } from '../lib/page_health.mjs';
import { cpuTicks } from '../lib/rounds.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.SIZE_MIB || 256) * MiB;
const TABS = process.env.TABS === '1';
const PROFILE = process.env.PROFILE !== '0';

const HZ = 100;
function diff(before, after, mb, label) {
  const rows = threadMsBetween(before, after);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`  ${label}: total ${(total / mb).toFixed(1)} ms CPU per MB`);
  for (const [key, ms] of rows.slice(0, 12)) console.log(`    ${key}: ${(ms / mb).toFixed(2)} ms/MB`);
}

// Loopback UDP counters (IPv4 and IPv6 summed): datagrams per MB and datagrams the kernel dropped because a socket's
// receive buffer was full (each one an SCTP retransmission and a congestion-window cut).
function udp() {
  const out = {};
  for (const line of readProc('net', 'snmp6').split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name?.startsWith('Udp6')) out[name.slice(4)] = Number(value);
  }
  const lines = readProc('net', 'snmp')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/).map(Number);
  names.forEach((n, i) => {
    if (i > 0) out[n] = (out[n] ?? 0) + values[i];
  });
  return out;
}
function udpDiff(before, after, mb, label) {
  const d = (k) => after[k] - before[k];
  console.log(
    `  ${label} UDP: ${(d('OutDatagrams') / mb).toFixed(0)} datagrams/MB sent, ${d('RcvbufErrors')} dropped (receive buffer full)`,
  );
}

// A JS sampling profile of a page's dedicated worker, through the page's CDP session (non-flat).
async function workerProfiler(page) {
  const cdp = await page.context().newCDPSession(page);
  // Auto-attach reports the page's existing workers at once; the transfer worker is one of them.
  const workers = [];
  cdp.on('Target.attachedToTarget', (e) => workers.push(e));
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && !workers.some((w) => /transfer_worker/.test(w.targetInfo.url)))
    await new Promise((r) => setTimeout(r, 100));
  const worker = workers.find((w) => /transfer_worker/.test(w.targetInfo.url));
  if (!worker) throw new Error('no worker target');
  let id = 0;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== worker.sessionId) return;
    const m = JSON.parse(e.message);
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      id += 1;
      pending.set(id, resolve);
      cdp.send('Target.sendMessageToTarget', {
        sessionId: worker.sessionId,
        message: JSON.stringify({ id, method, params }),
      });
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 500 });
  return {
    heap: async () => (await send('Runtime.getHeapUsage')).result,
    start: () => send('Profiler.start'),
    async stop(label) {
      const { result } = await send('Profiler.stop');
      const { nodes, samples, timeDeltas } = result.profile;
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const self = new Map();
      for (let i = 0; i < samples.length; i += 1) {
        const n = byId.get(samples[i]);
        const f = n.callFrame;
        const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (timeDeltas[i] ?? 0));
      }
      let total = 0;
      for (const v of self.values()) total += v;
      const rows = [...self].sort((a, b) => b[1] - a[1]);
      console.log(`  ${label} worker JS profile (${(total / 1e6).toFixed(1)} s sampled):`);
      for (const [k, v] of rows.slice(0, 25))
        console.log(`    ${(v / 1e3).toFixed(0)} ms ${((100 * v) / total).toFixed(1)}% ${k}`);
    },
  };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-prof-'));
const service = await startService();
const closers = [];
try {
  let a;
  let b;
  if (TABS) {
    const ctx = await launchBrowser(path.join(dir, 'tabs'));
    closers.push(() => ctx.close());
    a = await firstTab(ctx, 'Sender');
    const url = await createRoom(a, service.origin);
    b = await anotherTab(ctx, a, 'Receiver');
    await joinRoom(b, url);
  } else {
    const ca = await launchBrowser(path.join(dir, 'sender'));
    const cb = await launchBrowser(path.join(dir, 'receiver'));
    closers.push(
      () => ca.close(),
      () => cb.close(),
    );
    a = await firstTab(ca, 'Sender');
    b = await firstTab(cb, 'Receiver');
    const url = await createRoom(a, service.origin);
    await joinRoom(b, url);
  }
  await waitReadyForFiles(a, b);
  await autoAccept(b);
  await transferWorker(a);
  await connectRaw(a, b, 'raw');
  const file = path.join(dir, 'random.bin');
  writeRandom(file, SIZE);
  const appFile = process.env.TEXT === '1' ? path.join(dir, 'logs.json') : file;
  if (appFile !== file) writeText(appFile, SIZE);
  const profiles = TABS ? [path.join(dir, 'tabs')] : [path.join(dir, 'sender'), path.join(dir, 'receiver')];
  const snap = () => profiles.map(threadTicks);
  const mb = SIZE / 1e6;
  // warm-up
  await sendThroughApp(a, [b], file, SIZE, { stallMs: 60000 });
  for (let round = 0; round < Number(process.env.ROUNDS || 1); round += 1) {
    let u0 = udp();
    let m0 = cpuTicks().busy;
    let s0 = snap();
    const [raw] = await rawRates(a, [{ peer: b, label: 'raw' }], SIZE, { stallMs: 60000 });
    let s1 = snap();
    console.log(`raw ${raw.toFixed(1)} MB/s`);
    udpDiff(u0, udp(), mb, 'raw');
    console.log(`  raw: machine busy ${(((cpuTicks().busy - m0) * 1000) / HZ / mb).toFixed(1)} ms CPU per MB`);
    for (const [i, p] of profiles.entries()) diff(s0[i], s1[i], mb, `raw ${path.basename(p)}`);
    const pa = PROFILE ? await workerProfiler(a.page) : null;
    const pb = PROFILE ? await workerProfiler(b.page) : null;
    await pa?.start();
    await pb?.start();
    const probe = TABS ? null : await memoryProbe(path.join(dir, 'receiver'), b.page);
    const rssBase = probe?.rss() ?? 0;
    let rssPeak = rssBase;
    const rssTimer = probe ? setInterval(() => (rssPeak = Math.max(rssPeak, probe.rss())), 200) : null;
    u0 = udp();
    m0 = cpuTicks().busy;
    s0 = snap();
    const heaps = [];
    const heapTimer = pb
      ? setInterval(async () => heaps.push(await pb.heap()), Number(process.env.HEAP_MS || 300))
      : null;
    const app = await sendThroughApp(a, [b], appFile, SIZE, { stallMs: 60000 });
    clearInterval(heapTimer);
    clearInterval(rssTimer);
    console.log(
      `  receiver renderers' RSS ${(rssBase / MiB).toFixed(1)} -> peak ${(rssPeak / MiB).toFixed(1)} MiB (growth ${((rssPeak - rssBase) / MiB).toFixed(1)})`,
    );
    s1 = snap();
    if (heaps.length) {
      const max = (k) => Math.max(...heaps.map((h) => h[k] ?? 0)) / MiB;
      const min = (k) => Math.min(...heaps.map((h) => h[k] ?? 0)) / MiB;
      console.log(
        `  receiver worker heap: used ${min('usedSize').toFixed(1)}..${max('usedSize').toFixed(1)} MiB, backing stores ${min('backingStorageSize').toFixed(1)}..${max('backingStorageSize').toFixed(1)} MiB, embedder ${max('embedderHeapUsedSize').toFixed(1)} (${heaps.length} samples; keys ${Object.keys(heaps[0]).join(',')})`,
      );
    }
    console.log(`app ${app.rates[0].toFixed(1)} MB/s (${(app.rates[0] / raw).toFixed(3)}x)`);
    udpDiff(u0, udp(), mb, 'app');
    console.log(`  app: machine busy ${(((cpuTicks().busy - m0) * 1000) / HZ / mb).toFixed(1)} ms CPU per MB`);
    for (const [i, p] of profiles.entries()) diff(s0[i], s1[i], mb, `app ${path.basename(p)}`);
    await pa?.stop('sender');
    await pb?.stop('receiver');
  }
} finally {
  for (const c of closers) await c().catch(() => {});
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}
