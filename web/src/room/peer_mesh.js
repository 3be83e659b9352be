// One RTCPeerConnection per remote peer of the room, negotiated through the signaling server with
// "perfect negotiation" (the polite side is the one with the smaller peer id), and two negotiated,
// ordered data channels on each: id 0 'app' (room proof, names, chat) and id 1 'transfer' (the WASM
// core's frames and control messages only). See docs/web-architecture.md for the events.
//
// Glare is avoided rather than only survived: the newcomer (who finds the others in its join answer)
// builds the connection and offers; the others build theirs when that first offer arrives. (With
// both sides offering at once, Chromium 156 sometimes rolled back the polite side's offer and then
// never gathered candidates for its answer: the pair stayed "connecting" for good.) Perfect
// negotiation still guards any later collision.
//
// A connection that drops is rebuilt as a new RTCPeerConnection through the server. Every signal
// carries a generation number so that offers and candidates of an old connection can never touch
// the new one; a signal with a newer generation tells the other side to rebuild too. The impolite
// side rebuilds first; the polite side waits for its offer and only rebuilds itself if none comes.
import { hmacHex, makeProof, safetyCode, transportCertificates, verifyProof } from './room_proof.js';
import { cleanName } from '../text.js';

const DISCONNECTED_GRACE_MS = 4000; // 'disconnected' often heals by itself; 'failed' does not
const RECONNECT_DELAY_MS = [300, 1000, 3000];
const POLITE_FALLBACK_MS = 5000; // the polite side rebuilds itself if the other side's offer never comes
const MAX_FAILED_ATTEMPTS = 3; // attempts that never opened before we report "connection failed"
const DEFAULT_MAX_MESSAGE_SIZE = 65536;
// Messages that arrive after the other side verified us but before we verified it are held, then
// replayed at peer-open; a peer that floods before its proof loses the excess (it is not trusted yet).
const MAX_EARLY_MESSAGES = 256;
const RESUME_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

// Why a peer is blocked (room_view.js words each one):
//   'proof-mismatch'      its room proof did not verify for this connection
//   'sdp-refused'         its description names more than one certificate, or hides one where the
//                         browser would ignore it (the core's sdpDtlsFingerprint said why)
//   'certificate-mismatch' the certificate DTLS negotiated is not the one its description named
//   'no-verifier'         this page cannot check descriptions (the core did not load): fail closed

