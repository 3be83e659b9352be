// Where a received file goes: the origin private file system (OPFS), one folder per batch keeping
// the sender's relative paths, written block by block at the block's offset. Nothing is gathered
// in memory: a block is held only until its write resolved.
//
// Why segments: in Chromium an OPFS writable writes into a hidden swap file that replaces the real
// file only on close(); a tab that reloads loses everything written since the last close, and
// re-opening with keepExistingData copies the whole file first. So a large file is stored as
// segment files of SEGMENT_BYTES, each closed (committed) as soon as all its blocks are written:
// what the resume store records is then really on disk, and a reload re-fetches at most the
// unfinished segments. A file of one segment is stored under its own name; a larger one as
// `name.part0`, `name.part1`, … and saved as one Blob made of the segments' OPFS Files (still
// file-backed: Chromium's Blob references the files, it does not copy them into memory).
//
// In a dedicated worker (where the transfer engine runs in Chromium) a segment is written through a
// synchronous access handle instead: in place, at once, with no swap file and no copy held until a
// promise resolves, so the bytes may be a view of WASM memory. Segments stay the unit of what a
// reload may keep: only committed (full, flushed, closed) segments are recorded.
import { REASON } from './reasons.js';

const ROOT_FOLDER = 'cieloweb-received';
const SEGMENT_BYTES = 16 * 1024 * 1024;

// A refusal of the sink's own, with its reason code (reasons.js).
class SinkError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

// Reason codes for the view (reasons.js), from the DOMException names the storage APIs throw.
export function storageReason(error) {
  const name = error?.name ?? '';
  if (name === 'QuotaExceededError') return REASON.storageFull;
  if (name === 'NotAllowedError' || name === 'SecurityError') return REASON.storageDenied;
  if (error instanceof SinkError) return error.code;
  return REASON.storageError;
}

const inDedicatedWorker =
  typeof DedicatedWorkerGlobalScope === 'function' && globalThis instanceof DedicatedWorkerGlobalScope;

// How the bytes of one segment reach its file: {write(position, bytes), commit(), abort()}. Both
// keep what the file already holds (an uncommitted segment is written again whole anyway).
async function openSegmentWriter(handle) {
  if (inDedicatedWorker && typeof handle.createSyncAccessHandle === 'function') {
    const access = await handle.createSyncAccessHandle();
    return {
      write(position, bytes) {
        // Out of quota or disk, Chromium 156 does not throw here: write() returns fewer bytes (in
        // fact the negative file error, -8 "no space", as an unsigned number). OPFS has no other
        // reason to store less than asked, so a short write is reported as what it is.
        const written = access.write(bytes, { at: position });
        if (written !== bytes.byteLength)
          throw new DOMException(`stored ${written} of ${bytes.byteLength} bytes`, 'QuotaExceededError');
      },
      async commit() {
        access.flush();
        access.close();
      },
      async abort() {
        access.close();
      },
    };
  }
  const writable = await handle.createWritable({ keepExistingData: true });
  return {
    // The stream consumes the chunk later: give it its own copy, not a view that may change.
    write: (position, bytes) => writable.write({ type: 'write', position, data: bytes.slice() }),
    commit: () => writable.close(),
    abort: () => writable.abort(),
  };
}

async function batchFolder(batchId, create) {
  const root = await navigator.storage.getDirectory();
  const top = await root.getDirectoryHandle(ROOT_FOLDER, { create });
  return top.getDirectoryHandle(batchId, { create });
}

// Removes a whole batch folder (decline, cancel, or the user clearing finished files).
export async function removeBatchFolder(batchId) {
  try {
    const root = await navigator.storage.getDirectory();
    const top = await root.getDirectoryHandle(ROOT_FOLDER);
    await top.removeEntry(batchId, { recursive: true });
  } catch {
    // already gone
  }
}

async function receivedRoot() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(ROOT_FOLDER, { create: true });
}

// A segment still being written may be locked by its access handle: it counts once it is closed.
async function fileBytes(handle) {
  try {
    return (await handle.getFile()).size;
  } catch {
    return 0;
  }
}

async function folderBytes(dir) {
  let bytes = 0;
  for await (const entry of dir.values())
    bytes += entry.kind === 'file' ? await fileBytes(entry) : await folderBytes(entry);
  return bytes;
}

// What received files take in this origin's storage: {bytes, batches} (batch folders).
export async function receivedUsage() {
  const top = await receivedRoot();
  let bytes = 0;
  let batches = 0;
  for await (const entry of top.values()) {
    batches += 1;
    bytes += entry.kind === 'file' ? await fileBytes(entry) : await folderBytes(entry);
  }
  return { bytes, batches };
}

// Removes every batch folder except those named in `keep` (batches still receiving).
export async function clearReceivedFolders(keep) {
  const top = await receivedRoot();
  const names = [];
  for await (const name of top.keys()) names.push(name);
  for (const name of names) {
    if (!keep.has(name)) await top.removeEntry(name, { recursive: true }).catch(() => {});
  }
}

