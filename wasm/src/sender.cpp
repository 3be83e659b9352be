#include "cieloweb/sender.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cieloweb/frame.hpp"

namespace cieloweb {

using namespace sender_action;

Sender::Sender(FileInfo info, SenderConfig config)
    : info_(std::move(info)),
      config_(config),
      layout_{info_.size, config.block_size},
      compressor_(config.compression) {
  checks_.resize(layout_.block_count());
  if (layout_.block_count() == 0) root_ = layout_.root_of({});
  // At least two blocks of cache, or one peer could never send while another pins a block.
  config_.cache_bytes =
      std::max<std::size_t>(config_.cache_bytes, 2 * std::size_t{config.block_size});
}

Status Sender::validate(const FileInfo& info, const SenderConfig& config) {
  if (!control::valid_relative_path(info.name)) {
    return make_error(ErrorCode::field_out_of_range,
                      "sender: file name is not a safe relative path");
  }
  if (info.size > max_file_size_bytes)
    return make_error(ErrorCode::too_large, "sender: file too large");
  const std::uint32_t b = config.block_size;
  if (b < min_block_size_bytes || b > max_block_size_bytes || (b & (b - 1)) != 0) {
    return make_error(ErrorCode::field_out_of_range,
                      "sender: block size must be a power of two in range");
  }
  return Ok{};
}

control::FileIdentity Sender::identity() const {
  control::FileIdentity id{info_.name, info_.size, info_.mtime_ms, {}};
  id.first_block = layout_.block_count() == 0 ? layout_.root_of({}) : checks_[0].value();
  return id;
}

void Sender::send(PeerId id, const control::Message& message) {
  actions_.push_back(SendControl{id, control::encode(message), control::type_name(message)});
}

Status Sender::add_peer(PeerId id, std::uint32_t transfer_id, std::size_t max_message_bytes) {
  end_overlay();
  if (broken_) return make_error(ErrorCode::file_changed, "sender: the file can no longer be read");
  if (peers_.count(id) != 0) return make_error(ErrorCode::bad_state, "sender: peer already added");
  if (max_message_bytes < min_max_message_bytes) {
    return make_error(ErrorCode::field_out_of_range, "sender: max message size below 1 KiB");
  }
  Peer& peer = peers_[id];
  peer.transfer = transfer_id;
  peer.max_payload_bytes = max_message_bytes - frame::header_bytes;
  if (layout_.block_count() == 0 || checks_[0]) {
    peer.state = PeerState::offered;
    send(id, control::Offer{transfer_id, identity(), layout_.block_size, info_.mime, false});
  } else {
    schedule_reads();
  }
  return Ok{};
}

void Sender::pause_peer(PeerId id) {
  end_overlay();
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  if (peer.state != PeerState::sending && peer.state != PeerState::offered) return;
  // Whatever was in flight may or may not have arrived: the receiver's `have` on resume decides.
  for (const auto& [first, last] : peer.in_flight.ranges()) peer.to_send.insert_range(first, last);
  for (std::uint32_t b : peer.resend_queue) peer.to_send.insert(b);
  peer.in_flight.clear();
  peer.resend_queue.clear();
  peer.current.reset();
  peer.state = PeerState::paused;
}

void Sender::cancel_peer(PeerId id, const std::string& reason) {
  end_overlay();
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  if (peer.state == PeerState::finished || peer.state == PeerState::failed) return;
  send(id, control::Cancel{peer.transfer, reason});
  peer.state = PeerState::failed;
  peer.current.reset();
}

void Sender::fail_peer(PeerId id, Peer& peer, Error error, bool tell_peer) {
  if (peer.state == PeerState::failed) return;
  if (tell_peer)
    send(id, control::ErrorMessage{peer.transfer, error.code, error.detail, error.reason});
  peer.state = PeerState::failed;
  peer.current.reset();
  actions_.push_back(PeerFailed{id, std::move(error)});
}

void Sender::fail_all(const Error& error) {
  broken_ = true;
  for (auto& [id, peer] : peers_) {
    if (peer.state != PeerState::finished) fail_peer(id, peer, error, true);
  }
  cache_.clear();
  cache_bytes_ = 0;
}

Status Sender::on_control(PeerId id, const control::Message& message) {
  end_overlay();
  auto it = peers_.find(id);
  if (it == peers_.end()) return make_error(ErrorCode::unknown_transfer, "sender: unknown peer");
  Peer& peer = it->second;
  if (control::transfer_of(message) != peer.transfer) {
    return make_error(ErrorCode::unknown_transfer, "sender: message for another transfer");
  }
  if (peer.state == PeerState::failed)
    return make_error(ErrorCode::bad_state, "sender: transfer already ended");
  const std::uint32_t count = layout_.block_count();
  auto protocol_error = [&](ErrorCode code, std::string detail) -> Status {
    Error e = make_error(code, "sender: " + std::move(detail));
    fail_peer(id, peer, e, true);
    return e;
  };

  if (const auto* accept = std::get_if<control::Accept>(&message)) {
    if (peer.state == PeerState::waiting_for_offer)
      return protocol_error(ErrorCode::bad_state, "accept before offer");
    if (!accept->have.empty() && accept->have.ranges().back().second > count) {
      return protocol_error(ErrorCode::field_out_of_range, "'have' names blocks past the end");
    }
    if (accept->resume && accept->file != identity()) {
      // The partial data belongs to another version of the file: start again from zero.
      peer.state = PeerState::offered;
      peer.current.reset();
      send(id, control::Offer{peer.transfer, identity(), layout_.block_size, info_.mime, true});
      return Ok{};
    }
    start_sending(peer, *accept);
    schedule_reads();
    maybe_finish(id, peer);
    return Ok{};
  }
  if (const auto* ack = std::get_if<control::Ack>(&message)) {
    if (peer.state != PeerState::sending && peer.state != PeerState::finished)
      return Ok{};  // stale
    for (std::uint32_t b : ack->blocks) {
      if (b >= count) return protocol_error(ErrorCode::field_out_of_range, "ack past the end");
      if (!peer.in_flight.contains(b)) continue;  // a copy from before a resume; already counted
      peer.in_flight.erase(b);
      peer.acked.insert(b);
      peer.bytes_acked += layout_.length_of(b);
    }
    maybe_finish(id, peer);
    return Ok{};
  }
  if (const auto* resend = std::get_if<control::Resend>(&message)) {
    if (resend->block >= count)
      return protocol_error(ErrorCode::field_out_of_range, "resend past the end");
    // Only a block sent and not acknowledged can have failed on the way: a request for any other
    // is stale (or hostile) and ignored, which also keeps the resend queue within the window.
    if (peer.state != PeerState::sending || !peer.in_flight.contains(resend->block)) return Ok{};
    if (++peer.resends[resend->block] > config_.max_resends_per_block) {
      return protocol_error(ErrorCode::retries_exhausted,
                            "block " + std::to_string(resend->block) + " failed too often");
    }
    peer.in_flight.erase(resend->block);
    if (peer.current && peer.current->index == resend->block) peer.current.reset();
    if (std::find(peer.resend_queue.begin(), peer.resend_queue.end(), resend->block) ==
        peer.resend_queue.end()) {
      peer.resend_queue.push_back(resend->block);
    }
    schedule_reads();
    return Ok{};
  }
  if (const auto* reject = std::get_if<control::Reject>(&message)) {
    fail_peer(id, peer,
              make_error(ErrorCode::rejected, "declined: " + reject->reason, reject->reason),
              false);
    return Ok{};
  }
  if (const auto* cancel = std::get_if<control::Cancel>(&message)) {
    fail_peer(id, peer,
              make_error(ErrorCode::cancelled, "cancelled by receiver: " + cancel->reason,
                         cancel->reason),
              false);
    return Ok{};
  }
  if (const auto* error = std::get_if<control::ErrorMessage>(&message)) {
    fail_peer(id, peer, make_error(error->code, "receiver: " + error->message, error->reason),
              false);
    return Ok{};
  }
  return protocol_error(ErrorCode::bad_state,
                        std::string("unexpected '") + control::type_name(message) + "'");
}

void Sender::start_sending(Peer& peer, const control::Accept& accept) {
  const std::uint32_t count = layout_.block_count();
  peer.window = accept.window;
  peer.to_send.clear();
  std::uint32_t next = 0;
  for (const auto& [first, last] : accept.have.ranges()) {
    peer.to_send.insert_range(next, first);
    next = last;
  }
  peer.to_send.insert_range(next, count);
  peer.acked = accept.have;
  // Per range, not per block: a receiver's `have` may name millions of blocks.
  peer.bytes_acked = 0;
  for (const auto& [first, last] : accept.have.ranges()) {
    peer.bytes_acked +=
        std::min(layout_.offset_of(last), layout_.file_size) - layout_.offset_of(first);
  }
  peer.in_flight.clear();
  peer.resend_queue.clear();
  peer.resends.clear();
  peer.current.reset();
  peer.done_sent = false;
  peer.alone = false;
  // A new start (a resume too): time away was not time spent waiting for the pack.
  peer.idle_share = 0;
  peer.idle_share_at = now_ms_;
  peer.idle_now = false;
  peer.state = PeerState::sending;
}

std::optional<std::uint32_t> Sender::next_block_of(const Peer& peer) const {
  if (!peer.resend_queue.empty()) return peer.resend_queue.front();
  if (peer.to_send.empty()) return std::nullopt;
  return peer.to_send.ranges().front().first;
}

bool Sender::peer_needs(const Peer& peer, std::uint32_t block) const {
  if (peer.state != PeerState::sending && peer.state != PeerState::paused) return false;
  return peer.to_send.contains(block) ||
         std::find(peer.resend_queue.begin(), peer.resend_queue.end(), block) !=
             peer.resend_queue.end();
}

// Nobody waits for a block: one never hashed, read now so that the root (for `done`) is known
// when the peers get to the end. Only a block no sending peer is still to read, such as one a
// resumed peer already has: a block a peer will read anyway is hashed then. Hashing it ahead would
// read it twice, since the cache (about one window of blocks) evicts the block read ahead before
// the peer gets there. Unless a peer has sent everything and waits for the root alone.
std::optional<std::uint32_t> Sender::block_to_hash_ahead() const {
  const bool awaited = root_awaited();
  const std::uint32_t count = layout_.block_count();
  for (std::uint32_t b = 0; b < count;) {
    // Skip runs at once: the hashed blocks, the ones being read, the ones a peer will read.
    std::uint32_t next = hashed_.end_of_run(b);
    if (next == b) next = pending_reads_.end_of_run(b);
    for (auto it = peers_.begin(); next == b && !awaited && it != peers_.end(); ++it) {
      const Peer& peer = it->second;
      if (peer.state != PeerState::sending) continue;
      next = peer.to_send.end_of_run(b);
      if (next == b && peer_needs(peer, b)) next = b + 1;  // in its resend queue
    }
    if (next == b) return b;
    b = next;
  }
  return std::nullopt;
}

// Blocks the cache holds besides the reads in flight: how far apart peers may be and still share
// every read.
std::uint32_t Sender::shared_span_blocks() const noexcept {
  const std::size_t blocks = config_.cache_bytes / layout_.block_size;
  const std::size_t span =
      blocks > config_.max_pending_reads ? blocks - config_.max_pending_reads : 1;
  return static_cast<std::uint32_t>(span);
}

// A fan-out reads each block once only while the cache holds every block between the slowest and
// the fastest peer. So a peer does not start `block` a whole span ahead of another sending peer
// that is still in the pack (less than two spans behind, `at_edge`): it waits until that one moves
// on, which a peer of about the same speed does within a block. `all_close`: no sending peer is a
// span or more behind (the pack is whole). See waits_for_pack() for when a peer stops waiting.
Sender::PackView Sender::pack_view(PeerId id, std::uint32_t block) const {
  const std::uint64_t span = shared_span_blocks();
  PackView view;
  for (const auto& [other_id, other] : peers_) {
    if (other_id == id || other.state != PeerState::sending) continue;
    const auto at = other.current ? std::optional(other.current->index) : next_block_of(other);
    if (!at || *at >= block) continue;
    const std::uint64_t gap = block - *at;
    if (gap >= span) view.all_close = false;
    if (gap >= span && gap < 2 * span) view.at_edge = true;
  }
  return view;
}

// How many blocks `peer` cuts before `block` (0: it is the next), or nullopt when it does not need
// it. Gaps in what it still has to send are not counted: an estimate is enough to rank blocks.
std::optional<std::uint64_t> Sender::cuts_before(const Peer& peer, std::uint32_t block) const {
  if (peer.current && peer.current->index == block) return 0;
  std::uint64_t ahead = 0;
  for (std::uint32_t b : peer.resend_queue) {
    if (b == block) return ahead;
    ++ahead;
  }
  if (!peer.to_send.contains(block)) return std::nullopt;
  return ahead + (block - peer.to_send.ranges().front().first);
}

// How soon a block is needed (smaller: sooner), or nullopt when no peer needs it. Needs are ranked
// in tiers: first the sending peers that may cut a block now, then those whose window is full (a
// peer that never acks stays there), then the paused ones (they may never come back) and those
// still deciding on the offer (they may never accept). So no peer that cannot move holds the cache
// against the peers that can.
std::optional<std::uint64_t> Sender::blocks_until_needed(std::uint32_t block) const {
  constexpr std::uint64_t tier = std::uint64_t{1} << 40;  // above any block count
  std::optional<std::uint64_t> soonest;
  auto consider = [&](std::uint64_t distance) {
    if (!soonest || distance < *soonest) soonest = distance;
  };
  for (const auto& [id, peer] : peers_) {
    if (peer.state == PeerState::offered) consider(2 * tier + block);
    if (peer.state != PeerState::sending && peer.state != PeerState::paused) continue;
    const auto cuts = cuts_before(peer, block);
    if (!cuts) continue;
    const std::uint64_t rank = peer.state == PeerState::paused         ? 2
                               : peer.in_flight.count() >= peer.window ? 1
                                                                       : 0;
    consider(rank * tier + *cuts);
  }
  return soonest;
}

// Room for one more block, besides the reads pending, for a block needed in `wanted_in`
// (blocks_until_needed; nullopt: nobody needs it). Evicts a block no peer is cutting into frames:
// one nobody needs, else the one needed last, and that only if it is needed later than the block
// coming in: evicting a block needed as soon or sooner would only make it the next read, and reads
// would chase each other. False when there is no such room: the read waits.
bool Sender::make_room_in_cache(std::optional<std::uint64_t> wanted_in) {
  // Room is kept for the reads still pending too: each was scheduled because it fits, and one that
  // found the cache full when it landed would be dropped and read again.
  const std::uint64_t reserved = std::uint64_t{pending_read_count_ + 1} * layout_.block_size;
  while (cache_bytes_ + reserved > config_.cache_bytes) {
    auto victim = cache_.end();
    bool victim_needed = false;
    std::uint64_t victim_needed_in = 0;
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->second.use_count() > 1) continue;
      const auto needed_in = blocks_until_needed(it->first);
      if (!needed_in) {
        victim = it;
        victim_needed = false;
        break;
      }
      if (victim == cache_.end() || *needed_in > victim_needed_in) {
        victim = it;
        victim_needed = true;
        victim_needed_in = *needed_in;
      }
    }
    if (victim == cache_.end()) return false;
    if (victim_needed && (!wanted_in || victim_needed_in <= *wanted_in)) return false;
    cache_bytes_ -= victim->second->bytes.capacity();
    if (victim->second.use_count() == 1 && !victim->second->compressed) {
      keep_spare(std::move(victim->second->bytes));
    }
    cache_.erase(victim);
  }
  return true;
}

