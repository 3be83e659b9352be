// The WASM transfer core as seen from JS (hand-written; keep in step with bindings/*.cpp).
// Every object made with `new` owns WASM memory: call delete() when done (tests count leaks).

export interface Status {
  ok: boolean;
  /** Stable numeric ErrorCode (wasm/include/cieloweb/result.hpp), when !ok. */
  code?: number;
  /** snake_case name of the code, e.g. "hash_mismatch", when !ok. */
  name?: string;
  /** Human-readable detail (never file contents) for logs, when !ok; the page shows `name`/`reason`. */
  error?: string;
  /** The reason code a peer gave with its reject or cancel (e.g. "declined", "storage_full"). */
  reason?: string;
}

export interface Blake3Hasher {
  /** Hashes more bytes; one copy into WASM memory per call. */
  update(bytes: Uint8Array): void;
  /** Lowercase hex of the BLAKE3 hash so far (what `b3sum` prints); the state is kept. */
  finalizeHex(): string;
  reset(): void;
  bytesHashed(): number;
  delete(): void;
}

export interface Compressor {
  /** zstd at `level`, always compressed; returns the compressed size (benchmarks). */
  compressSize(bytes: Uint8Array, level: number): number;
  /** The transfer's adaptive policy: raw when compression does not pay. */
  encode(bytes: Uint8Array): { compressed: boolean; bytes: Uint8Array };
  delete(): void;
}

export interface FileDescription {
  /** Relative path ('/'-separated, no '..', no leading '/'). */
  name: string;
  size: number;
  mtimeMs: number;
  mime?: string;
}

export type SenderAction =
  | { type: 'read'; block: number; offset: number; length: number }
  /** `message`: the message's type ("offer", "cancel", ...); an offer is kept to send again. */
  | { type: 'control'; peer: number; text: string; message: string }
  | { type: 'finished'; peer: number }
  | ({ type: 'failed'; peer: number } & Status);

export interface Sender {
  /** Whether the file description and config were valid; a Sender with !ok sends nothing. */
  status(): Status;
  /** Adds a peer; the offer follows once block 0 has been read. */
  addPeer(peer: number, transferId: number, maxMessageBytes: number): Status;
  pausePeer(peer: number): void;
  cancelPeer(peer: number, reason: string): void;
  /** A control message (text) received from `peer`. */
  onControl(peer: number, text: string): Status;
  /**
   * The bytes of a requested block (exactly `length` bytes). Copied once into WASM memory (into a
   * recycled buffer, no allocation); `bytes` may be reused as soon as this returns.
   */
  onRead(block: number, bytes: Uint8Array): void;
  onReadFailed(block: number, reason: string): void;
  /** The next decision, or null when there is none: carry them all out after every event. */
  nextAction(): SenderAction | null;
  /** A copy of the next frame for `peer`, or null when nothing may be sent now. */
  nextFrame(peer: number): Uint8Array | null;
  /**
   * Sends frames for `peer` directly from WASM memory into `channel` (an RTCDataChannel) while its
   * bufferedAmount is under the high watermark; sets bufferedAmountLowThreshold to the low one.
   * Call again from the channel's bufferedamountlow event and after every event. Returns frames sent.
   * readyState and bufferedAmount are read once per call, then bufferedAmount is counted up by the
   * size of each frame sent (what send() does to it; neither changes otherwise during the call).
   */
  pump(peer: number, channel: RTCDataChannel, highWatermark: number, lowWatermark: number): number;
  progress(peer: number): {
    bytesAcked: number;
    bytesTotal: number;
    wireBytesSent: number;
    finished: boolean;
    failed: boolean;
  };
  /** The whole file's BLAKE3 once every block has been read, else null. */
  rootHex(): string | null;
  blocksRead(): number;
  delete(): void;
}

/**
 * A file's identity as an offer names it. `key`: equal for equal identities (name, size,
 * modification time, first block): what a resume record is stored under.
 */
export interface FileIdentity {
  name: string;
  size: number;
  mtimeMs: number;
  firstBlock: string;
  key: string;
}

/** What an offer says about its file (decodeControl, Receiver.offer(), 'reoffered'). */
export interface OfferFields {
  file: FileIdentity;
  blockSize: number;
  mime: string;
}

