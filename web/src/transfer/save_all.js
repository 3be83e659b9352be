// "Save all" for a received batch: its files with their folders intact. Where the browser lets the
// page write into a folder the person chooses (Chromium's showDirectoryPicker), the tree is written
// there file by file, streamed from the received copies; elsewhere (Firefox, Safari) the batch is
// one zip (zip_stored.js) that the browser's download writes from the files themselves. Either way
// nothing is held whole in memory, and an existing file in the chosen folder is never overwritten.
import { crc32OfBlob, safeEntryPath, zipParts } from './zip_stored.js';

// batch: [{path, blob}] with '/'-separated relative paths (made safe by zip_stored.js's
// safeEntryPath: the sender chose them). onProgress(done, total) in bytes. Resolves to {how: 'folder' |
// 'zip', name} or rejects (AbortError when the person closed the folder picker).
export async function saveAll(batch, { archiveName, onProgress = () => {} } = {}) {
  // Every path is checked (and made safe) before anything is written: one bad name refuses the
  // whole batch up front, never after half of it.
  const files = batch.map(({ path, blob }) => ({ path: safeEntryPath(path), blob }));
  const total = files.reduce((sum, f) => sum + f.blob.size, 0);
  if (typeof globalThis.showDirectoryPicker === 'function') {
    const folder = await globalThis.showDirectoryPicker({ mode: 'readwrite' });
    await writeTree(folder, files, total, onProgress);
    return { how: 'folder', name: folder.name };
  }
  const name = await downloadZip(files, archiveName, total, onProgress);
  return { how: 'zip', name };
}

// "name.ext", "name (1).ext", "name (2).ext", ...: the first that `exists` says is free.
async function freeName(name, exists) {
  if (!(await exists(name))) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n += 1) {
    const candidate = `${stem} (${n})${ext}`;
    if (!(await exists(candidate))) return candidate;
  }
}

async function writeTree(root, files, total, onProgress) {
  let done = 0;
  for (const { path, blob } of files) {
    const segments = path.split('/'); // made safe by saveAll
    let dir = root;
    for (const folder of segments.slice(0, -1)) dir = await dir.getDirectoryHandle(folder, { create: true });
    const exists = (n) =>
      dir.getFileHandle(n).then(
        () => true,
        () => false,
      );
    const handle = await dir.getFileHandle(await freeName(segments.at(-1), exists), { create: true });
    const writable = await handle.createWritable();
    const counted = new TransformStream({
      transform(chunk, controller) {
        done += chunk.byteLength;
        onProgress(done, total);
        controller.enqueue(chunk);
      },
    });
    await blob.stream().pipeThrough(counted).pipeTo(writable); // closes the file when done
  }
}

async function downloadZip(files, archiveName, total, onProgress) {
  // Reading each file once for its CRC-32 is the whole cost: the archive itself is made of the
  // files (a Blob of Blobs), so the download streams them straight to disk.
  let done = 0;
  const entries = [];
  for (const { path, blob } of files) {
    const crc32 = await crc32OfBlob(blob, (n) => {
      done += n;
      onProgress(done, total);
    });
    entries.push({ path, blob, crc32 });
  }
  const { parts } = zipParts(entries);
  const url = URL.createObjectURL(new Blob(parts, { type: 'application/zip' }));
  const name = `${archiveName || 'cieloweb'}.zip`;
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference to the Blob once it started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
