// The transfer bench with the network, not this machine's two cores, as the limit (issue 13;
// docs/performance.md): the loopback is held to RATE_MBIT by a token bucket (`tc qdisc ... tbf`),
// a rate limit like a link's between two people's machines (no delay is added, and both
// directions share the one bucket), and the suite's rounds of the bare channel and the app run
// through it (random data, and text between processes; the suite's topology, warm-up and
// interleaving). The loopback's queue is put back however the run ends. Needs root and `tc`; it
// slows every loopback connection of the machine while it runs, so nothing else should. Not part
// of `make bench`: a lab tool (5-7 minutes at 120 Mbit/s).
//   node bench/tools/network_limited.mjs   [RATE_MBIT=120 TABS=0 CIELO_BENCH_ROUNDS=5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { writeRandom, writeText } from '../lib/bench_files.mjs';
import { rounds, twoProcesses, twoTabs, withTopology } from '../suites/transfer_browser.mjs';

const RATE_MBIT = Number(process.env.RATE_MBIT || 120);
if (!(RATE_MBIT >= 1 && RATE_MBIT <= 10000)) throw new Error(`RATE_MBIT: "${process.env.RATE_MBIT}" is not 1-10000`);
const TABS = process.env.TABS === '1';
const SIZE = 256 * 1048576;

// The bucket holds 64 KiB, the loopback's MTU (tbf drops a packet larger than its bucket), and
// queues 50 ms: it paces the datagrams instead of passing bursts.
const TBF = ['tbf', 'rate', `${RATE_MBIT}mbit`, 'burst', '64kb', 'latency', '50ms'];
let held = false;
function releaseLoopback() {
  if (!held) return;
  held = false;
  try {
    execFileSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root'], { stdio: 'pipe' });
  } catch (error) {
    console.error(
      `could not put the loopback back (tc qdisc del dev lo root): ${String(error.stderr ?? error.message).trim()}`,
    );
  }
}
// `tc qdisc add ... root` replaces a queue someone set up (measured: a pfifo went without an
// error), and putting ours back would then delete theirs: only the loopback's default is taken.
let before = '';
try {
  before = execFileSync('tc', ['qdisc', 'show', 'dev', 'lo'], { encoding: 'utf8', stdio: 'pipe' }).trim();
} catch (error) {
  console.error(`cannot read the loopback's queue (tc needed): ${String(error.stderr || error.message).trim()}`);
  process.exit(1);
}
if (!/^qdisc noqueue 0: root\b/.test(before)) {
  console.error(`the loopback already has a queue of its own, left as it is: ${before.split('\n')[0]}`);
  process.exit(1);
}
try {
  execFileSync('tc', ['qdisc', 'add', 'dev', 'lo', 'root', ...TBF], { stdio: 'pipe' });
  held = true;
} catch (error) {
  console.error(
    `cannot hold the loopback to ${RATE_MBIT} Mbit/s (root and tc needed): ${String(error.stderr ?? error.message).trim()}`,
  );
  process.exit(1);
}
// However the process ends: normally, on an uncaught error, or by a signal.
process.on('exit', releaseLoopback);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => process.exit(code));
}

const label = `${TABS ? 'two tabs' : 'two processes'}, ${RATE_MBIT} Mbit/s`;
const log = (line) => console.log(line);
let dir = null;
let service = null;
let measured = false;
try {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-network-limited-'));
  service = await startService();
  const files = { random: path.join(dir, 'random.bin'), warmUp: path.join(dir, 'warm-up.bin') };
  writeRandom(files.random, SIZE);
  writeRandom(files.warmUp, 32 * 1048576);
  // Text too between processes, as the suite does (its ratio is against the same bare runs).
  if (!TABS) {
    files.text = path.join(dir, 'logs.json');
    writeText(files.text, SIZE);
  }
  const topology = TABS ? twoTabs(dir) : twoProcesses(dir);
  await withTopology(topology, service.origin, label, log, async () => {
    const result = await rounds(topology, label, files, log);
    const median = Number.isFinite(result.medianRatio) ? result.medianRatio.toFixed(3) : '-';
    const text = TABS
      ? ''
      : `, text ${(result.best.text / result.best.raw).toFixed(2)}x (${result.best.text.toFixed(1)} MB/s)`;
    log(
      `${label}: best round ${(result.best.random / result.best.raw).toFixed(3)}x (bare ${result.best.raw.toFixed(1)}, app ${result.best.random.toFixed(1)} MB/s), median of the rounds' ratios ${median}x${text}, failed rounds ${result.failed}`,
    );
    measured = true;
  });
} finally {
  await service?.stop().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
  releaseLoopback();
}
if (!measured) process.exitCode = 1; // withTopology said why in one line
