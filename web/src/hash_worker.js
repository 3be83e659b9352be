// Hashes files off the main thread with the WASM core, so the page stays responsive.
const SLICE_BYTES = 4 * 1024 * 1024;
let corePromise = null;

function loadCore() {
  // Served from public/core/ as is; Vite must not try to bundle Emscripten's glue.
  const url = new URL('/core/cieloweb_core.js', self.location.origin).href;
  corePromise ??= import(/* @vite-ignore */ url).then((m) => m.default());
  return corePromise;
}

async function hash(id, file) {
  const core = await loadCore();
  const hasher = new core.Blake3Hasher();
  try {
    const started = performance.now();
    let lastReport = started;
    for (let offset = 0; offset < file.size; offset += SLICE_BYTES) {
      const slice = new Uint8Array(await file.slice(offset, offset + SLICE_BYTES).arrayBuffer());
      hasher.update(slice);
      const now = performance.now();
      if (now - lastReport > 100) {
        lastReport = now;
        self.postMessage({ type: 'progress', id, bytesDone: offset + slice.length, bytesTotal: file.size });
      }
    }
    const hex = hasher.finalizeHex();
    const ms = performance.now() - started;
    self.postMessage({ type: 'done', id, hex, bytes: file.size, ms, implementation: core.blake3Implementation() });
  } finally {
    hasher.delete();
  }
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'hash') await hash(data.id, data.file);
    else if (data.type === 'info') {
      const core = await loadCore();
      self.postMessage({ type: 'done', id: data.id, implementation: core.blake3Implementation() });
    }
  } catch (error) {
    self.postMessage({ type: 'error', id: data.id, error: String(error?.message ?? error) });
  }
};
