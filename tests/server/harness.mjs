// Starts the real cieloweb-server on a free loopback port and drives it with real WebSocket
// clients. Every wait is bounded so a broken server fails a test instead of hanging the suite.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startPostgres } from '../support/postgres.mjs';
import { freePort } from '../support/ports.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const serverBin = process.env.CIELO_SERVER_BIN ?? path.join(repoRoot, 'build/native/server/cieloweb-server');

const waitLimitMs = 5000;

export function withTimeout(promise, what, ms = waitLimitMs) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// A web root like Vite's output: index.html, a hashed asset, a .wasm file.
export function makeWebRoot() {
  const root = mkdtempSync(path.join(tmpdir(), 'cielo-web-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><title>CieloWeb test page</title>\n' +
      '<script type="module" crossorigin src="/assets/index-4f3a9c1b.js"></script>\n',
  );
  writeFileSync(path.join(root, 'assets', 'index-4f3a9c1b.js'), 'export const x = 1;\n');
  writeFileSync(path.join(root, 'assets', 'core-9b8e7d6c.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(path.join(root, '.secret'), 'hidden\n');
  return root;
}

// `wrap`: a command that execs the server (same pid), e.g. ['prlimit', '--nofile=256:256'].
export async function startServer(args = [], { webRoot = makeWebRoot(), wrap = [] } = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CIELO_')));
  const command = [...wrap, serverBin];
  const proc = spawn(
    command[0],
    [
      ...command.slice(1),
      '--address',
      '127.0.0.1',
      '--port',
      '0',
      '--web-root',
      webRoot,
      '--log-level',
      'debug',
      ...args,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs = [];
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let buffered = '';
  const port = await withTimeout(
    new Promise((resolve, reject) => {
      proc.stderr.on('data', (chunk) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          logs.push(line);
          try {
            const entry = JSON.parse(line);
            if (entry.event === 'listening') resolve(entry.port);
          } catch {
            /* not a log line */
          }
        }
      });
      proc.on('error', reject);
      proc.on('exit', (code) => reject(new Error(`server exited early (${code}): ${logs.join('\n')}`)));
    }),
    'the server to listen',
  );
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    url: origin,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    logs,
    proc,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

// Where account profiles live in this run: SQLite files by default, PostgreSQL with
// CIELO_TEST_PROFILES=postgres (the ctest server_accounts_postgres: the same account tests again).
export const profilesKind = process.env.CIELO_TEST_PROFILES === 'postgres' ? 'postgres' : 'sqlite';
let postgres = null; // one per run: the suite's (tests/support/with_postgres.mjs) or this file's own
const runPostgres = () => {
  postgres ??= startPostgres();
  return postgres;
};

// A fresh profile store for one test, in `dir`:
//   args        the flags that name it, for the server and for `cieloweb-server admin` alike
//   contents()  everything it holds, as text: the SQLite files' bytes, or a pg_dump of the database
//               (what a backup of it would hold)
//   log()       the database server's log ('' for SQLite, which has none)
export async function testProfiles(dir) {
  if (profilesKind === 'sqlite') {
    const db = path.join(dir, 'profiles.db');
    return {
      args: ['--profiles-db', db],
      contents: () =>
        [db, `${db}-wal`]
          .filter((file) => existsSync(file))
          .map((file) => readFileSync(file).toString('latin1'))
          .join(''),
      log: () => '',
    };
  }
  const pg = await runPostgres();
  const database = await pg.createDatabase();
  // No SQLite file to sit next to: the deletion journal goes in the test's folder.
  return {
    args: ['--postgres', pg.url(database), '--deletion-journal', path.join(dir, 'profiles.deleted-uids')],
    contents: () => pg.dump(database),
    log: () => pg.log(),
  };
}

// The flags of a store that cannot be opened: the SQLite file at `sqlitePath`, or a database the
// run's PostgreSQL does not have.
export async function unopenableProfiles(sqlitePath) {
  if (profilesKind === 'sqlite') return ['--profiles-db', sqlitePath];
  return ['--postgres', (await runPostgres()).url('no_such_database')];
}

// A WebSocket client that records every message, so tests can await "the next message of type X"
// and check that nothing else arrived in between.
export class Client {
  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.waiters = [];
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? { binary: true } : JSON.parse(data.toString());
      this.inbox.push(msg);
      this.flush();
    });
    ws.on('error', () => {});
  }

  static async open(server, { origin = server.origin, ...options } = {}) {
    const ws = new WebSocket(server.wsUrl, { origin, ...options });
    // Listen before the handshake completes: the welcome can arrive in the same tick as 'open'.
    const client = new Client(ws);
    await withTimeout(
      new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      }),
      'the WebSocket to open',
    );
    const welcome = await client.next();
    if (welcome.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`);
    return client;
  }

  flush() {
    while (this.waiters.length > 0 && this.inbox.length > 0) this.waiters.shift()(this.inbox.shift());
  }

  // The next message, whatever it is.
  next(what = 'a message') {
    return withTimeout(
      new Promise((resolve) => {
        this.waiters.push(resolve);
        this.flush();
      }),
      what,
    );
  }

  async expect(type) {
    const msg = await this.next(`a '${type}' message`);
    if (msg.type !== type) throw new Error(`expected '${type}', got ${JSON.stringify(msg)}`);
    return msg;
  }

  send(msg) {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  // Round trip through the server: every message sent to us before our ping arrives before the pong
  // (one connection, one ordered queue), so "nothing else arrived" is checked without waiting.
  async drain() {
    this.send({ type: 'ping' });
    const got = [];
    for (;;) {
      const msg = await this.next('pong');
      if (msg.type === 'pong') return got;
      got.push(msg);
    }
  }

  close() {
    this.ws.close();
  }
}

export async function createRoom(client) {
  client.send({ type: 'create-room' });
  return (await client.expect('room-created')).room;
}

export async function join(client, room, name) {
  client.send({ type: 'join', room, name });
  return client.expect('joined');
}

// Two people in one room: `a` creates it on `serverA` and joins, `b` joins through `serverB` (the
// same server unless given), and `a` has seen `b` arrive. `ja` and `jb` are their 'joined' answers.
export async function meet(serverA, serverB = serverA, [nameA, nameB] = ['a', 'b']) {
  const a = await Client.open(serverA);
  const b = await Client.open(serverB);
  const room = await createRoom(a);
  const ja = await join(a, room, nameA);
  const jb = await join(b, room, nameB);
  await a.expect('peer-joined');
  return { a, b, room, ja, jb };
}

// Opens a raw TCP connection and completes a WebSocket upgrade by hand, for frames no well-behaved
// client library would send. `localAddress` picks the client's loopback address (127.0.0.0/8);
// `headers` are extra request lines, e.g. a forged X-Forwarded-For.
export async function rawUpgrade(server, { localAddress, headers = '', port = server.port } = {}) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }),
    'TCP connect',
  );
  socket.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${server.origin}\r\n` +
      `${headers}\r\n`,
  );
  const received = [];
  let total = Buffer.alloc(0);
  const ended = new Promise((resolve) => socket.on('close', resolve));
  socket.on('data', (chunk) => {
    total = Buffer.concat([total, chunk]);
    received.push(chunk);
  });
  socket.on('error', () => {});
  await withTimeout(
    (async () => {
      while (!total.includes('\r\n\r\n')) await new Promise((r) => socket.once('data', r));
    })(),
    'the 101 response',
  );
  const headerEnd = total.indexOf('\r\n\r\n') + 4;
  if (!total.subarray(0, 12).toString().includes('101')) throw new Error(total.toString());
  return {
    socket,
    ended,
    // Frames the server sent after the handshake.
    frames: () => parseFrames(total.subarray(headerEnd)),
  };
}

