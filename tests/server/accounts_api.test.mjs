// /api/me on the real binary, in emulator mode (the Auth emulator's tokens are unsigned, so the
// test makes them itself): who may ask, what a refusal says, and that a deletion by the operator
// refuses the person's token at once. Signed tokens are covered by server/tests/id_token_test.cpp.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { serverBin, startServer, testProfiles, unopenableProfiles } from './harness.mjs';

const project = 'demo-cieloweb';
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function emulatorToken(claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: `https://securetoken.google.com/${project}`,
    aud: project,
    sub: 'uid-ada',
    email: 'ada@example.test',
    auth_time: now - 60,
    iat: now - 60,
    exp: now + 3600,
    ...claims,
  };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

test('/api/me: sign-in required, bad tokens refused, a deleted account refused at once, nothing logged', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-accounts-'));
  const profiles = await testProfiles(dir);
  const server = await startServer([
    '--firebase-project',
    project,
    '--firebase-emulator',
    '127.0.0.1:9099',
    ...profiles.args,
  ]);
  try {
    const me = (token) =>
      fetch(`${server.url}/api/me`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    const anonymous = await me();
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(await anonymous.json(), { error: 'sign-in-required' });
    assert.equal(anonymous.headers.get('cache-control'), 'no-store');

    for (const bad of ['garbage', emulatorToken({ aud: 'demo-other' }), emulatorToken({ exp: 1000 })]) {
      const res = await me(bad);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'invalid-token' });
    }
    const token = emulatorToken();
    const signedIn = await me(token);
    assert.equal(signedIn.status, 404); // signed in with Firebase, no profile here yet
    assert.deepEqual(await signedIn.json(), { error: 'no-profile' });

    const patch = await fetch(`${server.url}/api/me`, { method: 'PATCH' });
    assert.equal(patch.status, 405);
    assert.equal(patch.headers.get('allow'), 'GET, POST, PUT, DELETE');

    // The operator deletes the account while the server runs: the same token is refused now.
    const deleted = spawnSync(serverBin, ['admin', 'delete-user', 'uid-ada', ...profiles.args], {
      encoding: 'utf8',
    });
    assert.equal(deleted.status, 0, deleted.stderr);
    const after = await me(token);
    assert.equal(after.status, 403);
    assert.deepEqual(await after.json(), { error: 'account-deleted' });

    const logs = server.logs.join('\n');
    assert.doesNotMatch(logs, /ada@example/);
    assert.ok(!logs.includes(token.split('.')[1]), 'a token appeared in the logs');
    assert.match(logs, /token-refused/); // the reason is logged, by name
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/api/me without accounts configured: 404 accounts-off, and no profiles file is made', async () => {
  const server = await startServer();
  try {
    const res = await fetch(`${server.url}/api/me`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'accounts-off' });
  } finally {
    await server.stop();
  }
});

test('a profiles database that cannot be opened stops the start, with the reason', async () => {
  const result = spawnSync(
    serverBin,
    [
      '--port',
      '0',
      '--firebase-project',
      project,
      '--firebase-emulator',
      '127.0.0.1:9099',
      ...(await unopenableProfiles('/nonexistent/dir/p.db')),
    ],
    { encoding: 'utf8', timeout: 10000 },
  );
  assert.equal(result.status, 1);
  assert.match(result.stderr, /profile database/);
});
