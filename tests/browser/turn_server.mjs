// A real coturn (Debian's `turnserver`) on loopback for the tests, with the shared-secret scheme
// the server mints credentials for (use-auth-secret). Started fresh per test file. Not the shipped
// deploy/coturn/turnserver.conf: the peers here are on this machine, so this coturn must relay to
// loopback, which the shipped file refuses (tests/server/turn_config.test.mjs checks that one).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { freePort, stopChild } from './service.mjs';

const TURNSERVER = process.env.TURNSERVER_BIN || '/usr/bin/turnserver';

export async function startTurn() {
  if (!existsSync(TURNSERVER)) throw new Error(`coturn missing: ${TURNSERVER} (run scripts/setup.sh)`);
  const port = await freePort();
  const secret = randomBytes(18).toString('base64url');
  // Relay ports from a range of their own next to the listening port, all on loopback.
  const relayMin = 40000 + (port % 20000);
  const child = spawn(
    TURNSERVER,
    [
      '-n',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--simple-log',
      '--log-file=stdout',
      '--verbose',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      `--min-port=${relayMin}`,
      `--max-port=${relayMin + 200}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=cieloweb.test',
      // The peers are on this machine: let coturn relay to loopback addresses.
      '--allow-loopback-peers',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = [];
  child.stdout.on('data', (d) => log.push(d.toString()));
  child.stderr.on('data', (d) => log.push(d.toString()));
  const deadline = Date.now() + 10000;
  while (!/listener opened on/i.test(log.join(''))) {
    if (child.exitCode !== null) throw new Error(`turnserver exited:\n${log.join('')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver did not start:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    secret,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    log,
    stop: () => stopChild(child, 3000),
  };
}
