// The room's peers: a registry of one PeerConnection per remote peer (peer_connection.js: the
// generations, perfect negotiation, rebuilds, tracks), the routing of signaling to them, two
// negotiated, ordered data channels on each generation: id 0 'app' (room proof, names, chat) and
// id 1 'transfer' (the WASM core's frames and control messages only), and the room proof on each
// (proof_handshake.js). See docs/web-architecture.md for the events.
//
// Glare is avoided rather than only survived: the newcomer (who finds the others in its join answer)
// builds the connection and offers; the others build theirs when that first offer arrives. (With
// both sides offering at once, Chromium 156 sometimes rolled back the polite side's offer and then
// never gathered candidates for its answer: the pair stayed "connecting" for good.) Perfect
// negotiation still guards any later collision (a call's tracks added on both sides at once).
import { EarlyMessages } from '../early_messages.js';
import { cleanName } from '../text.js';
import { PeerConnection } from './peer_connection.js';
import { ProofHandshake } from './proof_handshake.js';

export { connectionPath } from './peer_connection.js';

const DEFAULT_MAX_MESSAGE_SIZE = 65536;
const MAX_APP_MESSAGE_CHARS = 256 * 1024;

// Why a peer is blocked (room_view.js words each one):
//   'proof-mismatch'      its room proof did not verify for this connection
//   'sdp-refused'         its description names more than one certificate, or hides one where the
//                         browser would ignore it (the core's sdpDtlsFingerprint said why)
//   'certificate-mismatch' the certificate DTLS negotiated is not the one its description named
//   'no-verifier'         this page cannot check descriptions (the core did not load): fail closed

export class PeerMesh extends EventTarget {
  // signaling: a SignalingClient; roomKey: CryptoKey from importRoomKey(); name: our display name.
  // handOverTransferChannel(channel) -> token | null: given each new 'transfer' channel the moment
  // it is made (Chromium lets a channel move to a worker only then); when it returns a token, the
  // channel belongs to whoever took it, and the PeerLink carries `transferToken` instead of
  // `transferChannel`. The taker must hold the channel's messages until peer-open (the proof).
  // checkDescription(sdp) -> Promise<{ok, fingerprint} | {ok: false, error}>: the core's strict SDP
  // decoder; without it every peer is blocked ('no-verifier'), never trusted unchecked.
  // resumeSecret: a CryptoKey (HMAC) kept in this tab's storage; each peer is given
  // HMAC(resumeSecret, its peer id) in our proof message, which only that peer sees (the app channel
  // is DTLS). After a reload of this tab the same peer gets the same token again, so a sender can
  // give our unfinished files back to us, and to no namesake.
  constructor(
    signaling,
    roomKey,
    {
      name,
      rtcConfig = { iceServers: [] },
      handOverTransferChannel = null,
      checkDescription = null,
      resumeSecret = null,
      roomId = null,
    } = {},
  ) {
    super();
    Object.assign(this, { signaling_: signaling, key_: roomKey, name_: name, rtcConfig_: rtcConfig });
    Object.assign(this, {
      handOverTransferChannel_: handOverTransferChannel,
      checkDescription_: checkDescription,
      resumeSecret_: resumeSecret,
      roomId_: roomId, // the room this mesh is for: the tab's signaling client outlives rooms
    });
    this.peers_ = new Map();
    this.selfId = null;
    this.room = null;
    this.abort_ = new AbortController(); // leave() unhooks us from the tab's signaling client
    const on = (type, fn) =>
      signaling.addEventListener(type, (e) => fn.call(this, e.detail), { signal: this.abort_.signal });
    on('joined', this.onJoined_);
    on('peer-joined', ({ peer }) => this.ensurePeer_(peer.id, peer.name));
    on('peer-left', ({ peerId }) => this.removePeer_(peerId));
    on('signal', ({ from, data }) => this.onSignal_(from, data));
  }

  // A snapshot per remote peer for the UI: {id, name, state, path, safetyCode, attempts}.
  // state: 'connecting' | 'verifying' | 'open' | 'blocked' | 'reconnecting' | 'failed'.
  peerList() {
    return [...this.peers_.values()].map((p) => ({
      id: p.id,
      name: p.name,
      state: p.state,
      path: p.path,
      safetyCode: p.safetyCode,
      blockedReason: p.blockedReason,
      blockedDetail: p.blockedDetail,
    }));
  }

  // PeerLinks of the peers that are open (proof verified).
  links() {
    return [...this.peers_.values()].filter((p) => p.state === 'open' && p.link).map((p) => p.link);
  }

  link(peerId) {
    const p = this.peers_.get(peerId);
    return p?.state === 'open' ? p.link : null;
  }

