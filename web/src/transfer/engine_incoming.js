// The engine's received batches (a mixin of TransferEngine): a batch message shown for one
// Accept/Decline, its offers each received by an IncomingFile (one WASM Receiver), at most
// MAX_ACTIVE_FILES_PER_BATCH at a time, and what received files take in storage.
import { IncomingFile } from './incoming.js';
import {
  MAX_ACTIVE_FILES_PER_BATCH,
  MAX_KEPT_BATCHES,
  MAX_PENDING_BATCHES_PER_PEER,
  offerMismatch,
  scopedBatchId,
  storageAvailable,
} from './incoming_batches.js';
import { failureReason, REASON } from './reasons.js';
import { resumeStore } from './resume_store.js';
import { clearReceivedFolders, removeBatchFolder } from './sink.js';
import { cleanPath } from '../text.js';

export const incomingMethods = {
  // A batch message the core decoded (checked field by field, within its limits).
  onBatch(peer, message) {
    const files = message.files.map(({ transfer, path, size }) => ({
      transfer,
      announcedPath: path,
      path: cleanPath(path),
      size,
    }));
    this.registerBatch(peer, scopedBatchId(peer.id, message.batch), files);
  },

  // A new incoming batch: shown for Accept/Decline once the storage check is done, or declined at
  // once when it cannot fit or when this peer already has too many offers waiting.
  registerBatch(peer, id, files) {
    if (this.incoming.has(id)) return null;
    const waiting = [...this.incoming.values()].filter((b) => b.peerId === peer.id && b.state === 'offered').length;
    const batch = {
      id,
      peerId: peer.id,
      peerName: peer.name,
      files,
      state: 'offered',
      items: new Map(),
      byTransfer: new Map(files.map((f) => [f.transfer, f])),
    };
    this.incoming.set(id, batch);
    this.forgetOldBatches();
    if (waiting >= MAX_PENDING_BATCHES_PER_PEER) {
      this.decline(id, REASON.tooManyOffers);
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
        this.decline(batch.id, REASON.storageFull);
        return;
      }
      this.emit('batch-offered', this.describeIncoming(batch, { resumed }));
      if (resumed) this.accept(batch.id);
    });
    return batch;
  },

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
  },

  // offer: the core's decoding of `text`.
  onOffer(peer, transfer, text, offer) {
    let batch = [...this.incoming.values()].find(
      (b) => b.peerId === peer.id && !b.items.has(transfer) && b.byTransfer.has(transfer),
    );
    if (!batch) {
      // An offer without its batch message (another client): a batch of one, checked the same way.
      const path = offer.file.name;
      batch = this.registerBatch(peer, scopedBatchId(peer.id, `single-${transfer}`), [
        { transfer, announcedPath: path, path: cleanPath(path), size: offer.file.size },
      ]);
      if (!batch) return;
    }
    const entry = batch.byTransfer.get(transfer);
    const item = new IncomingFile(
      this.core,
      { peerId: peer.id, batchId: batch.id, transfer, path: entry.path, offerText: text, offer },
      this.host,
    );
    this.receiving.set(`${peer.id}:${transfer}`, item);
    batch.items.set(transfer, item);
    const mismatch = offerMismatch(entry, offer);
    if (mismatch) return item.refuseOffer(mismatch);
    // Refused at once, before anyone accepts, when the core could not take it on (its per-file
    // bookkeeping cap, the largest file size).
    const acceptable = this.core.checkOffer(text, {});
    if (!acceptable.ok) return item.refuseOffer(failureReason(acceptable));
    if (batch.state === 'accepted') this.startQueued(batch);
    else if (batch.state !== 'offered') item.decline(batch.declineReason ?? REASON.declined);
  },

  // A file of the batch changed on the sender's side: the batch asks the person again (Accept
  // continues with the new version, Decline ends that file); files already under way continue.
  onReoffered({ batchId, path }) {
    const batch = this.incoming.get(batchId);
    if (batch?.state !== 'accepted') return;
    batch.state = 'offered';
    this.dispatchEvent(new CustomEvent('batch-reoffered', { detail: { batchId, path } }));
  },

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
  },

  describeIncoming(batch, extra = {}) {
    const totalSize = batch.files.reduce((sum, f) => sum + f.size, 0);
    return {
      direction: 'in',
      batchId: batch.id,
      peerId: batch.peerId,
      peerName: batch.peerName,
      files: batch.files.map((f) => ({ ...f, key: `${batch.id}:${f.transfer}` })),
      count: batch.files.length,
      totalSize,
      ...extra,
    };
  },

  accept(batchId) {
    const batch = this.incoming.get(batchId);
    if (batch?.state !== 'offered') return;
    batch.state = 'accepted';
    batch.everAccepted = true;
    this.startQueued(batch);
    this.emit('batch-accepted', { batchId });
    this.ensureTicker();
  },

  // reason: a reason code (reasons.js), sent to the peer with the reject.
  decline(batchId, reason = REASON.declined) {
    const batch = this.incoming.get(batchId);
    if (batch?.state !== 'offered') return;
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
  },

  // The receiver cancels a batch, or one file of it (`only`: its transfer id).
  cancelIncoming(batchId, only) {
    const batch = this.incoming.get(batchId);
    if (!batch) return;
    if (only === null && batch.state === 'offered') return this.decline(batchId);
    if (only === null) batch.state = 'cancelled';
    for (const item of batch.items.values())
      if (only === null || item.transfer === only) item.cancel(REASON.cancelledByReceiver);
  },

  async dismissIncoming(batchId) {
    const batch = this.incoming.get(batchId);
    if (!batch) return;
    if (batch.state === 'offered') this.decline(batchId);
    else if (!batch.done) this.cancel(batchId);
    await this.dropIncoming(batch);
  },

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
  },

  async dropIncoming(batch) {
    const folders = new Set([batch.id]);
    for (const item of batch.items.values()) {
      if (item.sink) folders.add(item.sink.folder);
      await resumeStore.delete(item.identity);
      this.receiving.delete(`${item.peerId}:${item.transfer}`);
    }
    this.incoming.delete(batch.id);
    for (const folder of folders) await removeBatchFolder(folder);
  },

  checkIncoming(batchId) {
    const batch = this.incoming.get(batchId);
    if (!batch || batch.done || batch.items.size < batch.files.length) return;
    const items = [...batch.items.values()];
    if (items.some((i) => i.state !== 'completed' && i.state !== 'failed')) return;
    batch.done = true;
    const ok = items.every((i) => i.state === 'completed');
    if (!items.some((i) => i.state === 'completed')) removeBatchFolder(batch.id); // nothing kept
    this.dispatchEvent(new CustomEvent('batch-complete', { detail: { direction: 'in', batchId, ok } }));
  },
};
