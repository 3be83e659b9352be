// The transfer bench with the network, not this machine's two cores, as the limit (issue 13;
// docs/performance.md): the loopback is held to RATE_MBIT by a token bucket (`tc qdisc ... tbf`),
// as a link between two people's machines would hold the channel, and the suite's rounds of the
// bare channel and the app run through it (random data, the suite's topology, warm-up and
// interleaving). The loopback's queue is put back however the run ends. Needs root and `tc`; it
// slows every loopback connection of the machine while it runs, so nothing else should. Not part
// of `make bench`: a lab tool (about 5 minutes at 120 Mbit/s).
//   node bench/tools/network_limited.mjs   [RATE_MBIT=120 TABS=0 CIELO_BENCH_ROUNDS=5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { writeRandom } from '../lib/bench_files.mjs';
import { rounds, twoProcesses, twoTabs, withTopology } from '../suites/transfer_browser.mjs';

const RATE_MBIT = Number(process.env.RATE_MBIT || 120);
if (!(RATE_MBIT >= 1 && RATE_MBIT <= 10000)) throw new Error(`RATE_MBIT: "${process.env.RATE_MBIT}" is not 1-10000`);
const TABS = process.env.TABS === '1';
const SIZE = 256 * 1048576;

// A 64 KiB burst and 50 ms of queue: the bucket paces the datagrams instead of passing bursts.
const holdLoopback = () =>
  execFileSync(
    'tc',
    ['qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', `${RATE_MBIT}mbit`, 'burst', '64kb', 'latency', '50ms'],
    {
      stdio: 'pipe',
    },
  );
const releaseLoopback = () => execFileSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root'], { stdio: 'pipe' });
try {
  holdLoopback();
} catch (error) {
  console.error(
    `cannot hold the loopback to ${RATE_MBIT} Mbit/s (root and tc needed; is a queue already there?): ${String(error.stderr ?? error.message).trim()}`,
  );
  process.exit(1);
}
// Interrupted (Ctrl-C, a timeout's TERM): the loopback is put back before the process goes.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    releaseLoopback();
    process.exit(130);
  });
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-network-limited-'));
const label = `${TABS ? 'two tabs' : 'two processes'}, ${RATE_MBIT} Mbit/s`;
const log = (line) => console.log(line);
let service = null;
try {
  service = await startService();
  const files = { random: path.join(dir, 'random.bin'), warmUp: path.join(dir, 'warm-up.bin') };
  writeRandom(files.random, SIZE);
  writeRandom(files.warmUp, 32 * 1048576);
  const topology = TABS ? twoTabs(dir) : twoProcesses(dir);
  await withTopology(topology, service.origin, label, log, async () => {
    const r = await rounds(topology, label, files, log);
    log(
      `${label}: best round ${(r.best.random / r.best.raw).toFixed(3)}x (bare ${r.best.raw.toFixed(1)}, app ${r.best.random.toFixed(1)} MB/s), median of the rounds' ratios ${Number.isFinite(r.medianRatio) ? r.medianRatio.toFixed(3) : '-'}x, failed rounds ${r.failed}`,
    );
  });
} finally {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
  releaseLoopback();
}
