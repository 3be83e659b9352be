// The transfer panel's list of batches: each incoming offer (names, count, total size,
// Accept/Decline) or sent batch, its files with a progress row per peer (progress_row.js), the
// verified BLAKE3 and a Save link, Cancel, Retry and Remove. Failure reasons arrive as codes
// (reasons.js) and are put in words here (strings.js); `data-reason` keeps the code.
// An offer that waits for this person's decision is shown at the top of the room (`offers`), not
// in the list; once decided it joins the list. The view is the one owner of what waits: it tells
// `onWaiting` (the tab title, notifications: offer_alerts.js) whenever that changes.
import { fileIcon, icon, iconLabel } from '../app/icons.js';
import { formatBytes } from '../i18n.js';
import { el } from './panel_dom.js';
import { progressRow } from './progress_row.js';
import { saveAllControl } from './save_all_control.js';
import { countText, reasonText, tr } from './strings.js';

// Batches shown at once; finished ones beyond this leave the list, oldest first (their files stay
// in storage, counted in the usage line and cleared with it).
const MAX_SHOWN_BATCHES = 200;
const FINISHED = new Set(['done', 'declined', 'cancelled']);

export class BatchView {
  // container: where batches are listed (newest first); peerName(id) -> the name to show;
  // offers: where offers waiting for a decision go (the list when not given); onWaiting([{batchId,
  // peerId, peerName, count, totalSize}]): called with every waiting offer each time that set changes.
  constructor(container, engine, peerName, { offers = container, onWaiting = () => {} } = {}) {
    this.container = container;
    this.offers = offers;
    this.onWaiting = onWaiting;
    this.waitingIds = '';
    this.engine = engine;
    this.peerName = peerName;
    this.batches = new Map(); // batchId -> {detail, state, node, files: Map(key -> {node, peers: Map})}
    this.announced = new Map(); // painted row id -> its last accessible percent
    // Events of a batch not shown yet (an offer refused while its batch waited for the storage
    // check): kept, bounded, and applied when it appears.
    this.early = new Map();
    this.listen();
  }

  listen() {
    const { engine } = this;
    engine.addEventListener('batch-offered', (e) => this.add(e.detail, 'offered'));
    engine.addEventListener('batch-sent', (e) => this.add(e.detail, 'active'));
    engine.addEventListener('batch-dismissed', (e) => this.remove(e.detail.batchId));
    const setState = (state) => (e) => {
      const b = this.batches.get(e.detail.batchId);
      if (!b || b.state === 'done' || b.state === 'declined' || b.state === 'cancelled') return;
      b.state = state;
      if (state === 'done') b.ok = e.detail.ok;
      this.refreshHeader(b);
    };
    engine.addEventListener('batch-accepted', (e) => {
      const b = this.batches.get(e.detail.batchId);
      if (b) b.changed = null;
      setState('active')(e);
    });
    // A file changed on the sender's side: Accept and Decline come back for its new version.
    engine.addEventListener('batch-reoffered', (e) => {
      const b = this.batches.get(e.detail.batchId);
      if (!b || FINISHED.has(b.state)) return;
      b.state = 'offered';
      b.changed = e.detail.path;
      this.refreshHeader(b);
    });
    engine.addEventListener('batch-declined', setState('declined'));
    engine.addEventListener('batch-complete', setState('done'));
    // With the worker painting progress, the page takes no 'progress' events at all, only a step
    // every 10 % for the row's accessible value.
    for (const type of [
      engine.paintsProgress ? 'progress-step' : 'progress',
      'file-complete',
      'file-failed',
      'file-started',
    ]) {
      engine.addEventListener(type, (e) => this.apply(type, e.detail));
    }
    engine.addEventListener('peer-replaced', (e) => {
      for (const b of this.batches.values()) {
        for (const f of b.files.values()) {
          const row = f.peers.get(e.detail.oldPeerId);
          row?.node.remove();
          row?.drop?.(); // the worker forgets its canvas
        }
      }
    });
  }

  // An incoming offer that waits for this person to accept or decline it.
  waits(b) {
    return b.detail.direction === 'in' && b.state === 'offered' && !b.detail.refused;
  }

  // The batch's node where it belongs: the offers at the top while it waits, else the list.
  place(b) {
    const where = this.waits(b) ? this.offers : this.container;
    if (b.node.parentNode !== where) where.prepend(b.node);
    this.waitingChanged();
  }

