// IndexedDB: what a receiver needs to continue a file after the tab reloads. One record per file
// identity (name, size, modification time, block 0's check: what the sender's offer names), holding
// the Receiver's resumeState() limited to blocks that are committed on disk (see sink.js), and the
// batch (folder) the partial data lives in.
const DB_NAME = 'cieloweb-transfer';
const STORE = 'resume';

let dbPromise = null;

function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: 'key' });
      store.createIndex('batch', 'batch');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return dbPromise;
}

async function run(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// file: the offer's identity as decodeControl returns it ({name, size, mtimeMs, firstBlock}).
export function identityKey(file) {
  return JSON.stringify([file.name, file.size, file.mtimeMs, file.firstBlock]);
}

// Keeps only the verified blocks inside `ranges` ([[first, last), …]) in a resumeState() JSON.
export function limitState(stateJson, ranges) {
  const state = JSON.parse(stateJson);
  const inside = (b) => ranges.some(([first, last]) => b >= first && b < last);
  const verified = [];
  for (const [first, last] of state.verified) {
    for (const [a, b] of ranges) {
      const lo = Math.max(first, a);
      const hi = Math.min(last, b);
      if (lo < hi) verified.push([lo, hi]);
    }
  }
  verified.sort((x, y) => x[0] - y[0]);
  state.verified = verified;
  state.checks = state.checks.filter(([block]) => inside(block));
  return JSON.stringify(state);
}

export const resumeStore = {
  // record: {key, batch, path, state (JSON), segments: [committed indices], savedAt}
  put(record) {
    return run('readwrite', (store) => store.put({ ...record, savedAt: Date.now() })).catch(() => {});
  },
  get(key) {
    return run('readonly', (store) => store.get(key)).catch(() => undefined);
  },
  delete(key) {
    return run('readwrite', (store) => store.delete(key)).catch(() => {});
  },
  byBatch(batch) {
    return run('readonly', (store) => store.index('batch').getAll(batch)).catch(() => []);
  },
  all() {
    return run('readonly', (store) => store.getAll()).catch(() => []);
  },
};
