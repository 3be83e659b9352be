// Cluster benchmark (issue 18, docs/scale-out.md): two cieloweb-server nodes sharing rooms through
// a real Redis, with HAProxy in front. In one run: connections held across both nodes through the
// balancer (RSS per node), join -> peer list p99 at 500 joins/s with the joiner on the other node
// against the same node, and signal relay across nodes against within a node. The load comes from
// bench/signaling/loadgen.cpp (`--port-b`: joiners and the second of each relay pair go there).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../tests/support/ports.mjs';
import { startRedis } from '../../tests/support/redis.mjs';

const heldTarget = 20000;
const joinRatePerS = 500;

function rssMiB(pid) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function startNode(serverBin, webRoot, redisUrl) {
  const proc = spawn(
    serverBin,
    [
      ...['--address', '127.0.0.1', '--port', '0', '--web-root', webRoot, '--log-level', 'info'],
      ...['--redis', redisUrl, '--allowed-origins', '*', '--max-connections', '30000'],
      ...['--rate-per-s', '1000000', '--rate-burst', '1000000'],
      // The load generator is a few addresses holding every connection and creating every room.
      ...['--per-ip-connections', '1000000', '--per-ip-rooms-per-min', '100000000'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start: ${output}`)), 10000);
    proc.stderr.on('data', (chunk) => {
      output += chunk.toString();
      const match = output.match(/"event":"listening"[^\n]*"port":(\d+)/);
      if (match) {
        clearTimeout(timer);
        output = ''; // keep only what comes before the listening line
        resolve(Number(match[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`node exited (${code}): ${output}`)));
  });
  return {
    proc,
    ready,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// HAProxy in front of the nodes. A proxied connection costs it two descriptors and a process here
// may open 20,000 (the hard limit, which root cannot raise in this container): so the balancer is
// three HAProxy processes sharing one port (SO_REUSEPORT, HAProxy's default on Linux; the kernel
// spreads the connections), as one would scale a real one past a process's limits.
async function startBalancer(ports, listenPort, processes = 3) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-bench-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 9800',
      'defaults',
      '  mode http',
      '  timeout connect 5s',
      '  timeout client 120s',
      '  timeout server 120s',
      '  timeout tunnel 1h',
      'frontend app',
      `  bind 127.0.0.1:${listenPort}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      ...ports.map((p, i) => `  server node${i + 1} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  const procs = [];
  for (let i = 0; i < processes; i++) {
    const proc = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c) => (stderr += c));
    proc.exited = new Promise((resolve) => proc.on('exit', resolve));
    procs.push(proc);
    await new Promise((r) => setTimeout(r, 300));
    if (proc.exitCode !== null) throw new Error(`haproxy exited: ${stderr.split('\n')[0]}`);
  }
  return {
    async stop() {
      for (const proc of procs) {
        if (proc.exitCode === null) proc.kill('SIGKILL');
        await proc.exited;
      }
    },
  };
}

function runLoadgen(bin, args, limitS, onTick) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, [...args, '--deadline-seconds', String(limitS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), (limitS + 30) * 1000);
    const ticker = onTick ? setInterval(onTick, 500) : null;
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`load generator failed (${code}): ${err.split('\n')[0]}`));
      }
    });
  });
}

export async function run({ root, log = console.log }) {
  const serverBin = process.env.CIELO_SERVER_BIN ?? path.join(root, 'build/native/server/cieloweb-server');
  const loadgenBin = process.env.CIELO_LOADGEN_BIN ?? path.join(root, 'build/native/bench/signaling/signaling_loadgen');
  for (const bin of [serverBin, loadgenBin])
    if (!existsSync(bin)) throw new Error(`missing ${bin}: build the native preset`);
  const webRoot = path.join(root, 'web/dist');
  const figures = {};

  // 1. Connections held across two nodes through the balancer.
  {
    const redis = await startRedis();
    const nodes = [startNode(serverBin, webRoot, redis.url), startNode(serverBin, webRoot, redis.url)];
    const ports = await Promise.all(nodes.map((n) => n.ready));
    const listenPort = await freePort();
    const balancer = await startBalancer(ports, listenPort);
    const peak = [0, 0];
    try {
      // Two load generators (each a process under the same descriptor limit), 10,000 each.
      const half = heldTarget / 2;
      const results = await Promise.all(
        [0, 1].map((i) =>
          runLoadgen(
            loadgenBin,
            [
              ...['--port', String(listenPort), '--sources', '8', '--idle', String(half), '--room-size', '4'],
              ...['--join-seconds', '0', '--relay-pairs', '0', '--joiners', '0'],
            ],
            150,
            i === 0
              ? () => {
                  for (const [n, node] of nodes.entries()) peak[n] = Math.max(peak[n], rssMiB(node.proc.pid));
                }
              : null,
          ),
        ),
      );
      const r = {
        connections_held: results.reduce((sum, x) => sum + (x.connections_held ?? 0), 0),
        connect_seconds: Math.max(...results.map((x) => x.connect_seconds ?? 0)),
        failures: results.reduce((sum, x) => sum + (x.failures ?? 0), 0),
      };
      figures.cluster_connections_held = r.connections_held;
      figures.cluster_rss_MiB_per_node = Math.max(...peak);
      log(
        `held ${r.connections_held} connections through HAProxy on 2 nodes (connect ${r.connect_seconds?.toFixed(1)} s), ` +
          `RSS per node ${peak.map((m) => m.toFixed(1)).join(' / ')} MiB; failures ${r.failures}`,
      );
    } finally {
      await balancer.stop();
      for (const n of nodes) await n.stop();
      await redis.stop();
    }
  }

  // 2. Joins and relay, the joiner (or the relay's second member) on the same node and on the
  // other node, fresh processes each time, same-node and cross-node alternately.
  const best = { same: { p99: Infinity, relay: 0 }, cross: { p99: Infinity, relay: 0 } };
  for (let round = 0; round < 2; round++) {
    for (const topology of ['same', 'cross']) {
      const redis = await startRedis();
      const nodes = [startNode(serverBin, webRoot, redis.url), startNode(serverBin, webRoot, redis.url)];
      const [portA, portB] = await Promise.all(nodes.map((n) => n.ready));
      const target = topology === 'same' ? portA : portB;
      try {
        const r = await runLoadgen(
          loadgenBin,
          [
            ...['--port', String(portA), '--port-b', String(target), '--idle', '2000', '--room-size', '4'],
            ...['--join-rate', String(joinRatePerS), '--join-seconds', '6', '--joiners', '250'],
            ...['--relay-pairs', '64', '--relay-window', '32', '--relay-seconds', '4'],
          ],
          90,
        );
        log(
          `${topology}-node: joins ${r.joins_completed} at ${r.join_rate_achieved?.toFixed(0)}/s, p50 ` +
            `${r.join_p50_ms?.toFixed(2)} ms, p99 ${r.join_p99_ms?.toFixed(2)} ms; relay ${r.relay_msgs_per_s?.toFixed(0)} msgs/s; ` +
            `errors ${r.errors}, failures ${r.failures}`,
        );
        best[topology].p99 = Math.min(best[topology].p99, r.join_p99_ms);
        best[topology].relay = Math.max(best[topology].relay, r.relay_msgs_per_s);
      } finally {
        for (const n of nodes) await n.stop();
        await redis.stop();
      }
    }
  }
  figures.cross_node_join_p99_ms = best.cross.p99;
  figures.same_node_join_p99_ms = best.same.p99;
  figures.cross_node_relay_msgs_per_s = best.cross.relay;
  figures.same_node_relay_msgs_per_s = best.same.relay;
  log(
    `cross/same relay ${(best.cross.relay / best.same.relay).toFixed(2)}x; join p99 cross ${best.cross.p99.toFixed(2)} ms ` +
      `vs same ${best.same.p99.toFixed(2)} ms`,
  );
  return figures;
}
