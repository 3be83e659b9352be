// Calls (docs/calls.md): two people, each in a Chromium process of its own with fake devices, in a
// room of the real app. Side by side in this run:
//   call_setup_p50_ms                     click on "Join call" to the first frame of the other's
//                                         camera decoded, median of 5 calls (the first in a fresh
//                                         room, then leaving and joining again)
//   transfer_during_call_ratio            64 MiB of random data, verified, to OPFS, during a call
//                                         against without one (best rounds; target >= 0.5)
//   call_concealed_ratio_during_transfer  the receiver's concealed audio share during the transfer
//                                         against the same call without one (each floored at 0.1%:
//                                         a clean call conceals about nothing; target <= 1.1)
//   call_freezes_ratio_during_transfer    video freezes during against without, (n + 1) / (m + 1),
//                                         each freeze dated by its start (call_quality.mjs; target <= 1.1)
//   call_fps_ratio_during_transfer        frames decoded per second without against during, so
//                                         that, like the others, above 1 is worse (target <= 1.1)
// The call's quality is read from the file receiver's stats of the sender's audio and camera: the
// sender's upload is where file data and the call compete.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRoom, joinRoom, waitReadyForFiles } from '../../tests/browser/room_flow.mjs';
import { startService } from '../../tests/browser/service.mjs';
import { autoAccept, firstTab, launchBrowser, sendThroughApp } from '../lib/app_peers.mjs';
import { IN_CALL_WINDOW_MS } from '../../web/src/call/call_session.js';
import { writeRandom } from '../lib/bench_files.mjs';
import { callQuality } from '../lib/call_quality.mjs';
import { median, oneLine, tryTwice } from '../lib/rounds.mjs';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
const ROUNDS = Number(process.env.CIELO_BENCH_CALL_ROUNDS || 4);
const SETUPS = 5;
const STALL_MS = 60000;
const MEDIA_ARGS = ['--autoplay-policy=no-user-gesture-required'];

async function openRoom(dir, origin) {
  const alice = await firstTab(await launchBrowser(path.join(dir, 'alice-profile'), MEDIA_ARGS), 'Alice');
  const bob = await firstTab(await launchBrowser(path.join(dir, 'bob-profile'), MEDIA_ARGS), 'Bob');
  const url = await createRoom(alice, origin);
  await joinRoom(bob, url);
  await waitReadyForFiles(alice, bob);
  await autoAccept(bob);
  return { alice, bob, close: () => Promise.all([alice, bob].map((p) => p.context.close())) };
}