export type ReceiverAction =
  | { type: 'control'; text: string }
  /**
   * `bytes`: by default an owned copy the host may keep as long as it likes. With the Receiver
   * config `writeViews: true`, a view of WASM memory instead (no copy): valid until
   * onWriteDone/onWriteFailed(block) is called, as long as WASM memory does not grow meanwhile (a
   * growth detaches it: byteLength becomes 0; writeView(block) then gives a fresh one).
   */
  | { type: 'write'; block: number; offset: number; bytes: Uint8Array }
  /**
   * The sender's file changed: everything written for this transfer belongs to another file.
   * Let writes under way finish (or abort them), then truncate / drop the written segments, and
   * report none of those writes afterwards. Always followed by a 'reoffered'.
   */
  | { type: 'discard' }
  /**
   * The sender offers another file in place of this one (a `restart`; or, before acceptance, a
   * changed offer). The Receiver is back in the offered state: it takes no frame and writes nothing
   * until accept()/acceptResume() is called again; reject() declines. Ask the person again with
   * these fields. `acceptable` is offerStatus() of the new offer (e.g. too_large) so the page can
   * refuse at once with the reason. What is accepted then is the identity enforced.
   */
  | ({ type: 'reoffered'; acceptable: Status } & OfferFields)
  /**
   * Every block verified and the whole-file BLAKE3 matches the sender's. `size` is the length of
   * the file whose root verified: finish must refuse a saved file of any other length.
   */
  | { type: 'completed'; rootHex: string; size: number }
  | ({ type: 'failed' } & Status);

export interface Receiver {
  /** Whether the offer text given to the constructor decoded as an offer. */
  status(): Status;
  /**
   * Whether accept() of the current offer (the latest after a 'reoffered') would start:
   * not ok with code 6 (`too_large`) when the file exceeds `maxFileSize` or needs more blocks than
   * `maxBlocks` (the per-file bookkeeping cap, at most 2^20); the status() error if that is not ok.
   */
  offerStatus(): Status;
  /** The current offer: the one accept() accepts (the latest after a 'reoffered'). */
  offer(): OfferFields;
  /**
   * Starts receiving and allocates the file's bookkeeping (constructing, reject() and cancel()
   * allocate nothing that grows with the offer). When offerStatus() is not ok: a 'failed' action
   * with that error, and the sender is told (an `error` message with the same code).
   */
  accept(): void;
  /**
   * Accept, continuing from a resumeState() saved earlier (ignored if it is another file). Fails
   * like accept() when offerStatus() is not ok.
   */
  acceptResume(stateText: string): Status;
  reject(reason: string): void;
  cancel(reason: string): void;
  onControl(text: string): Status;
  /** A binary message of the channel. Its payload is copied once, straight into its block. */
  onFrame(bytes: Uint8Array): Status;
  /** The host finished writing a block handed out by a 'write' action: it is acked then. */
  onWriteDone(block: number): void;
  onWriteFailed(block: number, reason: string): void;
  onDisconnected(): void;
  onReconnected(): void;
  nextAction(): ReceiverAction | null;
  /** The resume state's text (wasm/include/cieloweb/resume.hpp): the page stores it as is. */
  resumeState(): string;
  progress(): {
    bytesVerified: number;
    bytesTotal: number;
    blocksResent: number;
    blocksReceived: number;
    completed: boolean;
    failed: boolean;
  };
  transferId(): number;
  /**
   * With `writeViews: true`: a fresh view of the bytes of a 'write' action not yet reported done or
   * failed (e.g. after a growth of WASM memory detached the first one), else null. Without
   * `writeViews`, always null.
   */
  writeView(block: number): Uint8Array | null;
  delete(): void;
}

export interface DecodedControl extends Status {
  type?: 'offer' | 'accept' | 'reject' | 'cancel' | 'ack' | 'resend' | 'done' | 'error' | 'hello' | 'batch';
  /** The file's transfer id; 0 for the channel's own messages (hello, batch). */
  transfer?: number;
  /** offer */
  file?: FileIdentity;
  blockSize?: number;
  mime?: string;
  restart?: boolean;
  /** hello: whether it answers the other side's hello. */
  reply?: boolean;
  /** batch: the sender's batch id (1-64 of [A-Za-z0-9_-]). */
  batch?: string;
  /** batch: 1 to 10000 files, transfer ids >= 1 and unique. */
  files?: { transfer: number; path: string; size: number }[];
}

