// A real PostgreSQL (Debian's postgresql-15) for the tests: `startPostgres()` makes a fresh cluster
// in a temp folder with initdb, runs it on a free loopback port (and a unix socket in that folder),
// waits until it takes connections, and stop() ends it and removes the folder. No systemd, no
// cluster of the machine's: its own data folder, its own port, trust authentication on loopback
// only. PostgreSQL refuses to run as root, so under root (CI) initdb and postgres run as the
// `postgres` system user, in a folder handed to it.
//
// A suite of several files shares one: tests/support/with_postgres.mjs runs a command with
// CIELO_TEST_POSTGRES set, and startPostgres() then attaches to that one (its stop() does nothing).
//
// API:
//   const pg = await startPostgres();
//   pg.port, pg.socketDir
//   pg.url(database)            -> 'postgresql://postgres@127.0.0.1:PORT/<database>'
//   await pg.createDatabase()   -> the name of a new, empty database
//   pg.psql(database, sql)      -> psql's output (-At: unaligned, tuples only); throws on an error
//   pg.dump(database)           -> pg_dump's plain SQL: everything the database holds
//   pg.log()                    -> the server's log so far
//   await pg.stop()
// startPostgres({ own: true }) starts one even under a suite's, with two more calls:
//   await pg.halt()             -> PostgreSQL stopped (fast shutdown), data kept
//   await pg.restart()          -> stopped if running, started again on the same port and data
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.mjs';

export const sharedPostgresVariable = 'CIELO_TEST_POSTGRES';
const host = '127.0.0.1';
const superuser = 'postgres';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The newest PostgreSQL under /usr/lib/postgresql (Debian's layout), or CIELO_PG_BIN.
function binDir() {
  if (process.env.CIELO_PG_BIN) return process.env.CIELO_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}: scripts/setup.sh installs postgresql-15`);
  return path.join(root, versions[0], 'bin');
}

// Commands that must not run as root run as `postgres`; setpriv execs (no child in between), so a
// signal to the pid we hold reaches PostgreSQL itself.
function asServerUser(command) {
  if (process.getuid?.() !== 0) return command;
  return ['setpriv', `--reuid=${superuser}`, `--regid=${superuser}`, '--init-groups', '--', ...command];
}

function serverUserIds() {
  const ids = (flag) => Number(spawnSync('id', [flag, superuser], { encoding: 'utf8' }).stdout.trim());
  const uid = ids('-u');
  const gid = ids('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
    throw new Error(`no '${superuser}' system user (postgresql-15 makes it)`);
  return { uid, gid };
}

function handle({ bin, port, socketDir, logFile }, extra) {
  const client = (tool, args, input) => {
    const result = spawnSync(path.join(bin, tool), ['-h', host, '-p', String(port), '-U', superuser, ...args], {
      encoding: 'utf8',
      input,
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${result.stderr || result.error}`);
    return result.stdout;
  };
  let databases = 0;
  return {
    port,
    socketDir,
    url: (database) => `postgresql://${superuser}@${host}:${port}/${database}`,
    async createDatabase() {
      const name = `cielo_${process.pid}_${++databases}`;
      client('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-c', `CREATE DATABASE ${name}`]);
      return name;
    },
    psql: (database, sql) => client('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql]),
    dump: (database) => client('pg_dump', ['--no-owner', database]),
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    ...extra,
  };
}

function attachShared() {
  const shared = process.env[sharedPostgresVariable];
  if (!shared) return null;
  const settings = JSON.parse(shared);
  return handle(settings, { shared: true, stop: async () => {} });
}

// A fresh cluster in a new temp folder, owned by the server's user. @return its folders.
function makeCluster(bin) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-postgres-'));
  const data = path.join(dir, 'data');
  try {
    if (process.getuid?.() === 0) {
      const { uid, gid } = serverUserIds();
      chownSync(dir, uid, gid);
    }
    const initdb = asServerUser([
      path.join(bin, 'initdb'),
      ...['-D', data, '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
    ]);
    const made = spawnSync(initdb[0], initdb.slice(1), { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`initdb failed: ${made.stderr || made.error}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, data, logFile: path.join(dir, 'postgres.log') };
}

// `restart()` (own servers only) stops PostgreSQL and starts it again on the same port and data,
// as an operator's restart would: what clients held is gone, what was committed is kept.
export async function startPostgres({ readyTimeoutMs = 30000, own = false } = {}) {
  const shared = own ? null : attachShared();
  if (shared) return shared;
  const bin = binDir();
  const { dir, data, logFile } = makeCluster(bin);
  const port = await freePort();
  // A throwaway cluster: durability off, small memory, every message to one log file the tests
  // can read (logs must hold no personal data, the database's included).
  const command = asServerUser([
    path.join(bin, 'postgres'),
    ...['-D', data, '-p', String(port), '-h', host, '-k', dir],
    ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ...['-c', 'shared_buffers=16MB', '-c', 'max_connections=60'],
  ]);
  let server = null; // { proc, exited, spawnError }
  const launch = () => {
    const log = openSync(logFile, 'a');
    const proc = spawn(command[0], command.slice(1), { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    // Not a reason for this process to live on: it ends with stop(), or with the process (below).
    proc.unref();
    server = { proc, exited: new Promise((resolve) => proc.on('exit', resolve)), spawnError: null };
    proc.on('error', (error) => {
      server.spawnError = error;
    });
  };
  const running = () =>
    server.proc.pid !== undefined && server.proc.exitCode === null && server.proc.signalCode === null;
  const signal = (name) => {
    if (!running()) return; // never a signal to a pid that may have been reused
    try {
      process.kill(server.proc.pid, name);
    } catch {
      /* gone already */
    }
  };
  const halt = async () => {
    if (!running()) return;
    signal('SIGINT'); // fast shutdown: ends sessions, then the server
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), 10000);
    });
    const gone = await Promise.race([server.exited.then(() => true), late]);
    clearTimeout(timer); // a pending timer would hold this process for its whole length
    if (!gone) signal('SIGKILL');
    await server.exited;
  };
  // Should this process end without stop() (a crashed test), PostgreSQL goes with it.
  const onExit = () => {
    signal('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', onExit);
      await halt();
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const settings = { bin, port, socketDir: dir, logFile };
  const pg = handle(settings, { shared: false, settings, stop });
  const ready = async () => {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const probe = spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', host, '-p', String(port), '-U', superuser]);
      if (probe.status === 0) return;
      const failure = server.spawnError
        ? `could not be started: ${server.spawnError.message}`
        : !running()
          ? `exited (${server.proc.exitCode ?? server.proc.signalCode}) before taking connections`
          : Date.now() > deadline
            ? `took no connections within ${readyTimeoutMs / 1000} s`
            : null;
      if (failure) {
        const output = pg.log();
        await stop();
        throw new Error(`PostgreSQL on ${host}:${port} ${failure}; its log ends:\n${output.slice(-2000)}`);
      }
      await sleep(100);
    }
  };
  pg.halt = halt;
  pg.restart = async () => {
    await halt();
    launch();
    await ready();
  };
  launch();
  await ready();
  return pg;
}
