// The WebSocket opening handshake on /ws (RFC 6455 section 4.2). Beast checks the upgrade request
// and writes the 101 answer on the HTTP thread, bounded by the handshake timeout; the socket then
// goes to a WsSession on the signaling thread, which does its own framing (ws_session.hpp says
// why).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <string>

#include "connection_slot.hpp"

namespace cieloweb::server {

class ServerContext;

// Completes the upgrade of `request` (already checked: path, origin, capacity) on `socket`.
// `slot`: the connection's count against its address, kept by the session. `early_bytes`: what the
// client sent after its request in the same read (the start of its first frames), handed to the
// session.
void upgrade_to_websocket(boost::asio::ip::tcp::socket&& socket,
                          boost::beast::http::request<boost::beast::http::string_body>&& request,
                          ServerContext& ctx, std::string client_address, ConnectionSlot slot,
                          std::string early_bytes);

}  // namespace cieloweb::server
