// The transfer engine off the main thread. Chromium can transfer an RTCDataChannel to a worker, so
// the whole per-byte path (reading files, the WASM core's hashing and compression, frames on the
// channel, OPFS writes) runs here, and so does the drawing of progress (progress_painter.js): the
// page's main thread has nothing to do during a long transfer and stays responsive.
// engine_client.js is the page's side; calls and replies go over worker_bridge.js.
//
// Calls: 'ready' -> {channels} · the engine's methods (engine_interface.js; 'attachPeer' takes
//        [token, {id, name, maxMessageSize, resumeToken}]: the peer's room proof verified) ·
//        'paintState'.
// One-way, page -> worker: {op: 'adopt', token, channel} (a new peer connection's transfer channel,
//        moved here at creation) · {op: 'paint', row, canvas, size, colors} (a progress row's
//        OffscreenCanvas, progress_painter.js) · {op: 'paint-size', row, size} ·
//        {op: 'paint-drop', row} · {op: 'language', language} · {op: 'progress-events', on}
//        (whether the page wants the engine's 'progress' events; painted rows never need them)
// One-way, worker -> page: {type: 'events', events: [{event, detail}], peers} (besides the
//        engine's events, 'progress-step' {key, batchId, peerId, percent} for a painted row whose
//        progress crossed a multiple of 10 %)
// Events are sent in order, those of one worker task together in one message: the page's main
// thread then wakes once per progress tick, not once per file and peer. The events a call raised
// reach the page before its reply.
import { EarlyMessages } from '../early_messages.js';
import { setLanguage } from '../i18n.js';
import { loadCore } from './core_loader.js';
import { ENGINE_METHODS } from './engine_interface.js';
import { ProgressPainter, progressRowId } from './progress_painter.js';
import { TransferEngine } from './transfer_engine.js';
import { serveCalls } from './worker_bridge.js';

const painter = new ProgressPainter();
const rowOf = (detail) => progressRowId(detail.key, detail.peerId);
let forwardProgress = false;

// Messages a channel carries before its peer is verified are held (EarlyMessages), like the mesh
// does in the page.
const adopted = new Map(); // token -> {channel, early, hold, forget}

function adopt(token, channel) {
  channel.binaryType = 'arraybuffer';
  const entry = { channel, early: new EarlyMessages() };
  entry.hold = ({ data }) => entry.early.hold(data);
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
  await engine.attachPeer({ ...peer, transferChannel: channel });
  // What came before, in order, before any live message (those are later tasks of this worker).
  entry.early.drain((data) => channel.dispatchEvent(new MessageEvent('message', { data })));
}

const peersOf = (engine) => [...engine.peers.values()].map((p) => ({ id: p.id, name: p.name, attached: p.attached }));

let pendingEvents = [];
let started = null; // the engine, once ready

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
  started = engine;
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
      if (step !== null)
        toPage('progress-step', { key: detail.key, batchId: detail.batchId, peerId: detail.peerId, percent: step });
    } else if (type === 'file-complete' || type === 'file-failed') {
      painter.finish(rowOf(detail), type === 'file-complete');
    }
    if (type !== 'progress' || forwardProgress) toPage(type, detail);
    return dispatch(event);
  };
  return engine;
}

const ready = start();
// Unhandled here: 'ready' reports the failure.
ready.catch(() => {});

const handlers = {
  // Whether this browser gives workers data channels (Chromium and Safari do; where it does not,
  // the page runs the engine itself).
  ready: async () => {
    await ready;
    return { channels: typeof RTCDataChannel === 'function' };
  },
  paintState: () => painter.state(),
};
for (const method of ENGINE_METHODS) handlers[method] = async (args) => (await ready)[method](...args);
handlers.attachPeer = async ([token, peer]) => attach(await ready, token, peer);

const ops = {
  adopt: (_engine, data) => adopt(data.token, data.channel),
  paint: (_engine, data) => painter.add(data.row, data.canvas, data.size, data.colors),
  'paint-size': (_engine, data) => painter.resize(data.row, data.size),
  'paint-drop': (_engine, data) => painter.remove(data.row),
  language: (_engine, data) => setLanguage(data.language),
  'progress-events': (_engine, data) => {
    forwardProgress = data.on;
  },
};

serveCalls(handlers, {
  onMessage: async (data) => ops[data?.op]?.(await ready, data),
  beforeReply: () => started && flushEvents(started),
});
