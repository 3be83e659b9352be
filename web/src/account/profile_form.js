// The profile part of a form (name, username, optional company) and the neutral age screen (the
// date of birth, asked once, with nothing next to it about any age), shared by sign-up and by the
// dashboard's "finish your profile". The flow of docs/accounts.md: POST /api/age-gate first (the
// server computes the age and forgets the date), then POST /api/me with the pass it gave.
//
// The date of birth lives only in the three inputs and, for the one request, in a local variable:
// the inputs are emptied right after the call, whatever it answered, and the date is never put in
// storage, a URL or a log. The pass (not the date) is kept in memory to retry a refused username.
import { t } from '../i18n.js';
import { callApi } from './account_api.js';
import { authError } from './signin_strings.js';

// The fields' markup, placed inside a <form> of a page (parsed by fillPage; words by data-i18n).
export const PROFILE_FIELDS = `
  <label class="field">
    <span data-i18n="acctName"></span>
    <input name="name" data-testid="profile-name" autocomplete="name" required maxlength="64" />
    <span class="field-error" data-error-for="name" role="alert" hidden></span>
  </label>
  <label class="field">
    <span data-i18n="acctUsername"></span>
    <input name="username" data-testid="profile-username" autocomplete="username" required minlength="3"
      maxlength="32" pattern="[A-Za-z0-9_.\\-]{3,32}" spellcheck="false" autocapitalize="none" />
    <small class="muted" data-i18n="acctUsernameHint"></small>
    <span class="field-error" data-testid="username-error" data-error-for="username" role="alert" hidden></span>
  </label>
  <label class="field">
    <span data-i18n="acctCompany"></span>
    <input name="company" data-testid="profile-company" autocomplete="organization" maxlength="80" />
    <span class="field-error" data-error-for="company" role="alert" hidden></span>
  </label>`;

// No autocomplete: the browser is not to remember the date either.
export const BIRTH_DATE_FIELDS = `
  <fieldset class="field birth-date" data-age-step>
    <legend data-i18n="acctBirthDate"></legend>
    <label><span data-i18n="acctDay"></span>
      <input name="birthDay" data-testid="birth-day" inputmode="numeric" pattern="[0-9]{1,2}" maxlength="2"
        size="2" autocomplete="off" required /></label>
    <label><span data-i18n="acctMonth"></span>
      <input name="birthMonth" data-testid="birth-month" inputmode="numeric" pattern="[0-9]{1,2}" maxlength="2"
        size="2" autocomplete="off" required /></label>
    <label><span data-i18n="acctYear"></span>
      <input name="birthYear" data-testid="birth-year" inputmode="numeric" pattern="[0-9]{4}" maxlength="4"
        size="4" autocomplete="off" required /></label>
    <span class="field-error" data-testid="birth-date-error" data-error-for="birthDate" role="alert" hidden></span>
  </fieldset>`;

const BIRTH_INPUTS = ['birthDay', 'birthMonth', 'birthYear'];

export function showFieldError(form, field, text) {
  const slot = form.querySelector(`[data-error-for="${field}"]`);
  if (!slot) return false;
  slot.textContent = text;
  slot.hidden = false;
  form.elements[field]?.setAttribute('aria-invalid', 'true');
  return true;
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll('[data-error-for]')) {
    slot.hidden = true;
    slot.textContent = '';
    form.elements[slot.dataset.errorFor]?.removeAttribute('aria-invalid');
  }
}

export function readProfileFields(form) {
  const value = (name) => form.elements[name].value.trim();
  return { name: value('name'), username: value('username'), company: value('company') };
}

// The three inputs as YYYY-MM-DD (null when one is not a number), and the inputs emptied.
function takeBirthDate(form) {
  const [day, month, year] = BIRTH_INPUTS.map((name) => form.elements[name].value.trim());
  for (const name of BIRTH_INPUTS) form.elements[name].value = '';
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return null;
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

// Holds one form's age pass (in memory, for this page only) and saves its profile.
export class ProfileCompleter {
  constructor(form) {
    this.form_ = form;
    this.pass_ = null;
    this.ageStep_ = form.querySelector('[data-age-step]');
  }

  hasPass() {
    return this.pass_ !== null;
  }

  // Shows or hides the date of birth (a disabled fieldset is not validated or sent).
  askAge(ask) {
    this.ageStep_.hidden = !ask;
    this.ageStep_.disabled = !ask;
  }

  // POST /api/age-gate unless a pass is held: 'pass', 'refused' (under the age: nothing more may be
  // made), 'invalid' (not a real date: shown at the field) or 'error' ({detail}).
  async ensureAgePass() {
    if (this.pass_) return { outcome: 'pass' };
    const birthDate = takeBirthDate(this.form_);
    if (!birthDate) {
      showFieldError(this.form_, 'birthDate', t('errBirthDate'));
      return { outcome: 'invalid' };
    }
    const res = await callApi('/api/age-gate', { method: 'POST', body: { birthDate } });
    if (res.status === 200 && typeof res.body?.pass === 'string') {
      this.pass_ = res.body.pass;
      this.askAge(false);
      return { outcome: 'pass' };
    }
    if (res.status === 403 && res.body?.error === 'age-gate-refused') return { outcome: 'refused' };
    if (res.status === 400) {
      showFieldError(this.form_, 'birthDate', t('errBirthDate'));
      return { outcome: 'invalid' };
    }
    return { outcome: 'error', detail: res.body?.error ?? `HTTP ${res.status}` };
  }

  // POST /api/me with the held pass: {profile}, or {shown: true} when the answer was put next to
  // its field (a taken username, an invalid field, the date needed again), or {detail}.
  async save(token) {
    const fields = readProfileFields(this.form_);
    const body = { name: fields.name, username: fields.username, agePass: this.pass_ };
    if (fields.company) body.company = fields.company;
    const res = await callApi('/api/me', { method: 'POST', token, body });
    if (res.status === 201 || res.status === 200) return { profile: res.body };
    const code = res.body?.error;
    if (res.status === 409 && code === 'username-taken') {
      showFieldError(this.form_, 'username', t('errUsernameTaken'));
      return { shown: true };
    }
    if (res.status === 400 && res.body?.field && showFieldError(this.form_, res.body.field, t('errInvalidField')))
      return { shown: true };
    if (res.status === 403 && code === 'age-gate-required') {
      this.pass_ = null; // too old or refused: the date once more
      this.askAge(true);
      showFieldError(this.form_, 'birthDate', t('acctAgeAgain'));
      return { shown: true };
    }
    if (res.status === 409 && code === 'profile-exists') return { exists: true };
    return { detail: code ?? `HTTP ${res.status}` };
  }
}

// Runs `work` with the form's submit button disabled (a second press while it runs does nothing);
// an error it throws is shown next to the field it concerns, or on the whole form.
export async function submitWith(form, work) {
  const button = form.querySelector('[type=submit]');
  if (button.disabled) return;
  button.disabled = true;
  clearFieldErrors(form);
  try {
    await work();
  } catch (error) {
    const { key, field, detail } = authError(error);
    const text = t(key, { detail });
    if (!(field && showFieldError(form, field, text))) showFieldError(form, 'form', text);
  } finally {
    button.disabled = false;
  }
}
