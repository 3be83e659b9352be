// The shared Auth emulator helper (tests/support/auth_emulator.mjs) against the real emulator: what
// the account tests build on must itself be right. Runs in the server_accounts suite
// (tests/suites.cmake), which starts one emulator for every file of it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAuthEmulator } from '../support/auth_emulator.mjs';

let auth;
before(async () => {
  auth = await startAuthEmulator();
});
after(async () => {
  await auth?.stop();
});

const claimsOf = (idToken) => JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());

test('sign-up, verification through the oobCodes endpoint, sign-in, lookup, wipe', async () => {
  assert.equal(auth.project, 'demo-cieloweb');
  assert.equal(auth.origin, `http://127.0.0.1:${auth.port}`);
  assert.deepEqual(auth.serverArgs, ['--firebase-project', 'demo-cieloweb', '--firebase-emulator', auth.hostPort]);

  const ada = await auth.signUp('ada@example.test', 'correct horse 1');
  assert.match(ada.localId, /^\w{10,128}$/);
  const claims = claimsOf(ada.idToken);
  // The emulator's tokens carry production's claims (and are unsigned): what the server checks.
  assert.equal(claims.iss, 'https://securetoken.google.com/demo-cieloweb');
  assert.equal(claims.aud, 'demo-cieloweb');
  assert.equal(claims.sub, ada.localId);
  assert.equal(claims.email, 'ada@example.test');
  assert.equal(claims.email_verified, false);
  assert.equal((await auth.lookup(ada.idToken)).emailVerified, false);

  // No verification email asked for: there is nothing to apply.
  await assert.rejects(auth.verifyEmail('ada@example.test'), /no verification email was sent/);
  await auth.sendVerification(ada.idToken);
  const codes = await auth.oobCodes();
  assert.equal(codes.length, 1);
  assert.equal(codes[0].email, 'ada@example.test');
  assert.equal(codes[0].requestType, 'VERIFY_EMAIL');
  const applied = await auth.verifyEmail('ada@example.test');
  assert.equal(applied.emailVerified, true);
  assert.equal((await auth.lookup(ada.idToken)).emailVerified, true);

  const again = await auth.signIn('ada@example.test', 'correct horse 1');
  assert.equal(again.localId, ada.localId);
  assert.equal(claimsOf(again.idToken).email_verified, true);
  await assert.rejects(auth.signIn('ada@example.test', 'wrong'), (e) => e.code === 'INVALID_PASSWORD');
  await assert.rejects(auth.signUp('ada@example.test', 'other pass 2'), (e) => e.code === 'EMAIL_EXISTS');

  const bob = await auth.signUp('bob@example.test', 'correct horse 2');
  const listed = await auth.accounts();
  assert.deepEqual(listed.map((u) => u.email).sort(), ['ada@example.test', 'bob@example.test']);
  assert.deepEqual(listed.map((u) => u.localId).sort(), [ada.localId, bob.localId].sort());

  await auth.wipe();
  assert.deepEqual(await auth.accounts(), []);
  assert.deepEqual(await auth.oobCodes(), []);
  await assert.rejects(auth.lookup(ada.idToken), (e) => e.code === 'USER_NOT_FOUND');
  await assert.rejects(auth.signIn('ada@example.test', 'correct horse 1'), (e) => e.code === 'EMAIL_NOT_FOUND');
});

test('stop() ends the whole process group and the port; a second stop() is harmless', async () => {
  await auth.signUp('carol@example.test', 'correct horse 3');
  if (auth.shared) {
    // The suite runner owns the emulator and stops it itself, through the same stop(): there, a
    // process that outlives it fails the suite (with_auth_emulator.mjs). A test's stop() wipes.
    await auth.stop();
    assert.deepEqual(await auth.accounts(), []);
    return;
  }
  const { pid } = auth;
  process.kill(-pid, 0); // throws ESRCH if the group were gone already
  await auth.stop();
  assert.throws(() => process.kill(-pid, 0), { code: 'ESRCH' });
  await assert.rejects(fetch(`${auth.origin}/`, { signal: AbortSignal.timeout(2000) }));
  await auth.stop();
});
