// One HTTP connection, on the HTTP thread: reads requests with the shared parser configuration
// (http/request_reader), answers them with the router (http/router), and hands /ws upgrades
// (after the origin and capacity checks) to a WsSession on the signaling thread. The request must
// arrive within the handshake timeout, so half-open or trickling clients cannot hold a socket.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "client_address.hpp"
#include "connection_slot.hpp"
#include "http/message.hpp"

namespace cieloweb::server {

class ServerContext;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `peer`: the TCP peer's address; `slot`: its count against --per-ip-connections (empty for a
  // trusted proxy, whose client is counted at the upgrade).
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, IpAddress peer,
              ConnectionSlot slot);
  ~HttpSession();
  void run();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void upgrade(Request&& request);
  void route_on_pool(http::HttpRequest request, unsigned version, bool keep_alive);
  void route_on_signaling_thread(http::HttpRequest request, unsigned version, bool keep_alive);
  // Who sent `request`: the TCP peer, or what a trusted proxy's header says (client_address.hpp).
  IpAddress client_of(const Request& request) const;
  // A short text answer (refusals of the upgrade) with the default security headers.
  Response plain(const Request& request, boost::beast::http::status status, std::string body);
  void write(Response&& response);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  // After the last answer: reads and drops what the client still sends, at most max_drain_bytes
  // within the handshake timeout, so that closing does not reset the connection under the answer.
  void drain();

  static constexpr std::size_t max_drain_bytes = 1024 * 1024;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  ServerContext& ctx_;
  IpAddress peer_;  // the TCP peer: the client, or a proxy in front of it
  ConnectionSlot slot_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<Response> pending_;
  bool drain_after_write_ = false;
  std::size_t drained_bytes_ = 0;
};

}  // namespace cieloweb::server
