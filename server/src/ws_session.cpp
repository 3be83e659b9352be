#include "ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "log.hpp"
#include "server_context.hpp"

namespace cieloweb::server {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

// A burst (a large message, a backlog for a slow reader) grows the write buffers; held
// connections are many, so beyond this the memory goes back once the buffer is empty.
constexpr std::size_t keep_buffer_bytes = 64 * 1024;

void release_if_large(std::string& buffer) {
  if (buffer.capacity() > keep_buffer_bytes) std::string().swap(buffer);
}

}  // namespace

WsSession::WsSession(net::ip::tcp::socket&& socket, ServerContext& ctx, std::string client_address,
                     ConnectionSlot slot)
    : socket_(std::move(socket)),
      ctx_(ctx),
      client_address_(std::move(client_address)),
      slot_(std::move(slot)),
      reader_(ctx.config().hub.max_message_bytes) {}

WsSession::~WsSession() {
  if (id_ != 0) ctx_.on_disconnect(id_);
}

void WsSession::start(std::string_view early_bytes) {
  error_code ec;
  // Reads and first write attempts are made directly and must never block the signaling thread.
  socket_.non_blocking(true, ec);
  last_seen_ms_ = ctx_.now_ms();
  id_ = ctx_.register_session(shared_from_this(), client_address_);
  check_by(last_seen_ms_ + ping_after_ms(ctx_.config().ping_timeout_ms));
  log_event(LogLevel::debug, "ws-open", {{"conn", id_}});
  if (!early_bytes.empty()) {
    std::string copy(early_bytes);
    handle_bytes(copy);
  }
  if (!finished_) do_read();
}

