// Accounts benchmark (issue 14), side by side in one run:
// 1. ID token verifications per second with a cached key: our verifier (bench/native/
//    token_verify_bench, which makes the keys and tokens) against firebase-admin's verifyIdToken
//    in Node (bench/firebase-admin/verify_tokens.mjs) on the very same tokens.
// 2. The real server in signed mode (its certificates served here, over http on loopback) holding
//    10,000 signaling connections: /api/me p99 under 200 signed-in clients (bench/native/
//    api_me_load) looping GET /api/me (the server's saturation), and paced at 10 requests a second
//    each; the signaling join p99 without /api/me load, under the looping and under the paced
//    clients, in three rounds of one load generator run (bench/signaling/loadgen).
// Builds nothing: `make bench` builds the native preset first; setup.sh installs firebase-admin.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const verifySeconds = 3;
const idleConnections = 10000;
const apiClients = 200;
const joinRatePerS = 500;
const joinSeconds = 6;
const roundGapSeconds = 3;
// The paced clients: each asks once per this interval, 200 * 10 = 2,000 requests a second offered.
const pacedIntervalMs = 100;
const project = 'cieloweb-bench';

// Runs a command to its end; its last stdout line is JSON. `onStderrLine` sees stderr as it comes.
function runJson(cmd, args, { limitS, onStderrLine = () => {}, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    let out = '';
    let err = '';
    let pending = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), limitS * 1000);
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => {
      err += c;
      pending += c;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        onStderrLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${path.basename(cmd)} failed (${code ?? signal}): ${err.trim().slice(-600)}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`${path.basename(cmd)} printed no result: ${err.trim().slice(-600)}`));
      }
    });
  });
}

function startServer(bin, args) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${output.slice(-600)}`)), 10000);
    proc.stderr.on('data', (chunk) => {
      if (output.length < 1e6) output += chunk;
      const match = output.match(/"event":"listening"[^\n]*"port":(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`the server exited (${code}): ${output.slice(-600)}`)));
  });
  return {
    proc,
    ready,
    output: () => output,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// The join load generator stands for people on their own machines: on these two cores it would
// otherwise wait for a core behind the /api/me load generator and count its own wait as the
// server's (perf sched: its scheduling delay p99 2.3 ms). Where permitted it runs at the lowest
// real-time priority, as the server's signaling thread does (--signaling-priority auto); the /api/me
// load stays time-shared and keeps both cores full. Returns [command, args] and what was done.
function asRemoteClients(bin, args) {
  const chrt = spawnSync('chrt', ['-f', '1', 'true']);
  if (chrt.status === 0) return { command: 'chrt', args: ['-f', '1', bin, ...args], realtime: true };
  return { command: bin, args, realtime: false };
}

// The signaling thread's policy as the server logged it at start.
function signalingPriority(serverOutput) {
  const line = serverOutput.split('\n').find((l) => l.includes('"signaling-priority"'));
  return line ? JSON.parse(line) : { realtime: false, reason: 'not logged' };
}

// Makes each person's profile through the API (age gate, then POST /api/me), a few at a time.
// Returns the status GET /api/me then answers: 200 when profiles were made, 404 no-profile when
// this server has no POST /api/me.
async function makeProfiles(origin, people) {
  const call = async (pathname, { token, body } = {}) => {
    const headers = { 'content-type': 'application/json', origin };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${origin}${pathname}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  };
  const gate = await call('/api/age-gate', { body: { birthDate: '1990-04-01' } });
  if (gate.status !== 200) return 404;
  let next = 0;
  const worker = async () => {
    while (next < people.length) {
      const i = next++;
      const { uid, token } = people[i];
      const pass = await call('/api/age-gate', { body: { birthDate: '1990-04-01' } });
      const made = await call('/api/me', {
        token,
        body: { name: `Bench ${i}`, username: `bench_${i}`, agePass: pass.body.pass },
      });
      if (made.status !== 201) throw new Error(`POST /api/me for ${uid}: ${made.status} ${JSON.stringify(made.body)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return 200;
}

