// What the account page lets a person do with their data (docs/accounts.md): correct name, username
// and company (PUT /api/me), change the email (Firebase mails a link to the new address; the server
// takes the address over once it is verified), export (GET /api/me/export, saved as a file), sign
// out, and delete (type the username, sign in again, DELETE /api/me, then the Firebase user if the
// server left it).
import { t } from '../i18n.js';
import { announceAccount, callApi, rememberSignedIn } from './account_api.js';
import { readProfileFields, showFieldError, submitWith } from './profile_form.js';
import { authError } from './signin_strings.js';

const EDITABLE = ['name', 'username', 'company'];

// Saves a file the page holds in memory (the export is small) under `name`.
function saveFile(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// $: the page's lookup; ctx: {session, profile(), setProfile(profile), deleted(), signal}.
export function wireDashboard($, ctx) {
  const { session, signal } = ctx;
  const usesPassword = session.providers().includes('password');
  const on = (id, type, handler) => $(id).addEventListener(type, handler, { signal });

  on('edit-form', 'submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    $('edit-saved').hidden = true;
    submitWith(form, async () => {
      const wanted = readProfileFields(form);
      const current = ctx.profile();
      const changes = Object.fromEntries(
        EDITABLE.filter((k) => wanted[k] !== (current[k] ?? '')).map((k) => [k, wanted[k]]),
      );
      if (Object.keys(changes).length > 0) {
        const res = await callApi('/api/me', { method: 'PUT', token: await session.idToken(), body: changes });
        if (res.status === 409 && res.body?.error === 'username-taken')
          return void showFieldError(form, 'username', t('errUsernameTaken'));
        if (res.status === 400 && res.body?.field && showFieldError(form, res.body.field, t('errInvalidField'))) return;
        if (res.status !== 200)
          return void showFieldError(form, 'form', t('errGeneric', { detail: res.body?.error ?? res.status }));
        ctx.setProfile(res.body);
        announceAccount(res.body);
      }
      if (!signal.aborted) $('edit-saved').hidden = false;
    });
  });

  // An email change (and a deletion) may need a recent sign-in: the password field shows then.
  const reauthRow = (form) => form.querySelector('[data-reauth]');
  on('email-form', 'submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    $('email-sent').hidden = true;
    submitWith(form, async () => {
      const email = form.elements.newEmail.value.trim();
      if (!reauthRow(form).hidden) {
        await session.reauthenticate(usesPassword ? form.elements.password.value : null);
        form.elements.password.value = '';
        reauthRow(form).hidden = true;
        form.elements.password.required = false;
      }
      try {
        await session.changeEmail(email);
      } catch (error) {
        if (error?.code !== 'auth/requires-recent-login') throw error;
        reauthRow(form).hidden = !usesPassword;
        form.elements.password.required = usesPassword;
        return void showFieldError(form, usesPassword ? 'password' : 'form', t('errRecentSignIn'));
      }
      $('email-sent').textContent = t('dashEmailSent', { email });
      $('email-sent').hidden = false;
      form.elements.newEmail.value = '';
    });
  });

  on('export', 'click', async () => {
    const button = $('export');
    button.disabled = true;
    $('export-error').hidden = true;
    try {
      const res = await fetch('/api/me/export', {
        headers: { authorization: `Bearer ${await session.idToken()}` },
        cache: 'no-store',
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      saveFile(await res.text(), name ?? 'cieloweb-account.json');
    } catch (error) {
      $('export-error').textContent = t('errGeneric', { detail: error.message });
      $('export-error').hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  on('sign-out', 'click', async () => {
    await session.signOut();
    rememberSignedIn(false);
    announceAccount(null);
    ctx.signedOut();
  });

  const deleteForm = $('delete-form');
  reauthRow(deleteForm).hidden = !usesPassword;
  deleteForm.elements.password.required = usesPassword;
  on('delete-form', 'submit', (event) => {
    event.preventDefault();
    submitWith(deleteForm, async () => {
      const typed = deleteForm.elements.confirm.value.trim().toLowerCase();
      if (typed !== ctx.profile().username.toLowerCase())
        return void showFieldError(deleteForm, 'confirm', t('dashDeleteMismatch'));
      // Signing in again first makes the sign-in recent, as the server requires for a deletion.
      await session.reauthenticate(usesPassword ? deleteForm.elements.password.value : null);
      deleteForm.elements.password.value = '';
      const res = await callApi('/api/me', { method: 'DELETE', token: await session.idToken() });
      if (res.status === 403 && res.body?.error === 'recent-sign-in-required')
        return void showFieldError(deleteForm, usesPassword ? 'password' : 'form', t('errRecentSignIn'));
      if (res.status !== 200 || res.body?.deleted !== true)
        return void showFieldError(deleteForm, 'form', t('errGeneric', { detail: res.body?.error ?? res.status }));
      if (res.body.firebaseUser === 'left') {
        try {
          await session.deleteFirebaseUser();
        } catch {
          // the profile is gone and its token refused; the sign-out below ends this session anyway
        }
      }
      await session.signOut();
      rememberSignedIn(false);
      announceAccount(null);
      ctx.deleted();
    });
  });

  on('resend', 'click', async () => {
    try {
      await session.resendVerification();
      $('resent').hidden = false;
    } catch (error) {
      $('resent').textContent = t(authError(error).key, authError(error));
      $('resent').hidden = false;
    }
  });
}
