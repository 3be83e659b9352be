// The Sender's file reader (web/src/transfer/block_reader.js) on Node's Blob, which has the same
// slice() and stream() as the browser's File.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockReader } from '../../web/src/transfer/block_reader.js';

const BLOCK = 1 << 20;
const bytes = new Uint8Array(5 * BLOCK + 12345).map((_, i) => (i * 7 + (i >>> 11)) & 0xff);

// A Blob whose streams come in chunks of `chunkBytes` (Chromium's are of varying size), counting
// the streams opened on it.
function chunkedBlob(source, chunkBytes) {
  const counted = { streams: 0 };
  counted.slice = (start) => ({
    stream: () => {
      counted.streams += 1;
      let at = start;
      return new ReadableStream({
        pull(controller) {
          if (at >= source.length) return controller.close();
          controller.enqueue(source.slice(at, at + chunkBytes)); // a copy, as a real stream gives
          at += chunkBytes;
        },
      });
    },
  });
  return counted;
}

const expected = (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length));
// The callback's view is valid only during it: tests keep copies.
const copy = (b) => b.slice();

for (const chunkBytes of [65536, 1_300_000, 3 * BLOCK]) {
  test(`block reader (${chunkBytes}-byte chunks): blocks in file order come from one stream, each exact`, async () => {
    const file = chunkedBlob(bytes, chunkBytes);
    const reader = new BlockReader(file);
    // All asked at once, as the Sender does with its pending reads.
    const reads = [];
    for (let block = 0; block * BLOCK < bytes.length; block += 1) reads.push(reader.read(block * BLOCK, BLOCK, copy));
    const got = await Promise.all(reads);
    got.forEach((block, i) => assert.deepEqual(block, expected(i * BLOCK, BLOCK), `block ${i}`));
    assert.equal(file.streams, 1);
  });
}

test('block reader: a block out of order starts a new stream there, and order resumes from it', async () => {
  const file = chunkedBlob(bytes, 1_300_000);
  const reader = new BlockReader(file);
  assert.deepEqual(await reader.read(0, BLOCK, copy), expected(0, BLOCK));
  assert.deepEqual(await reader.read(3 * BLOCK, BLOCK, copy), expected(3 * BLOCK, BLOCK));
  assert.deepEqual(await reader.read(4 * BLOCK, BLOCK, copy), expected(4 * BLOCK, BLOCK));
  assert.deepEqual(await reader.read(BLOCK, BLOCK, copy), expected(BLOCK, BLOCK));
  assert.deepEqual(await reader.read(BLOCK + 100, 50, copy), expected(BLOCK + 100, 50), 'an offset inside the last block read');
  assert.equal(file.streams, 4);
});

test('block reader: a file shorter than asked gives the bytes it has (the caller reports the change)', async () => {
  const reader = new BlockReader(new Blob([bytes]));
  const tail = await reader.read(5 * BLOCK, BLOCK, copy);
  assert.equal(tail.length, 12345);
  assert.deepEqual(tail, expected(5 * BLOCK, BLOCK));
  assert.equal((await reader.read(bytes.length, BLOCK, copy)).length, 0);
});

test('block reader: an unreadable file rejects, and the next read tries a fresh stream', async () => {
  let failNext = true;
  const blob = new Blob([bytes]);
  const file = {
    slice: (start) => ({
      stream: () => {
        if (!failNext) return blob.slice(start).stream();
        failNext = false;
        return new ReadableStream({ pull: (c) => c.error(new DOMException('gone', 'NotReadableError')) });
      },
    }),
  };
  const reader = new BlockReader(file);
  await assert.rejects(reader.read(0, BLOCK, copy), { name: 'NotReadableError' });
  assert.deepEqual(await reader.read(0, BLOCK, copy), expected(0, BLOCK));
});

test('block reader: after close() every read is refused', async () => {
  const reader = new BlockReader(new Blob([bytes]));
  await reader.read(0, 10, copy);
  reader.close();
  await assert.rejects(reader.read(10, 10, copy), /no longer being read/);
});
