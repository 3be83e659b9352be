// The engine's peers (a mixin of TransferEngine): attaching and detaching a peer's transfer
// channel, recognising a receiver that reloaded its tab, and putting text and frames on a channel.
//
// When a channel is attached both sides send `hello` (encoded by the core, like every message of
// the channel). A message that arrives before the other side attached its listener is lost, so
// whoever receives the first `hello` of a channel answers it and offers its unfinished files
// again; the peer then resumes from what it has.

const DEFAULT_MAX_MESSAGE = 65536;
// Frames stay at most 64 KiB even where the channel takes more (Chromium: 256 KiB). Measured between
// two Chromium processes here, in interleaved rounds: 64 KiB frames carried random data at
// 0.88–0.90x the bare channel's rate, 256 KiB frames at 0.80x (the channel is CPU-bound, and larger
// messages cost its SCTP stack more per byte).
const MAX_FRAME_BYTES = 65536;
// The channel's send buffer is refilled below 4 MiB up to 8 MiB: on a machine whose cores are
// all busy, the worker may wait for one, and 4 MiB (about 0.4 s at 10 MB/s) keeps the channel fed
// meanwhile (measured: a 1 MiB low mark let it run dry now and then).
const HIGH_WATERMARK = 8 * 1024 * 1024;
const LOW_WATERMARK = 4 * 1024 * 1024;
// While a call is on, the transfers yield: at most 1 MiB waits in the send buffer (refilled below
// 256 KiB), so file data takes less of the connection's and the machine's time from the call's
// audio and video; full again when the call ends (docs/calls.md has the measured effect).
const CALL_HIGH_WATERMARK = 1024 * 1024;
const CALL_LOW_WATERMARK = 256 * 1024;
// While a call is on, a batch to a peer we were sending nothing to waits this long after its offer
// before its first frame: offering raises the call's audio buffers on both sides
// (call/files_cushion.js), and the browser grows a buffer into its new target over about 1.8 s
// (measured: 20 to 150 ms). With no lead, the first burst of a file still cut the sound now and
// then; with 1 s (or 1.5 s) no round did (docs/calls.md).
export const CALL_LEAD_MS = 1000;

