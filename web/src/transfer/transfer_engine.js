// The transfer half of the room (docs/web-architecture.md): drives the WASM core's Senders and
// Receivers over each peer's `transferChannel`. One OutgoingFile (one WASM Sender) per sent file,
// serving every chosen peer (engine_outgoing.js); one IncomingFile (one WASM Receiver) per
// received file (engine_incoming.js); the peers and their channels in engine_peers.js.
//
// Every message of the channel is the core's: text is decoded (and the page's own `hello`,
// `batch` and `cancel` encoded) by the core's control codec, a frame is routed by the core's peek
// at its transfer id. This file only routes them, and runs the progress ticker.
// The page sees this engine through engine_interface.js (Promises, in the page or in the worker).
import { peerMethods } from './engine_peers.js';
import { incomingMethods } from './engine_incoming.js';
import { outgoingMethods } from './engine_outgoing.js';
import { receivedUsage } from './sink.js';

// Progress events twice a second: smooth enough for a bar and a speed, and few enough wake-ups
// of the page's main thread (each tick is one message from the worker).
const PROGRESS_MS = 500;

export class TransferEngine extends EventTarget {
  constructor(core) {
    super();
    this.core = core;
    this.peers = new Map(); // peerId -> {id, name, channel, attached, helloSeen, maxMessageSize, ...}
    this.numbers = new Map(); // peerId -> small integer the WASM Sender uses
    this.ids = new Map();
    this.outgoing = new Map(); // batchId -> {id, files: OutgoingFile[], peerIds: Set}
    this.sending = new Map(); // transfer -> OutgoingFile
    this.incoming = new Map(); // scoped batchId -> {id, peerId, peerName, files, state, items: Map}
    this.receiving = new Map(); // `${peerId}:${transfer}` -> IncomingFile
    this.timer = null;
    this.callActive = false; // setCallActive (engine_peers.js)
    this.callLeads = new Map(); // peerId -> {until: performance.now() its first frame may go, timer}
    this.host = {
      peerNumber: (id) => this.peerNumber(id),
      peerIdOf: (n) => this.ids.get(n),
      sendText: (id, text) => this.sendText(id, text),
      sendControl: (id, message) => this.sendControl(id, message),
      pump: (id) => this.pumpPeer(id),
      emit: (type, detail) => this.emit(type, detail),
    };
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
    if (type === 'file-reoffered') this.onReoffered(detail);
    if (type === 'file-complete' || type === 'file-failed') {
      if (detail.direction === 'in') {
        this.startQueued(this.incoming.get(detail.batchId));
        this.checkIncoming(detail.batchId);
      } else {
        this.checkOutgoing(detail.batchId);
      }
    }
  }

  // ---- messages ----------------------------------------------------------------------------------

  onMessage(peer, data) {
    if (typeof data === 'string') return this.onText(peer, data);
    const frame = new Uint8Array(data);
    const transfer = this.core.peekTransferId(frame);
    if (transfer < 0) return undefined;
    return this.receiving.get(`${peer.id}:${transfer}`)?.onFrame(frame);
  }

  onText(peer, text) {
    const message = this.core.decodeControl(text);
    if (!message.ok) return console.warn(`a message from ${peer.name || peer.id} was refused (${message.name})`);
    const { transfer } = message;
    const item = this.receiving.get(`${peer.id}:${transfer}`);
    const file = this.sending.get(transfer);
    const outgoing = file?.peers.has(peer.id) ? file : null;
    switch (message.type) {
      case 'hello':
        return this.onHello(peer, message);
      case 'batch':
        return this.onBatch(peer, message);
      case 'offer':
        return item ? item.onControl(text, message) : this.onOffer(peer, transfer, text, message);
      case 'done':
        return item?.onControl(text, message);
      case 'accept':
      case 'reject':
      case 'ack':
      case 'resend':
        return outgoing?.onControl(peer.id, text);
      case 'cancel':
      case 'error':
        if (item) return item.onControl(text, message);
        return outgoing?.onControl(peer.id, text);
      default:
        return undefined;
    }
  }

  // ---- actions of the user -----------------------------------------------------------------------

  // key: a batch id (everything in it) or `${batchId}:${transfer}` (one file), either direction.
  cancel(key) {
    const [batchId, transfer] = String(key).split(':');
    const only = transfer === undefined ? null : Number(transfer);
    this.cancelOutgoing(batchId, only);
    this.cancelIncoming(batchId, only);
  }

