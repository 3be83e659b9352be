// One file being received from one peer: a WASM Receiver fed with the transfer channel's frames,
// its verified blocks streamed to OPFS (sink.js), its progress saved for a reload (resume_store.js).
// A block is reported written to the Receiver (and so acked, freeing the sender's window) only
// after its OPFS write resolved: that is what bounds memory end to end.
import { FileSink, storageReason } from './sink.js';
import { ProgressMeter } from './progress_meter.js';
import { failureReason, REASON } from './reasons.js';
import { resumeStore } from './resume_store.js';

// Blocks in flight or waiting for the disk (16 MiB at the default size): enough that the sender
// never waits for acks while a segment is flushed, small next to the 64 MiB memory budget.
const RECEIVE_WINDOW = 16;

export class IncomingFile {
  // host: {sendText(peerId, text), sendControl(peerId, message), emit(type, detail)}; path: the offer's name as cleaned for
  // showing and storing (text.js cleanPath), which the engine already matched to the batch.
  constructor(core, { peerId, batchId, transfer, path, offerText, offer }, host) {
    this.core = core;
    this.peerId = peerId;
    this.batchId = batchId;
    this.transfer = transfer;
    this.offerText = offerText;
    this.path = path;
    this.size = offer.file.size;
    // Resume records belong to the sender too: another peer offering a file of the same identity
    // never continues from this one's partial data.
    this.identity = `${peerId}|${offer.file.key}`;
    this.blockSize = offer.blockSize;
    this.mime = offer.mime;
    this.key = `${batchId}:${transfer}`;
    this.host = host;
    this.receiver = null;
    this.sink = null;
    // offered | starting | receiving | reoffered (the sender restarted: waiting for the person to
    // accept the new version) | completing | completed | failed
    this.state = 'offered';
    this.announced = { name: offer.file.name, size: offer.file.size };
    this.disconnected = false;
    this.meter = new ProgressMeter();
    this.resumedBlocks = 0;
  }

  // Who and what an event of this file is about; each event adds its own fields.
  about() {
    return {
      direction: 'in',
      key: this.key,
      batchId: this.batchId,
      transfer: this.transfer,
      peerId: this.peerId,
      path: this.path,
    };
  }

  get active() {
    return this.state === 'starting' || this.state === 'receiving';
  }

  // Holds a Receiver, a window of blocks or an open segment (counts against the batch's limit).
  get busy() {
    return this.active || this.state === 'completing' || this.state === 'reoffered';
  }

  // Accepted: open the OPFS file and accept, continuing from a saved state when one matches.
  async start() {
    if (this.state !== 'offered') return;
    this.state = 'starting';
    const saved = await resumeStore.get(this.identity);
    const folder = saved?.batch ?? this.batchId;
    this.sink = new FileSink({ folder, path: this.path, size: this.size, blockSize: this.blockSize, mime: this.mime });
    try {
      await this.sink.open();
    } catch (error) {
      return this.refuse(storageReason(error));
    }
    if (this.state !== 'starting') return; // cancelled meanwhile
    this.receiver = new this.core.Receiver(this.offerText, { window: RECEIVE_WINDOW, writeViews: true });
    const status = this.receiver.status();
    if (!status.ok) return this.refuse(failureReason(status));
    let resumed = false;
    if (saved && saved.path === this.path) {
      // Only the segments really on disk may count: limit the saved state to them.
      const found = await this.sink.findCommitted(saved.segments ?? []);
      if (found.length > 0) {
        const limited = this.core.limitResumeState(saved.state, this.sink.committedBlockRanges());
        resumed = limited.ok && this.receiver.acceptResume(limited.state).ok;
        if (resumed) this.resumedBlocks = limited.blocks;
      }
    }
    if (!resumed) this.receiver.accept();
    this.state = 'receiving';
    this.host.emit('file-started', { ...this.about(), resumed });
    this.drain();
  }

  // Declined before it started: tell the sender with a throwaway Receiver (it formats the reject).
  decline(reason) {
    if (this.state === 'reoffered') {
      this.receiver.reject(reason);
      this.drain();
      return this.fail(reason);
    }
    if (this.state !== 'offered') return;
    const receiver = new this.core.Receiver(this.offerText, {});
    receiver.reject(reason);
    for (let a = receiver.nextAction(); a !== null; a = receiver.nextAction()) {
      if (a.type === 'control') this.host.sendText(this.peerId, a.text);
    }
    receiver.delete();
    this.state = 'failed';
  }

  // The offer breaks what its batch announced: declined with the reason code, and shown as failed.
  refuseOffer(reason) {
    this.decline(reason);
    this.reason = reason;
    this.host.emit('file-failed', {
      ...this.about(),
      reason,
    });
  }

  onFrame(bytes) {
    if (this.state !== 'receiving') return; // nothing of a re-offered file before its new Accept
    this.receiver.onFrame(bytes);
    this.drain();
  }