export const peerMethods = {
  peerNumber(id) {
    if (!this.numbers.has(id)) {
      const n = this.numbers.size + 1;
      this.numbers.set(id, n);
      this.ids.set(n, id);
    }
    return this.numbers.get(id);
  },

  maxMessageSizeOf(peerId) {
    return this.peers.get(peerId)?.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
  },

  attachPeer(link) {
    const known = this.peers.get(link.id);
    if (known?.attached && known.channel === link.transferChannel) return; // attached twice: no-op
    if (known?.attached) this.detachPeer(link.id);
    const channel = link.transferChannel;
    channel.binaryType = 'arraybuffer';
    const peer = {
      id: link.id,
      name: link.name,
      channel,
      attached: true,
      helloSeen: false,
      maxMessageSize: Math.min(link.maxMessageSize || DEFAULT_MAX_MESSAGE, MAX_FRAME_BYTES),
      // What the peer gave us at proof time to know it again after a reload (PeerMesh); never its name.
      resumeToken: typeof link.resumeToken === 'string' ? link.resumeToken : null,
    };
    peer.onMessage = (e) => this.onMessage(peer, e.data);
    peer.onLow = () => this.pumpPeer(peer.id);
    peer.onClose = () => this.peers.get(peer.id) === peer && this.detachPeer(peer.id);
    channel.addEventListener('message', peer.onMessage);
    channel.addEventListener('bufferedamountlow', peer.onLow);
    channel.addEventListener('close', peer.onClose);
    this.peers.set(link.id, peer);
    if (!known) this.adoptReloadedPeer(peer);
    this.sendControl(peer.id, { type: 'hello' });
    this.offerUnfinished(peer.id);
    this.emit('peers-changed', { peerId: peer.id });
  },

  // A drop: the sender pauses (in-flight blocks are forgotten), the receiver drops partial blocks;
  // both continue with only the missing blocks when the peer is attached again.
  detachPeer(peerId) {
    const peer = this.peers.get(peerId);
    if (!peer?.attached) return;
    peer.channel.removeEventListener('message', peer.onMessage);
    peer.channel.removeEventListener('bufferedamountlow', peer.onLow);
    peer.channel.removeEventListener('close', peer.onClose);
    peer.attached = false;
    peer.channel = null;
    for (const file of this.sending.values()) file.pausePeer(peerId);
    for (const item of this.receiving.values()) if (item.peerId === peerId) item.onDisconnected();
    this.emit('peers-changed', { peerId });
  },

  // The other side's hello: answered once (unless it is itself an answer), and our unfinished
  // files offered again.
  onHello(peer, hello) {
    if (peer.helloSeen) return;
    peer.helloSeen = true;
    if (!hello.reply) this.sendControl(peer.id, { type: 'hello', reply: true });
    this.offerUnfinished(peer.id);
  },

  // A receiver that reloaded its tab joins under a new peer id. If a detached peer presented the
  // same resume token (a secret of that tab's, given only to us: PeerMesh) and has unfinished files
  // from us, offer them again to the new id: its resume store knows what it already has. A display
  // name proves nothing: anyone can take it.
  adoptReloadedPeer(peer) {
    if (!peer.resumeToken) return;
    const candidates = [...this.peers.values()].filter(
      (p) =>
        !p.attached &&
        p.id !== peer.id &&
        p.resumeToken === peer.resumeToken &&
        [...this.sending.values()].some((f) => f.unfinishedPeers().includes(p.id)),
    );
    if (candidates.length !== 1) return;
    const old = candidates[0].id;
    this.peers.delete(old);
    for (const batch of this.outgoing.values()) {
      const files = batch.files.filter((f) => f.unfinishedPeers().includes(old));
      if (files.length === 0) continue;
      batch.peerIds.add(peer.id);
      this.sendBatchMessage(peer.id, batch);
      for (const file of files) {
        file.forgetPeer(old);
        file.addPeer(peer.id, peer.maxMessageSize);
      }
    }
    this.emit('peer-replaced', { oldPeerId: old, newPeerId: peer.id });
  },

  // The batch message and the offers again, for every file this peer has not finished.
  offerUnfinished(peerId) {
    for (const batch of this.outgoing.values()) {
      const files = batch.files.filter((f) => f.unfinishedPeers().includes(peerId));
      if (files.length === 0) continue;
      this.sendBatchMessage(peerId, batch);
      for (const file of files) {
        const offer = file.peers.get(peerId).offerText;
        if (offer) this.sendText(peerId, offer);
      }
    }
  },

  sendText(peerId, text) {
    const channel = this.peers.get(peerId)?.channel;
    if (channel?.readyState === 'open') channel.send(text);
  },

  // A message of the page's own (core.encodeControl: hello, batch, cancel).
  sendControl(peerId, message) {
    const encoded = this.core.encodeControl(message);
    if (!encoded.ok) return console.warn(`a '${message.type}' message was not sent (${encoded.name})`);
    return this.sendText(peerId, encoded.text);
  },

  // A call in the room started or ended (CallSession 'active').
  setCallActive(active) {
    this.callActive = Boolean(active);
    for (const peerId of this.peers.keys()) this.pumpPeer(peerId); // the new watermarks, at once
  },

  // Called by sendFiles before the batch's files are added: a peer that data is already flowing to
  // keeps its flow (the call's buffers have grown for it); any other gets a lead.
  startCallLead(peerIds) {
    const busy = new Set();
    for (const file of this.sending.values()) for (const [id, p] of file.peers) if (p.state === 'sending') busy.add(id);
    const until = performance.now() + CALL_LEAD_MS;
    for (const id of peerIds) {
      if (busy.has(id)) continue;
      clearTimeout(this.callLeads.get(id)?.timer);
      this.callLeads.set(id, { until, timer: null });
    }
  },

  // While a call is on and `peerId`'s lead runs: true, and one pump is due when it ends.
  inCallLead(peerId) {
    const lead = this.callLeads.get(peerId);
    if (!lead) return false;
    const wait = lead.until - performance.now();
    if (wait <= 0 || !this.callActive) {
      clearTimeout(lead.timer);
      this.callLeads.delete(peerId);
      return false;
    }
    lead.timer ??= setTimeout(() => {
      lead.timer = null;
      this.pumpPeer(peerId);
    }, wait);
    return true;
  },

  pumpPeer(peerId) {
    const peer = this.peers.get(peerId);
    if (!peer?.attached || peer.channel.readyState !== 'open') return;
    if (this.inCallLead(peerId)) return;
    const [high, low] = this.callActive ? [CALL_HIGH_WATERMARK, CALL_LOW_WATERMARK] : [HIGH_WATERMARK, LOW_WATERMARK];
    // Files in the order they were sent: the first ones fill the channel first.
    for (const file of this.sending.values()) {
      if (file.released || !file.peers.has(peerId)) continue;
      file.pump(peerId, peer.channel, high, low);
      file.takeActions();
    }
  },
};
