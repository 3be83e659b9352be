#include "cluster/cluster_node.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <unordered_set>

#include "cluster/node_message.hpp"
#include "cluster/redis_peer_bus.hpp"
#include "cluster/redis_room_store.hpp"
#include "cluster/room_scripts.hpp"
#include "log.hpp"
#include "signaling/protocol.hpp"

namespace cieloweb::server::cluster {

std::string random_node_id() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("no random bytes for the node id");
  std::string id;
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    id += hex;
  }
  return id;
}

std::vector<std::string> ClusterState::remote_nodes(const RoomView& room) const {
  std::vector<std::string> nodes;
  for (const auto& [peer, node] : room.remote) {
    if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
  }
  return nodes;
}

void ClusterState::publish_to(std::string_view node, std::string payload) {
  if (publisher) publisher->publish(node_channel(node), std::move(payload));
}

bool ClusterState::beat() {
  const std::string ttl = std::to_string(options.heartbeat_ttl_ms);
  const auto reply = commands.command({"SET", node_key(node_id), "1", "PX", ttl});
  return reply && reply->kind != RedisValue::Kind::error;
}

std::optional<RedisValue> ClusterState::leave_room(std::string_view room, std::string_view peer) {
  const auto keys = room_keys(room);
  const std::string ttl = std::to_string(options.empty_room_ttl_ms);
  return commands.command(
      {"EVAL", leave_room_script, "3", keys.room, keys.members, keys.peers, peer, ttl});
}

ClusterNode::ClusterNode(ClusterOptions options, std::string node_id)
    : state_(std::move(options), std::move(node_id)) {}

ClusterNode::~ClusterNode() {
  stop_threads();
}

void ClusterNode::stop_threads() {
  subscriber_.reset();
  state_.publisher.reset();
}

std::unique_ptr<signaling::RoomStore> ClusterNode::make_store() {
  return std::make_unique<RedisRoomStore>(state_);
}

std::unique_ptr<signaling::PeerBus> ClusterNode::make_bus() {
  return std::make_unique<RedisPeerBus>(state_);
}

void ClusterNode::start(std::function<void(std::string)> on_message,
                        std::function<void(bool)> on_link) {
  if (!state_.beat()) {
    log_event(LogLevel::warn, "redis-unavailable",
              {{"op", "heartbeat"}, {"error", state_.commands.last_error()}});
  }
  state_.publisher = std::make_unique<Publisher>(state_.options.redis);
  subscriber_ = std::make_unique<Subscriber>(state_.options.redis, node_channel(state_.node_id),
                                             std::move(on_message), std::move(on_link));
  // Messages sent to this node before it listens would be lost: joins wait for the subscription
  // (a node that cannot reach Redis starts anyway, and its joins answer "try again").
  const bool listening = subscriber_->wait_subscribed(std::chrono::seconds(2));
  log_event(listening ? LogLevel::info : LogLevel::warn, "cluster-node-started",
            {{"node", state_.node_id}, {"subscribed", listening}});
}

void ClusterNode::handle(std::string_view payload, signaling::Effects& out) {
  const auto messages = split_framed(payload);
  if (!messages) {
    log_event(LogLevel::warn, "cluster-message-refused", {{"bytes", payload.size()}});
    return;
  }
  for (const std::string_view message : *messages) handle_one(message, out);
}

void ClusterNode::handle_one(std::string_view payload, signaling::Effects& out) {
  const auto msg = parse_node_message(payload);
  if (!msg) {
    log_event(LogLevel::warn, "cluster-message-refused", {{"bytes", payload.size()}});
    return;
  }
  using Kind = NodeMessage::Kind;
  switch (msg->kind) {
    case Kind::deliver:
      state_.local.deliver(msg->room, msg->peer, std::make_shared<const std::string>(msg->text),
                           out);
      return;
    case Kind::broadcast:
      state_.local.broadcast(msg->room, std::make_shared<const std::string>(msg->text), out);
      return;
    case Kind::joined:
      if (RoomView* view = state_.find_room(msg->room); view && msg->node != state_.node_id) {
        view->remote.insert_or_assign(std::string(msg->peer), std::string(msg->node));
      }
      return;
    case Kind::left: {
      // The leaver's node announced it to its own members; this node tells its own.
      RoomView* view = state_.find_room(msg->room);
      const auto it = view ? view->remote.find(msg->peer) : decltype(view->remote)::iterator{};
      if (view && it != view->remote.end()) {
        view->remote.erase(it);
        state_.local.broadcast(
            msg->room, std::make_shared<const std::string>(signaling::make_peer_left(msg->peer)),
            out);
      }
      return;
    }
  }
}

