// The page's transfer engine: the real TransferEngine runs in a worker (transfer_worker.js) when
// the browser can hand an RTCDataChannel to a worker (Chromium, Safari), so no byte is read,
// hashed, framed or written on the main thread; elsewhere it runs in the page. Both implement
// engine_interface.js (every method returns a Promise) and raise the engine's events
// (docs/web-architecture.md).
// The worker one can also paint progress rows itself (paintsProgress, paintProgress): the panel
// then needs no 'progress' events, and the worker sends none unless someone listens for them.
import { language } from '../i18n.js';
import { loadCore } from './core_loader.js';
import { ENGINE_METHODS, PageTransferEngine } from './engine_interface.js';
import { TransferEngine } from './transfer_engine.js';
import { WorkerBridge } from './worker_bridge.js';

export async function createTransferEngine() {
  if (typeof Worker === 'function') {
    const worker = new Worker(new URL('./transfer_worker.js', import.meta.url), { type: 'module' });
    const bridge = new WorkerBridge(worker);
    const started = await bridge.call('ready').catch((error) => ({ failed: error.message }));
    if (started.channels) return new WorkerTransferEngine(bridge);
    bridge.terminate();
    if (started.failed) console.warn(`transfer worker unavailable (${started.failed}); running transfers in the page`);
  }
  return new PageTransferEngine(new TransferEngine(await loadCore()));
}

export class WorkerTransferEngine extends EventTarget {
  constructor(bridge) {
    super();
    this.bridge = bridge;
    this.worker = bridge.worker; // read by the browser tests
    this.peers = new Map();
    this.nextChannel = 1;
    this.attachedTokens = new Set();
    this.inWorker = true;
    this.progressForwarded = false;
    bridge.onMessage = (data) => this.onEvents(data);
    bridge.worker.addEventListener('error', (event) => console.error('transfer worker:', event.message));
    // The worker words its painted figures in the page's language.
    bridge.post({ op: 'language', language: language() });
    this.closed_ = new AbortController();
    document.addEventListener('languagechange', () => bridge.post({ op: 'language', language: language() }), {
      signal: this.closed_.signal,
    });
  }

  // Ends the worker and every transfer in it (the room was left); pending calls are rejected.
  close() {
    this.closed_.abort();
    this.bridge.terminate();
  }

  addEventListener(type, listener, options) {
    if (type === 'progress' && !this.progressForwarded) {
      this.progressForwarded = true;
      this.bridge.post({ op: 'progress-events', on: true });
    }
    super.addEventListener(type, listener, options);
  }

  // Whether progress rows can be painted by the worker (OffscreenCanvas from a <canvas>).
  get paintsProgress() {
    return (
      typeof HTMLCanvasElement === 'function' &&
      typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function'
    );
  }

  // Hands a row's canvas to the worker, which draws it on every progress tick from now on.
  // row: progressRowId(key, peerId) of progress_painter.js; size: {width, height, dpr} in CSS pixels;
  // colors: {accent, track, text, font}.
  paintProgress(row, canvas, size, colors) {
    const offscreen = canvas.transferControlToOffscreen();
    this.bridge.post({ op: 'paint', row, canvas: offscreen, size, colors }, [offscreen]);
  }

  resizeProgress(row, size) {
    this.bridge.post({ op: 'paint-size', row, size });
  }

  dropProgress(row) {
    this.bridge.post({ op: 'paint-drop', row });
  }

  paintState() {
    return this.bridge.call('paintState');
  }

  onEvents(data) {
    if (data?.type !== 'events') return;
    this.peers = new Map(data.peers.map((p) => [p.id, p]));
    for (const { event, detail } of data.events) this.dispatchEvent(new CustomEvent(event, { detail }));
  }

  // Given to the PeerMesh: each new transfer channel moves to the worker the moment it is made
  // (Chromium allows the move only then). The worker holds what it carries until attachPeer.
  handOverTransferChannel(channel) {
    const token = `c${this.nextChannel++}`;
    this.bridge.post({ op: 'adopt', token, channel }, [channel]);
    return token;
  }

  // The room proof verified: the worker's engine may use that peer's channel from now on.
  async attachPeer(link) {
    if (!link.transferToken || this.attachedTokens.has(link.transferToken)) return;
    this.attachedTokens.add(link.transferToken);
    this.peers.set(link.id, { id: link.id, name: link.name, attached: true });
    const peer = {
      id: link.id,
      name: link.name,
      maxMessageSize: link.maxMessageSize,
      resumeToken: link.resumeToken ?? null,
    };
    await this.bridge.call('attachPeer', [link.transferToken, peer]);
  }
}

for (const method of ENGINE_METHODS) {
  if (method === 'attachPeer') continue;
  WorkerTransferEngine.prototype[method] = function call(...args) {
    return this.bridge.call(method, args);
  };
}
