// The bare channel's rate and CPU per MB with the channel on the page against the same channel moved
// into a dedicated worker (as the app moves its transfer channel), two Chromium processes, in turns.
// A lab tool for issue 13, not part of `make bench`: node bench/tools/raw_channel_in_worker.mjs
//   [MODES=page,worker,page,worker]
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startService } from '../../tests/browser/service.mjs';
import { launchBrowser } from '../lib/app_peers.mjs';

const SIZE = 256 * 1048576;
const service = await startService();
const dir = mkdtempSync(path.join(os.tmpdir(), 'rawworker-'));
const profiles = [path.join(dir, 'a'), path.join(dir, 'b')];
const [ca, cb] = [await launchBrowser(profiles[0]), await launchBrowser(profiles[1])];
const [pa, pb] = [ca.pages()[0] ?? (await ca.newPage()), cb.pages()[0] ?? (await cb.newPage())];
await pa.goto(`${service.origin}/privacy`);
await pb.goto(`${service.origin}/privacy`);
const read = (f) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};
function cpuTicks(profile) {
  let t = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (!read(`/proc/${pid}/cmdline`).split(/[\0 ]/).includes(`--user-data-dir=${profile}`)) continue;
    for (const tid of (() => {
      try {
        return readdirSync(`/proc/${pid}/task`);
      } catch {
        return [];
      }
    })()) {
      const s = read(`/proc/${pid}/task/${tid}/stat`);
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      t += Number(f[11]) + Number(f[12]);
    }
  }
  return t;
}
const workerSrc = `
let ch, received = 0, expected = Infinity, endedAt = 0;
onmessage = ({ data }) => {
  if (data.channel) { ch = data.channel; ch.binaryType = 'arraybuffer';
    ch.onmessage = ({ data }) => { received += data.byteLength; if (received >= expected && !endedAt) { endedAt = Date.now(); postMessage({ endedAt }); } };
    return; }
  if (data.expect) { received = 0; endedAt = 0; expected = data.expect; return; }
  if (data.send) { const chunk = new Uint8Array(65536); crypto.getRandomValues(chunk); let sent = 0; const total = data.send;
    ch.bufferedAmountLowThreshold = 4 << 20;
    const pump = () => { while (sent < total && ch.bufferedAmount < (8 << 20)) { ch.send(chunk); sent += 65536; } };
    ch.onbufferedamountlow = pump; pump(); }
};`;
async function setup(page, mode, id) {
  await page.evaluate(
    ([src, mode, id]) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const channel = pc.createDataChannel('raw', { negotiated: true, id, ordered: true });
      channel.binaryType = 'arraybuffer';
      const r = { pc, channel, mode, received: 0, expected: Infinity, endedAt: 0 };
      if (mode === 'worker') {
        r.worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
        r.worker.postMessage({ channel }, [channel]);
        r.worker.onmessage = ({ data }) => {
          r.endedAt = data.endedAt;
        };
      } else {
        channel.onmessage = ({ data }) => {
          r.received += data.byteLength;
          if (r.received >= r.expected && !r.endedAt) r.endedAt = Date.now();
        };
      }
      r.opened =
        mode === 'worker'
          ? new Promise((res) =>
              pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && res()),
            )
          : new Promise((res) => channel.addEventListener('open', res));
      r.gathered = async () => {
        if (pc.iceGatheringState !== 'complete')
          await new Promise((res) =>
            pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && res()),
          );
        return JSON.stringify(pc.localDescription);
      };
      globalThis.__r = r;
    },
    [workerSrc, mode, id],
  );
}
async function connect(mode) {
  await setup(pa, mode, 3);
  await setup(pb, mode, 3);
  const offer = await pa.evaluate(async () => {
    await __r.pc.setLocalDescription(await __r.pc.createOffer());
    return __r.gathered();
  });
  const answer = await pb.evaluate(async (o) => {
    await __r.pc.setRemoteDescription(JSON.parse(o));
    await __r.pc.setLocalDescription(await __r.pc.createAnswer());
    return __r.gathered();
  }, offer);
  await pa.evaluate((x) => __r.pc.setRemoteDescription(JSON.parse(x)), answer);
  await pa.evaluate(() => __r.opened);
  await pb.evaluate(() => __r.opened);
  await new Promise((r) => setTimeout(r, 1000));
}
async function rate() {
  await pb.evaluate((n) => {
    if (__r.mode === 'worker') __r.worker.postMessage({ expect: n });
    else Object.assign(__r, { received: 0, expected: n, endedAt: 0 });
    __r.endedAt = 0;
  }, SIZE);
  const t0 = [cpuTicks(profiles[0]), cpuTicks(profiles[1])];
  const start = await pa.evaluate((n) => {
    if (__r.mode === 'worker') {
      __r.worker.postMessage({ send: n });
      return Date.now();
    }
    const ch = __r.channel;
    const chunk = new Uint8Array(65536);
    crypto.getRandomValues(chunk);
    let sent = 0;
    ch.bufferedAmountLowThreshold = 4 << 20;
    const pump = () => {
      while (sent < n && ch.bufferedAmount < 8 << 20) {
        ch.send(chunk);
        sent += 65536;
      }
    };
    ch.onbufferedamountlow = pump;
    const s = Date.now();
    pump();
    return s;
  }, SIZE);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const e = await pb.evaluate(() => __r.endedAt);
    if (e) {
      const t1 = [cpuTicks(profiles[0]), cpuTicks(profiles[1])];
      const mb = SIZE / 1e6;
      return `${(mb / ((e - start) / 1000)).toFixed(1)} MB/s, CPU ${(((t1[0] - t0[0]) * 10) / mb).toFixed(1)} + ${(((t1[1] - t0[1]) * 10) / mb).toFixed(1)} ms/MB`;
    }
  }
}
for (const mode of (process.env.MODES || 'page,worker,page,worker').split(',')) {
  await connect(mode);
  console.log(mode, await rate());
  await pa.evaluate(() => {
    __r.pc.close();
    __r.worker?.terminate();
  });
  await pb.evaluate(() => {
    __r.pc.close();
    __r.worker?.terminate();
  });
}
await ca.close();
await cb.close();
await service.stop();
