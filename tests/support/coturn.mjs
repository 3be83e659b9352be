// Debian's coturn (`turnserver`, installed by scripts/setup.sh) for the tests, on loopback ports of
// its own: started from a configuration file (the shipped deploy/coturn/turnserver.conf) or from
// flags alone, with its shared secrets in a SQLite database of its own that `turnadmin` changes
// while coturn runs, as in production (docs/turn.md).
//
//   const turn = await startCoturn({ config: shippedConfig, secrets: [secret] });
//   const turn = await startCoturn({ args: ['--allow-loopback-peers', ...], realm: 'x.test' });
//   (relayIps: the relay addresses, 127.0.0.1 and ::1 unless given)
//   turn.port, turn.realm, turn.url ('turn:127.0.0.1:PORT?transport=udp'), turn.log (lines so far)
//   turn.addSecret(s), turn.removeSecret(s), turn.listSecrets()   (turnadmin, coturn keeps running)
//   await turn.stop()
// Only the listening and relay addresses (127.0.0.1 and ::1), the ports, the database, the pid file
// and the log differ from the configuration file; everything else is the file's.
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TurnClient } from './turn_client.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const shippedConfig = path.join(repoRoot, 'deploy/coturn/turnserver.conf');
const TURNSERVER = process.env.TURNSERVER_BIN || '/usr/bin/turnserver';
const TURNADMIN = path.join(path.dirname(TURNSERVER), 'turnadmin');

// The values of `key=value` lines of a coturn configuration file (comments and flags left out).
export function configValues(file, key) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

// A listening port whose next port is free too (coturn opens port + 1 as well), and 198 relay
// ports after them; below Linux's ephemeral range (32768 and up), so no client socket holds them.
async function pickPorts() {
  for (;;) {
    const port = 10000 + Math.floor(Math.random() * 100) * 200;
    const sockets = [];
    try {
      for (const [type, host] of [
        ['udp4', '127.0.0.1'],
        ['udp6', '::1'],
      ]) {
        for (const p of [port, port + 1]) {
          const socket = dgram.createSocket(type);
          sockets.push(socket);
          await new Promise((resolve, reject) => {
            socket.once('error', reject);
            socket.bind(p, host, resolve);
          });
        }
      }
      return { port, relayMin: port + 2, relayMax: port + 199 };
    } catch {
      /* taken: another */
    } finally {
      for (const socket of sockets) {
        try {
          socket.close();
        } catch {
          /* never bound */
        }
      }
    }
  }
}

export async function startCoturn({
  config,
  realm = config && configValues(config, 'realm')[0],
  secrets = [],
  relayIps = ['127.0.0.1', '::1'],
  args = [],
}) {
  if (!existsSync(TURNSERVER)) throw new Error(`coturn missing: ${TURNSERVER} (run scripts/setup.sh)`);
  if (!realm) throw new Error('startCoturn: a realm, from the configuration file or given');
  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-coturn-'));
  const db = path.join(dir, 'turndb');
  // turnadmin writes a log file of its own wherever it can (as root, /var/log) and names it on
  // stdout: taken away again at once.
  const admin = (...words) => {
    const out = execFileSync(TURNADMIN, [...words, '-r', realm, '-b', db], { encoding: 'utf8' });
    for (const [, file] of out.matchAll(/log file opened: (\S+)/g)) rmSync(file, { force: true });
    return out;
  };
  for (const secret of secrets) admin('-s', secret);
  const { port, relayMin, relayMax } = await pickPorts();
  const child = spawn(
    TURNSERVER,
    [
      ...(config ? ['-c', config] : ['-n']),
      '--listening-ip=127.0.0.1',
      '--listening-ip=::1',
      ...relayIps.map((ip) => `--relay-ip=${ip}`),
      `--listening-port=${port}`,
      `--min-port=${relayMin}`,
      `--max-port=${relayMax}`,
      `--userdb=${db}`,
      `--pidfile=${path.join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = [];
  const keep = (chunk) => log.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Up once it answers a STUN Binding request on both addresses.
  const deadline = Date.now() + 10000;
  for (const host of ['127.0.0.1', '::1']) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`turnserver exited:\n${log.join('\n')}`);
      const probe = await TurnClient.connect(host, port, { timeoutMs: 300 });
      const up = await probe.binding().then(
        () => true,
        () => false,
      );
      probe.close();
      if (up) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`turnserver did not answer on ${host}:${port}:\n${log.join('\n')}`);
      }
    }
  }
  return {
    port,
    realm,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    log,
    pid: child.pid,
    addSecret: (secret) => admin('-s', secret),
    removeSecret: (secret) => admin('-X', secret),
    listSecrets: () =>
      admin('-S')
        .split('\n')
        .filter((line) => line.endsWith(`[${realm}]`))
        .map((line) => line.slice(0, -(realm.length + 2))),
    stop,
  };
}
