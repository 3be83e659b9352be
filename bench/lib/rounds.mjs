// What every browser bench needs to survive a noisy, shared machine: a stalled or broken round is
// reported in one line and tried once more (after the caller rebuilt what it needs), then recorded
// as failed; the run itself goes on. Plus the small statistics and /proc readings the suites share.
import { readFileSync } from 'node:fs';

// One line of an error, short: a page's error can carry a whole minified script in its message.
export function oneLine(error, max = 200) {
  const text = String(error?.message ?? error).split('\n')[0];
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// Runs `measure()` up to twice. Between the two tries `recover()` (if given) rebuilds what a stall
// may have left broken (the browsers, the room). Returns the result, or null when both failed.
export async function tryTwice(label, measure, { log, recover = null }) {
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    try {
      return await measure();
    } catch (error) {
      log(`${label}: ${oneLine(error)} (${attempt === 1 ? 'retrying once' : 'recorded as failed'})`);
      if (attempt === 1 && recover) {
        try {
          await recover();
        } catch (again) {
          log(`${label}: could not set up again: ${oneLine(again)} (recorded as failed)`);
          return null;
        }
      }
    }
  }
  return null;
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// CPU time of the whole machine so far, from /proc/stat's first line: all of it, the steal, and
// the busy part (all but idle and iowait: every process and kernel thread, writeback included).
export function cpuTicks() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const numbers = fields.slice(0, 8).map(Number);
  const total = numbers.reduce((sum, n) => sum + n, 0);
  return { total, steal: numbers[7] ?? 0, busy: total - numbers[3] - numbers[4] };
}

export const stealPct = (from, to) => (100 * (to.steal - from.steal)) / Math.max(1, to.total - from.total);
// The share of all cores' time that was busy between two readings (100: every core busy throughout).
export const busyPct = (from, to) => (100 * (to.busy - from.busy)) / Math.max(1, to.total - from.total);

// Waits until `progress()` (an async count that grows while work goes on) reaches `done(value)`,
// polling every `pollMs`; throws when the count did not move for `stallMs`. Returns the last value.
export async function watchProgress({ progress, done, stallMs, pollMs = 1000, what }) {
  let last = { value: -1, at: Date.now() };
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    const value = await progress();
    if (done(value)) return value;
    const moved = JSON.stringify(value) !== JSON.stringify(last.value);
    if (moved) last = { value, at: Date.now() };
    else if (Date.now() - last.at > stallMs) throw new Error(`${what}: no progress for ${stallMs / 1000} s`);
  }
}
