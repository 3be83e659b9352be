// Wires a room's peer mesh to a transfer engine and mounts the transfer panel in `root`:
// each verified peer (peer-open, with its PeerLink) is attached to the engine, a dropped or departed
// one detached. Returns disconnect(): every peer detached, the panel unmounted, the engine closed;
// the room page calls it when it unmounts.
import { mountTransferPanel } from './transfer_panel.js';

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
  const unmountPanel = mountTransferPanel(root, engine, mesh);
  document.body.dataset.transfers = 'ready';

  return function disconnect() {
    abort.abort();
    for (const peerId of [...attached]) detach(peerId);
    unmountPanel();
    engine.close();
  };
}