export function frame(opcode, payload, { mask = true, fin = true } = {}) {
  const body = Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | opcode];
  if (body.length < 126) head.push((mask ? 0x80 : 0) | body.length);
  else head.push((mask ? 0x80 : 0) | 126, body.length >> 8, body.length & 0xff);
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(body.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

// Server frames are never masked.
export function parseFrames(buf) {
  const frames = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const opcode = buf[i] & 0x0f;
    let len = buf[i + 1] & 0x7f;
    let off = i + 2;
    if (len === 126) {
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    if (off + len > buf.length) break;
    const payload = buf.subarray(off, off + len);
    frames.push({ opcode, payload, closeCode: opcode === 8 && len >= 2 ? payload.readUInt16BE(0) : undefined });
    i = off + len;
  }
  return frames;
}

// The server process's resident memory, from /proc (Linux).
export function serverRssBytes(server) {
  const status = readFileSync(`/proc/${server.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

export async function metric(server, name) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

// A free TCP port on 127.0.0.1 (for processes that need one named up front, like HAProxy).
export { freePort };

// A real HAProxy (Debian's `haproxy`) in front of `server`, in HTTP mode with `option forwardfor`:
// it appends the client's address to X-Forwarded-For, as a production proxy would.
export async function startHaproxy(server) {
  const port = await freePort();
  const proxy = await runHaproxy(port, [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout tunnel 30s',
    'frontend public',
    `  bind 127.0.0.1:${port}`,
    '  default_backend cieloweb',
    'backend cieloweb',
    `  server s1 127.0.0.1:${server.port}`,
  ]);
  return { ...proxy, origin: server.origin }; // the page's origin: the proxy passes it through
}

// HAProxy with the configuration `lines` (which bind 127.0.0.1:`port`), once it listens there.
// log(): what it wrote to stderr (its own log, when the configuration sends it there).
export async function runHaproxy(port, lines) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, [...lines, ''].join('\n'));
  const proc = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const spawnFailed = new Promise((_, reject) =>
    proc.on('error', (e) => reject(new Error(`cannot start haproxy (scripts/setup.sh installs it): ${e.message}`))),
  );
  await withTimeout(
    Promise.race([
      spawnFailed,
      (async () => {
        for (;;) {
          if (proc.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
          const up = await new Promise((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => {
              s.destroy();
              resolve(true);
            });
            s.on('error', () => resolve(false));
          });
          if (up) return;
          await new Promise((r) => setTimeout(r, 50));
        }
      })(),
    ]),
    'haproxy to listen',
  );
  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    log: () => stderr,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