  waitingChanged() {
    const waiting = [...this.batches.values()].filter((b) => this.waits(b));
    const ids = waiting.map((b) => b.detail.batchId).join(' ');
    if (ids === this.waitingIds) return;
    this.waitingIds = ids;
    this.onWaiting(
      waiting.map(({ detail: d }) => ({
        batchId: d.batchId,
        peerId: d.peerId,
        peerName: d.peerName || this.peerName(d.peerId),
        count: d.count,
        totalSize: d.totalSize,
      })),
    );
  }

  header(b) {
    const { engine } = this;
    const d = b.detail;
    const name = d.direction === 'in' ? d.peerName || this.peerName(d.peerId) : '';
    const who =
      d.direction === 'in' ? tr('from', { name }) : tr('to', { names: d.peers.map((p) => p.name).join(', ') });
    const count = countText(d.count);
    const button = (testid, name, text, onclick, style = 'button secondary') =>
      el('button', { type: 'button', class: style, 'data-testid': testid, onclick }, ...iconLabel(name, text));
    const buttons = [];
    if (this.waits(b)) {
      buttons.push(button('accept-batch', 'check', tr('accept'), () => engine.accept(d.batchId), 'button big'));
      buttons.push(
        button('decline-batch', 'close', tr('decline'), () => engine.decline(d.batchId), 'button secondary big'),
      );
    }
    if (b.state === 'active' || (d.direction === 'out' && b.state === 'offered')) {
      buttons.push(button('cancel-batch', 'cancel', tr('cancel'), () => engine.cancel(d.batchId)));
    }
    if (d.direction === 'out' && b.state === 'done' && !b.ok) {
      buttons.push(button('retry-batch', 'retry', tr('retry'), () => engine.retry(d.batchId)));
    }
    // Many files received: all of them at once, folders intact (save_all_control.js).
    if (d.direction === 'in' && b.state === 'done' && b.ok && d.count > 1) {
      const completed = () =>
        [...(b.files?.values() ?? [])].filter((f) => f.blob).map((f) => ({ path: f.path, blob: f.blob }));
      buttons.push(...saveAllControl(completed));
    }
    if (FINISHED.has(b.state)) {
      const remove = button('dismiss-batch', 'trash', tr('dismiss'), () => engine.dismiss(d.batchId), 'button quiet');
      remove.title = tr('dismissLabel');
      remove.setAttribute('aria-label', tr('dismissLabel'));
      buttons.push(remove);
    }
    const refused =
      d.refused === 'storage'
        ? tr('refusedStorage', { size: formatBytes(d.totalSize), available: formatBytes(d.available) })
        : null;
    const changed = b.changed && b.state === 'offered' ? tr('changedBySender', { path: b.changed }) : null;
    const status =
      refused ??
      changed ??
      { declined: tr('declined'), cancelled: tr('cancelled') }[b.state] ??
      (b.state === 'done' && b.ok ? tr('completed') : '');
    const summary = this.waits(b)
      ? [el('strong', { text: tr('offerTitle', { name, what: count }) }), ` · ${formatBytes(d.totalSize)} `]
      : [el('strong', { text: who }), ` · ${count} · ${formatBytes(d.totalSize)} `];
    // The state for the styles: 'waiting', 'active', 'done', 'failed', 'declined', 'cancelled'.
    const look = this.waits(b) ? 'waiting' : b.state === 'done' && !b.ok ? 'failed' : b.state;
    return el(
      'header',
      { 'data-state': refused ? 'declined' : look },
      el('span', { class: 'batch-icon' }, icon(d.direction === 'in' ? 'incoming' : 'outgoing')),
      el(
        'p',
        { class: 'batch-summary' },
        ...summary,
        el('span', { class: 'batch-status', 'data-testid': 'batch-status', text: status }),
      ),
      el('div', { class: 'batch-actions' }, ...buttons),
    );
  }

  row(file, peerId) {
    return progressRow(this.engine, file, peerId, this.peerName, this.announced);
  }

