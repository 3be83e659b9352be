// "/account": the dashboard. Every stored field with what it is for and how long it is kept, and
// the person's rights on it (account/dashboard_actions.js). A signed-in person without a profile
// (a username refused at sign-up, or a first Google sign-in) is asked to finish it here, which
// takes the age screen again (account/profile_form.js).
import { language, t } from '../i18n.js';
import { fillPage } from '../app/markup.js';
import { announceAccount, callApi, rememberSignedIn } from '../account/account_api.js';
import { wireDashboard } from '../account/dashboard_actions.js';
import { STORED_FIELDS } from '../account/dashboard_strings.js';
import { BIRTH_DATE_FIELDS, PROFILE_FIELDS, ProfileCompleter, showFieldError } from '../account/profile_form.js';
import { loadSession } from '../account/session_loader.js';
import '../account/signin_strings.js';

const MARKUP = `
<main data-view="account" class="account-page" data-testid="account-page">
  <h1 data-i18n="dashTitle"></h1>
  <p id="status" class="notice" data-testid="account-status" role="status" data-i18n="dashLoading"></p>
  <p id="signed-out" class="notice" data-testid="account-signed-out" hidden>
    <span data-i18n="dashSignedOut"></span> <a href="/signin" data-link data-i18n="dashSignInLink"></a>
  </p>
  <section id="deleted" class="panel" data-testid="account-deleted" role="status" hidden>
    <p data-i18n="dashDeleted"></p>
    <a href="/" data-link data-i18n="dashHome"></a>
  </section>
  <p id="verify" class="notice" data-testid="verify-banner" hidden>
    <span data-i18n="dashNotVerified"></span>
    <button id="resend" class="link-button" type="button" data-testid="resend" data-i18n="dashResend"></button>
    <span id="resent" data-i18n="dashResent" hidden></span>
  </p>

  <section id="finish" class="panel" data-testid="finish-profile" hidden>
    <h2 data-i18n="dashFinishTitle"></h2>
    <p data-i18n="dashFinishLead"></p>
    <form id="finish-form" method="post" data-testid="finish-form">
      ${PROFILE_FIELDS}
      ${BIRTH_DATE_FIELDS}
      <p class="form-error error" data-error-for="form" role="alert" hidden></p>
      <button class="button" type="submit" data-testid="finish-submit" data-i18n="acctFinishButton"></button>
    </form>
  </section>

  <div id="dashboard" data-testid="dashboard" hidden>
    <section class="panel">
      <h2 data-i18n="dashDataTitle"></h2>
      <p data-i18n="dashDataLead"></p>
      <table class="stored-fields">
        <thead><tr><th data-i18n="dashColField"></th><th data-i18n="dashColValue"></th>
          <th data-i18n="dashColPurpose"></th><th data-i18n="dashColKept"></th></tr></thead>
        <tbody id="fields" data-testid="stored-fields"></tbody>
      </table>
      <p class="muted" data-i18n="dashNeverStored"></p>
    </section>

    <section class="panel">
      <h2 data-i18n="dashEditTitle"></h2>
      <form id="edit-form" method="post" data-testid="edit-form">
        ${PROFILE_FIELDS}
        <p class="form-error error" data-error-for="form" role="alert" hidden></p>
        <p id="edit-saved" class="notice" data-testid="edit-saved" data-i18n="dashSaved" hidden></p>
        <button class="button" type="submit" data-testid="edit-submit" data-i18n="dashSave"></button>
      </form>
    </section>

    <section class="panel">
      <h2 data-i18n="dashEmailTitle"></h2>
      <form id="email-form" method="post" data-testid="email-form">
        <label class="field"><span data-i18n="dashNewEmail"></span>
          <input name="newEmail" type="email" autocomplete="email" required data-testid="new-email" />
          <span class="field-error" data-error-for="newEmail" role="alert" hidden></span></label>
        <label class="field" data-reauth hidden><span data-i18n="dashDeletePassword"></span>
          <input name="password" type="password" autocomplete="current-password" data-testid="email-password" />
          <span class="field-error" data-error-for="password" role="alert" hidden></span></label>
        <p class="form-error error" data-error-for="form" role="alert" hidden></p>
        <p id="email-sent" class="notice" data-testid="email-sent" hidden></p>
        <button class="button" type="submit" data-testid="email-submit" data-i18n="dashEmailButton"></button>
      </form>
    </section>

    <section class="panel">
      <h2 data-i18n="dashExportTitle"></h2>
      <p data-i18n="dashExportLead"></p>
      <button id="export" class="button" type="button" data-testid="export" data-i18n="dashExportButton"></button>
      <p id="export-error" class="error" role="alert" hidden></p>
    </section>

    <section class="panel">
      <button id="sign-out" class="button secondary" type="button" data-testid="sign-out" data-i18n="dashSignOut"></button>
    </section>

    <section class="panel danger">
      <h2 data-i18n="dashDeleteTitle"></h2>
      <p data-i18n="dashDeleteLead"></p>
      <form id="delete-form" method="post" data-testid="delete-form">
        <label class="field"><span id="delete-confirm-label"></span>
          <input name="confirm" autocomplete="off" spellcheck="false" autocapitalize="none" required data-testid="delete-confirm" />
          <span class="field-error" data-error-for="confirm" role="alert" hidden></span></label>
        <label class="field" data-reauth><span data-i18n="dashDeletePassword"></span>
          <input name="password" type="password" autocomplete="current-password" data-testid="delete-password" />
          <span class="field-error" data-testid="delete-password-error" data-error-for="password" role="alert" hidden></span></label>
        <p class="form-error error" data-testid="delete-error" data-error-for="form" role="alert" hidden></p>
        <button class="button danger" type="submit" data-testid="delete-submit" data-i18n="dashDeleteButton"></button>
      </form>
    </section>
  </div>
</main>`;

