import { defineConfig } from 'vite';
import { icons } from './tools/icons.js';
import { precompress } from './tools/precompress.js';
import { coreVersionOf, serviceWorker } from './tools/service_worker.js';

const CORE_FILES = ['core/cieloweb_core.js', 'core/cieloweb_core.wasm'];

// The page is plain ES modules; the WASM core is copied into public/core/ by `make web` (from the
// wasm build) and loaded at run time, so Vite never bundles Emscripten's glue. The build also
// writes the app's icons and its service worker (/sw.js, from src/sw.js with the build's file
// list), then the brotli and gzip copies of everything (precompress runs last, in closeBundle).
export default defineConfig({
  root: 'web',
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
  },
  worker: { format: 'es' },
  // The core's version, in the page and its workers (transfer/core_loader.js asks for it by name).
  define: { __CIELO_CORE_VERSION__: JSON.stringify(coreVersionOf('web/public', CORE_FILES)) },
  plugins: [
    icons(),
    serviceWorker({
      source: 'web/src/sw.js',
      // The sign-in SDK (107 KB): only /signin and /account load it, and it needs the network.
      exclude: [/^assets\/firebase_session-[\w-]{8}\.js$/],
      publicFiles: ['manifest.webmanifest'],
      core: CORE_FILES,
    }),
    precompress(),
  ],
});
