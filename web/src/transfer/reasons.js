// Why a file failed or a batch was refused, as codes. The engine and the core hand these to the view
// (file-failed's `reason`) and to the peer (the reason of a reject, cancel or error message); the
// view translates them (strings.js, reasonText). No English sentence is built on the way.
export const REASON = Object.freeze({
  declined: 'declined',
  tooManyOffers: 'too_many_offers',
  storageFull: 'storage_full',
  storageDenied: 'storage_denied',
  storageError: 'storage_error',
  sizeMismatch: 'size_mismatch', // the verified size is not the size being stored
  storedPartMismatch: 'stored_part_mismatch', // a stored segment is not as long as it should be
  cancelledBySender: 'cancelled_by_sender',
  cancelledByReceiver: 'cancelled_by_receiver',
  nameDiffers: 'name_differs', // an offer's name is not what its batch announced
  sizeDiffers: 'size_differs', // an offer's size is not what its batch announced
  replacedByOtherFile: 'replaced_by_other_file', // a restart into another name or size
  replaced: 'replaced', // the peer came back under a new id (its reloaded tab)
  fileChanged: 'file_changed_while_sending',
  readFailed: 'read_failed',
});

const HOST_REASONS = new Set(Object.values(REASON));

// The code of a core failure (a 'failed' action, a Status): the reason the peer gave when it is one
// of ours, else the core's error name (result.hpp: 'rejected', 'hash_mismatch', 'too_large', ...).
// A peer's free text never reaches the view.
export function failureReason(status) {
  if (HOST_REASONS.has(status?.reason)) return status.reason;
  return status?.name || 'internal';
}
