// The page's side of the hashing worker (hash_worker.js), over the shared worker bridge: progress
// events, and every pending request rejected if the worker fails.
import { WorkerBridge } from './transfer/worker_bridge.js';

let bridge = null;

// A call to the worker, made on first use; a browser without workers rejects it.
function call(method, args, options) {
  try {
    bridge ??= new WorkerBridge(new Worker(new URL('./hash_worker.js', import.meta.url), { type: 'module' }));
  } catch (error) {
    return Promise.reject(error);
  }
  return bridge.call(method, args, options);
}

// Resolves to {hex, bytes, ms, implementation}; the file is read in slices, never whole.
export function hashFile(file, onProgress) {
  const report = onProgress ? ({ bytesDone, bytesTotal }) => onProgress(bytesDone, bytesTotal) : null;
  return call('hash', [file], { onProgress: report });
}

// Resolves to {implementation}: "simd128" or "portable".
export function engineInfo() {
  return call('info');
}
