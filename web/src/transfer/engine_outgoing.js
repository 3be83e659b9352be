// The engine's sent batches (a mixin of TransferEngine): one OutgoingFile (one WASM Sender) per
// file, serving every chosen peer. Before a batch's offers each peer gets the batch message (the
// core's `batch`: names, count and sizes for one Accept/Decline).
import { OutgoingFile } from './outgoing.js';
import { REASON } from './reasons.js';
import { cleanPath } from '../text.js';

export const outgoingMethods = {
  // entries: [{file: File, path: 'folder/a.txt'}]; peerIds: default every attached peer.
  sendFiles(entries, peerIds) {
    const targets = peerIds ?? [...this.peers.values()].filter((p) => p.attached).map((p) => p.id);
    const batch = { id: crypto.randomUUID(), peerIds: new Set(targets), files: [] };
    this.startCallLead(targets);
    for (const { file, path } of entries) {
      const outgoing = new OutgoingFile(
        this.core,
        { batchId: batch.id, transfer: this.newTransferId(), path: cleanPath(path || file.name), file },
        this.host,
      );
      batch.files.push(outgoing);
      this.sending.set(outgoing.transfer, outgoing);
    }
    this.outgoing.set(batch.id, batch);
    this.emit('batch-sent', {
      direction: 'out',
      batchId: batch.id,
      peerIds: targets,
      peers: targets.map((id) => ({ id, name: this.peers.get(id)?.name ?? id })),
      files: batch.files.map((f) => ({ transfer: f.transfer, path: f.path, size: f.size, key: f.key })),
      count: batch.files.length,
      totalSize: batch.files.reduce((s, f) => s + f.size, 0),
    });
    // A file that fails at once (addPeer) must not complete the batch while later files have no
    // peer yet: the batch is checked once every file has every peer.
    batch.adding = true;
    for (const peerId of targets) {
      this.sendBatchMessage(peerId, batch);
      for (const file of batch.files) file.addPeer(peerId, this.maxMessageSizeOf(peerId));
    }
    batch.adding = false;
    if (targets.length > 0) this.checkOutgoing(batch.id);
    this.ensureTicker();
    return batch.id;
  },

  // The batch message, encoded once per batch.
  sendBatchMessage(peerId, batch) {
    batch.message ??= {
      type: 'batch',
      batch: batch.id,
      files: batch.files.map((f) => ({ transfer: f.transfer, path: f.path, size: f.size })),
    };
    this.sendControl(peerId, batch.message);
  },

  newTransferId() {
    const used = (id) => this.sending.has(id) || [...this.receiving.values()].some((i) => i.transfer === id);
    let id;
    do id = crypto.getRandomValues(new Uint32Array(1))[0];
    while (id === 0 || used(id));
    return id;
  },

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
  },

  // The sender cancels a sent batch, or one file of it (`only`: its transfer id).
  cancelOutgoing(batchId, only) {
    const out = this.outgoing.get(batchId);
    if (!out) return;
    for (const file of out.files) {
      if (only !== null && file.transfer !== only) continue;
      for (const peerId of file.unfinishedPeers()) file.cancelPeer(peerId, REASON.cancelledBySender);
    }
  },

  dismissOutgoing(batchId) {
    const out = this.outgoing.get(batchId);
    if (!out) return;
    if (!out.done) this.cancel(batchId);
    for (const file of out.files) {
      file.release();
      this.sending.delete(file.transfer);
    }
    this.outgoing.delete(batchId);
  },

  checkOutgoing(batchId) {
    const batch = this.outgoing.get(batchId);
    if (!batch || batch.done || batch.adding || batch.files.some((f) => f.unfinishedPeers().length > 0)) return;
    batch.done = true;
    const ok = batch.files.every((f) => [...f.peers.values()].every((p) => p.state === 'finished'));
    this.dispatchEvent(new CustomEvent('batch-complete', { detail: { direction: 'out', batchId, ok } }));
  },
};
