// Vite plugin: once the page is built, writes a brotli (.br) and a gzip (.gz) copy beside every
// file worth compressing, so the server answers `Accept-Encoding` with bytes made once at build
// time at the strongest settings (server/src/static_files.cpp picks the variant). A copy that
// comes out no smaller than the file is not written: the server then sends the file itself.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.txt', '.webmanifest']);

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (COMPRESSIBLE.has(path.extname(entry.name))) yield full;
  }
}

export function compressFile(file) {
  const data = readFileSync(file);
  const variants = {
    '.br': brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
    '.gz': gzipSync(data, { level: 9 }),
  };
  const written = {};
  for (const [suffix, bytes] of Object.entries(variants)) {
    if (bytes.length >= data.length) continue;
    writeFileSync(file + suffix, bytes);
    written[suffix] = bytes.length;
  }
  return { size: statSync(file).size, ...written };
}

export function precompress() {
  let outDir = 'dist';
  return {
    name: 'cieloweb-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const file of filesUnder(outDir)) compressFile(file);
    },
  };
}
