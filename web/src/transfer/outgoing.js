// One file being sent to one or more peers: one WASM Sender, so the file is read and hashed once
// and every peer gets it at its own pace. Reads are one block at a time (block_reader.js), never
// the whole file. The engine (`host`) owns the channels.
import { BlockReader } from './block_reader.js';
import { ProgressMeter } from './progress_meter.js';
import { failureReason, REASON } from './reasons.js';

const FINAL = new Set(['finished', 'failed']);

export class OutgoingFile {
  // host: {peerNumber(id), peerIdOf(number), sendText(peerId, text), pump(peerId), emit(type, detail)}
  constructor(core, { batchId, transfer, path, file }, host) {
    this.batchId = batchId;
    this.transfer = transfer;
    this.path = path;
    this.file = file;
    this.reader = new BlockReader(file);
    this.size = file.size;
    this.key = `${batchId}:${transfer}`;
    this.host = host;
    this.peers = new Map(); // peerId -> {number, state, offerText, meter, reason}
    this.sender = new core.Sender(
      { name: path, size: file.size, mtimeMs: Math.trunc(file.lastModified || 0), mime: file.type || '' },
      {},
    );
    const status = this.sender.status();
    this.error = status.ok ? null : failureReason(status);
    this.readWhenReleased = 0;
  }

  // Who and what an event of this file's transfer to `peerId` is about; each event adds its own fields.
  about(peerId) {
    return { direction: 'out', key: this.key, batchId: this.batchId, transfer: this.transfer, peerId, path: this.path };
  }

  get released() {
    return this.sender === null;
  }

  addPeer(peerId, maxMessageSize) {
    const entry = {
      number: this.host.peerNumber(peerId),
      state: 'offering',
      offerText: null,
      meter: new ProgressMeter(),
    };
    this.peers.set(peerId, entry);
    if (this.error) return this.failPeer(peerId, this.error);
    const status = this.sender.addPeer(entry.number, this.transfer, maxMessageSize);
    if (!status.ok) return this.failPeer(peerId, failureReason(status));
    this.drain();
  }

  unfinishedPeers() {
    return [...this.peers].filter(([, p]) => !FINAL.has(p.state)).map(([id]) => id);
  }

  onControl(peerId, text) {
    const entry = this.peers.get(peerId);
    if (!entry || this.released) return;
    this.sender.onControl(entry.number, text);
    if (entry.state === 'offering' || entry.state === 'paused') entry.state = 'sending';
    this.drain();
  }

  // The peer's channel dropped: in-flight blocks are forgotten until it resumes with its `have`.
  pausePeer(peerId) {
    const entry = this.peers.get(peerId);
    if (!entry || FINAL.has(entry.state) || this.released) return;
    this.sender.pausePeer(entry.number);
    entry.state = 'paused';
  }

  cancelPeer(peerId, reason) {
    const entry = this.peers.get(peerId);
    if (!entry || FINAL.has(entry.state) || this.released) return false;
    this.sender.cancelPeer(entry.number, reason);
    this.drain();
    this.failPeer(peerId, reason);
    return true;
  }

  // Carries out the Sender's decisions, then lets the engine pump frames (the host loop contract of
  // wasm/include/cieloweb/sender.hpp).
  drain() {
    this.takeActions();
    for (const [peerId, entry] of this.peers) if (!FINAL.has(entry.state)) this.host.pump(peerId);
  }

  // Actions only, no pumping: also called right after a pump, since cutting frames can schedule
  // the next reads.
  takeActions() {
    if (this.released) return;
    // A failure can release the Sender inside the loop, hence the `?.`.
    for (let a = this.sender.nextAction(); a !== null; a = this.sender?.nextAction() ?? null) {
      if (a.type === 'read') {
        this.read(a);
      } else if (a.type === 'control') {
        const peerId = this.host.peerIdOf(a.peer);
        const entry = this.peers.get(peerId);
        // Kept to offer again when the peer comes back (a reloaded tab has forgotten it).
        if (entry && a.message === 'offer') entry.offerText = a.text;
        this.host.sendText(peerId, a.text);
      } else if (a.type === 'finished') {
        const peerId = this.host.peerIdOf(a.peer);
        const entry = this.peers.get(peerId);
        if (entry && !FINAL.has(entry.state)) {
          entry.state = 'finished';
          this.host.emit('file-complete', {
            ...this.about(peerId),
            size: this.size,
            rootHex: this.sender.rootHex(),
          });
        }
      } else if (a.type === 'failed') {
        this.failPeer(this.host.peerIdOf(a.peer), failureReason(a));
      }
    }
    this.maybeRelease();
  }

  pump(peerId, channel, high, low) {
    const entry = this.peers.get(peerId);
    if (!entry || this.released || FINAL.has(entry.state)) return 0;
    return this.sender.pump(entry.number, channel, high, low);
  }

  async read({ block, offset, length }) {
    let failure = null;
    try {
      // Handed over inside the read: the bytes are a view the reader reuses once this returns.
      failure = await this.reader.read(offset, length, (bytes) => {
        if (bytes.byteLength !== length) return REASON.fileChanged;
        if (!this.released) this.sender.onRead(block, bytes);
        return null;
      });
    } catch (_error) {
      failure = REASON.readFailed;
    }
    if (this.released) return;
    if (failure) this.sender.onReadFailed(block, failure);
    this.drain();
  }

  failPeer(peerId, reason) {
    const entry = this.peers.get(peerId);
    if (!entry || FINAL.has(entry.state)) return;
    entry.state = 'failed';
    entry.reason = reason;
    this.host.emit('file-failed', {
      ...this.about(peerId),
      reason,
    });
    this.maybeRelease();
  }

  // Drops a peer that came back under a new id (its reloaded tab): no failure shown for it.
  forgetPeer(peerId) {
    const entry = this.peers.get(peerId);
    if (!entry) return;
    // Not drained here: the new peer is added next, and releasing the Sender now would lose the
    // file. The cancel goes out later to the gone channel, which drops it.
    if (!FINAL.has(entry.state) && !this.released) this.sender.cancelPeer(entry.number, REASON.replaced);
    this.peers.delete(peerId);
  }

  progress(peerId) {
    const entry = this.peers.get(peerId);
    if (!entry) return null;
    if (entry.state === 'finished') return { bytes: this.size, total: this.size };
    if (this.released) return { bytes: 0, total: this.size };
    const p = this.sender.progress(entry.number);
    return { bytes: p.bytesAcked, total: p.bytesTotal || this.size, wireBytes: p.wireBytesSent };
  }

  // Every peer finished or failed: free the WASM memory (reads stop, blocks leave the cache).
  maybeRelease() {
    if (this.released || this.peers.size === 0) return;
    for (const entry of this.peers.values()) if (!FINAL.has(entry.state)) return;
    this.release();
  }

  // Blocks read from the file so far (each once, however many peers: the bench checks it).
  blocksRead() {
    return this.released ? this.readWhenReleased : this.sender.blocksRead();
  }

  release() {
    if (!this.released) {
      this.readWhenReleased = this.sender.blocksRead();
      this.sender.delete();
      this.sender = null;
      this.reader.close();
    }
  }
}
