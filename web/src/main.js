// The page's composition root: the language (and its picker in the header), then the router, which
// mounts one page at a time into <div id="app">: "/" (landing: create a room, the hash demo),
// "/r/<room-id>#<room-key>" (the room) and "/privacy". Each page holds its own markup and undoes
// its wiring when it unmounts, so moving between pages, and between rooms, never reloads the tab.
import { detectLanguage, language, setLanguage } from './i18n.js';
import { Router } from './app/router.js';

const ROUTES = [
  { name: 'landing', pattern: '/', load: () => import('./pages/landing.js') },
  { name: 'room', pattern: '/r/:roomId', holdsSecrets: true, load: () => import('./pages/room.js') },
  { name: 'privacy', pattern: '/privacy', load: () => import('./pages/privacy.js') },
  { name: 'landing', pattern: '*', load: () => import('./pages/landing.js') },
];

function wireLanguagePicker(select) {
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value, { remember: true }));
  document.addEventListener('languagechange', () => {
    select.value = language();
  });
}

setLanguage(detectLanguage());
wireLanguagePicker(document.getElementById('language'));
new Router(document.getElementById('app'), ROUTES).start();