export class FileSink {
  // folder: the batch folder name; path: 'a/b.txt'; blockSize from the offer (segments hold
  // whole blocks, so a block never spans two segment files).
  constructor({ folder, path, size, blockSize, mime }) {
    this.folder = folder;
    this.path = path;
    this.size = size;
    this.mime = mime || '';
    this.segmentBytes = Math.max(SEGMENT_BYTES, blockSize);
    this.blockSize = blockSize;
    this.segmentCount = Math.max(1, Math.ceil(size / this.segmentBytes));
    this.segments = new Map(); // index -> {writer, written: Map(offset -> length)}
    this.committed = new Set();
    this.chain = Promise.resolve(); // writes of one file run one after the other
    this.dir = null;
    this.baseName = path.split('/').pop();
  }

  async open() {
    // Quota first: better to refuse at once than to fail after minutes.
    const estimate = await navigator.storage.estimate?.();
    if (estimate && estimate.quota - estimate.usage < this.size) {
      throw new SinkError(REASON.storageFull);
    }
    let dir = await batchFolder(this.folder, true);
    for (const part of this.path.split('/').slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
    this.dir = dir;
  }

  segmentName(index) {
    return this.segmentCount === 1 ? this.baseName : `${this.baseName}.part${index}`;
  }

  segmentLength(index) {
    return Math.min(this.segmentBytes, this.size - index * this.segmentBytes);
  }

  // Segments already complete on disk (from before a reload): the resume state may claim only
  // their blocks.
  async findCommitted(indices) {
    const found = [];
    for (const index of indices) {
      try {
        const handle = await this.dir.getFileHandle(this.segmentName(index));
        const file = await handle.getFile();
        if (file.size === this.segmentLength(index)) found.push(index);
      } catch {
        // missing: its blocks come again
      }
    }
    for (const index of found) this.committed.add(index);
    return found;
  }

  // Block ranges [[first, last), …] covered by committed segments.
  committedBlockRanges() {
    const perSegment = this.segmentBytes / this.blockSize;
    const blockCount = Math.ceil(this.size / this.blockSize);
    return [...this.committed]
      .sort((a, b) => a - b)
      .map((k) => [k * perSegment, Math.min((k + 1) * perSegment, blockCount)]);
  }

  // Resolves once the bytes are in the segment's file (and the segment committed if this was its
  // last block); only then may the receiver count the block as received. Resolves to true when a
  // segment was committed (the moment to save the resume state). bytesOf() gives the block's bytes
  // at the moment they are written (a view of WASM memory stays valid only until then), or null
  // when the block is no longer wanted.
  write(offset, bytesOf) {
    const run = async () => {
      const index = Math.floor(offset / this.segmentBytes);
      if (this.committed.has(index)) return false; // a repeated block of a finished segment: same bytes
      const segment = await this.segment(index);
      const bytes = bytesOf();
      if (!bytes) return false;
      await segment.writer.write(offset - index * this.segmentBytes, bytes);
      segment.written.set(offset, bytes.byteLength);
      let total = 0;
      for (const length of segment.written.values()) total += length;
      if (total === this.segmentLength(index)) {
        await segment.writer.commit();
        this.segments.delete(index);
        this.committed.add(index);
        return true;
      }
      return false;
    };
    const result = this.chain.then(run);
    this.chain = result.catch(() => {});
    return result;
  }

  async segment(index) {
    let segment = this.segments.get(index);
    if (!segment) {
      const handle = await this.dir.getFileHandle(this.segmentName(index), { create: true });
      segment = { writer: await openSegmentWriter(handle), written: new Map() };
      this.segments.set(index, segment);
    }
    return segment;
  }

  // The sender's file changed: throw away every segment, open or committed, so that no byte of
  // the old version can end up in the new one.
  discard() {
    const run = async () => {
      await this.abortOpen();
      for (let index = 0; index < this.segmentCount; index += 1)
        await this.dir.removeEntry(this.segmentName(index)).catch(() => {});
      this.committed.clear();
    };
    this.chain = this.chain.then(run).catch(() => {});
    return this.chain;
  }

  async abortOpen() {
    for (const segment of this.segments.values()) await segment.writer.abort().catch(() => {});
    this.segments.clear();
  }

  // All blocks written: make sure every segment exists (an empty file has no write) and return the
  // OPFS-backed File (or a Blob of the segment Files) to save. Refuses (SinkError) when what is
  // stored is not exactly `expectedSize` bytes: the size whose root the core verified.
  async finish(expectedSize = this.size) {
    if (expectedSize !== this.size) throw new SinkError(REASON.sizeMismatch);
    await this.chain;
    for (let index = 0; index < this.segmentCount; index += 1) {
      if (!this.committed.has(index)) {
        const handle = await this.dir.getFileHandle(this.segmentName(index), { create: true });
        const segment = this.segments.get(index);
        if (segment) await segment.writer.commit();
        this.segments.delete(index);
        this.committed.add(index);
        void handle;
      }
    }
    return this.file();
  }

  async file() {
    const files = [];
    for (let index = 0; index < this.segmentCount; index += 1) {
      const file = await (await this.dir.getFileHandle(this.segmentName(index))).getFile();
      if (file.size !== this.segmentLength(index)) {
        throw new SinkError(REASON.storedPartMismatch);
      }
      files.push(file);
    }
    if (files.length === 1) return files[0];
    return new File(files, this.baseName, { type: this.mime });
  }

  // Failure or cancel: nothing of this file stays behind.
  async remove() {
    await this.chain;
    await this.abortOpen();
    if (!this.dir) return;
    for (let index = 0; index < this.segmentCount; index += 1) {
      await this.dir.removeEntry(this.segmentName(index)).catch(() => {});
    }
    this.committed.clear();
  }
}