function shownValue(field, value) {
  if (value === undefined || value === null || value === '') return t('dashEmpty');
  if (field === 'plan') return value === 'pro' ? t('dashPlanPro') : t('dashPlanFree');
  if (field.endsWith('At') && typeof value === 'number')
    return new Date(value * 1000).toLocaleString(language(), { dateStyle: 'medium', timeStyle: 'short' });
  return String(value);
}

function renderFields(tbody, profile) {
  tbody.replaceChildren(
    ...STORED_FIELDS.map(({ field, label, purpose, kept }) => {
      const row = document.createElement('tr');
      row.dataset.field = field;
      for (const text of [t(label), shownValue(field, profile[field]), t(purpose), t(kept)]) {
        const cell = document.createElement('td');
        cell.textContent = text; // the person's own values: text, never markup
        row.append(cell);
      }
      return row;
    }),
  );
}

const SIGNED_OUT_CODES = new Set(['auth/user-not-found', 'auth/user-token-expired', 'auth/user-disabled']);

export function mount(root) {
  const { $ } = fillPage(root, MARKUP);
  const abort = new AbortController();
  const signal = abort.signal;
  let profile = null;

  // One view at a time ('signed-out', 'deleted', 'finish', 'dashboard' or null), and a message.
  const show = (view, message = null, params = {}) => {
    for (const id of ['signed-out', 'deleted', 'finish', 'dashboard']) $(id).hidden = id !== view;
    $('status').hidden = !message;
    if (message) $('status').textContent = t(message, params);
    if (view !== 'dashboard' && view !== 'finish') $('verify').hidden = true;
    document.body.dataset.account = view ?? 'message'; // read by the browser tests
  };

  function setProfile(next) {
    profile = next;
    renderFields($('fields'), profile);
    const edit = $('edit-form');
    for (const name of ['name', 'username', 'company']) edit.elements[name].value = profile[name] ?? '';
    $('delete-confirm-label').textContent = t('dashDeleteConfirm', { username: profile.username });
  }

  function signedOut(view, message = null) {
    show(view, message);
    rememberSignedIn(false);
    announceAccount(null);
  }

  async function load(session) {
    const user = await session.ready();
    if (signal.aborted) return;
    if (!user) return void signedOut('signed-out');
    try {
      await session.refresh(); // a verified email, an applied email change
    } catch (error) {
      if (SIGNED_OUT_CODES.has(error?.code)) {
        await session.signOut();
        return void signedOut('signed-out');
      }
    }
    // A fresh token carries Firebase's current email: the server takes a verified change from it.
    const me = await callApi('/api/me', { token: await session.idToken(true) });
    if (signal.aborted) return;
    $('verify').hidden = session.user()?.emailVerified !== false;
    if (me.status === 200) {
      setProfile(me.body);
      rememberSignedIn(true);
      announceAccount(me.body);
      show('dashboard');
    } else if (me.status === 404 && me.body?.error === 'no-profile') {
      announceAccount(null, { pending: true });
      show('finish');
    } else if (me.status === 401 || (me.status === 403 && me.body?.error === 'account-deleted')) {
      await session.signOut();
      signedOut('signed-out', me.status === 403 ? 'errAccountDeleted' : null);
    } else {
      show(null, 'errGeneric', { detail: me.body?.error ?? me.status });
    }
  }

  function wireFinish(session) {
    const form = $('finish-form');
    const completer = new ProfileCompleter(form);
    form.addEventListener(
      'submit',
      async (event) => {
        event.preventDefault();
        const button = form.querySelector('[type=submit]');
        if (button.disabled) return;
        button.disabled = true;
        try {
          const age = await completer.ensureAgePass();
          if (age.outcome === 'refused') {
            // Under the age: no profile, and the Firebase user made without one goes too.
            await session.deleteFirebaseUser().catch(() => {});
            await session.signOut();
            return void signedOut(null, 'acctRefused');
          }
          if (age.outcome === 'error') return void showFieldError(form, 'form', t('errGeneric', age));
          if (age.outcome !== 'pass') return;
          const saved = await completer.save(await session.idToken());
          if (saved.profile || saved.exists) return void load(session);
          if (!saved.shown) showFieldError(form, 'form', t('errGeneric', saved));
        } finally {
          button.disabled = false;
        }
      },
      { signal },
    );
  }

  (async () => {
    let session;
    try {
      session = await loadSession();
    } catch {
      return void (signal.aborted || show(null, 'acctLoadFailed'));
    }
    if (signal.aborted) return;
    if (!session) return void show(null, 'acctOff');
    await session.ready(); // the providers (password or Google) decide how to sign in again
    if (signal.aborted) return;
    wireFinish(session);
    wireDashboard($, {
      session,
      signal,
      profile: () => profile,
      setProfile,
      deleted: () => show('deleted'),
      signedOut: () => show('signed-out'),
    });
    await load(session);
  })();

  document.addEventListener('languagechange', () => profile && setProfile(profile), { signal });

  return () => {
    abort.abort();
    delete document.body.dataset.account;
  };
}
