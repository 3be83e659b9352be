// Registers the service worker (/sw.js, web/src/sw.js) once the page has loaded, where the browser
// has service workers; nothing waits for it and a failure (no worker in a development server) is
// only logged. Updates follow the browsers' own rule: a new worker waits until no page of the old
// build is open, so an open room keeps the files of its own build.

export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () =>
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .catch((error) => console.debug('service worker:', error.message));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
