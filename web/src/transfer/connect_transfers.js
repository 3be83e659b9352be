// Wires a room's peer mesh to a transfer engine and mounts the transfer panel in `root` (offers
// waiting for a decision in `offers`, at the room's top):
// each verified peer (peer-open, with its PeerLink) is attached to the engine, a dropped or departed
// one detached. Returns disconnect(): every peer detached, the panel unmounted, the engine closed;
// the room page calls it when it unmounts.
import { forgetTestHook } from '../test_hooks.js';
import { mountTransferPanel } from './transfer_panel.js';

export function connectTransfers(engine, mesh, root, offers = null) {
  const abort = new AbortController();
  const options = { signal: abort.signal };
  const attached = new Set();
  // A worker engine's calls reject once it is closed (the room was left while they were on their
  // way): nothing is left to do for them then.
  const settle = (call) => call.catch((error) => console.debug('transfer engine:', error.message));
  const attach = (link) => {
    if (attached.has(link.id)) settle(engine.detachPeer(link.id)); // a reconnect brings a new PeerLink
    attached.add(link.id);
    settle(engine.attachPeer(link));
  };
  const detach = (peerId) => {
    if (attached.delete(peerId)) settle(engine.detachPeer(peerId));
  };
  mesh.addEventListener('peer-open', (e) => attach(e.detail), options);
  mesh.addEventListener('peer-closed', (e) => detach(e.detail.peerId), options);
  mesh.addEventListener('peer-left', (e) => detach(e.detail.peerId), options);
  // A peer blocked after it opened (say, a renegotiation named another certificate) gets no more.
  mesh.addEventListener('peer-blocked', (e) => detach(e.detail.peerId), options);
  for (const link of mesh.links()) attach(link);
  const unmountPanel = mountTransferPanel(root, engine, mesh, offers);
  document.body.dataset.transfers = 'ready';

  return function disconnect() {
    abort.abort();
    for (const peerId of [...attached]) detach(peerId);
    unmountPanel();
    engine.close();
    forgetTestHook('engine', engine);
  };
}
