// What only the PostgreSQL profile store has to get right, on a PostgreSQL of this file's own (it is
// stopped and restarted here): a restart of the database under a running server costs a 503 while
// it is down and nothing after; nodes starting together on an empty database migrate it once; a
// database from a newer server is refused. The account tests themselves run on PostgreSQL too
// (server_accounts_postgres in tests/suites.cmake).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startPostgres } from '../support/postgres.mjs';
import { serverBin, startServer } from './harness.mjs';

const project = 'demo-cieloweb';
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
// The Auth emulator's tokens are unsigned: the server takes them for a demo- project.
function emulatorToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: `https://securetoken.google.com/${project}`,
    aud: project,
    sub,
    email: `${sub}@example.test`,
    auth_time: now - 60,
    iat: now - 60,
    exp: now + 3600,
  };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

let pg;
let dir;
before(async () => {
  pg = await startPostgres({ own: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-postgres-'));
});
after(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const serverArgs = (database) => [
  '--firebase-project',
  project,
  '--firebase-emulator',
  '127.0.0.1:9099',
  '--postgres',
  pg.url(database),
  '--deletion-journal',
  path.join(dir, `${database}.deleted-uids`),
];

test('PostgreSQL restarted under a running server: 503 while it is down, answers again once it is back', async () => {
  const database = await pg.createDatabase();
  const server = await startServer(serverArgs(database));
  try {
    const me = (sub) => fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${emulatorToken(sub)}` } });
    // Two people at once, so the server most likely holds both of its connections when the
    // database goes away.
    const before = await Promise.all([me('uid-ann'), me('uid-ben')]);
    assert.deepEqual(
      before.map((r) => r.status),
      [404, 404],
    );
    await pg.halt();
    const down = await me('uid-cas');
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { error: 'try-again-later' });
    await pg.restart();
    // Every connection the server held died with the old server process: each is replaced
    // without a person seeing an error.
    for (const sub of ['uid-ann', 'uid-ben', 'uid-cas', 'uid-dee']) {
      const res = await me(sub);
      assert.equal(res.status, 404, `${sub} after the restart`);
      assert.deepEqual(await res.json(), { error: 'no-profile' });
    }
    const logs = server.logs.join('\n');
    assert.match(logs, /profile-store-unavailable/);
    assert.ok(!logs.includes('@example.test'), 'an email reached the log');
  } finally {
    await server.stop();
  }
});

test('two nodes starting together on an empty database: one migrates, both serve', async () => {
  const database = await pg.createDatabase();
  const servers = await Promise.all([startServer(serverArgs(database)), startServer(serverArgs(database))]);
  try {
    for (const server of servers) {
      const res = await fetch(`${server.url}/api/me`, {
        headers: { authorization: `Bearer ${emulatorToken('uid-eve')}` },
      });
      assert.equal(res.status, 404);
    }
    assert.equal(pg.psql(database, 'SELECT version FROM profile_schema_version').trim(), '1');
    assert.equal(
      pg.psql(database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('profiles', 'deleted_uids')").trim(),
      '2',
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});

test('a database a newer server has migrated: refused at start, and left as it was', async () => {
  const database = await pg.createDatabase();
  const first = await startServer(serverArgs(database));
  await first.stop();
  pg.psql(database, 'UPDATE profile_schema_version SET version = 99');
  const refused = spawnSync(serverBin, ['--port', '0', ...serverArgs(database)], { encoding: 'utf8', timeout: 10000 });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /profile database \(PostgreSQL\): made by a newer server \(schema version 99\)/);
  assert.equal(pg.psql(database, 'SELECT version FROM profile_schema_version').trim(), '99');
});