// A sending peer has cut everything and waits only for the root (every block hashed).
bool Sender::root_awaited() const {
  for (const auto& [id, peer] : peers_) {
    if (peer.state == PeerState::sending && !peer.current && peer.resend_queue.empty() &&
        peer.to_send.empty()) {
      return true;
    }
  }
  return false;
}

void Sender::schedule_reads() {
  if (broken_) return;
  const std::uint32_t count = layout_.block_count();
  while (pending_read_count_ < config_.max_pending_reads) {
    // Of the blocks wanted, the one needed soonest (then the lowest): a read ahead never goes
    // before a read some peer is blocked on.
    std::optional<std::uint32_t> wanted;
    std::optional<std::uint64_t> wanted_in;
    bool for_offer = false;
    auto consider = [&](std::uint32_t b) {
      if (cache_.count(b) || pending_reads_.contains(b)) return;
      const auto needed_in = blocks_until_needed(b);
      if (!needed_in) return;
      if (!wanted || *needed_in < *wanted_in || (*needed_in == *wanted_in && b < *wanted)) {
        wanted = b;
        wanted_in = needed_in;
      }
    };
    bool any_active = false;
    for (const auto& [id, peer] : peers_) {
      // The offer goes out once block 0's check value is known.
      if (peer.state == PeerState::waiting_for_offer && count > 0 && !cache_.count(0) &&
          !pending_reads_.contains(0)) {
        for_offer = true;
      }
      if (peer.state != PeerState::sending) continue;
      any_active = true;
      // The next two blocks this peer will cut: reading one ahead hides the read latency.
      // Not the blocks it is held back from (read now, they would evict what the pack needs).
      int looked = 0;
      for (std::uint32_t b : peer.resend_queue) {
        if (looked++ == 2) break;
        consider(b);
      }
      for (const auto& [first, last] : peer.to_send.ranges()) {
        for (std::uint32_t b = first; b < last && looked < 2; ++b, ++looked) {
          if (!peer.alone && pack_view(id, b).at_edge) break;
          consider(b);
        }
        if (looked >= 2) break;
      }
    }
    if (for_offer && (!wanted || *wanted_in > 0)) {
      wanted = 0;
      wanted_in = 0;
    }
    if (!wanted && any_active && !root_) {
      // Hashed ahead for the root: into free room only, unless a peer waits for the root alone.
      wanted = block_to_hash_ahead();
      if (root_awaited()) wanted_in = 0;
    }
    if (!wanted || !make_room_in_cache(wanted_in)) return;
    pending_reads_.insert(*wanted);
    ++pending_read_count_;
    actions_.push_back(ReadBlock{*wanted, layout_.offset_of(*wanted), layout_.length_of(*wanted)});
  }
}

