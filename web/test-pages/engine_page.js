// Test page: one TransferEngine and its panel, connected to another page through an
// RTCPeerConnection whose offer/answer the test carries (no signaling server, no room proof).
import { loadCore } from '../src/transfer/core_loader.js';
import { TransferEngine } from '../src/transfer/transfer_engine.js';
import { mountTransferPanel } from '../src/transfer/transfer_panel.js';

const links = new Map();
const mesh = new EventTarget();
mesh.links = () => [...links.values()];
mesh.peerList = () => [...links.values()].map((l) => ({ id: l.id, name: l.name, state: 'open' }));

async function gathered(pc) {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
  }
  return JSON.stringify(pc.localDescription);
}

// Both sides: the same negotiated channels as the room's PeerMesh (0 'app', 1 'transfer').
function connection(peerId, name) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const appChannel = pc.createDataChannel('app', { negotiated: true, id: 0 });
  const transferChannel = pc.createDataChannel('transfer', { negotiated: true, id: 1 });
  // Id 2: a bare channel for the benchmark's best-case sender (the engine never touches it).
  const benchChannel = pc.createDataChannel('bench', { negotiated: true, id: 2 });
  benchChannel.binaryType = 'arraybuffer';
  const link = { id: peerId, name, pc, appChannel, transferChannel, benchChannel, maxMessageSize: 65536, path: 'direct', safetyCode: '000000' };
  transferChannel.addEventListener('open', () => {
    link.maxMessageSize = pc.sctp?.maxMessageSize || 65536;
    links.set(peerId, link);
    mesh.dispatchEvent(new CustomEvent('peer-open', { detail: link }));
  });
  transferChannel.addEventListener('close', () => {
    if (links.get(peerId) === link) {
      links.delete(peerId);
      mesh.dispatchEvent(new CustomEvent('peer-closed', { detail: { peerId } }));
    }
  });
  return { pc, link };
}

const pending = new Map();
const page = {
  async offer(peerId, name) {
    const { pc } = connection(peerId, name);
    pending.set(peerId, pc);
    await pc.setLocalDescription(await pc.createOffer());
    return gathered(pc);
  },
  async answer(peerId, name, offer) {
    const { pc } = connection(peerId, name);
    await pc.setRemoteDescription(JSON.parse(offer));
    await pc.setLocalDescription(await pc.createAnswer());
    return gathered(pc);
  },
  async finish(peerId, answer) {
    await pending.get(peerId).setRemoteDescription(JSON.parse(answer));
    pending.delete(peerId);
  },
  cut(peerId) {
    links.get(peerId)?.pc.close();
    const link = links.get(peerId);
    if (link) {
      links.delete(peerId);
      mesh.dispatchEvent(new CustomEvent('peer-closed', { detail: { peerId } }));
    }
  },
  links,
  // Best case for the channel: the same 64 KiB messages as the core's frames, paced by
  // bufferedAmount with the same watermarks, no reading, hashing or compression.
  rawSend(peerId, total) {
    const channel = links.get(peerId).benchChannel;
    const chunk = new Uint8Array(65536);
    crypto.getRandomValues(chunk.subarray(0, 65536));
    let sent = 0;
    channel.bufferedAmountLowThreshold = 1024 * 1024;
    const started = Date.now();
    const pump = () => {
      while (sent < total && channel.bufferedAmount < 4 * 1024 * 1024) {
        channel.send(chunk);
        sent += chunk.byteLength;
      }
    };
    channel.addEventListener('bufferedamountlow', pump);
    pump();
    return started;
  },
  rawReceive(peerId, total) {
    const channel = links.get(peerId).benchChannel;
    let received = 0;
    return new Promise((resolve) => {
      channel.addEventListener('message', ({ data }) => {
        received += data.byteLength;
        if (received >= total) resolve(Date.now());
      });
    });
  },
};

const core = await loadCore();
const engine = new TransferEngine(core);
mountTransferPanel(document.getElementById('transfers'), engine, mesh);
globalThis.__cieloweb = { ...globalThis.__cieloweb, engine, core, page };
document.body.dataset.engineReady = 'true';
