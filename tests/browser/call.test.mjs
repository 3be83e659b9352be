// Calls in the room (docs/calls.md) in real Chromium against the real server, with Chromium's fake
// camera (two of them), microphone and screen. Media is measured by getStats on the receiving side:
// frames decoded and audio levels of the tracks the page plays, never by what the UI claims.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium } from './chromium.mjs';
import * as flow from './room_flow.mjs';
import { startService } from './service.mjs';
import { b3sum, incomingBatch, savedHash, until } from './transfer_steps.mjs';

let service;
let browser;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cieloweb-call-'));
  service = await startService();
  // Remote audio is decoded only while it plays: autoplay without a gesture in every context.
  browser = await launchChromium([
    '--autoplay-policy=no-user-gesture-required',
    // Three fake cameras: the second sends frames no encoder takes (Y16, a depth format), the third
    // is an ordinary camera again (measured: 0 and 39 frames encoded in 2 s).
    '--use-fake-device-for-media-stream=device-count=3',
  ]);
});

after(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// record: collects every signaling message of this person, both ways (room_flow.mjs).
async function person(name, record = null) {
  const peer = await flow.newPeer(browser, name, { record });
  await flow.keepConnections(peer);
  return peer;
}

// What `peer` receives from the person called `from`, read from the stats of the connection the
// call plays (the verified generation): frames decoded of their camera and screen, their audio.
function received(peer, from) {
  return peer.page.evaluate(async (from) => {
    const p = __cieloweb.call.participants().find((x) => x.name === from);
    const link = p && __cieloweb.mesh.link(p.peerId);
    if (!link) return null;
    const ids = {
      cam: p.camStream?.getVideoTracks()[0]?.id,
      mic: p.camStream?.getAudioTracks()[0]?.id,
      screen: p.screenStream?.getVideoTracks()[0]?.id,
    };
    const out = {
      camFrames: 0,
      screenFrames: 0,
      audioLevel: 0,
      audioPackets: 0,
      videoPackets: 0,
      mic: p.mic,
      cam: p.cam,
    };
    for (const r of (await link.pc.getStats()).values()) {
      if (r.type !== 'inbound-rtp') continue;
      if (r.trackIdentifier === ids.cam)
        Object.assign(out, { camFrames: r.framesDecoded ?? 0, videoPackets: r.packetsReceived });
      if (r.trackIdentifier === ids.screen) out.screenFrames = r.framesDecoded ?? 0;
      if (r.trackIdentifier === ids.mic)
        Object.assign(out, { audioLevel: r.audioLevel ?? 0, audioPackets: r.packetsReceived });
    }
    return out;
  }, from);
}

// Waits until `peer` decodes new camera frames from `from` and hears it (or, with {audio: false},
// only the frames).
async function seesAndHears(peer, from, { audio = true, field = 'camFrames' } = {}) {
  // A tile out of view receives no video (the peer is told to stop): the grid in view first.
  await peer.page.locator('[data-testid=call-grid]').scrollIntoViewIfNeeded();
  const start = (await received(peer, from))?.[field] ?? 0;
  await until(
    peer,
    async ([from, start, field, audio]) => {
      const p = __cieloweb.call.participants().find((x) => x.name === from);
      const link = p && __cieloweb.mesh.link(p.peerId);
      if (!link) return false;
      const stream = field === 'screenFrames' ? p.screenStream : p.camStream;
      const video = stream?.getVideoTracks()[0]?.id;
      const mic = p.camStream?.getAudioTracks()[0]?.id;
      let frames = 0;
      let level = 0;
      for (const r of (await link.pc.getStats()).values()) {
        if (r.type === 'inbound-rtp' && r.trackIdentifier === video) frames = r.framesDecoded ?? 0;
        if (r.type === 'inbound-rtp' && r.trackIdentifier === mic) level = Math.max(level, r.audioLevel ?? 0);
      }
      return frames > start + 10 && (!audio || level > 0);
    },
    { arg: [from, start, field, audio], timeout: 30000, polling: 200 },
  );
}

const tile = (peer, name, kind = 'camera') =>
  peer.page.locator(`[data-testid=call-tile][data-kind=${kind}]`, { hasText: name });

async function joinCall(peer) {
  await peer.page.click('[data-testid=call-join]');
  await peer.page.waitForSelector('[data-testid=call-controls]:not([hidden])');
}

// Over `ms`, how much a counter of what `peer` receives from `from` grew.
async function growth(peer, from, field, ms = 1500) {
  const before = (await received(peer, from))[field];
  await peer.page.waitForTimeout(ms);
  return (await received(peer, from))[field] - before;
}

// Media bytes `peer` received on its open connections (RTP of every inbound stream).
const mediaBytes = (peer) =>
  peer.page.evaluate(async () => {
    let bytes = 0;
    for (const link of __cieloweb.mesh.links())
      for (const r of (await link.pc.getStats()).values()) if (r.type === 'inbound-rtp') bytes += r.bytesReceived;
    return bytes;
  });

// The camera encodings Alice's senders use now, per peer name (maxBitrate, in b/s).
const cameraBitrates = (peer) =>
  peer.page.evaluate(() =>
    Object.fromEntries(
      __cieloweb.mesh
        .links()
        .map((l) => [
          l.name,
          __cieloweb.mesh.connection(l.id).mediaTransceivers.get('cam')?.sender.getParameters().encodings[0]
            ?.maxBitrate,
        ]),
    ),
  );

test('call: 2 then 3 people see and hear each other; mute, camera off and switch, screen, leave', async (t) => {
  const seen = []; // every signaling message of the three, both ways
  const alice = await person('Alice', seen);
  const bob = await person('Bob', seen);
  let carol = null;
  try {
    const url = await enterTogether(alice, bob);
    // In the room is not in the call: Bob gets nothing until he joins.
    await joinCall(alice);
    await alice.page.waitForTimeout(1000);
    assert.equal(await bob.page.locator('[data-testid=call-tile]').count(), 0);
    assert.equal(
      await alice.page.evaluate(
        () =>
          __cieloweb.mesh
            .links()[0]
            .pc.getSenders()
            .filter((s) => s.track !== null).length,
      ),
      0,
      'Alice sent media to Bob before he joined the call',
    );
    await joinCall(bob);
    await seesAndHears(bob, 'Alice');
    await seesAndHears(alice, 'Bob');
    await tile(bob, 'Alice').waitFor();
    // Alice's fake microphone beeps: her tile shows her speaking.
    await tile(bob, 'Alice').and(bob.page.locator('[data-speaking=true]')).waitFor({ timeout: 15000 });

    // More people, less each: 1.5 Mb/s to one other, 900 kb/s each to two (call_policy.js).
    assert.deepEqual(await cameraBitrates(alice), { Bob: 1_500_000 });

    // Carol comes into the room mid-call and joins it: everyone gets everyone.
    carol = await person('Carol', seen);
    await flow.joinRoom(carol, url);
    await flow.waitConnected(alice, carol);
    await flow.waitConnected(bob, carol);
    await joinCall(carol);
    for (const [to, from] of [
      [carol, 'Alice'],
      [carol, 'Bob'],
      [alice, 'Carol'],
      [bob, 'Carol'],
    ])
      await seesAndHears(to, from);
    assert.equal(await carol.page.locator('[data-testid=call-tile]').count(), 3);
    assert.deepEqual(await cameraBitrates(alice), { Bob: 900_000, Carol: 900_000 });
    // From here, 30 s of a 3-person call (with a screen share in it): what reaches the server.
    const callStart = { at: Date.now(), messages: seen.length, media: 0 };
    for (const p of [alice, bob, carol]) callStart.media += await mediaBytes(p);

    // Mute: the others see it, and no more audio packets come.
    await alice.page.click('[data-testid=call-mic]');
    await tile(bob, 'Alice').and(bob.page.locator('[data-mic=off]')).waitFor();
    await bob.page.waitForTimeout(500);
    assert.equal(await growth(bob, 'Alice', 'audioPackets'), 0, 'muted audio still arrives');
    await alice.page.keyboard.press('m'); // the shortcut unmutes
    await tile(bob, 'Alice').and(bob.page.locator('[data-mic=on]')).waitFor();
    await seesAndHears(bob, 'Alice');

    // Camera off: shown, no new frames; on again: frames.
    await alice.page.click('[data-testid=call-camera]');
    await tile(carol, 'Alice').and(carol.page.locator('[data-camera=off]')).waitFor();
    await carol.page.waitForTimeout(500);
    assert.equal(await growth(carol, 'Alice', 'camFrames'), 0, 'a camera turned off still sends frames');
    await alice.page.click('[data-testid=call-camera]');
    await seesAndHears(carol, 'Alice', { audio: false });

    // Bob scrolls the call out of view: Alice's and Carol's video to him stops, their sound does not.
    await bob.page.evaluate(() => {
      document.body.style.minHeight = '400vh';
      window.scrollTo(0, document.body.scrollHeight);
    });
    await bob.page.waitForTimeout(1000);
    assert.equal(await growth(bob, 'Alice', 'videoPackets'), 0, 'video came to a tile out of view');
    assert.ok((await growth(bob, 'Alice', 'audioPackets')) > 0, 'the sound stopped with the picture');
    await seesAndHears(bob, 'Alice'); // in view again

    // Another camera mid-call: replaceTrack, no renegotiation, frames keep coming.
    const before = await alice.page.evaluate(() => {
      window.__negotiations = 0;
      for (const link of __cieloweb.mesh.links())
        link.pc.addEventListener('negotiationneeded', () => (window.__negotiations += 1));
      return __cieloweb.call.media.cam.getSettings().deviceId;
    });
    const other = await alice.page.evaluate(
      (current) =>
        [...document.querySelectorAll('[data-testid=call-choose-camera] option')].find(
          (o) => o.value && o.value !== current && o.textContent === 'fake_device_2',
        )?.value,
      before,
    );
    assert.ok(other, 'two cameras to choose from');
    await alice.page.selectOption('[data-testid=call-choose-camera]', other);
    await until(alice, (other) => __cieloweb.call.media.cam?.getSettings().deviceId === other, { arg: other });
    await seesAndHears(bob, 'Alice', { audio: false });
    assert.equal(await alice.page.evaluate(() => window.__negotiations), 0, 'a camera switch renegotiated');

    // Screen share on, then off.
    await bob.page.click('[data-testid=call-screen]');
    await tile(alice, 'Bob', 'screen').waitFor();
    await seesAndHears(alice, 'Bob', { audio: false, field: 'screenFrames' });
    await bob.page.click('[data-testid=call-screen]');
    await tile(alice, 'Bob', 'screen').waitFor({ state: 'detached' });

    // The server's share of 30 s of the call: a few signaling messages (the screen share's
    // renegotiation, pings), no media, and nothing of the SDP in its log.
    await alice.page.waitForTimeout(Math.max(0, 30000 - (Date.now() - callStart.at)));
    const toServer = seen.slice(callStart.messages).filter((m) => m.to === 'server');
    const serverBytes = toServer.reduce((n, m) => n + Buffer.byteLength(m.text), 0);
    let media = -callStart.media;
    for (const p of [alice, bob, carol]) media += await mediaBytes(p);
    t.diagnostic(
      `30 s call of 3: server received ${serverBytes} B in ${toServer.length} messages; peers got ${media} B of media`,
    );
    assert.ok(media > 1_000_000, 'the call carried media meanwhile');
    // Measured: 4 SDPs of the screen share's renegotiation (16–18 kB each: every m-section lists
    // its codecs) and pings, about 69 kB, against 7–9 MB of media between the three.
    assert.ok(serverBytes < 128 * 1024, `the server received ${serverBytes} B during the call`);
    for (const m of toServer) {
      const msg = JSON.parse(m.text); // every one is a signaling message, none a media payload
      assert.ok(['signal', 'ping'].includes(msg.type), `unexpected ${msg.type}`);
      if (msg.type === 'signal')
        assert.deepEqual(
          Object.keys(msg.data).filter((k) => !['gen', 'description', 'candidate'].includes(k)),
          [],
        );
    }
    assert.ok(
      toServer.some((m) => m.text.includes('m=video')),
      'the recording saw the renegotiation (it would have seen media had it been there)',
    );
    const log = service.log.join('');
    for (const trace of ['m=video', 'm=audio', 'a=ssrc', 'a=msid', 'a=fingerprint', 'candidate:'])
      assert.equal(log.includes(trace), false, `the server's log holds '${trace}'`);

    // Carol leaves: her devices are released, she sends nothing, the others drop her tile.
    await carol.page.click('[data-testid=call-leave]');
    await tile(alice, 'Carol').waitFor({ state: 'detached' });
    await tile(bob, 'Carol').waitFor({ state: 'detached' });
    await until(carol, () =>
      __cieloweb.mesh
        .links()
        .every((l) =>
          l.pc.getTransceivers().every((t) => t.sender.track === null && !/send/.test(t.currentDirection ?? '')),
        ),
    );
    assert.deepEqual(
      await carol.page.evaluate(() => {
        const m = __cieloweb.call.media;
        return [m.mic, m.cam, m.screen].filter(Boolean).length;
      }),
      0,
      'devices still held after leaving',
    );
    assert.equal(await carol.page.locator('[data-testid=call-tile]').count(), 0);
    // The room goes on: chat still works.
    const msg = await flow.sendChat(carol, 'back to files');
    await msg.and(carol.page.locator('[data-delivery=delivered]')).waitFor();
    for (const p of [alice, bob, carol]) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
  } finally {
    await flow.closeAll(alice, bob, ...(carol ? [carol] : []));
  }
});

test('call: a connection cut mid-call comes back with the call, unasked', async () => {
  const alice = await person('Alice');
  const bob = await person('Bob');
  try {
    await enterTogether(alice, bob);
    await joinCall(alice);
    await joinCall(bob);
    await seesAndHears(bob, 'Alice');
    await bob.page.evaluate(() => window.testConnections[0].close());
    await bob.page.waitForFunction(() => window.testConnections.length === 2);
    await flow.waitConnected(alice, bob);
    await until(bob, () => __cieloweb.mesh.links()[0]?.pc === window.testConnections[1]);
    await seesAndHears(bob, 'Alice');
    await seesAndHears(alice, 'Bob');
    assert.equal(await bob.page.locator('[data-testid=call-tile]').count(), 2);
    const msg = await flow.sendChat(bob, 'still here');
    await msg.and(bob.page.locator('[data-delivery=delivered]')).waitFor();
  } finally {
    await flow.closeAll(alice, bob);
  }
});

test('call: a peer whose room proof fails gets nothing of the call and plays nothing', async () => {
  const alice = await person('Alice');
  const mallory = await person('Mallory');
  try {
    const url = await flow.createRoom(alice, service.origin);
    await joinCall(alice);
    // Mallory knows the room's id but not its key. Her page puts a camera on every connection it
    // makes, before any proof, so her media reaches Alice's connection as early as it can.
    await mallory.context.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends Native {
        constructor(...args) {
          super(...args);
          const transceiver = this.addTransceiver('video', { direction: 'sendonly', streams: [new MediaStream()] });
          navigator.mediaDevices
            .getUserMedia({ video: true })
            .then((s) => transceiver.sender.replaceTrack(s.getVideoTracks()[0]));
        }
      };
    });
    const wrongKey = Buffer.from(randomBytes(16)).toString('base64url');
    await flow.joinRoom(mallory, url.replace(/#.*$/, `#${wrongKey}`));
    await flow.peerItem(alice.page, 'Mallory', 'blocked').waitFor({ timeout: 30000 });
    await mallory.page.click('[data-testid=call-join]');
    // Mallory's video did reach Alice's connection (the attack is real)...
    await until(alice, async () => {
      const pc = window.testConnections[0];
      return [...(await pc.getStats()).values()].some((r) => r.type === 'inbound-rtp' && r.packetsReceived > 0);
    });
    await alice.page.waitForTimeout(1500);
    // ...and Alice plays none of it: no tile, no element holding one of its tracks.
    const played = await alice.page.evaluate(() => {
      const theirs = new Set(window.testConnections[0].getReceivers().map((r) => r.track.id));
      return [...document.querySelectorAll('video, audio')].flatMap((m) =>
        (m.srcObject?.getTracks() ?? []).filter((t) => theirs.has(t.id)).map((t) => t.kind),
      );
    });
    assert.deepEqual(played, []);
    assert.equal(await alice.page.locator('[data-testid=call-tile]').count(), 1, 'only her own tile');
    // And Alice, in the call, sent Mallory nothing: not a packet of audio or video.
    const got = await mallory.page.evaluate(async () => {
      let packets = 0;
      for (const pc of window.testConnections)
        for (const r of (await pc.getStats()).values()) if (r.type === 'inbound-rtp') packets += r.packetsReceived;
      return packets;
    });
    assert.equal(got, 0, 'Alice sent call media to a peer whose proof failed');
  } finally {
    await flow.closeAll(alice, mallory);
  }
});

// Alice creates a room and Bob opens its link; both see each other (and, with `files`, their
// transfer engines are attached too).
async function enterTogether(alice, bob, { files = false } = {}) {
  const url = await flow.createRoom(alice, service.origin);
  await flow.joinRoom(bob, url);
  if (files) await flow.waitReadyForFiles(alice, bob);
  else await flow.waitConnected(alice, bob);
  return url;
}

// Alice offers a new random file of `size` bytes called `name`; Bob accepts it. Returns its b3sum.
async function offerFile(alice, bob, name, size) {
  const file = path.join(dir, name);
  writeFileSync(file, randomBytes(size));
  await alice.page.setInputFiles('[data-testid=room-file-input]', file);
  const offer = incomingBatch(bob, name);
  await offer.waitFor();
  await offer.locator('[data-testid=accept-batch]').click();
  return b3sum(file);
}

// Bob shows the file `name` verified with `hash`, and saving it gives the same bytes.
async function expectVerified(bob, name, hash) {
  const row = `[data-testid=file-hash][data-path="${name}"]`;
  await bob.page.waitForSelector(row, { timeout: 180000 });
  assert.equal(await bob.page.textContent(row), hash);
  assert.equal(await savedHash(bob.page, name, dir), hash);
}

test('call: a 64 MiB file sent during a call arrives verified', async () => {
  const alice = await person('Alice');
  const bob = await person('Bob');
  try {
    await enterTogether(alice, bob, { files: true });
    await joinCall(alice);
    await joinCall(bob);
    await seesAndHears(bob, 'Alice');
    const hash = await offerFile(alice, bob, 'during-call.bin', 64 * 1024 * 1024);
    // While the file is on its way both hold more of the other's sound (files_cushion.js).
    for (const p of [alice, bob])
      await until(p, () =>
        window.testConnections[0].getReceivers().some((r) => r.track.kind === 'audio' && r.jitterBufferTarget === 200),
      );
    await untilLowMark(alice, 'Bob', 256 * 1024); // the transfer yields to the call
    await expectVerified(bob, 'during-call.bin', hash);
    // The call went on through it.
    await seesAndHears(bob, 'Alice');
    await seesAndHears(alice, 'Bob');
    // And the cushion goes once the file is through (3 s after its bytes stop): no lasting delay.
    for (const p of [alice, bob])
      await until(p, () => window.testConnections[0].getReceivers().every((r) => r.jitterBufferTarget === null));
  } finally {
    await flow.closeAll(alice, bob);
  }
});

test('call: a peer blocked mid-call (a later description names another certificate) gets nothing more', async () => {
  const alice = await person('Alice');
  const bob = await person('Bob');
  try {
    await enterTogether(alice, bob);
    await joinCall(alice);
    await joinCall(bob);
    await seesAndHears(bob, 'Alice');
    // Through the server, "Bob" offers a description whose certificate is not the one DTLS uses.
    await bob.page.evaluate(() => {
      const mesh = __cieloweb.mesh;
      const link = mesh.links()[0];
      const sdp = link.pc.localDescription.sdp.replace(
        /a=fingerprint:sha-256 ([0-9A-F:]+)/g,
        (_, hex) => `a=fingerprint:sha-256 ${hex.split(':').reverse().join(':')}`,
      );
      mesh.signaling_.signal(link.id, { gen: mesh.connection(link.id).gen, description: { type: 'offer', sdp } });
    });
    await flow.peerItem(alice.page, 'Bob', 'blocked').waitFor();
    await tile(alice, 'Bob').waitFor({ state: 'detached' });
    // Alice's senders to him are empty at once, and no more of her audio or video reaches him.
    await until(alice, () => window.testConnections[0].getSenders().every((s) => s.track === null));
    await bob.page.waitForTimeout(500);
    const packets = () =>
      bob.page.evaluate(async () => {
        let n = 0;
        for (const r of (await window.testConnections[0].getStats()).values())
          if (r.type === 'inbound-rtp') n += r.packetsReceived;
        return n;
      });
    const before = await packets();
    await bob.page.waitForTimeout(1500);
    assert.equal((await packets()) - before, 0, 'Alice still sends to a peer she blocked');
  } finally {
    await flow.closeAll(alice, bob);
  }
});

// A browser where getUserMedia fails for `kind` with the DOMException called `error`, as when a
// person refused the permission (NotAllowedError) or has no such device (NotFoundError).
async function withoutDevice(peer, kind, error) {
  await peer.context.addInitScript(
    ([kind, error]) => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) =>
        constraints?.[kind] ? Promise.reject(new DOMException(`no ${kind} here`, error)) : real(constraints);
    },
    [kind, error],
  );
}