  render(b) {
    const d = b.detail;
    const list = el('ul', { class: 'files' });
    b.files = new Map();
    for (const f of d.files) {
      const node = el(
        'li',
        { class: 'transfer-file', 'data-testid': 'transfer-file', 'data-path': f.path, 'data-key': f.key },
        fileIcon(f.path),
        el('span', { class: 'name', title: f.path, text: f.path }),
        el('span', { class: 'size', text: ` ${formatBytes(f.size)}` }),
        el('div', { class: 'peers' }),
        el('div', { class: 'result' }),
      );
      list.append(node);
      b.files.set(f.key, { node, peers: new Map(), path: f.path, key: f.key });
    }
    const node = el(
      'article',
      {
        class: 'transfer-batch',
        'data-testid': 'transfer-batch',
        'data-batch-id': d.batchId,
        'data-direction': d.direction,
      },
      this.header(b),
      list,
    );
    b.node?.replaceWith(node);
    b.node = node;
    this.place(b);
    if (this.engine.paintsProgress && b.state !== 'declined' && b.state !== 'cancelled') {
      // Painted rows exist from the start: no 'progress' event comes to make them.
      const peerIds = d.direction === 'in' ? [d.peerId] : (d.peerIds ?? d.peers.map((p) => p.id));
      for (const file of b.files.values()) for (const id of peerIds) this.row(file, id);
    }
    for (const ev of b.log ?? []) this.apply(ev.type, ev.detail, false);
  }

  refreshHeader(b) {
    b.node.querySelector('header').replaceWith(this.header(b));
    this.place(b);
  }

  // Every batch drawn again (the language changed).
  renderAll() {
    for (const b of this.batches.values()) this.render(b);
  }

  apply(type, d, record = true) {
    const b = this.batches.get(d.batchId);
    if (!b) {
      if (!record || type === 'progress' || type === 'progress-step') return;
      if (!this.early.has(d.batchId) && this.early.size >= MAX_SHOWN_BATCHES)
        this.early.delete(this.early.keys().next().value);
      const list = this.early.get(d.batchId) ?? [];
      if (list.length < 1000) list.push({ type, detail: d });
      this.early.set(d.batchId, list);
      return;
    }
    if (record && type !== 'progress' && type !== 'progress-step') {
      b.log ??= [];
      b.log.push({ type, detail: d });
    }
    const file = b.files.get(d.key);
    if (!file) return;
    if (type === 'progress') {
      this.row(file, d.peerId).update(d);
    } else if (type === 'progress-step') {
      this.row(file, d.peerId).step?.(d.percent);
    } else if (type === 'file-complete') {
      this.showComplete(file, d);
    } else if (type === 'file-failed') {
      const row = this.row(file, d.peerId);
      row.finish(false);
      row.status.textContent = tr('failed', { reason: reasonText(d.reason) });
      row.node.dataset.failed = 'true';
      file.node.dataset.reason = d.reason;
    } else if (type === 'file-started' && d.resumed) {
      this.row(file, d.peerId).status.textContent = tr('resumed');
    }
  }

  showComplete(file, d) {
    const row = this.row(file, d.peerId);
    row.finish(true);
    row.status.textContent = tr('completed');
    const result = file.node.querySelector('.result');
    if (!result.querySelector('[data-testid=file-hash]')) {
      result.append(
        icon('shield'),
        el('span', { class: 'verified', text: `${tr('verified')}: ` }),
        el('code', { class: 'file-hash', 'data-testid': 'file-hash', 'data-path': file.path, text: d.rootHex }),
      );
    }
    if (d.file && !result.querySelector('[data-testid=save-link]')) {
      file.blob = d.file; // the OPFS-backed File: no copy in memory
      file.url ??= URL.createObjectURL(d.file);
      result.append(
        ' ',
        el(
          'a',
          {
            class: 'button secondary',
            'data-testid': 'save-link',
            'data-path': file.path,
            href: file.url,
            download: file.path.split('/').pop(),
          },
          ...iconLabel('download', tr('save')),
        ),
      );
    }
  }

  add(detail, state) {
    const b = { detail, state, log: this.early.get(detail.batchId) ?? [] };
    this.early.delete(detail.batchId);
    this.batches.set(detail.batchId, b);
    this.render(b);
    for (const [id, old] of this.batches) {
      if (this.batches.size <= MAX_SHOWN_BATCHES) break;
      if (FINISHED.has(old.state)) this.remove(id);
    }
  }

  remove(batchId) {
    const b = this.batches.get(batchId);
    if (!b) return;
    for (const file of b.files?.values() ?? []) {
      if (file.url) URL.revokeObjectURL(file.url);
      for (const row of file.peers.values()) row.drop?.();
    }
    b.node?.remove();
    this.batches.delete(batchId);
    this.waitingChanged();
  }
}
