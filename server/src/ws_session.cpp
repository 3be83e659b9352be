#include "ws_session.hpp"

#include "log.hpp"
#include "server_context.hpp"

namespace cieloweb::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;

WsSession::WsSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx,
                     std::string client_address)
    : ws_(std::move(socket)), ctx_(ctx), client_address_(std::move(client_address)) {}

WsSession::~WsSession() {
  if (id_ != 0) ctx_.on_disconnect(id_);
}

void WsSession::run(http::request<http::string_body> request) {
  const auto& cfg = ctx_.config();
  websocket::stream_base::timeout timeouts{};
  // Bounds the opening and closing handshakes; idle peers are found by check_alive().
  timeouts.handshake_timeout = std::chrono::milliseconds(cfg.handshake_timeout_ms);
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.control_callback([this](websocket::frame_type kind, std::string_view) {
    if (kind != websocket::frame_type::close) {
      last_seen_ms_ = ctx_.now_ms();
      ping_outstanding_ = false;
    }
  });
  ws_.read_message_max(cfg.hub.max_message_bytes);
  ws_.auto_fragment(false);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "cieloweb"); }));
  ws_.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) {
    ctx_.metrics().count_reject("handshake-failed");
    return;
  }
  ws_.text(true);
  last_seen_ms_ = ctx_.now_ms();
  id_ = ctx_.register_session(shared_from_this(), client_address_);
  log_event(LogLevel::debug, "ws-open", {{"conn", id_}});
  do_read();
}

void WsSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    finish(ec, "read");
    return;
  }
  if (!ws_.got_text()) {
    // The protocol is JSON text only; binary frames are a client bug or a probe.
    ctx_.metrics().count_reject("binary-frame");
    close(websocket::close_code::unknown_data, "text messages only");
    return;
  }
  last_seen_ms_ = ctx_.now_ms();
  ping_outstanding_ = false;
  const auto data = buffer_.data();
  ctx_.on_message(id_, std::string_view(static_cast<const char*>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  // A large message grew the buffer: give the memory back, idle connections are many.
  if (buffer_.capacity() > 16 * 1024) buffer_.shrink_to_fit();
  if (!finished_) do_read();
}

void WsSession::send(std::shared_ptr<const std::string> text) {
  if (finished_ || dropping_ || pending_close_) return;
  if (queued_bytes_ + text->size() > ctx_.config().write_queue_bytes) {
    ctx_.metrics().count_reject("slow-consumer");
    log_event(LogLevel::warn, "slow-consumer-dropped",
              {{"conn", id_}, {"queued_bytes", queued_bytes_}});
    // A close frame would wait behind the backlog: cut the connection instead. Posted, because
    // this runs inside the hub's fan-out and leaving the room would re-enter it.
    dropping_ = true;
    boost::asio::post(ws_.get_executor(),
                      [self = shared_from_this()] { self->finish({}, "slow-consumer"); });
    return;
  }
  queued_bytes_ += text->size();
  queue_.push_back(std::move(text));
  if (!writing_) do_write();
}

void WsSession::close(std::uint16_t code, const std::string& reason) {
  if (finished_ || dropping_ || pending_close_) return;
  websocket::close_reason why;
  why.code = code;
  why.reason = reason;
  pending_close_ = std::move(why);
  if (!writing_) do_write();
}

void WsSession::check_alive(std::int64_t now_ms) {
  if (finished_ || dropping_ || pending_close_) return;
  const auto silent_ms = now_ms - last_seen_ms_;
  if (silent_ms >= static_cast<std::int64_t>(ctx_.config().ping_timeout_ms)) {
    dropping_ = true;
    boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->finish(beast::error::timeout, "ping-timeout");
    });
  } else if (!ping_outstanding_ && !ping_in_flight_ &&
             silent_ms >= static_cast<std::int64_t>(ctx_.config().ping_timeout_ms / 2)) {
    ping_outstanding_ = true;
    // Beast lets one ping wait behind a message write, but only one: ping_in_flight_ guards that.
    ping_in_flight_ = true;
    ws_.async_ping(
        {}, [self = shared_from_this()](beast::error_code) { self->ping_in_flight_ = false; });
  }
}

void WsSession::do_write() {
  if (!queue_.empty()) {
    writing_ = true;
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
    return;
  }
  if (pending_close_ && !finished_) {
    writing_ = true;
    ws_.async_close(*pending_close_,
                    beast::bind_front_handler(&WsSession::on_close_sent, shared_from_this()));
  }
}

void WsSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) {
    finish(ec, "write");
    return;
  }
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  do_write();
}

void WsSession::on_close_sent(beast::error_code ec) {
  writing_ = false;
  finish(ec, "close");
}

void WsSession::finish(beast::error_code ec, const char* where) {
  if (finished_) return;
  finished_ = true;
  if (ec == beast::error::timeout) {
    ctx_.metrics().count_reject("ping-timeout");
    log_event(LogLevel::info, "peer-timeout", {{"conn", id_}});
  } else if (ec == websocket::error::message_too_big) {
    ctx_.metrics().count_reject("message-too-big");
    log_event(LogLevel::info, "message-too-big", {{"conn", id_}});
  } else if (ec == websocket::condition::protocol_violation) {
    ctx_.metrics().count_reject("ws-protocol");
    log_event(LogLevel::info, "ws-protocol-violation", {{"conn", id_}, {"error", ec.message()}});
  } else if (ec && ec != websocket::error::closed) {
    log_event(LogLevel::debug, "ws-error",
              {{"conn", id_}, {"where", where}, {"error", ec.message()}});
  }
  // Leaving the room now (not at destruction) announces peer-left without waiting for pending
  // handlers to unwind.
  if (id_ != 0) {
    const auto id = id_;
    id_ = 0;
    ctx_.on_disconnect(id);
  }
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace cieloweb::server