/** The messages the page itself sends (the Sender and Receiver make the others). */
export type HostControl =
  | { type: 'hello'; reply?: boolean }
  | { type: 'batch'; batch: string; files: { transfer: number; path: string; size: number }[] }
  | { type: 'cancel'; transfer: number; reason: string };

/**
 * The verdict of sdpDtlsFingerprint on a session description (wasm/include/cieloweb/sdp.hpp).
 * `rule` (when !ok) is a stable snake_case tag of the rule broken, e.g. "multiple_fingerprints",
 * "rejected_section_fingerprint", "outside_bundle", "weak_algorithm", "digest_length", "size";
 * `name` is then one of "malformed", "ambiguous_fingerprint", "too_large", "field_out_of_range",
 * "length_mismatch", "missing_field", or "wrong_type" (rule "not_a_string": the argument is no string).
 */
export type SdpFingerprintResult =
  | {
      ok: true;
      /** Canonical "sha-256 AB:CD:..." (lowercase hash, uppercase hex), as built from getStats(). */
      fingerprint: string;
      /** "sha-256", "sha-384" or "sha-512". */
      algorithm: string;
    }
  | { ok: false; code: number; name: string; error: string; rule: string };

export interface CieloCore {
  Blake3Hasher: { new (): Blake3Hasher };
  Compressor: { new (level: number): Compressor };
  Sender: { new (file: FileDescription, config: { blockSize?: number; cacheBytes?: number; compress?: boolean }): Sender };
  Receiver: {
    new (
      offerText: string,
      config: {
        window?: number;
        maxFileSize?: number;
        /** Per-file bookkeeping cap in blocks (default and maximum 2^20 = 1 TiB at 1 MiB blocks). */
        maxBlocks?: number;
        /** 'write' actions carry views of WASM memory instead of copies (see ReceiverAction). */
        writeViews?: boolean;
      },
    ): Receiver;
  };
  blake3Hex(bytes: Uint8Array): string;
  /** "simd128" or "portable". */
  blake3Implementation(): string;
  zstdCompress(bytes: Uint8Array, level: number): Uint8Array;
  /** Refuses (decompress_too_large) output beyond maxOutputBytes. */
  zstdDecompress(bytes: Uint8Array, maxOutputBytes: number): Status & { bytes?: Uint8Array };
  /** Every message of the transfer channel's text side, checked field by field. */
  decodeControl(text: string): DecodedControl;
  /** The text of a message the page sends, or the error a peer's decoder would give it. */
  encodeControl(message: HostControl): Status & { text?: string };
  /** A data frame's transfer id, to route it to its Receiver; -1 when too short to carry one. */
  peekTransferId(frame: Uint8Array): number;
  /**
   * A resumeState() text limited to the verified blocks inside `ranges` ([[first, last), ...]: the
   * blocks committed to disk): {ok, state, blocks} (`blocks` kept), or the decode error.
   */
  limitResumeState(stateText: string, ranges: [number, number][]): Status & { state?: string; blocks?: number };
  /**
   * The single DTLS certificate fingerprint of an SDP offer or answer, or a refusal: more than one
   * distinct fingerprint, a rejected (port 0) section naming another certificate, a live section
   * outside the BUNDLE group, sha-1 or an unknown hash, a wrong digest length, bad hex, more than
   * 64 KiB or 4096 lines. A peer whose remote description is refused must be shown as blocked.
   * Plain function: nothing to delete().
   */
  sdpDtlsFingerprint(sdp: string): SdpFingerprintResult;
  /**
   * Whether a Receiver with `config` could accept the offer `offerText`, without making one (no
   * delete() needed): the decode error, `too_large` with the reason, or {ok: true}.
   */
  checkOffer(offerText: string, config: { maxFileSize?: number; maxBlocks?: number }): Status;
  /** Bound objects not yet delete()d. */
  liveObjectCount(): number;
  /** Live emscripten::val handles (leak checks). */
  count_emval_handles(): number;
}

export default function createCieloCore(options?: { wasmBinary?: ArrayBuffer | Uint8Array }): Promise<CieloCore>;
