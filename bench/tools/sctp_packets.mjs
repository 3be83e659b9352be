// What the SCTP packets of the bare channel and of the app are made of, between two tabs (issue 13;
// docs/performance.md). Chromium's SCTP (dcsctp) logs every packet it sends and receives, before
// DTLS, when its transport's verbose log is on (`--vmodule=*dcsctp_transport*=1,*text_pcap*=1`);
// this tool reads that log from Chromium's stderr (through Playwright's debug log) and sorts each
// sent packet by what it carries: DATA (full, part-full or small, by size) or no DATA (a SACK,
// with or without gap blocks). Small and part-full DATA come mostly with loss (gap blocks). The log
// slows the channel to a few MB/s, so the mixes are to be compared with each other, not taken as
// the channel's at full speed. Not part of `make bench`: a lab tool.
//   node bench/tools/sctp_packets.mjs   [SIZE_MIB=16 TURNS=bare,app,bare,app]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SIZE = Number(process.env.SIZE_MIB || 16) * 1048576;
const TURNS = (process.env.TURNS || 'bare,app,bare,app').split(',');
if (!(SIZE > 0)) throw new Error(`SIZE_MIB: "${process.env.SIZE_MIB}" is not a size`);
for (const turn of TURNS) if (!['bare', 'app'].includes(turn)) throw new Error(`TURNS: "${turn}" is not bare or app`);

// dcsctp fills a packet to about 1190 bytes of SCTP; "full" leaves room for the DATA chunk's
// padding and a bundled chunk's header, "small" is a fragment of a few bytes or a lone SACK.
const FULL_BYTES = 1100;
const SMALL_BYTES = 200;
const DATA = 0;
const I_DATA = 64; // interleaved DATA (RFC 8260), if a browser negotiates it
const SACK = 3;

function packetKind(bytes, dataChunks, sackGaps) {
  if (dataChunks > 0) {
    const size = bytes >= FULL_BYTES ? 'full' : bytes >= SMALL_BYTES ? 'part-full' : 'small';
    return `DATA ${size}${sackGaps === null ? '' : ' +SACK'}`;
  }
  if (sackGaps === null) return 'other';
  return sackGaps > 0 ? 'SACK with gaps' : 'SACK';
}

// Counts of one turn's sent packets, by kind.
let counts = null;
function countPacket(line) {
  // "O 00:00:01.234 0000 13 88 13 88 ... # SCTP_PACKET DcSctpTransport0": a sent packet, in hex.
  const m = /\bO \d\d:\d\d:\d\d\.\d+ 0000 ([0-9a-f ]+) # SCTP_PACKET/.exec(line);
  if (!m || !counts) return;
  const bytes = m[1]
    .trim()
    .split(' ')
    .map((h) => Number.parseInt(h, 16));
  // After the 12-byte common header: chunks of type, flags, length (2 bytes), padded to 4.
  let dataChunks = 0;
  let sackGaps = null;
  for (let at = 12; at + 4 <= bytes.length; ) {
    const type = bytes[at];
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (length < 4) break;
    if (type === DATA || type === I_DATA) dataChunks += 1;
    // A SACK: cumulative TSN (4), a_rwnd (4), then the number of gap ack blocks (2).
    if (type === SACK) sackGaps = (bytes[at + 12] << 8) | bytes[at + 13];
    at += (length + 3) & ~3;
  }
  const kind = packetKind(bytes.length, dataChunks, sackGaps);
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}

// Playwright hands Chromium's stderr only to its debug log ("pw:browser"), which it turns on from
// DEBUG when it loads: so DEBUG is set first, Playwright is imported after, and that log's lines
// are taken from this process's stderr instead of printed.
process.env.DEBUG = 'pw:browser';
const writeStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => {
  const text = String(chunk);
  if (!text.includes('pw:browser')) return writeStderr(chunk, ...rest);
  for (const line of text.split('\n')) {
    countPacket(line);
    if (/FATAL|Check failed|Received signal/.test(line)) writeStderr(`${line}\n`); // a crash still shows
  }
  return true;
};
const { startService } = await import('../../tests/browser/service.mjs');
const { sendThroughApp } = await import('../lib/app_peers.mjs');
const { writeRandom } = await import('../lib/bench_files.mjs');
const { rawRates } = await import('../lib/raw_channel.mjs');
const { twoTabs, withTopology } = await import('../suites/transfer_browser.mjs');

const dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-sctp-packets-'));
const service = await startService();
const topology = twoTabs(dir, {
  args: ['--enable-logging=stderr', '--v=0', '--vmodule=*dcsctp_transport*=1,*text_pcap*=1'],
});
const settle = () => new Promise((r) => setTimeout(r, 1000)); // the log's last lines of a turn
try {
  await withTopology(topology, service.origin, 'two tabs', console.log, async () => {
    const { sender, receiver } = topology;
    const file = path.join(dir, 'random.bin');
    writeRandom(file, SIZE);
    for (const turn of TURNS) {
      counts = new Map();
      const rate =
        turn === 'bare'
          ? (await rawRates(sender, [{ peer: receiver, label: 'raw' }], SIZE, { stallMs: 120000 }))[0]
          : (await sendThroughApp(sender, [receiver], file, SIZE, { stallMs: 120000 })).rates[0];
      await settle();
      const sorted = [...counts].sort((a, b) => b[1] - a[1]);
      const total = sorted.reduce((sum, [, n]) => sum + n, 0);
      if (total === 0) throw new Error("no SCTP packets in Chromium's log: did its logging flags change?");
      console.log(`${turn} ${rate.toFixed(1)} MB/s, ${total} packets sent (both sides):`);
      for (const [kind, n] of sorted) console.log(`  ${kind}: ${n} (${((1e6 * n) / SIZE).toFixed(1)} per MB)`);
      counts = null;
    }
  });
} finally {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
}