void Sender::on_read(std::uint32_t block, std::span<const std::uint8_t> bytes) {
  if (broken_ || !pending_reads_.contains(block)) return;
  std::vector<std::uint8_t> owned = read_buffer(bytes.size());
  std::copy(bytes.begin(), bytes.end(), owned.begin());
  on_read(block, std::move(owned));
}

std::vector<std::uint8_t> Sender::read_buffer(std::size_t length) {
  if (spares_.empty()) return std::vector<std::uint8_t>(length);
  std::vector<std::uint8_t> buffer = std::move(spares_.back());
  spares_.pop_back();
  buffer.resize(length);  // no fill when the spare held a block of at least this length
  return buffer;
}

void Sender::keep_spare(std::vector<std::uint8_t>&& bytes) {
  // Two spares cover the reads in flight (max_pending_reads); more would only hold memory.
  if (spares_.size() < 2 && bytes.capacity() >= layout_.block_size) {
    spares_.push_back(std::move(bytes));
  }
}

void Sender::end_overlay() noexcept {
  if (!overlay_.block) return;
  std::memcpy(overlay_.block->bytes.data() + overlay_.at, overlay_.saved.data(),
              overlay_.saved.size());
  overlay_.block.reset();
}

void Sender::on_read(std::uint32_t block, std::vector<std::uint8_t>&& bytes) {
  end_overlay();
  if (broken_ || !pending_reads_.contains(block)) return;  // late answer after a failure
  pending_reads_.erase(block);
  --pending_read_count_;
  if (bytes.size() != layout_.length_of(block)) {
    fail_all(
        make_error(ErrorCode::io_error, "sender: short read of block " + std::to_string(block)));
    return;
  }
  ++blocks_read_;
  const blake3::Digest check = layout_.check_of(block, bytes);
  if (checks_[block] && *checks_[block] != check) {
    fail_all(
        make_error(ErrorCode::file_changed, "sender: the file changed while it was being sent"));
    return;
  }
  if (!checks_[block]) {
    checks_[block] = check;
    hashed_.insert(block);
    if (hashed_.count() == layout_.block_count()) {
      std::vector<blake3::Digest> all(checks_.size());
      for (std::size_t i = 0; i < all.size(); ++i) all[i] = *checks_[i];
      root_ = layout_.root_of(all);
    }
  }
  if (block == 0) {
    for (auto& [id, peer] : peers_) {
      if (peer.state != PeerState::waiting_for_offer) continue;
      peer.state = PeerState::offered;
      send(id, control::Offer{peer.transfer, identity(), layout_.block_size, info_.mime, false});
    }
  }
  // The block is in hand: cached if some peer needs it (one still deciding on the offer will want
  // every block), in room it takes unless every block cached is needed as soon.
  const auto needed_in = blocks_until_needed(block);
  if (needed_in && make_room_in_cache(needed_in)) {
    auto encoded = std::make_shared<EncodedBlock>();
    encoded->index = block;
    encoded->raw_length = static_cast<std::uint32_t>(bytes.size());
    encoded->check = check;
    encoded->compressed = config_.compress && compressor_.try_compress(bytes, encoded->bytes);
    if (encoded->compressed) {
      keep_spare(std::move(bytes));
    } else {
      encoded->bytes = std::move(bytes);
    }
    // Counted as the memory it holds (a raw block's buffer is a whole block even for the last,
    // shorter one), so the budget bounds the memory, whatever the blocks' contents.
    cache_bytes_ += encoded->bytes.capacity();
    cache_[block] = std::move(encoded);
  }
  for (auto& [id, peer] : peers_) maybe_finish(id, peer);
  schedule_reads();
}

