// The sending side of one file, to any number of peers: a sans-I/O state machine.
//
// Events go in (a control message from a peer, a block read from the file, a peer's channel
// dropped); decisions come out (read this block, send this control text to that peer, that peer
// finished or failed) through next_action(), and data frames through next_frame(peer), which the
// host calls while that peer's channel is below its high watermark. No sockets, no threads, and no
// clock of its own: the host's, through set_now(), for the pack's patience only.
//
// The file is read and hashed once: an encoded block stays cached while any peer still needs it, so
// peers at different paces share reads; a block evicted and read again is re-hashed, and a
// different hash means the file changed under us (every peer fails with file_changed). Several
// peers move as a pack: none runs so far ahead of another that the blocks between them outgrow the
// cache, unless the other is much slower (then it goes on alone; see waits_for_pack()). The root
// (sent with `done`) needs every block hashed, also those no peer needs (a resumed peer has them):
// those are read while no peer waits for a read, and only those, since a block hashed ahead of
// the peer that will send it is evicted before the peer gets there, and read again.
//
// Host loop contract: after every event, drain next_action() until empty, then pump next_frame()
// for every peer until it returns an empty span or the channel is full; repeat when the channel
// drains or a read completes. With several peers, set_now() before pumping and pump every sending
// peer now and then (say twice a second): a peer waiting for a slower one has no event to wake it.
// A host that never calls set_now() gets a pack that splits as soon as a waiting peer runs dry.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "cieloweb/block_layout.hpp"
#include "cieloweb/codec.hpp"
#include "cieloweb/control.hpp"
#include "cieloweb/frame.hpp"
#include "cieloweb/limits.hpp"
#include "cieloweb/range_set.hpp"
#include "cieloweb/result.hpp"

namespace cieloweb {

using PeerId = std::uint32_t;

struct SenderConfig {
  std::uint32_t block_size = default_block_size_bytes;
  // Memory held by encoded blocks kept for peers at different paces (a compressed block holds only
  // its compressed bytes, a raw one a whole block).
  std::size_t cache_bytes = 16u << 20;
  std::uint32_t max_pending_reads = 2;  // reads requested from the host and not yet answered
  std::uint32_t max_resends_per_block = 8;
  bool compress = true;
  codec::Policy compression;
  // A fan-out peer a cache span ahead of a slower one waits for it (waits_for_pack), and goes on
  // alone once it has spent more than half of its recent time waiting idle: its share of idle time
  // is an average that forgets with this time constant. Long against a busy machine's hiccup (a
  // receiver that stops for a second or two keeps the pack: ~2.8 s of stall from no idling at all),
  // short against a transfer held to a much slower peer's pace.
  std::uint32_t pack_patience_ms = 4000;
};

struct FileInfo {
  std::string name;
  std::uint64_t size = 0;
  std::int64_t mtime_ms = 0;
  std::string mime;
};

namespace sender_action {
struct ReadBlock {
  std::uint32_t block = 0;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
};
struct SendControl {
  PeerId peer = 0;
  std::string text;
  const char* type = "";  // the message's type_name(): a host keeps an "offer" to send again
};
struct PeerFinished {
  PeerId peer = 0;
};
struct PeerFailed {
  PeerId peer = 0;
  Error error;
};
}  // namespace sender_action
using SenderAction = std::variant<sender_action::ReadBlock, sender_action::SendControl,
                                  sender_action::PeerFinished, sender_action::PeerFailed>;

struct PeerProgress {
  std::uint64_t bytes_acked = 0;  // verified and written by the receiver
  std::uint64_t bytes_total = 0;
  std::uint64_t wire_bytes_sent = 0;  // frame bytes, after compression, including headers
  bool finished = false;
  bool failed = false;
};

class Sender {
 public:
  // Contract: info.name is a valid relative path (control::valid_relative_path); config.block_size
  // is a power of two within [min_block_size_bytes, max_block_size_bytes]. Check with validate().
  Sender(FileInfo info, SenderConfig config = {});
  static Status validate(const FileInfo& info, const SenderConfig& config);

  // A new peer: the offer goes out as soon as block 0's check value is known (after its read).
  // `max_message_bytes` is the peer channel's maximum message size; frames never exceed it.
  Status add_peer(PeerId peer, std::uint32_t transfer_id, std::size_t max_message_bytes);
  // The peer's channel dropped: blocks in flight are forgotten until it resumes with its `have`
  // set.
  void pause_peer(PeerId peer);
  void cancel_peer(PeerId peer, const std::string& reason);

  // A control message from `peer`. An error means the message broke the protocol; the peer has then
  // been failed (and told), the other peers are unaffected.
  Status on_control(PeerId peer, const control::Message& message);
  // The host's answer to a ReadBlock. Contract: bytes.size() == the requested length.
  void on_read(std::uint32_t block, std::span<const std::uint8_t> bytes);
  // The same, taking ownership: a block sent uncompressed is then never copied.
  void on_read(std::uint32_t block, std::vector<std::uint8_t>&& bytes);
  // A buffer of `length` bytes (contents unspecified) for the host to fill and hand back through
  // on_read(block, std::move(buffer)): the storage of a block that left the cache when there is
  // one, so a read costs neither an allocation nor a zero fill.
  std::vector<std::uint8_t> read_buffer(std::size_t length);
  void on_read_failed(std::uint32_t block, const std::string& reason);

