// A real Redis (Debian's `redis-server`) on a free loopback port for the cluster tests: no
// persistence, so a restart comes back empty (the worst case the nodes must recover from).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freePort } from './ports.mjs';

const REDIS = process.env.REDIS_SERVER_BIN || 'redis-server';

// One RESP command over a fresh connection; resolves the raw reply text.
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

async function waitReady(port, proc, log) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${log.join('')}`);
    try {
      if ((await redisCommand(port, 'PING')).startsWith('+PONG')) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on ${port}: ${log.join('')}`);
}

// `port`: reuse a port (a restart of the "same" Redis).
export async function startRedis({ port } = {}) {
  const listenPort = port ?? (await freePort());
  const log = [];
  const proc = spawn(
    REDIS,
    ['--port', String(listenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout.on('data', (d) => log.push(d.toString()));
  proc.stderr.on('data', (d) => log.push(d.toString()));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  proc.on('error', (e) => log.push(`cannot start redis-server (scripts/setup.sh installs it): ${e.message}`));
  await waitReady(listenPort, proc, log);
  return {
    port: listenPort,
    url: `redis://127.0.0.1:${listenPort}`,
    log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
