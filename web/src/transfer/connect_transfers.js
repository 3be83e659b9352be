// Wires a room's peer mesh to a transfer engine and mounts the transfer panel in `root`:
// each verified peer (peer-open, with its PeerLink) is attached to the engine, a dropped or departed
// one detached. Returns disconnect(): every peer detached, the panel's document listeners removed,
// the engine closed; the room page calls it when it unmounts.
import { mountTransferPanel } from './transfer_panel.js';

// Ends an engine made for one room: its worker (and the transfers running there) stop, as they
// did when a reload ended the page.
export function closeEngine(engine) {
  if (typeof engine?.close === 'function') engine.close();
  else engine?.worker?.terminate();
}

// Runs mount() and returns what it wired to `document` (type, listener, options), so it can be
// removed again: the panel listens on document for the room's drop zone and inputs, and a panel of
// a room that was left must not take the next room's files.
function documentListenersOf(mount) {
  const wired = [];
  const original = document.addEventListener;
  document.addEventListener = function (type, listener, options) {
    wired.push([type, listener, options]);
    return original.call(this, type, listener, options);
  };
  try {
    return { result: mount(), wired };
  } finally {
    document.addEventListener = original;
  }
}

export function connectTransfers(engine, mesh, root) {
  const abort = new AbortController();
  const options = { signal: abort.signal };
  const attached = new Set();
  const attach = (link) => {
    if (attached.has(link.id)) engine.detachPeer(link.id); // a reconnect brings a new PeerLink
    attached.add(link.id);
    engine.attachPeer(link);
  };
  const detach = (peerId) => {
    if (attached.delete(peerId)) engine.detachPeer(peerId);
  };
  mesh.addEventListener('peer-open', (e) => attach(e.detail), options);
  mesh.addEventListener('peer-closed', (e) => detach(e.detail.peerId), options);
  mesh.addEventListener('peer-left', (e) => detach(e.detail.peerId), options);
  for (const link of mesh.links()) attach(link);
  const panel = documentListenersOf(() => mountTransferPanel(root, engine, mesh));
  document.body.dataset.transfers = 'ready';

  return function disconnect() {
    abort.abort();
    for (const peerId of [...attached]) detach(peerId);
    if (typeof panel.result === 'function') panel.result(); // a panel that unmounts itself
    for (const [type, listener, listenerOptions] of panel.wired) document.removeEventListener(type, listener, listenerOptions);
    closeEngine(engine);
  };
}
