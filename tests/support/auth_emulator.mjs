// The Firebase Auth emulator (tools/auth-emulator: firebase-tools, installed by scripts/setup.sh)
// for the tests: `startAuthEmulator()` runs one on free loopback ports with a config of its own and
// answers once it serves; the handle drives it over its REST API the way the web SDK and the
// Admin SDK do. Startup costs 12-24 s of CPU (the emulator compiles its API schema), so a suite
// with several files starts one for all of them: tests/support/with_auth_emulator.mjs runs a
// command with CIELO_TEST_AUTH_EMULATOR set, and startAuthEmulator() then attaches to that one.
//
// API (kept stable: the server, page and browser tests share it):
//   const auth = await startAuthEmulator({ project = 'demo-cieloweb' });
//   auth.host, auth.port, auth.origin ('http://127.0.0.1:PORT'), auth.project,
//   auth.hostPort ('127.0.0.1:PORT'), auth.serverArgs (the server's --firebase-* flags for it)
//   await auth.signUp(email, password)   -> { idToken, localId, refreshToken, email }
//   await auth.signIn(email, password)   -> the same
//   await auth.sendVerification(idToken) -> asks for a verification email, as the SDK does
//   await auth.oobCodes()                -> [{ email, requestType, oobCode, oobLink }]
//   await auth.verifyEmail(email)        -> applies the latest VERIFY_EMAIL code sent to email
//   await auth.lookup(idToken)           -> the account as Firebase holds it (emailVerified, ...)
//   await auth.accounts()                -> every account (admin API)
//   await auth.wipe()                    -> no accounts, no codes
//   await auth.stop()                    -> the emulator and every process it started are gone
// A refused call throws an Error whose `code` is the emulator's reason (EMAIL_EXISTS,
// INVALID_PASSWORD, USER_NOT_FOUND, ...).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const firebaseCli = path.join(repoRoot, 'tools/auth-emulator/node_modules/firebase-tools/lib/bin/firebase.js');
const host = '127.0.0.1';
export const defaultProject = 'demo-cieloweb';
// Set by with_auth_emulator.mjs: "host:port project" of an emulator shared by a whole suite.
export const sharedEmulatorVariable = 'CIELO_TEST_AUTH_EMULATOR';

// `count` distinct free ports, all held at once while chosen so that none repeats.
async function freePorts(count) {
  const probes = [];
  for (let i = 0; i < count; i++) {
    const probe = net.createServer();
    await new Promise((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, host, resolve);
    });
    probes.push(probe);
  }
  const ports = probes.map((p) => p.address().port);
  await Promise.all(probes.map((p) => new Promise((resolve) => p.close(resolve))));
  return ports;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The emulator's root answers {"authEmulator": {"ready": true}} once every route is mounted.
