// The account side of the page without the Firebase SDK: the server's /api/ calls
// (docs/accounts.md), the auth configuration, and the one local mark this browser keeps: that it
// signed in before (no name, no email, no token; the header loads the SDK only when it is there).
// Nothing here imports firebase_session.js; session_loader.js does, on demand.

const SIGNED_IN_KEY = 'cieloweb.signedIn';

let configPromise = null;

// GET /api/auth-config once per page load: {enabled, projectId, apiKey, authDomain, emulator,
// googleSignIn}, or {enabled: false} (also when the server cannot be asked: no account UI then).
export function authConfig() {
  configPromise ??= fetch('/api/auth-config', { headers: { accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : { enabled: false }))
    .then((config) => (config && config.enabled === true ? config : { enabled: false }))
    .catch(() => {
      configPromise = null; // offline for a moment: ask again next time
      return { enabled: false };
    });
  return configPromise;
}

export function signedInBefore() {
  try {
    return globalThis.localStorage?.getItem(SIGNED_IN_KEY) === '1';
  } catch {
    return false;
  }
}

export function rememberSignedIn(yes) {
  try {
    if (yes) globalThis.localStorage?.setItem(SIGNED_IN_KEY, '1');
    else globalThis.localStorage?.removeItem(SIGNED_IN_KEY);
  } catch {
    // storage refused (private mode): the header then shows "Sign in" until the next sign-in
  }
}

// One call to the account API: {status, body} where body is the parsed JSON (or null). `token` is a
// Firebase ID token for the signed-in routes. Network failures answer status 0.
export async function callApi(path, { method = 'GET', token = null, body = undefined } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch {
    return { status: 0, body: { error: 'network' } };
  }
  let parsed = null;
  try {
    parsed = await res.json();
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

// Tells the header (and anyone else listening) that the signed-in state changed: `profile` is the
// person's profile, or null when signed out (or signed in without a profile yet: `pending`).
export function announceAccount(profile, { pending = false } = {}) {
  document.dispatchEvent(new CustomEvent('accountchange', { detail: { profile, pending } }));
}
