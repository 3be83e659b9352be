// The page's side of the hashing worker: one request at a time, progress events, cancellable.
let worker = null;
let nextId = 1;
const pending = new Map();

function ensureWorker() {
  if (worker) return worker;
  worker = new Worker(new URL('./hash_worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const request = pending.get(data.id);
    if (!request) return;
    if (data.type === 'progress') {
      request.onProgress?.(data.bytesDone, data.bytesTotal);
      return;
    }
    pending.delete(data.id);
    if (data.type === 'done') request.resolve(data);
    else request.reject(new Error(data.error));
  };
  worker.onerror = (event) => {
    for (const request of pending.values()) request.reject(new Error(event.message || 'worker failed'));
    pending.clear();
  };
  return worker;
}

// Resolves to {hex, bytes, ms, implementation}; the file is read in slices, never whole.
export function hashFile(file, onProgress) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    ensureWorker().postMessage({ type: 'hash', id, file });
  });
}

export function engineInfo() {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    ensureWorker().postMessage({ type: 'info', id });
  });
}
