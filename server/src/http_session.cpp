#include "http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "http/request_reader.hpp"
#include "http/router.hpp"
#include "log.hpp"
#include "server_context.hpp"
#include "ws_upgrade.hpp"

namespace cieloweb::server {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, IpAddress peer,
                         ConnectionSlot slot)
    : stream_(std::move(socket)), ctx_(ctx), peer_(peer), slot_(std::move(slot)) {
  ctx_.http_opened();
}

HttpSession::~HttpSession() {
  ctx_.http_closed();
}

void HttpSession::run() {
  do_read();
}

void HttpSession::do_read() {
  parser_.emplace();
  http::configure_parser(*parser_, ctx_.config().json_body_limit_bytes);
  stream_.expires_after(std::chrono::milliseconds(ctx_.config().handshake_timeout_ms));
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == beast::error::timeout) {
    // Nothing (or not a whole request) within the deadline: a half-open handshake.
    ctx_.metrics().count_reject("handshake-timeout");
    return;
  }
  if (ec == bhttp::error::body_limit) {
    // Answered, not dropped: the client learns why. The unread body makes the connection unusable.
    ctx_.metrics().count_reject("body-too-large");
    auto answer = http::answer_read_error(ec, ctx_.routes().default_security());
    drain_after_write_ = true;
    write(http::to_beast_response(std::move(*answer), parser_->get().version(), false));
    return;
  }
  if (ec == bhttp::error::end_of_stream || ec) {
    if (ec && ec != bhttp::error::end_of_stream) ctx_.metrics().count_reject("bad-http");
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  Request request = parser_->release();
  if (websocket::is_upgrade(request)) {
    upgrade(std::move(request));
    return;
  }
  ctx_.metrics().count_http_request();
  auto converted = http::to_http_request(request);
  switch (http::route_thread(converted, ctx_.routes())) {
    case http::RunsOn::blocking_pool:
      if (ctx_.pool() == nullptr) break;
      route_on_pool(std::move(converted), request.version(), request.keep_alive());
      return;
    case http::RunsOn::signaling_thread:
      if (!ctx_.signaling_executor()) break;
      route_on_signaling_thread(std::move(converted), request.version(), request.keep_alive());
      return;
    case http::RunsOn::http_thread:
      break;
  }
  write(http::to_beast_response(http::route(converted, ctx_.http_services()), request.version(),
                                request.keep_alive()));
}

// A blocking route (accounts): route() runs on the pool, the answer is written back here on the
// HTTP thread. A full queue is answered 503 at once; the session reads nothing meanwhile.
void HttpSession::route_on_pool(http::HttpRequest request, unsigned version, bool keep_alive) {
  auto& services = ctx_.http_services();
  auto self = shared_from_this();
  const auto submitted = ctx_.pool()->submit_to(
      stream_.get_executor(),
      [request = std::move(request), &services] { return http::route(request, services); },
      [self, version, keep_alive](std::optional<http::HttpResponse> answer) {
        if (!answer) {
          answer = http::try_again_later(self->ctx_.routes().default_security());
        }
        // The read's deadline may have run out while the pool worked: the answer gets its own.
        self->stream_.expires_after(
            std::chrono::milliseconds(self->ctx_.config().handshake_timeout_ms));
        self->write(http::to_beast_response(std::move(*answer), version, keep_alive));
      });
  if (submitted != SubmitResult::accepted) {
    ctx_.metrics().count_reject(submitted == SubmitResult::overloaded ? "blocking-pool-full"
                                                                      : "shutting-down");
    write(http::to_beast_response(http::try_again_later(ctx_.routes().default_security()), version,
                                  keep_alive));
  }
}

// A route over signaling state (metrics): route() runs on the signaling thread, between two of
// its events, and the answer comes back here to be written.
void HttpSession::route_on_signaling_thread(http::HttpRequest request, unsigned version,
                                            bool keep_alive) {
  boost::asio::post(
      ctx_.signaling_executor(),
      [self = shared_from_this(), request = std::move(request), version, keep_alive]() mutable {
        auto answer = http::route(request, self->ctx_.http_services());
        auto http_thread = self->stream_.get_executor();
        boost::asio::post(http_thread, [self = std::move(self), answer = std::move(answer), version,
                                        keep_alive]() mutable {
          self->write(http::to_beast_response(std::move(answer), version, keep_alive));
        });
      });
}

