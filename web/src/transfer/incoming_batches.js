// What a peer may announce as a batch, and how much of it this tab takes on at once. Everything
// here comes from another person's page, so every field is checked and every count has a limit;
// a batch that breaks a rule is refused as a whole, with the rule it broke.
import { cleanPath } from '../text.js';

export const MAX_FILES_PER_BATCH = 10000;
export const MAX_PATH_CHARS = 4096; // the core's limit for a file name (a relative path)
export const MAX_FILE_BYTES = 2 ** 50; // the core's limit for a file's size
// Files of one accepted batch that receive at the same time (each holds a Receiver, its window
// of blocks and an open segment); the rest wait their turn. 100 files each opened with one tiny
// frame cost no more than this many.
export const MAX_ACTIVE_FILES_PER_BATCH = 4;
// Batches from one peer waiting for the person's Accept/Decline; more are declined at once.
export const MAX_PENDING_BATCHES_PER_PEER = 8;
// Incoming batches the page keeps (finished ones beyond this are forgotten, oldest first).
export const MAX_KEPT_BATCHES = 200;

const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

// A sender's batch id names a batch only among that sender's batches: the same id from another
// peer is another batch (and another folder in storage).
export function scopedBatchId(peerId, batch) {
  return `${peerId}.${batch}`;
}

// {ok: true, batch, files: [{transfer, announcedPath, path, size}]} or {ok: false, reason}.
export function parseBatchMessage(msg) {
  if (typeof msg.batch !== 'string' || !BATCH_ID_PATTERN.test(msg.batch)) return { ok: false, reason: 'bad batch id' };
  if (!Array.isArray(msg.files) || msg.files.length === 0) return { ok: false, reason: 'a batch without files' };
  if (msg.files.length > MAX_FILES_PER_BATCH) return { ok: false, reason: `more than ${MAX_FILES_PER_BATCH} files in one batch` };
  const seen = new Set();
  const files = [];
  for (const f of msg.files) {
    if (!f || typeof f !== 'object') return { ok: false, reason: 'a file entry that is not an object' };
    const { transfer, path, size } = f;
    if (!Number.isInteger(transfer) || transfer <= 0 || transfer > 0xffffffff || seen.has(transfer)) return { ok: false, reason: 'bad or repeated transfer id' };
    if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_CHARS) return { ok: false, reason: 'bad file path' };
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_FILE_BYTES) return { ok: false, reason: 'bad file size' };
    seen.add(transfer);
    files.push({ transfer, announcedPath: path, path: cleanPath(path), size });
  }
  return { ok: true, batch: msg.batch, files };
}

// Why an offer may not be received as part of `entry` (its batch's announcement), or null: what
// the person accepted is exactly what is written.
export function offerMismatch(entry, offer) {
  if (offer.file.name !== entry.announcedPath) return 'the file\'s name differs from what was announced';
  if (offer.file.size !== entry.size) return 'the file\'s size differs from what was announced';
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
