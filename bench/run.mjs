// `make bench`: runs every suite in bench/suites/ (each measures us and the anchor side by side, in
// this one run), prints a table and writes bench/results/latest.json, a flat object of numbers.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { oneLine } from './lib/rounds.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const only = process.argv.slice(2); // optional suite names: node bench/run.mjs core

const failures = []; // suites that broke
const results = {}; // rounded to 2 places, as written to latest.json
const exact = {}; // the same figures unrounded, for judging targets
const suites = readdirSync(path.join(benchDir, 'suites'))
  .filter((f) => f.endsWith('.mjs'))
  .sort();
for (const file of suites) {
  const name = path.basename(file, '.mjs');
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  const suite = await import(pathToFileURL(path.join(benchDir, 'suites', file)).href);
  const started = Date.now();
  const log = (...a) => console.log('  ', ...a);
  // A suite that breaks is reported in one line (a page's error can carry a whole minified script)
  // and the run goes on with the next; a figure it could not measure is left out, and said so.
  let figures = {};
  try {
    figures = await suite.run({ root, log });
  } catch (error) {
    log(`${name} failed: ${oneLine(error)}`);
    failures.push(name);
  }
  for (const [key, value] of Object.entries(figures)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      log(`${key}: not measured`);
      continue;
    }
    results[key] = Math.round(value * 100) / 100;
    exact[key] = value;
  }
  console.log(`   (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// Targets from the issues, as ratios measured in this run.
const ratios = [
  ['blake3_wasm_MBps', 'blake3_hashwasm_MBps', 2.0, 'ours (WASM SIMD128) vs hash-wasm'],
  ['zstd1_compress_wasm_MBps', 'zstd1_compress_native_MBps', 0.6, 'ours (WASM) vs native zstd -b1'],
  ['zstd1_compress_wasm_MBps', 'zstd1_compress_bokuweb_MBps', 1.0, 'ours (WASM) vs @bokuweb/zstd-wasm'],
  ['signaling_relay_msgs_per_s', 'signaling_node_ws_relay_msgs_per_s', 2.0, 'our relay vs a Node ws relay'],
  ['token_verify_per_s', 'token_verify_firebase_admin_per_s', 3.0, 'our ID token verification vs firebase-admin'],
  ['cross_node_relay_msgs_per_s', 'same_node_relay_msgs_per_s', 0.5, 'signals across two nodes vs within one'],
];
// Targets judged on ratios the suites report themselves (from their unrounded rates).
const ownRatios = [
  ['transfer_random_over_raw', 0.92, 'app, random data, vs the bare channel: two processes, best rounds'],
  ['transfer_random_over_raw_median_round', 0.88, 'the same, median of the rounds own ratios'],
  ['transfer_random_over_raw_two_tabs', 0.92, 'app, random data, vs the bare channel: two tabs, best rounds'],
  ['transfer_random_over_raw_median_round_two_tabs', 0.88, 'the same, median of the rounds own ratios'],
  ['fanout3_over_raw', 0.9, 'one to three: slowest receiver vs the bare channels given the same fan-out'],
  ['transfer_text_over_raw', 5, 'app, text, vs the bare data channel'],
  ['transfer_during_call_ratio', 0.5, 'a transfer during a call vs without one'],
];
console.log('\n| figure | value |\n|---|---|');
for (const [key, value] of Object.entries(results)) console.log(`| ${key} | ${value} |`);
console.log('\n| ratio | measured | target |\n|---|---|---|');
const judged = (label, measured, met, target) =>
  console.log(`| ${label} | ${measured} | ${target} ${met ? '(met)' : '(NOT met)'} |`);
for (const [a, b, target, label] of ratios) {
  if (exact[a] === undefined || exact[b] === undefined) continue;
  const ratio = exact[a] / exact[b];
  results[`${a}_over_${b}`] = Math.round(ratio * 100) / 100;
  judged(label, `${ratio.toFixed(2)}x`, ratio >= target, `>= ${target}x`);
}
for (const [key, target, label] of ownRatios) {
  if (exact[key] !== undefined) judged(label, `${exact[key].toFixed(3)}x`, exact[key] >= target, `>= ${target}x`);
}
if (exact.receiver_mem_growth_MiB !== undefined) {
  const growth = exact.receiver_mem_growth_MiB;
  judged("receiving renderer's memory growth over 1 GiB", `${growth.toFixed(1)} MiB`, growth < 64, '< 64 MiB');
}
if (exact.fanout3_reads_per_block !== undefined) {
  const reads = exact.fanout3_reads_per_block;
  judged('one to three: reads of each block of the file, worst round', reads.toFixed(2), reads === 1, '1 (read once)');
}
for (const side of ['sender', 'receiver']) {
  const key = `${side}_long_tasks_over_50ms`;
  if (exact[key] !== undefined)
    judged(`${side}'s main-thread long tasks during 1 GiB`, exact[key], exact[key] === 0, '0');
}
for (const [key, label] of [
  ['api_me_p99_ms', '/api/me p99, 200 looping clients, 10,000 signaling connections held'],
  ['api_me_paced_p99_ms', '/api/me p99, 200 clients at 10 requests/s each, the same'],
]) {
  if (exact[key] !== undefined) judged(label, `${exact[key].toFixed(2)} ms`, exact[key] < 20, '< 20 ms');
}
// "Unchanged": within 1.5x, or 2 ms, of the p99 measured without /api/me load in the same run.
const quietJoin = exact.api_me_signaling_join_p99_ms_without_load;
for (const [key, label] of [
  ['api_me_signaling_join_p99_ms', 'signaling join p99 under the looping /api/me clients'],
  ['api_me_paced_signaling_join_p99_ms', 'signaling join p99 under the paced /api/me clients'],
]) {
  if (exact[key] === undefined || quietJoin === undefined) continue;
  const limit = Math.max(quietJoin * 1.5, quietJoin + 2);
  judged(label, `${exact[key].toFixed(2)} ms`, exact[key] <= limit, `unchanged (${quietJoin.toFixed(2)} ms without)`);
}
// The call's quality during a transfer against without: above 1 is worse (bench/suites/calls.mjs).
for (const [key, label] of [
  ['call_concealed_ratio_during_transfer', "a call's concealed audio during a transfer vs without"],
  ['call_freezes_ratio_during_transfer', "a call's video freezes during a transfer vs without"],
  ['call_fps_ratio_during_transfer', "a call's frame rate without a transfer vs during"],
]) {
  if (exact[key] !== undefined) judged(label, `${exact[key].toFixed(2)}x`, exact[key] <= 1.1, '<= 1.1x');
}
for (const key of ['lighthouse_performance', 'lighthouse_accessibility', 'lighthouse_best_practices']) {
  if (exact[key] !== undefined) judged(`${key} (the lower of landing and room)`, exact[key], exact[key] >= 95, '>= 95');
}
for (const [key, budget] of [
  ['landing_bytes_compressed', 80_000],
  ['room_bytes_compressed', 350_000],
]) {
  if (exact[key] !== undefined)
    judged(`${key}, first visit`, `${exact[key]} B`, exact[key] <= budget, `<= ${budget} B`);
}
if (exact.firefox_transfer_over_raw !== undefined)
  console.log(
    `| Chromium to Firefox: app vs bare channel (${results.firefox_raw_channel_MBps} MB/s) | ${exact.firefox_transfer_over_raw.toFixed(3)}x | — |`,
  );
if (exact.call_setup_p50_ms !== undefined)
  console.log(`| call setup, click to first frame, p50 | ${results.call_setup_p50_ms} ms | — |`);
if (results.engine_transfer_wasm_MBps !== undefined) {
  console.log(`| engine transfer (WASM, verified) | ${results.engine_transfer_wasm_MBps} MB/s | >= 300 MB/s |`);
}

mkdirSync(path.join(benchDir, 'results'), { recursive: true });
const out = path.join(benchDir, 'results', 'latest.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${path.relative(root, out)}`);
if (failures.length > 0) {
  console.log(`suites that broke: ${failures.join(', ')}`);
  process.exitCode = 1;
}
