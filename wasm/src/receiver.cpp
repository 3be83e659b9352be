#include "cieloweb/receiver.hpp"

#include <algorithm>
#include <cstring>

namespace cieloweb {

using namespace receiver_action;

Receiver::Receiver(const control::Offer& offer, ReceiverConfig config)
    : offer_(offer), config_(config) {
  config_.window = std::clamp<std::uint32_t>(config_.window, 1, max_window_blocks);
  config_.max_blocks = std::min(config_.max_blocks, max_tracked_blocks);
  config_.max_resends_per_block =
      std::min(config_.max_resends_per_block, max_resends_per_block_limit);
  set_offer(offer);
}

Status Receiver::check_offer(const control::Offer& offer, const ReceiverConfig& config) {
  if (offer.file.size > config.max_file_size) {
    return make_error(ErrorCode::too_large, "receiver: the file (" +
                                                std::to_string(offer.file.size) +
                                                " bytes) is larger than the storage allows (" +
                                                std::to_string(config.max_file_size) + " bytes)");
  }
  // 64-bit: an unchecked block size of 0 must not divide, nor a huge count wrap.
  const std::uint64_t blocks =
      offer.block_size == 0 ? 0 : (offer.file.size + offer.block_size - 1) / offer.block_size;
  const std::uint64_t cap = std::min(config.max_blocks, max_tracked_blocks);
  if (blocks > cap) {
    return make_error(ErrorCode::too_large, "receiver: the file has " + std::to_string(blocks) +
                                                " blocks of " + std::to_string(offer.block_size) +
                                                " bytes; at most " + std::to_string(cap) +
                                                " are kept track of per file");
  }
  return Ok{};
}

Status Receiver::offer_status() const {
  return check_offer(offer_, config_);
}

// Only the identity and the limits derived from it: nothing here grows with the file's size.
void Receiver::set_offer(const control::Offer& offer) {
  offer_ = offer;
  layout_ = BlockLayout{offer.file.size, offer.block_size};
  limits_.max_raw_block_bytes = offer.block_size;
  limits_.max_encoded_block_bytes =
      static_cast<std::uint32_t>(codec::compress_bound(offer.block_size));
}

// The accepted file's bookkeeping: allocated here, after offer_status() said it fits the cap.
bool Receiver::start_file() {
  const Status fits = offer_status();
  if (!fits) {
    fail(fits.error(), true);
    return false;
  }
  checks_.assign(layout_.block_count(), blake3::Digest{});
  resends_.assign(layout_.block_count(), 0);
  return true;
}

// Forgets everything about the file received so far and gives its memory back.
void Receiver::drop_file_state() {
  std::vector<blake3::Digest>().swap(checks_);
  std::vector<std::uint8_t>().swap(resends_);
  verified_.clear();
  awaiting_resend_.clear();
  if (assembly_) keep_spare(std::move(assembly_->bytes));
  assembly_.reset();
  pending_writes_.clear();
  sender_root_.reset();
  sender_done_ = false;
  bytes_verified_ = 0;
  blocks_received_ = 0;
}

void Receiver::send(const control::Message& message) {
  actions_.push_back(SendControl{control::encode(message)});
}

void Receiver::fail(Error error, bool tell_sender) {
  if (state_ == State::failed || state_ == State::completed) return;
  if (tell_sender)
    send(control::ErrorMessage{offer_.transfer, error.code, error.detail, error.reason});
  state_ = State::failed;
  assembly_.reset();
  actions_.push_back(Failed{std::move(error)});
}

void Receiver::send_accept(bool resume) {
  control::Accept a;
  a.transfer = offer_.transfer;
  a.window = config_.window;
  a.have = verified_;
  // Blocks verified and waiting for the disk are as good as received: asking for them again would
  // only waste the channel (a failed write fails the transfer anyway).
  for (const auto& entry : pending_writes_) a.have.insert(entry.first);
  a.resume = resume;
  a.file = offer_.file;
  send(a);
}

void Receiver::accept() {
  if (state_ != State::offered) return;
  if (!start_file()) return;
  state_ = State::receiving;
  send_accept(false);
  maybe_complete();  // an empty file needs no block
}

void Receiver::accept_resume(const ResumeState& state) {
  if (state_ != State::offered) return;
  if (!start_file()) return;
  if (!(state.file == offer_.file && state.block_size == offer_.block_size)) {
    // The partial data belongs to another version of the file: the host must not keep it.
    if (!state.verified.empty()) actions_.push_back(DiscardPartial{});
  } else {
    const std::uint32_t count = layout_.block_count();
    for (const auto& [block, check] : state.checks) {
      // (A block listed twice must not count its bytes twice.)
      if (block >= count || !state.verified.contains(block) || verified_.contains(block)) continue;
      verified_.insert(block);
      checks_[block] = check;
      bytes_verified_ += layout_.length_of(block);
    }
  }
  state_ = State::receiving;
  send_accept(!verified_.empty());
  maybe_complete();
}

void Receiver::reject(const std::string& reason) {
  if (state_ != State::offered) return;
  send(control::Reject{offer_.transfer, reason});
  state_ = State::failed;
  actions_.push_back(Failed{make_error(ErrorCode::rejected, "declined")});
}

void Receiver::cancel(const std::string& reason) {
  if (state_ == State::completed || state_ == State::failed) return;
  send(control::Cancel{offer_.transfer, reason});
  state_ = State::failed;
  assembly_.reset();
  actions_.push_back(Failed{make_error(ErrorCode::cancelled, "cancelled")});
}

Status Receiver::on_control(const control::Message& message) {
  if (control::transfer_of(message) != offer_.transfer) {
    return make_error(ErrorCode::unknown_transfer, "receiver: message for another transfer");
  }
  if (state_ == State::failed)
    return make_error(ErrorCode::bad_state, "receiver: transfer already ended");
  if (const auto* offer = std::get_if<control::Offer>(&message)) return on_offer(*offer);
  if (const auto* done = std::get_if<control::Done>(&message)) {
    if (state_ != State::receiving) return Ok{};  // nothing asked for (yet), nothing to check
    sender_root_ = done->root;
    sender_done_ = true;
    request_missing();
    maybe_complete();
    return Ok{};
  }
  if (const auto* cancel = std::get_if<control::Cancel>(&message)) {
    fail(make_error(ErrorCode::cancelled, "cancelled by sender: " + cancel->reason, cancel->reason),
         false);
    return Ok{};
  }
  if (const auto* error = std::get_if<control::ErrorMessage>(&message)) {
    fail(make_error(error->code, "sender: " + error->message, error->reason), false);
    return Ok{};
  }
  Error e = make_error(ErrorCode::bad_state,
                       std::string("receiver: unexpected '") + control::type_name(message) + "'");
  fail(e, true);
  return e;
}

Status Receiver::on_offer(const control::Offer& offer) {
  const bool same = offer.file == offer_.file && offer.block_size == offer_.block_size &&
                    offer.mime == offer_.mime;
  if (state_ == State::completed) {
    // The file is whole and verified; the host may have saved it already. Discarding it on the
    // sender's word would let a peer destroy a finished download, and no legitimate sender
    // restarts a transfer whose receiver stopped resuming: ignore it, keep the file.
    if (offer.restart)
      return make_error(ErrorCode::bad_state, "receiver: restart after completion");
    return Ok{};
  }
  if (state_ == State::offered) {
    // Not accepted yet: the host shows this offer; let it show the newest.
    if (same) return Ok{};
    set_offer(offer);
    actions_.push_back(Reoffered{offer_});
    return Ok{};
  }
  // Receiving: a repeated offer (the sender reconnected) changes nothing, our accept follows; one
  // for another file without `restart` is not believed either (the resume accept then carries the
  // accepted identity, and a sender with another file answers with a restart).
  if (!offer.restart) return Ok{};
  // The sender's file changed: what was written belongs to another file. Throw it away and ask the
  // person again, since what they accepted is not what would now arrive.
  drop_file_state();
  actions_.push_back(DiscardPartial{});
  set_offer(offer);
  state_ = State::offered;
  actions_.push_back(Reoffered{offer_});
  return Ok{};
}

void Receiver::request_again(std::uint32_t block, ErrorCode reason) {
  if (state_ != State::receiving || block >= resends_.size() || verified_.contains(block) ||
      pending_writes_.count(block) || awaiting_resend_.contains(block)) {
    return;
  }
  // (Compared before counting: the count is one byte, and the limit may be its maximum.)
  if (resends_[block] >= config_.max_resends_per_block) {
    fail(make_error(ErrorCode::retries_exhausted,
                    "receiver: block " + std::to_string(block) + " failed verification too often"),
         true);
    return;
  }
  ++resends_[block];
  ++blocks_resent_;
  awaiting_resend_.insert(block);
  send(control::Resend{offer_.transfer, block, reason});
}

Status Receiver::bad_frame(Error error) {
  if (assembly_) {
    const std::uint32_t block = assembly_->block;
    keep_spare(std::move(assembly_->bytes));
    assembly_.reset();
    request_again(block, error.code);
  }
  if (++bad_frames_ > config_.max_bad_frames) {
    fail(make_error(error.code, "receiver: too many malformed frames; last: " + error.detail),
         true);
  }
  return error;
}

// A frame for a block nobody asked for: counted (a sender that keeps doing it fails), but it costs
// no memory and does not disturb the block being assembled.
Status Receiver::stray_frame(Error error) {
  if (++bad_frames_ > config_.max_bad_frames) {
    fail(make_error(error.code, "receiver: too many malformed frames; last: " + error.detail),
         true);
  }
  return error;
}

Status Receiver::on_frame(std::span<const std::uint8_t> bytes) {
  auto slot = begin_frame(bytes.first(std::min(bytes.size(), frame::header_bytes)), bytes.size());
  if (!slot) return slot.error();
  if (!slot.value().empty()) {
    std::memcpy(slot.value().data(), bytes.data() + frame::header_bytes, slot.value().size());
    end_frame();
  }
  return Ok{};
}

Result<std::span<std::uint8_t>> Receiver::begin_frame(std::span<const std::uint8_t> header,
                                                      std::size_t frame_bytes) {
  open_payload_bytes_ = 0;
  const std::span<std::uint8_t> dropped;
  if (state_ != State::receiving)
    return make_error(ErrorCode::bad_state, "receiver: not receiving");
  auto decoded = frame::decode_header(header, frame_bytes, limits_);
  if (!decoded) return bad_frame(decoded.error()).error();
  const frame::Header& h = decoded.value();
  if (h.transfer_id != offer_.transfer) {
    return bad_frame(
               make_error(ErrorCode::unknown_transfer, "receiver: frame for another transfer"))
        .error();
  }
  if (h.block_index >= layout_.block_count()) {
    return bad_frame(
               make_error(ErrorCode::field_out_of_range, "receiver: block index past the end"))
        .error();
  }
  if (h.raw_length != layout_.length_of(h.block_index)) {
    return bad_frame(make_error(ErrorCode::length_mismatch,
                                "receiver: block length disagrees with the offer"))
        .error();
  }
  const std::uint32_t block = h.block_index;
  // A compressed block is at most zstd's bound of its own length (the last block is short), not of
  // block_size: the assembly buffer below is sized by encoded_length.
  if (h.encoded_length > codec::compress_bound(h.raw_length)) {
    return bad_frame(make_error(ErrorCode::too_large,
                                "receiver: encoded_length " + std::to_string(h.encoded_length) +
                                    " exceeds the bound of a " + std::to_string(h.raw_length) +
                                    "-byte block"))
        .error();
  }
  // Already have it (a copy sent before a resume or a resend crossed the original): drop quietly.
  if (verified_.contains(block) || pending_writes_.count(block)) return dropped;
  // After `done` the sender sends only what is asked for again.
  if (sender_done_ && !awaiting_resend_.contains(block) &&
      !(assembly_ && assembly_->block == block)) {
    return stray_frame(make_error(ErrorCode::bad_state,
                                  "receiver: block " + std::to_string(block) + " not asked for"))
        .error();
  }

  if (assembly_ && assembly_->block != block) {
    // The sender moved on while this block was incomplete: it can only come again whole.
    const std::uint32_t abandoned = assembly_->block;
    keep_spare(std::move(assembly_->bytes));
    assembly_.reset();
    request_again(abandoned, ErrorCode::truncated);
  }
  if (!assembly_) {
    if (h.fragment_offset != 0) {
      // The tail of a block whose start we dropped (or a header hit by corruption).
      if (!awaiting_resend_.contains(block)) request_again(block, ErrorCode::truncated);
      return dropped;
    }
    // The sender keeps at most `window` blocks unacknowledged; after a resume it no longer counts
    // the blocks still waiting here for the disk, hence the factor two. Memory stays bounded either
    // way.
    if (pending_writes_.size() >= 2 * std::size_t{config_.window}) {
      Error e = make_error(ErrorCode::bad_state, "receiver: sender exceeded the window");
      fail(e, true);
      return e;
    }
    awaiting_resend_.erase(block);
    assembly_ = Assembly{};  // (not emplace(): clang 14 rejects it for this nested aggregate)
    assembly_->block = block;
    assembly_->first = h;
    assembly_->bytes = take_spare(h.encoded_length);
  }
  Assembly& a = *assembly_;
  if (h.fragment_offset != a.received || h.flags != a.first.flags ||
      h.encoded_length != a.first.encoded_length || h.block_check != a.first.block_check) {
    return bad_frame(make_error(ErrorCode::length_mismatch,
                                "receiver: fragment does not continue its block"))
        .error();
  }
  open_payload_bytes_ = h.payload_length;
  return std::span<std::uint8_t>(a.bytes.data() + a.received, h.payload_length);
}

void Receiver::end_frame() {
  const std::uint32_t n = open_payload_bytes_;
  open_payload_bytes_ = 0;
  if (n == 0 || !assembly_) return;
  assembly_->received += n;
  if (assembly_->received == assembly_->first.encoded_length) {
    Assembly done = std::move(*assembly_);
    assembly_.reset();
    finish_block(done);
  }
}

ByteBuffer Receiver::take_spare(std::size_t length) {
  ByteBuffer buffer;
  if (!spares_.empty()) {
    buffer = std::move(spares_.back());
    spares_.pop_back();
  }
  buffer.resize(length);  // uninitialised: every byte is written before it is read
  return buffer;
}

void Receiver::keep_spare(ByteBuffer&& buffer) {
  // One for the block being assembled, one for a decompression: more would only hold memory.
  if (spares_.size() < 2 && buffer.capacity() > 0) spares_.push_back(std::move(buffer));
}

void Receiver::finish_block(Assembly& a) {
  ByteBuffer raw;
  if (a.first.compressed()) {
    // The cap is the block's known raw length: a payload that expands further is refused.
    raw = take_spare(a.first.raw_length);
    const auto n = decompressor_.decode_into(a.bytes, raw);
    keep_spare(std::move(a.bytes));
    if (!n || n.value() != a.first.raw_length) {
      keep_spare(std::move(raw));
      request_again(a.block, n ? ErrorCode::length_mismatch : n.error().code);
      return;
    }
  } else {
    raw = std::move(a.bytes);
  }
  const blake3::Digest check = layout_.check_of(a.block, raw);
  if (check != a.first.block_check) {
    keep_spare(std::move(raw));
    request_again(a.block, ErrorCode::hash_mismatch);
    return;
  }
  checks_[a.block] = check;
  const auto [it, inserted] = pending_writes_.emplace(a.block, std::move(raw));
  actions_.push_back(WriteBlock{a.block, layout_.offset_of(a.block), it->second});
}

void Receiver::request_missing() {
  // After `done` the sender sends only what is asked for, and frames arrive in order, so a block
  // neither verified, nor written, nor under way, nor asked for again was lost (a frame whose
  // header was too damaged to tell which block it belonged to). At most `window` are asked for at
  // a time (more as they arrive): a sender saying `done` at once must not make the receiver queue
  // a request for every block of the file, nor scan them all.
  if (!sender_done_) return;
  const std::uint32_t count = layout_.block_count();
  std::uint64_t asked = awaiting_resend_.count();
  std::uint32_t next = 0;
  while (state_ == State::receiving && next < count && asked < config_.window) {
    const std::uint32_t past_verified = verified_.end_of_run(next);
    if (past_verified != next) {
      next = past_verified;
      continue;
    }
    const std::uint32_t past_asked = awaiting_resend_.end_of_run(next);
    if (past_asked != next) {
      next = past_asked;
      continue;
    }
    if (!pending_writes_.count(next) && !(assembly_ && assembly_->block == next)) {
      request_again(next, ErrorCode::truncated);
      ++asked;
    }
    ++next;
  }
}

void Receiver::on_write_done(std::uint32_t block) {
  auto it = pending_writes_.find(block);
  if (it == pending_writes_.end() || state_ != State::receiving) return;
  keep_spare(std::move(it->second));
  pending_writes_.erase(it);
  verified_.insert(block);
  bytes_verified_ += layout_.length_of(block);
  ++blocks_received_;
  send(control::Ack{offer_.transfer, {block}});
  request_missing();  // room for the next block asked for again, if `done` came already
  maybe_complete();
}

void Receiver::on_write_failed(std::uint32_t block, const std::string& reason) {
  if (!pending_writes_.count(block)) return;
  fail(make_error(ErrorCode::io_error, "receiver: cannot write: " + reason, reason), true);
}

void Receiver::on_disconnected() {
  if (assembly_) {
    keep_spare(std::move(assembly_->bytes));
    assembly_.reset();
  }
  awaiting_resend_.clear();
  // The resumed sender sends every missing block again, then `done` again.
  sender_done_ = false;
}

void Receiver::on_reconnected() {
  if (state_ != State::receiving) return;
  send_accept(true);
}

void Receiver::maybe_complete() {
  if (state_ != State::receiving || verified_.count() != layout_.block_count()) return;
  const blake3::Digest root = layout_.root_of(checks_);
  if (layout_.block_count() > 0 && !sender_root_) return;  // wait for the sender's `done`
  if (sender_root_ && *sender_root_ != root) {
    fail(make_error(ErrorCode::root_mismatch,
                    "receiver: the whole-file hash does not match the sender's"),
         true);
    return;
  }
  state_ = State::completed;
  actions_.push_back(Completed{root, layout_.file_size});
}

std::optional<ReceiverAction> Receiver::next_action() {
  if (actions_.empty()) return std::nullopt;
  ReceiverAction a = std::move(actions_.front());
  actions_.pop_front();
  return a;
}

std::span<const std::uint8_t> Receiver::pending_write(std::uint32_t block) const {
  const auto it = pending_writes_.find(block);
  if (it == pending_writes_.end()) return {};
  return it->second;
}

ResumeState Receiver::resume_state() const {
  ResumeState s;
  s.file = offer_.file;
  s.block_size = offer_.block_size;
  s.verified = verified_;
  for (const auto& [first, last] : verified_.ranges()) {
    for (std::uint32_t b = first; b < last; ++b) s.checks.emplace_back(b, checks_[b]);
  }
  return s;
}

ReceiverProgress Receiver::progress() const {
  ReceiverProgress p;
  p.bytes_verified = bytes_verified_;
  p.bytes_total = layout_.file_size;
  p.blocks_resent = blocks_resent_;
  p.blocks_received = blocks_received_;
  p.completed = state_ == State::completed;
  p.failed = state_ == State::failed;
  return p;
}

}  // namespace cieloweb
