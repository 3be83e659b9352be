// "/signin": sign in (email and password; Google where the server says a real project allows it),
// a password reset, and sign-up. Sign-up follows docs/accounts.md in this order: the age screen
// (POST /api/age-gate; a refusal ends it: no Firebase user and no profile are made), the Firebase
// user (and its verification mail), then the profile (POST /api/me). A username taken at that last
// step leaves the Firebase user without a profile: the form stays, marks the username, and saving
// again retries only the profile.
import { t } from '../i18n.js';
import { fillPage } from '../app/markup.js';
import { navigate } from '../app/router.js';
import { announceAccount, callApi, rememberSignedIn } from '../account/account_api.js';
import {
  BIRTH_DATE_FIELDS,
  PROFILE_FIELDS,
  ProfileCompleter,
  showFieldError,
  submitWith,
} from '../account/profile_form.js';
import { loadSession } from '../account/session_loader.js';
import { authError } from '../account/signin_strings.js';

const MARKUP = `
<main data-view="signin" class="account-page" data-testid="signin-page">
  <p id="signin-status" class="notice" data-testid="signin-status" role="status" hidden></p>
  <p id="signed-in" class="notice" data-testid="already-signed-in" hidden>
    <span data-i18n="acctAlready"></span>
    <a href="/account" data-link data-i18n="acctGoToAccount"></a>
  </p>
  <section id="refused" class="panel" data-testid="age-refused" role="alert" hidden>
    <h2 data-i18n="acctRefused"></h2>
    <p data-i18n="acctRefusedMore"></p>
  </section>
  <div id="forms" hidden>
    <div class="tabs" role="tablist">
      <button id="tab-signin" class="tab" type="button" role="tab" aria-selected="true" data-testid="tab-signin" data-i18n="acctTabSignIn"></button>
      <button id="tab-signup" class="tab" type="button" role="tab" aria-selected="false" data-testid="tab-signup" data-i18n="acctTabSignUp"></button>
    </div>

    <section id="signin-panel" class="panel" role="tabpanel">
      <h1 data-i18n="acctSignInTitle"></h1>
      <form id="signin-form" method="post" data-testid="signin-form">
        <label class="field"><span data-i18n="acctEmail"></span>
          <input name="email" type="email" autocomplete="email" required data-testid="signin-email" />
          <span class="field-error" data-error-for="email" role="alert" hidden></span></label>
        <label class="field"><span data-i18n="acctPassword"></span>
          <input name="password" type="password" autocomplete="current-password" required data-testid="signin-password" />
          <span class="field-error" data-testid="signin-error" data-error-for="password" role="alert" hidden></span></label>
        <p class="form-error error" data-error-for="form" role="alert" hidden></p>
        <button class="button" type="submit" data-testid="signin-submit" data-i18n="acctSignInButton"></button>
        <button id="forgot" class="link-button" type="button" data-testid="forgot" data-i18n="acctForgot"></button>
      </form>
      <form id="reset-form" method="post" data-testid="reset-form" hidden>
        <h2 data-i18n="acctResetTitle"></h2>
        <label class="field"><span data-i18n="acctEmail"></span>
          <input name="email" type="email" autocomplete="email" required data-testid="reset-email" />
          <span class="field-error" data-error-for="email" role="alert" hidden></span></label>
        <p class="form-error error" data-error-for="form" role="alert" hidden></p>
        <p id="reset-sent" class="notice" data-testid="reset-sent" data-i18n="acctResetSent" hidden></p>
        <button class="button" type="submit" data-testid="reset-submit" data-i18n="acctResetButton"></button>
        <button id="reset-back" class="link-button" type="button" data-i18n="acctBack"></button>
      </form>
      <div id="google-block" hidden>
        <p class="muted" data-i18n="acctOr"></p>
        <button id="google" class="button secondary" type="button" data-testid="google-signin" data-i18n="acctGoogle"></button>
        <p class="form-error error" id="google-error" role="alert" hidden></p>
      </div>
    </section>

    <section id="signup-panel" class="panel" role="tabpanel" hidden>
      <h1 data-i18n="acctSignUpTitle"></h1>
      <p class="muted" data-i18n="acctSignUpLead"></p>
      <form id="signup-form" method="post" data-testid="signup-form">
        ${PROFILE_FIELDS}
        <label class="field"><span data-i18n="acctEmail"></span>
          <input name="email" type="email" autocomplete="email" required data-testid="signup-email" />
          <span class="field-error" data-testid="signup-email-error" data-error-for="email" role="alert" hidden></span></label>
        <label class="field"><span data-i18n="acctPasswordNew"></span>
          <input name="password" type="password" autocomplete="new-password" required minlength="8" data-testid="signup-password" />
          <span class="field-error" data-error-for="password" role="alert" hidden></span></label>
        ${BIRTH_DATE_FIELDS}
        <p id="finish-note" class="notice" data-testid="finish-note" data-i18n="acctFinishNote" hidden></p>
        <p class="form-error error" data-testid="signup-error" data-error-for="form" role="alert" hidden></p>
        <button id="signup-submit" class="button" type="submit" data-testid="signup-submit" data-i18n="acctCreateButton"></button>
      </form>
    </section>
  </div>
</main>`;

