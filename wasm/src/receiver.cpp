#include "cieloweb/receiver.hpp"

#include <algorithm>
#include <cstring>

namespace cieloweb {

using namespace receiver_action;

Receiver::Receiver(const control::Offer& offer, ReceiverConfig config)
    : offer_(offer), config_(config) {
  config_.window = std::clamp<std::uint32_t>(config_.window, 1, max_window_blocks);
  reset_for(offer);
}

void Receiver::reset_for(const control::Offer& offer) {
  offer_ = offer;
  layout_ = BlockLayout{offer.file.size, offer.block_size};
  limits_.max_raw_block_bytes = offer.block_size;
  limits_.max_encoded_block_bytes =
      static_cast<std::uint32_t>(codec::compress_bound(offer.block_size));
  checks_.assign(layout_.block_count(), blake3::Digest{});
  verified_.clear();
  awaiting_resend_.clear();
  assembly_.reset();
  pending_writes_.clear();
  resends_.clear();
  sender_root_.reset();
  bytes_verified_ = 0;
}

void Receiver::send(const control::Message& message) {
  actions_.push_back(SendControl{control::encode(message)});
}

void Receiver::fail(Error error, bool tell_sender) {
  if (state_ == State::failed || state_ == State::completed) return;
  if (tell_sender) send(control::ErrorMessage{offer_.transfer, error.code, error.detail});
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
  if (offer_.file.size > config_.max_file_size) {
    fail(make_error(ErrorCode::too_large, "receiver: the file is larger than the storage allows"),
         true);
    return;
  }
  state_ = State::receiving;
  send_accept(false);
  maybe_complete();  // an empty file needs no block
}

void Receiver::accept_resume(const ResumeState& state) {
  if (state_ != State::offered) return;
  if (!(state.file == offer_.file && state.block_size == offer_.block_size)) {
    // The partial data belongs to another version of the file: the host must not keep it.
    if (!state.verified.empty()) actions_.push_back(DiscardPartial{});
  } else {
    const std::uint32_t count = layout_.block_count();
    for (const auto& [block, check] : state.checks) {
      if (block >= count || !state.verified.contains(block)) continue;
      verified_.insert(block);
      checks_[block] = check;
      bytes_verified_ += layout_.length_of(block);
    }
  }
  if (offer_.file.size > config_.max_file_size) {
    fail(make_error(ErrorCode::too_large, "receiver: the file is larger than the storage allows"),
         true);
    return;
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
  if (const auto* offer = std::get_if<control::Offer>(&message)) {
    if (!offer->restart) return Ok{};  // a repeated offer (sender reconnected): our accept follows
    if (offer->file.size > config_.max_file_size) {
      Error e =
          make_error(ErrorCode::too_large, "receiver: the file is larger than the storage allows");
      fail(e, true);
      return e;
    }
    // The file changed since the partial data was received: throw it away and start over.
    reset_for(*offer);
    actions_.push_back(DiscardPartial{});
    if (state_ == State::completed) state_ = State::offered;
    if (state_ == State::receiving) {
      send_accept(false);
      maybe_complete();
    }
    return Ok{};
  }
  if (const auto* done = std::get_if<control::Done>(&message)) {
    sender_root_ = done->root;
    request_missing();
    maybe_complete();
    return Ok{};
  }
  if (const auto* cancel = std::get_if<control::Cancel>(&message)) {
    fail(make_error(ErrorCode::cancelled, "cancelled by sender: " + cancel->reason), false);
    return Ok{};
  }
  if (const auto* error = std::get_if<control::ErrorMessage>(&message)) {
    fail(make_error(error->code, "sender: " + error->message), false);
    return Ok{};
  }
  Error e = make_error(ErrorCode::bad_state,
                       std::string("receiver: unexpected '") + control::type_name(message) + "'");
  fail(e, true);
  return e;
}

void Receiver::request_again(std::uint32_t block, ErrorCode reason) {
  if (verified_.contains(block) || pending_writes_.count(block) ||
      awaiting_resend_.contains(block)) {
    return;
  }
  if (++resends_[block] > config_.max_resends_per_block) {
    fail(make_error(ErrorCode::retries_exhausted,
                    "receiver: block " + std::to_string(block) + " failed verification too often"),
         true);
    return;
  }
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
  // Already have it (a copy sent before a resume or a resend crossed the original): drop quietly.
  if (verified_.contains(block) || pending_writes_.count(block)) return dropped;

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
  // header was too damaged to tell which block it belonged to).
  const std::uint32_t count = layout_.block_count();
  std::uint32_t next = 0;
  while (state_ == State::receiving && next < count) {
    if (!verified_.contains(next) && !pending_writes_.count(next) &&
        !awaiting_resend_.contains(next) && !(assembly_ && assembly_->block == next)) {
      request_again(next, ErrorCode::truncated);
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
  maybe_complete();
}

void Receiver::on_write_failed(std::uint32_t block, const std::string& reason) {
  if (!pending_writes_.count(block)) return;
  fail(make_error(ErrorCode::io_error, "receiver: cannot write: " + reason), true);
}

void Receiver::on_disconnected() {
  if (assembly_) {
    keep_spare(std::move(assembly_->bytes));
    assembly_.reset();
  }
  awaiting_resend_.clear();
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
  actions_.push_back(Completed{root});
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
