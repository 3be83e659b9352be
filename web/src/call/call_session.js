// A call in the room: who is in it, what each sends, and the one rule for sending: our media goes
// to a peer only while both of us are in the call, its room proof verified (PeerMesh.connection is
// null before; PeerConnection sends nothing on a generation before markOpen) and it wants it.
// Remote media is shown only from the verified generation of an open peer.
//
// The protocol is this file's: on each peer's app channel (DTLS, after the proof)
//   {type: 'call', in, mic, cam, screen, streams: {cam, screen}}  our state, sent when it changes
//                                          and to each peer that opens
//   {type: 'call-watch', video}            whether that peer's camera tile is visible to us; a
//                                          hidden tile receives no video
// Events: 'change' (anything the view shows), 'notice' {key, params, tone}, 'active' {active}.
import { CallMedia } from './call_media.js';
import { cameraEncoding, isThumbnailCall, screenEncoding, VIDEO_MESH_LIMIT } from './call_policy.js';

const STREAM_ID = /^[\w{}-]{1,64}$/;
// A peer's joining or leaving the call is applied at most once a second, and less often the more
// it flips (the spacing doubles with each change beyond 2 in the last 10 s, up to 10 s): each
// change of who is in the call renegotiates our connection with that peer (through the signaling
// server), so a peer flipping it in a loop would keep us renegotiating. Its latest state is applied
// when its turn comes (tests/browser/call_attacks.test.mjs).
const IN_CALL_SPACING_MS = 1000;
export const IN_CALL_WINDOW_MS = 10000;

function inCallSpacing(changes, now) {
  const recent = changes.filter((at) => now - at < IN_CALL_WINDOW_MS).length;
  return Math.min(IN_CALL_WINDOW_MS, IN_CALL_SPACING_MS * 2 ** Math.max(0, recent - 2));
}
const MAX_TRACKS_PER_PEER = 16; // 4 slots a generation; a peer that renegotiates more is capped
// What each audio receiver of the call holds (RTCRtpReceiver.jitterBufferTarget) while files flow
// in the room (setCushion, from call/files_cushion.js): file data shares the connection and the
// cores with the call, and its bursts delay media packets by tens of milliseconds, more than the
// browser's own buffer (20-40 ms on a quiet connection) absorbs. Measured in docs/calls.md; the
// cost is that much more delay while files flow.
const CUSHION_MS = 200;

// A remote peer's state, as its last valid 'call' message said (anything else is dropped).
function readCallMessage(message) {
  const flags = ['in', 'mic', 'cam', 'screen'];
  if (!flags.every((f) => typeof message[f] === 'boolean')) return null;
  const streams = message.streams;
  if (!streams || typeof streams !== 'object') return null;
  const id = (v) => (typeof v === 'string' && STREAM_ID.test(v) ? v : null);
  return {
    in: message.in,
    mic: message.mic,
    cam: message.cam,
    screen: message.screen,
    streams: { cam: id(streams.cam), screen: id(streams.screen) },
  };
}

export class CallSession extends EventTarget {
  constructor(mesh) {
    super();
    this.mesh_ = mesh;
    this.media = new CallMedia();
    this.joined = false;
    this.cushion_ = false; // setCushion
    this.remote_ = new Map(); // peerId -> {state, watching, tracks: [{track, stream, transceiver, pc}]}
    this.abort_ = new AbortController();
    const on = (type, fn) =>
      mesh.addEventListener(type, (e) => fn.call(this, e.detail), { signal: this.abort_.signal });
    on('peer-open', (link) => {
      this.sendState_(link.id);
      this.sync_();
    });
    on('peer-left', ({ peerId }) => this.forget_(peerId));
    on('peer-blocked', ({ peerId }) => this.forget_(peerId));
    // Its connection closed (a drop, or our re-join): what it said of the call is forgotten, so a
    // new generation gets nothing until it says again that it is in the call.
    on('peer-closed', ({ peerId }) => {
      const remote = this.remote_.get(peerId);
      if (remote) Object.assign(remote, { state: null, watching: true, tracks: [] });
      this.sync_();
    });
    on('peer-track', (detail) => this.onTrack_(detail));
    on('app-message', ({ peerId, message }) => this.onMessage_(peerId, message));
    this.media.addEventListener('change', () => this.sync_(), { signal: this.abort_.signal });
  }

  // Joins with the microphone and (if `video`) the camera; a device that cannot be had is named
  // in a notice and the call goes on without it.
  async join({ video = true } = {}) {
    if (this.joined || this.joining_ || this.closed_) return;
    this.joining_ = true;
    const epoch = this.media.epoch;
    let problems;
    try {
      problems = await this.media.start({ video });
    } finally {
      this.joining_ = false;
    }
    if (this.closed_ || this.media.epoch !== epoch) return void this.media.stop(); // gone meanwhile
    for (const { device, problem } of problems) this.notice_(`callProblem_${device}_${problem}`, 'error');
    this.joined = true;
    this.broadcast_();
    this.sync_();
  }