  std::optional<SenderAction> next_action();
  // The next data frame for `peer`, valid until the next call on this Sender; empty when nothing
  // may be sent now (window full, waiting for a read, all sent, peer not sending). Every fragment
  // but a block's first is cut in place: its header temporarily overwrites the 60 already-sent
  // bytes in front of its payload, put back by the next call (so the frame costs no copy).
  std::span<const std::uint8_t> next_frame(PeerId peer);

  PeerProgress progress(PeerId peer) const;
  const BlockLayout& layout() const noexcept { return layout_; }
  // The whole file's BLAKE3 once every block has been read, else nullopt.
  std::optional<blake3::Digest> root() const noexcept { return root_; }
  std::uint64_t blocks_read() const noexcept { return blocks_read_; }
  std::uint64_t blocks_compressed() const noexcept { return compressor_.blocks_compressed(); }
  // The memory the cache's blocks hold now (their buffers' capacity), which
  // SenderConfig::cache_bytes bounds.
  std::size_t cache_memory_bytes() const noexcept;

  // The host's clock (ms, any origin, never going back): the Sender keeps none of its own. Only the
  // pack's patience reads it (see the host loop contract above).
  void set_now(std::uint64_t now_ms) noexcept {
    now_ms_ = std::max(now_ms_, now_ms);
    has_clock_ = true;
  }

 private:
  struct EncodedBlock {
    std::uint32_t index = 0;
    std::uint32_t raw_length = 0;
    bool compressed = false;
    blake3::Digest check{};
    std::vector<std::uint8_t> bytes;
  };
  enum class PeerState { waiting_for_offer, offered, sending, paused, finished, failed };
  struct Peer {
    std::uint32_t transfer = 0;
    std::size_t max_payload_bytes = 0;
    PeerState state = PeerState::waiting_for_offer;
    std::uint32_t window = 1;
    RangeSet to_send;
    std::deque<std::uint32_t> resend_queue;
    RangeSet in_flight;
    RangeSet acked;
    std::uint64_t bytes_acked = 0;
    std::uint64_t wire_bytes_sent = 0;
    std::map<std::uint32_t, std::uint32_t> resends;
    std::shared_ptr<EncodedBlock> current;  // block being cut into frames
    std::uint32_t current_offset = 0;
    bool done_sent = false;
    bool alone = false;  // left the pack: waits for no slower peer (next_frame)
    // The share of its recent time it spent held for the pack with nothing in flight (its
    // receiver idle), as of idle_share_at; idle_now: whether it is so held since then.
    double idle_share = 0;
    std::uint64_t idle_share_at = 0;
    bool idle_now = false;
  };

  control::FileIdentity identity() const;
  void send(PeerId id, const control::Message& message);
  void fail_peer(PeerId id, Peer& peer, Error error, bool tell_peer);
  void fail_all(const Error& error);
  void start_sending(Peer& peer, const control::Accept& accept);
  std::optional<std::uint32_t> next_block_of(const Peer& peer) const;
  void schedule_reads();
  std::optional<std::uint32_t> block_to_hash_ahead() const;
  bool make_room_in_cache(std::optional<std::uint64_t> wanted_in);
  std::optional<std::uint64_t> cuts_before(const Peer& peer, std::uint32_t block) const;
  std::optional<std::uint64_t> blocks_until_needed(std::uint32_t block) const;
  bool root_awaited() const;
  void maybe_finish(PeerId id, Peer& peer);
  bool peer_needs(const Peer& peer, std::uint32_t block) const;
  std::uint32_t shared_span_blocks() const noexcept;
  struct PackView {
    bool at_edge = false;   // a sending peer is between one and two spans behind
    bool all_close = true;  // no sending peer is a span or more behind
  };
  PackView pack_view(PeerId id, std::uint32_t block) const;
  bool waits_for_pack(Peer& peer, const PackView& pack);
  void end_overlay() noexcept;
  void keep_spare(std::vector<std::uint8_t>&& bytes);

  FileInfo info_;
  SenderConfig config_;
  BlockLayout layout_;
  codec::Compressor compressor_;
  std::map<PeerId, Peer> peers_;
  std::deque<SenderAction> actions_;
  std::vector<std::optional<blake3::Digest>> checks_;  // per block, once hashed
  RangeSet hashed_;  // the blocks of checks_ that are set, as ranges (to skip them quickly)
  std::optional<blake3::Digest> root_;
  // Shared with the peers cutting a block into frames; only next_frame's overlay writes to one.
  std::map<std::uint32_t, std::shared_ptr<EncodedBlock>> cache_;
  std::size_t cache_bytes_ = 0;
  RangeSet pending_reads_;
  std::uint32_t pending_read_count_ = 0;
  std::uint64_t now_ms_ = 0;
  bool has_clock_ = false;
  std::uint64_t blocks_read_ = 0;
  std::vector<std::uint8_t> frame_;  // a block's first fragment (no room for a header in front)
  // The header written over a block's bytes by the last next_frame(), and the bytes it covers.
  struct Overlay {
    std::shared_ptr<EncodedBlock> block;
    std::size_t at = 0;
    std::array<std::uint8_t, frame::header_bytes> saved{};
  };
  Overlay overlay_;
  std::vector<std::vector<std::uint8_t>> spares_;  // storage of evicted blocks, for read_buffer()
  bool broken_ = false;  // the file changed or could not be read: nothing more is sent
};

}  // namespace cieloweb