void ClusterNode::tick(std::int64_t now_ms, signaling::Effects& out) {
  if (!state_.beat()) return;  // Redis away: judge nobody now
  check_nodes(out);
  refresh_rooms(now_ms);
}

void ClusterNode::check_nodes(signaling::Effects& out) {
  std::unordered_set<std::string> nodes;
  for (const auto& [room, view] : state_.rooms) {
    for (const auto& [peer, node] : view.remote) nodes.insert(node);
  }
  std::erase_if(misses_, [&](const auto& entry) { return !nodes.contains(entry.first); });
  if (nodes.empty()) return;
  std::vector<std::string> order(nodes.begin(), nodes.end());
  std::vector<std::string> keys;
  for (const auto& node : order) keys.push_back(node_key(node));
  std::vector<std::vector<std::string_view>> batch;
  for (const auto& key : keys) batch.push_back({"EXISTS", key});
  std::vector<RedisValue> replies;
  if (!state_.commands.pipeline(batch, &replies) || replies.size() != order.size()) return;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (replies[i].kind == RedisValue::Kind::integer && replies[i].integer == 1) {
      misses_.erase(order[i]);
      continue;
    }
    // Two checks a second apart: a heartbeat lost to a Redis restart is back within one.
    if (++misses_[order[i]] >= 2) node_died(order[i], out);
  }
}

void ClusterNode::node_died(const std::string& node, signaling::Effects& out) {
  log_event(LogLevel::warn, "cluster-node-gone", {{"node", node}});
  misses_.erase(node);
  for (auto& [room, view] : state_.rooms) {
    std::vector<std::string> gone;
    for (const auto& [peer, peer_node] : view.remote) {
      if (peer_node == node) gone.push_back(peer);
    }
    for (const auto& peer : gone) {
      view.remote.erase(peer);
      // Several survivors may remove the same member: the script makes the second a no-op.
      state_.leave_room(room, peer);
      state_.local.broadcast(
          room, std::make_shared<const std::string>(signaling::make_peer_left(peer)), out);
    }
  }
}

void ClusterNode::refresh_rooms(std::int64_t now_ms) {
  const std::string ttl = std::to_string(state_.options.busy_room_ttl_ms);
  for (auto& [room, view] : state_.rooms) {
    if (state_.local.room_size(room) == 0) continue;
    if (now_ms - view.refreshed_ms < state_.options.refresh_every_ms) continue;
    const auto keys = room_keys(room);
    const auto done = state_.commands.command(
        {"EVAL", refresh_room_script, "3", keys.room, keys.members, keys.peers, ttl});
    if (!done) return;
    view.refreshed_ms = now_ms;
  }
}

bool ClusterNode::on_link(bool up) {
  if (!up) return false;
  const bool resync = subscribed_before_;
  subscribed_before_ = true;
  return resync;
}

void ClusterNode::restore_rooms() {
  state_.commands.check();
  state_.beat();
  const std::string ttl = std::to_string(state_.options.empty_room_ttl_ms);
  std::size_t restored = 0;
  for (auto& [room, view] : state_.rooms) {
    // Every member is about to join again: the room must be there, with its own capacity.
    const auto keys = room_keys(room);
    const std::string cap = std::to_string(view.capacity);
    const auto reply =
        state_.commands.command({"EVAL", create_room_script, "1", keys.room, cap, ttl});
    if (reply && reply->kind == RedisValue::Kind::integer && reply->integer == 1) ++restored;
    view.remote.clear();
  }
  misses_.clear();
  log_event(LogLevel::warn, "cluster-resync",
            {{"rooms", state_.rooms.size()}, {"recreated", restored}});
}

void ClusterNode::stop() {
  state_.commands.command({"DEL", node_key(state_.node_id)});
}

}  // namespace cieloweb::server::cluster