test('call: a denied camera and a missing microphone are named, and the call goes on with the rest', async () => {
  const alice = await person('Alice');
  const bob = await person('Bob');
  await withoutDevice(alice, 'video', 'NotAllowedError');
  await withoutDevice(bob, 'audio', 'NotFoundError');
  try {
    await enterTogether(alice, bob);
    await joinCall(alice);
    await joinCall(bob);
    const notice = (p) => p.page.locator('[data-testid=call-notice]');
    await notice(alice).and(alice.page.locator('[data-key=callProblem_cam_denied]')).waitFor();
    assert.match(await notice(alice).textContent(), /camera is blocked/);
    await notice(bob).and(bob.page.locator('[data-key=callProblem_mic_missing]')).waitFor();
    assert.match(await notice(bob).textContent(), /No microphone/);
    // Alice is heard without a picture; Bob is seen without sound.
    await tile(bob, 'Alice').and(bob.page.locator('[data-camera=off][data-mic=on]')).waitFor();
    await tile(alice, 'Bob').and(alice.page.locator('[data-camera=on][data-mic=off]')).waitFor();
    await until(bob, async () => {
      const p = __cieloweb.call.participants()[0];
      const id = p?.camStream?.getAudioTracks()[0]?.id;
      const stats = p ? await __cieloweb.mesh.link(p.peerId).pc.getStats() : new Map();
      return [...stats.values()].some((r) => r.type === 'inbound-rtp' && r.trackIdentifier === id && r.audioLevel > 0);
    });
    await seesAndHears(alice, 'Bob', { audio: false });
    for (const p of [alice, bob]) assert.deepEqual(p.errors, [], `${p.name}: page errors`);
  } finally {
    await flow.closeAll(alice, bob);
  }
});

