// The receiving side of one file from one peer: a sans-I/O state machine.
//
// Frames and control messages go in; decisions come out through next_action(): control text to
// send, verified blocks to write, completion or failure. A block is written only after its BLAKE3
// check verified; a bad block is asked for again, never written. A block counts as received (acked,
// which returns window credit to the sender) only when the host reports its write done, so a slow
// disk bounds memory on both sides: at most `window` blocks wait here for the disk.
//
// Resume: resume_state() is what the host persists (identity, verified blocks, their check values);
// a later Receiver given that state asks only for the missing blocks.
//
// Against a hostile sender: an offer costs nothing proportional to its claimed size until the host
// accepts it (accept() allocates the per-file bookkeeping, capped by max_blocks); a frame allocates
// only for a block still missing, at most that block's own bound; the identity accepted (name,
// size, block size) is the one enforced: a `restart` offer discards the partial data and goes back
// to the offered state (Reoffered) until the host accepts or rejects again.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "cieloweb/block_layout.hpp"
#include "cieloweb/byte_buffer.hpp"
#include "cieloweb/codec.hpp"
#include "cieloweb/control.hpp"
#include "cieloweb/frame.hpp"
#include "cieloweb/limits.hpp"
#include "cieloweb/range_set.hpp"
#include "cieloweb/result.hpp"
#include "cieloweb/resume.hpp"

namespace cieloweb {

struct ReceiverConfig {
  std::uint32_t window = 8;  // blocks in flight or waiting for the disk
  std::uint32_t max_resends_per_block = 8;
  std::uint64_t max_file_size = max_file_size_bytes;  // e.g. what the chosen storage can hold
  std::uint32_t max_bad_frames = 64;  // malformed frames tolerated before the transfer fails
  // Blocks of per-file bookkeeping this receiver accepts to keep; clamped to max_tracked_blocks.
  std::uint32_t max_blocks = max_tracked_blocks;
};

// Everything needed to continue a transfer later (after a drop or a page reload): resume.hpp.
using ResumeState = resume::State;

namespace receiver_action {
struct SendControl {
  std::string text;
};
// Write `bytes` at `offset`; the span stays valid until on_write_done/on_write_failed(block).
struct WriteBlock {
  std::uint32_t block = 0;
  std::uint64_t offset = 0;
  std::span<const std::uint8_t> bytes;
};
// The sender's file changed: discard everything written so far (the transfer starts again).
// Writes handed out before and not yet reported belong to the discarded file: the host finishes or
// drops them before it truncates, and reports none of them afterwards.
struct DiscardPartial {};
// The sender offers another file (a `restart`) in place of the one offered or accepted: the
// Receiver is back in the offered state and receives nothing until the host calls accept() (or
// accept_resume()) again, or reject(). Ask the person again with this identity.
struct Reoffered {
  control::Offer offer;
};
// `size` is the length of the file whose root verified: the saved file must be exactly this long.
struct Completed {
  blake3::Digest root{};
  std::uint64_t size = 0;
};
struct Failed {
  Error error;
};
}  // namespace receiver_action
using ReceiverAction = std::variant<receiver_action::SendControl, receiver_action::WriteBlock,
                                    receiver_action::DiscardPartial, receiver_action::Reoffered,
                                    receiver_action::Completed, receiver_action::Failed>;

struct ReceiverProgress {
  std::uint64_t bytes_verified = 0;  // verified and written
  std::uint64_t bytes_total = 0;
  std::uint32_t blocks_resent = 0;    // re-requested after a failed check or a bad frame
  std::uint32_t blocks_received = 0;  // blocks verified in this session (not from resume state)
  bool completed = false;
  bool failed = false;
};

class Receiver {
 public:
  // Contract: offer decoded by control::decode (fields already validated). Allocates nothing that
  // grows with the offer's size: an offer declined or never answered costs a few hundred bytes.
  Receiver(const control::Offer& offer, ReceiverConfig config = {});

  // Whether accept() of `offer` would start: too_large if the file exceeds config.max_file_size or
  // needs more blocks than config.max_blocks (the per-file bookkeeping cap), else ok.
  static Status check_offer(const control::Offer& offer, const ReceiverConfig& config);
  // check_offer() of the current offer (the latest one after a Reoffered).
  Status offer_status() const;

  // Starts receiving the current offer and allocates its bookkeeping. Fails with too_large (and
  // tells the sender with an `error` message) when offer_status() is not ok.
  void accept();
  // Accept, continuing from `state` if it belongs to this offer's file; a state for another file
  // (or a mismatching block size) is ignored and the transfer starts from zero. Fails like
  // accept().
  void accept_resume(const ResumeState& state);
  void reject(const std::string& reason);
  void cancel(const std::string& reason);

