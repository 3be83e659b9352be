// A hostile peer for the browser tests: a real member of the room (it holds the key and passes the
// room proof) whose transfer worker is taken over by the test. Through it the test speaks the
// transfer protocol by hand, with the app's own WASM core building valid frames, and can break
// every rule on purpose: announce one thing and offer another, restart a file into a different
// one, open files and never finish them. What the victim answers is recorded.

// The peer's transfer worker (the engine runs there in Chromium), with the harness installed.
export async function takeOverWorker(peer) {
  const deadline = Date.now() + 15000;
  for (;;) {
    for (const worker of peer.page.workers()) {
      if (await worker.evaluate(() => typeof globalThis.__cielowebWorker === 'object').catch(() => false)) {
        await worker.evaluate(installHarness);
        return worker;
      }
    }
    if (Date.now() > deadline) throw new Error(`${peer.name}: no transfer worker`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Runs inside the worker. globalThis.hostile:
//   to(name) -> peer id of the attached peer called `name`
//   sendText(peerId, text) / sendFrame(peerId, bytes)
//   start(peerId, {transfer, name, size, seed, blockSize, readBlocks, patchOffer}): a core Sender
//     for `size` pseudo-random bytes (from `seed`); it answers the victim's control messages for
//     that transfer itself; `readBlocks` feeds only that many blocks (the rest stalls), and
//     `patchOffer(json)` may rewrite its offer before it goes out (as a function's source text)
//   replace(transfer, options): a new Sender for the same transfer id (a "restart")
//   received: every control message the victim sent us (parsed), in order
function installHarness() {
  if (globalThis.hostile) return;
  const { engine } = globalThis.__cielowebWorker;
  const core = engine.core;
  const HIGH = 8 * 1024 * 1024;
  const LOW = 4 * 1024 * 1024;
  const senders = new Map(); // transfer -> {sender, bytes, peerId, readBlocks, patch, pendingReads}
  const listening = new Set();
  const h = {
    received: [],
    to(name) {
      const peer = [...engine.peers.values()].find((p) => p.attached && p.name === name);
      if (!peer) throw new Error(`no attached peer called ${name}`);
      return peer.id;
    },
    channel(peerId) {
      const channel = engine.peers.get(peerId)?.channel;
      if (channel?.readyState !== 'open') throw new Error('no open transfer channel');
      if (!listening.has(peerId)) {
        listening.add(peerId);
        channel.addEventListener('message', ({ data }) => {
          if (typeof data !== 'string') return;
          let msg;
          try {
            msg = JSON.parse(data);
          } catch {
            return;
          }
          h.received.push(msg);
          const entry = senders.get(msg.transfer >>> 0);
          if (!entry || entry.peerId !== peerId) return;
          entry.sender.onControl(1, data);
          h.drive(entry);
        });
        channel.addEventListener('bufferedamountlow', () => {
          for (const entry of senders.values()) if (entry.peerId === peerId) h.drive(entry);
        });
      }
      return channel;
    },
    sendText(peerId, text) {
      h.channel(peerId).send(text);
    },
    sendFrame(peerId, bytes) {
      h.channel(peerId).send(bytes);
    },
    bytesOf(size, seed) {
      const bytes = new Uint8Array(size);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < size; i += 1) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes[i] = x & 0xff;
      }
      return bytes;
    },
    hashOf(size, seed) {
      return core.blake3Hex(h.bytesOf(size, seed));
    },
    start(peerId, { transfer, name, size, seed = 1, blockSize, readBlocks = Infinity, patchOffer = null }) {
      const sender = new core.Sender({ name, size, mtimeMs: 1000 + seed, mime: '' }, blockSize ? { blockSize } : {});
      const status = sender.status();
      if (!status.ok) throw new Error(`sender: ${status.error}`);
      const entry = {
        sender,
        peerId,
        bytes: h.bytesOf(size, seed),
        readBlocks,
        pendingReads: [],
        sent: [],
        live: true,
        patch: patchOffer ? new Function('offer', patchOffer) : null,
      };
      const old = senders.get(transfer);
      if (old) {
        old.live = false;
        old.sender.delete();
      }
      senders.set(transfer, entry);
      h.channel(peerId);
      sender.addPeer(1, transfer, 65536);
      h.drive(entry);
    },
    replace(transfer, options) {
      h.start(senders.get(transfer).peerId, { transfer, ...options });
    },
    // Lets a stalled sender read the rest of its file.
    release(transfer) {
      const entry = senders.get(transfer);
      entry.readBlocks = Infinity;
      for (const a of entry.pendingReads.splice(0))
        entry.sender.onRead(a.block, entry.bytes.subarray(a.offset, a.offset + a.length));
      h.drive(entry);
    },
    drive(entry) {
      if (!entry.live) return; // replaced by a restart
      const channel = h.channel(entry.peerId);
      for (let round = 0; round < 1000; round += 1) {
        let acted = false;
        for (let a = entry.sender.nextAction(); a !== null; a = entry.sender.nextAction()) {
          acted = true;
          if (a.type === 'read') {
            if (a.block >= entry.readBlocks) entry.pendingReads.push(a);
            else entry.sender.onRead(a.block, entry.bytes.subarray(a.offset, a.offset + a.length));
          } else if (a.type === 'control') {
            let text = a.text;
            if (entry.patch && text.includes('"type":"offer"'))
              text = JSON.stringify(entry.patch(JSON.parse(text)) ?? JSON.parse(text));
            entry.sent.push(text);
            channel.send(text);
          }
        }
        const frames = entry.sender.pump(1, channel, HIGH, LOW);
        if (!acted && frames === 0) return;
      }
    },
    progress(transfer) {
      return senders.get(transfer)?.sender.progress(1) ?? null;
    },
  };
  globalThis.hostile = h;
}
