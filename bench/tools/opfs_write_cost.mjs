// What writing a received file into OPFS costs here, and why it grows (docs/performance.md, issue
// 13): a worker writes 256 MiB five times through a synchronous access handle in 1 MiB writes, as
// the receiver's sink does, either keeping every file (KEEP=1, the default) or removing each before
// the next. Prints wall time per MiB and the CPU per MiB of the browser's busiest threads. Not part
// of `make bench`: a lab tool.
//   node bench/tools/opfs_write_cost.mjs   [KEEP=1 ROUNDS=5]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { launchBrowser } from '../lib/app_peers.mjs';
import { threadMsBetween, threadTicks } from '../lib/page_health.mjs';

const FILE_MIB = 256;
const KEEP = process.env.KEEP !== '0';
const ROUNDS = Number(process.env.ROUNDS || 5);

// The worker: each message writes one new file of `mib` MiB and answers the milliseconds it took.
const WORKER = `
let round = 0;
onmessage = async ({ data: { mib, keep } }) => {
  const root = await navigator.storage.getDirectory();
  const name = 'cost-' + round++;
  const access = await (await root.getFileHandle(name, { create: true })).createSyncAccessHandle();
  const block = new Uint8Array(1048576);
  crypto.getRandomValues(block.subarray(0, 65536));
  const start = performance.now();
  for (let at = 0; at < mib * 1048576; at += block.length) access.write(block, { at });
  access.flush();
  access.close();
  const ms = performance.now() - start;
  if (!keep) await root.removeEntry(name);
  postMessage(ms);
};`;

const profile = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-opfs-cost-'));
const service = await startService();
const context = await launchBrowser(profile);
try {
  const page = await context.newPage();
  await page.goto(`${service.origin}/`);
  await page.evaluate((source) => {
    globalThis.costWorker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  }, WORKER);
  console.log(`${FILE_MIB} MiB per file, ${KEEP ? 'every file kept' : 'each file removed before the next'}`);
  for (let round = 0; round < ROUNDS; round += 1) {
    const before = threadTicks(profile);
    const ms = await page.evaluate(
      (args) =>
        new Promise((resolve) => {
          costWorker.onmessage = (e) => resolve(e.data);
          costWorker.postMessage(args);
        }),
      { mib: FILE_MIB, keep: KEEP },
    );
    const busiest = threadMsBetween(before, threadTicks(profile))
      .slice(0, 3)
      .map(([key, ms]) => `${key} ${(ms / FILE_MIB).toFixed(2)}`);
    console.log(`file ${round + 1}: ${(ms / FILE_MIB).toFixed(2)} ms/MiB; CPU ms/MiB: ${busiest.join(', ')}`);
  }
} finally {
  await context.close();
  await service.stop();
  rmSync(profile, { recursive: true, force: true });
}
