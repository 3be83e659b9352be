// "Save all" as one zip (web/src/transfer/zip_stored.js): the archive Info-ZIP's unzip tests and
// unpacks byte for byte, plain and with ZIP64 records; CRC-32 as zip defines it; unsafe names refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { crc32OfBlob, safeEntryPath, ZipPathError, zipParts } from '../../web/src/transfer/zip_stored.js';

function pseudoRandom(size, seed) {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

async function archive(files, options) {
  const entries = [];
  for (const [name, bytes] of Object.entries(files)) {
    const blob = new Blob([bytes]);
    entries.push({ path: name, blob, crc32: await crc32OfBlob(blob) });
  }
  const { parts, size } = zipParts(entries, options);
  const zip = new Blob(parts);
  assert.equal(zip.size, size, 'the size announced is the size of the Blob');
  return new Uint8Array(await zip.arrayBuffer());
}

function unpackAndCompare(zipBytes, files) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-zip-'));
  try {
    const zipFile = path.join(dir, 'all.zip');
    writeFileSync(zipFile, zipBytes);
    const tested = execFileSync('unzip', ['-t', zipFile], { encoding: 'utf8' });
    assert.match(tested, /No errors detected/);
    execFileSync('unzip', ['-q', zipFile, '-d', path.join(dir, 'out')]);
    for (const [name, bytes] of Object.entries(files))
      assert.deepEqual(new Uint8Array(readFileSync(path.join(dir, 'out', name))), bytes, name);
    return execFileSync('zipinfo', ['-v', zipFile], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FILES = {
  'photos/summer/één.bin': pseudoRandom(300_001, 1),
  'photos/empty.txt': new Uint8Array(0),
  'notes.txt': new TextEncoder().encode('hello\n'.repeat(1000)),
  'deep/a/b/c/d/e/f.dat': pseudoRandom(70_000, 2),
};

test('zip: CRC-32 as zip defines it, over a stream in pieces', async () => {
  assert.equal(await crc32OfBlob(new Blob(['123456789'])), 0xcbf43926);
  assert.equal(await crc32OfBlob(new Blob([])), 0);
  let reported = 0;
  const big = new Blob([pseudoRandom(1 << 20, 3), pseudoRandom(12345, 4)]);
  await crc32OfBlob(big, (n) => {
    reported += n;
  });
  assert.equal(reported, big.size);
});

test('zip: a batch with folders, UTF-8 names and an empty file unpacks byte for byte', async () => {
  const info = unpackAndCompare(await archive(FILES), FILES);
  assert.doesNotMatch(info, /64-bit sizes/, 'small archives need no ZIP64 records');
  assert.match(info, /central directory contains 4 entries/);
});

test('zip: with ZIP64 records (sizes, offsets, end record) it unpacks the same', async () => {
  const info = unpackAndCompare(await archive(FILES, { forceZip64: true }), FILES);
  assert.match(info, /64-bit sizes/);
  // The plain end record says 0xFFFF entries here: the count came from the ZIP64 end record.
  assert.match(info, /central directory contains 4 entries/);
});

test('zip: a name that could leave the folder it is unpacked into is refused', () => {
  for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a\\..\\b', 'a/', '', 'a\0b']) {
    assert.throws(() => zipParts([{ path: bad, blob: new Blob(['x']), crc32: 0 }]), ZipPathError, bad);
  }
});

test('zip: names Windows would misread are made safe (drives, streams, reserved characters and names)', () => {
  assert.equal(safeEntryPath('C:/Users/Public/x.exe'), 'C_/Users/Public/x.exe');
  assert.equal(safeEntryPath('C:x'), 'C_x');
  assert.equal(safeEntryPath('a.txt:stream'), 'a.txt_stream');
  assert.equal(safeEntryPath('what?<>|*".txt'), 'what______.txt');
  assert.equal(safeEntryPath('dir. /file. '), 'dir/file');
  assert.equal(safeEntryPath('CON'), '_CON');
  assert.equal(safeEntryPath('photos/nul.txt'), 'photos/_nul.txt');
  assert.equal(safeEntryPath('tab\tname'), 'tab_name');
  assert.equal(safeEntryPath('ok/één.bin'), 'ok/één.bin');
});
