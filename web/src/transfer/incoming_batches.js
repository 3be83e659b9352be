// How much of what a peer announces this tab takes on at once. The batch message itself is checked
// field by field, within its limits (10000 files, ...), by the core's control codec (control.hpp).
import { REASON } from './reasons.js';

// Files of one accepted batch that receive at the same time (each holds a Receiver, its window
// of blocks and an open segment); the rest wait their turn. 100 files each opened with one tiny
// frame cost no more than this many.
export const MAX_ACTIVE_FILES_PER_BATCH = 4;
// Batches from one peer waiting for the person's Accept/Decline; more are declined at once.
export const MAX_PENDING_BATCHES_PER_PEER = 8;
// Incoming batches the page keeps (finished ones beyond this are forgotten, oldest first).
export const MAX_KEPT_BATCHES = 200;

// A sender's batch id names a batch only among that sender's batches: the same id from another
// peer is another batch (and another folder in storage).
export function scopedBatchId(peerId, batch) {
  return `${peerId}.${batch}`;
}

// Why an offer may not be received as part of `entry` (its batch's announcement), as a reason code,
// or null: what the person accepted is exactly what is written.
export function offerMismatch(entry, offer) {
  if (offer.file.name !== entry.announcedPath) return REASON.nameDiffers;
  if (offer.file.size !== entry.size) return REASON.sizeDiffers;
  return null;
}

// Bytes this origin may still store (quota minus what it holds, received files included), or
// Infinity where the browser does not say.
export async function storageAvailable() {
  try {
    const estimate = await navigator.storage?.estimate?.();
    if (!estimate || !Number.isFinite(estimate.quota)) return Infinity;
    return Math.max(0, estimate.quota - (estimate.usage ?? 0));
  } catch {
    return Infinity;
  }
}
