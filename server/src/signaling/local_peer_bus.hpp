// Delivery to peers connected to this process: each peer id maps to its connection, and each room
// to its members' connections in join order.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "signaling/peer_bus.hpp"

namespace cieloweb::signaling {

class LocalPeerBus final : public PeerBus {
 public:
  void attach(const std::string& room, const std::string& peer_id, ConnId conn) override;
  void detach(std::string_view peer_id) override;
  void mark_closing(std::string_view peer_id) override;
  bool attached(std::string_view peer_id) const override;
  bool deliver(std::string_view room, std::string_view peer_id, const SharedText& text,
               Effects& out) override;
  std::size_t broadcast(std::string_view room, const SharedText& text, Effects& out) override;
  std::size_t peer_count() const override { return peers_.size(); }
  ConnId local_conn(std::string_view peer_id) const override;
  // Members of `room` attached here.
  std::size_t room_size(std::string_view room) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class T>
  using Map = std::unordered_map<std::string, T, Hash, std::equal_to<>>;

  struct Peer {
    std::string room;
    ConnId conn = 0;
    bool closing = false;
  };

  Map<Peer> peers_;
  Map<std::vector<ConnId>> rooms_;  // room -> members' connections, join order
};

}  // namespace cieloweb::signaling
