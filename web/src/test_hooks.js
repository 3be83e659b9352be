// What the browser tests read from the page (window.__cieloweb: the room's mesh, the transfer
// engine). One owner for that object, so no module assumes another made it.
export function testHooks() {
  globalThis.__cieloweb ??= {};
  return globalThis.__cieloweb;
}

// Drops hook `name` if it still is `value` (a newer room may have set its own meanwhile).
export function forgetTestHook(name, value) {
  if (globalThis.__cieloweb?.[name] === value) delete globalThis.__cieloweb[name];
}
