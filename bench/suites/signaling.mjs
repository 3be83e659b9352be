// Signaling benchmark: cieloweb-server under many idle WebSocket connections plus a steady join
// rate, and relay throughput against a minimal Node `ws` relay (bench/signaling/node_relay.mjs) in
// the same run. The load comes from bench/signaling/loadgen.cpp, a separate process (one thread).
// Builds nothing: `make bench` builds the native preset first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const idleConnections = 10000;
const joinRatePerS = 500;

function startProcess(cmd, args, readyPattern, what) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), 10000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = output.match(readyPattern);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`${what} exited (${code}): ${output}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
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

function runLoadgen(bin, args, limitS) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, [...args, '--deadline-seconds', String(limitS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), (limitS + 30) * 1000);
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`load generator failed (${code}): ${err}`));
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

  const startOurs = () =>
    startProcess(
      serverBin,
      [
        '--address',
        '127.0.0.1',
        '--port',
        '0',
        '--web-root',
        webRoot,
        '--log-level',
        'info',
        '--max-connections',
        '30000',
        '--rate-per-s',
        '1000000',
        '--rate-burst',
        '1000000',
        // The load generator is one address holding every connection and creating every room.
        '--per-ip-connections',
        '1000000',
        '--per-ip-rooms-per-min',
        '100000000',
      ],
      /"event":"listening"[^\n]*"port":(\d+)/,
      'cieloweb-server',
    );
  const startNode = () =>
    startProcess(
      process.execPath,
      [path.join(root, 'bench/signaling/node_relay.mjs'), '0'],
      /\{"port":(\d+)\}/,
      'node relay',
    );

  // 1. Many idle connections, joins at a steady rate while holding them, relay while holding them.
  const held = startOurs();
  const port = await held.ready;
  let a;
  try {
    a = await runLoadgen(
      loadgenBin,
      [
        '--port',
        String(port),
        '--server-pid',
        String(held.proc.pid),
        '--idle',
        String(idleConnections),
        '--room-size',
        '4',
        '--join-rate',
        String(joinRatePerS),
        '--join-seconds',
        '6',
        '--joiners',
        '250',
        '--relay-pairs',
        '64',
        '--relay-window',
        '32',
        '--relay-seconds',
        '4',
      ],
      150,
    );
  } finally {
    await held.stop();
  }
  log(
    `held ${a.connections_held} connections (connect ${a.connect_seconds?.toFixed(1)} s), server RSS ` +
      `${a.rss_mib_holding?.toFixed(1)} MiB; joins ${a.joins_completed} at ${a.join_rate_achieved?.toFixed(0)}/s, ` +
      `p50 ${a.join_p50_ms?.toFixed(2)} ms, p99 ${a.join_p99_ms?.toFixed(2)} ms; relay ${a.relay_msgs_per_s?.toFixed(0)}/s; ` +
      `errors ${a.errors}, failures ${a.failures}`,
  );

  // 2. Relay only, ours and the Node anchor alternately on fresh processes; best of two each, so a
  // colleague's compile landing on one run does not decide the comparison.
  const relayArgs = [
    '--idle',
    '0',
    '--join-seconds',
    '0',
    '--relay-pairs',
    '64',
    '--relay-window',
    '32',
    '--relay-seconds',
    '4',
  ];
  const best = { ours: 0, node: 0 };
  for (let round = 0; round < 2; round++) {
    for (const [name, start] of [
      ['ours', startOurs],
      ['node', startNode],
    ]) {
      const server = start();
      const p = await server.ready;
      try {
        const r = await runLoadgen(loadgenBin, ['--port', String(p), ...relayArgs], 40);
        log(`relay ${name}: ${r.relay_msgs_per_s.toFixed(0)} msgs/s`);
        best[name] = Math.max(best[name], r.relay_msgs_per_s);
      } finally {
        await server.stop();
      }
    }
  }

  const rss = Math.max(a.rss_mib_holding ?? 0, a.rss_mib_after_joins ?? 0, a.rss_mib_end ?? 0);
  return {
    signaling_connections_held: a.connections_held,
    signaling_rss_MiB: rss,
    signaling_rss_KiB_per_connection: a.connections_held > 0 ? (rss * 1024) / a.connections_held : 0,
    signaling_join_p50_ms: a.join_p50_ms,
    signaling_join_p99_ms: a.join_p99_ms,
    signaling_join_rate_per_s: a.join_rate_achieved,
    signaling_relay_msgs_per_s_holding: a.relay_msgs_per_s,
    signaling_relay_msgs_per_s: best.ours,
    signaling_node_ws_relay_msgs_per_s: best.node,
  };
}
