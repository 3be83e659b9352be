// One remote peer's connection across its generations: an RTCPeerConnection negotiated through the
// signaling server with "perfect negotiation" (W3C webrtc-pc §10.7), rebuilt as a new generation
// when it drops. Every signal carries its generation, so offers and candidates of an old connection
// never touch the new one; a signal with a newer generation tells this side to rebuild too. The
// impolite side rebuilds first; the polite side waits for its offer and rebuilds itself only if
// none comes.
//
// Every remote description goes through checkDescription (the core's strict SDP decoder) before
// the browser applies it; a refused one is reported ('refused') and never applied.
//
// A call's media goes in named slots ('mic', 'cam', 'screen', 'screen-audio') that belong to the
// peer, not to one generation. A slot is one sendonly transceiver per generation, made the first
// time the slot is used and reused from then on: muting, a device switch or leaving the call only
// replace its track (leaving also turns it 'inactive', one renegotiation), so no m-section is ever
// added twice. A new generation gets the live slots in its first offer, but with no track: tracks
// go on only through setMedia once the owner verified that generation (markOpen), and never to a
// blocked peer (block() takes them off). So nothing of a call is sent on a connection whose room
// proof has not verified, and the owner resumes a call after a drop from fresh state.
//
// Events (CustomEvent, payload in `detail`):
//   generation {pc, gen}   a new RTCPeerConnection; listeners make its data channels right then
//   closed     {pc}        the current generation closed (replaced, dropped or close())
//   reconnecting {}        it dropped and a new generation follows
//   failed     {}          MAX_FAILED_ATTEMPTS generations in a row never opened; no more retries
//   refused    {reason, detail}  a remote description that must not be applied:
//                          'sdp-refused' (the core said why) or 'certificate-mismatch'
//   track      {track, streams, transceiver, gen, pc}  a remote track arrived (RTCPeerConnection 'track')

const DISCONNECTED_GRACE_MS = 4000; // 'disconnected' often heals by itself; 'failed' does not
const RECONNECT_DELAY_MS = [300, 1000, 3000];
const POLITE_FALLBACK_MS = 5000; // the polite side rebuilds itself if the other side's offer never comes
const MAX_FAILED_ATTEMPTS = 3; // generations that never opened before we report "connection failed"

// Which end of the selected ICE candidate pair is a TURN relay decides 'relayed' vs 'direct'.
export async function connectionPath(pc) {
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
  });
  if (!pair)
    stats.forEach((r) => {
      if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair ??= r;
    });
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return local?.candidateType === 'relay' || remote?.candidateType === 'relay' ? 'relayed' : 'direct';
}

// Changes a sender's first encoding in place (no renegotiation); a sender mid-change keeps its old one.
function setEncoding(sender, encoding) {
  const parameters = sender.getParameters();
  if (!parameters.encodings?.length) return;
  const current = parameters.encodings[0];
  if (Object.entries(encoding).every(([k, v]) => current[k] === v)) return;
  Object.assign(current, encoding);
  sender.setParameters(parameters).catch((error) => console.warn('setParameters failed', error));
}

export class PeerConnection extends EventTarget {
  // sendSignal(data): relays `data` to this peer through the server (the generation is added here);
  // rtcConfig(): the RTCConfiguration for the next generation; polite(): whether this side yields
  // in a collision (asked at each build: our peer id can change with a re-join);
  // checkDescription(sdp) -> Promise<{ok, fingerprint} | {ok: false, error}>, or null (then every
  // description is refused with 'no-verifier').
  constructor({ sendSignal, rtcConfig, polite, checkDescription = null }) {
    super();
    this.sendSignal_ = sendSignal;
    this.rtcConfig_ = rtcConfig;
    this.isPolite_ = polite;
    this.checkDescription_ = checkDescription;
    this.pc = null;
    this.gen = 0;
    this.remoteFingerprint = null; // what the core accepted in this generation's remote descriptions
    this.built_ = false;
    this.blocked_ = false; // blocked by the owner: nothing is applied or retried any more
    this.closed_ = false; // close()d for good
    this.opened_ = false; // this generation was verified by the owner (markOpen)
    this.failedAttempts_ = 0;
    this.media_ = new Map(); // slot -> {kind, stream, track, encoding, live}: the call's, across generations
    this.transceivers_ = new Map(); // slot -> this generation's transceiver
    this.queue_ = Promise.resolve();
    this.disconnectTimer_ = null;
    this.reconnectTimer_ = null;
  }

  // We are the newcomer: build the first generation, which offers.
  start() {
    if (!this.pc && !this.closed_) this.build_(0);
  }

