// The page's composition root: the language (and its picker in the header), then the router, which
// mounts one page at a time into <div id="app">: "/" (landing: create a room, the hash demo),
// "/r/<room-id>#<room-key>" (the room), "/privacy", "/signin" and "/account" (optional accounts:
// only these two, and the header when this browser signed in before, load the Firebase SDK), and
// "/share" (files shared to the installed app, app/shared_files.js). Each
// page holds its own markup and undoes its wiring when it unmounts, so moving between pages, and
// between rooms, never reloads the tab.
import { detectLanguage, language, setLanguage } from './i18n.js';
import { mountAccountHeader } from './account/header.js';
import { placeIcons } from './app/icons.js';
import { listenForPickerKeys } from './app/picker_labels.js';
import { Router } from './app/router.js';
import { registerServiceWorker } from './app/service_worker.js';

const ROUTES = [
  { name: 'landing', pattern: '/', carriesAds: true, load: () => import('./pages/landing.js') },
  { name: 'room', pattern: '/r/:roomId', holdsSecrets: true, load: () => import('./pages/room.js') },
  // Makes a room away from a page that has ad code in it (pages/new_room.js).
  { name: 'new-room', pattern: '/new', holdsSecrets: true, load: () => import('./pages/new_room.js') },
  { name: 'privacy', pattern: '/privacy', carriesAds: true, load: () => import('./pages/privacy.js') },
  { name: 'signin', pattern: '/signin', usesSignIn: true, load: () => import('./pages/signin.js') },
  { name: 'account', pattern: '/account', usesSignIn: true, load: () => import('./pages/account.js') },
  // Files shared from another app (the manifest's share target) wait here for a room: strict too.
  { name: 'share', pattern: '/share', holdsSecrets: true, load: () => import('./pages/share.js') },
  { name: 'landing', pattern: '*', carriesAds: true, load: () => import('./pages/landing.js') },
];

function wireLanguagePicker(select) {
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value, { remember: true }));
  document.addEventListener('languagechange', () => {
    select.value = language();
  });
}

setLanguage(detectLanguage());
placeIcons(document.querySelector('header.top'));
listenForPickerKeys();
wireLanguagePicker(document.getElementById('language'));
const router = new Router(document.getElementById('app'), ROUTES);
mountAccountHeader(document.getElementById('account-nav'), { strictDocument: router.loadedForSecrets() });
router.start();
registerServiceWorker();