export async function run({ root, log = console.log }) {
  const nativeDir = path.join(root, 'build/native');
  const serverBin = process.env.CIELO_SERVER_BIN ?? path.join(nativeDir, 'server/cieloweb-server');
  const loadgenBin = process.env.CIELO_LOADGEN_BIN ?? path.join(nativeDir, 'bench/signaling/signaling_loadgen');
  const benchDir = process.env.CIELO_NATIVE_BENCH_DIR ?? path.join(nativeDir, 'bench/native');
  const tokenBench = path.join(benchDir, 'token_verify_bench');
  const apiLoadBin = path.join(benchDir, 'api_me_load');
  const anchor = path.join(root, 'bench/firebase-admin/verify_tokens.mjs');
  for (const bin of [serverBin, loadgenBin, tokenBench, apiLoadBin])
    if (!existsSync(bin)) throw new Error(`missing ${bin}: build the native preset`);
  if (!existsSync(path.join(root, 'bench/firebase-admin/node_modules/firebase-admin')))
    throw new Error('missing bench/firebase-admin/node_modules: run scripts/setup.sh');

  const dir = mkdtempSync(path.join(tmpdir(), 'cielo-bench-accounts-'));
  const results = {};
  try {
    // 1. Ours, then firebase-admin on the tokens ours verified.
    const keysFile = path.join(dir, 'keys.json');
    const ours = await runJson(
      tokenBench,
      ['--seconds', String(verifySeconds), '--tokens', '64', '--project', project, '--export', keysFile],
      { limitS: 120 },
    );
    const theirs = await runJson(process.execPath, [anchor, keysFile, String(verifySeconds)], { limitS: 120 });
    log(
      `token verification: ours ${ours.per_s.toFixed(0)}/s (${ours.verified} verified; with the deletion ` +
        `ledger ${ours.with_ledger_per_s.toFixed(0)}/s first sight, ${ours.repeat_per_s.toFixed(0)}/s for a ` +
        `token verified before), firebase-admin ${theirs.per_s.toFixed(0)}/s ` +
        `(${theirs.verified} verified); ${(ours.per_s / theirs.per_s).toFixed(2)}x`,
    );
    results.token_verify_per_s = ours.per_s;
    results.token_verify_with_ledger_per_s = ours.with_ledger_per_s;
    results.token_verify_repeat_per_s = ours.repeat_per_s;
    results.token_verify_firebase_admin_per_s = theirs.per_s;

    // 2. The server in signed mode, its keys served here.
    const peopleFile = path.join(dir, 'people.json');
    await runJson(
      tokenBench,
      ['--seconds', '0', '--tokens', String(apiClients), '--project', project, '--export', peopleFile],
      {
        limitS: 60,
      },
    );
    const { certs, tokens, uids } = JSON.parse(readFileSync(peopleFile, 'utf8'));
    const people = uids.map((uid, i) => ({ uid, token: tokens[i] }));
    const tokensFile = path.join(dir, 'tokens.txt');
    writeFileSync(tokensFile, people.map((p) => `${p.uid} ${p.token}\n`).join(''));
    let certFetches = 0;
    const certServer = http.createServer((req, res) => {
      if (req.url !== '/certs') {
        res.writeHead(404).end();
        return;
      }
      certFetches++;
      res.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'public, max-age=20000, must-revalidate, no-transform',
      });
      res.end(JSON.stringify(certs));
    });
    await new Promise((resolve) => certServer.listen(0, '127.0.0.1', resolve));
    const server = startServer(serverBin, [
      '--address',
      '127.0.0.1',
      '--port',
      '0',
      '--web-root',
      path.join(root, 'web/dist'),
      '--log-level',
      'info',
      '--max-connections',
      '30000',
      '--rate-per-s',
      '1000000',
      '--rate-burst',
      '1000000',
      // The load generators are a few addresses holding every connection and creating every room.
      '--per-ip-connections',
      '1000000',
      '--per-ip-rooms-per-min',
      '100000000',
      '--firebase-project',
      project,
      '--firebase-api-key',
      'bench-web-api-key',
      '--firebase-certs-url',
      `http://127.0.0.1:${certServer.address().port}/certs`,
      '--profiles-db',
      path.join(dir, 'profiles.db'),
    ]);
    try {
      const port = await server.ready;
      const origin = `http://127.0.0.1:${port}`;
      const expectStatus = await makeProfiles(origin, people);
      log(
        expectStatus === 200
          ? `${people.length} profiles made through POST /api/me: GET /api/me answers each its profile (200)`
          : 'no POST /api/me on this server: GET /api/me answers 404 no-profile (verification and the store lookup still run)',
      );

      // Round 1 of joins runs without /api/me load; each later round with one of these loads, started
      // in the gap before it (after a warm-up inside the gap) and measured over the whole round.
      const loads = [
        { name: 'looping', intervalMs: 0 },
        { name: 'paced', intervalMs: pacedIntervalMs },
      ];
      const runs = [];
      const joiner = asRemoteClients(loadgenBin, [
        '--port',
        String(port),
        '--server-pid',
        String(server.proc.pid),
        '--idle',
        String(idleConnections),
        '--room-size',
        '4',
        '--join-rate',
        String(joinRatePerS),
        '--join-seconds',
        String(joinSeconds),
        '--join-rounds',
        String(loads.length + 1),
        '--round-gap-seconds',
        String(roundGapSeconds),
        '--joiners',
        '250',
        '--relay-pairs',
        '0',
        '--relay-seconds',
        '0',
        '--deadline-seconds',
        '150',
      ]);
      const serverPriority = signalingPriority(server.output());
      log(
        `signaling thread: ${serverPriority.realtime ? 'real-time' : 'time-shared'} (${serverPriority.reason}); ` +
          `join load generator: ${joiner.realtime ? 'real-time (chrt -f 1)' : 'time-shared (chrt refused)'}`,
      );
      const joins = await runJson(joiner.command, joiner.args, {
        limitS: 180,
        onStderrLine(line) {
          if (!line.includes('"join-round-done"') || runs.length >= loads.length) return;
          const load = loads[runs.length];
          runs.push(
            runJson(
              apiLoadBin,
              [
                '--port',
                String(port),
                '--tokens',
                tokensFile,
                '--clients',
                String(apiClients),
                '--interval-ms',
                String(load.intervalMs),
                '--warmup-seconds',
                String(roundGapSeconds - 0.5),
                '--seconds',
                String(joinSeconds + 0.5),
                '--expect-status',
                String(expectStatus),
              ],
              { limitS: 60 },
            ),
          );
        },
      });
      if (runs.length < loads.length) throw new Error('the load generator did not finish its join rounds');
      const [looping, paced] = await Promise.all(runs);
      const [quiet, underLooping, underPaced] = joins.join_rounds;
      log(
        `held ${joins.connections_held} signaling connections (connect ${joins.connect_seconds?.toFixed(1)} s, ` +
          `server RSS ${joins.rss_mib_holding?.toFixed(1)} MiB); errors ${joins.errors}, failures ${joins.failures}`,
      );
      const describe = (me) =>
        `${me.clients_connected}/${apiClients} clients, ${me.requests} answers ${JSON.stringify(me.statuses)} ` +
        `at ${me.per_s.toFixed(0)}/s: p50 ${me.p50_ms.toFixed(2)} ms, p90 ${me.p90_ms.toFixed(2)} ms, ` +
        `p99 ${me.p99_ms.toFixed(2)} ms, max ${me.max_ms.toFixed(1)} ms; wrong answers ${me.failures}`;
      log(`GET /api/me looping: ${describe(looping)}`);
      log(`GET /api/me paced (each client every ${pacedIntervalMs} ms): ${describe(paced)}`);
      const join = (r) => `p99 ${r.join_p99_ms.toFixed(2)} ms (${r.joins_completed}/${r.joins_issued} joins)`;
      log(
        `signaling joins at ${joinRatePerS}/s: ${join(quiet)} without /api/me load, ${join(underLooping)} ` +
          `under the looping clients, ${join(underPaced)} under the paced ones`,
      );
      for (const me of [looping, paced])
        if (me.failures > 0) throw new Error(`${me.failures} /api/me answers were wrong or lost`);
      if (joins.connections_held < idleConnections)
        throw new Error(`only ${joins.connections_held} of ${idleConnections} signaling connections were held`);
      if (certFetches !== 1) throw new Error(`the server fetched its certificates ${certFetches} times, not once`);
      results.api_me_p99_ms = looping.p99_ms;
      results.api_me_p50_ms = looping.p50_ms;
      results.api_me_per_s = looping.per_s;
      results.api_me_paced_p99_ms = paced.p99_ms;
      results.api_me_paced_per_s = paced.per_s;
      results.api_me_status = expectStatus;
      results.api_me_signaling_join_p99_ms = underLooping.join_p99_ms;
      results.api_me_paced_signaling_join_p99_ms = underPaced.join_p99_ms;
      results.api_me_signaling_join_p99_ms_without_load = quiet.join_p99_ms;
    } finally {
      await server.stop();
      certServer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
