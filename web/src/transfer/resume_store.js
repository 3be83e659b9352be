// IndexedDB: what a receiver needs to continue a file after the tab reloads. One record per file
// identity (the key the core gives an offer's identity, offer.file.key), holding the core's resume
// state text (wasm/include/cieloweb/resume.hpp, limited by the core to the blocks committed on disk:
// sink.js) as is, and the batch (folder) the partial data lives in. Nothing here reads the state.
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

export const resumeStore = {
  // record: {key, batch, path, state (the core's text), segments: [committed indices], savedAt}
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
