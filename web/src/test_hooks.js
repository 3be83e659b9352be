// What the browser tests read from the page (window.__cieloweb: the room's mesh, the transfer
// engine). One owner for that object, so no module assumes another made it.
export function testHooks() {
  globalThis.__cieloweb ??= {};
  return globalThis.__cieloweb;
}
