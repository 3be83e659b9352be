#include "http_session.hpp"

#include <boost/beast/websocket.hpp>
#include <fstream>
#include <sstream>

#include "log.hpp"
#include "server_context.hpp"
#include "ws_upgrade.hpp"

namespace cieloweb::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr std::size_t header_limit_bytes = 8 * 1024;
constexpr std::size_t body_limit_bytes = 4 * 1024;  // GET-only server: no request needs a body

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

}  // namespace

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
  parser_->header_limit(header_limit_bytes);
  parser_->body_limit(body_limit_bytes);
  stream_.expires_after(std::chrono::milliseconds(ctx_.config().handshake_timeout_ms));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == beast::error::timeout) {
    // Nothing (or not a whole request) within the deadline: a half-open handshake.
    ctx_.metrics().count_reject("handshake-timeout");
    return;
  }
  if (ec == http::error::end_of_stream || ec) {
    if (ec && ec != http::error::end_of_stream) ctx_.metrics().count_reject("bad-http");
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
  write(answer(request));
}

void HttpSession::upgrade(Request&& request) {
  const auto target = request.target();
  const auto path = target.substr(0, target.find('?'));
  if (path != "/ws") {
    write(plain(request, http::status::not_found, "Not found\n"));
    return;
  }
  const auto origin = request[http::field::origin];
  if (!ctx_.origin_allowed(origin)) {
    ctx_.metrics().count_reject("origin");
    log_event(LogLevel::warn, "origin-refused", {{"origin", std::string(origin).substr(0, 100)}});
    auto res = plain(request, http::status::forbidden, "Origin not allowed\n");
    res.keep_alive(false);
    write(std::move(res));
    return;
  }
  if (!ctx_.accepting_ws()) {
    ctx_.metrics().count_reject(ctx_.shutting_down() ? "shutting-down" : "max-connections");
    auto res = plain(request, http::status::service_unavailable, "Server full or stopping\n");
    res.keep_alive(false);
    write(std::move(res));
    return;
  }
  const IpAddress client = client_of(request);
  if (!slot_.counted()) {
    // Through a trusted proxy: the WebSocket counts against the client behind it.
    auto counted = ctx_.try_count_connection(client);
    if (!counted) {
      auto res = plain(request, http::status::too_many_requests,
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

HttpSession::Response HttpSession::plain(const Request& request, http::status status,
                                         std::string body, std::string_view content_type) {
  Response res{status, request.version()};
  res.set(http::field::server, "cieloweb");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  const auto& headers = ctx_.security_header_list();
  for (std::size_t i = 0; i + 1 < headers.size(); i += 2) res.set(headers[i], headers[i + 1]);
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpSession::Response HttpSession::answer(const Request& request) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto res = plain(request, http::status::method_not_allowed, "Method not allowed\n");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  const auto target = request.target();
  const auto path = target.substr(0, target.find('?'));
  if (path == "/healthz") {
    return ctx_.shutting_down()
               ? plain(request, http::status::service_unavailable, "{\"status\":\"stopping\"}\n",
                       "application/json")
               : plain(request, http::status::ok, "{\"status\":\"ok\"}\n", "application/json");
  }
  if (path == "/metrics") {
    return plain(request, http::status::ok, ctx_.render_metrics(),
                 "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/ws") {
    return plain(request, http::status::upgrade_required, "WebSocket endpoint\n");
  }

  const auto found = ctx_.site().resolve(target, request[http::field::if_none_match]);
  if (found.status == 404 || found.status == 503) {
    return plain(request, static_cast<http::status>(found.status), found.body, found.content_type);
  }
  Response res{static_cast<http::status>(found.status), request.version()};
  if (found.status == 200) {
    auto content = read_file(found.file);
    if (!content) return plain(request, http::status::not_found, "Not found\n");
    res.body() = std::move(*content);
  }
  res.set(http::field::server, "cieloweb");
  res.set(http::field::content_type, found.content_type);
  res.set(http::field::cache_control, found.cache_control);
  res.set(http::field::etag, found.etag);
  const auto& headers = ctx_.security_header_list();
  for (std::size_t i = 0; i + 1 < headers.size(); i += 2) res.set(headers[i], headers[i + 1]);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  if (request.method() == http::verb::head) {
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

void HttpSession::write(Response&& response) {
  pending_ = std::make_shared<Response>(std::move(response));
  const bool keep_alive = pending_->keep_alive() && !ctx_.shutting_down();
  if (!keep_alive) pending_->keep_alive(false);
  http::async_write(
      stream_, *pending_,
      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  pending_.reset();
  if (ec) return;
  if (!keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  do_read();
}

}  // namespace cieloweb::server
