// Loads the WASM transfer core once per page or worker (the one loader of the page, the transfer
// worker and the hash worker). The glue is served from public/core/ as built by Emscripten; Vite
// must not try to bundle it, hence the computed URL and @vite-ignore.
let corePromise = null;

export function loadCore() {
  const url = new URL('/core/cieloweb_core.js', globalThis.location.origin).href;
  corePromise ??= import(/* @vite-ignore */ url).then((m) => m.default());
  return corePromise;
}
