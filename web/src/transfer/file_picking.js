// Turns what the user gives the room (a drop of files and folders, the file input, the folder
// input) into transfer entries: [{file, path}] with the path relative to what was dropped.

// Every file under a dropped entry; folders are walked with the (non-standard but universal)
// webkitGetAsEntry API, since DataTransfer.files lists a dropped folder as one useless item.
async function walk(entry, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\/+/, '') || file.name });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = entry.createReader();
  // readEntries returns the children in chunks (100 at a time in Chromium) until it returns [].
  for (;;) {
    const children = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (children.length === 0) break;
    for (const child of children) await walk(child, out);
  }
}

export async function entriesFromDrop(dataTransfer) {
  const items = [...(dataTransfer?.items ?? [])].filter((i) => i.kind === 'file');
  // Entries must be taken synchronously, before any await, or the DataTransfer is emptied.
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...(dataTransfer?.files ?? [])].map((file) => ({ file, path: file.name }));
  const out = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}

// <input type=file multiple> or <input type=file webkitdirectory>: the folder input names each
// file by its path inside the chosen folder (webkitRelativePath).
export function entriesFromInput(input) {
  return [...(input.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
