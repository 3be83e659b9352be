// Hashes files off the main thread with the WASM core, so the page stays responsive. Answers
// hash_client.js over the shared worker bridge.
import { loadCore } from './transfer/core_loader.js';
import { serveCalls } from './transfer/worker_bridge.js';

const SLICE_BYTES = 4 * 1024 * 1024;
const PROGRESS_MS = 100;

async function hash(file, progress) {
  const core = await loadCore();
  const hasher = new core.Blake3Hasher();
  try {
    const started = performance.now();
    let lastReport = started;
    for (let offset = 0; offset < file.size; offset += SLICE_BYTES) {
      const slice = new Uint8Array(await file.slice(offset, offset + SLICE_BYTES).arrayBuffer());
      hasher.update(slice);
      const now = performance.now();
      if (now - lastReport > PROGRESS_MS) {
        lastReport = now;
        progress({ bytesDone: offset + slice.length, bytesTotal: file.size });
      }
    }
    const hex = hasher.finalizeHex();
    const ms = performance.now() - started;
    return { hex, bytes: file.size, ms, implementation: core.blake3Implementation() };
  } finally {
    hasher.delete();
  }
}

serveCalls({
  hash: ([file], { progress }) => hash(file, progress),
  info: async () => ({ implementation: (await loadCore()).blake3Implementation() }),
});
