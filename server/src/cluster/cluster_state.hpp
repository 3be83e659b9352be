// What a node knows of the cluster, owned by the signaling thread: its own peers (a LocalPeerBus),
// and for each room it has members in, who else is in it and on which node. Redis holds the truth
// (cluster/room_scripts.hpp); this view is filled from join results and kept current by the other
// nodes' J and L messages, so relaying a signal to another node costs one publish and no lookup.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cluster/redis_link.hpp"
#include "cluster/redis_threads.hpp"
#include "signaling/local_peer_bus.hpp"

namespace cieloweb::server::cluster {

struct ClusterOptions {
  RedisAddress redis;
  std::int64_t empty_room_ttl_ms = 600'000;
  // A node's heartbeat key lives this long unless refreshed (every second); a node that misses
  // two checks after it expired is dead (docs/scale-out.md: peer-left within 5 s).
  std::int64_t heartbeat_ttl_ms = 3000;
  // Keys of a room in use expire this long after its last join or refresh (hourly by its nodes),
  // so a room whose every node died cannot stay in Redis for good.
  std::int64_t busy_room_ttl_ms = 24 * 3'600'000;
  std::int64_t refresh_every_ms = 3'600'000;
  std::chrono::milliseconds command_timeout{500};
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Lookups by string_view without building a std::string (a relay looks a peer up here).
template <class T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

struct RoomView {
  std::size_t capacity = 0;
  std::int64_t quiet_since_ms = 0;  // when its last local member left (or it was created)
  std::int64_t refreshed_ms = 0;    // when its keys' expiry was last pushed out
  StringMap<std::string> remote;    // peer id -> node id
};

struct ClusterState {
  ClusterState(ClusterOptions opts, std::string node)
      : options(std::move(opts)),
        node_id(std::move(node)),
        commands(options.redis, options.command_timeout) {}

  ClusterOptions options;
  std::string node_id;
  RedisLink commands;                    // the signaling thread's own connection
  std::unique_ptr<Publisher> publisher;  // set by ClusterNode::start
  signaling::LocalPeerBus local;
  StringMap<RoomView> rooms;

  RoomView* find_room(std::string_view room) {
    const auto it = rooms.find(room);
    return it == rooms.end() ? nullptr : &it->second;
  }
  // The other nodes holding members of `room`, each once.
  std::vector<std::string> remote_nodes(const RoomView& room) const;
  void publish_to(std::string_view node, std::string payload);
  // This node's heartbeat key, refreshed. @return whether Redis took it.
  bool beat();
  // Runs the leave script for `peer` of `room` (cluster/room_scripts.hpp).
  std::optional<RedisValue> leave_room(std::string_view room, std::string_view peer);
};

}  // namespace cieloweb::server::cluster