  // {bytes, batches}: what received files take in this browser's storage for this site.
  storageUsage() {
    return receivedUsage().catch(() => ({ bytes: 0, batches: 0 }));
  }

  // The person dismissed a batch: it leaves the list, and a received batch's files leave storage
  // (one still arriving is cancelled first; one still offered is declined).
  async dismiss(batchId) {
    this.dismissOutgoing(batchId);
    await this.dismissIncoming(batchId);
    this.emit('batch-dismissed', { batchId });
    this.emit('storage-changed', await this.storageUsage());
  }

  // ---- progress ----------------------------------------------------------------------------------

  ensureTicker() {
    this.timer ??= setInterval(() => this.tick(), PROGRESS_MS);
  }

  tick() {
    const now = performance.now();
    let active = false;
    const sendingTo = new Set();
    for (const file of this.sending.values()) {
      for (const peerId of file.unfinishedPeers()) {
        active = true;
        sendingTo.add(peerId);
        const p = file.progress(peerId);
        const meter = file.peers.get(peerId).meter;
        meter.sample(now, p.bytes);
        this.emit('progress', {
          direction: 'out',
          key: file.key,
          batchId: file.batchId,
          transfer: file.transfer,
          peerId,
          path: file.path,
          bytes: p.bytes,
          total: p.total,
          ...meter.figures(p.bytes, p.total),
        });
      }
    }
    // A peer held back for a slower one in a fan-out has no send buffer draining to wake it: the
    // Sender's patience (SenderConfig.pack_patience_ms) runs out only when it is asked again.
    for (const peerId of sendingTo) this.pumpPeer(peerId);
    for (const item of this.receiving.values()) {
      if (!item.active) continue;
      active = true;
      const p = item.progress();
      item.meter.sample(now, p.bytes);
      this.emit('progress', {
        direction: 'in',
        key: item.key,
        batchId: item.batchId,
        transfer: item.transfer,
        peerId: item.peerId,
        path: item.path,
        bytes: p.bytes,
        total: p.total,
        ...item.meter.figures(p.bytes, p.total),
      });
    }
    if (!active) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  // The room was left. Every peer detached, no ticker, every Sender and Receiver freed, open
  // segments abandoned: what a reload used to leave behind (committed segments and the saved resume
  // state stay, for a later resume). The engine is not used again.
  close() {
    for (const peerId of [...this.peers.keys()]) this.detachPeer(peerId);
    clearInterval(this.timer);
    this.timer = null;
    for (const lead of this.callLeads.values()) clearTimeout(lead.timer);
    this.callLeads.clear();
    for (const file of this.sending.values()) file.release();
    this.sending.clear();
    for (const item of this.receiving.values()) {
      item.release();
      item.sink?.abortOpen();
    }
    this.receiving.clear();
  }

  // ---- for the room proof, tests and diagnostics ------------------------------------------------

  // The core's strict check of a remote description, for the room proof (PeerMesh): {ok,
  // fingerprint} or {ok: false, error}. Here because the core lives here (in the worker).
  checkRemoteDescription(sdp) {
    return this.core.sdpDtlsFingerprint(String(sdp ?? ''));
  }

  // A snapshot for tests and diagnostics (window.__cieloweb.engine.snapshot()).
  snapshot() {
    return {
      liveObjects: this.core.liveObjectCount(),
      wasmMemoryBytes: this.core.HEAPU8.buffer.byteLength, // grows only: the most the core ever held
      incoming: [...this.receiving.values()].map((i) => ({
        key: i.key,
        batchId: i.batchId,
        peerId: i.peerId,
        path: i.path,
        state: i.state,
        reason: i.reason,
        resumedBlocks: i.resumedBlocks,
        ...i.progress(),
      })),
      outgoing: [...this.sending.values()].map((f) => ({
        key: f.key,
        batchId: f.batchId,
        path: f.path,
        released: f.released,
        blocksRead: f.blocksRead(),
        peers: Object.fromEntries(
          [...f.peers].map(([id, p]) => [id, { state: p.state, reason: p.reason, ...f.progress(id) }]),
        ),
      })),
    };
  }
}

Object.assign(TransferEngine.prototype, peerMethods, incomingMethods, outgoingMethods);