void Sender::on_read_failed(std::uint32_t block, const std::string& reason) {
  end_overlay();
  if (broken_ || !pending_reads_.contains(block)) return;
  fail_all(make_error(ErrorCode::io_error, "sender: cannot read the file: " + reason, reason));
}

void Sender::maybe_finish(PeerId id, Peer& peer) {
  if (peer.state != PeerState::sending || peer.current || !peer.resend_queue.empty() ||
      !peer.to_send.empty() || !root_) {
    return;
  }
  if (!peer.done_sent) {
    peer.done_sent = true;
    send(id, control::Done{peer.transfer, *root_});
  }
  if (peer.in_flight.empty()) {
    peer.state = PeerState::finished;
    actions_.push_back(PeerFinished{id});
  }
}

// Whether `peer`, about to cut a block, waits for the pack. It waits while a slower peer is at the
// pack's edge, unless it has spent more than half of its recent time so held with nothing in flight
// (its receiver idle): then the others are about twice as slow or more, or stuck, and holding it to
// their pace would cost more than reading their blocks again. A peer only a little slower holds it
// a little every few blocks and keeps the pack: one read of each block, and the slowest peer's pace
// is no worse for it. (Going alone as soon as the pipeline ran dry split the pack in the browser
// for a receiver 15-20% slower: a peer held to that pace runs dry for a moment between the
// laggard's steps, and every block after was read again for the laggard, 1.1-1.7 reads per block.)
// Once alone it stays alone until every peer behind has caught up to within a span. Its idle share
// is not forgotten when it rejoins, only with time: a peer that stops, catches up and stops again
// costs it about half of its time at most, not a fresh patience each round.
bool Sender::waits_for_pack(Peer& peer, const PackView& pack) {
  if (pack.all_close) peer.alone = false;
  if (!has_clock_) {
    // A host that keeps no clock for the Sender: wait only until the pipeline runs dry, since
    // nothing would ever end a wait for a peer that is stuck.
    if (!pack.at_edge || peer.alone) return false;
    if (peer.in_flight.empty()) peer.alone = true;
    return !peer.alone;
  }
  const double forget =
      std::exp(-static_cast<double>(now_ms_ - peer.idle_share_at) /
               static_cast<double>(std::max<std::uint32_t>(config_.pack_patience_ms, 1)));
  peer.idle_share = peer.idle_now ? 1 - (1 - peer.idle_share) * forget : peer.idle_share * forget;
  peer.idle_share_at = now_ms_;
  peer.idle_now = false;
  if (!pack.at_edge || peer.alone) return false;
  if (peer.idle_share > 0.5) {
    peer.alone = true;
    return false;
  }
  peer.idle_now = peer.in_flight.empty();
  return true;
}

