// Sender and Receiver for JS, plus the pump that feeds a real RTCDataChannel from C++.
//
// Actions come out as plain JS objects ({type: "read" | "control" | "finished" | "failed" | "write"
// | "discard" | "reoffered" | "completed"}); the page's engine carries them out (reads and writes
// are async there).
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <algorithm>
#include <array>

#include "cieloweb/control.hpp"
#include "cieloweb/flow.hpp"
#include "cieloweb/frame.hpp"
#include "cieloweb/receiver.hpp"
#include "cieloweb/resume.hpp"
#include "cieloweb/sender.hpp"
#include "js_bytes.hpp"
#include "status_js.hpp"

namespace cieloweb::bindings {
namespace {

using emscripten::val;

val action_object(const char* type) {
  val o = val::object();
  o.set("type", type);
  return o;
}

std::string string_or(const val& config, const char* key, std::string fallback) {
  const val v = config[key];
  return v.isString() ? v.as<std::string>() : fallback;
}
double number_or(const val& config, const char* key, double fallback) {
  const val v = config[key];
  return v.isNumber() ? v.as<double>() : fallback;
}
// A JS number made safe to convert to an integer type: NaN and values out of [lo, hi] (where the
// conversion would be undefined behaviour) become the nearest bound.
double clamped(double v, double lo, double hi) {
  return v >= lo ? (v <= hi ? v : hi) : lo;  // NaN fails both comparisons: lo
}

class JsSender : LiveObject {
 public:
  // file: {name, size, mtimeMs, mime?}; config: {blockSize?, cacheBytes?, compress?}.
  JsSender(const val& file, const val& config)
      : info_{string_or(file, "name", ""), static_cast<std::uint64_t>(number_or(file, "size", 0)),
              static_cast<std::int64_t>(number_or(file, "mtimeMs", 0)),
              string_or(file, "mime", "")},
        config_(make_config(config)),
        status_(Sender::validate(info_, config_)),
        sender_(info_, config_) {}

  val status() const { return status_to_js(status_); }
  val add_peer(int peer, double transfer, double max_message_bytes) {
    if (!status_) return status_to_js(status_);
    return status_to_js(sender_.add_peer(static_cast<PeerId>(peer),
                                         static_cast<std::uint32_t>(transfer),
                                         static_cast<std::size_t>(max_message_bytes)));
  }
  void pause_peer(int peer) { sender_.pause_peer(static_cast<PeerId>(peer)); }
  void cancel_peer(int peer, const std::string& reason) {
    sender_.cancel_peer(static_cast<PeerId>(peer), reason);
  }
  val on_control(int peer, const std::string& text) {
    auto message = control::decode(text);
    if (!message) return error_to_js(message.error());
    return status_to_js(sender_.on_control(static_cast<PeerId>(peer), message.value()));
  }
  // One copy, straight into the buffer the Sender then keeps (an uncompressed block is framed from
  // it in place); the buffer is recycled storage, so neither an allocation nor a zero fill.
  void on_read(double block, const val& bytes) {
    std::vector<std::uint8_t> owned = sender_.read_buffer(js_length(bytes));
    copy_into(bytes, owned);
    sender_.on_read(static_cast<std::uint32_t>(block), std::move(owned));
  }
  void on_read_failed(double block, const std::string& reason) {
    sender_.on_read_failed(static_cast<std::uint32_t>(block), reason);
  }

  val next_action() {
    auto action = sender_.next_action();
    if (!action) return val::null();
    if (auto* read = std::get_if<sender_action::ReadBlock>(&*action)) {
      val o = action_object("read");
      o.set("block", read->block);
      o.set("offset", static_cast<double>(read->offset));
      o.set("length", read->length);
      return o;
    }
    if (auto* send = std::get_if<sender_action::SendControl>(&*action)) {
      val o = action_object("control");
      o.set("peer", send->peer);
      o.set("text", send->text);
      o.set("message", send->type);
      return o;
    }
    if (auto* fin = std::get_if<sender_action::PeerFinished>(&*action)) {
      val o = action_object("finished");
      o.set("peer", fin->peer);
      return o;
    }
    const auto& failed = std::get<sender_action::PeerFailed>(*action);
    val o = error_to_js(failed.error);
    o.set("type", "failed");
    o.set("peer", failed.peer);
    return o;
  }

