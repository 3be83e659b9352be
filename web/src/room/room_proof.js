// Proof that a peer holds the room key, bound to the DTLS session it really talks over.
//
// The room key lives only in the link's fragment (/r/<room>#<key>), which browsers never send to a
// server. Each side proves HMAC-SHA-256(key, label | "from" prover's certificate | "to" verifier's
// certificate), where a certificate is named by its fingerprint ("sha-256 AB:CD:…").
//
// Which certificates: those the DTLS transport in use negotiated. Where the browser reports them
// (getStats(): the transport's localCertificateId / remoteCertificateId → certificate stats, as in
// Chromium) we prove over those and require the signaled fingerprint to be the same; elsewhere over
// the fingerprints of the descriptions, which the core's strict SDP decoder
// (sdpDtlsFingerprint) accepted only if each names one certificate for the whole live transport:
// a relay cannot park a victim's fingerprint in a rejected or non-BUNDLE m-section that the
// browser ignores while DTLS runs with the relay's own certificate.
//
// A relay that bridges two DTLS sessions leaves each side with a certificate pair the other side
// never saw, so neither proof verifies and the relay cannot make one without the key. The proof
// names its direction (prover first), so a proof reflected back to its maker never verifies. The
// safety code is an HMAC over the sorted pair: equal on both ends of one session, different on the
// two halves of a bridge (each half has a different pair), and not computable without the key.

const PROOF_LABEL = 'cieloweb room proof v2';
const SAFETY_LABEL = 'cieloweb safety code v2';
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

// "sha-256 AB:CD:…": the one spelling of a certificate fingerprint, as the core's SDP decoder
// prints it, from a certificate stats entry's fingerprintAlgorithm and fingerprint.
export function fingerprintText(algorithm, hex) {
  if (typeof algorithm !== 'string' || typeof hex !== 'string' || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(hex))
    return null;
  return `${algorithm.toLowerCase()} ${hex.toUpperCase()}`;
}

// The certificates of the DTLS transport in use, as the browser reports them: {local, remote}, or
// null where getStats() has no certificate entries (then the checked descriptions are all we have).
export async function transportCertificates(pc) {
  const stats = await pc.getStats();
  let transport = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.dtlsState === 'connected' && r.remoteCertificateId) transport ??= r;
  });
  if (!transport) return null;
  const certificate = (id) => {
    const c = id ? stats.get(id) : null;
    return c ? fingerprintText(c.fingerprintAlgorithm, c.fingerprint) : null;
  };
  const local = certificate(transport.localCertificateId);
  const remote = certificate(transport.remoteCertificateId);
  return local && remote ? { local, remote } : null;
}

async function hmac(key, text) {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Lowercase hex of HMAC-SHA-256(key, text); key: a CryptoKey for HMAC with 'sign'.
export async function hmacHex(key, text) {
  return toHex(await hmac(key, text));
}

const proofText = (prover, verifier) => `${PROOF_LABEL}\nfrom ${prover}\nto ${verifier}`;

// What this side sends on the app channel: fingerprints = {local, remote} of this connection.
export function makeProof(key, fingerprints) {
  return hmacHex(key, proofText(fingerprints.local, fingerprints.remote));
}

// Checks the remote side's proof against the certificates *we* see: it must come from the remote
// certificate and be addressed to ours. Constant-time via subtle.verify.
export async function verifyProof(key, fingerprints, proofHex) {
  if (typeof proofHex !== 'string' || !/^[0-9a-f]{64}$/.test(proofHex)) return false;
  const mac = Uint8Array.from(proofHex.match(/../g), (h) => parseInt(h, 16));
  const data = new TextEncoder().encode(proofText(fingerprints.remote, fingerprints.local));
  return crypto.subtle.verify('HMAC', key, mac, data);
}

// Six digits, equal on both sides of one DTLS session: HMAC over the sorted pair, first 4 bytes
// reduced mod 10^6 (the bias of 2^32 mod 10^6 is negligible for a spoken check).
export async function safetyCode(key, fingerprints) {
  const pair = [fingerprints.local, fingerprints.remote].sort().join('\n');
  const mac = await hmac(key, `${SAFETY_LABEL}\n${pair}`);
  const n = new DataView(mac.buffer).getUint32(0);
  return String(n % 1_000_000).padStart(6, '0');
}