std::optional<SenderAction> Sender::next_action() {
  if (actions_.empty()) return std::nullopt;
  SenderAction a = std::move(actions_.front());
  actions_.pop_front();
  return a;
}

std::span<const std::uint8_t> Sender::next_frame(PeerId id) {
  end_overlay();
  auto it = peers_.find(id);
  if (broken_ || it == peers_.end() || it->second.state != PeerState::sending) return {};
  Peer& peer = it->second;
  if (!peer.current) {
    if (peer.in_flight.count() >= peer.window) return {};
    const auto block = next_block_of(peer);
    if (!block) {
      maybe_finish(id, peer);
      return {};
    }
    if (waits_for_pack(peer, pack_view(id, *block))) return {};
    auto cached = cache_.find(*block);
    if (cached == cache_.end()) {
      schedule_reads();
      return {};
    }
    if (!peer.resend_queue.empty()) peer.resend_queue.pop_front();
    peer.to_send.erase(*block);
    peer.current = cached->second;
    peer.current_offset = 0;
    peer.in_flight.insert(*block);
  }
  const std::shared_ptr<EncodedBlock> block = peer.current;
  const std::size_t offset = peer.current_offset;
  const std::size_t remaining = block->bytes.size() - offset;
  const auto n = static_cast<std::uint32_t>(std::min(remaining, peer.max_payload_bytes));
  frame::Header h;
  h.flags = block->compressed ? frame::flag_compressed : 0;
  h.transfer_id = peer.transfer;
  h.block_index = block->index;
  h.fragment_offset = static_cast<std::uint32_t>(offset);
  h.encoded_length = static_cast<std::uint32_t>(block->bytes.size());
  h.raw_length = block->raw_length;
  h.payload_length = n;
  h.block_check = block->check;
  std::span<const std::uint8_t> frame;
  if (offset >= frame::header_bytes) {
    // In place: the header goes over the tail of the previous fragment, already sent.
    std::uint8_t* at = block->bytes.data() + offset - frame::header_bytes;
    std::memcpy(overlay_.saved.data(), at, frame::header_bytes);
    overlay_.block = block;
    overlay_.at = offset - frame::header_bytes;
    frame::encode_header(h, at);
    frame = std::span<const std::uint8_t>(at, frame::header_bytes + n);
  } else {
    frame::encode(h, std::span(block->bytes).subspan(offset, n), frame_);
    frame = frame_;
  }
  peer.current_offset += n;
  peer.wire_bytes_sent += frame.size();
  if (peer.current_offset == block->bytes.size()) {
    peer.current.reset();
    // The last cut of this block may free cache room a stalled read was waiting for.
    schedule_reads();
  }
  return frame;
}

// Summed afresh rather than read from cache_bytes_, so a test can hold the running count to what
// the buffers really hold.
std::size_t Sender::cache_memory_bytes() const noexcept {
  std::size_t held = 0;
  for (const auto& [index, block] : cache_) held += block->bytes.capacity();
  return held;
}

PeerProgress Sender::progress(PeerId id) const {
  PeerProgress p;
  p.bytes_total = layout_.file_size;
  auto it = peers_.find(id);
  if (it == peers_.end()) return p;
  p.bytes_acked = it->second.bytes_acked;
  p.wire_bytes_sent = it->second.wire_bytes_sent;
  p.finished = it->second.state == PeerState::finished;
  p.failed = it->second.state == PeerState::failed;
  return p;
}

}  // namespace cieloweb
