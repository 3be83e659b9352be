// One WebSocket connection on /ws. Reads text messages into the hub; writes what the hub sends
// through a bounded queue: a client that does not read fast enough to keep the queue under
// --write-queue-bytes is dropped rather than allowed to grow server memory.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "rooms.hpp"

namespace cieloweb::server {

class ServerContext;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, std::string client_address);
  ~WsSession();

  // Completes the upgrade of `request` (already checked: path, origin, capacity).
  void run(boost::beast::http::request<boost::beast::http::string_body> request);

  // Queues a text message. Overflowing the queue drops the connection.
  void send(std::shared_ptr<const std::string> text);
  // Sends a close frame with `code` after the messages already queued.
  void close(std::uint16_t code, const std::string& reason);
  // Liveness, driven by one server-wide sweep rather than a timer per connection (Beast's idle
  // timer is re-armed on every read, which costs more than the relay itself): pings a connection
  // silent for half the timeout, drops one silent for the whole timeout.
  void check_alive(std::int64_t now_ms);

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void on_close_sent(boost::beast::error_code ec);
  void finish(boost::beast::error_code ec, const char* where);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  ServerContext& ctx_;
  std::string client_address_;
  signaling::ConnId id_ = 0;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool finished_ = false;
  bool dropping_ = false;
  bool ping_outstanding_ = false;  // a ping went out and nothing has been heard since
  bool ping_in_flight_ = false;    // Beast's ping operation has not completed yet
  std::int64_t last_seen_ms_ = 0;
  std::optional<boost::beast::websocket::close_reason> pending_close_;
};

}  // namespace cieloweb::server
