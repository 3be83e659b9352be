// Registers the service worker (/sw.js, web/src/sw.js) once the page has loaded, where the browser
// has service workers; nothing waits for it and a failure (no worker in a development server) is
// only logged. Updates: a new worker waits until this page, if it runs the new worker's build (it
// was loaded from the network after the deploy), asks it to take over; the worker refuses while a
// window is in a room, so an open room keeps the files of its own build.

// The URL of this module's script: the build's main chunk, which only that build's worker precached.
const ENTRY = import.meta.url;

function askToActivate(worker) {
  worker.postMessage({ type: 'activate-when-idle', entry: ENTRY });
}

function followUpdates(registration) {
  if (registration.waiting && registration.active) askToActivate(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && registration.active) askToActivate(worker);
    });
  });
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
