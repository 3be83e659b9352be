#include "cluster/redis_room_store.hpp"

#include "cluster/node_message.hpp"
#include "cluster/room_scripts.hpp"
#include "log.hpp"

namespace cieloweb::server::cluster {
namespace {

using signaling::CreateOutcome;
using signaling::JoinOutcome;
using signaling::PeerInfo;

// "<node>|<name>" as the join script stores it.
std::pair<std::string_view, std::string_view> split_info(std::string_view info) {
  const auto bar = info.find('|');
  if (bar == std::string_view::npos) return {info, {}};
  return {info.substr(0, bar), info.substr(bar + 1)};
}

void log_unavailable(std::string_view what, const RedisLink& link) {
  log_event(LogLevel::warn, "redis-unavailable", {{"op", what}, {"error", link.last_error()}});
}

}  // namespace

CreateOutcome RedisRoomStore::create(const std::string& room, std::size_t capacity,
                                     std::int64_t now_ms) {
  const auto keys = room_keys(room);
  const std::string cap = std::to_string(capacity);
  const std::string ttl = std::to_string(state_.options.empty_room_ttl_ms);
  const auto reply =
      state_.commands.command({"EVAL", create_room_script, "1", keys.room, cap, ttl});
  if (!reply || reply->kind != RedisValue::Kind::integer) {
    log_unavailable("create", state_.commands);
    return CreateOutcome::unavailable;
  }
  if (reply->integer == 0) return CreateOutcome::exists;
  RoomView& view = state_.rooms[room];
  view.capacity = capacity;
  view.quiet_since_ms = now_ms;
  view.refreshed_ms = now_ms;
  return CreateOutcome::created;
}

JoinOutcome RedisRoomStore::join(std::string_view room, PeerInfo peer) {
  const auto keys = room_keys(room);
  const std::string ttl = std::to_string(state_.options.busy_room_ttl_ms);
  const auto reply =
      state_.commands.command({"EVAL", join_room_script, "3", keys.room, keys.members, keys.peers,
                               peer.id, state_.node_id, peer.name, node_key_prefix, ttl});
  JoinOutcome outcome;
  if (!reply || reply->kind != RedisValue::Kind::array || reply->items.empty()) {
    log_unavailable("join", state_.commands);
    outcome.kind = JoinOutcome::Kind::unavailable;
    return outcome;
  }
  const auto& items = reply->items;
  const std::string& verdict = items[0].text;
  if (verdict == "not_found") return outcome;
  outcome.capacity = items.size() > 1 ? std::stoul(items[1].text) : 0;
  if (verdict == "full") {
    outcome.kind = JoinOutcome::Kind::full;
    return outcome;
  }
  outcome.kind = JoinOutcome::Kind::joined;
  RoomView& view = state_.rooms[std::string(room)];
  view.capacity = outcome.capacity;
  view.quiet_since_ms = 0;
  // The script's list is the truth at this moment: J and L messages still on their way only
  // describe later changes, so the view is rebuilt from it rather than patched.
  view.remote.clear();
  for (std::size_t i = 2; i + 1 < items.size(); i += 2) {
    const auto [node, name] = split_info(items[i + 1].text);
    outcome.already_there.push_back({items[i].text, std::string(name)});
    if (node != state_.node_id) view.remote.insert_or_assign(items[i].text, std::string(node));
  }
  // The others' nodes learn of the newcomer before anything it says reaches them: the hub's
  // peer-joined broadcast follows on the same publishing connection.
  for (const auto& node : state_.remote_nodes(view)) {
    state_.publish_to(node, encode_joined(room, peer.id, state_.node_id));
  }
  return outcome;
}

std::optional<std::size_t> RedisRoomStore::leave(std::string_view room, std::string_view peer_id,
                                                 std::int64_t now_ms) {
  RoomView* view = state_.find_room(room);
  if (!view) return std::nullopt;
  const auto reply = state_.leave_room(room, peer_id);
  if (!reply || reply->kind != RedisValue::Kind::integer) log_unavailable("leave", state_.commands);
  for (const auto& node : state_.remote_nodes(*view)) {
    state_.publish_to(node, encode_left(room, peer_id));
  }
  // Who remains as this node sees it: its own members (the hub detached the leaver already) and
  // the others it knows of. Also right when Redis was away or another node had already removed
  // the peer (its node was thought dead): the members here still need to hear it left.
  const std::size_t here = state_.local.room_size(room);
  if (here == 0) view->quiet_since_ms = now_ms;
  return here + view->remote.size();
}

std::vector<PeerInfo> RedisRoomStore::members(std::string_view room) const {
  const auto keys = room_keys(room);
  const auto reply =
      state_.commands.command({"EVAL", room_members_script, "2", keys.members, keys.peers});
  std::vector<PeerInfo> out;
  if (!reply || reply->kind != RedisValue::Kind::array) return out;
  for (std::size_t i = 0; i + 1 < reply->items.size(); i += 2) {
    out.push_back({reply->items[i].text, std::string(split_info(reply->items[i + 1].text).second)});
  }
  return out;
}

void RedisRoomStore::expire(std::int64_t now_ms) {
  std::erase_if(state_.rooms, [&](const auto& entry) {
    const RoomView& view = entry.second;
    return view.quiet_since_ms != 0 && state_.local.room_size(entry.first) == 0 &&
           now_ms - view.quiet_since_ms >= state_.options.empty_room_ttl_ms;
  });
}

}  // namespace cieloweb::server::cluster
