// One WebSocket to the signaling server (/ws, protocol v1: server/src/protocol.hpp). The server only
// introduces peers and relays opaque `signal` data between two peers of one room; it never sees chat,
// files or the room key (that stays in the URL fragment).
//
// Events (all CustomEvent, payload in `detail`):
//   joined      {room, self, peers, ice, capacity}  after every successful join, including an
//               automatic re-join after a reconnect (the server then gives us a new peer id); ice:
//               {iceServers, iceTransportPolicy} for RTCPeerConnection, or null; capacity: how many
//               people the room holds (set by its creator's plan)
//   peer-joined {peer: {id, name}}
//   peer-left   {peerId}
//   signal      {from, data}
//   error       {code, message}      errors not tied to a pending createRoom()/join()
//   closed      {willReconnect}      the socket closed; it reconnects (and re-joins) unless close() was called
//   open        {}                   the socket (re)opened and the server said welcome

const REQUEST_ERRORS = new Set([
  'room-not-found',
  'room-full',
  'already-in-room',
  'invalid-name',
  'too-many-guesses',
  'too-many-rooms',
  'too-many-rooms-created',
  'invalid-token',
  'try-again-later',
  'accounts-off',
]);
// Errors after which re-joining would fail the same way: stop instead of looping.
const FATAL_JOIN_ERRORS = new Set(['room-not-found', 'room-full', 'invalid-name', 'too-many-guesses']);
const PING_INTERVAL_MS = 15000;
const PONG_TIMEOUT_MS = 10000;
const RECONNECT_DELAYS_MS = [250, 1000, 2000, 5000, 10000];

export class SignalingError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export function defaultSignalingUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export class SignalingClient extends EventTarget {
  constructor(url = defaultSignalingUrl()) {
    super();
    this.url_ = url;
    this.socket_ = null;
    this.opened_ = null; // promise of the current socket's welcome
    this.pending_ = []; // createRoom/join requests waiting for their answer, in send order
    this.joinedRoom_ = null; // {room, name} to re-join after a reconnect
    this.closedByUser_ = false;
    this.attempt_ = 0;
    this.pingTimer_ = null;
    this.pongTimer_ = null;
    this.reconnectTimer_ = null;
    this.self = null;
  }