async function answers(origin) {
  try {
    const res = await fetch(`${origin}/`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return false;
    return (await res.json())?.authEmulator?.ready === true;
  } catch {
    return false;
  }
}

function client(origin, project) {
  const v1 = `${origin}/identitytoolkit.googleapis.com/v1`;
  async function call(method, url, body, { admin = false } = {}) {
    const headers = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (admin) headers.authorization = 'Bearer owner'; // the emulator's admin credential
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    const data = text === '' ? {} : JSON.parse(text);
    if (!res.ok) {
      const reason = data?.error?.message ?? `HTTP ${res.status}`;
      const error = new Error(`auth emulator ${method} ${new URL(url).pathname}: ${reason}`);
      error.code = reason;
      error.status = res.status;
      throw error;
    }
    return data;
  }
  const session = ({ idToken, localId, refreshToken, email }) => ({ idToken, localId, refreshToken, email });
  const api = {
    async signUp(email, password) {
      return session(await call('POST', `${v1}/accounts:signUp?key=any`, { email, password, returnSecureToken: true }));
    },
    async signIn(email, password) {
      const body = { email, password, returnSecureToken: true };
      return session(await call('POST', `${v1}/accounts:signInWithPassword?key=any`, body));
    },
    async sendVerification(idToken) {
      await call('POST', `${v1}/accounts:sendOobCode?key=any`, { requestType: 'VERIFY_EMAIL', idToken });
    },
    async oobCodes() {
      return (await call('GET', `${origin}/emulator/v1/projects/${project}/oobCodes`)).oobCodes ?? [];
    },
    // Only a code that was really sent: a page that never asked for verification fails here.
    async verifyEmail(email) {
      const codes = (await api.oobCodes()).filter((c) => c.requestType === 'VERIFY_EMAIL' && c.email === email);
      if (codes.length === 0) throw new Error(`auth emulator: no verification email was sent to ${email}`);
      return call('POST', `${v1}/accounts:update?key=any`, { oobCode: codes.at(-1).oobCode });
    },
    async lookup(idToken) {
      const users = (await call('POST', `${v1}/accounts:lookup?key=any`, { idToken })).users ?? [];
      if (users.length !== 1) throw new Error(`auth emulator: lookup found ${users.length} accounts`);
      return users[0];
    },
    async accounts() {
      const all = [];
      let pageToken = '';
      do {
        const query = `maxResults=500${pageToken ? `&nextPageToken=${encodeURIComponent(pageToken)}` : ''}`;
        const page = await call('GET', `${v1}/projects/${project}/accounts:batchGet?${query}`, undefined, {
          admin: true,
        });
        all.push(...(page.users ?? []));
        pageToken = page.nextPageToken ?? '';
      } while (pageToken);
      return all;
    },
    async wipe() {
      await call('DELETE', `${origin}/emulator/v1/projects/${project}/accounts`);
    },
  };
  return api;
}

function handle(port, project, extra) {
  const origin = `http://${host}:${port}`;
  return {
    host,
    port,
    origin,
    project,
    hostPort: `${host}:${port}`,
    serverArgs: ['--firebase-project', project, '--firebase-emulator', `${host}:${port}`],
    ...client(origin, project),
    ...extra,
  };
}

// An emulator a suite runner started for every file of the suite: wiped on attach and on stop,
// never stopped by a test.
async function attachShared(project) {
  const [hostPort, sharedProject] = (process.env[sharedEmulatorVariable] ?? '').split(' ');
  if (!hostPort || sharedProject !== project) return null;
  const port = Number(hostPort.split(':')[1]);
  if (!(await answers(`http://${host}:${port}`)))
    throw new Error(`${sharedEmulatorVariable}=${hostPort}: no Auth emulator answers there`);
  const auth = handle(port, project, { shared: true });
  await auth.wipe();
  auth.stop = () => auth.wipe();
  return auth;
}

export async function startAuthEmulator({ project = defaultProject, readyTimeoutMs = 90000 } = {}) {
  const shared = await attachShared(project);
  if (shared) return shared;
  if (!existsSync(firebaseCli)) throw new Error(`missing ${firebaseCli}: run scripts/setup.sh`);

  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-auth-emulator-'));
  const [port, hubPort, loggingPort] = await freePorts(3);
  const config = path.join(dir, 'firebase.json');
  writeFileSync(
    config,
    JSON.stringify({
      emulators: {
        auth: { host, port },
        hub: { host, port: hubPort },
        logging: { host, port: loggingPort },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    }),
  );
  // Its own process group (killed whole by stop()) and its own temp dir: the CLI keeps a hub
  // locator file per project in the temp dir, which another emulator of the same project (make
  // run's) must not share.
  const env = { ...process.env, TMPDIR: dir, NO_UPDATE_NOTIFIER: '1' };
  delete env[sharedEmulatorVariable];
  const proc = spawn(
    process.execPath,
    [firebaseCli, 'emulators:start', '--only', 'auth', '--project', project, '--config', config],
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines = [];
  const keep = (chunk) => {
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let spawnError = null;
  proc.on('error', (error) => {
    spawnError = error;
  });
  const killGroup = (signal) => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      /* the group is gone already */
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-proc.pid, 0);
      return true;
    } catch (error) {
      return error.code !== 'ESRCH';
    }
  };
  // Should this process end without stop() (a crashed test), the emulator goes with it.
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);

  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      process.off('exit', onExit);
      if (proc.pid === undefined) {
        rmSync(dir, { recursive: true, force: true }); // never ran
        return;
      }
      if (proc.exitCode === null && proc.signalCode === null) {
        killGroup('SIGTERM');
        const gone = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!gone) killGroup('SIGKILL');
        await exited;
      }
      // Anything the CLI started that outlived it (none is expected) goes too, and is checked.
      killGroup('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      for (let waited = 0; groupAlive(); waited += 50) {
        if (waited >= 2000) throw new Error(`Auth emulator: processes of group ${proc.pid} outlived SIGKILL`);
        await sleep(50);
      }
    })();
    return stopped;
  };

  const origin = `http://${host}:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (await answers(origin)) break;
    const failure = spawnError
      ? `could not be started: ${spawnError.message}`
      : proc.exitCode !== null || proc.signalCode !== null
        ? `exited (${proc.exitCode ?? proc.signalCode}) before serving`
        : Date.now() > deadline
          ? `did not serve within ${readyTimeoutMs / 1000} s`
          : null;
    if (failure) {
      await stop();
      throw new Error(`Auth emulator on ${origin} ${failure}; its output ends:\n${lines.slice(-25).join('\n')}`);
    }
    await sleep(250);
  }
  return handle(port, project, { shared: false, pid: proc.pid, output: () => lines.join('\n'), stop });
}
