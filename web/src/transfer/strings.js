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
    waiting: 'Waiting for {name} to accept…',
    offered: 'wants to send you',
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
    changedBySender: '{path} changed on the sender\'s side; what arrived of it was deleted. Receive the new version?',
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
    waiting: 'Wachten tot {name} accepteert…',
    offered: 'wil u sturen',
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
    changedBySender: '{path} is bij de afzender gewijzigd; wat ervan binnen was, is gewist. De nieuwe versie ontvangen?',
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

export function formatDuration(seconds) {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
