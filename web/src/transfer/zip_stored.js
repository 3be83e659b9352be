// A zip archive of received files, stored (not compressed: the files were already compressed on the
// wire where that helped, and storing keeps "Save all" as fast as reading them once), returned as
// a Blob whose parts are the files themselves: the browser writes it to disk from the files, so
// nothing is ever held whole in memory (only the headers are). ZIP64 records are written where a
// size, an offset or the count needs them (APPNOTE 6.3.10, sections 4.3 and 4.5.3); names are UTF-8.
//
// Entries: [{path, blob, crc32}] with a '/'-separated relative path, written as safeEntryPath
// makes it (the sender chose these names).

const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;
const UTF8_NAMES = 0x0800;
const VERSION_ZIP64 = 45;
const VERSION_PLAIN = 20;
const MADE_BY_UNIX = 3 << 8;
const REGULAR_FILE_0644 = 0o100644 * 0x10000;

export class ZipPathError extends Error {
  constructor(path) {
    super(`not a safe relative path for an archive: ${JSON.stringify(path)}`);
    this.name = 'ZipPathError';
  }
}

// Windows' reserved device names: a file called "CON" or "nul.txt" cannot be made there.
const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

// The path as it may be written on any system: '/'-separated segments; refused (ZipPathError) when
// it could leave the folder it is unpacked into (absolute, '..', '.', empty segments, backslashes,
// NUL); otherwise each segment made safe where Windows would misread it: ':' (a drive, "C:x", or
// an NTFS stream, "a.txt:s") and <>"|?* and control characters become '_', trailing dots and spaces
// go, a device name gets a leading '_'. Used for the zip and for a chosen folder alike.
export function safeEntryPath(path) {
  const segments = typeof path === 'string' ? path.split('/') : [];
  const bad = (s) => s === '' || s === '.' || s === '..' || /[\\\0]/.test(s);
  if (segments.length === 0 || segments.some(bad)) throw new ZipPathError(path);
  return segments
    .map((segment) => {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
      let safe = segment.replace(/[:<>"|?*\u0001-\u001f]/g, '_').replace(/[. ]+$/, '');
      if (safe === '') safe = '_';
      return DEVICE.test(safe) ? `_${safe}` : safe;
    })
    .join('/');
}

function checkedName(path) {
  return new TextEncoder().encode(safeEntryPath(path));
}

// DOS date and time (local time, 2-second steps), as zip tools expect.
function dosDateTime(date) {
  const year = Math.max(1980, Math.min(2107, date.getFullYear()));
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

// A little-endian writer over a fresh buffer of `size` bytes.
function record(size) {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const w = {
    u16: (v) => {
      view.setUint16(at, v, true);
      at += 2;
      return w;
    },
    u32: (v) => {
      view.setUint32(at, v >>> 0, true);
      at += 4;
      return w;
    },
    u64: (v) => {
      view.setBigUint64(at, BigInt(v), true);
      at += 8;
      return w;
    },
    bytes: (b) => {
      bytes.set(b, at);
      at += b.length;
      return w;
    },
    done: () => {
      if (at !== size) throw new Error(`zip record: wrote ${at} of ${size} bytes`);
      return bytes;
    },
  };
  return w;
}

// The archive as Blob parts and its size. `forceZip64` writes ZIP64 records even where plain ones
// would do (how the tests reach that path without 4 GiB of data).
export function zipParts(entries, { modified = new Date(), forceZip64 = false } = {}) {
  const { time, date } = dosDateTime(modified);
  const parts = [];
  const central = [];
  let offset = 0;
  for (const entry of entries) {
    const name = checkedName(entry.path);
    const size = entry.blob.size;
    const big = forceZip64 || size >= MAX_32;
    // Local header: with a ZIP64 extra (both sizes) when the size needs it.
    const local = record(30 + name.length + (big ? 20 : 0))
      .u32(0x04034b50)
      .u16(big ? VERSION_ZIP64 : VERSION_PLAIN)
      .u16(UTF8_NAMES)
      .u16(0) // stored
      .u16(time)
      .u16(date)
      .u32(entry.crc32)
      .u32(big ? MAX_32 : size)
      .u32(big ? MAX_32 : size)
      .u16(name.length)
      .u16(big ? 20 : 0)
      .bytes(name);
    if (big) local.u16(0x0001).u16(16).u64(size).u64(size);
    const header = local.done();
    central.push({ name, size, crc32: entry.crc32, offset, big, farOffset: forceZip64 || offset >= MAX_32 });
    parts.push(header, entry.blob);
    offset += header.length + size;
  }

  const directoryStart = offset;
  for (const e of central) {
    // Central header: the ZIP64 extra holds, in this order, only the fields set to 0xFFFFFFFF.
    const extra = (e.big ? 16 : 0) + (e.farOffset ? 8 : 0);
    const zip64 = extra > 0;
    const w = record(46 + e.name.length + (zip64 ? 4 + extra : 0))
      .u32(0x02014b50)
      .u16(MADE_BY_UNIX | VERSION_ZIP64)
      .u16(zip64 ? VERSION_ZIP64 : VERSION_PLAIN)
      .u16(UTF8_NAMES)
      .u16(0)
      .u16(time)
      .u16(date)
      .u32(e.crc32)
      .u32(e.big ? MAX_32 : e.size)
      .u32(e.big ? MAX_32 : e.size)
      .u16(e.name.length)
      .u16(zip64 ? 4 + extra : 0)
      .u16(0) // comment
      .u16(0) // disk
      .u16(0) // internal attributes
      .u32(REGULAR_FILE_0644)
      .u32(e.farOffset ? MAX_32 : e.offset)
      .bytes(e.name);
    if (zip64) {
      w.u16(0x0001).u16(extra);
      if (e.big) w.u64(e.size).u64(e.size);
      if (e.farOffset) w.u64(e.offset);
    }
    const bytes = w.done();
    parts.push(bytes);
    offset += bytes.length;
  }

  const directorySize = offset - directoryStart;
  const count = central.length;
  const needZip64 = forceZip64 || count >= MAX_16 || directoryStart >= MAX_32 || directorySize >= MAX_32;
  if (needZip64) {
    const end64At = offset;
    const end64 = record(56 + 20)
      .u32(0x06064b50)
      .u64(44) // the record's size after this field
      .u16(MADE_BY_UNIX | VERSION_ZIP64)
      .u16(VERSION_ZIP64)
      .u32(0)
      .u32(0)
      .u64(count)
      .u64(count)
      .u64(directorySize)
      .u64(directoryStart)
      // The locator of the ZIP64 end record.
      .u32(0x07064b50)
      .u32(0)
      .u64(end64At)
      .u32(1)
      .done();
    parts.push(end64);
    offset += end64.length;
  }
  const end = record(22)
    .u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(needZip64 ? MAX_16 : count)
    .u16(needZip64 ? MAX_16 : count)
    .u32(needZip64 ? MAX_32 : directorySize)
    .u32(needZip64 ? MAX_32 : directoryStart)
    .u16(0)
    .done();
  parts.push(end);
  offset += end.length;
  return { parts, size: offset };
}

let crcTable = null;

// CRC-32 (IEEE, as zip uses) of a Blob, read as a stream: nothing held but the current chunk.
// `onBytes(n)` reports progress.
export async function crc32OfBlob(blob, onBytes = () => {}) {
  crcTable ??= Int32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let crc = -1;
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let i = 0; i < value.length; i += 1) crc = crcTable[(crc ^ value[i]) & 0xff] ^ (crc >>> 8);
    onBytes(value.length);
  }
  return (crc ^ -1) >>> 0;
}
