// Starts the real server binary on a free loopback port, serving the built page, for one test file;
// roomSuite() wires it, a Chromium and a scratch folder into a test file's before/after.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { freePort } from '../support/ports.mjs';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverBinary =
  process.env.CIELO_SERVER_BIN || path.join(projectRoot, 'build', 'native', 'server', 'cieloweb-server');
export const webRoot = process.env.CIELO_WEB_ROOT || path.join(projectRoot, 'web', 'dist');

// A TCP port free on loopback right now (the server, or coturn, binds it next).
export { freePort };

// extraEnv: variables added to the server's environment (secrets go there, not in flags).
export async function startService(extraArgs = [], extraEnv = {}) {
  if (!existsSync(serverBinary)) throw new Error(`server binary missing: ${serverBinary} (run make)`);
  if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error(`page not built: ${webRoot} (run make web)`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(
    serverBinary,
    ['--port', String(port), '--web-root', webRoot, '--allowed-origins', origin, ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...extraEnv },
    },
  );
  const log = [];
  child.stdout.on('data', (d) => log.push(d.toString()));
  child.stderr.on('data', (d) => log.push(d.toString()));
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log.join('')}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    port,
    log,
    child,
    stop: () => stopChild(child, 5000),
  };
}

// SIGTERM, then SIGKILL if the process is still there after `graceMs`.
export async function stopChild(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return; // exited, or killed (SIGKILL)
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

// What one browser test file shares across its tests: the real server, one Chromium and a scratch
// folder, started before the first test and stopped (the folder removed) after the last. The
// fields are set once `before` has run.
export function roomSuite(tmpPrefix) {
  const suite = { service: null, browser: null, dir: null };
  before(async () => {
    suite.dir = mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
    suite.service = await startService();
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.service?.stop();
    rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