  // A signal from this peer: {gen, description} or {gen, candidate}.
  handleSignal(data) {
    if (this.blocked_ || this.closed_) return;
    const gen = Number.isInteger(data.gen) ? data.gen : 0;
    if (gen < this.gen || (gen === this.gen && this.pc === null && this.built_)) return; // an old connection's
    if (gen > this.gen || this.pc === null) {
      // Its first offer, or the other side rebuilt its connection (it saw a drop first).
      if (this.pc) this.closeGeneration_();
      this.build_(gen);
      // Built to answer this offer: the channels (and tracks) made with the connection ask for a
      // negotiation of their own, which must not become a competing offer while the remote one is
      // checked. Once it is answered the browser asks again if anything is still to negotiate.
      this.answeringOffer_ = data.description?.type === 'offer';
    }
    const pc = this.pc;
    this.queue_ = this.queue_
      .then(() => this.apply_(pc, data))
      .catch((error) => {
        if (this.pc !== pc) return;
        console.warn('signal failed', error);
        // A description the browser refused leaves this negotiation stuck for good (both sides
        // wait for an answer that never comes): start a new generation instead, which carries
        // the data channels and the call's slots again.
        if (data.description) this.reportDrop(pc);
      });
  }

  // The owner verified this generation (room proof): drops count as failures again only from here.
  // The call's tracks are not put back here: the owner decides again from the other side's fresh
  // state (setMedia), so nothing it stopped meanwhile (a mute, a leave) is sent even for a moment.
  markOpen() {
    this.opened_ = true;
    this.failedAttempts_ = 0;
  }

  // The owner no longer trusts this peer: the connection stays (closing would make an honest
  // other side retry in a loop) but nothing is applied, answered or rebuilt.
  block() {
    this.blocked_ = true;
    for (const slot of this.media_.keys()) this.applyMedia_(slot); // nothing more of a call goes to it
  }

  // A generation's data channel closed, or the connection failed: rebuild, unless blocked.
  reportDrop(pc) {
    if (this.pc !== pc || this.blocked_ || this.closed_) return;
    if (!this.opened_) this.failedAttempts_ += 1;
    this.closeGeneration_();
    if (this.failedAttempts_ >= MAX_FAILED_ATTEMPTS) return void this.dispatch_('failed', {});
    this.dispatch_('reconnecting', {});
    const gen = this.gen;
    // Wait a little: when the peer closed its tab, the server's peer-left arrives meanwhile and
    // removes it; the polite side waits longer, for the impolite side's new offer.
    const delay = this.polite_
      ? POLITE_FALLBACK_MS
      : RECONNECT_DELAY_MS[Math.min(this.failedAttempts_, RECONNECT_DELAY_MS.length - 1)];
    this.reconnectTimer_ = setTimeout(() => {
      if (!this.closed_ && this.gen === gen && this.pc === null) this.build_(gen + 1);
    }, delay);
  }

  // Closes the connection for good (the peer left, we left, or we re-joined under a new id).
  close() {
    this.closed_ = true;
    this.closeGeneration_();
  }

  // Sends `track` (null: nothing, as when muted) in `slot` on this generation and every later one.
  // kind: 'audio' | 'video'; stream: the MediaStream the other side sees it in (its id tells the
  // camera from the screen); encoding: {maxBitrate, scaleResolutionDownBy, maxFramerate} or null.
  setMedia(slot, { kind, stream, track = null, encoding = null }) {
    this.media_.set(slot, { kind, stream, track, encoding, live: true });
    this.applyMedia_(slot);
  }

  // Leaves the call: every slot sends nothing and turns inactive (its transceiver stays for a rejoin).
  endMedia() {
    for (const [slot, media] of this.media_) {
      Object.assign(media, { track: null, live: false });
      this.applyMedia_(slot);
    }
  }

  // The transceivers of this generation's call slots (for the tests and stats), by slot.
  get mediaTransceivers() {
    return new Map(this.transceivers_);
  }

