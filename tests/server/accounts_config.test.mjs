// The real binary refuses to start when accounts are configured unsafely: the Auth emulator's
// unsigned tokens with a project that could be real would let anyone sign in as anyone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { profilesKind, serverBin, unopenableProfiles } from './harness.mjs';

const run = (args) => spawnSync(serverBin, ['--port', '0', ...args], { encoding: 'utf8', timeout: 10000 });

test('the emulator with a real project id: the server does not start, and says why', () => {
  const result = run(['--firebase-project', 'cieloweb-prod', '--firebase-emulator', '127.0.0.1:9099']);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /--firebase-emulator needs a demo- project/);
});

test('the same through the environment', () => {
  const result = spawnSync(serverBin, ['--port', '0'], {
    encoding: 'utf8',
    timeout: 10000,
    env: { ...process.env, CIELO_FIREBASE_PROJECT: 'cieloweb-prod', CIELO_FIREBASE_EMULATOR: '127.0.0.1:9099' },
  });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /demo- project/);
});

test('certificates fetched over plain http from another host: refused at start', () => {
  const result = run(['--firebase-project', 'cieloweb-prod', '--firebase-certs-url', 'http://evil.example/certs']);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /--firebase-certs-url/);
});

test('a real project without its web API key: the server does not start (its sign-in pages could not work)', async () => {
  // The store is never opened: ':memory:' makes no file, and on PostgreSQL a database that does not
  // exist would show as another error, had the key not been asked for first.
  const store = profilesKind === 'postgres' ? await unopenableProfiles() : ['--profiles-db', ':memory:'];
  const result = run(['--firebase-project', 'cieloweb-prod', ...store]);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /--firebase-api-key is needed/);
});
