// Loads the WASM transfer core once per page or worker (the one loader of the page, the transfer
// worker and the hash worker). The glue is served from public/core/ as built by Emscripten; Vite
// must not try to bundle it, hence the computed URL and @vite-ignore.
let corePromise = null;

// The build names the core's version (a digest of its files, vite.config.js); both files are asked
// for under it, so a cache (the service worker's, the browser's) can never hand this page another
// build's core.
const CORE_VERSION = typeof __CIELO_CORE_VERSION__ === 'string' ? __CIELO_CORE_VERSION__ : 'dev';

export function loadCore() {
  const url = new URL(`/core/cieloweb_core.js?v=${CORE_VERSION}`, globalThis.location.origin).href;
  const locateFile = (name, directory) => `${directory}${name}?v=${CORE_VERSION}`;
  corePromise ??= import(/* @vite-ignore */ url).then((m) => m.default({ locateFile }));
  return corePromise;
}
