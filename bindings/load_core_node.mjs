// Loads the WASM core in Node (tests, benchmarks). Works around two Emscripten 3.1.6 quirks of
// EXPORT_ES6 glue under Node: it uses `__dirname`/`require` (absent in ES modules) and tries `fetch`
// on a file path. Passing the .wasm bytes as `wasmBinary` avoids the fetch.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const defaultBuildDir = path.join(projectRoot, 'build', 'wasm', 'bindings');

export async function loadCore(buildDir = process.env.CIELO_WASM_DIR || defaultBuildDir) {
  globalThis.require ??= createRequire(import.meta.url);
  globalThis.__dirname ??= buildDir;
  const { default: createCieloCore } = await import(pathToFileURL(path.join(buildDir, 'cieloweb_core.js')).href);
  const wasmBinary = await readFile(path.join(buildDir, 'cieloweb_core.wasm'));
  return createCieloCore({ wasmBinary });
}
