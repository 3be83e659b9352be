// The transfer list of the room, made of three views: the send controls (send_controls.js: "send
// to", drop zone and inputs, storage bar), the batches (batch_view.js) and their progress rows
// (progress_row.js). It also connects the mesh's peer events to the engine (attachPeer is
// idempotent, so main.js doing the same is harmless).
import { BatchView } from './batch_view.js';
import { mountSendControls } from './send_controls.js';

export function mountTransferPanel(root, engine, mesh) {
  // The room view may give us its whole "Files" section with an empty list inside; render there.
  const container = root.querySelector('[data-testid=transfer-list]') ?? root;
  container.dataset.testid = 'transfer-list';
  container.classList.add('transfer-list');
  (globalThis.__cieloweb ??= {}).engine = engine; // read by the browser tests
  const peerName = (id) => mesh?.peerList?.().find((p) => p.id === id)?.name ?? id;

  // ---- mesh -> engine ----
  if (mesh) {
    for (const link of mesh.links?.() ?? []) engine.attachPeer(link);
    mesh.addEventListener('peer-open', (e) => engine.attachPeer(e.detail));
    mesh.addEventListener('peer-closed', (e) => engine.detachPeer(e.detail.peerId));
    mesh.addEventListener('peer-left', (e) => engine.detachPeer(e.detail.peerId));
  }
  const controls = mountSendControls(root, container, engine);
  const batches = new BatchView(container, engine, peerName);
  document.addEventListener('languagechange', () => {
    controls.relabel();
    batches.renderAll();
  });
}
