import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { b3sum, core, randomBytes } from './core_loader.mjs';

const vectors = JSON.parse(readFileSync(new URL('../data/blake3_vectors.json', import.meta.url), 'utf8'));

test('blake3 (wasm): the SIMD128 build is the one loaded', () => {
  assert.equal(core.blake3Implementation(), 'simd128');
});

test('blake3 (wasm): official test-vector lengths', () => {
  assert.ok(vectors.cases.length >= 20);
  for (const { input_len: length, hash } of vectors.cases) {
    const input = new Uint8Array(length);
    for (let i = 0; i < length; i += 1) input[i] = i % 251;
    assert.equal(core.blake3Hex(input), hash, `length ${length}`);
  }
});

test('blake3 (wasm): equals b3sum on random inputs around chunk and block edges', () => {
  const MiB = 1024 * 1024;
  for (const size of [0, 1, 1023, 1024, 1025, MiB - 1, MiB, MiB + 1, 64 * MiB + 7]) {
    const data = randomBytes(size, size + 3);
    const expected = b3sum(data);
    assert.equal(core.blake3Hex(data), expected, `one-shot, size ${size}`);
    const hasher = new core.Blake3Hasher();
    try {
      // Odd update sizes cross chunk and SIMD-batch boundaries at every alignment.
      let offset = 0;
      for (let step = 1; offset < size; step = ((step * 7 + 13) % (3 * MiB + 1)) + 1) {
        hasher.update(data.subarray(offset, offset + step));
        offset += step;
      }
      assert.equal(hasher.finalizeHex(), expected, `incremental, size ${size}`);
      assert.equal(hasher.bytesHashed(), size);
    } finally {
      hasher.delete();
    }
  }
});

test('blake3 (wasm): updates that end on chunk and subtree boundaries equal b3sum', () => {
  const MiB = 1024 * 1024;
  // Whole chunks are hashed at once and JS updates go in 64 KiB pieces: inputs that end right
  // after a piece, a chunk or a 1 MiB subtree take the root from the last two stack entries.
  for (const size of [1024, 2048, 3072, 64 * 1024, 64 * 1024 + 1024, 2 * MiB]) {
    const data = randomBytes(size, size + 11);
    const expected = b3sum(data);
    for (const step of [1024, 4096, 64 * 1024, MiB]) {
      const hasher = new core.Blake3Hasher();
      try {
        for (let offset = 0; offset < size; offset += step) hasher.update(data.subarray(offset, offset + step));
        assert.equal(hasher.finalizeHex(), expected, `size ${size} in updates of ${step}`);
      } finally {
        hasher.delete();
      }
    }
  }
});
