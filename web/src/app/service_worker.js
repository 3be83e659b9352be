// Registers the service worker (/sw.js, web/src/sw.js) once the page has loaded, where the browser
// has service workers; nothing waits for it and a failure (no worker in a development server) is
// only logged. Updates: a new worker waits until this page, if it runs the new worker's build (it
// was loaded from the network after the deploy), asks it to take over; the worker refuses while a
// window is in a room, so an open room keeps the files of its own build.

// The URL of this module's script: the build's main chunk, which only that build's worker precached.
const ENTRY = import.meta.url;

// How often a page asks again while a new worker waits: the worker refused while a room was open,
// and nothing tells it when that room's tab closes.
const ASK_AGAIN_MS = 5000;

const asking = new WeakSet(); // registrations with a round of asking under way

function askToActivate(registration) {
  if (asking.has(registration)) return;
  asking.add(registration);
  const ask = () => {
    const worker = registration.waiting;
    if (!worker || !registration.active) return void asking.delete(registration);
    worker.postMessage({ type: 'activate-when-idle', entry: ENTRY });
    setTimeout(ask, ASK_AGAIN_MS);
  };
  ask();
}

function followInstalling(registration, worker) {
  worker?.addEventListener('statechange', () => {
    if (worker.state === 'installed') askToActivate(registration);
  });
}

function followUpdates(registration) {
  askToActivate(registration);
  followInstalling(registration, registration.installing); // one already installing when we came
  registration.addEventListener('updatefound', () => followInstalling(registration, registration.installing));
}

export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () =>
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then(followUpdates)
      .catch((error) => console.debug('service worker:', error.message));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
