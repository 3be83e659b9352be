// Dutch and English from day one: the language follows the browser unless the user picks one.
const messages = {
  en: {
    language: 'Language',
    lead: 'Files go straight from browser to browser. Try the integrity check: drop a file to see its BLAKE3 fingerprint.',
    dropHint: 'Drop a file here, or',
    pick: 'Choose a file',
    name: 'Name',
    size: 'Size',
    hash: 'BLAKE3',
    speed: 'Hashing speed',
    hashing: 'Hashing…',
    footer: 'Peer to peer. The server never sees your files.',
    engine: 'Engine: {impl}',
    errorRead: 'This file cannot be read ({detail}).',
    errorEngine: 'The transfer engine could not start ({detail}).',
  },
  nl: {
    language: 'Taal',
    lead: 'Bestanden gaan rechtstreeks van browser naar browser. Probeer de integriteitscontrole: sleep een bestand hierheen en zie zijn BLAKE3-vingerafdruk.',
    dropHint: 'Sleep een bestand hierheen, of',
    pick: 'Kies een bestand',
    name: 'Naam',
    size: 'Grootte',
    hash: 'BLAKE3',
    speed: 'Hashsnelheid',
    hashing: 'Bezig met hashen…',
    footer: 'Peer-to-peer. De server ziet uw bestanden nooit.',
    engine: 'Engine: {impl}',
    errorRead: 'Dit bestand kan niet worden gelezen ({detail}).',
    errorEngine: 'De overdrachtsengine kon niet starten ({detail}).',
  },
};

const STORAGE_KEY = 'cieloweb.language';
let current = 'en';

export function detectLanguage() {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved && messages[saved]) return saved;
  const preferred = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2).toLowerCase());
  return preferred.find((l) => messages[l]) ?? 'en';
}

export function setLanguage(language, { remember = false } = {}) {
  current = messages[language] ? language : 'en';
  if (remember) globalThis.localStorage?.setItem(STORAGE_KEY, current);
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  document.dispatchEvent(new CustomEvent('languagechange', { detail: current }));
}

export function language() {
  return current;
}

export function t(key, params = {}) {
  const text = messages[current][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

export function formatBytes(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(current, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
  return `${number} ${units[unit]}`;
}

export function formatRate(bytesPerSecond) {
  const mb = bytesPerSecond / 1e6;
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: 0 }).format(mb)} MB/s`;
}