// The send buffer's low mark of the sender's transfer channel to `name` (the core sets it from
// the engine's watermarks at every pump), read in the sender's transfer worker.
async function lowMark(peer, name) {
  const worker = peer.page.workers().find((w) => /transfer_worker/.test(w.url()));
  return worker.evaluate(
    (n) =>
      [...globalThis.__cielowebWorker.engine.peers.values()].find((p) => p.name === n)?.channel
        ?.bufferedAmountLowThreshold ?? -1,
    name,
  );
}

async function untilLowMark(peer, name, bytes) {
  const deadline = Date.now() + 30000;
  for (let mark = await lowMark(peer, name); mark !== bytes; mark = await lowMark(peer, name)) {
    if (Date.now() > deadline) throw new Error(`the send buffer's low mark stayed ${mark}, not ${bytes}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('call: a file in flight yields to a call that starts, takes full speed again after it, and arrives verified', async () => {
  const MiB = 1024 * 1024;
  const alice = await person('Alice');
  const bob = await person('Bob');
  try {
    await enterTogether(alice, bob, { files: true });
    const hash = await offerFile(alice, bob, 'call-midway.bin', 96 * MiB);
    await untilLowMark(alice, 'Bob', 4 * MiB); // no call: the full buffers
    // A call starts mid-file: the sender's buffer shrinks (refilled below 256 KiB, up to 1 MiB).
    await joinCall(alice);
    await joinCall(bob);
    await untilLowMark(alice, 'Bob', 256 * 1024);
    await seesAndHears(bob, 'Alice');
    // It ends before the file does: full size again.
    await alice.page.click('[data-testid=call-leave]');
    await untilLowMark(alice, 'Bob', 4 * MiB);
    await expectVerified(bob, 'call-midway.bin', hash);
  } finally {
    await flow.closeAll(alice, bob);
  }
});
