// One process's measurement of zstd level 1 in Node, ours (WASM) and @bokuweb/zstd-wasm, on the
// text corpus of bench/suites/core.mjs: run by it as a child process, several times, so that ours and
// bokuweb get fresh processes exactly as native `zstd -b1` does (a process's memory placement alone
// moves these figures by up to 1.5x on this machine). Prints one JSON line.
import bokuweb from '@bokuweb/zstd-wasm';
import { loadCore } from '../../bindings/load_core_node.mjs';
import { textCorpus } from './text_corpus.mjs';

const MiB = 1024 * 1024;
const MB = 1e6;

function rate(bytes, fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return bytes / MB / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const text = textCorpus(64 * MiB);
const blocks = [];
for (let o = 0; o < text.length; o += MiB) blocks.push(text.subarray(o, o + MiB));
const core = await loadCore();
const compressor = new core.Compressor(1);
await bokuweb.init();
let oursBytes = 0;
let theirsBytes = 0;
const result = { ours: 0, bokuweb: 0 };
// Two turns each, alternating, best of each (the first warms the JIT).
for (let i = 0; i < 2; i += 1) {
  result.ours = Math.max(
    result.ours,
    rate(text.length, () => {
      oursBytes = 0;
      for (const b of blocks) oursBytes += compressor.compressSize(b, 1);
    }),
  );
  result.bokuweb = Math.max(
    result.bokuweb,
    rate(text.length, () => {
      theirsBytes = 0;
      for (const b of blocks) theirsBytes += bokuweb.compress(b, 1).length;
    }),
  );
}
compressor.delete();
console.log(JSON.stringify({ ...result, oursRatio: text.length / oursBytes, theirsRatio: text.length / theirsBytes }));
