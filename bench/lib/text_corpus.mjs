// ~64 MiB of JSON log lines: the compressible text the data channel usually carries (zstd level 1
// shrinks it about 10x). Deterministic, so every process measures the same bytes.
export function textCorpus(size) {
  const levels = ['info', 'warn', 'debug', 'error'];
  const parts = [];
  let total = 0;
  let x = 12345;
  for (let i = 0; total < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    const line = `{"ts":"2026-11-28T12:${String(i % 60).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}.${x % 1000}Z","level":"${levels[x % 4]}","room":"r${x % 977}","peer":"p${(x >>> 8) % 31}","event":"block-verified","block":${i % 4096},"bytes":1048576,"ms":${x % 97}}\n`;
    parts.push(line);
    total += line.length;
  }
  return new TextEncoder().encode(parts.join('')).subarray(0, size);
}
