// Reads a File block by block for a Sender. A run of blocks in file order (the common case) comes
// from one ReadableStream of the file: Chromium then moves the bytes through one data pipe, about
// 2.7 ms of CPU per MB across its processes against 6.7 ms for a `slice(...).arrayBuffer()` per
// 1 MiB block (the browser process's blob reader and IO thread pay per read).
//
// Several runs can be under way at once: peers at different places in the file (one fell behind
// the Sender's cache, one resumed) each read in order from their own place, so the reader keeps up
// to MAX_STREAMS streams, each known by the offset it continues at. A block that continues no run
// is read on its own by `slice()`, without the read-ahead of a stream; a stream starts where the
// next block continues it. So sparse re-reads (a resume's scattered missing blocks) never pay for
// a read-ahead they throw away, and each stream reads ahead only as far as its pipe.
//
// A block is handed to a `consume` callback rather than returned: it is a view of the stream's
// chunk when the block lies within one, else of one scratch buffer the reader reuses, so a block
// costs neither an allocation nor, mostly, a copy. The view is valid only during the callback (the
// Sender copies it into WASM memory there).
const MAX_STREAMS = 3;
const MAX_RUN_STARTS = 8;

export class BlockReader {
  constructor(file) {
    this.file = file;
    this.streams = new Map(); // offset it continues at -> {reader, leftover}; oldest use first
    this.runStarts = new Set(); // ends of blocks read on their own: a read there starts a stream
    this.scratch = null; // where a block that spans chunks is put together
    this.queue = Promise.resolve(); // one read at a time: a stream has one position
    this.closed = false;
  }

  // Calls consume(bytes) with exactly `length` bytes from `offset`, or fewer when the file ended
  // early (it changed since it was picked); rejects when the file cannot be read. Resolves to
  // what consume returned.
  read(offset, length, consume) {
    const result = this.queue.then(() => this.readNow(offset, length, consume));
    this.queue = result.catch(() => {});
    return result;
  }

  async readNow(offset, length, consume) {
    if (this.closed) throw new Error('the file is no longer being read');
    let stream = this.streams.get(offset);
    this.streams.delete(offset);
    if (!stream && this.runStarts.delete(offset)) stream = this.openStream(offset);
    if (!stream) {
      const bytes = new Uint8Array(await this.file.slice(offset, offset + length).arrayBuffer());
      this.rememberRunStart(offset + bytes.byteLength);
      return consume(bytes);
    }
    let bytes;
    try {
      bytes = await this.readFrom(stream, length);
    } catch (error) {
      stream.reader.cancel().catch(() => {}); // a failed stream is dropped: the next read starts anew
      throw error;
    }
    // Kept for the next block unless the file ended or the reader was closed during this read.
    if (bytes.byteLength === length && !this.closed) this.keep(offset + length, stream);
    else stream.reader.cancel().catch(() => {});
    return consume(bytes);
  }

  // A view of the first chunk when the block lies within it, else the block put together.
  async readFrom(stream, length) {
    const first = await this.nextChunk(stream);
    if (first === null || first.byteLength >= length) return this.take(stream, first, length);
    return this.gather(stream, first, length);
  }

  openStream(offset) {
    return { reader: this.file.slice(offset).stream().getReader(), leftover: null };
  }

  // The stream is used again (newest last); the one used longest ago goes when there are too many.
  keep(offset, stream) {
    this.streams.set(offset, stream);
    while (this.streams.size > MAX_STREAMS) {
      const [oldest, dropped] = this.streams.entries().next().value;
      dropped.reader.cancel().catch(() => {});
      this.streams.delete(oldest);
    }
  }

  // The newest few only: a run start not read soon was a block alone after all.
  rememberRunStart(offset) {
    this.runStarts.delete(offset);
    this.runStarts.add(offset);
    if (this.runStarts.size > MAX_RUN_STARTS) this.runStarts.delete(this.runStarts.values().next().value);
  }

  // The leftover of the stream's last chunk, else its next chunk; null at the file's end.
  async nextChunk(stream) {
    const chunk = stream.leftover;
    stream.leftover = null;
    if (chunk !== null) return chunk;
    const { done, value } = await stream.reader.read();
    return done ? null : value;
  }

  // Up to `length` bytes from the front of `chunk`; the rest is kept for the stream's next read.
  take(stream, chunk, length) {
    if (chunk === null) return new Uint8Array(0);
    if (chunk.byteLength <= length) return chunk;
    stream.leftover = chunk.subarray(length);
    return chunk.subarray(0, length);
  }

  async gather(stream, first, length) {
    if (this.scratch === null || this.scratch.byteLength < length) this.scratch = new Uint8Array(length);
    const bytes = this.scratch.subarray(0, length);
    bytes.set(first);
    let filled = first.byteLength;
    while (filled < length) {
      const chunk = await this.nextChunk(stream);
      if (chunk === null) break;
      const piece = this.take(stream, chunk, length - filled);
      bytes.set(piece, filled);
      filled += piece.byteLength;
    }
    return bytes.subarray(0, filled);
  }

  // No more reads: lets go of the streams (and the browser's pipes behind them) and the scratch.
  close() {
    this.closed = true;
    for (const stream of this.streams.values()) stream.reader.cancel().catch(() => {});
    this.streams.clear();
    this.runStarts.clear();
    this.scratch = null;
  }
}
