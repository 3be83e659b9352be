// Delivery across nodes (PeerBus for --redis): peers on this node get their messages directly,
// as with LocalPeerBus; a peer on another node gets them through that node's channel, one
// publish per message, and a room broadcast costs one publish per other node in the room.
#pragma once

#include "cluster/cluster_state.hpp"
#include "signaling/peer_bus.hpp"

namespace cieloweb::server::cluster {

class RedisPeerBus final : public signaling::PeerBus {
 public:
  explicit RedisPeerBus(ClusterState& state) : state_(state) {}

  void attach(const std::string& room, const std::string& peer_id,
              signaling::ConnId conn) override {
    state_.local.attach(room, peer_id, conn);
  }
  void detach(std::string_view peer_id) override { state_.local.detach(peer_id); }
  void mark_closing(std::string_view peer_id) override { state_.local.mark_closing(peer_id); }
  bool attached(std::string_view peer_id) const override { return state_.local.attached(peer_id); }
  bool deliver(std::string_view room, std::string_view peer_id, const signaling::SharedText& text,
               signaling::Effects& out) override;
  std::size_t broadcast(std::string_view room, const signaling::SharedText& text,
                        signaling::Effects& out) override;
  std::size_t broadcast_here(std::string_view room, const signaling::SharedText& text,
                             signaling::Effects& out) override {
    return state_.local.broadcast(room, text, out);
  }
  std::size_t peer_count() const override { return state_.local.peer_count(); }
  signaling::ConnId local_conn(std::string_view peer_id) const override {
    return state_.local.local_conn(peer_id);
  }

 private:
  ClusterState& state_;
};

}  // namespace cieloweb::server::cluster
