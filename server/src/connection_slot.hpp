// One TCP connection counted against its client address (--per-ip-connections), from accept until
// the socket is gone, whether it serves HTTP (keep-alive included) or became a WebSocket: the slot
// moves from the HTTP session to the WebSocket session with the socket.
#pragma once

#include <string>

namespace cieloweb::server {

class ServerContext;

class ConnectionSlot {
 public:
  ConnectionSlot() = default;  // counts nothing: a trusted proxy's connection before its upgrade
  ConnectionSlot(ServerContext& ctx, std::string key) : ctx_(&ctx), key_(std::move(key)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot();

  bool counted() const { return ctx_ != nullptr; }

 private:
  void release();

  ServerContext* ctx_ = nullptr;
  std::string key_;
};

}  // namespace cieloweb::server
