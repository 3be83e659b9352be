// Shared by the Node tests: the WASM core, loaded once per test file, and b3sum of bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCore } from '../../bindings/load_core_node.mjs';

export const core = await loadCore();

export function b3sum(bytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-b3-'));
  try {
    const file = path.join(dir, 'data');
    writeFileSync(file, bytes);
    return execFileSync('b3sum', ['--no-names', '--num-threads', '1', file], { encoding: 'utf8' }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Deterministic pseudo-random bytes (xorshift), fast enough for tens of MiB.
export function randomBytes(n, seed = 1) {
  const out = new Uint8Array(n);
  const words = new Uint32Array(out.buffer, 0, Math.floor(n / 4));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < n; i += 1) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

export function textBytes(n, seed = 1) {
  const words = ['peer', 'block', 'verified', 'channel', '{"level":"info"', '"room":', 'transfer', '42', '\n'];
  const parts = [];
  let size = 0;
  let x = seed;
  while (size < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = `${words[x % words.length]} `;
    parts.push(w);
    size += w.length;
  }
  return new TextEncoder().encode(parts.join('')).subarray(0, n);
}
