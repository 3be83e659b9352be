// The files the browser benches send: random bytes (nothing to compress) and JSON log lines
// (compressible: zstd level 1 shrinks these about 5x), written to disk once per run.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const MiB = 1024 * 1024;

export function writeRandom(file, size) {
  const fd = openSync(file, 'w');
  for (let done = 0; done < size; done += 4 * MiB) writeSync(fd, randomBytes(Math.min(4 * MiB, size - done)));
  closeSync(fd);
}

export function writeText(file, size) {
  const levels = ['info', 'warn', 'debug', 'error'];
  const fd = openSync(file, 'w');
  let x = 12345;
  let total = 0;
  for (let i = 0; total < size; i += 1) {
    const lines = [];
    for (let j = 0; j < 4096; j += 1) {
      x = (x * 1103515245 + 12345) >>> 0;
      lines.push(
        `{"ts":"2026-11-28T12:${String(j % 60).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}.${x % 1000}Z","level":"${levels[x % 4]}","room":"r${x % 977}","peer":"p${(x >>> 8) % 31}","event":"block-verified","block":${(i * 4096 + j) % 4096},"bytes":1048576,"ms":${x % 97}}\n`,
      );
    }
    const chunk = Buffer.from(lines.join(''));
    const n = Math.min(chunk.length, size - total);
    writeSync(fd, chunk, 0, n);
    total += n;
  }
  closeSync(fd);
}
