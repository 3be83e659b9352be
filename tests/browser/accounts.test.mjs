// Optional accounts in real Chromium against the real server and the real Firebase Auth emulator
// (docs/accounts.md): the neutral age screen refuses 15 years 364 days and takes exactly 16 (dates
// from today in UTC), sign-up with a username already taken, email verification through the
// emulator's oobCodes, sign-in and sign-out, the plan badge, corrections, an email change, the
// export, and deletion (the old token refused, the profile row and the Firebase user gone). The
// date of birth must end up nowhere: not in the database file, the server's log, the page's storage
// or URL. A browser that never signed in, and the room page always, load no Firebase code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startAuthEmulator } from '../support/auth_emulator.mjs';
import { launchChromium } from './chromium.mjs';
import { serverBinary, startService } from './service.mjs';

const PROJECT = 'demo-cieloweb';
const PASSWORD = 'correct horse battery';
const FIREBASE_CHUNK = /\/assets\/firebase_session-[^/]*\.js$/;

let dir;
let emulator;
let service;
let browser;
let db;
let serial = 0;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-accounts-'));
  emulator = await startAuthEmulator({ project: PROJECT });
  db = path.join(dir, 'profiles.db');
  // Ads on too (docs/ads.md): the landing page then runs under its nonce policy, and the plan decides.
  service = await startService([
    ...emulator.serverArgs,
    '--third-parties',
    'sign-in',
    '--profiles-db',
    db,
    '--adsense-client',
    'ca-pub-1234567890123456',
    '--adsense-slots',
    'landing=1234567890',
  ]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await service?.stop();
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A birth date `years` years before today (UTC), moved by `days`: {day, month, year, iso}.
function birthDate(years, days = 0) {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() + days));
  const pad = (n) => String(n).padStart(2, '0');
  const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  return { year, month, day, iso: `${year}-${pad(month)}-${pad(day)}` };
}

// Every way the date could have been written down.
function dateForms({ year, month, day, iso }) {
  const pad = (n) => String(n).padStart(2, '0');
  return [
    iso,
    `${year}${pad(month)}${pad(day)}`,
    `${pad(day)}-${pad(month)}-${year}`,
    `${pad(day)}/${pad(month)}/${year}`,
  ];
}

function person(label) {
  serial += 1;
  const tag = `${label}${process.pid}x${serial}`;
  return { name: `Test ${label}`, username: tag.toLowerCase(), email: `${tag.toLowerCase()}@example.test` };
}

// A browser of its own (cookies, storage) that records every request and the bearer tokens sent.
async function openBrowser(locale = 'en-US') {
  const context = await browser.newContext({ locale, acceptDownloads: true });
  const page = await context.newPage();
  const requests = [];
  const tokens = [];
  const errors = [];
  page.on('request', (r) => {
    requests.push(r.url());
    const auth = r.headers().authorization;
    if (auth?.startsWith('Bearer ')) tokens.push(auth.slice(7));
  });
  page.on('pageerror', (e) => errors.push(e.message));
  // The policy of each page must admit what it does (the SDK's calls to the emulator included).
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  return { context, page, requests, tokens, errors };
}

const adHostRequests = (requests) =>
  requests.filter((url) => /googlesyndication|doubleclick|adtrafficquality|fundingchoices/.test(url));

const firebaseLoads = (requests) => requests.filter((url) => FIREBASE_CHUNK.test(new URL(url).pathname));

async function fillSignUp(page, who, date) {
  await page.goto(`${service.origin}/signin`);
  await page.waitForSelector('body[data-signin=ready]', { state: 'attached' });
  await page.click('[data-testid=tab-signup]');
  await page.fill('[data-testid=signup-form] [data-testid=profile-name]', who.name);
  await page.fill('[data-testid=signup-form] [data-testid=profile-username]', who.username);
  await page.fill('[data-testid=signup-email]', who.email);
  await page.fill('[data-testid=signup-password]', PASSWORD);
  await page.fill('[data-testid=birth-day]', String(date.day));
  await page.fill('[data-testid=birth-month]', String(date.month));
  await page.fill('[data-testid=birth-year]', String(date.year));
  await page.click('[data-testid=signup-submit]');
}

async function dashboard(page) {
  await page.waitForSelector('body[data-account=dashboard]', { state: 'attached', timeout: 20000 });
}

async function storedField(page, field) {
  return page.textContent(`[data-testid=stored-fields] tr[data-field=${field}] td:nth-child(2)`);
}

// What the page keeps where a script can read it, and its address.
async function pageTraces(page) {
  return page.evaluate(() =>
    JSON.stringify({ url: location.href, local: { ...localStorage }, session: { ...sessionStorage } }),
  );
}