  // Resolves once the server said welcome; safe to call repeatedly.
  connect() {
    this.closedByUser_ = false;
    if (this.opened_) return this.opened_;
    this.opened_ = new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url_);
      this.socket_ = socket;
      let welcomed = false;
      socket.onmessage = (event) => {
        let msg;
        try {
          msg = JSON.parse(event.data);
        } catch {
          return; // the server only sends JSON; ignore anything else
        }
        if (msg.type === 'welcome' && !welcomed) {
          welcomed = true;
          this.attempt_ = 0;
          this.limits = msg.limits;
          this.startPing_();
          resolve();
          this.dispatch_('open', {});
          if (this.joinedRoom_) this.rejoin_();
          return;
        }
        this.handle_(msg);
      };
      socket.onclose = () => {
        if (this.socket_ !== socket) return;
        this.socket_ = null;
        this.opened_ = null;
        this.stopPing_();
        if (!welcomed) reject(new SignalingError('connection-failed', 'cannot reach the signaling server'));
        for (const request of this.pending_.splice(0)) {
          request.reject(new SignalingError('connection-lost', 'the signaling connection closed'));
        }
        const willReconnect = !this.closedByUser_;
        this.dispatch_('closed', { willReconnect });
        if (willReconnect) this.scheduleReconnect_();
      };
    });
    return this.opened_;
  }

  async createRoom() {
    const msg = await this.request_({ type: 'create-room' }, 'room-created');
    return msg.room;
  }

  // Hands this connection a Firebase ID token (docs/accounts.md): rooms it creates from now on get
  // the capacity of the person's plan. Resolves {plan, roomCapacity}; a refusal rejects and the
  // connection stays anonymous.
  async signIn(token) {
    const msg = await this.request_({ type: 'sign-in', token }, 'signed-in');
    return { plan: msg.plan, roomCapacity: msg.roomCapacity };
  }

  async join(room, name) {
    const msg = await this.request_({ type: 'join', room, name }, 'joined');
    this.joinedRoom_ = { room, name };
    return { self: msg.self, peers: msg.peers };
  }

  // The name used for the next (re-)join; the live name travels peer to peer (see PeerMesh).
  setName(name) {
    if (this.joinedRoom_) this.joinedRoom_.name = name;
  }

  leave() {
    if (!this.joinedRoom_) return;
    this.joinedRoom_ = null;
    this.send_({ type: 'leave' });
  }

  signal(to, data) {
    return this.send_({ type: 'signal', to, data });
  }

  close() {
    this.closedByUser_ = true;
    this.joinedRoom_ = null;
    clearTimeout(this.reconnectTimer_);
    this.socket_?.close(1000, 'bye');
  }

  // --- internals ---

  dispatch_(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  send_(msg) {
    if (this.socket_?.readyState !== WebSocket.OPEN) return false;
    this.socket_.send(JSON.stringify({ v: 1, ...msg }));
    return true;
  }

  async request_(msg, answerType) {
    await this.connect();
    return new Promise((resolve, reject) => {
      this.pending_.push({ answerType, resolve, reject });
      this.send_(msg);
    });
  }

  handle_(msg) {
    switch (msg.type) {
      case 'room-created':
      case 'signed-in':
      case 'joined': {
        const index = this.pending_.findIndex((r) => r.answerType === msg.type);
        if (msg.type === 'joined') {
          this.self = msg.self;
          this.dispatch_('joined', {
            room: msg.room,
            self: msg.self,
            peers: msg.peers,
            ice: msg.ice ?? null,
            capacity: msg.capacity ?? null,
          });
        }
        if (index >= 0) this.pending_.splice(index, 1)[0].resolve(msg);
        break;
      }
      case 'peer-joined':
        this.dispatch_('peer-joined', { peer: msg.peer });
        break;
      case 'peer-left':
        this.dispatch_('peer-left', { peerId: msg.peer });
        break;
      case 'signal':
        if (typeof msg.from === 'string' && msg.data && typeof msg.data === 'object') {
          this.dispatch_('signal', { from: msg.from, data: msg.data });
        }
        break;
      case 'pong':
        clearTimeout(this.pongTimer_);
        break;
      case 'shutdown':
        // The server is going away; its close follows and we reconnect with backoff.
        break;
      case 'error':
        // Only create/join/sign-in have answers; the server answers in order, so the oldest waits first.
        if (REQUEST_ERRORS.has(msg.code) && this.pending_.length > 0) {
          this.pending_.shift().reject(new SignalingError(msg.code, msg.message));
        } else {
          this.dispatch_('error', { code: msg.code, message: msg.message });
        }
        break;
      default:
        break; // newer server messages are ignored (forward compatibility)
    }
  }

  async rejoin_() {
    const { room, name } = this.joinedRoom_;
    try {
      await this.request_({ type: 'join', room, name }, 'joined');
    } catch (error) {
      if (FATAL_JOIN_ERRORS.has(error.code)) {
        this.joinedRoom_ = null;
        this.dispatch_('error', { code: error.code, message: error.message });
      }
    }
  }

  scheduleReconnect_() {
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt_, RECONNECT_DELAYS_MS.length - 1)];
    this.attempt_ += 1;
    clearTimeout(this.reconnectTimer_);
    this.reconnectTimer_ = setTimeout(() => {
      if (this.closedByUser_) return;
      this.connect().catch(() => {}); // a failed attempt closes and schedules the next one
    }, delay);
  }

  // The server pings at the WebSocket level; our own ping finds a dead server (half-open TCP)
  // from this side, which the browser would otherwise notice only after minutes.
  startPing_() {
    this.stopPing_();
    this.pingTimer_ = setInterval(() => {
      if (!this.send_({ type: 'ping' })) return;
      clearTimeout(this.pongTimer_);
      this.pongTimer_ = setTimeout(() => this.socket_?.close(4000, 'no pong'), PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  stopPing_() {
    clearInterval(this.pingTimer_);
    clearTimeout(this.pongTimer_);
  }
}
