// Dutch and English from day one: the language follows the browser unless the user picks one
// (the choice is remembered in localStorage; no cookie).
import { formatBytesIn, formatRateIn, formatTimeIn } from './formats.js';

const messages = {
  en: {
    language: 'Language',
    lead: 'Files go straight from browser to browser. Try the integrity check: drop a file to see its BLAKE3 fingerprint.',
    dropHint: 'Drop a file here, or',
    chooseHint: 'Pick a file on this device:',
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
    heroTitle: 'Share files straight from browser to browser',
    heroLead:
      'Create a room, share its link, drop files and chat. Everything goes peer to peer, encrypted; our server only introduces you.',
    createRoom: 'Create a room',
    creating: 'Creating…',
    errorCreate: 'Could not create a room ({detail}).',
    hashPanel: 'Integrity check (BLAKE3)',
    shareTitle: 'Invite people',
    shareHint: 'Anyone with this link can join. The part after # is the room key; it never reaches our server.',
    copy: 'Copy',
    copied: 'Copied',
    shareNative: 'Share…',
    peopleTitle: 'People in this room',
    yourName: 'Your name',
    you: 'you',
    peersEmptyTitle: 'Just you so far',
    peersEmpty: 'Send the others the room link, or let them scan the QR code.',
    roomCapacity: 'This room holds up to {count} people.',
    transfersTitle: 'Files',
    roomDropHint:
      'Drop files or folders anywhere on this page, or paste files, to send them to everyone in the room. Or:',
    roomChooseHint: 'Choose files or a folder to send them to everyone in the room:',
    pickFiles: 'Choose files',
    pickFolder: 'Choose a folder',
    chatTitle: 'Chat',
    send: 'Send',
    privacyLink: 'Privacy',
    defaultName: 'Guest {n}',
    stateConnecting: 'Connecting…',
    stateVerifying: 'Checking the room key…',
    stateOpen: 'Connected',
    stateBlocked: 'Blocked',
    stateReconnecting: 'Reconnecting…',
    stateFailed: 'Connection failed',
    pathDirect: 'direct',
    pathRelayed: 'relayed',
    safetyCode: 'Safety code',
    safetyHint: 'Compare this code with {name}: it is the same on both screens only if no one is in between.',
    blockedWarning:
      "Warning: {name} could not prove it holds this room's key for this connection. Someone may be intercepting it. Nothing is sent to or accepted from this person.",
    blockedWarningCertificate:
      'Warning: the connection to {name} was described with a security certificate other than the one in use. Someone may be intercepting it. Nothing is sent to or accepted from this person.',
    blockedWarningNoVerifier:
      'Warning: this page could not check the connection to {name} (the transfer core did not load), so it is not used. Reload the page to try again.',
    statusRoomFull: 'This room is full. Ask the others to make room, or create a new room.',
    statusRoomNotFound: 'This room does not exist (any more). Rooms expire when empty for a while; create a new one.',
    statusMissingKey: 'This link is incomplete: the room key after # is missing. Ask for the full link.',
    statusTooManyGuesses: 'Too many attempts to join unknown rooms. Wait a minute and try again.',
    statusInvalidName: 'This name cannot be used. Pick another one.',
    statusJoinFailed: 'Could not join the room ({detail}).',
    statusServerLost: 'Lost the connection to the server; reconnecting… Open connections keep working.',
    statusPeerLeft: '{name} left the room.',
    statusConnectionFailed: 'Could not connect to {name}. A firewall may block direct connections.',
    statusBlocked: 'Warning: {name} could not prove it holds the room key. Someone may be intercepting the connection.',
    deliverySending: 'Sending…',
    deliverySent: 'Sent',
    deliveryDelivered: 'Delivered',
    deliveryFailed: 'Not delivered: no one is connected',
    chatEmptyName: 'someone',
    chatEmpty: 'No messages yet. Say hello: everyone in the room reads it.',
    transfersEmptyTitle: 'Nothing sent or received yet',
    transfersEmptyDrop: 'Drop files on this page, paste them, or choose them above.',
    transfersEmptyChoose: 'Choose files or a folder above to send them.',
    featDirectTitle: 'Straight to them',
    featDirect: 'Files go browser to browser, encrypted. Our server never sees them.',
    featVerifiedTitle: 'Checked on arrival',
    featVerified: 'Every block is verified with BLAKE3 as it lands.',
    featResumeTitle: 'Picks up where it stopped',
    featResume: 'After a drop or a reload, only the missing blocks are sent again.',
  },
  nl: {
    language: 'Taal',
    lead: 'Bestanden gaan rechtstreeks van browser naar browser. Probeer de integriteitscontrole: sleep een bestand hierheen en zie zijn BLAKE3-vingerafdruk.',
    dropHint: 'Sleep een bestand hierheen, of',
    chooseHint: 'Kies een bestand op dit apparaat:',
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
    heroTitle: 'Deel bestanden rechtstreeks van browser naar browser',
    heroLead:
      'Maak een ruimte, deel de link, sleep bestanden erin en chat. Alles gaat versleuteld van peer naar peer; onze server stelt u alleen aan elkaar voor.',
    createRoom: 'Maak een ruimte',
    creating: 'Bezig…',
    errorCreate: 'Kon geen ruimte maken ({detail}).',
    hashPanel: 'Integriteitscontrole (BLAKE3)',
    shareTitle: 'Nodig mensen uit',
    shareHint:
      'Iedereen met deze link kan meedoen. Het deel na # is de sleutel van de ruimte; die bereikt onze server nooit.',
    copy: 'Kopiëren',
    copied: 'Gekopieerd',
    shareNative: 'Delen…',
    peopleTitle: 'Mensen in deze ruimte',
    yourName: 'Uw naam',
    you: 'u',
    peersEmptyTitle: 'Alleen u, tot nu toe',
    peersEmpty: 'Stuur de anderen de link van de ruimte, of laat ze de QR-code scannen.',
    roomCapacity: 'In deze ruimte passen maximaal {count} mensen.',
    transfersTitle: 'Bestanden',
    roomDropHint:
      'Sleep bestanden of mappen ergens op deze pagina, of plak bestanden, om ze naar iedereen in de ruimte te sturen. Of:',
    roomChooseHint: 'Kies bestanden of een map om ze naar iedereen in de ruimte te sturen:',
    pickFiles: 'Kies bestanden',
    pickFolder: 'Kies een map',
    chatTitle: 'Chat',
    send: 'Versturen',
    privacyLink: 'Privacy',
    defaultName: 'Gast {n}',
    stateConnecting: 'Verbinden…',
    stateVerifying: 'Sleutel van de ruimte controleren…',
    stateOpen: 'Verbonden',
    stateBlocked: 'Geblokkeerd',
    stateReconnecting: 'Opnieuw verbinden…',
    stateFailed: 'Verbinding mislukt',
    pathDirect: 'direct',
    pathRelayed: 'via relay',
    safetyCode: 'Veiligheidscode',
    safetyHint: 'Vergelijk deze code met {name}: alleen als niemand ertussen zit, is hij op beide schermen gelijk.',
    blockedWarning:
      'Waarschuwing: {name} kon voor deze verbinding niet bewijzen dat hij de sleutel van deze ruimte heeft. Mogelijk luistert iemand mee. Er wordt niets naar deze persoon gestuurd of van hem aangenomen.',
    blockedWarningCertificate:
      'Waarschuwing: de verbinding met {name} werd beschreven met een ander beveiligingscertificaat dan het certificaat dat gebruikt wordt. Mogelijk luistert iemand mee. Er wordt niets naar deze persoon gestuurd of van hem aangenomen.',
    blockedWarningNoVerifier:
      'Waarschuwing: deze pagina kon de verbinding met {name} niet controleren (de transferkern is niet geladen), dus die wordt niet gebruikt. Laad de pagina opnieuw om het nog eens te proberen.',
    statusRoomFull: 'Deze ruimte is vol. Vraag de anderen om plaats te maken, of maak een nieuwe ruimte.',
    statusRoomNotFound: 'Deze ruimte bestaat niet (meer). Een lege ruimte verloopt na een tijdje; maak een nieuwe.',
    statusMissingKey: 'Deze link is onvolledig: de sleutel na # ontbreekt. Vraag om de volledige link.',
    statusTooManyGuesses:
      'Te veel pogingen om onbekende ruimtes binnen te gaan. Wacht een minuut en probeer het opnieuw.',
    statusInvalidName: 'Deze naam kan niet worden gebruikt. Kies een andere.',
    statusJoinFailed: 'Kon de ruimte niet binnengaan ({detail}).',
    statusServerLost: 'Verbinding met de server verbroken; opnieuw verbinden… Open verbindingen blijven werken.',
    statusPeerLeft: '{name} heeft de ruimte verlaten.',
    statusConnectionFailed:
      'Kon geen verbinding maken met {name}. Mogelijk blokkeert een firewall directe verbindingen.',
    statusBlocked:
      'Waarschuwing: {name} kon niet bewijzen dat hij de sleutel van de ruimte heeft. Mogelijk luistert iemand mee.',
    deliverySending: 'Versturen…',
    deliverySent: 'Verstuurd',
    deliveryDelivered: 'Afgeleverd',
    deliveryFailed: 'Niet afgeleverd: er is niemand verbonden',
    chatEmptyName: 'iemand',
    chatEmpty: 'Nog geen berichten. Zeg hallo: iedereen in de ruimte leest het.',
    transfersEmptyTitle: 'Nog niets verstuurd of ontvangen',
    transfersEmptyDrop: 'Sleep bestanden op deze pagina, plak ze, of kies ze hierboven.',
    transfersEmptyChoose: 'Kies hierboven bestanden of een map om ze te versturen.',
    featDirectTitle: 'Rechtstreeks',
    featDirect: 'Bestanden gaan versleuteld van browser naar browser. Onze server ziet ze nooit.',
    featVerifiedTitle: 'Gecontroleerd bij aankomst',
    featVerified: 'Elk blok wordt bij aankomst met BLAKE3 gecontroleerd.',
    featResumeTitle: 'Gaat verder waar het stopte',
    featResume: 'Na een onderbreking of herladen gaan alleen de ontbrekende blokken opnieuw.',
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
  if (typeof document === 'undefined') return; // in a worker: only the words and number formats
  document.documentElement.lang = current;
  translate(document);
  document.dispatchEvent(new CustomEvent('languagechange', { detail: current }));
}

// Words every [data-i18n] element under `root` (a page fills its markup in, then translates it),
// and the accessible name of every [data-i18n-label] one (controls whose name is not shown).
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

// Lets another module (e.g. the transfer panel) bring its own {en, nl} strings; keys already here
// keep their text, so one module cannot change another's words.
export function addMessages(tables) {
  for (const [lang, table] of Object.entries(tables ?? {})) {
    if (!messages[lang]) continue;
    for (const [key, text] of Object.entries(table)) {
      if (!(key in messages[lang]) && typeof text === 'string') messages[lang][key] = text;
    }
  }
}

export function language() {
  return current;
}

export function t(key, params = {}) {
  const text = messages[current][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

// Sizes, rates and times: formats.js, in the page's language.
export const formatBytes = (bytes) => formatBytesIn(bytes, current);
export const formatTime = (ms) => formatTimeIn(ms, current);
export const formatRate = (bytesPerSecond) => formatRateIn(bytesPerSecond, current);
