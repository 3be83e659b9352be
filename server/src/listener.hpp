// Accepts TCP connections on the HTTP thread and starts an HttpSession for each. A client address
// over
// --per-ip-connections gets a short 429 and is closed at once (no request is read, so refusing
// costs the server nothing per attacker socket). When the process runs out of descriptors, accept
// fails at once for as long as connections wait in the backlog: the listener then pauses and backs
// off instead of spinning a core on failed accepts.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace cieloweb::server {

class ServerContext;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; throws boost::system::system_error when the address cannot be used.
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           ServerContext& ctx);
  void run();
  void stop();
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void start_session(boost::asio::ip::tcp::socket socket);
  // Out of descriptors (or kernel memory): waits before the next accept, doubling the pause.
  void back_off(boost::system::error_code ec);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ServerContext& ctx_;
  boost::asio::steady_timer backoff_timer_;
  std::chrono::milliseconds backoff_{0};  // zero while accepts succeed
};

}  // namespace cieloweb::server
