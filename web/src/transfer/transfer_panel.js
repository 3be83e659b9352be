// The transfer list of the room: incoming offers (names, count, total size, Accept/Decline),
// per-file and per-peer progress with speed and ETA, the verified BLAKE3 and a Save link, Cancel
// and Retry. It also wires the room view's drop zone and file/folder inputs (found by data-testid
// through event delegation, so the room view may render them before or after us) and a "send to"
// selector, and connects the mesh's peer events to the engine (attachPeer is idempotent, so
// main.js doing the same is harmless).
import { formatBytes, formatRate } from '../i18n.js';
import { entriesFromDrop, entriesFromInput } from './file_picking.js';
import { progressRowId } from './progress_painter.js';
import { formatDuration, tr } from './strings.js';

const DROP_ZONE = '[data-testid=room-drop-zone]';
// Batches shown at once; finished ones beyond this leave the list, oldest first (their files stay
// in storage, counted in the usage line and cleared with it).
const MAX_SHOWN_BATCHES = 200;
const FINISHED = new Set(['done', 'declined', 'cancelled']);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function setIfChanged(node, property, value) {
  if (node[property] !== value) node[property] = value;
}

export function mountTransferPanel(root, engine, mesh) {
  // The room view may give us its whole "Files" section with an empty list inside; render there.
  const container = root.querySelector('[data-testid=transfer-list]') ?? root;
  container.dataset.testid = 'transfer-list';
  container.classList.add('transfer-list');
  (globalThis.__cieloweb ??= {}).engine = engine; // read by the browser tests
  const batches = new Map(); // batchId -> {detail, state, node, files: Map(key -> {node, peers: Map})}
  const announced = new Map(); // painted row id -> its last accessible percent
  const peerName = (id) => mesh?.peerList?.().find((p) => p.id === id)?.name ?? id;

  // ---- the "send to" selector and the inputs of the room view ----
  const target = el('select', { 'data-testid': 'peer-select', 'aria-label': tr('sendTo') });
  const targetLabel = el('label', { class: 'send-target' }, el('span', { text: tr('sendTo') }), target);
  function refreshTargets() {
    const chosen = target.value;
    const peers = [...engine.peers.values()].filter((p) => p.attached);
    target.replaceChildren(el('option', { value: '', text: tr('everyone') }), ...peers.map((p) => el('option', { value: p.id, text: p.name || p.id })));
    target.value = peers.some((p) => p.id === chosen) ? chosen : '';
    const zone = root.querySelector(DROP_ZONE) ?? document.querySelector(DROP_ZONE);
    if (zone && !zone.contains(targetLabel)) zone.append(targetLabel);
    else if (!zone && !targetLabel.isConnected) container.prepend(targetLabel);
  }
  function send(entries) {
    if (entries.length === 0) return;
    engine.sendFiles(entries, target.value ? [target.value] : undefined);
  }
  document.addEventListener('dragover', (e) => {
    if (e.target.closest?.(DROP_ZONE)) e.preventDefault();
  });
  document.addEventListener('drop', (e) => {
    if (!e.target.closest?.(DROP_ZONE)) return;
    e.preventDefault();
    entriesFromDrop(e.dataTransfer).then(send);
  });
  document.addEventListener('change', (e) => {
    const id = e.target.dataset?.testid;
    if (id !== 'room-file-input' && id !== 'room-folder-input') return;
    send(entriesFromInput(e.target));
    e.target.value = '';
  });

  // ---- mesh -> engine ----
  if (mesh) {
    for (const link of mesh.links?.() ?? []) engine.attachPeer(link);
    mesh.addEventListener('peer-open', (e) => engine.attachPeer(e.detail));
    mesh.addEventListener('peer-closed', (e) => engine.detachPeer(e.detail.peerId));
    mesh.addEventListener('peer-left', (e) => engine.detachPeer(e.detail.peerId));
  }
  engine.addEventListener('peers-changed', refreshTargets);
  refreshTargets();

  // ---- storage: what received files take, and a way to clear them ----
  const usage = el('span', { 'data-testid': 'storage-usage' });
  const clearButton = el('button', { type: 'button', 'data-testid': 'clear-received', text: tr('clearReceived'), onclick: () => clearReceived() });
  const storageBar = el('div', { class: 'storage-bar', 'data-testid': 'storage-bar' }, usage, ' ', clearButton);
  root.append(storageBar);
  let lastUsage = null;
  function showUsage(u) {
    lastUsage = u;
    usage.dataset.bytes = String(u.bytes);
    usage.textContent = tr('storageUsed', { size: formatBytes(u.bytes) });
    clearButton.disabled = u.bytes === 0 && u.batches === 0;
  }
  const refreshUsage = () => Promise.resolve(engine.storageUsage?.()).then((u) => u && showUsage(u)).catch(() => {});
  async function clearReceived() {
    clearButton.disabled = true;
    const u = await engine.clearReceived();
    if (u) showUsage(u);
  }
  refreshUsage();

  // ---- rendering ----
  function batchHeader(b) {
    const d = b.detail;
    const who = d.direction === 'in' ? tr('from', { name: d.peerName || peerName(d.peerId) }) : tr('to', { names: d.peers.map((p) => p.name).join(', ') });
    const count = d.count === 1 ? tr('oneFile') : tr('files', { count: d.count });
    const buttons = [];
    if (d.direction === 'in' && b.state === 'offered' && !d.refused) {
      buttons.push(el('button', { 'data-testid': 'accept-batch', text: tr('accept'), onclick: () => engine.accept(d.batchId) }));
      buttons.push(el('button', { 'data-testid': 'decline-batch', text: tr('decline'), onclick: () => engine.decline(d.batchId) }));
    }
    if (b.state === 'active' || (d.direction === 'out' && b.state === 'offered')) {
      buttons.push(el('button', { 'data-testid': 'cancel-batch', text: tr('cancel'), onclick: () => engine.cancel(d.batchId) }));
    }
    if (d.direction === 'out' && b.state === 'done' && !b.ok) {
      buttons.push(el('button', { 'data-testid': 'retry-batch', text: tr('retry'), onclick: () => engine.retry(d.batchId) }));
    }
    if (FINISHED.has(b.state)) {
      buttons.push(el('button', { 'data-testid': 'dismiss-batch', text: tr('dismiss'), title: tr('dismissLabel'), 'aria-label': tr('dismissLabel'), onclick: () => engine.dismiss(d.batchId) }));
    }
    const refused = d.refused === 'storage' ? tr('refusedStorage', { size: formatBytes(d.totalSize), available: formatBytes(d.available) }) : null;
    const changed = b.changed && b.state === 'offered' ? tr('changedBySender', { path: b.changed }) : null;
    const status = refused ?? changed ?? { declined: tr('declined'), cancelled: tr('cancelled') }[b.state] ?? (b.state === 'done' && b.ok ? tr('completed') : '');
    return el('header', {}, el('strong', { text: who }), ` · ${count} · ${formatBytes(d.totalSize)} `,
      el('span', { 'data-testid': 'batch-status', text: status }), ...buttons);
  }

  function peerRow(file, peerId) {
    let row = file.peers.get(peerId);
    if (!row) {
      const status = el('span', { class: 'status', 'data-testid': 'file-status' });
      const progress = engine.paintsProgress ? paintedProgress(progressRowId(file.key, peerId)) : domProgress();
      const node = el('div', { class: 'transfer-peer', 'data-peer-id': peerId }, el('span', { class: 'peer', text: peerName(peerId) }), ...progress.nodes, status);
      row = { node, status, ...progress };
      file.peers.set(peerId, row);
      file.node.querySelector('.peers').append(node);
    }
    return row;
  }

  // Progress drawn by the page: a <progress>, the speed and the ETA, updated on every tick. Only
  // what changed is written: an unchanged text node costs no style or layout work.
  function domProgress() {
    const bar = el('progress', { max: '1', value: '0', 'data-testid': 'file-progress' });
    const speed = el('span', { class: 'speed', 'data-testid': 'file-speed' });
    const eta = el('span', { class: 'eta', 'data-testid': 'file-eta' });
    return {
      nodes: [bar, speed, eta],
      update(d) {
        setIfChanged(bar, 'value', d.total > 0 ? d.bytes / d.total : 0);
        setIfChanged(speed, 'textContent', formatRate(d.speed));
        setIfChanged(eta, 'textContent', d.eta === null ? '' : tr('eta', { time: formatDuration(d.eta) }));
      },
      finish(ok) {
        if (ok) bar.value = 1;
        speed.textContent = '';
        eta.textContent = '';
      },
    };
  }

  // Progress drawn by the transfer worker on a canvas handed over to it (progress_painter.js): a
  // tick then costs this page's main thread nothing. The canvas goes over once it has a size.
  function paintedProgress(rowId) {
    // For screen readers a progressbar whose value the worker moves in steps of 10 % (the drawn
    // speed and ETA are not read out: updating them would wake this thread on every tick).
    const canvas = el('canvas', { class: 'progress-canvas', 'data-testid': 'file-progress-canvas', 'data-row': rowId, role: 'progressbar',
      'aria-label': tr('progressLabel'), 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(announced.get(rowId) ?? 0) });
    let handedOver = false;
    new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      if (width === 0 || height === 0) return;
      const size = { width, height, dpr: devicePixelRatio || 1 };
      if (handedOver) {
        engine.resizeProgress(rowId, size);
        return;
      }
      handedOver = true;
      const style = getComputedStyle(canvas);
      engine.paintProgress(rowId, canvas, size, {
        accent: style.getPropertyValue('--accent').trim() || '#1f6feb',
        track: 'rgba(127, 127, 127, 0.25)',
        text: style.color,
        font: `${style.fontSize} ${style.fontFamily}`,
      });
    }).observe(canvas);
    return {
      nodes: [canvas],
      update() {},
      step(percent) {
        announced.set(rowId, percent); // a re-drawn batch starts from it
        canvas.setAttribute('aria-valuenow', String(percent));
      },
      // Done: a plain bar takes the canvas's place, and the worker lets the canvas go, so a long
      // session or a big folder keeps no canvas per finished file.
      finish(ok) {
        if (ok) this.step(100);
        const percent = announced.get(rowId) ?? 0;
        canvas.replaceWith(el('progress', { class: 'progress-done', max: '100', value: String(percent), 'data-testid': 'file-progress', 'data-row': rowId }));
        engine.dropProgress(rowId);
      },
      drop: () => engine.dropProgress(rowId),
    };
  }

  function renderBatch(b) {
    const d = b.detail;
    const list = el('ul', { class: 'files' });
    b.files = new Map();
    for (const f of d.files) {
      const node = el('li', { class: 'transfer-file', 'data-testid': 'transfer-file', 'data-path': f.path, 'data-key': f.key },
        el('span', { class: 'name', text: f.path }), el('span', { class: 'size', text: ` ${formatBytes(f.size)}` }),
        el('div', { class: 'peers' }),
        el('div', { class: 'result' }));
      list.append(node);
      b.files.set(f.key, { node, peers: new Map(), path: f.path, key: f.key });
    }
    const node = el('article', { class: 'transfer-batch', 'data-testid': 'transfer-batch', 'data-batch-id': d.batchId, 'data-direction': d.direction },
      batchHeader(b), list);
    b.node?.replaceWith(node);
    b.node = node;
    if (!node.isConnected) container.prepend(node);
    if (engine.paintsProgress && b.state !== 'declined' && b.state !== 'cancelled') {
      // Painted rows exist from the start: no 'progress' event comes to make them.
      const peerIds = d.direction === 'in' ? [d.peerId] : d.peerIds ?? d.peers.map((p) => p.id);
      for (const file of b.files.values()) for (const id of peerIds) peerRow(file, id);
    }
    for (const ev of b.log ?? []) apply(ev.type, ev.detail, false);
  }

  function refreshHeader(b) {
    b.node.querySelector('header').replaceWith(batchHeader(b));
  }

  // Events of a batch not shown yet (an offer refused while its batch waited for the storage
  // check): kept, bounded, and applied when it appears.
  const early = new Map();
  function apply(type, d, record = true) {
    const b = batches.get(d.batchId);
    if (!b) {
      if (!record || type === 'progress' || type === 'progress-step') return;
      if (!early.has(d.batchId) && early.size >= MAX_SHOWN_BATCHES) early.delete(early.keys().next().value);
      const list = early.get(d.batchId) ?? [];
      if (list.length < 1000) list.push({ type, detail: d });
      early.set(d.batchId, list);
      return;
    }
    if (record && type !== 'progress' && type !== 'progress-step') (b.log ??= []).push({ type, detail: d });
    const file = b.files.get(d.key);
    if (!file) return;
    if (type === 'progress') {
      peerRow(file, d.peerId).update(d);
    } else if (type === 'progress-step') {
      peerRow(file, d.peerId).step?.(d.percent);
    } else if (type === 'file-complete') {
      const row = peerRow(file, d.peerId);
      row.finish(true);
      row.status.textContent = tr('completed');
      const result = file.node.querySelector('.result');
      if (!result.querySelector('[data-testid=file-hash]')) {
        result.append(el('span', { text: `${tr('verified')}: ` }), el('code', { 'data-testid': 'file-hash', 'data-path': file.path, text: d.rootHex }));
      }
      if (d.file && !result.querySelector('[data-testid=save-link]')) {
        file.url ??= URL.createObjectURL(d.file); // the OPFS-backed File: no copy in memory
        result.append(' ', el('a', { 'data-testid': 'save-link', 'data-path': file.path, href: file.url, download: file.path.split('/').pop(), text: tr('save') }));
      }
    } else if (type === 'file-failed') {
      const row = peerRow(file, d.peerId);
      row.finish(false);
      row.status.textContent = tr('failed', { reason: d.reason });
      row.node.dataset.failed = 'true';
      file.node.dataset.reason = d.reason;
    } else if (type === 'file-started' && d.resumed) {
      peerRow(file, d.peerId).status.textContent = tr('resumed');
    }
  }

  function addBatch(detail, state) {
    const b = { detail, state, log: early.get(detail.batchId) ?? [] };
    early.delete(detail.batchId);
    batches.set(detail.batchId, b);
    renderBatch(b);
    for (const [id, old] of batches) {
      if (batches.size <= MAX_SHOWN_BATCHES) break;
      if (FINISHED.has(old.state)) removeBatch(id);
    }
  }
  function removeBatch(batchId) {
    const b = batches.get(batchId);
    if (!b) return;
    for (const file of b.files?.values() ?? []) {
      if (file.url) URL.revokeObjectURL(file.url);
      for (const row of file.peers.values()) row.drop?.();
    }
    b.node?.remove();
    batches.delete(batchId);
  }
  engine.addEventListener('batch-offered', (e) => addBatch(e.detail, 'offered'));
  engine.addEventListener('batch-sent', (e) => addBatch(e.detail, 'active'));
  engine.addEventListener('batch-dismissed', (e) => removeBatch(e.detail.batchId));
  engine.addEventListener('storage-changed', (e) => showUsage(e.detail));
  engine.addEventListener('batch-complete', refreshUsage);
  const setState = (state) => (e) => {
    const b = batches.get(e.detail.batchId);
    if (!b || b.state === 'done' || b.state === 'declined' || b.state === 'cancelled') return;
    b.state = state;
    if (state === 'done') b.ok = e.detail.ok;
    refreshHeader(b);
  };
  engine.addEventListener('batch-accepted', (e) => {
    const b = batches.get(e.detail.batchId);
    if (b) b.changed = null;
    setState('active')(e);
  });
  // A file changed on the sender's side: Accept and Decline come back for its new version.
  engine.addEventListener('batch-reoffered', (e) => {
    const b = batches.get(e.detail.batchId);
    if (!b || FINISHED.has(b.state)) return;
    b.state = 'offered';
    b.changed = e.detail.path;
    refreshHeader(b);
  });
  engine.addEventListener('batch-declined', setState('declined'));
  engine.addEventListener('batch-complete', setState('done'));
  // With the worker painting progress, the page takes no 'progress' events at all, only a step
  // every 10 % for the row's accessible value.
  for (const type of [engine.paintsProgress ? 'progress-step' : 'progress', 'file-complete', 'file-failed', 'file-started']) {
    engine.addEventListener(type, (e) => apply(type, e.detail));
  }
  engine.addEventListener('peer-replaced', (e) => {
    for (const b of batches.values()) {
      for (const f of b.files.values()) {
        const row = f.peers.get(e.detail.oldPeerId);
        row?.node.remove();
        row?.drop?.(); // the worker forgets its canvas
      }
    }
  });
  document.addEventListener('languagechange', () => {
    refreshTargets();
    clearButton.textContent = tr('clearReceived');
    if (lastUsage) showUsage(lastUsage);
    targetLabel.querySelector('span').textContent = tr('sendTo');
    for (const b of batches.values()) renderBatch(b);
  });
}
