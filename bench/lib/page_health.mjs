// What a transfer costs a person's browser besides time: the receiving renderers' resident memory
// (read from /proc: no cost to the page, so often) and the page's JS heap (through CDP: a task on
// the page's main thread, so only before and after), and main-thread long tasks (> 50 ms).
import { readFileSync, readdirSync } from 'node:fs';

// A /proc file of `pid` (a thread: 'task/<tid>/stat'), or '' once the process is gone.
export function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function rendererPids(profile) {
  // Debian's Chromium passes --user-data-dir on to its child processes.
  return readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    const args = readProc(p, 'cmdline').split(/[\0 ]/); // children rewrite argv into one string
    return args.includes('--type=renderer') && args.includes(`--user-data-dir=${profile}`);
  });
}

// {rss(): bytes of the profile's renderers now, heap(): the page's JS heap used}.
export async function memoryProbe(profile, page) {
  const pageCdp = await page.context().newCDPSession(page);
  await pageCdp.send('Performance.enable');
  let pids = [];
  let samples = 0;
  const rss = () => {
    if (samples++ % 25 === 0) pids = rendererPids(profile); // a scan of /proc now and then, not each time
    let bytes = 0;
    for (const pid of pids) bytes += Number(/VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'))?.[1] ?? 0) * 1024;
    return bytes;
  };
  const heap = async () =>
    (await pageCdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  return { rss, heap };
}

export const resetLongTasks = (peer) => peer.page.evaluate(() => (globalThis.__longTasks.length = 0));
export const longTasks = (peer) => peer.page.evaluate(() => __longTasks.map((t) => t.duration));
export const pageNow = (peer) => peer.page.evaluate(() => performance.now());

// Each long task with when it came (ms from `since`, a performance.now() of the page) and the
// scripts of the long animation frame it ran in ('no script': style, layout, paint or the browser).
export const longTaskCauses = (peer, since) =>
  peer.page.evaluate(
    (since) =>
      __longTasks.map((t) => {
        const frame = __longFrames.find((f) => f.start <= t.start + 1 && t.start + t.duration <= f.end + 1);
        return `${Math.round(t.duration)} ms at +${((t.start - since) / 1000).toFixed(1)} s: ${frame?.scripts.join(', ') || 'no script'}`;
      }),
    since,
  );

// CPU ticks (user + system, 1/100 s) of every thread of the Chromium whose profile is `profile`:
// Map 'pid/tid' -> {key: '<process kind>/<thread name>', ticks}. The lab tools take two and
// subtract, to say which thread paid for what.
export function threadTicks(profile) {
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const args = readProc(pid, 'cmdline').split(/[\0 ]/);
    if (!args.includes(`--user-data-dir=${profile}`)) continue;
    const type = (args.find((a) => a.startsWith('--type=')) ?? '--type=browser').slice(7);
    const utility = args.find((a) => a.startsWith('--utility-sub-type='));
    const kind = utility ? utility.split('.').pop() : type;
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tids) {
      const stat = readProc(pid, `task/${tid}/stat`);
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close).replace(/\d+$/, '#');
      const fields = stat.slice(close + 2).split(' ');
      out.set(`${pid}/${tid}`, { key: `${kind}/${name}`, ticks: Number(fields[11]) + Number(fields[12]) });
    }
  }
  return out;
}

// CPU milliseconds each kind of thread spent between two threadTicks() readings, summed over the
// threads of that kind (a thread born in between counts from zero): [[key, ms], ...], most first.
export function threadMsBetween(before, after) {
  const sums = new Map();
  for (const [id, t] of after) {
    const ticks = t.ticks - (before.get(id)?.ticks ?? 0);
    if (ticks > 0) sums.set(t.key, (sums.get(t.key) ?? 0) + ticks * 10); // ticks of 1/100 s
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
}
