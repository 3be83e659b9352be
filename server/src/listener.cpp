#include "listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "client_address.hpp"
#include "connection_slot.hpp"
#include "http_session.hpp"
#include "log.hpp"
#include "server_context.hpp"

namespace cieloweb::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// What a client over its connection cap reads before the close. Written without waiting (the
// socket's buffer is empty, so it fits) and without reading the request: refusing must not cost a
// timer or a buffer per socket.
constexpr std::string_view over_cap_response =
    "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nContent-Length: 41\r\n\r\nToo many connections from your address.\r\n";

void refuse_over_cap(tcp::socket socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(over_cap_response), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace

Listener::Listener(net::io_context& ioc, const tcp::endpoint& endpoint, ServerContext& ctx)
    : ioc_(ioc), acceptor_(ioc), ctx_(ctx), backoff_timer_(ioc) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  if (endpoint.address().is_v6()) acceptor_.set_option(net::ip::v6_only(false));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() {
  do_accept();
}

void Listener::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  backoff_timer_.cancel();
}

void Listener::do_accept() {
  acceptor_.async_accept(
      ioc_, boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
      ec == net::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system) {
    back_off(ec);
    return;
  }
  if (ec) {
    // A connection reset before we took it, and the like: nothing to wait for.
    ctx_.metrics().count_reject("accept-failed");
  } else {
    if (backoff_.count() != 0) log_event(LogLevel::info, "accept-resumed");
    backoff_ = std::chrono::milliseconds{0};
    start_session(std::move(socket));
  }
  do_accept();
}

void Listener::back_off(boost::system::error_code ec) {
  constexpr std::chrono::milliseconds first{10};
  constexpr std::chrono::milliseconds longest{1000};
  // Logged once per episode: the pauses themselves would otherwise flood the log.
  if (backoff_.count() == 0) {
    log_event(LogLevel::warn, "accept-backoff", {{"error", ec.message()}});
  }
  ctx_.metrics().count_reject("accept-no-descriptors");
  backoff_ = backoff_.count() == 0 ? first : std::min(longest, backoff_ * 2);
  backoff_timer_.expires_after(backoff_);
  backoff_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
    if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
  });
}

void Listener::start_session(tcp::socket socket) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  const IpAddress peer = parse_ip(endpoint.address().to_string()).value_or(IpAddress{});
  ConnectionSlot slot;
  // A trusted proxy carries many clients: they are counted by their forwarded address at the
  // WebSocket upgrade (HttpSession), not by the proxy's.
  if (!ctx_.trusted_proxy(peer)) {
    auto counted = ctx_.try_count_connection(peer);
    if (!counted) {
      refuse_over_cap(std::move(socket));
      return;
    }
    slot = std::move(*counted);
  }
  std::make_shared<HttpSession>(std::move(socket), ctx_, peer, std::move(slot))->run();
}

}  // namespace cieloweb::server
