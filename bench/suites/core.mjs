// The transfer core against its anchors, same data, same run: BLAKE3 (ours in WASM and native,
// hash-wasm, Debian's b3sum), zstd level 1 (ours in WASM, @bokuweb/zstd-wasm, Debian's zstd), and a
// whole verified Sender -> Receiver transfer in Node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBLAKE3 } from 'hash-wasm';
import { loadCore } from '../../bindings/load_core_node.mjs';
import { randomBytes } from '../../tests/node/core_loader.mjs';
import { textCorpus } from '../lib/text_corpus.mjs';

const MiB = 1024 * 1024;
const MB = 1e6;

// Best of `rounds` runs: the machine is shared and noisy, the best run is the least disturbed.
function bestRate(bytes, rounds, fn) {
  let best = 0;
  for (let i = 0; i < rounds; i += 1) {
    const t0 = process.hrtime.bigint();
    fn();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, bytes / MB / seconds);
  }
  return best;
}

// Best of `rounds` for each of several contenders run in turns (the order reversed every other
// round), so the noise of a shared machine falls on all of them alike.
function bestRatesInterleaved(bytes, rounds, fns) {
  const best = fns.map(() => 0);
  for (let i = 0; i < rounds; i += 1) {
    const order = fns.map((_, j) => j);
    if (i % 2 === 1) order.reverse();
    for (const j of order) best[j] = Math.max(best[j], bestRate(bytes, 1, fns[j]));
  }
  return best;
}

export async function run({ root, log }) {
  const core = await loadCore();
  const figures = {};
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bench-'));
  try {
    // BLAKE3: 256 MiB in 1 MiB updates over a 64 MiB random buffer.
    const data = randomBytes(64 * MiB, 3);
    const blocks = [];
    for (let o = 0; o < data.length; o += MiB) blocks.push(data.subarray(o, o + MiB));
    const hashed = 256 * MiB;
    // Ours and hash-wasm take turns, five rounds each, alternating which goes first, and each keeps
    // its best round: a burst of load from elsewhere on the shared machine then hits both alike
    // instead of whichever happened to run during it.
    const hasher = new core.Blake3Hasher();
    const anchor = await createBLAKE3();
    const hashOurs = () => {
      hasher.reset();
      for (let r = 0; r < 4; r += 1) for (const b of blocks) hasher.update(b);
      return hasher.finalizeHex();
    };
    const hashAnchor = () => {
      anchor.init();
      for (let r = 0; r < 4; r += 1) for (const b of blocks) anchor.update(b);
      return anchor.digest();
    };
    [figures.blake3_wasm_MBps, figures.blake3_hashwasm_MBps] = bestRatesInterleaved(hashed, 5, [hashOurs, hashAnchor]);
    if (hashOurs() !== hashAnchor()) throw new Error('blake3: ours and hash-wasm disagree');
    hasher.delete();
    const nativeBuild = process.env.CIELO_NATIVE_BUILD_DIR || path.join(root, 'build', 'native');
    const native = path.join(nativeBuild, 'bench', 'native', 'blake3_native_bench');
    figures.blake3_native_MBps = JSON.parse(
      execFileSync(native, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split('\n')
        .pop(),
    ).blake3_native_MBps;
    const file = path.join(dir, 'random.bin');
    writeFileSync(file, Buffer.concat([data, data, data, data]));
    execFileSync('b3sum', ['--num-threads', '1', file]); // warm the page cache
    figures.b3sum_MBps = bestRate(hashed, 3, () => execFileSync('b3sum', ['--num-threads', '1', '--no-names', file]));
    log(
      `blake3: ours wasm ${figures.blake3_wasm_MBps.toFixed(0)}, hash-wasm ${figures.blake3_hashwasm_MBps.toFixed(0)}, ours native ${figures.blake3_native_MBps.toFixed(0)}, b3sum ${figures.b3sum_MBps.toFixed(0)} MB/s`,
    );
    rmSync(file);

    // zstd level 1 on 1 MiB blocks of the same 64 MiB text corpus.
    const text = textCorpus(64 * MiB);
    // Ours and bokuweb run in child processes (bench/lib/zstd_node_run.mjs), taking turns with
    // native `zstd -b1`, three rounds, best of each: every contender gets three fresh processes.
    const textFile = path.join(dir, 'corpus.jsonl');
    writeFileSync(textFile, text);
    const zstdInNode = () =>
      JSON.parse(
        execFileSync(process.execPath, [path.join(root, 'bench', 'lib', 'zstd_node_run.mjs')], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .pop(),
      );
    const zstdNative = () => {
      const out = execFileSync('zstd', ['-b1', '-e1', '-i3', '-B1048576', textFile], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const speeds = [...out.matchAll(/\(x[\d.]+\),\s*([\d.]+) MB\/s/g)];
      if (speeds.length === 0) throw new Error(`cannot parse zstd -b output: ${out}`);
      return Math.max(...speeds.map((m) => Number(m[1])));
    };
    figures.zstd1_compress_wasm_MBps = 0;
    figures.zstd1_compress_bokuweb_MBps = 0;
    figures.zstd1_compress_native_MBps = 0;
    let node = null;
    for (let i = 0; i < 3; i += 1) {
      const turns = [
        () => {
          node = zstdInNode();
          figures.zstd1_compress_wasm_MBps = Math.max(figures.zstd1_compress_wasm_MBps, node.ours);
          figures.zstd1_compress_bokuweb_MBps = Math.max(figures.zstd1_compress_bokuweb_MBps, node.bokuweb);
        },
        () => (figures.zstd1_compress_native_MBps = Math.max(figures.zstd1_compress_native_MBps, zstdNative())),
      ];
      if (i % 2 === 1) turns.reverse();
      for (const turn of turns) turn();
    }
    figures.zstd1_ratio = node.oursRatio;
    log(
      `zstd -1: ours wasm ${figures.zstd1_compress_wasm_MBps.toFixed(0)} (x${node.oursRatio.toFixed(2)}), bokuweb ${figures.zstd1_compress_bokuweb_MBps.toFixed(0)} (x${node.theirsRatio.toFixed(2)}), native ${figures.zstd1_compress_native_MBps.toFixed(0)} MB/s`,
    );

    // A whole transfer: read, hash, probe, frame, reassemble, verify, over an in-memory channel.
    // No anchor to take turns with: best of three fresh processes (bench/lib/engine_run.mjs).
    const engineRun = path.join(root, 'bench', 'lib', 'engine_run.mjs');
    let best = 0;
    for (let i = 0; i < 3; i += 1) {
      const out = execFileSync(process.execPath, [engineRun], { encoding: 'utf8' });
      best = Math.max(best, JSON.parse(out.trim().split('\n').pop()).engine_MBps);
    }
    figures.engine_transfer_wasm_MBps = best;
    log(`engine transfer (256 MiB random, verified): ${best.toFixed(0)} MB/s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
