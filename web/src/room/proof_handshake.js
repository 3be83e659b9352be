// One connection generation's room proof exchange on the app channel (the crypto is room_proof.js):
// once both data channels are open and the remote description settled, each side sends
//   {v:1, type:'proof', proof, name, resume?}
// where proof is the HMAC of the room key over the two certificates DTLS negotiated, and resume is
// HMAC(this tab's resume secret, the other peer's id) (see PeerMesh resumeSecret). The other side's
// proof is checked once ours is out. The outcome reaches the owner through callbacks:
//   sent(safetyCode)                 our proof is out; the safety code can be shown
//   named(name)                      the name the other side gave with its proof (cleaned)
//   verified({path, resumeToken})    its proof verified: the peer can be trusted
//   block(reason, detail)            'proof-mismatch', 'sdp-refused' or 'certificate-mismatch'
import { hmacHex, makeProof, safetyCode, transportCertificates, verifyProof } from './room_proof.js';
import { connectionPath } from './peer_connection.js';
import { cleanName } from '../text.js';

const RESUME_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export function resumeTokenFor(resumeSecret, peerId) {
  return resumeSecret ? hmacHex(resumeSecret, `cieloweb resume v1\n${peerId}`) : Promise.resolve(null);
}

export class ProofHandshake {
  // conn: the PeerConnection (its checkSdp and remoteFingerprint); pc: this generation's
  // connection; app: its app channel; transferOpen(): whether the transfer channel is open (a
  // channel handed to a worker cannot be asked: then true); live(): false once this generation is
  // replaced or the peer blocked; key: the room key; name(): our display name now.
  constructor({ conn, pc, app, transferOpen, live, key, name, peerId, resumeSecret, on }) {
    Object.assign(this, { conn_: conn, pc_: pc, app_: app, transferOpen_: transferOpen, live_: live, key_: key });
    Object.assign(this, { name_: name, peerId_: peerId, resumeSecret_: resumeSecret, on_: on });
    this.started_ = false;
    this.sent_ = false;
    this.remote_ = null; // the other side's proof message
    this.checked_ = false;
    this.fingerprints_ = null;
    this.safetyCode_ = null;
  }

  // Sends our proof when everything it needs is there; called again at each channel open and each
  // signaling state change (the offerer's channels can open before its answer is applied).
  async start() {
    if (this.app_.readyState !== 'open' || !this.transferOpen_() || this.started_ || !this.live_()) return;
    const pc = this.pc_;
    if (!(pc.currentRemoteDescription ?? pc.remoteDescription)) return; // again at signalingstatechange
    this.started_ = true;
    const fingerprints = await this.provenFingerprints_();
    if (!fingerprints || !this.live_()) return;
    this.fingerprints_ = fingerprints;
    const [proof, code, resume] = await Promise.all([
      makeProof(this.key_, fingerprints),
      safetyCode(this.key_, fingerprints),
      resumeTokenFor(this.resumeSecret_, this.peerId_),
    ]);
    if (!this.live_()) return;
    this.sent_ = true;
    this.safetyCode_ = code;
    this.app_.send(JSON.stringify({ v: 1, type: 'proof', proof, name: this.name_(), ...(resume ? { resume } : {}) }));
    this.on_.sent(code);
    if (this.remote_) await this.check_();
  }

  // The other side's proof message (one per connection; a second is ignored).
  receive(msg) {
    if (this.remote_) return;
    this.remote_ = { proof: msg.proof, name: msg.name, resume: msg.resume };
    this.check_();
  }

  async check_() {
    if (this.checked_ || !this.sent_ || !this.safetyCode_) return;
    this.checked_ = true;
    const { proof, name, resume } = this.remote_;
    const ok = await verifyProof(this.key_, this.fingerprints_, proof);
    if (!this.live_()) return;
    const shownName = cleanName(name);
    if (shownName) this.on_.named(shownName);
    if (!ok) return this.on_.block('proof-mismatch');
    const path = (await connectionPath(this.pc_).catch(() => null)) ?? 'direct';
    if (!this.live_()) return;
    // What this peer gave us to know it again after it reloads; null if none.
    const resumeToken = typeof resume === 'string' && RESUME_TOKEN_PATTERN.test(resume) ? resume : null;
    this.on_.verified({ path, resumeToken });
  }

  // The two certificates this connection's proof is bound to, or null (the peer is then blocked).
  // The remote one is what the core accepted in the description as it arrived: the browser
  // rewrites currentRemoteDescription (it moves and drops fingerprint lines), so that text no
  // longer shows what the peer sent. Our own description we made ourselves.
  async provenFingerprints_() {
    const pc = this.pc_;
    const [local, transport] = await Promise.all([
      this.conn_.checkSdp(pc.currentLocalDescription?.sdp ?? pc.localDescription?.sdp),
      transportCertificates(pc).catch(() => null),
    ]);
    if (!this.live_()) return null;
    const remote = this.conn_.remoteFingerprint;
    if (!remote) return this.refuse_('sdp-refused', 'no checked remote description');
    if (!local.ok) return this.refuse_('sdp-refused', `our own description: ${local.detail}`);
    if (!transport) return { local: local.fingerprint, remote };
    // The browser reports the certificates DTLS really used: prove over those, and only if they are
    // the ones the descriptions named.
    if (transport.remote !== remote || transport.local !== local.fingerprint) {
      return this.refuse_('certificate-mismatch', 'DTLS used another certificate than the description named');
    }
    return transport;
  }

  // Blocks the peer for `reason` and yields no fingerprints to prove over.
  refuse_(reason, detail) {
    this.on_.block(reason, detail);
    return null;
  }
}
