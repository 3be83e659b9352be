import assert from 'node:assert/strict';
import { test } from 'node:test';
import { core, randomBytes, textBytes } from './core_loader.mjs';

test('zstd (wasm): text round-trips and shrinks', () => {
  const text = textBytes(1024 * 1024, 5);
  const packed = core.zstdCompress(text, 1);
  assert.ok(packed.length < text.length / 3, `ratio ${packed.length / text.length}`);
  const unpacked = core.zstdDecompress(packed, text.length);
  assert.equal(unpacked.ok, true);
  assert.deepEqual(unpacked.bytes, text);
});

test('zstd (wasm): decompression is capped (a tiny payload that expands hugely is refused)', () => {
  const bomb = core.zstdCompress(new Uint8Array(64 * 1024 * 1024), 3);
  assert.ok(bomb.length < 64 * 1024, 'the bomb is small');
  const result = core.zstdDecompress(bomb, 1024 * 1024);
  assert.equal(result.ok, false);
  assert.equal(result.name, 'decompress_too_large');
});

test('zstd (wasm): corrupt input is a clear error', () => {
  const result = core.zstdDecompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 1024);
  assert.equal(result.ok, false);
  assert.equal(result.name, 'decompress_failed');
});

test('zstd (wasm): the adaptive compressor sends random data raw and text compressed', () => {
  const compressor = new core.Compressor(1);
  try {
    const random = randomBytes(1024 * 1024, 2);
    const r = compressor.encode(random);
    assert.equal(r.compressed, false);
    assert.deepEqual(r.bytes, random);
    const t = compressor.encode(textBytes(1024 * 1024, 3));
    assert.equal(t.compressed, true);
    assert.ok(t.bytes.length < 400 * 1024);
  } finally {
    compressor.delete();
  }
});