  // A control message of this transfer. An error means it broke the protocol (the transfer failed)
  // or was ignored (a `restart` after completion: the verified file stays as it is).
  Status on_control(const control::Message& message);
  // A data frame of this transfer. Bad frames are handled here (block re-requested or the transfer
  // failed); the return value reports what was wrong, for logs and tests.
  Status on_frame(std::span<const std::uint8_t> bytes);
  // on_frame in two steps, for hosts whose frame bytes live elsewhere (in JS): each payload byte is
  // then copied once, straight into the block being assembled. begin_frame() gets the frame's first
  // min(frame_bytes, frame::header_bytes) bytes and its total length and checks them like on_frame;
  // it returns where the frame_bytes - frame::header_bytes payload bytes go, or an empty span when
  // the frame is dropped (quietly if ok, else the error says why). Copy them there, then call
  // end_frame() before any other call on this Receiver.
  Result<std::span<std::uint8_t>> begin_frame(std::span<const std::uint8_t> header,
                                              std::size_t frame_bytes);
  void end_frame();
  void on_write_done(std::uint32_t block);
  void on_write_failed(std::uint32_t block, const std::string& reason);

  // The channel dropped: partial blocks are discarded. After reconnecting, on_reconnected() asks
  // the sender to continue with the blocks still missing.
  void on_disconnected();
  void on_reconnected();

  std::optional<ReceiverAction> next_action();
  // The bytes of a WriteBlock not yet reported done or failed (the same span it carried), else an
  // empty span.
  std::span<const std::uint8_t> pending_write(std::uint32_t block) const;
  ResumeState resume_state() const;
  ReceiverProgress progress() const;
  const BlockLayout& layout() const noexcept { return layout_; }
  // The current offer's identity: once accepted, the one every frame is checked against.
  const control::FileIdentity& file() const noexcept { return offer_.file; }
  const control::Offer& offer() const noexcept { return offer_; }
  // The config in force (window, max_blocks and max_resends_per_block clamped to their limits).
  const ReceiverConfig& config() const noexcept { return config_; }
  std::uint32_t transfer_id() const noexcept { return offer_.transfer; }

 private:
  enum class State { offered, receiving, completed, failed };
  struct Assembly {
    std::uint32_t block = 0;
    frame::Header first;  // fields every fragment of the block must repeat
    ByteBuffer bytes;     // encoded_length bytes, the first `received` of them filled
    std::uint32_t received = 0;
  };

  void send(const control::Message& message);
  void fail(Error error, bool tell_sender);
  void send_accept(bool resume);
  void request_again(std::uint32_t block, ErrorCode reason);
  Status bad_frame(Error error);
  void finish_block(Assembly& assembly);
  void maybe_complete();
  void request_missing();
  void set_offer(const control::Offer& offer);
  bool start_file();
  void drop_file_state();
  Status on_offer(const control::Offer& offer);
  Status stray_frame(Error error);
  ByteBuffer take_spare(std::size_t length);
  void keep_spare(ByteBuffer&& buffer);

  control::Offer offer_;
  ReceiverConfig config_;
  BlockLayout layout_;
  frame::DecodeLimits limits_;
  State state_ = State::offered;
  codec::Decompressor decompressor_;
  std::deque<ReceiverAction> actions_;
  std::optional<Assembly> assembly_;
  RangeSet verified_;
  RangeSet awaiting_resend_;  // re-requested; its stray fragments are dropped quietly
  // Per-file bookkeeping, one entry per block: empty until accept (an offer allocates nothing).
  std::vector<blake3::Digest> checks_;
  std::vector<std::uint8_t> resends_;  // requests again per block
  std::map<std::uint32_t, ByteBuffer> pending_writes_;
  std::optional<blake3::Digest> sender_root_;
  // The sender said `done` on this connection: every block it was asked for has been sent, so a
  // frame now is only welcome for a block asked for again.
  bool sender_done_ = false;
  std::uint64_t bytes_verified_ = 0;
  std::uint32_t blocks_resent_ = 0;
  std::uint32_t blocks_received_ = 0;
  std::uint32_t bad_frames_ = 0;
  std::vector<ByteBuffer> spares_;        // recycled block buffers (assembly, decompression output)
  std::uint32_t open_payload_bytes_ = 0;  // of the frame begun and not ended; 0 when none
};

}  // namespace cieloweb