  // message: the core's decoding of `text` (its type).
  onControl(text, message) {
    const ends = message.type === 'cancel' || message.type === 'error';
    if (this.state === 'reoffered') {
      // Only the end of the transfer matters while the person decides.
      if (ends) {
        this.receiver.onControl(text);
        this.drain();
      }
      return;
    }
    if (this.state !== 'receiving') {
      if (this.state === 'starting' && ends) this.fail(REASON.cancelledBySender);
      return;
    }
    this.receiver.onControl(text);
    // The sender offers again after a drop once it listens on the new channel: ask for the rest.
    if (message.type === 'offer' && this.disconnected) {
      this.disconnected = false;
      this.receiver.onReconnected();
    }
    this.drain();
  }

  onDisconnected() {
    if (this.state !== 'receiving') return;
    this.receiver.onDisconnected();
    this.disconnected = true;
  }

  cancel(reason) {
    if (this.state === 'offered') return this.decline(reason);
    if (!this.active) return;
    if (this.receiver) {
      this.receiver.cancel(reason);
      this.drain();
    }
    this.fail(reason);
  }

  drain() {
    if (!this.receiver) return;
    for (let a = this.receiver.nextAction(); a !== null; a = this.receiver?.nextAction() ?? null) {
      if (a.type === 'control') this.host.sendText(this.peerId, a.text);
      else if (a.type === 'write') this.write(a);
      else if (a.type === 'discard') this.sink.discard();
      else if (a.type === 'reoffered') this.onReoffered(a);
      else if (a.type === 'completed') this.complete(a.rootHex, a.size);
      else if (a.type === 'failed') this.fail(failureReason(a));
    }
  }

  // The sender restarted the file (it changed on its side). Everything written for the old version
  // is already being discarded; the new version is received only if it is the file the person
  // accepted (same name and size) and only after they accept it again.
  onReoffered({ file, acceptable }) {
    if (file.name !== this.announced.name || file.size !== this.announced.size) {
      return this.refuse(REASON.replacedByOtherFile);
    }
    if (!acceptable.ok) return this.refuse(failureReason(acceptable));
    this.state = 'reoffered';
    this.host.emit('file-reoffered', { ...this.about(), size: file.size });
  }

  // The person accepted the new version.
  acceptAgain() {
    if (this.state !== 'reoffered') return;
    this.state = 'receiving';
    this.receiver.accept();
    this.drain();
  }

  // The Receiver hands out views of WASM memory (writeViews): fetched again at the moment of the
  // write, since a memory growth in between detaches the first one.
  write({ block, offset }) {
    this.sink
      .write(offset, () => this.receiver?.writeView(block) ?? null)
      .then(
        (committed) => {
          if (this.state !== 'receiving') return;
          this.receiver.onWriteDone(block);
          if (committed) this.saveState(); // after onWriteDone, so the state counts this block
          this.drain();
        },
        (error) => {
          if (this.state !== 'receiving') return;
          const reason = storageReason(error);
          this.clearReason = reason; // shown instead of the core's io_error
          this.receiver.onWriteFailed(block, reason);
          this.drain();
          this.fail(reason);
        },
      );
  }

  // A segment is committed on disk: record what a reloaded tab may skip.
  saveState() {
    if (this.state !== 'receiving') return;
    const limited = this.core.limitResumeState(this.receiver.resumeState(), this.sink.committedBlockRanges());
    if (!limited.ok) return;
    resumeStore.put({
      key: this.identity,
      batch: this.sink.folder,
      path: this.path,
      state: limited.state,
      segments: [...this.sink.committed],
    });
  }

  // size: the length of the file whose root the core verified.
  async complete(rootHex, size) {
    this.state = 'completing';
    let file = null;
    try {
      // The saved file must be exactly the size whose root the core verified.
      file = await this.sink.finish(size);
    } catch (error) {
      this.state = 'receiving';
      return this.fail(storageReason(error));
    }
    this.state = 'completed';
    this.release();
    resumeStore.delete(this.identity);
    this.host.emit('file-complete', {
      ...this.about(),
      size: this.size,
      rootHex,
      file,
    });
  }

  refuse(reason) {
    this.clearReason ??= reason; // shown, rather than the core's generic 'cancelled'
    if (this.receiver) {
      this.receiver.cancel(reason);
      this.drain();
    } else {
      this.host.sendControl(this.peerId, { type: 'cancel', transfer: this.transfer, reason });
    }
    this.fail(reason);
  }

  fail(reason) {
    if (this.state === 'failed' || this.state === 'completed') return;
    this.state = 'failed';
    this.reason = this.clearReason ?? reason;
    reason = this.reason;
    this.release();
    this.sink?.remove();
    resumeStore.delete(this.identity);
    this.host.emit('file-failed', {
      ...this.about(),
      reason,
    });
  }

  release() {
    if (this.receiver) this.last = this.receiver.progress(); // counters stay readable for tests
    this.receiver?.delete();
    this.receiver = null;
  }

  progress() {
    const done = this.state === 'completed' ? this.size : 0;
    if (!this.receiver) {
      return {
        bytes: done,
        total: this.size,
        blocksReceived: this.last?.blocksReceived ?? 0,
        blocksResent: this.last?.blocksResent ?? 0,
      };
    }
    const p = this.receiver.progress();
    return {
      bytes: p.bytesVerified,
      total: p.bytesTotal,
      blocksReceived: p.blocksReceived,
      blocksResent: p.blocksResent,
    };
  }
}