  // A copy of the next frame for `peer`, or null (tests and in-memory channels).
  val next_frame(int peer) {
    sender_.set_now(static_cast<std::uint64_t>(emscripten_get_now()));  // the pack's patience
    const auto frame = sender_.next_frame(static_cast<PeerId>(peer));
    if (frame.empty()) return val::null();
    return to_uint8array(frame);
  }

  // Sends frames for `peer` straight from WASM memory into a real RTCDataChannel (send() copies the
  // view) while its bufferedAmount stays under the high watermark. Sets bufferedAmountLowThreshold
  // to the low watermark so the page's bufferedamountlow handler calls pump again. Returns frames
  // sent. readyState and bufferedAmount are read once: neither can drop while this loop runs (the
  // channel changes them in later tasks), and each send() adds exactly its size to bufferedAmount.
  int pump(int peer, val channel, double high_watermark, double low_watermark) {
    FlowGate& gate = gates_
                         .try_emplace(peer, static_cast<std::uint64_t>(high_watermark),
                                      static_cast<std::uint64_t>(low_watermark))
                         .first->second;
    // The page may change them mid-file (a call started or ended: the transfers yield).
    gate.set_watermarks(static_cast<std::uint64_t>(high_watermark),
                        static_cast<std::uint64_t>(low_watermark));
    channel.set("bufferedAmountLowThreshold", static_cast<double>(gate.low()));
    const double open_buffered = cielo_js_channel_buffered(channel.as_handle());
    if (open_buffered < 0) return 0;
    auto buffered = static_cast<std::uint64_t>(open_buffered);
    sender_.set_now(static_cast<std::uint64_t>(emscripten_get_now()));  // the pack's patience
    int sent = 0;
    while (gate.may_send(buffered)) {
      const auto frame = sender_.next_frame(static_cast<PeerId>(peer));
      if (frame.empty()) break;
      cielo_js_channel_send(channel.as_handle(), frame.data(),
                            static_cast<std::uint32_t>(frame.size()));
      buffered += frame.size();
      ++sent;
    }
    return sent;
  }

  val progress(int peer) const {
    const PeerProgress p = sender_.progress(static_cast<PeerId>(peer));
    val o = val::object();
    o.set("bytesAcked", static_cast<double>(p.bytes_acked));
    o.set("bytesTotal", static_cast<double>(p.bytes_total));
    o.set("wireBytesSent", static_cast<double>(p.wire_bytes_sent));
    o.set("finished", p.finished);
    o.set("failed", p.failed);
    return o;
  }
  val root_hex() const {
    const auto root = sender_.root();
    return root ? val(blake3::to_hex(*root)) : val::null();
  }
  double blocks_read() const { return static_cast<double>(sender_.blocks_read()); }

 private:
  static SenderConfig make_config(const val& config) {
    SenderConfig c;
    c.block_size = static_cast<std::uint32_t>(number_or(config, "blockSize", c.block_size));
    c.cache_bytes = static_cast<std::size_t>(
        number_or(config, "cacheBytes", static_cast<double>(c.cache_bytes)));
    const val compress = config["compress"];
    if (compress.isTrue() || compress.isFalse()) c.compress = compress.as<bool>();
    return c;
  }

