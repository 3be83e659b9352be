// Does the app ever let its channel run dry, or wait for acks (issue 13; docs/performance.md)? The
// suite's topology (two processes, or two tabs with TABS=1), rounds of the bare channel and the app
// (256 MiB random each); during each app round the sender's transfer worker samples, every 5 ms,
// its channel's bufferedAmount and its bytes in flight (sent on the wire, frame headers included,
// but not acked: the send buffer, the network and the receiver; the window is 16 blocks of 1 MiB).
// Prints, over the middle of the file (its first 8 MB and last 24 MB left out), the share of
// samples with less than 1 MiB buffered or the window nearly full, the quantiles of both, and the
// longest gaps between samples. A sample runs between the worker's tasks, so it sees waits for
// reads and acks; a channel drained while the worker was busy shows as a gap instead, to be read
// against how long the 4 MiB above the refill mark lasts at the round's rate. Not part of
// `make bench`: a lab tool.
//   node bench/tools/sender_pipeline.mjs   [TABS=0 ROUNDS=3]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { sendThroughApp, transferWorker } from '../lib/app_peers.mjs';
import { writeRandom } from '../lib/bench_files.mjs';
import { rawRates } from '../lib/raw_channel.mjs';
import { twoProcesses, twoTabs, withTopology } from '../suites/transfer_browser.mjs';

const SIZE = 256 * 1048576;
const MiB = 1048576;
const ROUNDS = Number(process.env.ROUNDS || 3);
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error(`ROUNDS: "${process.env.ROUNDS}" is not a count`);
const TABS = process.env.TABS === '1';

// In the sender's worker: every 5 ms, [time, bufferedAmount, bytes sent on the wire, bytes acked]
// of each file being sent to each peer (the engine's own state; nothing is changed).
function startSampling() {
  const { engine } = globalThis.__cielowebWorker;
  globalThis.__pipelineSamples = [];
  globalThis.__pipelineTimer = setInterval(() => {
    for (const file of engine.sending.values()) {
      for (const peerId of file.peers.keys()) {
        const channel = engine.peers.get(peerId)?.channel;
        const progress = file.progress(peerId);
        if (channel && progress?.wireBytes !== undefined)
          __pipelineSamples.push([performance.now(), channel.bufferedAmount, progress.wireBytes, progress.bytes]);
      }
    }
  }, 5);
}
function stopSampling() {
  clearInterval(globalThis.__pipelineTimer);
  return globalThis.__pipelineSamples;
}

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * q)];
const mib = (bytes) => (bytes / MiB).toFixed(1);
const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-sender-pipeline-'));
const service = await startService();
const topology = TABS ? twoTabs(dir) : twoProcesses(dir);
try {
  await withTopology(topology, service.origin, TABS ? 'two tabs' : 'two processes', console.log, async () => {
    const { sender, receiver } = topology;
    const file = path.join(dir, 'random.bin');
    writeRandom(file, SIZE);
    // The first transfer compiles the worker's code and makes its folders: not measured.
    await sendThroughApp(sender, [receiver], file, SIZE, { stallMs: 60000 });
    const worker = await transferWorker(sender);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const [bare] = await rawRates(sender, [{ peer: receiver, label: 'raw' }], SIZE, { stallMs: 60000 });
      await worker.evaluate(startSampling);
      const app = (await sendThroughApp(sender, [receiver], file, SIZE, { stallMs: 60000 })).rates[0];
      const samples = (await worker.evaluate(stopSampling)).filter(
        ([, , , acked]) => acked > 8e6 && acked < SIZE - 24e6,
      );
      if (samples.length === 0) {
        console.log(`round ${round}: no samples (the worker's engine changed shape?)`);
        continue;
      }
      const buffered = samples.map(([, b]) => b);
      const inFlight = samples.map(([, , wire, acked]) => wire - acked);
      const gaps = samples.slice(1).map(([at], i) => at - samples[i][0]);
      const lowMarkLastsMs = (4 * MiB) / (app * 1000); // MB/s is bytes per microsecond
      console.log(
        `round ${round}: bare ${bare.toFixed(1)} MB/s, app ${app.toFixed(1)} MB/s (${(app / bare).toFixed(3)}x); ` +
          `${samples.length} samples: under 1 MiB buffered ${pct(buffered.filter((b) => b < MiB).length, samples.length)}, ` +
          `15 MiB or more in flight ${pct(inFlight.filter((f) => f >= 15 * MiB).length, samples.length)}; ` +
          `buffered p1/p10/p50 ${mib(quantile(buffered, 0.01))}/${mib(quantile(buffered, 0.1))}/${mib(quantile(buffered, 0.5))} MiB, ` +
          `in flight p50/p90/p99 ${mib(quantile(inFlight, 0.5))}/${mib(quantile(inFlight, 0.9))}/${mib(quantile(inFlight, 0.99))} MiB; ` +
          `gaps between samples p99 ${quantile(gaps, 0.99).toFixed(0)}, longest ${Math.max(...gaps).toFixed(0)} ms ` +
          `(4 MiB lasts ${lowMarkLastsMs.toFixed(0)} ms at this rate)`,
      );
    }
  });
} finally {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}
