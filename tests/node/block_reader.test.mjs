// The Sender's file reader (web/src/transfer/block_reader.js) on Node's Blob, which has the same
// slice(), stream() and arrayBuffer() as the browser's File.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockReader } from '../../web/src/transfer/block_reader.js';

const BLOCK = 1 << 20;
const bytes = new Uint8Array(8 * BLOCK + 12345).map((_, i) => (i * 7 + (i >>> 11)) & 0xff);
const blocks = Math.ceil(bytes.length / BLOCK);

// A file whose streams come in chunks of `chunkBytes` (Chromium's vary in size), counting the
// streams opened on it and the pieces read on their own.
function countingFile(source, chunkBytes, { failStreams = 0 } = {}) {
  const counts = { streams: 0, pieces: 0, failStreams };
  counts.slice = (start, end = source.length) => ({
    arrayBuffer: async () => {
      counts.pieces += 1;
      return source.slice(start, end).buffer;
    },
    stream: () => {
      counts.streams += 1;
      if (counts.failStreams > 0) {
        counts.failStreams -= 1;
        return new ReadableStream({ pull: (c) => c.error(new DOMException('gone', 'NotReadableError')) });
      }
      let at = start;
      return new ReadableStream({
        pull(controller) {
          if (at >= end) return controller.close();
          controller.enqueue(source.slice(at, Math.min(at + chunkBytes, end))); // a copy, as a real stream gives
          at += chunkBytes;
        },
      });
    },
  });
  return counts;
}

const expected = (block) => bytes.subarray(block * BLOCK, Math.min((block + 1) * BLOCK, bytes.length));
const readBlock = (reader, block) => reader.read(block * BLOCK, BLOCK, (b) => b.slice()); // the view lives only in the callback

for (const chunkBytes of [65536, 1_300_000, 3 * BLOCK]) {
  test(`block reader (${chunkBytes}-byte chunks): a file read in order is one piece, then one stream`, async () => {
    const file = countingFile(bytes, chunkBytes);
    const reader = new BlockReader(file);
    // All asked at once, as the Sender does with its pending reads.
    const got = await Promise.all(Array.from({ length: blocks }, (_, b) => readBlock(reader, b)));
    for (const [b, block] of got.entries()) assert.deepEqual(block, expected(b), `block ${b}`);
    assert.deepEqual([file.pieces, file.streams], [1, 1]);
  });
}

test('block reader: two peers at different places each read from their own stream', async () => {
  const file = countingFile(bytes, 1_300_000);
  const reader = new BlockReader(file);
  // The Sender's pattern with a slow peer behind its cache: two of one run, two of the other.
  const order = [0, 1, 5, 6, 2, 3, 7, 8, 4];
  for (const b of order) assert.deepEqual(await readBlock(reader, b), expected(b), `block ${b}`);
  assert.deepEqual([file.pieces, file.streams], [2, 2]);
});

test('block reader: scattered blocks are read on their own, without a stream', async () => {
  const file = countingFile(bytes, 1_300_000);
  const reader = new BlockReader(file);
  for (const b of [7, 2, 5, 0]) assert.deepEqual(await readBlock(reader, b), expected(b), `block ${b}`);
  assert.deepEqual([file.pieces, file.streams], [4, 0]);
  assert.deepEqual(await readBlock(reader, 1), expected(1), 'the block after one read alone starts a stream');
  assert.deepEqual(await readBlock(reader, 2), expected(2));
  assert.deepEqual([file.pieces, file.streams], [4, 1]);
});

test('block reader: at most three streams stay open, the one used longest ago goes', async () => {
  const file = countingFile(bytes, 65536);
  const reader = new BlockReader(file);
  for (const b of [0, 1, 3, 4, 6, 7, 2]) await readBlock(reader, b); // runs at 2, 5 and 8 ... and 2 used
  assert.equal(reader.streams.size, 3);
  assert.deepEqual(
    [...reader.streams.keys()],
    [5, 8, 3].map((b) => b * BLOCK),
  );
  await readBlock(reader, 0); // alone
  await readBlock(reader, 1); // a fourth run: the oldest (at 5) goes
  assert.deepEqual(
    [...reader.streams.keys()],
    [8, 3, 2].map((b) => b * BLOCK),
  );
});

test('block reader: a file shorter than asked gives the bytes it has (the caller reports the change)', async () => {
  const reader = new BlockReader(new Blob([bytes]));
  for (let b = 0; b < 8; b += 1) await readBlock(reader, b);
  const tail = await readBlock(reader, 8);
  assert.equal(tail.length, 12345);
  assert.deepEqual(tail, expected(8));
  assert.equal(await reader.read(bytes.length, BLOCK, (b) => b.length), 0);
});

test('block reader: an unreadable file rejects, and the next read tries again', async () => {
  const file = countingFile(bytes, 65536, { failStreams: 1 });
  const reader = new BlockReader(file);
  await readBlock(reader, 0);
  await assert.rejects(readBlock(reader, 1), { name: 'NotReadableError' });
  assert.deepEqual(await readBlock(reader, 1), expected(1), 'read on its own');
  assert.deepEqual(await readBlock(reader, 2), expected(2), 'then a stream again');
});

test('block reader: after close() every read is refused', async () => {
  const reader = new BlockReader(new Blob([bytes]));
  await readBlock(reader, 0);
  await readBlock(reader, 1);
  reader.close();
  assert.equal(reader.streams.size, 0);
  await assert.rejects(readBlock(reader, 2), /no longer being read/);
});

test('block reader: a stream being read when close() comes is let go too', async () => {
  const file = countingFile(bytes, 65536);
  let cancelled = 0;
  let openGate;
  const gate = new Promise((resolve) => (openGate = resolve));
  const slice = file.slice;
  // Its streams hold their chunks until the gate opens, and count their cancels.
  file.slice = (start, end) => {
    const part = slice(start, end);
    return {
      arrayBuffer: part.arrayBuffer,
      stream: () => {
        const reader = part.stream().getReader();
        return {
          getReader: () => ({
            read: async () => {
              await gate;
              return reader.read();
            },
            cancel: () => {
              cancelled += 1;
              return reader.cancel();
            },
          }),
        };
      },
    };
  };
  const reader = new BlockReader(file);
  await readBlock(reader, 0);
  const during = readBlock(reader, 1); // opens a stream, then waits for its first chunk
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(file.streams, 1, 'the stream is open');
  reader.close();
  openGate();
  assert.deepEqual(await during, expected(1), 'the read under way still completes');
  assert.equal(reader.streams.size, 0);
  assert.equal(cancelled, 1);
});