// Clicks "Join call" on `peer` and resolves to the ms until its first new frame of the other's camera.
function timeJoin(peer) {
  return peer.page.evaluate(async () => {
    const cameraFrames = async () => {
      const p = __cieloweb.call.participants()[0];
      const link = p && __cieloweb.mesh.link(p.peerId);
      const id = p?.camStream?.getVideoTracks()[0]?.id;
      if (!link || !id) return 0;
      for (const r of (await link.pc.getStats()).values())
        if (r.type === 'inbound-rtp' && r.trackIdentifier === id) return r.framesDecoded ?? 0;
      return 0;
    };
    const before = await cameraFrames();
    const start = performance.now();
    document.querySelector('[data-testid=call-join]').click();
    while (performance.now() - start < 30000) {
      if ((await cameraFrames()) > before) return performance.now() - start;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no frame of the other camera in 30 s');
  });
}

async function inCall(peer, on) {
  const joined = await peer.page.evaluate(() => __cieloweb.call.joined);
  if (joined === on) return;
  await peer.page.click(on ? '[data-testid=call-join]' : '[data-testid=call-leave]');
  await peer.page.waitForFunction((on) => __cieloweb.call.joined === on, on);
}

// The receiver's view of the other's audio and camera, sampled in its page every SAMPLE_MS from
// startWatch() until stopWatch(): sampled, not read at both ends, so that each freeze can be dated
// (bench/lib/call_quality.mjs: the gap while the other was out of the call, a no-call round, can be
// counted seconds into the next window; seen as one 4.5 s freeze, the length of the no-call
// transfer, while frames were decoded at the full rate all along).
const SAMPLE_MS = 250;

function startWatch(peer) {
  return peer.page.evaluate((sampleMs) => {
    const totals = async () => {
      const p = __cieloweb.call.participants()[0];
      const link = p && __cieloweb.mesh.link(p.peerId);
      const out = { at: performance.now(), concealed: 0, samples: 0, freezes: 0, freezeSeconds: 0, frames: 0 };
      if (!link) return out;
      const audio = p.camStream?.getAudioTracks()[0]?.id;
      const video = p.camStream?.getVideoTracks()[0]?.id;
      for (const r of (await link.pc.getStats()).values()) {
        if (r.type !== 'inbound-rtp') continue;
        if (r.trackIdentifier === audio)
          Object.assign(out, { concealed: r.concealedSamples, samples: r.totalSamplesReceived });
        if (r.trackIdentifier === video)
          Object.assign(out, {
            freezes: r.freezeCount ?? 0,
            freezeSeconds: r.totalFreezesDuration ?? 0,
            frames: r.framesDecoded ?? 0,
          });
      }
      return out;
    };
    if (window.__callWatch) window.__callWatch.on = false; // a failed try's watch ends here
    const watch = { samples: [], on: true };
    window.__callWatch = watch;
    watch.done = (async () => {
      while (watch.on) {
        watch.samples.push(await totals());
        await new Promise((r) => setTimeout(r, sampleMs));
      }
      watch.samples.push(await totals());
    })();
  }, SAMPLE_MS);
}

async function stopWatch(peer) {
  const samples = await peer.page.evaluate(async () => {
    const watch = window.__callWatch;
    watch.on = false;
    await watch.done;
    return watch.samples;
  });
  return callQuality(samples);
}

// The call's quality over `ms` with nothing else going on.
async function quietQuality(peer, ms) {
  await startWatch(peer);
  await peer.page.waitForTimeout(ms);
  return stopWatch(peer);
}

export async function run({ log }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bench-calls-'));
  const service = await startService();
  const file = path.join(dir, 'random.bin');
  writeRandom(file, SIZE);
  let room = null;
  const restart = async () => {
    if (room) await room.close().catch(() => {});
    room = await openRoom(dir, service.origin);
  };
  try {
    try {
      await restart();
    } catch (error) {
      log(`calls: could not set up: ${oneLine(error)}`);
      return {};
    }
    // Call setup: Bob is in the call; Alice joins, five times.
    const setups = [];
    await inCall(room.bob, true);
    for (let i = 0; i < SETUPS; i += 1) {
      const ms = await tryTwice(`call setup ${i + 1}`, () => timeJoin(room.alice), { log });
      if (ms !== null) setups.push(ms);
      await inCall(room.alice, false);
      // A person who joins and leaves more than twice in 10 s is applied more slowly by the others
      // (call_session.js: the defence against a peer flipping in a loop); the next join waits that
      // window out, so each setup is an ordinary one.
      await room.alice.page.waitForTimeout(IN_CALL_WINDOW_MS + 500);
    }
    log(`call setup: ${setups.map((x) => x.toFixed(0)).join(', ')} ms`);

    // Transfers with and without a call, in alternating rounds; the call's quality during each
    // transfer against the same length of call just before it.
    const rates = { alone: [], inCall: [] };
    const ratios = { concealed: [], freezes: [], fps: [] };
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const withCall of [false, true]) {
        await inCall(room.alice, withCall);
        await inCall(room.bob, withCall);
        if (withCall) await room.bob.page.waitForTimeout(3000); // the call settles (bitrate ramp-up)
        const result = await tryTwice(
          `round ${round}, ${withCall ? 'during a call' : 'no call'}`,
          async () => {
            if (withCall) await startWatch(room.bob);
            const started = Date.now();
            const sent = await sendThroughApp(room.alice, [room.bob], file, SIZE, { stallMs: STALL_MS });
            const during = withCall ? await stopWatch(room.bob) : null;
            const quiet = withCall ? await quietQuality(room.bob, Date.now() - started) : null;
            return { rate: sent.rates[0], during, quiet };
          },
          { log },
        );
        if (!result) continue;
        (withCall ? rates.inCall : rates.alone).push(result.rate);
        if (withCall) {
          const { during, quiet } = result;
          log(
            `round ${round}: ${result.rate.toFixed(1)} MB/s during the call; concealed ${(100 * during.concealed).toFixed(2)}% of ${during.samples} samples vs ${(100 * quiet.concealed).toFixed(2)}% of ${quiet.samples}, freezes ${during.freezes} vs ${quiet.freezes} (counted in the window: ${during.freezesCounted} vs ${quiet.freezesCounted}), ${during.fps.toFixed(1)} vs ${quiet.fps.toFixed(1)} fps`,
          );
          ratios.concealed.push(Math.max(during.concealed, 0.001) / Math.max(quiet.concealed, 0.001));
          ratios.freezes.push((during.freezes + 1) / (quiet.freezes + 1));
          ratios.fps.push(quiet.fps / Math.max(0.1, during.fps));
        } else log(`round ${round}: ${result.rate.toFixed(1)} MB/s without a call`);
      }
    }
    await inCall(room.alice, false);
    await inCall(room.bob, false);
    return {
      call_setup_p50_ms: median(setups),
      transfer_during_call_ratio: Math.max(...rates.inCall) / Math.max(...rates.alone),
      call_concealed_ratio_during_transfer: median(ratios.concealed),
      call_freezes_ratio_during_transfer: median(ratios.freezes),
      call_fps_ratio_during_transfer: median(ratios.fps),
    };
  } finally {
    if (room) await room.close().catch(() => {});
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