// Reading: wait until the socket is readable, then read into the server's one shared buffer and
// handle every frame in it before the next wait. Idle connections (most of them) hold no read
// buffer of their own; a frame cut by the end of a read is kept by the FrameReader.
void WsSession::do_read() {
  socket_.async_wait(net::socket_base::wait_read,
                     [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
}

void WsSession::on_readable(error_code ec) {
  if (finished_) return;
  if (ec) {
    finish();
    return;
  }
  const auto buffer = ctx_.read_buffer();
  const std::size_t n = socket_.read_some(net::buffer(buffer.data(), buffer.size()), ec);
  if (ec == net::error::would_block || ec == net::error::try_again) {
    do_read();
    return;
  }
  if (ec) {
    // The end of the stream (after our close, the client's last word) or a reset.
    finish();
    return;
  }
  handle_bytes(buffer.first(n));
  // One read per wake-up, even if more is waiting: the wait reports it again at once, and a busy
  // client cannot keep the thread from the others.
  if (!finished_) do_read();
}

void WsSession::handle_bytes(std::span<char> bytes) {
  if (close_received_) return;  // only the end of the stream is awaited now
  const auto now = ctx_.now_ms();
  for (;;) {
    const FrameEvent event = reader_.next(bytes);
    if (event.kind != FrameEvent::Kind::need_more) {
      last_seen_ms_ = now;
      ping_outstanding_ = false;
    }
    switch (event.kind) {
      case FrameEvent::Kind::need_more:
        reader_.trim_memory();
        return;
      case FrameEvent::Kind::text:
        // After our close frame only the client's close matters (RFC 6455 section 5.5.1).
        if (!close_queued_) ctx_.on_message(id_, event.payload);
        break;
      case FrameEvent::Kind::binary:
        if (!close_queued_) {
          // The protocol is JSON text only; binary frames are a client bug or a probe.
          ctx_.metrics().count_reject("binary-frame");
          close(close_unsupported_data, "text messages only");
        }
        break;
      case FrameEvent::Kind::ping:
        if (close_queued_) break;
        if (ctx_.on_control_frame(id_) && !close_queued_ &&
            queue_has_room(max_frame_header_bytes + event.payload.size())) {
          append(Opcode::pong, event.payload);
          schedule_flush();
        }
        break;
      case FrameEvent::Kind::pong:
        if (!close_queued_) ctx_.on_control_frame(id_);
        break;
      case FrameEvent::Kind::close:
        handle_close_frame(event.code);
        return;
      case FrameEvent::Kind::error:
        fail(event.code, event.what);
        return;
    }
    if (finished_) return;
  }
}

void WsSession::handle_close_frame(std::uint16_t code) {
  close_received_ = true;
  if (close_queued_) {
    // The answer to our close: the closing handshake is complete, and the server closes the TCP
    // connection first (RFC 6455 section 7.1.1).
    finish();
    return;
  }
  // The client starts the closing handshake: answer with its code (section 5.5.1), then close.
  queue_close_frame(code == 0 ? close_normal : code, {});
}

void WsSession::queue_close_frame(std::uint16_t code, std::string_view reason) {
  append_close_frame(out_, code, reason);
  close_queued_ = true;
  start_close_timer();
  schedule_flush();
}

void WsSession::fail(std::uint16_t code, const char* what) {
  if (code == close_too_big) {
    ctx_.metrics().count_reject("message-too-big");
    log_event(LogLevel::info, "message-too-big", {{"conn", id_}});
  } else {
    ctx_.metrics().count_reject("ws-protocol");
    log_event(LogLevel::info, "ws-protocol-violation", {{"conn", id_}, {"error", what}});
  }
  close_received_ = true;  // the byte stream cannot be trusted any more: read nothing else
  if (close_queued_) {
    finish();
    return;
  }
  queue_close_frame(code, what);
}

void WsSession::send(std::string_view text) {
  if (finished_ || dropping_ || close_queued_) return;
  if (!queue_has_room(max_frame_header_bytes + text.size())) return;
  append(Opcode::text, text);
  schedule_flush();
}

bool WsSession::queue_has_room(std::size_t frame_bytes) {
  if (dropping_) return false;
  if (out_.size() + sending_.size() + frame_bytes <= ctx_.config().write_queue_bytes) return true;
  ctx_.metrics().count_reject("slow-consumer");
  log_event(LogLevel::warn, "slow-consumer-dropped",
            {{"conn", id_}, {"queued_bytes", out_.size() + sending_.size()}});
  // A close frame would wait behind the backlog: cut the connection instead.
  drop_later();
  return false;
}

void WsSession::close(std::uint16_t code, std::string_view reason) {
  if (finished_ || dropping_ || close_queued_) return;
  queue_close_frame(code, reason);
}

// A quiet connection is pinged after half its timeout plus a share of another quarter that its id
// decides: connections opened together (a reconnect wave, a load test) are not all pinged in the
// same sweep, which would stall the signaling thread with thousands of pings and pongs at once.
std::int64_t WsSession::ping_after_ms(std::int64_t timeout_ms) const {
  const std::uint64_t spread = (id_ * 0x9E3779B97F4A7C15ull) >> 54;  // 0..1023, well mixed
  return timeout_ms / 2 + static_cast<std::int64_t>(spread) * (timeout_ms / 4) / 1024;
}

void WsSession::check_alive(std::int64_t now_ms) {
  next_check_ms_ = std::numeric_limits<std::int64_t>::max();  // this check is used up
  // Closing has its own timer (start_close_timer); a dropped session is on its way out.
  if (finished_ || dropping_ || close_queued_) return;
  const auto silent_ms = now_ms - last_seen_ms_;
  const auto timeout_ms = static_cast<std::int64_t>(ctx_.config().ping_timeout_ms);
  const auto write_timeout_ms = static_cast<std::int64_t>(ctx_.config().write_timeout_ms);
  if (writing_ && now_ms - write_started_ms_ >= write_timeout_ms) {
    ctx_.metrics().count_reject("write-timeout");
    log_event(LogLevel::info, "write-timeout", {{"conn", id_}});
    drop_later();
    return;
  }
  if (silent_ms >= timeout_ms) {
    ctx_.metrics().count_reject("ping-timeout");
    log_event(LogLevel::info, "peer-timeout", {{"conn", id_}});
    drop_later();
    return;
  }
  if (!ping_outstanding_ && silent_ms >= ping_after_ms(timeout_ms)) {
    ping_outstanding_ = true;
    append(Opcode::ping, {});
    schedule_flush();
  }
  // Heard from since the last look: the ping waits from the latest message on.
  auto due = last_seen_ms_ + (ping_outstanding_ ? timeout_ms : ping_after_ms(timeout_ms));
  if (writing_) due = std::min(due, write_started_ms_ + write_timeout_ms);
  check_by(std::max(due, now_ms + 1));
}

void WsSession::check_by(std::int64_t due_ms) {
  if (due_ms >= next_check_ms_) return;
  next_check_ms_ = due_ms;
  ctx_.schedule_liveness_check(id_, due_ms);
}

void WsSession::append(Opcode opcode, std::string_view payload) {
  append_frame(out_, opcode, payload);
}

// Writing: frames queued during one turn of the event loop (one read's worth of relayed messages,
// a broadcast, pongs) leave together. The flush is posted rather than done at once so that
// everything decided before it runs joins the same write.
void WsSession::schedule_flush() {
  if (flush_scheduled_ || writing_) return;  // a write in flight takes out_ when it completes
  flush_scheduled_ = true;
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

void WsSession::flush() {
  if (finished_ || writing_ || out_.empty()) return;
  // Try at once: the socket usually takes everything, and then no completion handler is needed.
  error_code ec;
  const std::size_t n = socket_.write_some(net::buffer(out_), ec);
  if (ec && ec != net::error::would_block && ec != net::error::try_again) {
    finish();
    return;
  }
  if (n == out_.size()) {
    out_.clear();
    release_if_large(out_);
    if (close_queued_) after_close_sent();
    return;
  }
  // The socket's buffer is full: the rest goes out as the client reads, while out_ collects what
  // comes next.
  sending_.assign(out_, n);
  out_.clear();
  writing_ = true;
  write_started_ms_ = ctx_.now_ms();
  check_by(write_started_ms_ + static_cast<std::int64_t>(ctx_.config().write_timeout_ms));
  net::async_write(
      socket_, net::buffer(sending_),
      [self = shared_from_this()](error_code e, std::size_t bytes) { self->on_written(e, bytes); });
}

void WsSession::on_written(error_code ec, std::size_t) {
  writing_ = false;
  if (finished_) return;
  if (ec) {
    finish();
    return;
  }
  sending_.clear();
  release_if_large(sending_);
  if (!out_.empty()) {
    flush();
  } else if (close_queued_) {
    after_close_sent();
  }
}

void WsSession::after_close_sent() {
  // Nothing is appended after a close frame, so an empty buffer means it has been written.
  if (!close_received_ || shutdown_sent_) return;  // else: the client's close frame is awaited
  // Both close frames are exchanged (or the client broke the protocol): close our half and wait
  // for the client to close its own, as Beast's teardown does, bounded by the close timer.
  // Closing outright could reset the connection before the client has read our close frame.
  shutdown_sent_ = true;
  error_code ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

void WsSession::start_close_timer() {
  close_timer_ = std::make_unique<net::steady_timer>(socket_.get_executor());
  close_timer_->expires_after(std::chrono::milliseconds(ctx_.config().handshake_timeout_ms));
  close_timer_->async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->finished_) return;
    self->ctx_.metrics().count_reject("handshake-timeout");
    self->finish();
  });
}

void WsSession::drop_later() {
  dropping_ = true;
  // Posted: this may run inside the hub's fan-out, and leaving the room would re-enter it.
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->finish(); });
}

void WsSession::finish() {
  if (finished_) return;
  finished_ = true;
  if (close_timer_) close_timer_->cancel();
  // Leaving the room now (not at destruction) announces peer-left without waiting for pending
  // handlers to unwind.
  if (id_ != 0) {
    const auto id = id_;
    id_ = 0;
    ctx_.on_disconnect(id);
  }
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace cieloweb::server
