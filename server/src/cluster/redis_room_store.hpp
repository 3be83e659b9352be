// Rooms kept in Redis, shared by every node (RoomStore for --redis). Each call is one script run
// on the signaling thread's own connection: about 0.1 ms on a local network, bounded by the
// command timeout when Redis is slow or gone (the join is then refused as "try again").
#pragma once

#include "cluster/cluster_state.hpp"
#include "signaling/room_store.hpp"

namespace cieloweb::server::cluster {

class RedisRoomStore final : public signaling::RoomStore {
 public:
  explicit RedisRoomStore(ClusterState& state) : state_(state) {}

  signaling::CreateOutcome create(const std::string& room, std::size_t capacity,
                                  std::int64_t now_ms) override;
  signaling::JoinOutcome join(std::string_view room, signaling::PeerInfo peer) override;
  std::optional<std::size_t> leave(std::string_view room, std::string_view peer_id,
                                   std::int64_t now_ms) override;
  std::vector<signaling::PeerInfo> members(std::string_view room) const override;
  // Forgets the local view of rooms with no member here for the empty-room TTL (Redis expires
  // the keys by itself).
  void expire(std::int64_t now_ms) override;
  // Rooms this node created or has members in (--max-rooms is per node).
  std::size_t room_count() const override { return state_.rooms.size(); }
  // Members connected to this node.
  std::size_t member_count() const override { return state_.local.peer_count(); }

 private:
  ClusterState& state_;
};

}  // namespace cieloweb::server::cluster
