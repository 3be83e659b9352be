// Room chat over each peer's app channel (peer to peer; the server never carries it):
//   {v:1, type:'chat', id, text, sentAt}   a message, sent to every open peer
//   {v:1, type:'chat-ack', id}             its receiver's delivery receipt
// Only peers whose room proof verified are open (PeerMesh), so a blocked peer neither sends nor
// receives chat.
//
// Events: 'message' {message} for a new message (ours or theirs), 'update' {message} when the
// delivery state of one of ours changes.
// A message: {id, from: 'self' | peerId, fromName, text, sentAt, to: Map<peerId, 'sent'|'delivered'>}
// and its delivery: 'failed' (no one open to send to), 'sent', 'delivered' (every addressee acked).

export const MAX_CHAT_CHARS = 4000;
export const MAX_KEPT_MESSAGES = 500; // the newest messages kept for the view
const MAX_SEEN = 4 * MAX_KEPT_MESSAGES; // ids remembered to show a retransmitted message once
// A sender's clock further than this from ours is not believed: its message shows when it came.
const MAX_CLOCK_SKEW_MS = 60 * 60 * 1000;

// When a message from another person is shown as sent: its own time if plausible (never in our
// future), else the time it arrived, so a peer cannot date messages into 1970 or next year.
export function shownSentAt(sentAt, now = Date.now()) {
  if (!Number.isFinite(sentAt) || Math.abs(sentAt - now) > MAX_CLOCK_SKEW_MS) return now;
  return Math.min(sentAt, now);
}

export function deliveryState(message) {
  if (message.from !== 'self') return 'received';
  if (message.to.size === 0) return 'failed';
  return [...message.to.values()].every((s) => s === 'delivered') ? 'delivered' : 'sent';
}

export class Chat extends EventTarget {
  constructor(mesh) {
    super();
    this.mesh_ = mesh;
    this.messages = [];
    this.byId_ = new Map();
    this.seen_ = new Set(); // "<peer>/<id>": a retransmitted message is shown once
    mesh.addEventListener('app-message', (e) => this.onMessage_(e.detail.peerId, e.detail.message));
    // A peer that leaves before acking will never ack: its entry stays 'sent', which is the truth.
  }

  send(text) {
    const clean = String(text).slice(0, MAX_CHAT_CHARS);
    if (!clean.trim()) return null;
    const message = {
      id: crypto.randomUUID(),
      from: 'self',
      fromName: null,
      text: clean,
      sentAt: Date.now(),
      to: new Map(),
    };
    for (const link of this.mesh_.links()) {
      if (this.mesh_.sendApp(link.id, { type: 'chat', id: message.id, text: clean, sentAt: message.sentAt })) {
        message.to.set(link.id, 'sent');
      }
    }
    this.add_(message);
    return message;
  }

  onMessage_(peerId, msg) {
    if (msg.type === 'chat') {
      if (typeof msg.id !== 'string' || msg.id.length > 64 || typeof msg.text !== 'string') return;
      // Ack first, even for a duplicate: the sender may have missed our earlier ack.
      this.mesh_.sendApp(peerId, { type: 'chat-ack', id: msg.id });
      const key = `${peerId}/${msg.id}`;
      if (this.seen_.has(key)) return;
      this.seen_.add(key);
      if (this.seen_.size > MAX_SEEN) this.seen_.delete(this.seen_.values().next().value);
      const peer = this.mesh_.peerList().find((p) => p.id === peerId);
      this.add_({
        id: key,
        from: peerId,
        fromName: peer?.name ?? '',
        text: msg.text.slice(0, MAX_CHAT_CHARS),
        sentAt: shownSentAt(msg.sentAt),
        to: new Map(),
      });
    } else if (msg.type === 'chat-ack') {
      const message = this.byId_.get(msg.id);
      if (message?.from !== 'self' || !message.to.has(peerId)) return;
      if (message.to.get(peerId) === 'delivered') return;
      message.to.set(peerId, 'delivered');
      this.dispatchEvent(new CustomEvent('update', { detail: { message } }));
    }
  }

  add_(message) {
    this.messages.push(message);
    this.byId_.set(message.id, message);
    if (this.messages.length > MAX_KEPT_MESSAGES) this.byId_.delete(this.messages.shift().id);
    this.dispatchEvent(new CustomEvent('message', { detail: { message } }));
  }
}