  FileInfo info_;
  SenderConfig config_;
  Status status_;
  Sender sender_;
  std::map<int, FlowGate> gates_;
};

val identity_to_js(const control::FileIdentity& f) {
  val o = val::object();
  o.set("name", f.name);
  o.set("size", static_cast<double>(f.size));
  o.set("mtimeMs", static_cast<double>(f.mtime_ms));
  o.set("firstBlock", blake3::to_hex(f.first_block));
  o.set("key", resume::identity_key(f));
  return o;
}

// The fields the page shows for an offer: {file: {...}, blockSize, mime}.
void set_offer_fields(val& o, const control::Offer& offer) {
  o.set("file", identity_to_js(offer.file));
  o.set("blockSize", offer.block_size);
  o.set("mime", offer.mime);
}

ReceiverConfig receiver_config(const val& config) {
  ReceiverConfig c;
  c.window = static_cast<std::uint32_t>(
      clamped(number_or(config, "window", c.window), 1, max_window_blocks));
  c.max_file_size = static_cast<std::uint64_t>(
      clamped(number_or(config, "maxFileSize", static_cast<double>(c.max_file_size)), 0,
              static_cast<double>(max_file_size_bytes)));
  c.max_blocks = static_cast<std::uint32_t>(
      clamped(number_or(config, "maxBlocks", c.max_blocks), 0, max_tracked_blocks));
  return c;
}

// Whether a Receiver with `config` could accept the offer `offer_text`, without making one: the
// decode error, too_large (with the reason), or ok.
val check_offer(const std::string& offer_text, const val& config) {
  auto message = control::decode(offer_text);
  if (!message) return error_to_js(message.error());
  const auto* offer = std::get_if<control::Offer>(&message.value());
  if (!offer) return error_to_js(make_error(ErrorCode::wrong_type, "receiver: not an offer"));
  return status_to_js(Receiver::check_offer(*offer, receiver_config(config)));
}

// Decodes a control message for routing and display: {ok, type, transfer, ...} or an error object.
val decode_control(const std::string& text) {
  auto message = control::decode(text);
  if (!message) return error_to_js(message.error());
  val o = val::object();
  o.set("ok", true);
  o.set("type", control::type_name(message.value()));
  o.set("transfer", static_cast<double>(control::transfer_of(message.value())));
  if (const auto* offer = std::get_if<control::Offer>(&message.value())) {
    set_offer_fields(o, *offer);
    o.set("restart", offer->restart);
  } else if (const auto* hello = std::get_if<control::Hello>(&message.value())) {
    o.set("reply", hello->reply);
  } else if (const auto* batch = std::get_if<control::Batch>(&message.value())) {
    o.set("batch", batch->id);
    val files = val::array();
    for (const auto& f : batch->files) {
      val file = val::object();
      file.set("transfer", f.transfer);
      file.set("path", f.path);
      file.set("size", static_cast<double>(f.size));
      files.call<void>("push", file);
    }
    o.set("files", files);
  }
  return o;
}

// Encodes the messages the host itself sends: {type: "hello", reply?}, {type: "batch", batch,
// files: [{transfer, path, size}]} or {type: "cancel", transfer, reason}. {ok, text} or an error
// (the same checks as decoding: what this returns, a peer accepts).
val encode_control(const val& message) {
  const std::string type = string_or(message, "type", "");
  control::Message m;
  if (type == "hello") {
    m = control::Hello{message["reply"].isTrue()};
  } else if (type == "batch") {
    control::Batch batch;
    batch.id = string_or(message, "batch", "");
    const val files = message["files"];
    const auto count = files.isArray() ? files["length"].as<std::size_t>() : 0;
    if (count > max_files_per_batch)
      return error_to_js(make_error(ErrorCode::too_large, "control: too many files"));
    for (std::size_t i = 0; i < count; ++i) {
      const val f = files[i];
      batch.files.push_back(control::BatchFile{
          static_cast<std::uint32_t>(clamped(number_or(f, "transfer", 0), 0, UINT32_MAX)),
          string_or(f, "path", ""),
          static_cast<std::uint64_t>(
              clamped(number_or(f, "size", 0), 0, static_cast<double>(max_file_size_bytes)))});
    }
    m = std::move(batch);
  } else if (type == "cancel") {
    m = control::Cancel{
        static_cast<std::uint32_t>(clamped(number_or(message, "transfer", 0), 0, UINT32_MAX)),
        string_or(message, "reason", "")};
  } else {
    return error_to_js(make_error(ErrorCode::unknown_type, "control: the host sends no " + type));
  }
  std::string text = control::encode(m);
  auto check = control::decode(text);
  if (!check) return error_to_js(check.error());
  val o = val::object();
  o.set("ok", true);
  o.set("text", std::move(text));
  return o;
}

// The transfer id of a data frame, to route it to its Receiver before decoding; -1 when the bytes
// are too short to carry one. Copies only the frame's head.
double peek_transfer_id(const val& bytes) {
  std::array<std::uint8_t, 8> head{};
  const std::uint32_t length =
      cielo_js_copy_head(bytes.as_handle(), head.data(), static_cast<std::uint32_t>(head.size()));
  auto id = frame::peek_transfer_id(std::span(head).first(std::min<std::size_t>(length, 8)));
  return id ? static_cast<double>(id.value()) : -1;
}

// The resume state `state_text` limited to the verified blocks inside `ranges` ([[first, last),
// ...]: what is committed on disk): {ok, state, blocks} (blocks: how many it keeps) or an error.
val limit_resume_state(const std::string& state_text, const val& ranges) {
  auto state = resume::decode(state_text);
  if (!state) return error_to_js(state.error());
  RangeSet kept;
  const auto count = ranges.isArray() ? ranges["length"].as<std::size_t>() : 0;
  for (std::size_t i = 0; i < count; ++i) {
    const val r = ranges[i];
    const double first = clamped(number_or(r, "0", 0), 0, UINT32_MAX);
    const double last = clamped(number_or(r, "1", 0), 0, UINT32_MAX);
    if (first < last)
      kept.insert_range(static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last));
  }
  const resume::State limited = resume::limit_to(state.value(), kept);
  val o = val::object();
  o.set("ok", true);
  o.set("state", resume::encode(limited));
  o.set("blocks", static_cast<double>(limited.checks.size()));
  return o;
}

// Validates one data frame without state (golden-frame tests): {ok, transferId, blockIndex, ...}.
val decode_frame(const val& bytes) {
  std::vector<std::uint8_t> buffer;
  copy_from_js(bytes, buffer);
  auto decoded = frame::decode(buffer);
  if (!decoded) return error_to_js(decoded.error());
  const frame::Header& h = decoded.value().header;
  val o = val::object();
  o.set("ok", true);
  o.set("transferId", static_cast<double>(h.transfer_id));
  o.set("blockIndex", static_cast<double>(h.block_index));
  o.set("fragmentOffset", static_cast<double>(h.fragment_offset));
  o.set("encodedLength", static_cast<double>(h.encoded_length));
  o.set("rawLength", static_cast<double>(h.raw_length));
  o.set("compressed", h.compressed());
  o.set("payload", to_uint8array(decoded.value().payload));
  return o;
}

class JsReceiver : LiveObject {
 public:
  // offer_text: the offer as received; config: {window?, maxFileSize?, maxBlocks?, writeViews?}.
  // Check status() (the offer decodes) and offerStatus() (it can be accepted) before use.
  // writeViews: 'write' actions carry a view of WASM memory instead of a copy (see the .d.ts for
  // how long it stays valid).
  JsReceiver(const std::string& offer_text, const val& config)
      : offer_(parse_offer(offer_text, status_)),
        receiver_(offer_, receiver_config(config)),
        write_views_(write_views_of(config)) {}

