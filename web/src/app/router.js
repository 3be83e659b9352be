// The page's router: a table of routes, each loading its page module on demand. A page module
// exports mount(root, params) -> unmount(): it fills `root` (emptied for it), wires what it needs,
// and its unmount undoes all of it (listeners on document or window, timers, connections), so one
// tab can go from page to page, and from room to room, without a reload.
//
// Route patterns are paths with `:name` segments ('/r/:roomId'); params are the decoded segments.
// Same-document links carry `data-link`; the router follows them with history.pushState, and
// follows the back and forward buttons (popstate).
//
// A route that holds secrets (`holdsSecrets`: the room, its key in the fragment) runs only in a
// document the server sent for such a route, under its strict policy (no third-party host at all).
// A document loaded for another route may carry sign-in or ad code under that route's policy, so
// going from it into such a route is a full load, never a same-document switch. The other way, a
// route that signs in (`usesSignIn`: it loads the Firebase SDK) never runs in a document loaded for
// a secrets route: going there from the room is a full load too, under the sign-in policy.
//
// Ads (`carriesAds`: landing, privacy) load only in a document the server sent for such a route
// (only its policy admits the ad tag), and once the ad tag is in a document, every route without
// ads (the account pages, sign-in) opens in a new document: ad code never shares one with them.

function compile(pattern) {
  const names = [];
  const source = pattern.replace(/:([A-Za-z]+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  const regex = new RegExp(`^${source}$`);
  return (path) => {
    const match = regex.exec(path);
    if (!match) return null;
    try {
      return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    } catch {
      return null; // a malformed %-escape matches no route
    }
  };
}

let started = null; // the router of this page, once started

// Whether ad code may come into this document: it was loaded for a route that may carry ads
// (only that policy admits the tag), and no sign-in page ran in it (their modules and the Firebase
// instance stay in memory) (docs/ads.md).
export function documentCarriesAds() {
  return Boolean(started?.loadedForAds_ && !started.signInShown_);
}

// The ad tag is now in this document: routes without ads must open in a new one.
export function markAdCodeLoaded() {
  if (started) started.adCodeLoaded_ = true;
}

// Whether third-party ad code came into this document (then secrets must be made elsewhere).
export function adCodeInDocument() {
  return Boolean(started?.adCodeLoaded_);
}

// Replaces the current entry's address and state (the room takes its key out of the address bar),
// keeping the router's idea of what is shown in step, so no later popstate remounts the page.
export function replaceLocation(url, state) {
  history.replaceState(state, '', url);
  if (started && started.shown_ !== null) started.shown_ = location.pathname + location.hash;
}

// For pages: go to `url` inside the app (a full load if no router runs). options: {replace}.
export function navigate(url, options = {}) {
  if (started) return started.navigate(url, options);
  location.assign(url);
  return Promise.resolve();
}

export class Router {
  // root: the element pages mount into; routes: [{name, pattern, load: () => import(...)}];
  // the last route whose pattern is '*' (if any) takes every path no other route matches.
  constructor(root, routes) {
    this.root_ = root;
    this.routes_ = routes.map((route) => ({
      ...route,
      match: route.pattern === '*' ? () => ({}) : compile(route.pattern),
    }));
    this.unmount_ = null;
    this.shown_ = null; // the URL (path and fragment) of the mounted page
    this.sequence_ = 0; // a newer navigation makes an older one's pending load moot
    this.abort_ = new AbortController();
    this.loadedForSecrets_ = Boolean(this.resolve_(location.pathname)?.route.holdsSecrets);
    this.loadedForAds_ = Boolean(this.resolve_(location.pathname)?.route.carriesAds);
    this.adCodeLoaded_ = false;
    this.signInShown_ = false;
  }

  // Whether this document was loaded for a route that holds secrets (its policy admits no third
  // party, so nothing in it may load sign-in code).
  loadedForSecrets() {
    return this.loadedForSecrets_;
  }

  // Whether `path` must be loaded as a new document rather than mounted in this one.
  needsFullLoad_(path) {
    const route = this.resolve_(path)?.route;
    if (!route) return false;
    if (route.holdsSecrets) return !this.loadedForSecrets_;
    if (this.adCodeLoaded_ && !route.carriesAds) return true;
    return Boolean(route.usesSignIn) && this.loadedForSecrets_;
  }

  start() {
    started = this;
    const options = { signal: this.abort_.signal };
    document.addEventListener('click', (event) => this.onClick_(event), options);
    window.addEventListener('popstate', () => this.show_(), options);
    return this.show_();
  }

  // replace: the new page takes the current history entry's place (a step that should not be
  // gone back to, as /new after it made the room).
  navigate(url, { replace = false } = {}) {
    if (this.needsFullLoad_(new URL(url, location.href).pathname)) {
      if (replace) location.replace(url);
      else location.assign(url);
      return Promise.resolve();
    }
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    return this.show_();
  }

  // Unmounts the page and stops following links (tests, or a host page that replaces the app).
  stop() {
    this.abort_.abort();
    if (started === this) started = null;
    this.sequence_ += 1;
    this.unmountCurrent_();
  }

  onClick_(event) {
    const link = event.target.closest?.('a[data-link]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    this.navigate(link.getAttribute('href'));
  }

  resolve_(path) {
    for (const route of this.routes_) {
      const params = route.match(path);
      if (params) return { route, params };
    }
    return null;
  }

  async show_() {
    const url = location.pathname + location.hash;
    if (url === this.shown_) return; // nothing changed that a page reads
    const sequence = ++this.sequence_;
    if (this.needsFullLoad_(location.pathname)) return void location.reload(); // back or forward into a room
    const found = this.resolve_(location.pathname);
    this.unmountCurrent_();
    this.shown_ = url;
    if (!found) return;
    const page = await found.route.load();
    if (sequence !== this.sequence_) return; // the user went on meanwhile
    this.root_.replaceChildren();
    if (found.route.usesSignIn) this.signInShown_ = true;
    document.body.dataset.page = found.route.name;
    this.unmount_ = page.mount(this.root_, found.params);
  }

  unmountCurrent_() {
    const unmount = this.unmount_;
    this.unmount_ = null;
    this.shown_ = null;
    if (unmount) unmount();
    this.root_.replaceChildren();
  }
}
