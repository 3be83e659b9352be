// The transfer panel's controls: the "send to" selector, the room view's file/folder inputs (found
// by data-testid through event delegation, so the room view may render them before or after us),
// files dropped or pasted anywhere on the page (page_sending.js), and the storage bar (what
// received files take, and a way to clear them).
import { iconLabel, setLabel } from '../app/icons.js';
import { formatBytes } from '../i18n.js';
import { offerSharedFiles } from '../app/shared_files.js';
import { entriesFromInput } from './file_picking.js';
import { listenForPageSending } from './page_sending.js';
import { el } from './panel_dom.js';
import { tr } from './strings.js';

const DROP_ZONE = '[data-testid=room-drop-zone]';

// Returns {refreshTargets(), relabel()}. The document listeners end with `signal` (the room's panel
// unmounted), so a room that was left never takes the next room's files.
export function mountSendControls(root, container, engine, signal) {
  const listening = { signal };
  const target = el('select', { 'data-testid': 'peer-select', 'aria-label': tr('sendTo') });
  const targetLabel = el('label', { class: 'send-target' }, el('span', { text: tr('sendTo') }), target);
  function refreshTargets() {
    const chosen = target.value;
    const peers = [...engine.peers.values()].filter((p) => p.attached);
    target.replaceChildren(
      el('option', { value: '', text: tr('everyone') }),
      ...peers.map((p) => el('option', { value: p.id, text: p.name || p.id })),
    );
    target.value = peers.some((p) => p.id === chosen) ? chosen : '';
    const zone = root.querySelector(DROP_ZONE) ?? document.querySelector(DROP_ZONE);
    if (zone && !zone.contains(targetLabel)) zone.append(targetLabel);
    else if (!zone && !targetLabel.isConnected) container.prepend(targetLabel);
  }
  function send(entries) {
    if (entries.length === 0) return;
    engine.sendFiles(entries, target.value ? [target.value] : undefined);
  }
  listenForPageSending(send, signal);
  document.addEventListener(
    'change',
    (e) => {
      const id = e.target.dataset?.testid;
      if (id !== 'room-file-input' && id !== 'room-folder-input') return;
      send(entriesFromInput(e.target));
      e.target.value = '';
    },
    listening,
  );
  engine.addEventListener('peers-changed', refreshTargets);
  refreshTargets();
  offerSharedFiles(engine, send, signal, root); // files shared to the app: asked about once a peer is there
  const storage = mountStorageBar(root, engine);
  return {
    refreshTargets,
    relabel() {
      refreshTargets();
      targetLabel.querySelector('span').textContent = tr('sendTo');
      storage.relabel();
    },
  };
}

function mountStorageBar(root, engine) {
  const usage = el('span', { 'data-testid': 'storage-usage' });
  const clearButton = el('button', {
    type: 'button',
    class: 'button secondary',
    'data-testid': 'clear-received',
    onclick: () => clearReceived(),
  });
  clearButton.append(...iconLabel('trash', tr('clearReceived')));
  root.append(el('div', { class: 'storage-bar', 'data-testid': 'storage-bar' }, usage, ' ', clearButton));
  let lastUsage = null;
  function showUsage(u) {
    lastUsage = u;
    usage.dataset.bytes = String(u.bytes);
    usage.textContent = tr('storageUsed', { size: formatBytes(u.bytes) });
    clearButton.disabled = u.bytes === 0 && u.batches === 0;
  }
  const refreshUsage = () =>
    Promise.resolve(engine.storageUsage?.())
      .then((u) => u && showUsage(u))
      .catch(() => {});
  async function clearReceived() {
    clearButton.disabled = true;
    const u = await engine.clearReceived();
    if (u) showUsage(u);
  }
  engine.addEventListener('storage-changed', (e) => showUsage(e.detail));
  engine.addEventListener('batch-complete', refreshUsage);
  refreshUsage();
  return {
    relabel() {
      setLabel(clearButton, tr('clearReceived'));
      if (lastUsage) showUsage(lastUsage);
    },
  };
}