  val status() const { return status_to_js(status_); }
  val offer_status() const {
    if (!status_) return status_to_js(status_);
    return status_to_js(receiver_.offer_status());
  }
  // The current offer (the latest after a 'reoffered'): {file, blockSize, mime}.
  val offer() const {
    val o = val::object();
    set_offer_fields(o, receiver_.offer());
    return o;
  }
  void accept() { receiver_.accept(); }
  // state_json: what resumeState() returned earlier (persisted by the page).
  val accept_resume(const std::string& state_json) {
    auto state = resume::decode(state_json);
    if (!state) {
      receiver_.accept();
      return error_to_js(state.error());
    }
    receiver_.accept_resume(state.value());
    return status_to_js(Ok{});
  }
  void reject(const std::string& reason) { receiver_.reject(reason); }
  void cancel(const std::string& reason) { receiver_.cancel(reason); }
  val on_control(const std::string& text) {
    auto message = control::decode(text);
    if (!message) return error_to_js(message.error());
    return status_to_js(receiver_.on_control(message.value()));
  }
  // The header is copied first; the payload then goes once, straight into the block it belongs to.
  val on_frame(const val& bytes) {
    const std::uint32_t length = cielo_js_copy_head(bytes.as_handle(), header_.data(),
                                                    static_cast<std::uint32_t>(header_.size()));
    const std::size_t at_hand = std::min<std::size_t>(length, header_.size());
    auto slot = receiver_.begin_frame(std::span(header_).first(at_hand), length);
    if (!slot) return error_to_js(slot.error());
    if (!slot.value().empty()) {
      cielo_js_copy_range(bytes.as_handle(), frame::header_bytes, slot.value().data(),
                          static_cast<std::uint32_t>(slot.value().size()));
      receiver_.end_frame();
    }
    return status_to_js(Ok{});
  }
  void on_write_done(double block) { receiver_.on_write_done(static_cast<std::uint32_t>(block)); }
  void on_write_failed(double block, const std::string& reason) {
    receiver_.on_write_failed(static_cast<std::uint32_t>(block), reason);
  }
  void on_disconnected() { receiver_.on_disconnected(); }
  void on_reconnected() { receiver_.on_reconnected(); }

