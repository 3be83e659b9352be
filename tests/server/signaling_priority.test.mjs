// The signaling thread runs ahead of HTTP and accounts work (--signaling-priority): checked in the
// real binary's threads as the kernel holds them (/proc), not in its log alone. What it buys (joins
// answered as fast beside 200 looping /api/me clients as without them) is measured by the accounts
// bench; this is what makes it true or not on a given machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { serverBin, startServer } from './harness.mjs';

const SCHED_OTHER = 0;
const SCHED_FIFO = 1;

// Every thread of `pid`: its name, scheduling policy and real-time priority (proc(5): fields 40
// and 41 of stat, counted after the name, which may hold spaces, in parentheses).
function threads(pid) {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    return { tid: Number(tid), name, rtPriority: Number(fields[37]), policy: Number(fields[38]) };
  });
}

function priorityLog(server) {
  const line = server.logs.find((l) => l.includes('"signaling-priority"'));
  assert.ok(line, `no signaling-priority event in ${server.logs.join('\n')}`);
  return JSON.parse(line);
}

// Whether a process started from here may take real-time scheduling (root or CAP_SYS_NICE, and a
// kernel that gives real-time threads any time): CI and these machines may.
const mayRealtime = spawnSync('chrt', ['-f', '1', 'true']).status === 0;
// Runs the server (same pid) without CAP_SYS_NICE, dropped from the bounding set so not even root
// keeps it.
const withoutSysNice = ['setpriv', '--bounding-set', '-sys_nice', '--inh-caps', '-sys_nice'];

test('by default, on two CPUs or more, the signaling thread alone is real-time (lowest FIFO priority)', async () => {
  const server = await startServer();
  try {
    const all = threads(server.proc.pid);
    const main = all.find((t) => t.tid === server.proc.pid);
    const others = all.filter((t) => t.tid !== server.proc.pid);
    assert.ok(
      others.some((t) => t.name === 'cieloweb-http'),
      'the HTTP thread is running',
    );
    if (availableParallelism() >= 2 && mayRealtime) {
      assert.equal(main.policy, SCHED_FIFO, 'the signaling thread is SCHED_FIFO');
      assert.equal(main.rtPriority, 1);
      assert.equal(priorityLog(server).realtime, true);
    } else {
      assert.equal(main.policy, SCHED_OTHER);
      assert.equal(priorityLog(server).realtime, false);
    }
    // HTTP, the blocking pool's workers and every other thread stay time-shared: a real-time HTTP
    // thread would let a flood of requests hold back signaling again.
    for (const t of others) assert.equal(t.policy, SCHED_OTHER, `${t.name} (${t.tid}) is time-shared`);
  } finally {
    await server.stop();
  }
});

test('with one usable CPU, auto stays time-shared: a busy real-time thread would starve HTTP', async () => {
  const server = await startServer([], { wrap: ['taskset', '-c', '0'] });
  try {
    for (const t of threads(server.proc.pid)) assert.equal(t.policy, SCHED_OTHER, `${t.name} is time-shared`);
    const event = priorityLog(server);
    assert.equal(event.realtime, false);
    assert.match(event.reason, /one usable CPU/);
    // It still serves.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
  }
});

test('auto where real-time is refused (no CAP_SYS_NICE): the server runs time-shared and logs why', async () => {
  const server = await startServer([], { wrap: withoutSysNice });
  try {
    for (const t of threads(server.proc.pid)) assert.equal(t.policy, SCHED_OTHER, `${t.name} is time-shared`);
    const event = priorityLog(server);
    assert.equal(event.realtime, false);
    assert.match(event.reason, /refused|one usable CPU/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
  }
});

test('--signaling-priority normal: every thread time-shared', async () => {
  const server = await startServer(['--signaling-priority', 'normal']);
  try {
    for (const t of threads(server.proc.pid)) assert.equal(t.policy, SCHED_OTHER, `${t.name} is time-shared`);
    assert.equal(priorityLog(server).realtime, false);
  } finally {
    await server.stop();
  }
});

test('--signaling-priority realtime where it is refused: the server does not start, and says why', () => {
  const [setpriv, ...dropCap] = withoutSysNice;
  const result = spawnSync(setpriv, [...dropCap, serverBin, '--port', '0', '--signaling-priority', 'realtime'], {
    encoding: 'utf8',
    timeout: 10000,
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /--signaling-priority realtime: real-time scheduling refused .*CAP_SYS_NICE/);
  assert.doesNotMatch(result.stderr, /"event":"listening"/);
});

test('an unknown --signaling-priority is refused with the option named', () => {
  const result = spawnSync(serverBin, ['--port', '0', '--signaling-priority', 'highest'], {
    encoding: 'utf8',
    timeout: 10000,
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /invalid value for --signaling-priority: 'highest'/);
});