  // The PeerConnection of an open peer (a call adds its tracks there: they survive rebuilds), or null.
  connection(peerId) {
    const p = this.peers_.get(peerId);
    return p?.state === 'open' ? p.conn : null;
  }

  // Sends a JSON message on the app channel of one open peer; false if it is not open.
  sendApp(peerId, message) {
    const link = this.link(peerId);
    if (link?.appChannel.readyState !== 'open') return false;
    link.appChannel.send(JSON.stringify({ v: 1, ...message }));
    return true;
  }

  // Our display name changed: tell the open peers now, the server at the next (re-)join.
  setName(name) {
    this.name_ = name;
    this.signaling_.setName(name);
    for (const link of this.links()) this.sendApp(link.id, { type: 'name', name });
  }

  // Leaves the room: every connection closed (no event but peer-closed), the server told, and the
  // signaling client's events no longer reach this mesh.
  leave() {
    for (const id of [...this.peers_.keys()]) this.removePeer_(id, { silent: true });
    this.abort_.abort();
    this.signaling_.leave();
  }

  // --- signaling side ---

  onJoined_({ room, self, peers, ice }) {
    if (this.roomId_ && room !== this.roomId_) return; // a late answer for a room this tab has left
    this.room = room;
    this.selfId = self.id;
    // The server's STUN/TURN servers, with TURN credentials minted for this peer id (and renewed
    // with every re-join, as they expire).
    if (ice && Array.isArray(ice.iceServers)) {
      this.rtcConfig_ = {
        iceServers: ice.iceServers,
        iceTransportPolicy: ice.iceTransportPolicy === 'relay' ? 'relay' : 'all',
      };
    }
    // After a re-join we have a new id: every old connection is stale (the others were told we
    // left), so drop them all and start again with whoever is there now.
    const present = new Set(peers.map((p) => p.id));
    for (const id of [...this.peers_.keys()]) this.removePeer_(id, { silent: present.has(id) });
    const newcomers = peers.map((p) => this.ensurePeer_(p.id, p.name));
    this.dispatch_('joined', { room, self, peers });
    // We are the newcomer: we offer. In a task of its own, because the browser builds an
    // RTCPeerConnection synchronously (tens of milliseconds on a phone for the first one): the
    // people are listed first, and entering a room is never one long task. A peer removed in
    // between (a re-join, leave()) has its connection closed, and start() does nothing then.
    setTimeout(() => {
      for (const peer of newcomers) peer.conn.start();
    }, 0);
  }

  ensurePeer_(id, rawName) {
    const name = cleanName(rawName);
    let peer = this.peers_.get(id);
    if (!peer) {
      // No connection yet: the newcomer offers, and we build ours when its offer arrives.
      peer = { id, name, state: 'connecting', conn: this.connectionTo_(id) };
      this.peers_.set(id, peer);
      this.wireConnection_(peer);
      this.dispatch_('peer-joined', { peerId: id, name: peer.name });
    } else if (name) {
      peer.name = name;
    }
    return peer;
  }

  connectionTo_(id) {
    return new PeerConnection({
      sendSignal: (data) => this.signaling_.signal(id, data),
      rtcConfig: () => this.rtcConfig_,
      polite: () => this.selfId !== null && this.selfId < id,
      checkDescription: this.checkDescription_,
    });
  }

  wireConnection_(peer) {
    const on = (type, fn) => peer.conn.addEventListener(type, (e) => fn(e.detail));
    on('generation', ({ pc }) => this.onGeneration_(peer, pc));
    on('closed', () => peer.state === 'open' && this.dispatch_('peer-closed', { peerId: peer.id }));
    on('reconnecting', () => this.setState_(peer, 'reconnecting'));
    on('failed', () => {
      this.setState_(peer, 'failed');
      this.dispatch_('peer-failed', { peerId: peer.id });
    });
    on('refused', ({ reason, detail }) => this.block_(peer, reason, detail));
    on('track', (detail) => this.dispatch_('peer-track', { peerId: peer.id, ...detail }));
  }

  removePeer_(id, { silent = false } = {}) {
    const peer = this.peers_.get(id);
    if (!peer) return;
    peer.conn.close();
    this.peers_.delete(id);
    if (!silent) this.dispatch_('peer-left', { peerId: id, name: peer.name });
  }

  onSignal_(from, data) {
    const peer = this.ensurePeer_(from);
    // A blocked peer stays blocked: nothing it (or a relay in its name) signals is applied again.
    if (peer.state !== 'blocked') peer.conn.handleSignal(data);
  }

  // --- one generation: its channels, what they carry before the proof, and the proof ---

