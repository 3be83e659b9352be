import { defineConfig } from 'vite';
import { precompress } from './tools/precompress.js';

// The page is plain ES modules; the WASM core is copied into public/core/ by `make web` (from the
// wasm build) and loaded at run time, so Vite never bundles Emscripten's glue.
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
  plugins: [precompress()],
});
