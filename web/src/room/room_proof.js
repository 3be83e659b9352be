// Proof that a peer holds the room key, bound to the DTLS session it talks over.
//
// The room key lives only in the link's fragment (/r/<room>#<key>), which browsers never send to a
// server. Each side reads both DTLS certificate fingerprints from the SDP of its connection, sorts
// them and computes HMAC-SHA-256(key, label | sorted fingerprints | sender's own fingerprint). A
// signaling server that swapped fingerprints (a man in the middle with two DTLS sessions) leaves the
// two sides with different fingerprint pairs, so neither can produce the proof the other expects, and
// it cannot compute one itself without the key. The sender's own fingerprint is in the MAC so a
// middleman cannot reflect our proof back to us. The safety code comes from the same sorted pair (not
// the sender), so both sides show the same 6 digits and people can compare them out loud.

const PROOF_LABEL = 'cieloweb room proof v1';
const SAFETY_LABEL = 'cieloweb safety code v1';
export const MIN_KEY_BYTES = 16;

function base64urlEncode(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('the room key is not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// A new room key: 128 random bits, base64url (22 characters), for the link's fragment.
export function generateRoomKey() {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(MIN_KEY_BYTES)));
}

// Accepts the fragment's text; refuses keys shorter than 128 bits (a truncated link).
export async function importRoomKey(text) {
  const raw = base64urlDecode(text);
  if (raw.length < MIN_KEY_BYTES) throw new Error('the room key is too short');
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

// The fingerprint of the DTLS certificate an SDP announces ("sha-256 AB:CD:..."), normalised. Chromium
// puts one a=fingerprint per m-section, all equal (BUNDLE); media level wins over session level, as in
// JSEP, so we take the first one at media level and fall back to session level.
export function sdpFingerprint(sdp) {
  if (typeof sdp !== 'string') return null;
  let session = null;
  let inMedia = false;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) inMedia = true;
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (!match) continue;
    const value = `${match[1].toLowerCase()} ${match[2].toUpperCase()}`;
    if (inMedia) return value;
    session ??= value;
  }
  return session;
}

// Both fingerprints of a connected RTCPeerConnection, or null before both descriptions are set.
export function connectionFingerprints(pc) {
  const local = sdpFingerprint(pc.currentLocalDescription?.sdp ?? pc.localDescription?.sdp);
  const remote = sdpFingerprint(pc.currentRemoteDescription?.sdp ?? pc.remoteDescription?.sdp);
  return local && remote ? { local, remote } : null;
}

async function hmac(key, text) {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

function sortedPair({ local, remote }) {
  return [local, remote].sort().join('\n');
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// What this side sends on the app channel.
export async function makeProof(key, fingerprints) {
  return toHex(await hmac(key, `${PROOF_LABEL}\n${sortedPair(fingerprints)}\n${fingerprints.local}`));
}

// Checks the remote side's proof against the fingerprints *we* see; constant-time via subtle.verify.
export async function verifyProof(key, fingerprints, proofHex) {
  if (typeof proofHex !== 'string' || !/^[0-9a-f]{64}$/.test(proofHex)) return false;
  const mac = Uint8Array.from(proofHex.match(/../g), (h) => parseInt(h, 16));
  const data = new TextEncoder().encode(`${PROOF_LABEL}\n${sortedPair(fingerprints)}\n${fingerprints.remote}`);
  return crypto.subtle.verify('HMAC', key, mac, data);
}

// Six digits, equal on both sides of an honest connection: HMAC over the sorted pair, first 4 bytes
// reduced mod 10^6 (the bias of 2^32 mod 10^6 is negligible for a spoken check).
export async function safetyCode(key, fingerprints) {
  const mac = await hmac(key, `${SAFETY_LABEL}\n${sortedPair(fingerprints)}`);
  const n = new DataView(mac.buffer).getUint32(0);
  return String(n % 1_000_000).padStart(6, '0');
}
