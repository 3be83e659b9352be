// The page's transfer engine: the real TransferEngine runs in a worker (transfer_worker.js) when
// the browser can hand an RTCDataChannel to a worker (Chromium, Safari), so no byte is read,
// hashed, framed or written on the main thread; elsewhere it runs in the page. Both look the
// same to the panel and to main.js:
//   attachPeer(link), detachPeer(peerId), sendFiles(entries, peerIds), accept(batchId),
//   decline(batchId), cancel(key), retry(batchId), snapshot() (a Promise here),
//   peers (Map id -> {id, name, attached}), and the engine's events (docs/web-architecture.md).
// The worker one can also paint progress rows itself (paintsProgress, paintProgress): the panel
// then needs no 'progress' events, and the worker sends none unless someone listens for them.
import { language } from '../i18n.js';
import { loadCore } from './core_loader.js';
import { TransferEngine } from './transfer_engine.js';

export async function createTransferEngine() {
  if (typeof Worker === 'function') {
    const worker = new Worker(new URL('./transfer_worker.js', import.meta.url), { type: 'module' });
    const started = await new Promise((resolve) => {
      worker.onmessage = ({ data }) => resolve(data);
      worker.onerror = (event) => resolve({ type: 'failed', message: event.message });
    });
    if (started.type === 'ready' && started.channels) return new WorkerTransferEngine(worker);
    worker.terminate();
    if (started.type !== 'ready') console.warn(`transfer worker unavailable (${started.message}); running transfers in the page`);
  }
  return new TransferEngine(await loadCore());
}

export class WorkerTransferEngine extends EventTarget {
  constructor(worker) {
    super();
    this.worker = worker;
    this.peers = new Map();
    this.calls = new Map();
    this.nextCall = 1;
    this.nextChannel = 1;
    this.attachedTokens = new Set();
    this.inWorker = true;
    this.progressForwarded = false;
    worker.onmessage = ({ data }) => this.onWorkerMessage(data);
    worker.onerror = (event) => console.error('transfer worker:', event.message);
    // The worker words its painted figures in the page's language.
    worker.postMessage({ op: 'language', language: language() });
    document.addEventListener('languagechange', () => worker.postMessage({ op: 'language', language: language() }));
  }

  addEventListener(type, listener, options) {
    if (type === 'progress' && !this.progressForwarded) {
      this.progressForwarded = true;
      this.worker.postMessage({ op: 'progress-events', on: true });
    }
    super.addEventListener(type, listener, options);
  }

  // Whether progress rows can be painted by the worker (OffscreenCanvas from a <canvas>).
  get paintsProgress() {
    return typeof HTMLCanvasElement === 'function' && typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function';
  }

  // Hands a row's canvas to the worker, which draws it on every progress tick from now on.
  // row: progressRowId(key, peerId) of progress_painter.js; size: {width, height, dpr} in CSS pixels;
  // colors: {accent, track, text, font}.
  paintProgress(row, canvas, size, colors) {
    const offscreen = canvas.transferControlToOffscreen();
    this.worker.postMessage({ op: 'paint', row, canvas: offscreen, size, colors }, [offscreen]);
  }

  resizeProgress(row, size) {
    this.worker.postMessage({ op: 'paint-size', row, size });
  }

  dropProgress(row) {
    this.worker.postMessage({ op: 'paint-drop', row });
  }

  paintState() {
    return this.call('paintState');
  }

  onWorkerMessage(data) {
    if (data.type === 'events') {
      this.peers = new Map(data.peers.map((p) => [p.id, p]));
      for (const { event, detail } of data.events) this.dispatchEvent(new CustomEvent(event, { detail }));
    } else if (data.type === 'reply') {
      const call = this.calls.get(data.id);
      this.calls.delete(data.id);
      if (data.error !== undefined) call?.reject(new Error(data.error));
      else call?.resolve(data.value);
    }
  }

  call(method, ...args) {
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ op: 'call', id, method, args });
    });
  }

  // Given to the PeerMesh: each new transfer channel moves to the worker the moment it is made
  // (Chromium allows the move only then). The worker holds what it carries until attachPeer.
  handOverTransferChannel(channel) {
    const token = `c${this.nextChannel++}`;
    this.worker.postMessage({ op: 'adopt', token, channel }, [channel]);
    return token;
  }

  // The room proof verified: the worker's engine may use that peer's channel from now on.
  attachPeer(link) {
    if (!link.transferToken || this.attachedTokens.has(link.transferToken)) return;
    this.attachedTokens.add(link.transferToken);
    this.peers.set(link.id, { id: link.id, name: link.name, attached: true });
    this.worker.postMessage({ op: 'attach', token: link.transferToken,
      peer: { id: link.id, name: link.name, maxMessageSize: link.maxMessageSize, resumeToken: link.resumeToken ?? null } });
  }

  detachPeer(peerId) {
    this.worker.postMessage({ op: 'detach', peerId });
  }

  sendFiles(entries, peerIds) {
    return this.call('sendFiles', entries, peerIds);
  }

  accept(batchId) {
    return this.call('accept', batchId);
  }

  decline(batchId) {
    return this.call('decline', batchId);
  }

  cancel(key) {
    return this.call('cancel', key);
  }

  retry(batchId) {
    return this.call('retry', batchId);
  }

  snapshot() {
    return this.call('snapshot');
  }

  checkRemoteDescription(sdp) {
    return this.call('checkRemoteDescription', sdp);
  }

  storageUsage() {
    return this.call('storageUsage');
  }

  dismiss(batchId) {
    return this.call('dismiss', batchId);
  }

  clearReceived() {
    return this.call('clearReceived');
  }
}
