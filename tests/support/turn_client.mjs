// A small TURN client over UDP (node:dgram), written for the tests that mount attacks on a real
// coturn: STUN messages (RFC 8489) with MESSAGE-INTEGRITY and FINGERPRINT, TURN Allocate, Refresh,
// CreatePermission and Send/Data indications (RFC 8656), IPv6 allocations (RFC 6156), and the
// long-term credentials of coturn's shared-secret scheme ("TURN REST API", use-auth-secret).
//
//   const { username, password } = restCredential(secret, { expiresAt, peer });
//   const turn = await TurnClient.connect('127.0.0.1', port);
//   await turn.binding()                     -> { address, port } the server sees us at
//   await turn.allocate({ username, password, family: 'ipv4' | 'ipv6' })
//       -> { ok: true, relayed: { address, port }, mapped, lifetime } | { ok: false, code, reason }
//   await turn.createPermission('10.0.0.1')  -> { ok: true } | { ok: false, code, reason }
//   turn.send({ address, port }, bytes)     -> a Send indication (no answer, by design)
//   turn.received                            -> the Data indications so far: [{ peer, data }]
//   await turn.refresh(0)                     -> ends the allocation
//   turn.close()
// A request that gets no answer within `timeoutMs` (retransmitted meanwhile) rejects. The client
// talks from loopback to a server on loopback; it signs what it sends and does not check the
// integrity of the answers.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

const MAGIC = 0x2112a442;
const FINGERPRINT_XOR = 0x5354554e;
const Method = { binding: 0x001, allocate: 0x003, refresh: 0x004, send: 0x006, data: 0x007, createPermission: 0x008 };
const Class = { request: 0, indication: 1, success: 2, error: 3 };
const Attr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  data: 0x0013,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
  fingerprint: 0x8028,
};

