// The transfer panel's words in Dutch and English. i18n.js has no way (yet) to add strings from
// another module, so they live here, in the same {name} placeholder style, and follow the page's
// language (i18n.js's language(), which also sets <html lang>).
import * as i18n from '../i18n.js';

export const strings = {
  en: {
    sendTo: 'Send to',
    everyone: 'Everyone',
    from: 'From {name}',
    to: 'To {names}',
    files: '{count} files',
    oneFile: '1 file',
    accept: 'Accept',
    decline: 'Decline',
    cancel: 'Cancel',
    retry: 'Retry',
    save: 'Save',
    saveAll: 'Save all',
    pastedAsk: 'Send what you pasted: {what} ({size})?',
    pastedSend: 'Send',
    savingAll: 'Saving… {percent}%',
    savedAllFolder: 'Saved in the folder {name}',
    savedAllZip: 'Saved as {name}',
    saveAllFailed: 'Could not save: {detail}',
    waiting: 'Waiting for {name} to accept…',
    offered: 'wants to send you',
    offerTitle: '{name} wants to send you {what}',
    notifyMe: 'Tell me when someone sends files',
    notifyTitle: '{name} wants to send you {what}',
    notifyBody: '{size} in total. Open the room to accept or decline.',
    declined: 'Declined',
    cancelled: 'Cancelled',
    completed: 'Done',
    resumed: 'Resuming where it stopped',
    failed: 'Failed: {reason}',
    eta: '{time} left',
    progressLabel: 'Progress',
    verified: 'BLAKE3 (verified)',
    noPeers: 'Nobody else is in the room yet.',
    storageUsed: 'Received files kept in this browser: {size}',
    clearReceived: 'Clear received files',
    dismiss: 'Remove',
    dismissLabel: 'Remove this transfer from the list (received files are deleted from this browser)',
    refusedStorage: 'Declined: needs {size}, only {available} free in this browser',
    changedBySender: "{path} changed on the sender's side; what arrived of it was deleted. Receive the new version?",
    // Reasons (reasons.js codes and the core's error names) for 'Failed: {reason}'.
    reason_declined: 'declined',
    reason_too_many_offers: 'too many offers waiting',
    reason_storage_full: 'file too big for the chosen storage',
    reason_storage_denied: 'storage permission denied',
    reason_storage_error: 'storage error',
    reason_size_mismatch: 'the verified size is not the size being stored',
    reason_stored_part_mismatch: 'a stored part of the file has the wrong size',
    reason_cancelled_by_sender: 'cancelled by the sender',
    reason_cancelled_by_receiver: 'cancelled by the receiver',
    reason_name_differs: "the file's name differs from what was announced",
    reason_size_differs: "the file's size differs from what was announced",
    reason_replaced_by_other_file: 'the sender replaced the file with a different one',
    reason_replaced: 'the receiver came back in a new tab',
    reason_file_changed_while_sending: 'the file changed while it was being sent',
    reason_read_failed: 'cannot read the file',
    reason_rejected: 'declined by the receiver',
    reason_cancelled: 'cancelled',
    reason_too_large: 'too large to receive in this browser',
    reason_file_changed: 'the file changed',
    reason_hash_mismatch: 'a block did not verify',
    reason_root_mismatch: 'the file did not verify',
    reason_retries_exhausted: 'a block failed verification too often',
    reason_io_error: 'cannot read or write the file',
    reason_other: 'error ({code})',
  },
  nl: {
    sendTo: 'Versturen naar',
    everyone: 'Iedereen',
    from: 'Van {name}',
    to: 'Naar {names}',
    files: '{count} bestanden',
    oneFile: '1 bestand',
    accept: 'Accepteren',
    decline: 'Weigeren',
    cancel: 'Annuleren',
    retry: 'Opnieuw',
    save: 'Opslaan',
    saveAll: 'Alles opslaan',
    pastedAsk: 'Versturen wat je plakte: {what} ({size})?',
    pastedSend: 'Versturen',
    savingAll: 'Opslaan… {percent}%',
    savedAllFolder: 'Opgeslagen in de map {name}',
    savedAllZip: 'Opgeslagen als {name}',
    saveAllFailed: 'Opslaan mislukt: {detail}',
    waiting: 'Wachten tot {name} accepteert…',
    offered: 'wil u sturen',
    offerTitle: '{name} wil u {what} sturen',
    notifyMe: 'Laat het me weten als iemand bestanden stuurt',
    notifyTitle: '{name} wil u {what} sturen',
    notifyBody: 'In totaal {size}. Open de ruimte om te accepteren of te weigeren.',
    declined: 'Geweigerd',
    cancelled: 'Geannuleerd',
    completed: 'Klaar',
    resumed: 'Gaat verder waar het stopte',
    failed: 'Mislukt: {reason}',
    eta: 'nog {time}',
    progressLabel: 'Voortgang',
    verified: 'BLAKE3 (gecontroleerd)',
    noPeers: 'Er is nog niemand anders in de kamer.',
    storageUsed: 'Ontvangen bestanden bewaard in deze browser: {size}',
    clearReceived: 'Ontvangen bestanden wissen',
    dismiss: 'Verwijderen',
    dismissLabel: 'Deze overdracht uit de lijst verwijderen (ontvangen bestanden worden uit deze browser gewist)',
    refusedStorage: 'Geweigerd: nodig {size}, maar slechts {available} vrij in deze browser',
    changedBySender:
      '{path} is bij de afzender gewijzigd; wat ervan binnen was, is gewist. De nieuwe versie ontvangen?',
    reason_declined: 'geweigerd',
    reason_too_many_offers: 'te veel aanbiedingen wachten',
    reason_storage_full: 'bestand te groot voor de gekozen opslag',
    reason_storage_denied: 'geen toestemming voor opslag',
    reason_storage_error: 'opslagfout',
    reason_size_mismatch: 'de gecontroleerde grootte is niet de opgeslagen grootte',
    reason_stored_part_mismatch: 'een opgeslagen deel van het bestand heeft de verkeerde grootte',
    reason_cancelled_by_sender: 'geannuleerd door de afzender',
    reason_cancelled_by_receiver: 'geannuleerd door de ontvanger',
    reason_name_differs: 'de naam van het bestand wijkt af van wat was aangekondigd',
    reason_size_differs: 'de grootte van het bestand wijkt af van wat was aangekondigd',
    reason_replaced_by_other_file: 'de afzender heeft het bestand door een ander vervangen',
    reason_replaced: 'de ontvanger is terug in een nieuw tabblad',
    reason_file_changed_while_sending: 'het bestand is tijdens het versturen gewijzigd',
    reason_read_failed: 'kan het bestand niet lezen',
    reason_rejected: 'geweigerd door de ontvanger',
    reason_cancelled: 'geannuleerd',
    reason_too_large: 'te groot om in deze browser te ontvangen',
    reason_file_changed: 'het bestand is gewijzigd',
    reason_hash_mismatch: 'een blok klopte niet',
    reason_root_mismatch: 'het bestand klopte niet',
    reason_retries_exhausted: 'een blok klopte te vaak niet',
    reason_io_error: 'kan het bestand niet lezen of schrijven',
    reason_other: 'fout ({code})',
  },
};

function currentLanguage() {
  const lang = typeof i18n.language === 'function' ? i18n.language() : document.documentElement.lang;
  return strings[lang] ? lang : 'en';
}

// Registers with i18n.js when it offers a way to; otherwise tr() uses the table above.
if (typeof i18n.addMessages === 'function') i18n.addMessages(strings);

export function tr(key, params = {}) {
  const text = strings[currentLanguage()][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

// "1 file", "3 files".
export function countText(count) {
  return count === 1 ? tr('oneFile') : tr('files', { count });
}

// The words for a reason code (reasons.js, or a core error name), in the page's language.
export function reasonText(code) {
  const key = `reason_${code}`;
  return key in strings.en ? tr(key) : tr('reason_other', { code });
}

export function formatDuration(seconds) {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