void HttpSession::upgrade(Request&& request) {
  const auto target = request.target();
  const auto path = target.substr(0, target.find('?'));
  if (path != "/ws") {
    write(plain(request, bhttp::status::not_found, "Not found\n"));
    return;
  }
  const auto origin = request[bhttp::field::origin];
  if (!ctx_.origin_allowed(origin)) {
    ctx_.metrics().count_reject("origin");
    log_event(LogLevel::warn, "origin-refused", {{"origin", std::string(origin).substr(0, 100)}});
    auto res = plain(request, bhttp::status::forbidden, "Origin not allowed\n");
    res.keep_alive(false);
    write(std::move(res));
    return;
  }
  if (!ctx_.accepting_ws()) {
    ctx_.metrics().count_reject(ctx_.shutting_down() ? "shutting-down" : "max-connections");
    auto res = plain(request, bhttp::status::service_unavailable, "Server full or stopping\n");
    res.keep_alive(false);
    write(std::move(res));
    return;
  }
  const IpAddress client = client_of(request);
  if (!slot_.counted()) {
    // Through a trusted proxy: the WebSocket counts against the client behind it.
    auto counted = ctx_.try_count_connection(client);
    if (!counted) {
      auto res = plain(request, bhttp::status::too_many_requests,
                       "Too many connections from your address.\r\n");
      res.keep_alive(false);
      write(std::move(res));
      return;
    }
    slot_ = std::move(*counted);
  }
  // The upgrade and the session keep their own timeouts (handshake, ping/pong liveness).
  stream_.expires_never();
  const auto early = buffer_.data();
  std::string early_bytes(static_cast<const char*>(early.data()), early.size());
  upgrade_to_websocket(stream_.release_socket(), std::move(request), ctx_, client.to_string(),
                       std::move(slot_), std::move(early_bytes));
}

IpAddress HttpSession::client_of(const Request& request) const {
  const auto& config = ctx_.config();
  if (config.trusted_proxies.empty()) return peer_;
  const std::string_view name =
      config.proxy_header == ProxyHeader::forwarded ? "Forwarded" : "X-Forwarded-For";
  std::vector<std::string_view> values;
  for (auto [line, end] = request.equal_range(name); line != end; ++line) {
    values.push_back(line->value());
  }
  return resolve_client_address(peer_, values, config.proxy_header, config.trusted_proxies);
}

HttpSession::Response HttpSession::plain(const Request& request, bhttp::status status,
                                         std::string body) {
  return http::to_beast_response(http::text_response(static_cast<unsigned>(status), std::move(body),
                                                     ctx_.routes().default_security()),
                                 request.version(), request.keep_alive());
}

void HttpSession::write(Response&& response) {
  pending_ = std::make_shared<Response>(std::move(response));
  const bool keep_alive = pending_->keep_alive() && !ctx_.shutting_down();
  if (!keep_alive) pending_->keep_alive(false);
  bhttp::async_write(
      stream_, *pending_,
      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  pending_.reset();
  if (ec) return;
  if (!keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    // After a 413, read (and drop) the body the client is still sending until it closes: closing
    // with unread bytes would reset the connection, and the client could lose the answer.
    if (drain_after_write_) {
      // One deadline for the whole drain: a client trickling a byte at a time cannot hold it open.
      stream_.expires_after(std::chrono::milliseconds(ctx_.config().handshake_timeout_ms));
      drain();
    }
    return;
  }
  do_read();
}

void HttpSession::drain() {
  buffer_.clear();
  if (drained_bytes_ > max_drain_bytes) return;
  stream_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            if (ec) return;
                            self->drained_bytes_ += bytes;
                            self->drain();
                          });
}

}  // namespace cieloweb::server
