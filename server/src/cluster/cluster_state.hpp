// What a node knows of the cluster, owned by the signaling thread: its own peers (a LocalPeerBus),
// and for each room it has members in, who else is in it and on which node. Redis holds the truth
// (cluster/room_scripts.hpp); this view is filled from join results and kept current by the other
// nodes' J and L messages, so relaying a signal to another node costs one publish and no lookup.
#pragma once

#include <cstdint>
#include <memory>
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

struct RoomView {
  std::size_t capacity = 0;
  std::int64_t quiet_since_ms = 0;  // when its last local member left (or it was created)
  std::int64_t refreshed_ms = 0;    // when its keys' expiry was last pushed out
  std::unordered_map<std::string, std::string> remote;  // peer id -> node id
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
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
  std::unordered_map<std::string, RoomView, StringHash, std::equal_to<>> rooms;

  RoomView* find_room(std::string_view room) {
    const auto it = rooms.find(room);
    return it == rooms.end() ? nullptr : &it->second;
  }
  // The other nodes holding members of `room`, each once.
  std::vector<std::string> remote_nodes(const RoomView& room) const;
  void publish_to(std::string_view node, std::string payload);
};

}  // namespace cieloweb::server::cluster