  leave() {
    this.media.stop(); // also ends a join still waiting for its devices
    if (!this.joined) return;
    this.joined = false;
    this.broadcast_();
    this.sync_();
  }

  // Mutes or unmutes; with no microphone yet (it failed at joining), asks for one again.
  async toggleMic() {
    if (!this.joined) return;
    if (!this.media.mic) {
      const problem = await this.media.startMic();
      if (problem) return this.notice_(`callProblem_mic_${problem}`, 'error');
    } else this.media.micOn = !this.media.micOn;
    this.broadcast_();
    this.sync_();
  }

  async toggleCamera() {
    if (!this.joined) return;
    const problem = await this.media.setCamera(!this.media.camOn);
    if (problem) this.notice_(`callProblem_cam_${problem}`, 'error');
    this.broadcast_();
  }

  async toggleScreen() {
    if (!this.joined) return;
    if (this.media.screenOn) this.media.stopScreen();
    else {
      const problem = await this.media.startScreen();
      if (problem && problem !== 'denied') this.notice_(`callProblem_screen_${problem}`, 'error');
    }
    this.broadcast_();
  }

  async switchDevice(kind, deviceId) {
    const problem = await this.media.switchDevice(kind, deviceId);
    if (problem) this.notice_(`callProblem_${kind === 'audio' ? 'mic' : 'cam'}_${problem}`, 'error');
  }

  // A remote camera tile became visible or hidden: that peer sends us video only while we see it.
  setWatching(peerId, video) {
    this.mesh_.sendApp(peerId, { type: 'call-watch', video: Boolean(video) });
  }

  // The people in the call as the view shows them: remote ones only when open and verified.
  participants() {
    const out = [];
    for (const link of this.mesh_.links()) {
      const remote = this.remote_.get(link.id);
      if (!remote?.state?.in) continue;
      // Only tracks of the generation whose proof verified (a rebuilt one's wait for its proof).
      const tracks = remote.tracks.filter((t) => t.pc === link.pc && t.track.readyState === 'live');
      const streamOf = (id) => (id ? (tracks.find((t) => t.stream.id === id)?.stream ?? null) : null);
      const audio = tracks.find((t) => t.track.kind === 'audio' && t.stream.id === remote.state.streams.cam);
      out.push({
        peerId: link.id,
        name: link.name,
        path: link.path, // 'direct' | 'relayed': the call goes where the connection goes
        ...remote.state,
        camStream: streamOf(remote.state.streams.cam),
        screenStream: remote.state.screen ? streamOf(remote.state.streams.screen) : null,
        audioReceiver: audio?.transceiver.receiver ?? null,
      });
    }
    return out;
  }

  // Files are (true) or are no longer (false) on their way in the room (call/files_cushion.js).
  setCushion(on) {
    if (this.cushion_ === on) return;
    this.cushion_ = on;
    for (const remote of this.remote_.values()) for (const t of remote.tracks) this.cushionReceiver_(t.transceiver);
  }

  cushionReceiver_(transceiver) {
    const receiver = transceiver?.receiver;
    // Sound only: a new target for a video receiver holds its frames back at once (a freeze, in
    // getStats); the browser's audio/video sync then delays the picture gradually to match.
    if (receiver?.track?.kind !== 'audio' || !('jitterBufferTarget' in receiver)) return;
    receiver.jitterBufferTarget = this.cushion_ ? CUSHION_MS : null;
  }

  get peopleInCall() {
    return this.participants().length + (this.joined ? 1 : 0);
  }

  close() {
    this.closed_ = true;
    for (const remote of this.remote_.values()) clearTimeout(remote.pendingTimer);
    this.leave();
    this.syncNow_(); // at once: the room is being left
    this.abort_.abort();
  }

  // --- internals ---

  onMessage_(peerId, message) {
    if (message.type === 'call') {
      const state = readCallMessage(message);
      if (!state) return;
      const remote = this.remoteOf_(peerId);
      const now = performance.now();
      const wait = (remote.inChanges.at(-1) ?? Number.NEGATIVE_INFINITY) + inCallSpacing(remote.inChanges, now) - now;
      if (remote.pending || (state.in !== Boolean(remote.state?.in) && wait > 0)) {
        // Too soon after the last change of "in": the latest state waits for its turn.
        remote.pending = state;
        remote.pendingTimer ??= setTimeout(() => {
          const latest = remote.pending;
          Object.assign(remote, { pending: null, pendingTimer: null });
          if (this.remote_.get(peerId) === remote) this.applyRemoteState_(remote, latest);
        }, wait);
        return;
      }
      this.applyRemoteState_(remote, state);
    } else if (message.type === 'call-watch' && typeof message.video === 'boolean') {
      this.remoteOf_(peerId).watching = message.video;
      this.sync_();
    }
  }