  onGeneration_(peer, pc) {
    Object.assign(peer, {
      link: null,
      path: null,
      safetyCode: null,
      blockedReason: null,
      blockedDetail: null,
      state: peer.state === 'open' || peer.state === 'reconnecting' ? 'reconnecting' : 'connecting',
    });
    // Negotiated channels exist on both sides at once: no ondatachannel race, fixed ids.
    const app = pc.createDataChannel('app', { negotiated: true, id: 0, ordered: true });
    const transfer = pc.createDataChannel('transfer', { negotiated: true, id: 1, ordered: true });
    transfer.binaryType = 'arraybuffer';
    const transferToken = this.handOverTransferChannel_?.(transfer) ?? null;
    Object.assign(peer, {
      app,
      transfer,
      transferToken,
      earlyApp: new EarlyMessages(),
      earlyTransfer: new EarlyMessages(),
    });
    const current = () => peer.conn.pc === pc;
    const handshake = new ProofHandshake({
      conn: peer.conn,
      pc,
      app,
      transferOpen: () => transferToken !== null || transfer.readyState === 'open',
      live: () => current() && peer.state !== 'blocked',
      key: this.key_,
      name: () => this.name_,
      peerId: peer.id,
      resumeSecret: this.resumeSecret_,
      on: {
        sent: (code) => {
          peer.safetyCode = code;
          this.setState_(peer, 'verifying');
        },
        named: (name) => (peer.name = name),
        verified: (verdict) => this.open_(peer, pc, verdict),
        block: (reason, detail) => this.block_(peer, reason, detail),
      },
    });
    peer.handshake = handshake;
    pc.addEventListener('signalingstatechange', () => current() && handshake.start());
    for (const channel of transferToken ? [app] : [app, transfer]) {
      channel.addEventListener('open', () => current() && handshake.start());
      channel.addEventListener('close', () => current() && peer.conn.reportDrop(pc));
    }
    app.addEventListener('message', (e) => current() && this.onAppMessage_(peer, e.data));
    // The transfer channel's owner (TransferEngine) listens only from peer-open on; hold what comes
    // before (a handed-over channel is held by its taker).
    peer.holdTransfer = (e) => peer.earlyTransfer.hold(e.data);
    if (!transferToken) transfer.addEventListener('message', peer.holdTransfer);
    this.update_(peer);
  }

  // The proof verified: the peer is open, its PeerLink handed out, what it sent meanwhile replayed.
  open_(peer, pc, { path, resumeToken }) {
    peer.path = path;
    peer.state = 'open';
    peer.conn.markOpen();
    peer.link = {
      id: peer.id,
      name: peer.name,
      pc,
      appChannel: peer.app,
      transferChannel: peer.transferToken ? null : peer.transfer,
      transferToken: peer.transferToken,
      maxMessageSize: pc.sctp?.maxMessageSize || DEFAULT_MAX_MESSAGE_SIZE,
      path,
      safetyCode: peer.safetyCode,
      resumeToken,
    };
    this.update_(peer);
    this.dispatch_('peer-open', peer.link); // listeners attach synchronously, then get what was held
    peer.transfer.removeEventListener('message', peer.holdTransfer);
    peer.earlyTransfer.drain((data) => peer.transfer.dispatchEvent(new MessageEvent('message', { data })));
    peer.earlyApp.drain((raw) => this.onAppMessage_(peer, raw));
  }

  // Keeps the connection but never uses it: closing would make an honest other side retry in a
  // loop. Nothing it held or sends is used.
  block_(peer, reason, detail = null) {
    if (peer.state === 'blocked') return;
    peer.conn.block();
    peer.transfer?.removeEventListener('message', peer.holdTransfer);
    peer.earlyTransfer?.clear();
    peer.earlyApp?.clear();
    peer.state = 'blocked';
    peer.blockedReason = this.checkDescription_ ? reason : 'no-verifier';
    peer.blockedDetail = detail;
    this.update_(peer);
    this.dispatch_('peer-blocked', { peerId: peer.id, reason: peer.blockedReason, detail });
  }

  onAppMessage_(peer, raw) {
    if (typeof raw !== 'string' || raw.length > MAX_APP_MESSAGE_CHARS) return;
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'proof') return void peer.handshake.receive(msg);
    // Nothing but the proof is used before it verified (held until then), nothing at all from a
    // blocked peer.
    if (peer.state === 'blocked') return;
    if (peer.state !== 'open') return void peer.earlyApp.hold(raw);
    if (msg.type === 'name' && cleanName(msg.name)) {
      peer.name = cleanName(msg.name);
      peer.link.name = peer.name;
      this.update_(peer);
      return;
    }
    this.dispatch_('app-message', { peerId: peer.id, message: msg });
  }

  setState_(peer, state) {
    peer.state = state;
    this.update_(peer);
  }

  update_(peer) {
    this.dispatch_('peer-updated', { peerId: peer.id });
  }

  dispatch_(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
