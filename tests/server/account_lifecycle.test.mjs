// A person's whole account through the real binary and the real Auth emulator: the 16+ screen,
// making the profile, correcting it, the export, and deletion (recent sign-in, the Firebase user
// gone, the old token refused, no row left). The UI side is tests/browser/accounts.test.mjs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startAuthEmulator } from '../support/auth_emulator.mjs';
import { spawnSync } from 'node:child_process';
import { Client, createRoom, join, serverBin, startServer, testProfiles } from './harness.mjs';

let auth;
let server;
let dir;
let profiles;

before(async () => {
  auth = await startAuthEmulator();
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-lifecycle-'));
  profiles = await testProfiles(dir);
  server = await startServer([
    ...auth.serverArgs,
    ...profiles.args,
    '--room-capacity',
    '2',
    '--room-capacity-pro',
    '3',
  ]);
});

after(async () => {
  await server?.stop();
  await auth?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A birth date `years` years and `days` days before today (UTC).
function birthDate(years, days = 0) {
  const d = new Date();
  const date = new Date(Date.UTC(d.getUTCFullYear() - years, d.getUTCMonth(), d.getUTCDate()));
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

function api(pathname, { token, method = 'GET', body, cookie } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (cookie) headers.cookie = cookie;
  return fetch(`${server.url}${pathname}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function agePass(years) {
  const res = await api('/api/age-gate', { method: 'POST', body: { birthDate: birthDate(years) } });
  assert.equal(res.status, 200);
  return (await res.json()).pass;
}

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
// The same person's token with an older sign-in time (the emulator signs in "now").
function withAuthTime(token, authTime) {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, auth_time: authTime })}.`;
}

test('auth-config tells the page the project and the emulator', async () => {
  const res = await api('/api/auth-config');
  assert.equal(res.status, 200);
  const config = await res.json();
  assert.equal(config.enabled, true);
  assert.equal(config.projectId, auth.project);
  assert.equal(config.emulator, auth.origin);
  assert.equal(config.googleSignIn, false);
  const page = await fetch(`${server.url}/account`);
  assert.match(page.headers.get('content-security-policy'), new RegExp(`connect-src [^;]*${auth.origin}`));
});

test('the age screen: a day short of 16 refused with a marker that refuses the next try; 16 passes', async () => {
  const young = await api('/api/age-gate', { method: 'POST', body: { birthDate: birthDate(16, -1) } });
  assert.equal(young.status, 403);
  assert.deepEqual(await young.json(), { error: 'age-gate-refused' });
  const cookie = young.headers.get('set-cookie');
  assert.match(cookie, /^cw_age_gate=refused; Max-Age=3600; Path=\/api\/age-gate; HttpOnly; SameSite=Strict$/);
  // Back button, another date: still refused while the marker lives.
  const retry = await api('/api/age-gate', {
    method: 'POST',
    body: { birthDate: birthDate(40) },
    cookie: cookie.split(';')[0],
  });
  assert.equal(retry.status, 403);
  const sixteen = await api('/api/age-gate', { method: 'POST', body: { birthDate: birthDate(16) } });
  assert.equal(sixteen.status, 200);
  const { pass, policyVersion } = await sixteen.json();
  assert.equal(typeof policyVersion, 'string');
  // The pass is a random nonce, the time the gate was passed, the policy version and a signature:
  // nothing in it derives from the date (a search for the year's digits alone would also find
  // them, now and then, in the random hex).
  const fields = pass.split('.');
  assert.equal(fields.length, 5, pass);
  const [version, nonce, passedAt, policy, signature] = fields;
  assert.equal(version, 'ag2');
  assert.match(nonce, /^[0-9a-f]{16,}$/);
  assert.ok(Math.abs(Number(passedAt) - Date.now() / 1000) < 120, 'the time in the pass is when it was made');
  assert.equal(policy, policyVersion);
  assert.match(signature, /^[0-9a-f]{64}$/);
  const born = birthDate(16);
  for (const spelling of [born, born.replaceAll('-', ''), String(Date.parse(born) / 1000)])
    assert.ok(!pass.includes(spelling), `the pass holds the birth date (${spelling})`);
  for (const body of [{ birthDate: '2010-02-30' }, { birthDate: birthDate(0, -1) }, {}, { birthDate: 20100101 }]) {
    const res = await api('/api/age-gate', { method: 'POST', body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((await res.json()).error, 'invalid-birth-date');
  }
  const extra = await api('/api/age-gate', { method: 'POST', body: { birthDate: birthDate(30), name: 'x' } });
  assert.deepEqual(await extra.json(), { error: 'unknown-field', field: 'name' });
});

test('sign-up, correction, export and deletion of one account', async () => {
  const ada = await auth.signUp('ada@example.test', 'correct horse 1');
  const bob = await auth.signUp('bob@example.test', 'correct horse 2');
  const pass = await agePass(30);

  // No profile without a pass of ours.
  const forged = await api('/api/me', {
    token: ada.idToken,
    method: 'POST',
    body: { name: 'Ada', username: 'ada', agePass: 'ag1.1.2026-12.00' },
  });
  assert.equal(forged.status, 403);
  assert.deepEqual(await forged.json(), { error: 'age-gate-required' });
  const planned = await api('/api/me', {
    token: ada.idToken,
    method: 'POST',
    body: { name: 'Ada', username: 'ada', agePass: pass, plan: 'pro' },
  });
  assert.deepEqual(await planned.json(), { error: 'unknown-field', field: 'plan' });

  const made = await api('/api/me', {
    token: ada.idToken,
    method: 'POST',
    body: { name: ' Ada Lovelace ', username: 'Ada', company: 'Analytical', agePass: pass },
  });
  assert.equal(made.status, 201);
  const profile = await made.json();
  assert.equal(profile.name, 'Ada Lovelace');
  assert.equal(profile.email, 'ada@example.test');
  assert.equal(profile.plan, 'free');
  assert.ok(Math.abs(profile.ageGateAt - Date.now() / 1000) < 120);
  const again = await api('/api/me', {
    token: ada.idToken,
    method: 'POST',
    body: { name: 'Ada', username: 'ada2', agePass: await agePass(30) },
  });
  assert.deepEqual(await again.json(), { error: 'profile-exists' });
  // One pass, one profile: Ada's pass does not make Bob's.
  const reused = await api('/api/me', {
    token: bob.idToken,
    method: 'POST',
    body: { name: 'Bob', username: 'bob', agePass: pass },
  });
  assert.equal(reused.status, 403);
  assert.deepEqual(await reused.json(), { error: 'age-gate-required' });

  // Usernames are unique whatever the letter case.
  const bobMade = await api('/api/me', {
    token: bob.idToken,
    method: 'POST',
    body: { name: 'Bob', username: 'aDA', agePass: await agePass(20) },
  });
  assert.equal(bobMade.status, 409);
  assert.deepEqual(await bobMade.json(), { error: 'username-taken', field: 'username' });

  const edited = await api('/api/me', { token: ada.idToken, method: 'PUT', body: { company: '', name: 'Ada L.' } });
  assert.equal(edited.status, 200);
  assert.deepEqual((({ name, company }) => ({ name, company }))(await edited.json()), { name: 'Ada L.', company: '' });
  for (const [body, field] of [
    [{ email: 'x@y.test' }, 'email'],
    [{ plan: 'pro' }, 'plan'],
    [{ uid: 'other' }, 'uid'],
  ]) {
    const res = await api('/api/me', { token: ada.idToken, method: 'PUT', body });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'unknown-field', field });
  }
  const badName = await api('/api/me', { token: ada.idToken, method: 'PUT', body: { username: 'a d a' } });
  assert.deepEqual(await badName.json(), { error: 'invalid-field', field: 'username' });

  // A verified new email reaches the profile on the next request.
  await auth.sendVerification(ada.idToken);
  await auth.verifyEmail('ada@example.test');
  const fresh = await auth.signIn('ada@example.test', 'correct horse 1');

  const exported = await api('/api/me/export', { token: fresh.idToken });
  assert.equal(exported.status, 200);
  assert.match(exported.headers.get('content-disposition'), /attachment; filename="cieloweb-account.json"/);
  const document = await exported.json();
  assert.equal(document.profile.username, 'Ada');
  assert.equal(document.profile.name, 'Ada L.');
  for (const field of Object.keys(document.profile)) assert.ok(document.fieldPurposes[field], field);
  assert.equal(document.firebase.email, 'ada@example.test');
  assert.equal(document.firebase.emailVerified, true);
  assert.equal(document.firebase.localId, ada.localId);
  const text = JSON.stringify(document);
  assert.doesNotMatch(text, /passwordHash|salt|correct horse/);
  assert.equal(document.consent.storedByUs, false);

  // Deletion needs a recent sign-in.
  const stale = await api('/api/me', {
    token: withAuthTime(fresh.idToken, Math.floor(Date.now() / 1000) - 3600),
    method: 'DELETE',
  });
  assert.equal(stale.status, 403);
  assert.deepEqual(await stale.json(), { error: 'recent-sign-in-required' });

  const deleted = await api('/api/me', { token: fresh.idToken, method: 'DELETE' });
  assert.equal(deleted.status, 200);
  assert.deepEqual(await deleted.json(), { deleted: true, firebaseUser: 'deleted' });
  await assert.rejects(
    auth.lookup(bob.idToken).then(() => auth.lookup(fresh.idToken)),
    /USER_NOT_FOUND|found 0/,
  );
  for (const token of [fresh.idToken, ada.idToken]) {
    const res = await api('/api/me', { token });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: 'account-deleted' });
  }
  // No row left, and no bytes of it in the database or its log (SQLite: secure_delete, then a
  // checkpoint). PostgreSQL has no secure_delete: what it holds is checked as a dump, which is what
  // a backup would carry (docs/accounts.md says where else the bytes stay, and for how long).
  const bytes = profiles.contents();
  for (const gone of ['ada@example.test', 'Ada L.', 'Analytical', 'Ada Lovelace']) {
    assert.ok(!bytes.includes(gone), `the database files still hold ${gone}`);
  }
  assert.ok(bytes.includes(ada.localId), 'the deletion ledger holds the uid');

  // The database server's log too (PostgreSQL's): a refused username must not be quoted there.
  const logs = `${server.logs.join('\n')}\n${profiles.log()}`;
  for (const secret of ['ada@example.test', 'Ada L.', 'Analytical', fresh.idToken.split('.')[1], birthDate(30)]) {
    assert.ok(!logs.includes(secret), `the logs hold ${secret.slice(0, 20)}`);
  }
});

// Fills `room` with anonymous peers until the server says it is full; @return how many got in.
async function fill(room) {
  const peers = [];
  for (;;) {
    const peer = await Client.open(server);
    peer.send({ type: 'join', room, name: `p${peers.length}` });
    const answer = await peer.next();
    peers.push(peer);
    if (answer.type !== 'joined') {
      assert.equal(answer.code, 'room-full');
      for (const p of peers) p.close();
      return peers.length - 1;
    }
  }
}

test('signaling sign-in: the plan sets the capacity of the rooms a person creates; deletion closes their sockets', async () => {
  const cleo = await auth.signUp('cleo@example.test', 'correct horse 3');
  const made = await api('/api/me', {
    token: cleo.idToken,
    method: 'POST',
    body: { name: 'Cleo', username: 'cleo', agePass: await agePass(25) },
  });
  assert.equal(made.status, 201);

  const creator = await Client.open(server);
  creator.send({ type: 'sign-in', token: 'not-a-token' });
  assert.equal((await creator.expect('error')).code, 'invalid-token');
  creator.send({ type: 'sign-in', token: cleo.idToken });
  assert.deepEqual((({ plan, roomCapacity }) => ({ plan, roomCapacity }))(await creator.expect('signed-in')), {
    plan: 'free',
    roomCapacity: 2,
  });
  const freeRoom = await createRoom(creator);
  assert.equal(await fill(freeRoom), 2);

  // The operator makes Cleo pro: her next sign-in, and the rooms she creates then, are pro.
  const setPlan = spawnSync(serverBin, ['admin', 'set-plan', cleo.localId, 'pro', ...profiles.args], {
    encoding: 'utf8',
  });
  assert.equal(setPlan.status, 0, setPlan.stderr);
  creator.send({ type: 'sign-in', token: cleo.idToken });
  assert.equal((await creator.expect('signed-in')).plan, 'pro');
  const proRoom = await createRoom(creator);
  const inside = await join(creator, proRoom, 'Cleo');
  assert.equal(inside.capacity, 3);
  // A free person in the pro person's room: the room keeps its creator's capacity, and the free
  // person's own rooms keep theirs.
  const dan = await auth.signUp('dan@example.test', 'correct horse 4');
  const danMade = await api('/api/me', {
    token: dan.idToken,
    method: 'POST',
    body: { name: 'Dan', username: 'dan', agePass: await agePass(40) },
  });
  assert.equal(danMade.status, 201);
  const guest = await Client.open(server);
  guest.send({ type: 'sign-in', token: dan.idToken });
  assert.equal((await guest.expect('signed-in')).plan, 'free');
  const both = await join(guest, proRoom, 'Dan');
  assert.equal(both.capacity, 3);
  assert.deepEqual(
    both.peers.map((p) => p.name),
    ['Cleo'],
  );
  assert.equal((await creator.expect('peer-joined')).peer.name, 'Dan');
  guest.send({ type: 'leave' });
  await guest.expect('left');
  assert.equal(await fill(await createRoom(guest)), 2);
  guest.close();
  assert.equal((await creator.expect('peer-left')).type, 'peer-left');

  // Cleo deletes her account: her signaling connection is closed at once.
  const deleted = await api('/api/me', { token: cleo.idToken, method: 'DELETE' });
  assert.equal(deleted.status, 200);
  const closed = await creator.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'account deleted');
  // And her token signs no connection in again.
  const later = await Client.open(server);
  later.send({ type: 'sign-in', token: cleo.idToken });
  assert.equal((await later.expect('error')).code, 'invalid-token');
  later.close();
});

test('signaling sign-in on a server without accounts: accounts-off, the connection lives on', async () => {
  const plain = await startServer();
  try {
    const client = await Client.open(plain);
    client.send({ type: 'sign-in', token: 'a.b.c' });
    assert.equal((await client.expect('error')).code, 'accounts-off');
    const room = await createRoom(client);
    assert.equal((await join(client, room, 'Ann')).capacity, 8);
    client.close();
  } finally {
    await plain.stop();
  }
});
