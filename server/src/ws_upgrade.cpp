#include "ws_upgrade.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>

#include "server_context.hpp"
#include "ws_session.hpp"

namespace cieloweb::server {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

// Lives only for the handshake, on the HTTP thread: Beast's websocket stream is large, and a held
// connection keeps just the raw socket and the session's own small state.
class Upgrade : public std::enable_shared_from_this<Upgrade> {
 public:
  Upgrade(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, std::string client_address,
          ConnectionSlot slot, std::string early_bytes)
      : ws_(std::move(socket)),
        ctx_(ctx),
        client_address_(std::move(client_address)),
        slot_(std::move(slot)),
        early_bytes_(std::move(early_bytes)) {}

  void run(bhttp::request<bhttp::string_body>&& request) {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::milliseconds(ctx_.config().handshake_timeout_ms);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "cieloweb"); }));
    ws_.async_accept(request, beast::bind_front_handler(&Upgrade::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      ctx_.metrics().count_reject("handshake-failed");
      return;
    }
    // With the request handed in, Beast has read nothing from the socket: no frame bytes are lost.
    auto socket = ws_.next_layer().release_socket();
    boost::system::error_code error;
    const auto protocol = socket.local_endpoint(error).protocol();
    if (error) return;  // already gone
    const auto fd = socket.release(error);
    if (error) return;
    // The descriptor moves to the signaling thread's reactor, and the session starts there: that
    // thread owns the hub and every WebSocket.
    const auto& signaling = ctx_.signaling_executor();
    tcp::socket moved(signaling);
    moved.assign(protocol, fd, error);
    if (error) {
      ::close(fd);
      return;
    }
    boost::asio::post(
        signaling,
        [&ctx = ctx_, socket = std::move(moved), client_address = std::move(client_address_),
         slot = std::move(slot_), early_bytes = std::move(early_bytes_)]() mutable {
          // Stopping began during the handshake: the hub has told its sessions already and would
          // not close this one; the socket closes with the lambda.
          if (ctx.shutting_down()) return;
          std::make_shared<WsSession>(std::move(socket), ctx, std::move(client_address),
                                      std::move(slot))
              ->start(early_bytes);
        });
  }

  websocket::stream<beast::tcp_stream> ws_;
  ServerContext& ctx_;
  std::string client_address_;
  ConnectionSlot slot_;
  std::string early_bytes_;
};

}  // namespace

void upgrade_to_websocket(boost::asio::ip::tcp::socket&& socket,
                          bhttp::request<bhttp::string_body>&& request, ServerContext& ctx,
                          std::string client_address, ConnectionSlot slot,
                          std::string early_bytes) {
  std::make_shared<Upgrade>(std::move(socket), ctx, std::move(client_address), std::move(slot),
                            std::move(early_bytes))
      ->run(std::move(request));
}

}  // namespace cieloweb::server
