// The transfer half of the room (docs/web-architecture.md): drives the WASM core's Senders and
// Receivers over each peer's `transferChannel`. One OutgoingFile (one WASM Sender) per sent file,
// serving every chosen peer; one IncomingFile (one WASM Receiver) per received file.
//
// On the channel, besides the core's frames and control messages, the engine sends two JSON
// messages of its own: `{v:1, type:'batch', batch, files:[{transfer, path, size}]}` before a batch's
// offers (names, count and total size for one Accept/Decline), and `{v:1, type:'hello'}` when a
// channel is attached. A message that arrives before the other side attached its listener is
// lost, so whoever receives the first `hello` of a channel answers it and offers its unfinished
// files again; the peer then resumes from what it has.
import { OutgoingFile } from './outgoing.js';
import { IncomingFile } from './incoming.js';
import { resumeStore } from './resume_store.js';
import { clearReceivedFolders, receivedUsage, removeBatchFolder } from './sink.js';
import {
  MAX_ACTIVE_FILES_PER_BATCH, MAX_KEPT_BATCHES, MAX_PENDING_BATCHES_PER_PEER,
  offerMismatch, parseBatchMessage, scopedBatchId, storageAvailable,
} from './incoming_batches.js';
import { cleanPath } from '../text.js';

// The channel's send buffer is refilled below 4 MiB up to 8 MiB: on a machine whose cores are
// all busy, the worker may wait for one, and 4 MiB (about 0.4 s at 10 MB/s) keeps the channel fed
// meanwhile (measured: a 1 MiB low mark let it run dry now and then).
const HIGH_WATERMARK = 8 * 1024 * 1024;
const LOW_WATERMARK = 4 * 1024 * 1024;
// Progress events twice a second: smooth enough for a bar and a speed, and few enough wake-ups
// of the page's main thread (each tick is one message from the worker).
const PROGRESS_MS = 500;
const DEFAULT_MAX_MESSAGE = 65536;
// Frames stay at most 64 KiB even where the channel takes more (Chromium: 256 KiB). Measured between
// two Chromium processes here, in interleaved rounds: 64 KiB frames carried random data at
// 0.88–0.90x the bare channel's rate, 256 KiB frames at 0.80x (the channel is CPU-bound, and larger
// messages cost its SCTP stack more per byte).
const MAX_FRAME_BYTES = 65536;


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
    this.host = {
      peerNumber: (id) => this.peerNumber(id),
      peerIdOf: (n) => this.ids.get(n),
      sendText: (id, text) => this.sendText(id, text),
      pump: (id) => this.pumpPeer(id),
      emit: (type, detail) => this.emit(type, detail),
    };
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
    if (type === 'file-reoffered') this.onReoffered(detail);
    if (type === 'file-complete' || type === 'file-failed') {
      if (detail.direction === 'in') this.startQueued(this.incoming.get(detail.batchId));
      this.checkBatch(detail.batchId, detail.direction);
    }
  }

  peerNumber(id) {
    if (!this.numbers.has(id)) {
      const n = this.numbers.size + 1;
      this.numbers.set(id, n);
      this.ids.set(n, id);
    }
    return this.numbers.get(id);
  }

  // ---- peers -------------------------------------------------------------------------------------

  attachPeer(link) {
    const known = this.peers.get(link.id);
    if (known?.attached && known.channel === link.transferChannel) return; // attached twice: no-op
    if (known?.attached) this.detachPeer(link.id);
    const channel = link.transferChannel;
    channel.binaryType = 'arraybuffer';
    const peer = {
      id: link.id,
      name: link.name,
      channel,
      attached: true,
      helloSeen: false,
      maxMessageSize: Math.min(link.maxMessageSize || DEFAULT_MAX_MESSAGE, MAX_FRAME_BYTES),
      // What the peer gave us at proof time to know it again after a reload (PeerMesh); never its name.
      resumeToken: typeof link.resumeToken === 'string' ? link.resumeToken : null,
    };
    peer.onMessage = (e) => this.onMessage(peer, e.data);
    peer.onLow = () => this.pumpPeer(peer.id);
    peer.onClose = () => this.peers.get(peer.id) === peer && this.detachPeer(peer.id);
    channel.addEventListener('message', peer.onMessage);
    channel.addEventListener('bufferedamountlow', peer.onLow);
    channel.addEventListener('close', peer.onClose);
    this.peers.set(link.id, peer);
    if (!known) this.adoptReloadedPeer(peer);
    this.sendText(peer.id, JSON.stringify({ v: 1, type: 'hello' }));
    this.offerUnfinished(peer.id);
    this.emit('peers-changed', { peerId: peer.id });
  }

  // A drop: the sender pauses (in-flight blocks are forgotten), the receiver drops partial blocks;
  // both continue with only the missing blocks when the peer is attached again.
  detachPeer(peerId) {
    const peer = this.peers.get(peerId);
    if (!peer?.attached) return;
    peer.channel.removeEventListener('message', peer.onMessage);
    peer.channel.removeEventListener('bufferedamountlow', peer.onLow);
    peer.channel.removeEventListener('close', peer.onClose);
    peer.attached = false;
    peer.channel = null;
    for (const file of this.sending.values()) file.pausePeer(peerId);
    for (const item of this.receiving.values()) if (item.peerId === peerId) item.onDisconnected();
    this.emit('peers-changed', { peerId });
  }

  // A receiver that reloaded its tab joins under a new peer id. If a detached peer presented the
  // same resume token (a secret of that tab's, given only to us: PeerMesh) and has unfinished files
  // from us, offer them again to the new id: its resume store knows what it already has. A display
  // name proves nothing: anyone can take it.
  adoptReloadedPeer(peer) {
    if (!peer.resumeToken) return;
    const candidates = [...this.peers.values()].filter(
      (p) => !p.attached && p.id !== peer.id && p.resumeToken === peer.resumeToken &&
        [...this.sending.values()].some((f) => f.unfinishedPeers().includes(p.id)),
    );
    if (candidates.length !== 1) return;
    const old = candidates[0].id;
    this.peers.delete(old);
    for (const batch of this.outgoing.values()) {
      const files = batch.files.filter((f) => f.unfinishedPeers().includes(old));
      if (files.length === 0) continue;
      batch.peerIds.add(peer.id);
      this.sendText(peer.id, batchMessage(batch));
      for (const file of files) {
        file.forgetPeer(old);
        file.addPeer(peer.id, peer.maxMessageSize);
      }
    }
    this.emit('peer-replaced', { oldPeerId: old, newPeerId: peer.id });
  }

  // The batch message and the offers again, for every file this peer has not finished.
  offerUnfinished(peerId) {
    for (const batch of this.outgoing.values()) {
      const files = batch.files.filter((f) => f.unfinishedPeers().includes(peerId));
      if (files.length === 0) continue;
      this.sendText(peerId, batchMessage(batch));
      for (const file of files) {
        const offer = file.peers.get(peerId).offerText;
        if (offer) this.sendText(peerId, offer);
      }
    }
  }

  sendText(peerId, text) {
    const channel = this.peers.get(peerId)?.channel;
    if (channel?.readyState === 'open') channel.send(text);
  }

  pumpPeer(peerId) {
    const peer = this.peers.get(peerId);
    if (!peer?.attached || peer.channel.readyState !== 'open') return;
    // Files in the order they were sent: the first ones fill the channel first.
    for (const file of this.sending.values()) {
      if (file.released || !file.peers.has(peerId)) continue;
      file.pump(peerId, peer.channel, HIGH_WATERMARK, LOW_WATERMARK);
      file.takeActions();
    }
  }

  // ---- messages ----------------------------------------------------------------------------------

  onMessage(peer, data) {
    if (typeof data === 'string') return this.onText(peer, data);
    if (data.byteLength < 8) return;
    const transfer = new DataView(data).getUint32(4, true);
    this.receiving.get(`${peer.id}:${transfer}`)?.onFrame(new Uint8Array(data));
  }

  onText(peer, text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg?.v !== 1) return;
    const transfer = msg.transfer >>> 0;
    const item = this.receiving.get(`${peer.id}:${transfer}`);
    const file = this.sending.get(transfer);
    const outgoing = file && file.peers.has(peer.id) ? file : null;
    switch (msg.type) {
      case 'hello':
        if (peer.helloSeen) return;
        peer.helloSeen = true;
        if (!msg.reply) this.sendText(peer.id, JSON.stringify({ v: 1, type: 'hello', reply: true }));
        return this.offerUnfinished(peer.id);
      case 'batch':
        return this.onBatch(peer, msg);
      case 'offer':
        return item ? item.onControl(text, true) : this.onOffer(peer, transfer, text);
      case 'done':
        return item?.onControl(text, false);
      case 'accept':
      case 'reject':
      case 'ack':
      case 'resend':
        return outgoing?.onControl(peer.id, text);
      case 'cancel':
      case 'error':
        if (item) return item.onControl(text, false);
        return outgoing?.onControl(peer.id, text);
      default:
    }
  }

  onBatch(peer, msg) {
    const parsed = parseBatchMessage(msg);
    if (!parsed.ok) return console.warn(`a batch from ${peer.name || peer.id} was refused: ${parsed.reason}`);
    this.registerBatch(peer, scopedBatchId(peer.id, parsed.batch), parsed.files);
  }

  // A new incoming batch: shown for Accept/Decline once the storage check is done, or declined at
  // once when it cannot fit or when this peer already has too many offers waiting.
  registerBatch(peer, id, files) {
    if (this.incoming.has(id)) return null;
    const waiting = [...this.incoming.values()].filter((b) => b.peerId === peer.id && b.state === 'offered').length;
    const batch = { id, peerId: peer.id, peerName: peer.name, files, state: 'offered', items: new Map(),
      byTransfer: new Map(files.map((f) => [f.transfer, f])) };
    this.incoming.set(id, batch);
    this.forgetOldBatches();
    if (waiting >= MAX_PENDING_BATCHES_PER_PEER) {
      this.decline(id, 'too many offers waiting');
      return batch;
    }
    const totalSize = files.reduce((sum, f) => sum + f.size, 0);
    // A batch this tab accepted before it reloaded continues without asking again.
    Promise.all([resumeStore.byBatch(batch.id), storageAvailable()]).then(([records, available]) => {
      if (batch.state !== 'offered') return;
      const resumed = records.length > 0;
      // The whole batch against what the origin may still store (what it already holds, earlier
      // received files included, is counted in its usage): refused before anyone can Accept it.
      if (!resumed && totalSize > available) {
        this.emit('batch-offered', this.describeIncoming(batch, { resumed, refused: 'storage', available }));
        this.decline(batch.id, 'file too big for the chosen storage');
        return;
      }
      this.emit('batch-offered', this.describeIncoming(batch, { resumed }));
      if (resumed) this.accept(batch.id);
    });
    return batch;
  }

  // Finished batches beyond MAX_KEPT_BATCHES are forgotten, oldest first: a peer cannot grow this
  // page's lists without bound.
  forgetOldBatches() {
    if (this.incoming.size <= MAX_KEPT_BATCHES) return;
    for (const batch of this.incoming.values()) {
      if (this.incoming.size <= MAX_KEPT_BATCHES) break;
      if (!batch.done && batch.state !== 'declined') continue;
      for (const item of batch.items.values()) this.receiving.delete(`${item.peerId}:${item.transfer}`);
      this.incoming.delete(batch.id);
    }
  }

  onOffer(peer, transfer, text) {
    const offer = this.core.decodeControl(text);
    if (!offer.ok || offer.type !== 'offer') return;
    let batch = [...this.incoming.values()].find((b) => b.peerId === peer.id && !b.items.has(transfer) && b.byTransfer.has(transfer));
    if (!batch) {
      // An offer without its batch message (another client): a batch of one, checked the same way.
      const path = typeof offer.file.name === 'string' ? offer.file.name : '';
      batch = this.registerBatch(peer, scopedBatchId(peer.id, `single-${transfer}`), [{ transfer, announcedPath: path, path: cleanPath(path), size: offer.file.size }]);
      if (!batch) return;
    }
    const entry = batch.byTransfer.get(transfer);
    const item = new IncomingFile(this.core, { peerId: peer.id, batchId: batch.id, transfer, path: entry.path, offerText: text, offer }, this.host);
    this.receiving.set(`${peer.id}:${transfer}`, item);
    batch.items.set(transfer, item);
    const mismatch = offerMismatch(entry, offer);
    if (mismatch) return item.refuseOffer(mismatch);
    // Refused at once, before anyone accepts, when the core could not take it on (its per-file
    // bookkeeping cap, the largest file size).
    const acceptable = this.core.checkOffer(text, {});
    if (!acceptable.ok) return item.refuseOffer(acceptable.error || acceptable.name);
    if (batch.state === 'accepted') this.startQueued(batch);
    else if (batch.state !== 'offered') item.decline(batch.declineReason ?? 'declined');
  }

  // A file of the batch changed on the sender's side: the batch asks the person again (Accept
  // continues with the new version, Decline ends that file); files already under way continue.
  onReoffered({ batchId, path }) {
    const batch = this.incoming.get(batchId);
    if (!batch || batch.state !== 'accepted') return;
    batch.state = 'offered';
    this.dispatchEvent(new CustomEvent('batch-reoffered', { detail: { batchId, path } }));
  }

  // Starts the accepted batch's waiting files, at most MAX_ACTIVE_FILES_PER_BATCH at a time, in the
  // order their offers came.
  startQueued(batch) {
    if (batch?.state !== 'accepted') return;
    let active = 0;
    for (const item of batch.items.values()) if (item.busy) active += 1;
    for (const item of batch.items.values()) {
      if (item.state === 'reoffered') item.acceptAgain(); // already counted as active
      if (active >= MAX_ACTIVE_FILES_PER_BATCH || item.state !== 'offered') continue;
      item.start();
      active += 1;
    }
  }

  describeIncoming(batch, extra = {}) {
    const totalSize = batch.files.reduce((sum, f) => sum + f.size, 0);
    return { direction: 'in', batchId: batch.id, peerId: batch.peerId, peerName: batch.peerName,
      files: batch.files.map((f) => ({ ...f, key: `${batch.id}:${f.transfer}` })), count: batch.files.length, totalSize, ...extra };
  }

  // ---- actions of the user -----------------------------------------------------------------------

  // entries: [{file: File, path: 'folder/a.txt'}]; peerIds: default every attached peer.
  sendFiles(entries, peerIds) {
    const targets = peerIds ?? [...this.peers.values()].filter((p) => p.attached).map((p) => p.id);
    const batch = { id: crypto.randomUUID(), peerIds: new Set(targets), files: [] };
    for (const { file, path } of entries) {
      const outgoing = new OutgoingFile(this.core, { batchId: batch.id, transfer: this.newTransferId(), path: cleanPath(path || file.name), file }, this.host);
      batch.files.push(outgoing);
      this.sending.set(outgoing.transfer, outgoing);
    }
    this.outgoing.set(batch.id, batch);
    this.emit('batch-sent', {
      direction: 'out', batchId: batch.id, peerIds: targets,
      peers: targets.map((id) => ({ id, name: this.peers.get(id)?.name ?? id })),
      files: batch.files.map((f) => ({ transfer: f.transfer, path: f.path, size: f.size, key: f.key })),
      count: batch.files.length, totalSize: batch.files.reduce((s, f) => s + f.size, 0),
    });
    for (const peerId of targets) {
      this.sendText(peerId, batchMessage(batch));
      for (const file of batch.files) file.addPeer(peerId, this.peers.get(peerId)?.maxMessageSize ?? DEFAULT_MAX_MESSAGE);
    }
    this.ensureTicker();
    return batch.id;
  }

  newTransferId() {
    const used = (id) => this.sending.has(id) || [...this.receiving.values()].some((i) => i.transfer === id);
    let id;
    do id = crypto.getRandomValues(new Uint32Array(1))[0];
    while (id === 0 || used(id));
    return id;
  }

  accept(batchId) {
    const batch = this.incoming.get(batchId);
    if (!batch || batch.state !== 'offered') return;
    batch.state = 'accepted';
    batch.everAccepted = true;
    this.startQueued(batch);
    this.emit('batch-accepted', { batchId });
    this.ensureTicker();
  }

  decline(batchId, reason = 'declined') {
    const batch = this.incoming.get(batchId);
    if (!batch || batch.state !== 'offered') return;
    if (batch.everAccepted) {
      // Asked again because a file changed: only the changed files are declined; the rest of the
      // batch goes on.
      batch.state = 'accepted';
      for (const item of batch.items.values()) if (item.state === 'reoffered') item.decline(reason);
      this.emit('batch-accepted', { batchId });
      this.startQueued(batch);
      return;
    }
    batch.state = 'declined';
    batch.declineReason = reason;
    for (const item of batch.items.values()) item.decline(reason);
    this.emit('batch-declined', { batchId, reason });
    this.emit('batch-complete', { direction: 'in', batchId, ok: false, declined: true });
  }

  // key: a batch id (everything in it) or `${batchId}:${transfer}` (one file), either direction.
  cancel(key) {
    const [batchId, transfer] = String(key).split(':');
    const only = transfer === undefined ? null : Number(transfer);
    const out = this.outgoing.get(batchId);
    if (out) {
      for (const file of out.files) {
        if (only !== null && file.transfer !== only) continue;
        for (const peerId of file.unfinishedPeers()) file.cancelPeer(peerId, 'cancelled by the sender');
      }
    }
    const batch = this.incoming.get(batchId);
    if (batch) {
      if (only === null && batch.state === 'offered') return this.decline(batchId);
      if (only === null) batch.state = 'cancelled';
      for (const item of batch.items.values()) if (only === null || item.transfer === only) item.cancel('cancelled by the receiver');
    }
  }

  // Sends again the files of a batch that failed, to the peers they failed for.
  retry(batchId) {
    const batch = this.outgoing.get(batchId);
    if (!batch) return null;
    const entries = [];
    const peers = new Set();
    for (const file of batch.files) {
      const failed = [...file.peers].filter(([, p]) => p.state === 'failed').map(([id]) => id);
      if (failed.length === 0) continue;
      entries.push({ file: file.file, path: file.path });
      for (const id of failed) if (this.peers.get(id)?.attached) peers.add(id);
    }
    return entries.length && peers.size ? this.sendFiles(entries, [...peers]) : null;
  }

  // ---- storage the person can see and clear ----------------------------------------------------

  // {bytes, batches}: what received files take in this browser's storage for this site.
  storageUsage() {
    return receivedUsage().catch(() => ({ bytes: 0, batches: 0 }));
  }

  // The person dismissed a batch: it leaves the list, and a received batch's files leave storage
  // (one still arriving is cancelled first; one still offered is declined).
  async dismiss(batchId) {
    const out = this.outgoing.get(batchId);
    if (out) {
      if (!out.done) this.cancel(batchId);
      for (const file of out.files) {
        file.release();
        this.sending.delete(file.transfer);
      }
      this.outgoing.delete(batchId);
    }
    const batch = this.incoming.get(batchId);
    if (batch) {
      if (batch.state === 'offered') this.decline(batchId);
      else if (!batch.done) this.cancel(batchId);
      await this.dropIncoming(batch);
    }
    this.emit('batch-dismissed', { batchId });
    this.emit('storage-changed', await this.storageUsage());
  }

  // Every received file that is not still arriving leaves storage (and the list); batches still
  // offered or receiving stay. Resolves to the usage afterwards.
  async clearReceived() {
    const keep = new Set();
    for (const batch of [...this.incoming.values()]) {
      const inUse = batch.state === 'offered' || (batch.state === 'accepted' && !batch.done);
      if (inUse) {
        keep.add(batch.id);
        for (const item of batch.items.values()) if (item.sink) keep.add(item.sink.folder);
        continue;
      }
      await this.dropIncoming(batch);
      this.emit('batch-dismissed', { batchId: batch.id });
    }
    await clearReceivedFolders(keep).catch(() => {});
    for (const record of await resumeStore.all()) if (!keep.has(record.batch)) await resumeStore.delete(record.key);
    const usage = await this.storageUsage();
    this.emit('storage-changed', usage);
    return usage;
  }

  async dropIncoming(batch) {
    const folders = new Set([batch.id]);
    for (const item of batch.items.values()) {
      if (item.sink) folders.add(item.sink.folder);
      await resumeStore.delete(item.identity);
      this.receiving.delete(`${item.peerId}:${item.transfer}`);
    }
    this.incoming.delete(batch.id);
    for (const folder of folders) await removeBatchFolder(folder);
  }

  // ---- progress and bookkeeping ------------------------------------------------------------------

  ensureTicker() {
    this.timer ??= setInterval(() => this.tick(), PROGRESS_MS);
  }

  tick() {
    const now = performance.now();
    let active = false;
    for (const file of this.sending.values()) {
      for (const peerId of file.unfinishedPeers()) {
        active = true;
        const p = file.progress(peerId);
        const meter = file.peers.get(peerId).meter;
        meter.sample(now, p.bytes);
        this.emit('progress', { direction: 'out', key: file.key, batchId: file.batchId, transfer: file.transfer, peerId,
          path: file.path, bytes: p.bytes, total: p.total, ...meter.figures(p.bytes, p.total) });
      }
    }
    for (const item of this.receiving.values()) {
      if (!item.active) continue;
      active = true;
      const p = item.progress();
      item.meter.sample(now, p.bytes);
      this.emit('progress', { direction: 'in', key: item.key, batchId: item.batchId, transfer: item.transfer, peerId: item.peerId,
        path: item.path, bytes: p.bytes, total: p.total, ...item.meter.figures(p.bytes, p.total) });
    }
    if (!active) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  checkBatch(batchId, direction) {
    if (direction === 'out') {
      const batch = this.outgoing.get(batchId);
      if (!batch || batch.done || batch.files.some((f) => f.unfinishedPeers().length > 0)) return;
      batch.done = true;
      const ok = batch.files.every((f) => [...f.peers.values()].every((p) => p.state === 'finished'));
      this.dispatchEvent(new CustomEvent('batch-complete', { detail: { direction, batchId, ok } }));
      return;
    }
    const batch = this.incoming.get(batchId);
    if (!batch || batch.done || batch.items.size < batch.files.length) return;
    const items = [...batch.items.values()];
    if (items.some((i) => i.state !== 'completed' && i.state !== 'failed')) return;
    batch.done = true;
    const ok = items.every((i) => i.state === 'completed');
    if (!items.some((i) => i.state === 'completed')) removeBatchFolder(batch.id); // nothing kept
    this.dispatchEvent(new CustomEvent('batch-complete', { detail: { direction, batchId, ok } }));
  }

  // The core's strict check of a remote description, for the room proof (PeerMesh): {ok,
  // fingerprint} or {ok: false, error}. Here because the core lives here (in the worker).
  checkRemoteDescription(sdp) {
    return this.core.sdpDtlsFingerprint(String(sdp ?? ''));
  }

  // A snapshot for tests and diagnostics (window.__cieloweb.engine.snapshot()).
  snapshot() {
    return {
      liveObjects: this.core.liveObjectCount(),
      incoming: [...this.receiving.values()].map((i) => ({ key: i.key, batchId: i.batchId, peerId: i.peerId, path: i.path,
        state: i.state, reason: i.reason, resumedBlocks: i.resumedBlocks, ...i.progress() })),
      outgoing: [...this.sending.values()].map((f) => ({ key: f.key, batchId: f.batchId, path: f.path, released: f.released,
        peers: Object.fromEntries([...f.peers].map(([id, p]) => [id, { state: p.state, reason: p.reason, ...f.progress(id) }])) })),
    };
  }
}

function batchMessage(batch) {
  return JSON.stringify({ v: 1, type: 'batch', batch: batch.id,
    files: batch.files.map((f) => ({ transfer: f.transfer, path: f.path, size: f.size })) });
}