  // The core's verdict on a description: {ok, fingerprint} or {ok: false, detail}.
  async checkSdp(sdp) {
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

  // --- internals ---

  dispatch_(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  send_(data) {
    this.sendSignal_({ gen: this.gen, ...data });
  }

  // Brings one slot's transceiver in this generation to what media_ says (see setMedia).
  applyMedia_(slot) {
    const pc = this.pc;
    const media = this.media_.get(slot);
    if (!pc || !media || pc.signalingState === 'closed') return;
    let transceiver = this.transceivers_.get(slot);
    // The other side rejected the slot's m-section (port 0): that transceiver is done; a live slot
    // gets a new one (one renegotiation).
    if (transceiver?.currentDirection === 'stopped' || transceiver?.stopped) {
      this.transceivers_.delete(slot);
      transceiver = null;
    }
    if (!transceiver) {
      if (!media.live || this.blocked_) return; // no new m-section, nor an offer, for a blocked peer
      const init = { direction: 'sendonly', streams: [media.stream] };
      if (media.encoding) init.sendEncodings = [{ ...media.encoding }];
      transceiver = pc.addTransceiver(media.kind, init);
      this.transceivers_.set(slot, transceiver);
    } else {
      const direction = media.live ? 'sendonly' : 'inactive';
      if (transceiver.direction !== direction) transceiver.direction = direction;
      if (media.encoding) setEncoding(transceiver.sender, media.encoding);
    }
    const track = this.opened_ && !this.blocked_ && media.live ? media.track : null;
    if (transceiver.sender.track !== track)
      transceiver.sender.replaceTrack(track).catch((error) => console.warn('replaceTrack failed', error));
  }

  closeGeneration_() {
    clearTimeout(this.disconnectTimer_);
    clearTimeout(this.reconnectTimer_);
    const pc = this.pc;
    if (!pc) return;
    this.pc = null;
    pc.close();
    this.dispatch_('closed', { pc });
  }

  build_(gen) {
    clearTimeout(this.reconnectTimer_);
    const pc = new RTCPeerConnection(this.rtcConfig_());
    this.pc = pc;
    this.gen = gen;
    this.built_ = true;
    this.polite_ = this.isPolite_();
    this.makingOffer_ = false;
    this.ignoreOffer_ = false;
    this.answeringOffer_ = false;
    this.opened_ = false;
    this.remoteFingerprint = null;
    this.transceivers_ = new Map();
    this.offering_ = null;
    this.queue_ = Promise.resolve();
    const current = () => this.pc === pc;

    pc.onnegotiationneeded = async () => {
      if (this.answeringOffer_ || !current()) return;
      try {
        this.makingOffer_ = true;
        this.offering_ = pc.setLocalDescription();
        await this.offering_;
        if (current()) this.send_({ description: pc.localDescription.toJSON() });
      } catch (error) {
        if (current()) console.warn('offer failed', error);
      } finally {
        this.makingOffer_ = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && current()) this.send_({ candidate: candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      if (!current()) return;
      clearTimeout(this.disconnectTimer_);
      if (pc.connectionState === 'failed') this.reportDrop(pc);
      else if (pc.connectionState === 'disconnected') {
        this.disconnectTimer_ = setTimeout(
          () => current() && pc.connectionState === 'disconnected' && this.reportDrop(pc),
          DISCONNECTED_GRACE_MS,
        );
      }
    };
    pc.ontrack = ({ track, streams, transceiver }) => {
      if (current() && !this.blocked_) this.dispatch_('track', { track, streams, transceiver, gen, pc });
    };
    // The owner's data channels first: the application m-section keeps the first slot. Then the
    // call's live slots, without tracks until markOpen.
    this.dispatch_('generation', { pc, gen });
    for (const slot of this.media_.keys()) this.applyMedia_(slot);
  }

  // The perfect negotiation pattern, serialised per connection. A polite side that receives an
  // offer while its own is out rolls its own back (setRemoteDescription does it implicitly); the
  // impolite side ignores the colliding offer, and the candidates that come with it.
  async apply_(pc, { description, candidate }) {
    if (this.pc !== pc || this.blocked_) return;
    if (description) {
      // Checked before the browser sees it: a description that could make DTLS use another
      // certificate than the one it names is never applied. (Checked first: the collision test
      // below must see the signaling state of the moment the description is applied.)
      const checked = await this.checkSdp(description.sdp);
      if (this.pc !== pc || this.blocked_) return;
      if (!checked.ok) return this.dispatch_('refused', { reason: 'sdp-refused', detail: checked.detail });
      const collision = description.type === 'offer' && (this.makingOffer_ || pc.signalingState !== 'stable');
      this.ignoreOffer_ = !this.polite_ && collision;
      if (this.ignoreOffer_) return;
      if (this.remoteFingerprint && this.remoteFingerprint !== checked.fingerprint) {
        return this.dispatch_('refused', {
          reason: 'certificate-mismatch',
          detail: 'a later description names another certificate',
        });
      }
      this.remoteFingerprint = checked.fingerprint;
      // The polite side of a collision rolls its own offer back first, explicitly: Chromium 156's
      // implicit rollback keeps the offer's RTP header extension ids, and a Firefox offer that
      // numbers them otherwise on the same mid is then refused ("extension ID reassignment"). An
      // offer still being made is waited for, so there is one to roll back.
      if (collision) {
        await this.offering_?.catch(() => {});
        if (this.pc !== pc || this.blocked_) return;
        if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      }
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        this.send_({ description: pc.localDescription.toJSON() });
        this.answeringOffer_ = false;
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.ignoreOffer_) throw error;
      }
    }
  }
}
