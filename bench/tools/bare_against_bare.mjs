// The transfer bench with the bare channel in the app's place (issue 13; docs/performance.md): the
// same topology, warm-up and interleaved rounds as `transfer_browser`, but each "app" round is one
// more bare-channel run. Its best-round and median figures are what an app exactly as fast as the
// bare channel would score on this machine, so they show how far the real figures move by luck.
// Not part of `make bench`: a lab tool (about 4 minutes a repetition between processes).
//   node bench/tools/bare_against_bare.mjs   [REPS=3 TABS=0 CIELO_BENCH_ROUNDS=5]
import { startService } from '../../tests/browser/service.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bareContender, rounds, twoProcesses, twoTabs, withTopology } from '../suites/transfer_browser.mjs';

const REPS = Number(process.env.REPS || 3);
if (!Number.isInteger(REPS) || REPS < 1)
  throw new Error(`REPS: "${process.env.REPS}" is not a whole number of repetitions`);
const TABS = process.env.TABS === '1';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bare-against-bare-'));
const service = await startService();
const log = (line) => console.log(line);
const label = TABS ? 'two tabs' : 'two processes';
try {
  const topology = TABS ? twoTabs(dir) : twoProcesses(dir);
  await withTopology(topology, service.origin, label, log, async () => {
    for (let rep = 1; rep <= REPS; rep += 1) {
      const r = await rounds(topology, `${label} (bare against bare)`, {}, log, bareContender);
      log(
        `repetition ${rep}: best round ${(r.best.random / r.best.raw).toFixed(3)}x, median of the rounds' ratios ${Number.isFinite(r.medianRatio) ? r.medianRatio.toFixed(3) : '-'}x, failed rounds ${r.failed}`,
      );
    }
  });
} finally {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}