  val next_action() {
    auto action = receiver_.next_action();
    if (!action) return val::null();
    if (auto* send = std::get_if<receiver_action::SendControl>(&*action)) {
      val o = action_object("control");
      o.set("text", send->text);
      return o;
    }
    if (auto* write = std::get_if<receiver_action::WriteBlock>(&*action)) {
      val o = action_object("write");
      o.set("block", write->block);
      o.set("offset", static_cast<double>(write->offset));
      o.set("bytes", write_views_ ? memory_view(write->bytes) : to_uint8array(write->bytes));
      return o;
    }
    if (std::get_if<receiver_action::DiscardPartial>(&*action)) return action_object("discard");
    if (auto* reoffer = std::get_if<receiver_action::Reoffered>(&*action)) {
      val o = action_object("reoffered");
      set_offer_fields(o, reoffer->offer);
      // Of this offer: by the time the host reads this action a later one may be current.
      const Status acceptable = Receiver::check_offer(reoffer->offer, receiver_.config());
      o.set("acceptable", status_to_js(acceptable));
      return o;
    }
    if (auto* done = std::get_if<receiver_action::Completed>(&*action)) {
      val o = action_object("completed");
      o.set("rootHex", blake3::to_hex(done->root));
      o.set("size", static_cast<double>(done->size));
      return o;
    }
    val o = error_to_js(std::get<receiver_action::Failed>(*action).error);
    o.set("type", "failed");
    return o;
  }

  // The resume state's text (resume.hpp): the host stores it as is.
  std::string resume_state() const { return resume::encode(receiver_.resume_state()); }

  val progress() const {
    const ReceiverProgress p = receiver_.progress();
    val o = val::object();
    o.set("bytesVerified", static_cast<double>(p.bytes_verified));
    o.set("bytesTotal", static_cast<double>(p.bytes_total));
    o.set("blocksResent", p.blocks_resent);
    o.set("blocksReceived", p.blocks_received);
    o.set("completed", p.completed);
    o.set("failed", p.failed);
    return o;
  }
  double transfer_id() const { return receiver_.transfer_id(); }

