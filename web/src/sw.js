// The service worker, served as /sw.js with scope / (web/tools/service_worker.js writes it at build
// time, with BUILD filled in: the build's version, the files it precaches, the core's files).
// - Install: the app shell goes into a cache named by the build's version: the page as the server
//   sends it for /new (index.html under the strictest policy, no third party: right for every route
//   offline), the hashed /assets/ files (all but the sign-in SDK's, which needs the network
//   anyway), the manifest and the icons.
// - The WASM core (/core/) is kept in a cache named by the core's own hash, filled when a page
//   first loads the core through this worker (the landing page never does), or at install where an
//   older worker had cached it (the person uses rooms).
// - A page loaded before the first worker (a first visit) is left alone (no clients.claim()): all
//   it loads comes from the network, as measured by tests/browser/page_weight.test.mjs, and a
//   first visit to a room never downloads the core twice. The next page load is served.
// - Navigations to the app's routes go to the network first and get the cached shell offline; the
//   shell's files and the core come from the cache first.
// - Nothing else is touched: /api/, /ws, /ads.txt, /healthz, /metrics, other methods and other
//   origins go to the network as if there were no worker, and are never cached.
// - A POST to /share (the manifest's Web Share Target) keeps the shared files in IndexedDB (they
//   never reach the server) and redirects to /share#<id>, where the person makes or picks a
//   room that then offers them (pages/share.js, app/shared_files.js).
// - Updates never break an open room: a new worker waits, as browsers make it, until no page of the
//   old build is open (no skipWaiting: a takeover asked for by a page of the new build was tried and
//   stayed waiting for good in some builds, with Chromium holding the activation). Activating
//   deletes the older builds' caches.
const BUILD = { version: 'dev', coreVersion: 'dev', files: [], core: [] };

const SHELL_CACHE = `cieloweb-shell-${BUILD.version}`;
const CORE_CACHE = `cieloweb-core-${BUILD.coreVersion}`;
const SHELL_PAGE = '/new';
const SHELL_FILES = new Set(BUILD.files);
const CORE_FILES = new Set(BUILD.core);
// The routes of web/src/main.js (and the server's route table) that serve the page.
const APP_ROUTE = /^\/(|index\.html|privacy|new|share|signin|account|r\/[^/]+)$/;
// Pages that lead into a room in the same document (where a tapped notification brings the person).
const ROOM_PAGE = /^\/(new|share|r\/[^/]+)$/;
const SHARE_PATH = '/share';
// Shared files waiting for a room (app/shared_files.js reads them: keep the names in step).
const SHARE_DB = 'cieloweb-share';
const SHARE_STORE = 'shares';
const SHARE_TTL_MS = 60 * 60 * 1000;

self.addEventListener('install', (event) => event.waitUntil(install()));
self.addEventListener('activate', (event) => event.waitUntil(activate()));

async function install() {
  const shell = await caches.open(SHELL_CACHE);
  // Hashed files may come from the HTTP cache (immutable); the others are revalidated.
  const request = (path) => new Request(path, { cache: path.startsWith('/assets/') ? 'default' : 'no-cache' });
  await shell.addAll([SHELL_PAGE, ...BUILD.files].map(request));
  if (await coreWanted()) {
    // Best effort: without it the core is cached on its first use.
    await cacheCore().catch(() => {});
  }
}

async function coreWanted() {
  const names = await caches.keys();
  if (names.includes(CORE_CACHE)) return false; // already here (the core did not change)
  return names.some((name) => name.startsWith('cieloweb-core-'));
}

async function cacheCore() {
  const cache = await caches.open(CORE_CACHE);
  await cache.addAll(BUILD.core.map((path) => new Request(path, { cache: 'no-cache' })));
}

async function activate() {
  for (const name of await caches.keys()) {
    if (name.startsWith('cieloweb-') && name !== SHELL_CACHE && name !== CORE_CACHE) await caches.delete(name);
  }
  await keepShare().catch(() => {}); // old shares go
}

// A tap on an offer's notification (shown through this worker where pages may not notify
// themselves, as on Android): back to the room's tab.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients
      .matchAll({ type: 'window' })
      .then((windows) => windows.find((client) => ROOM_PAGE.test(new URL(client.url).pathname))?.focus()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === SHARE_PATH) {
    event.respondWith(receiveShare(request));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') {
    if (APP_ROUTE.test(url.pathname)) event.respondWith(navigation(request));
    return;
  }
  if (SHELL_FILES.has(url.pathname)) event.respondWith(cacheFirst(event, SHELL_CACHE, url.pathname, false));
  // The core only under this build's version (`?v=`): a page of another build fetches its own.
  else if (CORE_FILES.has(url.pathname + url.search))
    event.respondWith(cacheFirst(event, CORE_CACHE, url.pathname + url.search, true));
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.open(SHELL_CACHE);
    const page = await shell.match(SHELL_PAGE, { ignoreVary: true });
    if (!page) throw error;
    // A new response (not the stored one, whose URL is /new), so the document keeps its own address.
    return new Response(page.body, { status: page.status, statusText: page.statusText, headers: page.headers });
  }
}

async function cacheFirst(event, name, path, keep) {
  const cache = await caches.open(name);
  const hit = await cache.match(path, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(event.request);
  if (keep && response.status === 200) event.waitUntil(cache.put(path, response.clone()));
  return response;
}

async function receiveShare(request) {
  let files = [];
  let form = null;
  try {
    form = await request.formData();
    files = form.getAll('files').filter((file) => file instanceof File && file.name !== '');
    if (files.length === 0) {
      // A shared link or text, without files: sent as a text file.
      const text = ['title', 'text', 'url'].map((field) => form.get(field)).filter((v) => typeof v === 'string' && v);
      if (text.length > 0) files = [new File([text.join('\n')], 'shared.txt', { type: 'text/plain' })];
    }
  } catch {
    // Not a form, or one the browser could not read (its storage refused the files): nothing to keep.
  }
  // The share page says why nothing waits (pages/share.js reads these names from the fragment).
  if (!form) return Response.redirect(`${SHARE_PATH}#not-kept`, 303);
  if (files.length === 0) return Response.redirect(`${SHARE_PATH}#nothing-shared`, 303);
  const id = crypto.randomUUID();
  try {
    await keepShare({ id, at: Date.now(), files });
  } catch {
    // Not kept (the device's storage is full, or IndexedDB refused): the share page says so,
    // rather than the browser showing a network error.
    return Response.redirect(`${SHARE_PATH}#not-kept`, 303);
  }
  // The id in the fragment: the server never sees it.
  return Response.redirect(`${SHARE_PATH}#${id}`, 303);
}

function openShares() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(SHARE_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(SHARE_STORE, { keyPath: 'id' });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

// Stores the share (when given) and drops those older than SHARE_TTL_MS (never picked up): on
// each share, and each time a worker activates, so an abandoned share does not stay for good.
async function keepShare(share = null) {
  const now = share?.at ?? Date.now();
  const db = await openShares();
  try {
    await new Promise((resolve, reject) => {
      const tx = db.transaction(SHARE_STORE, 'readwrite');
      const store = tx.objectStore(SHARE_STORE);
      store.openCursor().onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        if (cursor.value.at < now - SHARE_TTL_MS) cursor.delete();
        cursor.continue();
      };
      if (share) store.put(share);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}
