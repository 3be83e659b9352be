// One process's whole Sender -> Receiver transfer in Node (256 MiB random, hashed and verified on
// both sides, over the in-memory channel): run by bench/suites/core.mjs as a child process, several
// times, since a process's memory placement alone moves the figure by up to 1.5x on this machine.
// The first transfer warms the JIT; prints the better of two as one JSON line.
import { loadCore } from '../../bindings/load_core_node.mjs';
import { randomBytes } from '../../tests/node/core_loader.mjs';
import { runTransfer } from '../../tests/node/transfer_harness.mjs';

const MB = 1e6;
const core = await loadCore();
const source = randomBytes(256 * 1024 * 1024, 5);
let best = 0;
for (let i = 0; i < 2; i += 1) {
  const t0 = process.hrtime.bigint();
  const result = await runTransfer(core, source, { keepOutput: false });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (result.senderError || result.receiverError)
    throw new Error(`engine transfer failed: ${result.senderError || result.receiverError}`);
  best = Math.max(best, source.length / MB / seconds);
}
console.log(JSON.stringify({ engine_MBps: best }));