  // With {writeViews: true}: a fresh view of a block handed out by a 'write' action and not yet
  // reported done or failed (for a host whose view was detached by a growth of WASM memory), else
  // null.
  val write_view(double block) const {
    const auto bytes = receiver_.pending_write(static_cast<std::uint32_t>(block));
    if (!write_views_ || bytes.empty()) return val::null();
    return memory_view(bytes);
  }

 private:
  static control::Offer parse_offer(const std::string& text, Status& status) {
    auto message = control::decode(text);
    if (message) {
      if (const auto* offer = std::get_if<control::Offer>(&message.value())) return *offer;
      status = make_error(ErrorCode::wrong_type, "receiver: not an offer");
    } else {
      status = message.error();
    }
    // An inert stand-in so the Receiver member is always well-formed; status() reports the error.
    control::Offer inert;
    inert.block_size = default_block_size_bytes;
    return inert;
  }
  static val memory_view(std::span<const std::uint8_t> bytes) {
    return val(emscripten::typed_memory_view(bytes.size(), bytes.data()));
  }
  static bool write_views_of(const val& config) {
    const val v = config["writeViews"];
    return v.isTrue();
  }

  Status status_ = Ok{};
  control::Offer offer_;
  Receiver receiver_;
  bool write_views_ = false;
  std::array<std::uint8_t, frame::header_bytes> header_{};
};

}  // namespace
}  // namespace cieloweb::bindings

EMSCRIPTEN_BINDINGS(cieloweb_transfer) {
  using namespace emscripten;
  using namespace cieloweb::bindings;
  function("decodeControl", &decode_control);
  function("encodeControl", &encode_control);
  function("peekTransferId", &peek_transfer_id);
  function("limitResumeState", &limit_resume_state);
  function("decodeFrame", &decode_frame);
  function("checkOffer", &check_offer);
  class_<JsSender>("Sender")
      .constructor<val, val>()
      .function("status", &JsSender::status)
      .function("addPeer", &JsSender::add_peer)
      .function("pausePeer", &JsSender::pause_peer)
      .function("cancelPeer", &JsSender::cancel_peer)
      .function("onControl", &JsSender::on_control)
      .function("onRead", &JsSender::on_read)
      .function("onReadFailed", &JsSender::on_read_failed)
      .function("nextAction", &JsSender::next_action)
      .function("nextFrame", &JsSender::next_frame)
      .function("pump", &JsSender::pump)
      .function("progress", &JsSender::progress)
      .function("rootHex", &JsSender::root_hex)
      .function("blocksRead", &JsSender::blocks_read);
  class_<JsReceiver>("Receiver")
      .constructor<std::string, val>()
      .function("status", &JsReceiver::status)
      .function("offerStatus", &JsReceiver::offer_status)
      .function("offer", &JsReceiver::offer)
      .function("accept", &JsReceiver::accept)
      .function("acceptResume", &JsReceiver::accept_resume)
      .function("reject", &JsReceiver::reject)
      .function("cancel", &JsReceiver::cancel)
      .function("onControl", &JsReceiver::on_control)
      .function("onFrame", &JsReceiver::on_frame)
      .function("onWriteDone", &JsReceiver::on_write_done)
      .function("onWriteFailed", &JsReceiver::on_write_failed)
      .function("onDisconnected", &JsReceiver::on_disconnected)
      .function("onReconnected", &JsReceiver::on_reconnected)
      .function("nextAction", &JsReceiver::next_action)
      .function("resumeState", &JsReceiver::resume_state)
      .function("progress", &JsReceiver::progress)
      .function("transferId", &JsReceiver::transfer_id)
      .function("writeView", &JsReceiver::write_view);
}