// Which end of the selected ICE candidate pair is a TURN relay decides 'relayed' vs 'direct'.
export async function connectionPath(pc) {
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
  });
  if (!pair) stats.forEach((r) => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair ??= r; });
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return local?.candidateType === 'relay' || remote?.candidateType === 'relay' ? 'relayed' : 'direct';
}

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
  constructor(signaling, roomKey, { name, rtcConfig = { iceServers: [] }, handOverTransferChannel = null, checkDescription = null, resumeSecret = null } = {}) {
    super();
    this.checkDescription_ = checkDescription;
    this.resumeSecret_ = resumeSecret;
    this.handOverTransferChannel_ = handOverTransferChannel;
    this.signaling_ = signaling;
    this.key_ = roomKey;
    this.name_ = name;
    this.rtcConfig_ = rtcConfig;
    this.peers_ = new Map();
    this.selfId = null;
    this.room = null;
    const on = (type, fn) => signaling.addEventListener(type, (e) => fn.call(this, e.detail));
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

  // Sends a JSON message on the app channel of one open peer; false if it is not open.
  sendApp(peerId, message) {
    const link = this.link(peerId);
    if (!link || link.appChannel.readyState !== 'open') return false;
    link.appChannel.send(JSON.stringify({ v: 1, ...message }));
    return true;
  }

  // Our display name changed: tell the open peers now, the server at the next (re-)join.
  setName(name) {
    this.name_ = name;
    this.signaling_.setName(name);
    for (const link of this.links()) this.sendApp(link.id, { type: 'name', name });
  }

  leave() {
    for (const id of [...this.peers_.keys()]) this.removePeer_(id, { silent: true });
    this.signaling_.leave();
  }

  // --- signaling side ---

  onJoined_({ room, self, peers, ice }) {
    this.room = room;
    this.selfId = self.id;
    // The server's STUN/TURN servers, with TURN credentials minted for this peer id (and renewed
    // with every re-join, as they expire).
    if (ice && Array.isArray(ice.iceServers)) {
      this.rtcConfig_ = { iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy === 'relay' ? 'relay' : 'all' };
    }
    const present = new Set(peers.map((p) => p.id));
    // After a re-join we have a new id: every old connection is stale (the others were told we
    // left), so drop them all and start again with whoever is there now.
    for (const id of [...this.peers_.keys()]) {
      if (present.has(id)) this.closePeer_(this.peers_.get(id), { forget: true });
      else this.removePeer_(id);
    }
    for (const p of peers) {
      const peer = this.ensurePeer_(p.id, p.name);
      if (!peer.pc) this.buildConnection_(peer, 0); // we are the newcomer: we offer
    }
    this.dispatch_('joined', { room, self, peers });
  }

  ensurePeer_(id, rawName) {
    const name = cleanName(rawName);
    let peer = this.peers_.get(id);
    if (!peer) {
      // No connection yet: the newcomer offers, and we build ours when its offer arrives.
      peer = { id, name, gen: 0, pc: null, state: 'connecting', failedAttempts: 0, queue: Promise.resolve() };
      this.peers_.set(id, peer);
      this.dispatch_('peer-joined', { peerId: id, name: peer.name });
    } else if (name) {
      peer.name = name;
    }
    return peer;
  }

  removePeer_(id, { silent = false } = {}) {
    const peer = this.peers_.get(id);
    if (!peer) return;
    this.closePeer_(peer, { forget: true });
    if (!silent) this.dispatch_('peer-left', { peerId: id, name: peer.name });
  }

  send_(peer, data) {
    this.signaling_.signal(peer.id, { gen: peer.gen, ...data });
  }

  onSignal_(from, data) {
    const gen = Number.isInteger(data.gen) ? data.gen : 0;
    const peer = this.ensurePeer_(from);
    // A blocked peer stays blocked: nothing it (or a relay in its name) signals is applied again.
    if (peer.state === 'blocked') return;
    if (gen < peer.gen || (gen === peer.gen && peer.pc === null && peer.built)) return; // an old connection's
    if (gen > peer.gen || peer.pc === null) {
      // Its first offer, or the other side rebuilt its connection (it saw a drop first).
      if (peer.pc) this.closePeer_(peer);
      this.buildConnection_(peer, gen);
      // Built to answer this offer: the channels made with the connection ask for a negotiation
      // of their own, which must not become a competing offer while the remote one is checked.
      peer.answeringOffer = data.description?.type === 'offer';
    }
    const pc = peer.pc;
    peer.queue = peer.queue.then(() => this.applySignal_(peer, pc, data)).catch((error) => {
      if (peer.pc === pc) console.warn('signal failed', error);
    });
  }

  // The perfect negotiation pattern (W3C webrtc-pc §10.7), serialised per peer.
  async applySignal_(peer, pc, { description, candidate }) {
    if (peer.pc !== pc || peer.state === 'blocked') return;
    if (description) {
      // Checked before the browser sees it: a description that could make DTLS use another
      // certificate than the one it names is never applied. (Checked first: the collision test
      // below must see the signaling state of the moment the description is applied.)
      const checked = await this.checkSdp_(description.sdp);
      if (peer.pc !== pc || peer.state === 'blocked') return;
      if (!checked.ok) return this.block_(peer, 'sdp-refused', checked.detail);
      const collision = description.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      if (peer.remoteFingerprint && peer.remoteFingerprint !== checked.fingerprint) {
        return this.block_(peer, 'certificate-mismatch', 'a later description names another certificate');
      }
      peer.remoteFingerprint = checked.fingerprint;
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.send_(peer, { description: pc.localDescription.toJSON() });
        peer.answeringOffer = false;
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!peer.ignoreOffer) throw error;
      }
    }
  }

  // --- connection side ---

  buildConnection_(peer, gen) {
    const pc = new RTCPeerConnection(this.rtcConfig_);
    clearTimeout(peer.reconnectTimer);
    Object.assign(peer, {
      pc,
      gen,
      built: true,
      polite: this.selfId !== null && this.selfId < peer.id,
      makingOffer: false,
      ignoreOffer: false,
      answeringOffer: false,
      link: null,
      path: null,
      safetyCode: null,
      blockedReason: null,
      blockedDetail: null,
      remoteFingerprint: null,
      proofStarted: false,
      myProofSent: false,
      remoteProof: null,
      proofChecked: false,
      state: peer.state === 'open' || peer.state === 'reconnecting' ? 'reconnecting' : 'connecting',
    });
    peer.queue = Promise.resolve();
    // Negotiated channels exist on both sides at once: no ondatachannel race, fixed ids.
    peer.app = pc.createDataChannel('app', { negotiated: true, id: 0, ordered: true });
    peer.transfer = pc.createDataChannel('transfer', { negotiated: true, id: 1, ordered: true });
    peer.transfer.binaryType = 'arraybuffer';
    peer.transferToken = this.handOverTransferChannel_?.(peer.transfer) ?? null;
    const current = () => peer.pc === pc;

    pc.onnegotiationneeded = async () => {
      // The remote offer being checked brings the channels' m-section; once it is answered the
      // browser asks again if anything is still to negotiate.
      if (peer.answeringOffer) return;
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        if (current()) this.send_(peer, { description: pc.localDescription.toJSON() });
      } catch (error) {
        if (current()) console.warn('offer failed', error);
      } finally {
        peer.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && current()) this.send_(peer, { candidate: candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      if (!current()) return;
      clearTimeout(peer.disconnectTimer);
      if (pc.connectionState === 'failed') this.onDrop_(peer, pc);
      else if (pc.connectionState === 'disconnected') {
        peer.disconnectTimer = setTimeout(() => current() && pc.connectionState === 'disconnected' && this.onDrop_(peer, pc), DISCONNECTED_GRACE_MS);
      }
    };
    // The offerer's channels can open before its setRemoteDescription(answer) resolves, i.e. before
    // the remote fingerprint is readable: try the proof again once the description settled.
    pc.onsignalingstatechange = () => current() && this.maybeStartProof_(peer, pc);
    for (const channel of peer.transferToken ? [peer.app] : [peer.app, peer.transfer]) {
      channel.addEventListener('open', () => current() && this.maybeStartProof_(peer, pc));
      channel.addEventListener('close', () => current() && this.onDrop_(peer, pc));
    }
    peer.app.addEventListener('message', (e) => current() && this.onAppMessage_(peer, pc, e.data));
    // The transfer channel's owner (TransferEngine) listens only from peer-open on; hold what comes
    // before (a handed-over channel is held by its taker).
    peer.earlyTransfer = [];
    peer.holdTransfer = (e) => peer.earlyTransfer.length < MAX_EARLY_MESSAGES && peer.earlyTransfer.push(e.data);
    if (!peer.transferToken) peer.transfer.addEventListener('message', peer.holdTransfer);
    peer.earlyApp = [];
    this.update_(peer);
  }

  // Closes a connection without reconnecting (peer left, replaced, or we re-joined).
  closePeer_(peer, { forget = false } = {}) {
    clearTimeout(peer.disconnectTimer);
    clearTimeout(peer.reconnectTimer);
    const wasOpen = peer.state === 'open';
    const pc = peer.pc;
    peer.pc = null;
    pc?.close();
    if (wasOpen) this.dispatch_('peer-closed', { peerId: peer.id });
    if (forget) this.peers_.delete(peer.id);
  }

  onDrop_(peer, pc) {
    if (peer.pc !== pc) return;
    if (peer.state === 'blocked') return; // a blocked peer is never retried from our side
    const wasOpen = peer.state === 'open';
    if (!wasOpen) peer.failedAttempts += 1;
    this.closePeer_(peer);
    if (peer.failedAttempts >= MAX_FAILED_ATTEMPTS) {
      peer.state = 'failed';
      this.update_(peer);
      this.dispatch_('peer-failed', { peerId: peer.id });
      return;
    }
    peer.state = 'reconnecting';
    this.update_(peer);
    const gen = peer.gen;
    // Wait a little: when the peer closed its tab, the server's peer-left arrives meanwhile and
    // removes it; the polite side waits longer, for the impolite side's new offer.
    const delay = peer.polite ? POLITE_FALLBACK_MS : RECONNECT_DELAY_MS[Math.min(peer.failedAttempts, RECONNECT_DELAY_MS.length - 1)];
    peer.reconnectTimer = setTimeout(() => {
      if (this.peers_.get(peer.id) === peer && peer.gen === gen && peer.pc === null) this.buildConnection_(peer, gen + 1);
    }, delay);
  }

  // The core's verdict on a description: {ok, fingerprint} or {ok: false, detail}.
  async checkSdp_(sdp) {
    if (!this.checkDescription_) return { ok: false, detail: 'no-verifier' };
    try {
      const result = await this.checkDescription_(String(sdp ?? ''));
      if (result?.ok && typeof result.fingerprint === 'string') return { ok: true, fingerprint: result.fingerprint };
      // The core's Status shape: {ok: false, code, name, error: detail}.
      const detail = typeof result?.error === 'string' ? result.error : result?.error?.detail;
      return { ok: false, detail: detail || result?.name || 'refused' };
    } catch (error) {
      return { ok: false, detail: String(error?.message ?? error) };
    }
  }

  // Keeps the connection but never uses it: closing would make an honest other side retry in a
  // loop. Nothing it held or sends is used.
  block_(peer, reason, detail = null) {
    if (peer.state === 'blocked') return;
    peer.transfer?.removeEventListener('message', peer.holdTransfer);
    peer.earlyTransfer = [];
    peer.earlyApp = [];
    peer.state = 'blocked';
    peer.blockedReason = this.checkDescription_ ? reason : 'no-verifier';
    peer.blockedDetail = detail;
    this.update_(peer);
    this.dispatch_('peer-blocked', { peerId: peer.id, reason: peer.blockedReason, detail });
  }

  // The two certificates this connection's proof is bound to, or null (the peer is then blocked).
  // The remote one is what the core accepted in the description as it arrived (applySignal_):
  // the browser rewrites currentRemoteDescription (it moves and drops fingerprint lines), so that
  // text no longer shows what the peer sent. Our own description we made ourselves.
  async provenFingerprints_(peer, pc) {
    const [local, transport] = await Promise.all([
      this.checkSdp_(pc.currentLocalDescription?.sdp ?? pc.localDescription?.sdp),
      transportCertificates(pc).catch(() => null),
    ]);
    if (peer.pc !== pc) return null;
    const remote = peer.remoteFingerprint;
    if (!remote) return this.block_(peer, 'sdp-refused', 'no checked remote description'), null;
    if (!local.ok) return this.block_(peer, 'sdp-refused', `our own description: ${local.detail}`), null;
    if (!transport) return { local: local.fingerprint, remote };
    // The browser reports the certificates DTLS really used: prove over those, and only if they are
    // the ones the descriptions named.
    if (transport.remote !== remote || transport.local !== local.fingerprint) {
      return this.block_(peer, 'certificate-mismatch', 'DTLS used another certificate than the description named'), null;
    }
    return transport;
  }

  async resumeTokenFor_(peerId) {
    return this.resumeSecret_ ? hmacHex(this.resumeSecret_, `cieloweb resume v1\n${peerId}`) : null;
  }

  async maybeStartProof_(peer, pc) {
    // Both negotiated channels open with the SCTP association; a handed-over one cannot be asked.
    const transferOpen = peer.transferToken !== null || peer.transfer.readyState === 'open';
    if (peer.app.readyState !== 'open' || !transferOpen || peer.proofStarted || peer.state === 'blocked') return;
    if (!(pc.currentRemoteDescription ?? pc.remoteDescription)) return; // again at signalingstatechange
    peer.proofStarted = true;
    const fingerprints = await this.provenFingerprints_(peer, pc);
    if (!fingerprints || peer.pc !== pc) return;
    peer.fingerprints = fingerprints;
    const [proof, code, resume] = await Promise.all([
      makeProof(this.key_, fingerprints),
      safetyCode(this.key_, fingerprints),
      this.resumeTokenFor_(peer.id),
    ]);
    if (peer.pc !== pc || peer.state === 'blocked') return;
    peer.myProofSent = true;
    peer.safetyCode = code;
    peer.state = 'verifying';
    peer.app.send(JSON.stringify({ v: 1, type: 'proof', proof, name: this.name_, ...(resume ? { resume } : {}) }));
    this.update_(peer);
    if (peer.remoteProof) await this.checkProof_(peer, pc);
  }

  async checkProof_(peer, pc) {
    if (peer.proofChecked || !peer.myProofSent || !peer.safetyCode) return;
    peer.proofChecked = true;
    const { proof, name, resume } = peer.remoteProof;
    const ok = await verifyProof(this.key_, peer.fingerprints, proof);
    if (peer.pc !== pc || peer.state === 'blocked') return;
    const shownName = cleanName(name);
    if (shownName) peer.name = shownName;
    if (!ok) return this.block_(peer, 'proof-mismatch');
    peer.path = (await connectionPath(pc).catch(() => null)) ?? 'direct';
    if (peer.pc !== pc) return;
    peer.state = 'open';
    peer.failedAttempts = 0;
    peer.link = {
      id: peer.id,
      name: peer.name,
      pc,
      appChannel: peer.app,
      transferChannel: peer.transferToken ? null : peer.transfer,
      transferToken: peer.transferToken,
      maxMessageSize: pc.sctp?.maxMessageSize || DEFAULT_MAX_MESSAGE_SIZE,
      path: peer.path,
      safetyCode: peer.safetyCode,
      // What this peer gave us to know it again after it reloads (see resumeSecret); null if none.
      resumeToken: typeof resume === 'string' && RESUME_TOKEN_PATTERN.test(resume) ? resume : null,
    };
    this.update_(peer);
    this.dispatch_('peer-open', peer.link); // listeners attach synchronously, then get what was held
    peer.transfer.removeEventListener('message', peer.holdTransfer);
    for (const data of peer.earlyTransfer.splice(0)) peer.transfer.dispatchEvent(new MessageEvent('message', { data }));
    for (const msg of peer.earlyApp.splice(0)) this.onAppMessage_(peer, pc, msg);
  }

  onAppMessage_(peer, pc, raw) {
    if (typeof raw !== 'string' || raw.length > 256 * 1024) return;
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'proof') {
      if (peer.remoteProof) return; // one proof per connection
      peer.remoteProof = { proof: msg.proof, name: msg.name, resume: msg.resume };
      this.checkProof_(peer, pc);
      return;
    }
    // Nothing but the proof is used before it verified (held until then), nothing at all from a
    // blocked peer.
    if (peer.state === 'blocked') return;
    if (peer.state !== 'open') {
      if (peer.earlyApp.length < MAX_EARLY_MESSAGES) peer.earlyApp.push(raw);
      return;
    }
    if (msg.type === 'name' && cleanName(msg.name)) {
      peer.name = cleanName(msg.name);
      peer.link.name = peer.name;
      this.update_(peer);
      return;
    }
    this.dispatch_('app-message', { peerId: peer.id, message: msg });
  }

  update_(peer) {
    this.dispatch_('peer-updated', { peerId: peer.id });
  }

  dispatch_(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