// coturn's REST scheme: the username carries its own expiry, the password is the username signed
// with the shared secret.
export function restCredential(secret, { expiresAt = Math.floor(Date.now() / 1000) + 600, peer = 'test' } = {}) {
  const username = `${expiresAt}:${peer}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// The message type interleaves the method's 12 bits with the 2 class bits (RFC 8489 section 5).
function messageType(method, cls) {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

function splitType(type) {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = ((type >> 4) & 1) | ((type >> 7) & 2);
  return { method, cls };
}

function attribute(type, value) {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function ipBytes(address) {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!net.isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), 2 * i);
  return out;
}

function ipText(bytes) {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

// XOR-*-ADDRESS: the port is XORed with the cookie's top half, the address with the cookie (and,
// for IPv6, the transaction id).
function xorMask(tid) {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC, 0);
  tid.copy(mask, 4);
  return mask;
}

function encodeXorAddress({ address, port }, tid) {
  const ip = ipBytes(address);
  const mask = xorMask(tid);
  const head = Buffer.from([0, ip.length === 4 ? 1 : 2, 0, 0]);
  head.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  return Buffer.concat([head, Buffer.from(ip.map((b, i) => b ^ mask[i]))]);
}

function decodeXorAddress(value, tid) {
  const mask = xorMask(tid);
  const length = value[1] === 1 ? 4 : 16;
  const ip = Buffer.from(value.subarray(4, 4 + length).map((b, i) => b ^ mask[i]));
  return { address: ipText(ip), port: value.readUInt16BE(2) ^ (MAGIC >>> 16) };
}

// The whole message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over everything before it, the
// length already counting it), then FINGERPRINT (CRC-32 over everything before it).
export function encodeMessage(method, cls, tid, attributes, { key } = {}) {
  const body = Buffer.concat(attributes.map(([type, value]) => attribute(type, value)));
  const header = Buffer.alloc(20);
  header.writeUInt16BE(messageType(method, cls), 0);
  header.writeUInt32BE(MAGIC, 4);
  tid.copy(header, 8);
  let message = Buffer.concat([header, body]);
  if (key) {
    message.writeUInt16BE(message.length - 20 + 24, 2);
    const mac = createHmac('sha1', key).update(message).digest();
    message = Buffer.concat([message, attribute(Attr.messageIntegrity, mac)]);
  }
  message.writeUInt16BE(message.length - 20 + 8, 2);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(message) ^ FINGERPRINT_XOR) >>> 0, 0);
  return Buffer.concat([message, attribute(Attr.fingerprint, crc)]);
}

export function decodeMessage(bytes) {
  if (bytes.length < 20 || bytes.readUInt32BE(4) !== MAGIC || bytes.readUInt16BE(2) + 20 !== bytes.length) return null;
  const attributes = new Map();
  for (let at = 20; at + 4 <= bytes.length; ) {
    const type = bytes.readUInt16BE(at);
    const length = bytes.readUInt16BE(at + 2);
    if (at + 4 + length > bytes.length) return null;
    if (!attributes.has(type)) attributes.set(type, bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { ...splitType(bytes.readUInt16BE(0)), tid: bytes.subarray(8, 20), attributes };
}

function errorOf(message) {
  const value = message.attributes.get(Attr.errorCode);
  if (!value) return { code: 0, reason: 'no ERROR-CODE' };
  const reason = value.subarray(4).toString('utf8').replace(/\0+$/, '');
  return { code: (value[2] & 0x7) * 100 + value[3], reason };
}

export class TurnClient {
  constructor(socket, server, timeoutMs) {
    this.socket = socket;
    this.server = server;
    this.timeoutMs = timeoutMs;
    this.pending = new Map();
    this.received = [];
    this.auth = null;
    socket.on('message', (bytes) => this.onMessage(bytes));
  }

  static async connect(host, port, { timeoutMs = 3000 } = {}) {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, net.isIPv6(host) ? '::1' : '127.0.0.1', resolve);
    });
    return new TurnClient(socket, { host, port }, timeoutMs);
  }

  onMessage(bytes) {
    const message = decodeMessage(bytes);
    if (!message) return;
    if (message.method === Method.data && message.cls === Class.indication) {
      const peer = message.attributes.get(Attr.xorPeerAddress);
      const data = message.attributes.get(Attr.data);
      if (peer && data) this.received.push({ peer: decodeXorAddress(peer, message.tid), data: Buffer.from(data) });
      return;
    }
    const waiter = this.pending.get(message.tid.toString('hex'));
    if (waiter) waiter(message);
  }

  // One request, retransmitted every 250 ms until an answer or the deadline. An attribute's value
  // may be a function of the transaction id (XOR-PEER-ADDRESS is masked with it).
  request(method, attributes, key) {
    const tid = randomBytes(12);
    const values = attributes.map(([type, value]) => [type, typeof value === 'function' ? value(tid) : value]);
    const bytes = encodeMessage(method, Class.request, tid, values, { key });
    const id = tid.toString('hex');
    return new Promise((resolve, reject) => {
      const send = () => this.socket.send(bytes, this.server.port, this.server.host);
      const again = setInterval(send, 250);
      const deadline = setTimeout(() => {
        finish();
        reject(new Error(`no answer from the TURN server to method 0x${method.toString(16)}`));
      }, this.timeoutMs);
      const finish = () => {
        clearInterval(again);
        clearTimeout(deadline);
        this.pending.delete(id);
      };
      this.pending.set(id, (message) => {
        finish();
        resolve(message);
      });
      send();
    });
  }

  authAttributes() {
    const { username, realm, nonce } = this.auth;
    return [
      [Attr.username, Buffer.from(username)],
      [Attr.realm, Buffer.from(realm)],
      [Attr.nonce, Buffer.from(nonce)],
    ];
  }

  // An authenticated request; a stale nonce (438) is taken up and the request sent once more.
  async authenticated(method, attributes) {
    if (!this.auth) throw new Error('allocate first');
    for (let attempt = 0; ; attempt++) {
      const answer = await this.request(method, [...attributes, ...this.authAttributes()], this.auth.key);
      if (answer.cls === Class.error && errorOf(answer).code === 438 && attempt === 0) {
        this.auth.nonce = answer.attributes.get(Attr.nonce).toString();
        continue;
      }
      return answer;
    }
  }

  // A STUN Binding request: the address the server sees us at (also a cheap "are you up?").
  async binding() {
    const answer = await this.request(Method.binding, []);
    const mapped = answer.attributes.get(Attr.xorMappedAddress);
    return mapped ? decodeXorAddress(mapped, answer.tid) : null;
  }

  async allocate({ username, password, family = 'ipv4', lifetime } = {}) {
    const attributes = [[Attr.requestedTransport, Buffer.from([17, 0, 0, 0])]];
    if (family === 'ipv6') attributes.push([Attr.requestedAddressFamily, Buffer.from([2, 0, 0, 0])]);
    if (lifetime !== undefined) attributes.push([Attr.lifetime, u32(lifetime)]);
    // The first request goes without credentials: the answer (401) names the realm and a nonce.
    const challenge = await this.request(Method.allocate, attributes);
    if (challenge.cls !== Class.error) return { ok: false, code: 0, reason: 'allocated without credentials' };
    const realm = challenge.attributes.get(Attr.realm)?.toString();
    const nonce = challenge.attributes.get(Attr.nonce)?.toString();
    if (realm === undefined || nonce === undefined) return { ok: false, ...errorOf(challenge) };
    const key = createHash('md5').update(`${username}:${realm}:${password}`).digest();
    this.auth = { username, realm, nonce, key };
    const answer = await this.authenticated(Method.allocate, attributes);
    if (answer.cls !== Class.success) return { ok: false, ...errorOf(answer) };
    const get = (type) => answer.attributes.get(type);
    return {
      ok: true,
      relayed: decodeXorAddress(get(Attr.xorRelayedAddress), answer.tid),
      mapped: get(Attr.xorMappedAddress) && decodeXorAddress(get(Attr.xorMappedAddress), answer.tid),
      lifetime: get(Attr.lifetime)?.readUInt32BE(0),
    };
  }

  async createPermission(...addresses) {
    const peers = addresses.map((address) => [
      Attr.xorPeerAddress,
      (tid) => encodeXorAddress({ address, port: 0 }, tid),
    ]);
    return outcome(await this.authenticated(Method.createPermission, peers));
  }

  async refresh(lifetime) {
    return outcome(await this.authenticated(Method.refresh, [[Attr.lifetime, u32(lifetime)]]));
  }

  // A Send indication: coturn relays the data only to a peer with a permission, and says nothing.
  send(peer, data) {
    const tid = randomBytes(12);
    const bytes = encodeMessage(Method.send, Class.indication, tid, [
      [Attr.xorPeerAddress, encodeXorAddress(peer, tid)],
      [Attr.data, Buffer.from(data)],
    ]);
    this.socket.send(bytes, this.server.port, this.server.host);
  }

  close() {
    for (const waiter of this.pending.values()) waiter({ cls: Class.error, attributes: new Map() });
    this.socket.close();
  }
}

function outcome(answer) {
  return answer.cls === Class.success ? { ok: true } : { ok: false, ...errorOf(answer) };
}

function u32(value) {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value, 0);
  return out;
}
