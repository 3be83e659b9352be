// Files shared to the app from another app (the manifest's Web Share Target): the service worker
// (web/src/sw.js) keeps them in IndexedDB, on this device only, and sends the tab to /share#<id>.
// The share page (pages/share.js) marks the share as this tab's only when the person makes or
// opens a room there; that room then asks, once someone is there to receive them, whether to send
// the files (offerSharedFiles, called by the room's send controls): nothing is offered without that
// click, since any site can post files to /share. A share older than an hour is dropped.
import { addMessages, formatBytes, t } from '../i18n.js';
import { el } from '../transfer/panel_dom.js';
const DB_NAME = 'cieloweb-share'; // the service worker's names: keep them in step
const STORE = 'shares';
const TTL_MS = 60 * 60 * 1000;
const TAB_KEY = 'cieloweb.share'; // sessionStorage: the id of the share this tab's next room asks about
const VIEWED_KEY = 'cieloweb.share.viewed'; // sessionStorage: the share the /share page shows

addMessages({
  en: {
    sharedAsk: 'Files shared to this app: {count} ({size}). Send them to this room?',
    sharedSend: 'Send them',
    sharedDrop: 'Discard',
  },
  nl: {
    sharedAsk: 'Bestanden gedeeld met deze app: {count} ({size}). Naar deze ruimte sturen?',
    sharedSend: 'Verstuur ze',
    sharedDrop: 'Weggooien',
  },
});

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

export function markViewedShare(id) {
  sessionStorage.setItem(VIEWED_KEY, id);
}

export function viewedShareId() {
  try {
    return sessionStorage.getItem(VIEWED_KEY);
  } catch {
    return null;
  }
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
  if (viewedShareId() === id) sessionStorage.removeItem(VIEWED_KEY);
  await withStore('readwrite', (store) => store.delete(id)).catch(() => {});
}

// The room's hook (transfer/send_controls.js): once a peer is attached to `engine`, the room
// asks (in `root`) whether to send the tab's waiting share; "Send them" hands the files to `send`
// (what the room does with picked files), either answer forgets the share. Nothing happens without
// a share marked in this tab; `signal` ends the wait when the room is left (the share then waits
// for the next room of the tab, which asks again).
export function offerSharedFiles(engine, send, signal, root) {
  const id = tabShareId();
  if (!id) return;
  let asked = false;
  const ask = async () => {
    if (asked || signal.aborted || ![...engine.peers.values()].some((p) => p.attached)) return;
    asked = true;
    const share = await readShare(id);
    if (signal.aborted || !share) return;
    const size = share.files.reduce((sum, file) => sum + file.size, 0);
    const done = async (sending) => {
      question.remove();
      await forgetShare(id);
      if (sending) send(share.files.map((file) => ({ file, path: file.name })));
    };
    const button = (testid, label, sending) =>
      el('button', {
        type: 'button',
        class: 'button',
        'data-testid': testid,
        text: t(label),
        onclick: () => done(sending),
      });
    const question = el(
      'p',
      { class: 'shared-ask', 'data-testid': 'shared-ask', role: 'status' },
      el('span', { text: t('sharedAsk', { count: share.files.length, size: formatBytes(size) }) }),
      ' ',
      button('shared-send', 'sharedSend', true),
      ' ',
      button('shared-drop', 'sharedDrop', false),
    );
    root.prepend(question);
    signal.addEventListener('abort', () => question.remove());
  };
  engine.addEventListener('peers-changed', ask, { signal });
  ask();
}