export function mount(root) {
  const { $ } = fillPage(root, MARKUP);
  const abort = new AbortController();
  const signal = abort.signal;
  let session = null;

  const status = (key) => {
    $('signin-status').textContent = t(key);
    $('signin-status').hidden = false;
  };

  function showTab(signUp) {
    $('signin-panel').hidden = signUp;
    $('signup-panel').hidden = !signUp;
    $('tab-signin').setAttribute('aria-selected', String(!signUp));
    $('tab-signup').setAttribute('aria-selected', String(signUp));
  }

  // Signed in: the header learns it, and the dashboard takes over (it asks for a missing profile).
  async function signedIn() {
    rememberSignedIn(true);
    const me = await callApi('/api/me', { token: await session.idToken() });
    if (me.status === 200) announceAccount(me.body);
    else announceAccount(null, { pending: me.status === 404 });
    if (!signal.aborted) navigate('/account');
  }

  async function onSignIn(event) {
    event.preventDefault();
    const form = event.currentTarget;
    await submitWith(form, async () => {
      await session.signIn(form.elements.email.value.trim(), form.elements.password.value);
      form.elements.password.value = '';
      await signedIn();
    });
  }

  async function onReset(event) {
    event.preventDefault();
    const form = event.currentTarget;
    $('reset-sent').hidden = true;
    await submitWith(form, async () => {
      try {
        await session.sendPasswordReset(form.elements.email.value.trim());
      } catch (error) {
        // The same answer whether or not the address has an account: nobody learns who has one.
        if (error?.code !== 'auth/user-not-found') throw error;
      }
      $('reset-sent').hidden = false;
    });
  }

  const signUp = $('signup-form');
  const completer = new ProfileCompleter(signUp);
  let firebaseUserMade = false; // this form made the Firebase user: only the profile is left

  async function onSignUp(event) {
    event.preventDefault();
    await submitWith(signUp, async () => {
      const age = await completer.ensureAgePass();
      if (signal.aborted) return;
      if (age.outcome === 'refused') {
        $('forms').hidden = true;
        $('refused').hidden = false;
        signUp.reset();
        return;
      }
      if (age.outcome === 'error') return void showFieldError(signUp, 'form', t('errGeneric', age));
      if (age.outcome !== 'pass') return;
      if (!firebaseUserMade) {
        const email = signUp.elements.email.value.trim();
        await session.signUp(email, signUp.elements.password.value);
        firebaseUserMade = true;
        rememberSignedIn(true);
        signUp.elements.password.value = '';
        for (const name of ['email', 'password']) signUp.elements[name].disabled = true;
      }
      const saved = await completer.save(await session.idToken());
      if (saved.profile || saved.exists) {
        announceAccount(saved.profile ?? null, { pending: !saved.profile });
        if (!signal.aborted) navigate('/account');
        return;
      }
      $('finish-note').hidden = false;
      $('signup-submit').dataset.i18n = 'acctFinishButton';
      $('signup-submit').textContent = t('acctFinishButton');
      if (!saved.shown) showFieldError(signUp, 'form', t('errGeneric', saved));
    });
  }

  async function onGoogle() {
    $('google-error').hidden = true;
    try {
      await session.signInWithGoogle();
      await signedIn();
    } catch (error) {
      const { key, detail } = authError(error);
      $('google-error').textContent = t(key, { detail });
      $('google-error').hidden = false;
    }
  }

  $('signin-form').addEventListener('submit', onSignIn);
  $('reset-form').addEventListener('submit', onReset);
  signUp.addEventListener('submit', onSignUp);
  $('tab-signin').addEventListener('click', () => showTab(false));
  $('tab-signup').addEventListener('click', () => showTab(true));
  $('forgot').addEventListener('click', () => {
    $('reset-form').elements.email.value = $('signin-form').elements.email.value;
    $('signin-form').hidden = true;
    $('reset-form').hidden = false;
  });
  $('reset-back').addEventListener('click', () => {
    $('reset-form').hidden = true;
    $('signin-form').hidden = false;
  });
  $('google').addEventListener('click', onGoogle);

  (async () => {
    try {
      session = await loadSession();
    } catch {
      if (!signal.aborted) status('acctLoadFailed');
      return;
    }
    if (signal.aborted) return;
    if (!session) return void status('acctOff');
    const user = await session.ready();
    if (signal.aborted) return;
    $('signed-in').hidden = !user;
    $('forms').hidden = Boolean(user);
    $('google-block').hidden = !session.googleSignIn;
    document.body.dataset.signin = 'ready'; // read by the browser tests
  })();

  return () => {
    abort.abort();
    delete document.body.dataset.signin;
  };
}
