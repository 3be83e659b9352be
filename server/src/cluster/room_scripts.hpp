// The Lua scripts that keep rooms in Redis. Each runs atomically in Redis, so two nodes can never
// both take a room's last place, and a room's three keys change together. Keys of one room share
// the hash tag {room}, so a Redis Cluster would keep them on one shard. The join script also reads
// node heartbeat keys (outside its KEYS), which only a single Redis (or one shard) allows: see
// docs/scale-out.md.
//
//   cw:{room}:r   HASH  cap (capacity), seq (join counter)
//   cw:{room}:m   ZSET  peer ids scored by join order
//   cw:{room}:p   HASH  peer id -> "<node>|<display name>"
//   cw:node:<id>  STRING, expires unless its node refreshes it (the node's heartbeat)
#pragma once

#include <string>
#include <string_view>

namespace cieloweb::server::cluster {

struct RoomKeys {
  std::string room;     // cw:{room}:r
  std::string members;  // cw:{room}:m
  std::string peers;    // cw:{room}:p
};
RoomKeys room_keys(std::string_view room);
std::string node_key(std::string_view node);
inline constexpr std::string_view node_key_prefix = "cw:node:";
// The channel a node listens on (sharded pub/sub).
std::string node_channel(std::string_view node);

// KEYS room; ARGV capacity, empty-room TTL (ms). Returns 1 created, 0 already there.
extern const std::string_view create_room_script;
// KEYS room, members, peers; ARGV peer, node, name, node key prefix, busy TTL (ms).
// Returns {"not_found"} | {"full", cap} | {"joined", cap, id1, info1, id2, info2, ...} (the members
// before this one, in join order). Members whose node's heartbeat is gone are dropped first.
extern const std::string_view join_room_script;
// KEYS room, members, peers; ARGV peer, empty-room TTL (ms). Returns the members left, or -1 when
// the peer was not a member.
extern const std::string_view leave_room_script;
// KEYS members, peers. Returns {id1, info1, ...} in join order.
extern const std::string_view room_members_script;
// KEYS room, members, peers; ARGV busy TTL (ms). Pushes the expiry of a room in use further out.
extern const std::string_view refresh_room_script;

}  // namespace cieloweb::server::cluster
