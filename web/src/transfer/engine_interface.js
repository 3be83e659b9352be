// The transfer engine as the page sees it, the same whether it runs in the page (PageTransferEngine,
// the fallback) or in a worker (WorkerTransferEngine, engine_client.js). Every method returns a
// Promise, except handOverTransferChannel, which must act at once (see there).
//
// @typedef {object} PeerLink  what the mesh hands over for a verified peer
// @property {string} id
// @property {string} name
// @property {RTCDataChannel|null} transferChannel  in the page; null when the worker holds it
// @property {string|null} transferToken  from handOverTransferChannel, when the worker holds it
// @property {number} [maxMessageSize]
// @property {string|null} [resumeToken]  the peer's reload token (PeerMesh)
//
// @typedef {object} TransferEngineInterface  (also an EventTarget: docs/web-architecture.md)
// @property {Map<string, {id: string, name: string, attached: boolean}>} peers
// @property {(link: PeerLink) => Promise<void>} attachPeer  idempotent for the same channel
// @property {(peerId: string) => Promise<void>} detachPeer
// @property {(entries: {file: File, path: string}[], peerIds?: string[]) => Promise<string>} sendFiles  the batch id
// @property {(batchId: string) => Promise<void>} accept
// @property {(batchId: string) => Promise<void>} decline
// @property {(key: string) => Promise<void>} cancel  a batch id or `${batchId}:${transfer}`
// @property {(batchId: string) => Promise<string|null>} retry  the new batch id, if any
// @property {(batchId: string) => Promise<void>} dismiss
// @property {() => Promise<object>} snapshot  for tests and diagnostics
// @property {(sdp: string) => Promise<{ok: boolean, fingerprint?: string}>} checkRemoteDescription
// @property {() => Promise<{bytes: number, batches: number}>} storageUsage
// @property {() => Promise<{bytes: number, batches: number}>} clearReceived
// @property {(active: boolean) => Promise<void>} setCallActive  a call started or ended: transfers yield
// @property {() => void} close  the room was left: every peer detached, transfers stopped; the
//   engine is not used again
// @property {(channel: RTCDataChannel) => string|null} handOverTransferChannel  synchronous: a
//   channel can move to a worker only in the task that made it, and the mesh needs the token then;
//   null when the engine runs in the page (the channel stays with the link).

// The Promise-returning methods, in the page and over the worker bridge (nothing else is callable
// in the worker).
export const ENGINE_METHODS = Object.freeze([
  'attachPeer',
  'detachPeer',
  'sendFiles',
  'accept',
  'decline',
  'cancel',
  'retry',
  'dismiss',
  'snapshot',
  'checkRemoteDescription',
  'storageUsage',
  'clearReceived',
  'setCallActive',
]);

// The page's engine: a TransferEngine behind the interface above. Events are the engine's own.
export class PageTransferEngine {
  constructor(engine) {
    this.engine = engine;
  }

  get peers() {
    return this.engine.peers;
  }

  get core() {
    return this.engine.core;
  }

  addEventListener(...args) {
    this.engine.addEventListener(...args);
  }

  removeEventListener(...args) {
    this.engine.removeEventListener(...args);
  }

  handOverTransferChannel() {
    return null;
  }

  close() {
    this.engine.close();
  }
}

for (const method of ENGINE_METHODS) {
  PageTransferEngine.prototype[method] = async function call(...args) {
    return this.engine[method](...args);
  };
}
