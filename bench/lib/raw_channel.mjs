// The anchor of the transfer benches: bare RTCDataChannels between the same pages as the app, each on
// a peer connection of its own whose offer and answer this script carries (host candidates only, no
// server involved). The sender writes the same 64 KiB message over and over, paced by
// bufferedAmount with the app's watermarks (refill below 4 MiB up to 8 MiB); the receiver only
// counts. Nothing is read, hashed, compressed or stored: the physical limit of the channel here.
// Several channels from one page (a fan-out) are paced each on its own, as the app paces its peers.
import { watchProgress } from './rounds.mjs';

const MB = 1e6;
const HIGH = 8 * 1024 * 1024;
const LOW = 4 * 1024 * 1024;

function setUp(label) {
  globalThis.__raw ??= {};
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel('raw', { negotiated: true, id: 0 });
  channel.binaryType = 'arraybuffer';
  const raw = { pc, channel, received: 0, expected: Number.POSITIVE_INFINITY, endedAt: 0 };
  raw.opened = new Promise((r) => channel.addEventListener('open', r));
  raw.gathered = async () => {
    if (pc.iceGatheringState !== 'complete') {
      await new Promise((r) =>
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()),
      );
    }
    return JSON.stringify(pc.localDescription);
  };
  channel.addEventListener('message', ({ data }) => {
    raw.received += data.byteLength;
    if (raw.received >= raw.expected && !raw.endedAt) raw.endedAt = Date.now();
  });
  __raw[label] = raw;
}

// A bare channel from page `a` to page `b`, known as `label` on both.
export async function connectRaw(a, b, label) {
  await a.page.evaluate(setUp, label);
  await b.page.evaluate(setUp, label);
  const offer = await a.page.evaluate(async (l) => {
    const { pc, gathered } = __raw[l];
    await pc.setLocalDescription(await pc.createOffer());
    return gathered();
  }, label);
  const answer = await b.page.evaluate(
    async ([l, o]) => {
      const { pc, gathered } = __raw[l];
      await pc.setRemoteDescription(JSON.parse(o));
      await pc.setLocalDescription(await pc.createAnswer());
      return gathered();
    },
    [label, offer],
  );
  await a.page.evaluate(([l, x]) => __raw[l].pc.setRemoteDescription(JSON.parse(x)), [label, answer]);
  await a.page.evaluate((l) => __raw[l].opened, label);
  await b.page.evaluate((l) => __raw[l].opened, label);
}

// Sends `bytes` from `a` to each of `receivers` ([{peer, label}]) at once; resolves to each
// receiver's MB/s, from the sender's start to that receiver's last byte (one machine, one clock).
export async function rawRates(a, receivers, bytes, { stallMs }) {
  for (const { peer, label } of receivers) {
    await peer.page.evaluate(
      ([l, total]) => Object.assign(__raw[l], { received: 0, expected: total, endedAt: 0 }),
      [label, bytes],
    );
  }
  const start = await a.page.evaluate(
    ([labels, total, high, low]) => {
      const chunk = new Uint8Array(65536);
      crypto.getRandomValues(chunk);
      for (const label of labels) {
        const { channel } = __raw[label];
        let sent = 0;
        channel.bufferedAmountLowThreshold = low;
        const pump = () => {
          while (sent < total && channel.readyState === 'open' && channel.bufferedAmount < high) {
            channel.send(chunk);
            sent += chunk.byteLength;
          }
          if (sent >= total) channel.removeEventListener('bufferedamountlow', pump);
        };
        channel.addEventListener('bufferedamountlow', pump);
        queueMicrotask(pump);
      }
      return Date.now();
    },
    [receivers.map((r) => r.label), bytes, HIGH, LOW],
  );
  const read = () =>
    Promise.all(
      receivers.map(({ peer, label }) =>
        peer.page.evaluate((l) => ({ received: __raw[l].received, endedAt: __raw[l].endedAt }), label),
      ),
    );
  const ends = await watchProgress({
    progress: read,
    done: (states) => states.every((s) => s.endedAt > 0),
    stallMs,
    what: `bare channel, ${bytes} bytes`,
  });
  return ends.map(({ endedAt }) => bytes / MB / ((endedAt - start) / 1000));
}

export async function closeRaw(peers) {
  for (const peer of peers) {
    await peer.page
      .evaluate(() => {
        for (const raw of Object.values(globalThis.__raw ?? {})) raw.pc.close();
        globalThis.__raw = {};
      })
      .catch(() => {});
  }
}
