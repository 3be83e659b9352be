// Reads a File block by block for a Sender. Blocks asked for in file order (the common case) come
// from one ReadableStream of the file: Chromium then moves the bytes through one data pipe, about
// 2.7 ms of CPU per MB across its processes against 6.7 ms for a `slice(...).arrayBuffer()` per
// 1 MiB block (the browser process's blob reader and IO thread pay per read). A block asked for
// anywhere else (a resume's missing block, one re-read after it left the Sender's cache) starts a
// new stream at its offset. The stream reads ahead only as far as its pipe (a few MiB at most).
//
// A block is handed to a `consume` callback rather than returned: it is a view of the stream's
// chunk when the block lies within one, else of one scratch buffer the reader reuses, so a block
// costs neither an allocation nor, mostly, a copy. The view is valid only during the callback (the
// Sender copies it into WASM memory there).
export class BlockReader {
  constructor(file) {
    this.file = file;
    this.reader = null;
    this.position = 0; // the file offset of the stream's next byte
    this.leftover = null; // the part of the last chunk not yet given out
    this.scratch = null; // where a block that spans chunks is put together
    this.queue = Promise.resolve(); // reads run one after another: a stream has one position
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
    if (this.reader === null || offset !== this.position) this.startAt(offset);
    let bytes;
    try {
      const first = await this.nextChunk();
      if (first === null || first.byteLength >= length) {
        bytes = this.take(first, length) ?? new Uint8Array(0);
      } else {
        bytes = await this.gather(first, length);
      }
    } catch (error) {
      this.stop(); // a failed stream is not read again: the next read starts a new one
      throw error;
    }
    this.position = offset + bytes.byteLength;
    return consume(bytes);
  }

  // The leftover of the last chunk, else the stream's next chunk; null at the file's end.
  async nextChunk() {
    const chunk = this.leftover;
    this.leftover = null;
    if (chunk !== null) return chunk;
    const { done, value } = await this.reader.read();
    return done ? null : value;
  }

  // Up to `length` bytes from the front of `chunk`; the rest is kept for the next read.
  take(chunk, length) {
    if (chunk === null) return null;
    if (chunk.byteLength > length) this.leftover = chunk.subarray(length);
    return chunk.byteLength > length ? chunk.subarray(0, length) : chunk;
  }

  async gather(first, length) {
    if (this.scratch === null || this.scratch.byteLength < length) this.scratch = new Uint8Array(length);
    const bytes = this.scratch.subarray(0, length);
    bytes.set(first);
    let filled = first.byteLength;
    while (filled < length) {
      const piece = this.take(await this.nextChunk(), length - filled);
      if (piece === null) break;
      bytes.set(piece, filled);
      filled += piece.byteLength;
    }
    return bytes.subarray(0, filled);
  }

  startAt(offset) {
    this.stop();
    this.reader = this.file.slice(offset).stream().getReader();
    this.position = offset;
  }

  stop() {
    this.reader?.cancel().catch(() => {});
    this.reader = null;
    this.leftover = null;
  }

  // No more reads: lets go of the stream (and the browser's pipe behind it) and the scratch buffer.
  close() {
    this.closed = true;
    this.stop();
    this.scratch = null;
  }
}
