// `cieloweb-server admin` as an operator runs it: against a real profiles file, with clear exit
// codes, and nothing else started (no port is opened).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { serverBin, startServer, testProfiles, unopenableProfiles } from './harness.mjs';

test('admin: delete-user puts the uid in the ledger; unknown people and bad words are refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-admin-'));
  try {
    const profiles = await testProfiles(dir);
    const admin = (...words) => spawnSync(serverBin, ['admin', ...words, ...profiles.args], { encoding: 'utf8' });
    // A mistyped path must not act on a new empty database: the file must exist (in PostgreSQL,
    // the server's tables: a database it never set up is refused too).
    const missingDb = admin('delete-user', 'uid-kid');
    assert.equal(missingDb.status, 1);
    assert.match(missingDb.stderr, /profile database/);
    // The server makes the database; the operator then works on it.
    const server = await startServer([
      '--firebase-project',
      'demo-cieloweb',
      '--firebase-emulator',
      '127.0.0.1:9099',
      ...profiles.args,
    ]);
    await server.stop();
    const deleted = admin('delete-user', 'uid-kid');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.match(deleted.stdout, /uid-kid deleted/);
    const missing = admin('set-plan', 'nobody@example.test', 'pro');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /not_found/);
    assert.doesNotMatch(missing.stderr + missing.stdout, /nobody@example/);
    const usage = admin('set-plan', 'uid-kid', 'gold');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: cieloweb-server admin/);
    const nowhere = spawnSync(
      serverBin,
      ['admin', 'delete-user', 'x', ...(await unopenableProfiles(path.join(dir, 'no/such/dir.db')))],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(nowhere.status, 1);
    assert.match(nowhere.stderr, /profile database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
