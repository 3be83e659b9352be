// What the work a verified transfer cannot skip costs on its own, in a worker of one Chromium
// page, with nothing else running (issue 13; docs/performance.md): BLAKE3 through the WASM core
// over 1 MiB blocks (`hash`; one block over and over, so from the cache: a floor), reading a
// picked 256 MiB file through its stream as the sender's BlockReader does (`read`), and making
// and dropping a 64 KiB ArrayBuffer per 64 KiB, as each message event of a data channel does
// (`buffers`). OPFS writes have their own tool
// (opfs_write_cost.mjs). Prints each job's speed and CPU per MB: the whole machine's and the
// browser's busiest threads'. Not part of `make bench`: a lab tool.
//   node bench/tools/worker_essentials.mjs   [JOBS=hash,read,buffers ROUNDS=2]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { launchBrowser } from '../lib/app_peers.mjs';
import { writeRandom } from '../lib/bench_files.mjs';
import { threadMsBetween, threadTicks } from '../lib/page_health.mjs';
import { cpuTicks } from '../lib/rounds.mjs';

const SIZE = 256 * 1048576;
const MB = SIZE / 1e6;
const HZ = 100;
const JOBS = (process.env.JOBS || 'hash,read,buffers').split(',');
const ROUNDS = Number(process.env.ROUNDS || 2);
for (const job of JOBS) {
  if (!['hash', 'read', 'buffers'].includes(job)) throw new Error(`JOBS: "${job}" is not hash, read or buffers`);
}
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error(`ROUNDS: "${process.env.ROUNDS}" is not a count`);

// The worker: each message runs one job over SIZE bytes and answers the milliseconds it took.
const WORKER = `
const core = import(location.origin + '/core/cieloweb_core.js').then((m) => m.default());
const block = new Uint8Array(1 << 20);
crypto.getRandomValues(block.subarray(0, 65536));
for (let at = 65536; at < block.length; at += 65536) block.copyWithin(at, 0, 65536);
let sink = 0; // read from every buffer, so no job is optimised away
async function run(job, file, size) {
  const { Blake3Hasher } = await core; // loaded and compiled before the clock starts
  const started = performance.now();
  if (job === 'hash') {
    const hasher = new Blake3Hasher();
    for (let at = 0; at < size; at += block.length) hasher.update(block);
    sink ^= hasher.finalizeHex().length;
    hasher.delete();
  } else if (job === 'read') {
    const reader = file.stream().getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) sink ^= r.value[0];
  } else {
    for (let at = 0; at < size; at += 65536) {
      const bytes = new Uint8Array(65536);
      bytes.set(block.subarray(0, 65536));
      sink ^= bytes[at & 65535];
    }
  }
  return { ms: performance.now() - started, sink };
}
// An async handler's failure never reaches the page's onerror: it is answered instead.
onmessage = ({ data: { job, file, size } }) =>
  run(job, file, size).then(postMessage, (error) => postMessage({ error: String(error) }));`;

function report(job, ms, before, after, machineBusyTicks) {
  const threads = threadMsBetween(before, after)
    .slice(0, 4)
    .map(([key, threadMs]) => `${key} ${(threadMs / MB).toFixed(2)}`);
  const machineMsPerMB = (machineBusyTicks * 1000) / HZ / MB;
  console.log(
    `${job}: ${(MB / (ms / 1000)).toFixed(0)} MB/s, machine ${machineMsPerMB.toFixed(2)} ms CPU per MB (${threads.join(', ')})`,
  );
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-worker-essentials-'));
const profile = path.join(dir, 'profile');
const service = await startService();
const context = await launchBrowser(profile);
try {
  const page = await context.newPage();
  await page.goto(`${service.origin}/`);
  await page.setContent('<input type="file" id="picked">');
  const file = path.join(dir, 'random.bin');
  writeRandom(file, SIZE);
  await page.setInputFiles('#picked', file);
  await page.evaluate((source) => {
    globalThis.__essentials = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), {
      type: 'module',
    });
  }, WORKER);
  const run = (job) =>
    page.evaluate(
      ([job, size]) =>
        new Promise((resolve, reject) => {
          __essentials.onerror = (e) => reject(new Error(e.message));
          __essentials.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.ms));
          __essentials.postMessage({ job, size, file: document.getElementById('picked').files[0] });
        }),
      [job, SIZE],
    );
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const job of JOBS) {
      const before = threadTicks(profile);
      const busy = cpuTicks().busy;
      const ms = await run(job);
      report(job, ms, before, threadTicks(profile), cpuTicks().busy - busy);
    }
  }
} finally {
  await context.close().catch(() => {});
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}
