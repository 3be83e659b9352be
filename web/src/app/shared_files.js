// Files shared to the app from another app (the manifest's Web Share Target): the service worker
// (web/src/sw.js) keeps them in IndexedDB, on this device only, and sends the tab to /share#<id>.
// The share page (pages/share.js) marks the share as this tab's; the room entered next in the tab
// offers its files, as if they were picked, once someone is there to receive them
// (offerSharedFiles, called by the room's send controls). A share older than an hour is dropped.
const DB_NAME = 'cieloweb-share'; // the service worker's names: keep them in step
const STORE = 'shares';
const TTL_MS = 60 * 60 * 1000;
const TAB_KEY = 'cieloweb.share'; // sessionStorage: the id of this tab's waiting share

function openShares() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function withStore(mode, work) {
  const db = await openShares();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// The id of the share waiting in this tab, or null.
export function tabShareId() {
  try {
    return sessionStorage.getItem(TAB_KEY);
  } catch {
    return null;
  }
}

export function markTabShare(id) {
  sessionStorage.setItem(TAB_KEY, id);
}

// {id, at, files: [File]} of a waiting share, or null (none, gone, or too old: then dropped).
export async function readShare(id) {
  if (!id || !('indexedDB' in globalThis)) return null;
  const share = await withStore('readonly', (store) => store.get(id)).catch(() => null);
  if (share && Date.now() - share.at <= TTL_MS) return share;
  if (share) await forgetShare(id);
  return null;
}

// Drops the share (the tab's mark too). Files already handed to the transfer engine stay
// readable: the browser keeps a stored file while something still refers to it.
export async function forgetShare(id) {
  if (tabShareId() === id) sessionStorage.removeItem(TAB_KEY);
  await withStore('readwrite', (store) => store.delete(id)).catch(() => {});
}

// The room's hook (transfer/send_controls.js): once a peer is attached to `engine`, the tab's
// waiting share goes to `send` (what the room does with picked files) and is forgotten. Nothing
// happens without a share marked in this tab; `signal` ends the wait when the room is left.
export function offerSharedFiles(engine, send, signal) {
  const id = tabShareId();
  if (!id) return;
  let taken = false;
  const offer = async () => {
    if (taken || signal.aborted || ![...engine.peers.values()].some((p) => p.attached)) return;
    taken = true;
    const share = await readShare(id);
    if (signal.aborted) {
      taken = false; // the room was left first: the share waits for the next one
      return;
    }
    await forgetShare(id);
    if (share) send(share.files.map((file) => ({ file, path: file.name })));
  };
  engine.addEventListener('peers-changed', offer, { signal });
  offer();
}
