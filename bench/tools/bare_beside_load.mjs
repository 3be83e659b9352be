// Does CPU work beside the bare channel cost it speed or change its packets (issue 13;
// docs/performance.md)? The suite's topology (two tabs, or two processes with TABS=0) and bare
// channel, one 256 MiB run per condition: `none`, or a worker on the receiver's (`worker-b:MS`) or
// the sender's page (`worker-a:MS`) that spins MS ms of every 4. Prints each run's speed and the
// packets per MB each side's transport sent (getStats). Not part of `make bench`: a lab tool.
//   node bench/tools/bare_beside_load.mjs   [TABS=1 CONDS=none,worker-b:1,none,worker-a:1]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { rawRates } from '../lib/raw_channel.mjs';
import { twoProcesses, twoTabs, withTopology } from '../suites/transfer_browser.mjs';

const SIZE = 256 * 1048576;
const CONDS = (process.env.CONDS || 'none,worker-b:1,none,worker-a:1').split(',');
for (const condition of CONDS) {
  if (!/^(none|worker-[ab]:\d+(\.\d+)?)$/.test(condition))
    throw new Error(`CONDS: "${condition}" is not none, worker-a:MS or worker-b:MS (MS of every 4 spun, 0-4)`);
}

// A worker on the page that spins `ms` of every 4 ms (0: stops).
const SPINNER = `onmessage = ({ data: ms }) => {
  clearInterval(self.timer);
  if (ms > 0) self.timer = setInterval(() => { const t = performance.now(); while (performance.now() - t < ms); }, 4);
};`;
const spin = (page, ms) =>
  page.evaluate(
    ([source, ms]) => {
      globalThis.__spinner ??= new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      __spinner.postMessage(ms);
    },
    [SPINNER, ms],
  );
const packetsSent = (page) =>
  page.evaluate(async () => {
    let sent = 0;
    for (const s of (await __raw.raw.pc.getStats()).values()) if (s.type === 'transport') sent = s.packetsSent;
    return sent;
  });

const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bare-beside-load-'));
const service = await startService();
const topology = process.env.TABS === '0' ? twoProcesses(dir) : twoTabs(dir);
const log = (line) => console.log(line);
try {
  await withTopology(
    topology,
    service.origin,
    process.env.TABS === '0' ? 'two processes' : 'two tabs',
    log,
    async () => {
      const { sender, receiver } = topology;
      // A new association's congestion window starts small: one unrecorded run first.
      await rawRates(sender, [{ peer: receiver, label: 'raw' }], SIZE / 8, { stallMs: 60000 });
      for (const condition of CONDS) {
        const [where, ms] = condition.split(':');
        await spin(sender.page, where === 'worker-a' ? Number(ms) : 0);
        await spin(receiver.page, where === 'worker-b' ? Number(ms) : 0);
        const before = [await packetsSent(sender.page), await packetsSent(receiver.page)];
        const rate = (await rawRates(sender, [{ peer: receiver, label: 'raw' }], SIZE, { stallMs: 60000 }))[0];
        const after = [await packetsSent(sender.page), await packetsSent(receiver.page)];
        const perMB = (i) => ((after[i] - before[i]) / (SIZE / 1e6)).toFixed(0);
        log(
          `${condition.padEnd(12)} ${rate.toFixed(1)} MB/s; packets per MB: sender ${perMB(0)}, receiver ${perMB(1)}`,
        );
      }
    },
  );
} finally {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}