function assertNoDate(text, date, where) {
  for (const form of dateForms(date)) assert.ok(!text.includes(form), `the date of birth (${form}) is in ${where}`);
}

function databaseBytes() {
  return readdirSync(dir)
    .filter((name) => name.startsWith('profiles.db'))
    .map((name) => readFileSync(path.join(dir, name)).toString('latin1'))
    .join('\n');
}

function admin(...args) {
  return spawnSync(serverBinary, ['admin', ...args, '--profiles-db', db], { encoding: 'utf8' });
}

async function firebaseUsers(email) {
  return (await emulator.accounts()).filter((account) => account.email === email);
}

// Opens the link of the latest mail of `requestType` the emulator "sent" for `email`, as a person
// clicking it would.
async function openMail(email, requestType) {
  const codes = (await emulator.oobCodes()).filter((c) => c.email === email && c.requestType === requestType);
  assert.ok(codes.length > 0, `no ${requestType} mail was sent to ${email}`);
  const res = await fetch(codes.at(-1).oobLink);
  assert.equal(res.status, 200, await res.text());
}

const me = (token) => fetch(`${service.origin}/api/me`, { headers: { authorization: `Bearer ${token}` } });

test('accounts: a browser that never signed in loads no Firebase code, on the landing page or in a room', async () => {
  const { context, page, requests, errors } = await openBrowser();
  try {
    await page.goto(`${service.origin}/`);
    await page.waitForSelector('[data-testid=header-signin]');
    await page.waitForLoadState('networkidle'); // everything the landing page loads by itself
    assert.equal(await page.getAttribute('[data-testid=header-signin]', 'href'), '/signin');
    await page.click('[data-testid=create-room]');
    await page.waitForSelector('body[data-room=joined]', { state: 'attached', timeout: 20000 });
    assert.deepEqual(firebaseLoads(requests), []);
    // An anonymous creator's room holds the free capacity, and the room says so.
    assert.match(await page.textContent('[data-testid=room-capacity]'), /\b8\b/);
    assert.ok(
      requests.some((url) => url.includes('/assets/room-')),
      'the room page itself was loaded',
    );
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('accounts: 15 years 364 days is refused with no Firebase user and no profile; the date is kept nowhere', async () => {
  const { context, page, errors } = await openBrowser('nl-NL'); // in Dutch
  try {
    const who = person('young');
    const date = birthDate(16, 1); // the 16th birthday is tomorrow
    await fillSignUp(page, who, date);
    // A neutral screen: nothing on the form says which age is asked for.
    const form = await page.textContent('[data-testid=signup-form]');
    assert.match(form, /Geboortedatum/);
    assert.doesNotMatch(form, /\b16\b|zestien|leeftijd|oud genoeg|sixteen|\bage\b/i);
    await page.waitForSelector('[data-testid=age-refused]');
    assert.match(await page.textContent('[data-testid=age-refused]'), /We kunnen geen account voor u aanmaken\./);
    for (const id of ['birth-day', 'birth-month', 'birth-year'])
      assert.equal(await page.inputValue(`[data-testid=${id}]`), '', `${id} was not emptied`);
    assertNoDate(await pageTraces(page), date, "the page's storage or URL");
    assertNoDate(service.log.join(''), date, "the server's log");
    assert.deepEqual(await firebaseUsers(who.email), [], 'a Firebase user was made');

    // The marker the refusal left stops an immediate retry with another date, in this browser.
    const retry = person('retry');
    await fillSignUp(page, retry, birthDate(16));
    await page.waitForSelector('[data-testid=age-refused]');
    assert.deepEqual(await firebaseUsers(retry.email), []);
    assert.ok(!databaseBytes().includes(who.username) && !databaseBytes().includes(retry.username));
    assertNoDate(databaseBytes(), date, 'the profiles database');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('accounts: sign-up at exactly 16, verification, sign-in, edits, email change, export, delete', async () => {
  const { context, page, requests, tokens, errors } = await openBrowser();
  try {
    // Someone already holds a username: made through the API the page uses.
    const other = person('other');
    const { idToken: otherToken } = await emulator.signUp(other.email, PASSWORD);
    const gate = await fetch(`${service.origin}/api/age-gate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ birthDate: birthDate(30).iso }),
    });
    assert.equal(gate.status, 200);
    const made = await fetch(`${service.origin}/api/me`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${otherToken}` },
      body: JSON.stringify({ name: other.name, username: other.username, agePass: (await gate.json()).pass }),
    });
    assert.equal(made.status, 201, await made.text());

    // Sign-up at exactly 16, first with the taken username: the Firebase user exists, the profile
    // not; another username finishes it.
    const who = person('ada');
    const date = birthDate(16);
    await fillSignUp(page, { ...who, username: other.username }, date);
    await page.waitForSelector('[data-testid=username-error]');
    assert.match(await page.textContent('[data-testid=username-error]'), /taken/);
    assert.equal((await firebaseUsers(who.email)).length, 1);
    assert.ok(await page.isVisible('[data-testid=finish-note]'));
    await page.fill('[data-testid=signup-form] [data-testid=profile-username]', who.username);
    await page.click('[data-testid=signup-submit]');
    await dashboard(page);
    assert.equal(await page.textContent('[data-testid=header-name]'), who.name);
    assert.equal(await page.textContent('[data-testid=header-plan]'), 'free');
    assert.equal(await storedField(page, 'username'), who.username);
    assert.equal(await storedField(page, 'email'), who.email);
    assertNoDate(await pageTraces(page), date, "the page's storage or URL");
    assertNoDate(databaseBytes(), date, 'the profiles database');
    assertNoDate(service.log.join(''), date, "the server's log");

    // Email verification: the emulator's mail, opened.
    assert.ok(await page.isVisible('[data-testid=verify-banner]'));
    await openMail(who.email, 'VERIFY_EMAIL');
    await page.reload();
    await dashboard(page);
    assert.ok(await page.isHidden('[data-testid=verify-banner]'));

    // Free: the landing page asks the ad question (and nothing went to an ad host before it).
    await page.goto(`${service.origin}/`);
    await page.waitForSelector('[data-testid=header-plan]');
    assert.equal(await page.textContent('[data-testid=header-plan]'), 'free');
    await page.waitForSelector('[data-testid=ads-choose]');
    assert.deepEqual(adHostRequests(requests), []);

    // An operator makes the account pro: the badge says so.
    const setPlan = admin('set-plan', who.email, 'pro');
    assert.equal(setPlan.status, 0, setPlan.stderr);
    await page.goto(`${service.origin}/account`);
    await dashboard(page);
    assert.equal(await page.textContent('[data-testid=header-plan]'), 'pro');
    assert.equal(await storedField(page, 'plan'), 'pro');

    // Pro: no notice, no slot, no "Ad settings", no request to an ad host, on both ad pages.
    for (const adPage of ['/', '/privacy']) {
      await page.goto(service.origin + adPage);
      await page.waitForSelector('[data-testid=header-plan]');
      assert.equal(await page.textContent('[data-testid=header-plan]'), 'pro');
      await page.waitForTimeout(500);
      assert.equal(await page.locator('[data-testid=ad-slot]:visible').count(), 0, adPage);
      assert.ok(await page.isHidden('[data-testid=ad-settings]'), adPage);
    }
    assert.deepEqual(adHostRequests(requests), []);
    await page.goto(`${service.origin}/account`);
    await dashboard(page);

    // Corrections: name, username, company; a taken username is refused next to the field.
    const edit = '[data-testid=edit-form]';
    await page.fill(`${edit} [data-testid=profile-username]`, other.username);
    await page.click('[data-testid=edit-submit]');
    await page.waitForSelector(`${edit} [data-testid=username-error]`);
    who.name = 'Ada King';
    who.username = `${who.username}k`;
    await page.fill(`${edit} [data-testid=profile-name]`, who.name);
    await page.fill(`${edit} [data-testid=profile-username]`, who.username);
    await page.fill(`${edit} [data-testid=profile-company]`, 'Analytical Engines');
    await page.click('[data-testid=edit-submit]');
    await page.waitForSelector('[data-testid=edit-saved]');
    assert.equal(await page.textContent('[data-testid=header-name]'), who.name);
    assert.equal(await storedField(page, 'company'), 'Analytical Engines');
    const edited = await (await me(tokens.at(-1))).json();
    assert.equal(edited.name, who.name);
    assert.equal(edited.username, who.username);
    assert.equal(edited.company, 'Analytical Engines');

    // Sign out, and in again with the password.
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=header-signin]');
    await page.goto(`${service.origin}/signin`);
    await page.waitForSelector('body[data-signin=ready]', { state: 'attached' });
    await page.fill('[data-testid=signin-email]', who.email);
    await page.fill('[data-testid=signin-password]', 'not the password');
    await page.click('[data-testid=signin-submit]');
    await page.waitForSelector('[data-testid=signin-error]');
    await page.fill('[data-testid=signin-password]', PASSWORD);
    await page.click('[data-testid=signin-submit]');
    await dashboard(page);
    assert.equal(await page.textContent('[data-testid=header-name]'), who.name);

    // A signed-in browser: the landing page's header loads the SDK, the room page never.
    await page.goto(`${service.origin}/`);
    await page.waitForSelector('[data-testid=header-name]');
    assert.ok(firebaseLoads(requests).length > 0, 'the header of a signed-in browser loads the SDK');
    const before = requests.length;
    await page.click('[data-testid=create-room]');
    await page.waitForSelector('body[data-room=joined]', { state: 'attached', timeout: 20000 });
    assert.deepEqual(firebaseLoads(requests.slice(before)), [], 'the room page loaded Firebase code');
    // The landing page signed the connection in before create-room: a pro person's room holds
    // the pro capacity (the server's default, 24), shown in the room.
    assert.match(await page.textContent('[data-testid=room-capacity]'), /\b24\b/);
    assert.equal(await page.textContent('[data-testid=header-account]'), 'Your account');
    // The whole session so far, free and pro, pages and room: not one request to an ad host.
    assert.deepEqual(adHostRequests(requests), []);
    // From the room's document the account page is a new document (under the sign-in policy).
    await page.evaluate(() => {
      window.roomDocument = true;
    });
    await page.click('[data-testid=header-account]');
    await dashboard(page);
    assert.equal(
      await page.evaluate(() => window.roomDocument),
      undefined,
      'the account page ran in the room document',
    );

    // An email change: Firebase mails the new address; once opened, the server takes it over.
    const newEmail = `new-${who.email}`;
    await page.fill('[data-testid=new-email]', newEmail);
    await page.click('[data-testid=email-submit]');
    await page.waitForSelector('[data-testid=email-sent]');
    await openMail(who.email, 'VERIFY_AND_CHANGE_EMAIL');
    await page.reload();
    await dashboard(page);
    assert.equal(await storedField(page, 'email'), newEmail);
    who.email = newEmail;

    // The export: every stored field, and what Firebase holds, never a password hash or the date.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
    assert.equal(download.suggestedFilename(), 'cieloweb-account.json');
    const exportText = readFileSync(await download.path(), 'utf8');
    const exported = JSON.parse(exportText);
    for (const field of ['uid', 'name', 'username', 'email', 'plan', 'company', 'createdAt', 'updatedAt', 'ageGateAt'])
      assert.ok(field in exported.profile, `the export lacks ${field}`);
    assert.equal(exported.profile.username, who.username);
    assert.equal(exported.profile.email, newEmail);
    assert.equal(exported.profile.plan, 'pro');
    assert.equal(exported.firebase.email, newEmail);
    assert.doesNotMatch(exportText, /passwordHash|fakeHash/);
    assertNoDate(exportText, date, 'the export');

    // Deletion: the username typed, the password again; then the profile, the Firebase user and
    // the token are gone.
    const uid = exported.profile.uid;
    await page.fill('[data-testid=delete-confirm]', 'someone-else');
    await page.fill('[data-testid=delete-password]', PASSWORD);
    await page.click('[data-testid=delete-submit]');
    await page.waitForSelector('[data-testid=delete-form] [data-error-for=confirm]');
    const oldToken = tokens.at(-1);
    assert.equal((await me(oldToken)).status, 200);
    await page.fill('[data-testid=delete-confirm]', who.username);
    await page.fill('[data-testid=delete-password]', PASSWORD);
    await page.click('[data-testid=delete-submit]');
    await page.waitForSelector('[data-testid=account-deleted]');
    await page.waitForSelector('[data-testid=header-signin]');
    const refused = await me(oldToken);
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { error: 'account-deleted' });
    const gone = admin('set-plan', uid, 'free');
    assert.notEqual(gone.status, 0, 'the profile row is still there');
    assert.deepEqual(await firebaseUsers(newEmail), [], 'the Firebase user is still there');
    assert.equal(await page.evaluate(() => localStorage.getItem('cieloweb.signedIn')), null);
    assertNoDate(service.log.join(''), date, "the server's log");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('accounts: with accounts off the pages say so and the header offers no sign-in', async () => {
  const plain = await startService();
  const { context, page, requests } = await openBrowser();
  try {
    for (const where of ['/signin', '/account']) {
      await page.goto(`${plain.origin}${where}`);
      await page.waitForFunction(() => /not available/.test(document.querySelector('main').textContent), null, {
        timeout: 10000,
      });
    }
    assert.equal(await page.getAttribute('[data-testid=account-nav]', 'data-state'), 'off');
    assert.equal(await page.$('[data-testid=header-signin]'), null);
    assert.deepEqual(firebaseLoads(requests), []);
  } finally {
    await context.close();
    await plain.stop();
  }
});