  onTrack_({ peerId, track, streams, transceiver, pc }) {
    const stream = streams[0];
    if (!stream) return; // our peers always send a track in a stream (its id names the slot)
    const remote = this.remoteOf_(peerId);
    // A new generation's tracks replace the old ones' (those ended with their connection).
    remote.tracks = remote.tracks.filter(
      (t) => t.pc === pc && t.transceiver !== transceiver && t.track.readyState === 'live',
    );
    remote.tracks.push({ track, stream, transceiver, pc });
    if (this.cushion_) this.cushionReceiver_(transceiver);
    if (remote.tracks.length > MAX_TRACKS_PER_PEER) remote.tracks.shift();
    track.addEventListener('ended', () => this.changed_());
    this.changed_();
  }

  applyRemoteState_(remote, state) {
    if (state.in !== Boolean(remote.state?.in)) {
      const now = performance.now();
      remote.inChanges = [...remote.inChanges.filter((at) => now - at < IN_CALL_WINDOW_MS), now];
    }
    remote.state = state;
    this.sync_();
  }

  remoteOf_(peerId) {
    if (!this.remote_.has(peerId)) {
      this.remote_.set(peerId, {
        state: null,
        watching: true,
        tracks: [],
        inChanges: [], // when its "in" changed, over the last IN_CALL_WINDOW_MS
        pending: null,
        pendingTimer: null,
      });
    }
    return this.remote_.get(peerId);
  }

  forget_(peerId) {
    clearTimeout(this.remote_.get(peerId)?.pendingTimer);
    this.remote_.delete(peerId);
    this.sync_();
  }

  myState_() {
    const m = this.media;
    return {
      in: this.joined,
      mic: this.joined && m.micOn && m.mic !== null,
      cam: this.joined && m.camOn,
      screen: this.joined && m.screenOn,
      streams: { cam: m.camStream.id, screen: m.screenStream.id },
    };
  }

  sendState_(peerId) {
    this.mesh_.sendApp(peerId, { type: 'call', ...this.myState_() });
  }

  broadcast_() {
    for (const link of this.mesh_.links()) this.sendState_(link.id);
    this.changed_();
  }

  // Brings every open peer's slots to what the call is now, once per task however many messages
  // and events asked for it (a flood of 'call' messages costs one pass).
  sync_() {
    if (this.syncQueued_) return;
    this.syncQueued_ = true;
    queueMicrotask(() => this.syncNow_());
  }

  syncNow_() {
    this.syncQueued_ = false;
    const partners = this.mesh_.links().filter((l) => this.joined && this.remote_.get(l.id)?.state?.in);
    for (const link of this.mesh_.links()) {
      const conn = this.mesh_.connection(link.id);
      if (!conn) continue;
      try {
        this.syncPeer_(conn, partners.includes(link) ? this.remote_.get(link.id) : null, partners.length);
      } catch (error) {
        console.warn('call: a peer could not be brought up to date', error); // the others still are
      }
    }
    // The transfers yield while someone else is in the call with us (the engine listens).
    const active = this.joined && partners.length > 0;
    if (active !== this.active_) {
      this.active_ = active;
      this.dispatch_('active', { active });
    }
    const thumbnails = this.joined && isThumbnailCall(partners.length + 1);
    if (thumbnails !== this.thumbnails_) {
      this.thumbnails_ = thumbnails;
      if (thumbnails) this.notice_('callThumbnails', 'info', { limit: VIDEO_MESH_LIMIT });
    }
    this.changed_();
  }

  // One peer's slots: ours while it is a partner in the call (remote), none otherwise.
  syncPeer_(conn, remote, n) {
    const m = this.media;
    if (!remote) {
      if (conn.mediaTransceivers.size > 0) conn.endMedia();
      return;
    }
    conn.setMedia('mic', { kind: 'audio', stream: m.camStream, track: m.micOn ? m.mic : null });
    conn.setMedia('cam', {
      kind: 'video',
      stream: m.camStream,
      track: remote.watching ? m.cam : null,
      encoding: cameraEncoding(n),
    });
    if (m.screenOn || conn.mediaTransceivers.has('screen')) {
      conn.setMedia('screen', { kind: 'video', stream: m.screenStream, track: m.screen, encoding: screenEncoding(n) });
      conn.setMedia('screen-audio', { kind: 'audio', stream: m.screenStream, track: m.screenAudio });
    }
  }

  notice_(key, tone = 'info', params = {}) {
    this.dispatch_('notice', { key, params, tone });
  }

  changed_() {
    this.dispatch_('change', {});
  }

  dispatch_(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
