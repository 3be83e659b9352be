// One sender to three people, each in a Chromium process of its own, against the bare channel
// given the same fan-out (one page sending to three bare channels at once, each paced by its own
// bufferedAmount, as the app paces its peers). Real app, real server, one room of four.
//   fanout3_raw_MBps          per receiver, the bare channels' mean (best round)
//   fanout3_app_slowest_MBps  the app, 128 MiB of random bytes, verified, to OPFS: its slowest
//                             receiver (best round)
//   fanout3_over_raw          the app's slowest receiver against the bare channels' mean, in the
//                             same round (best round): every receiver is at least this
//   fanout3_reads_per_block   blocks the sender read per block of the file, the worst round (1: read
//                             once for all)
//   fanout3_rounds_failed     rounds that stalled twice and were left out
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRoom, joinRoom, waitReadyForFiles } from '../../tests/browser/room_flow.mjs';
import { startService } from '../../tests/browser/service.mjs';
import { autoAccept, blocksReadFor, firstTab, launchBrowser, sendThroughApp } from '../lib/app_peers.mjs';
import { writeRandom } from '../lib/bench_files.mjs';
import { closeRaw, connectRaw, rawRates } from '../lib/raw_channel.mjs';
import { oneLine, tryTwice } from '../lib/rounds.mjs';

const MiB = 1024 * 1024;
const SIZE = 128 * MiB;
const ROUNDS = Number(process.env.CIELO_BENCH_FANOUT_ROUNDS || 3);
const STALL_MS = 60000;
const RECEIVERS = ['Ana', 'Bo', 'Cem'];

const mean = (values) => values.reduce((sum, x) => sum + x, 0) / values.length;

async function openRoom(dir, origin) {
  const sender = await firstTab(await launchBrowser(path.join(dir, 'sender-profile')), 'Sender');
  const receivers = [];
  const room = {
    sender,
    receivers,
    close: async () => Promise.all([sender, ...receivers].map((p) => p.context.close())),
  };
  try {
    const url = await createRoom(sender, origin);
    for (const name of RECEIVERS) {
      const peer = await firstTab(await launchBrowser(path.join(dir, `${name}-profile`)), name);
      receivers.push(peer);
      await joinRoom(peer, url);
    }
    for (const peer of receivers) {
      await waitReadyForFiles(sender, peer);
      await autoAccept(peer);
      await connectRaw(sender, peer, `raw-${peer.name}`);
    }
  } catch (error) {
    await room.close().catch(() => {});
    throw error;
  }
  return room;
}

export async function run({ log }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-bench-fanout-'));
  const service = await startService();
  const file = path.join(dir, 'random.bin');
  writeRandom(file, SIZE);
  let room = null;
  const restart = async () => {
    if (room) {
      await closeRaw([room.sender, ...room.receivers]);
      await room.close().catch(() => {});
    }
    room = await openRoom(dir, service.origin);
  };
  try {
    try {
      await restart();
    } catch (error) {
      log(`fan-out: could not set up: ${oneLine(error)}`);
      return {};
    }
    let best = { raw: 0, slowest: 0, ratio: 0 };
    let failed = 0;
    const readsPerBlock = []; // per round that completed
    const blocks = Math.ceil(SIZE / MiB);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const raw = await tryTwice(
        `fan-out round ${round}, bare channels`,
        () =>
          rawRates(
            room.sender,
            room.receivers.map((peer) => ({ peer, label: `raw-${peer.name}` })),
            SIZE,
            { stallMs: STALL_MS },
          ),
        { log, recover: restart },
      );
      const app = await tryTwice(
        `fan-out round ${round}, app`,
        async () => {
          const result = await sendThroughApp(room.sender, room.receivers, file, SIZE, { stallMs: STALL_MS });
          if (new Set(result.hashes).size !== 1) throw new Error('the receivers verified different roots');
          const reads = (await blocksReadFor(room.sender, path.basename(file))) / blocks;
          return { rates: result.rates, reads };
        },
        { log, recover: restart },
      );
      const show = (rates) => (rates ? rates.map((x) => x.toFixed(1)).join(' / ') : 'failed');
      const reads = app ? `; the sender read each block ${app.reads.toFixed(2)} times` : '';
      log(`fan-out round ${round}: bare channels ${show(raw)}, app ${show(app?.rates)} MB/s per receiver${reads}`);
      if (app) readsPerBlock.push(app.reads);
      if (!raw || !app) {
        failed += 1;
        continue;
      }
      const ratio = Math.min(...app.rates) / mean(raw);
      if (ratio > best.ratio) best = { raw: mean(raw), slowest: Math.min(...app.rates), ratio };
    }
    const worstReads = readsPerBlock.length ? Math.max(...readsPerBlock) : Number.NaN;
    log(`the sender read each block at most ${worstReads.toFixed(2)} times in a round`);
    return {
      fanout3_raw_MBps: best.raw,
      fanout3_app_slowest_MBps: best.slowest,
      fanout3_over_raw: best.ratio,
      fanout3_reads_per_block: worstReads,
      fanout3_rounds_failed: failed,
    };
  } finally {
    if (room) await room.close().catch(() => {});
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
