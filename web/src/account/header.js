// The header's account corner: "Sign in", or the person's name and plan badge linking to /account;
// nothing when the service runs without accounts. It loads the Firebase SDK (through
// session_loader.js) only when this browser signed in before, and never in a document loaded for
// the room (that document's policy admits no sign-in code): there a plain link stands in.
import { addMessages, t } from '../i18n.js';
import { authConfig, callApi, rememberSignedIn, signedInBefore } from './account_api.js';
import { loadSession } from './session_loader.js';

addMessages({
  en: {
    hdrSignIn: 'Sign in',
    hdrAccount: 'Your account',
    hdrFinish: 'Finish your account',
    hdrFree: 'free',
    hdrPro: 'pro',
  },
  nl: {
    hdrSignIn: 'Inloggen',
    hdrAccount: 'Uw account',
    hdrFinish: 'Account afmaken',
    hdrFree: 'gratis',
    hdrPro: 'pro',
  },
});

function link(href, testid) {
  const a = document.createElement('a');
  a.href = href;
  a.dataset.link = '';
  a.dataset.testid = testid;
  return a;
}

// What the corner shows: {kind: 'off' | 'sign-in' | 'account' | 'pending' | 'profile', profile}.
function render(nav, state) {
  nav.dataset.state = state.kind;
  if (state.kind === 'off') return void nav.replaceChildren();
  if (state.kind === 'sign-in') {
    const a = link('/signin', 'header-signin');
    a.textContent = t('hdrSignIn');
    return void nav.replaceChildren(a);
  }
  const a = link('/account', 'header-account');
  if (state.kind === 'profile') {
    const name = document.createElement('span');
    name.className = 'account-name';
    name.dataset.testid = 'header-name';
    name.textContent = state.profile.name; // the person's own text: never markup
    const badge = document.createElement('span');
    const pro = state.profile.plan === 'pro';
    badge.className = 'plan-badge';
    badge.dataset.plan = pro ? 'pro' : 'free';
    badge.dataset.testid = 'header-plan';
    badge.textContent = t(pro ? 'hdrPro' : 'hdrFree');
    a.append(name, ' ', badge);
  } else {
    a.textContent = t(state.kind === 'pending' ? 'hdrFinish' : 'hdrAccount');
  }
  nav.replaceChildren(a);
}

// The signed-in state from the SDK and GET /api/me (only called when this browser signed in before).
async function currentState() {
  const session = await loadSession();
  if (!session) return { kind: 'off' };
  const user = await session.ready();
  if (!user) {
    rememberSignedIn(false);
    return { kind: 'sign-in' };
  }
  const me = await callApi('/api/me', { token: await session.idToken() });
  if (me.status === 200) return { kind: 'profile', profile: me.body };
  if (me.status === 404 && me.body?.error === 'no-profile') return { kind: 'pending' };
  if (me.status === 403 && me.body?.error === 'account-deleted') {
    await session.signOut();
    rememberSignedIn(false);
    return { kind: 'sign-in' };
  }
  return { kind: 'account' };
}

// The person's plan as far as this page knows: 'none' (not signed in, or no accounts), 'free',
// 'pro', or 'unknown' (signed in, but the plan could not be read: treated as possibly pro, so no
// ads). Resolves once the header has read it, with the latest value after that.
let latestPlan = 'unknown';
let planRead;
const planKnown = new Promise((resolve) => {
  planRead = resolve;
});
export function accountPlan() {
  return planKnown.then(() => latestPlan);
}

function planOf(state) {
  if (state.kind === 'off' || state.kind === 'sign-in') return 'none';
  if (state.kind === 'profile') return state.profile.plan === 'pro' ? 'pro' : 'free';
  if (state.kind === 'pending') return 'free'; // signed in, no profile yet: the free plan
  return 'unknown';
}

// nav: the header's element for it; strictDocument: this document was loaded for the room.
export function mountAccountHeader(nav, { strictDocument }) {
  let state = { kind: 'off' };
  let changed = false; // a page announced the state: it knows better than a slower start-up
  const set = (next, { final = true } = {}) => {
    state = next;
    render(nav, state);
    latestPlan = planOf(state);
    if (final) planRead();
  };
  render(nav, state);

  document.addEventListener('accountchange', (event) => {
    changed = true;
    const { profile, pending } = event.detail ?? {};
    set(profile ? { kind: 'profile', profile } : { kind: pending ? 'pending' : 'sign-in' });
  });
  document.addEventListener('languagechange', () => render(nav, state));

  (async () => {
    const config = await authConfig();
    if (changed) return;
    if (!config.enabled) return void set({ kind: 'off' });
    if (!signedInBefore()) return void set({ kind: 'sign-in' });
    if (strictDocument) return void set({ kind: 'account' });
    set({ kind: 'account' }, { final: false }); // until the sign-in is read
    try {
      const next = await currentState();
      if (!changed) set(next);
    } catch {
      // the SDK could not load (offline): the plain link stays, the plan unknown
      planRead();
    }
  })();
}
