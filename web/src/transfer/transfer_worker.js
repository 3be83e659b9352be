// The transfer engine off the main thread. Chromium can transfer an RTCDataChannel to a worker, so
// the whole per-byte path (reading files, the WASM core's hashing and compression, frames on the
// channel, OPFS writes) runs here, and so does the drawing of progress (progress_painter.js): the
// page's main thread has nothing to do during a long transfer and stays responsive.
// engine_client.js is the page's side of this protocol.
//
// Page -> worker: {op: 'adopt', token, channel} (a new peer connection's transfer channel, moved
//                 here at creation) · {op: 'attach', token, peer: {id, name, maxMessageSize}} (its
//                 room proof verified) · {op: 'detach', peerId} · {op: 'call', id, method, args}
//                 {op: 'paint', row, canvas, size, colors} (a progress row's OffscreenCanvas,
//                 progress_painter.js) · {op: 'paint-size', row, size} · {op: 'paint-drop', row}
//                 {op: 'language', language} · {op: 'progress-events', on} (whether the page
//                 wants the engine's 'progress' events; painted rows never need them)
// Worker -> page: {type: 'ready', channels} · {type: 'failed', message}
//                 {type: 'events', events: [{event, detail}], peers} · {type: 'reply', id, value, error}
//                 (besides the engine's events, 'progress-step' {key, batchId, peerId, percent} for
//                 a painted row whose progress crossed a multiple of 10 %)
// Events are sent in order, those of one worker task together in one message: the page's main
// thread then wakes once per progress tick, not once per file and peer.
import { setLanguage } from '../i18n.js';
import { loadCore } from './core_loader.js';
import { ProgressPainter, progressRowId } from './progress_painter.js';
import { TransferEngine } from './transfer_engine.js';

// Methods the page may call; anything else is refused.
const CALLS = new Set([
  'sendFiles', 'accept', 'decline', 'cancel', 'retry', 'snapshot', 'paintState', 'checkRemoteDescription',
  'storageUsage', 'dismiss', 'clearReceived',
]);

const painter = new ProgressPainter();
const rowOf = (detail) => progressRowId(detail.key, detail.peerId);
let forwardProgress = false;

// Messages a channel carries before its peer is verified are held, like the mesh does in the page;
// a peer that floods before its proof loses the excess (it is not trusted yet).
const MAX_EARLY_MESSAGES = 256;
const adopted = new Map(); // token -> {channel, early, hold, forget}

function adopt(token, channel) {
  channel.binaryType = 'arraybuffer';
  const entry = { channel, early: [] };
  entry.hold = ({ data }) => entry.early.length < MAX_EARLY_MESSAGES && entry.early.push(data);
  entry.forget = () => adopted.delete(token); // closed before it was ever verified
  channel.addEventListener('message', entry.hold);
  channel.addEventListener('close', entry.forget);
  adopted.set(token, entry);
}

async function attach(engine, token, peer) {
  const entry = adopted.get(token);
  if (!entry) return; // closed meanwhile
  adopted.delete(token);
  const { channel } = entry;
  channel.removeEventListener('close', entry.forget);
  if (channel.readyState === 'connecting') {
    await new Promise((resolve) => {
      channel.addEventListener('open', resolve, { once: true });
      channel.addEventListener('close', resolve, { once: true });
    });
  }
  channel.removeEventListener('message', entry.hold);
  if (channel.readyState !== 'open') return;
  engine.attachPeer({ ...peer, transferChannel: channel });
  // What came before, in order, before any live message (those are later tasks of this worker).
  for (const data of entry.early) channel.dispatchEvent(new MessageEvent('message', { data }));
}

const peersOf = (engine) => [...engine.peers.values()].map((p) => ({ id: p.id, name: p.name, attached: p.attached }));

let pendingEvents = [];

function flushEvents(engine) {
  if (pendingEvents.length === 0) return;
  self.postMessage({ type: 'events', events: pendingEvents, peers: peersOf(engine) });
  pendingEvents = [];
}

async function start() {
  const engine = new TransferEngine(await loadCore());
  // For diagnostics and the browser benchmark, which watch a transfer from inside this worker
  // (Playwright evaluates in workers) so that watching costs the page's main thread nothing.
  globalThis.__cielowebWorker = { engine, painter };
  // Every event the engine raises goes to the page, with the peer list (the page's "send to" list).
  const dispatch = engine.dispatchEvent.bind(engine);
  const toPage = (type, detail) => {
    if (pendingEvents.length === 0) queueMicrotask(() => flushEvents(engine));
    pendingEvents.push({ event: type, detail });
  };
  engine.dispatchEvent = (event) => {
    const { type, detail } = event;
    if (type === 'progress') {
      painter.progress(rowOf(detail), detail);
      // A painted row's screen-reader value moves in steps of 10 %: ten tiny page tasks per file.
      const step = painter.step(rowOf(detail));
      if (step !== null) toPage('progress-step', { key: detail.key, batchId: detail.batchId, peerId: detail.peerId, percent: step });
    } else if (type === 'file-complete' || type === 'file-failed') {
      painter.finish(rowOf(detail), type === 'file-complete');
    }
    if (type !== 'progress' || forwardProgress) toPage(type, detail);
    return dispatch(event);
  };
  return engine;
}

const ready = start();
ready.then(
  // Whether this browser gives workers data channels (Chromium and Safari do; where it does not,
  // the page runs the engine itself).
  () => self.postMessage({ type: 'ready', channels: typeof RTCDataChannel === 'function' }),
  (error) => self.postMessage({ type: 'failed', message: String(error?.message ?? error) }),
);

self.onmessage = async ({ data }) => {
  const engine = await ready;
  if (data.op === 'adopt') {
    adopt(data.token, data.channel);
  } else if (data.op === 'attach') {
    await attach(engine, data.token, data.peer);
  } else if (data.op === 'detach') {
    engine.detachPeer(data.peerId);
  } else if (data.op === 'paint') {
    painter.add(data.row, data.canvas, data.size, data.colors);
  } else if (data.op === 'paint-size') {
    painter.resize(data.row, data.size);
  } else if (data.op === 'paint-drop') {
    painter.remove(data.row);
  } else if (data.op === 'language') {
    setLanguage(data.language);
  } else if (data.op === 'progress-events') {
    forwardProgress = data.on;
  } else if (data.op === 'call') {
    if (!CALLS.has(data.method)) {
      self.postMessage({ type: 'reply', id: data.id, error: `unknown method ${data.method}` });
      return;
    }
    try {
      const value = data.method === 'paintState' ? painter.state() : await engine[data.method](...data.args);
      flushEvents(engine); // what the call raised reaches the page before its reply
      self.postMessage({ type: 'reply', id: data.id, value });
    } catch (error) {
      flushEvents(engine);
      self.postMessage({ type: 'reply', id: data.id, error: String(error?.message ?? error) });
    }
  }
};
