// One server node of a cluster (--redis): its id, its heartbeat, its subscription, and what it
// does when another node speaks, dies, or Redis comes back empty. Signaling-thread only, except
// where said. The hub is unchanged: it gets this node's RoomStore and PeerBus.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cluster/cluster_state.hpp"
#include "signaling/effects.hpp"
#include "signaling/peer_bus.hpp"
#include "signaling/room_store.hpp"

namespace cieloweb::server::cluster {

// A fresh random node id (hex): a restarted process is a new node, never a returning one.
std::string random_node_id();

class ClusterNode {
 public:
  ClusterNode(ClusterOptions options, std::string node_id);
  ~ClusterNode();

  const std::string& id() const { return state_.node_id; }
  // For the hub (they refer to this node, which must outlive the hub).
  std::unique_ptr<signaling::RoomStore> make_store();
  std::unique_ptr<signaling::PeerBus> make_bus();

  // Writes the heartbeat and starts publishing and listening. The callbacks run on the subscriber
  // thread: the caller posts them to the signaling thread (handle, on_link there).
  void start(std::function<void(std::string payload)> on_message,
             std::function<void(bool up)> on_link);
  // A publish from another node: framed messages (cluster/node_message.hpp).
  void handle(std::string_view payload, signaling::Effects& out);
  // Every second: heartbeat, other nodes' liveness (their peers leave when they died), and the
  // expiry of rooms in use pushed out.
  void tick(std::int64_t now_ms, signaling::Effects& out);
  // The subscription came back after a loss: whatever Redis holds may be gone (a restart) and
  // messages were missed. Re-creates this node's rooms with their capacities and heartbeat; the
  // caller then closes the joined connections (Hub::close_joined) so every page joins again.
  // @return whether a resync is needed (false on the first subscription).
  bool on_link(bool up);
  void restore_rooms();
  // Stopping: the heartbeat goes at once, so the others notice within two checks.
  void stop();
  // The event loop is over: the publishing and subscribing threads end (nothing is posted to a
  // loop that is about to go).
  void stop_threads();

 private:
  void handle_one(std::string_view message, signaling::Effects& out);
  void check_nodes(signaling::Effects& out);
  void node_died(const std::string& node, signaling::Effects& out);
  void refresh_rooms(std::int64_t now_ms);

  ClusterState state_;
  std::unique_ptr<Subscriber> subscriber_;
  bool subscribed_before_ = false;
  std::unordered_map<std::string, int> misses_;  // node -> heartbeat checks missed in a row
};

}  // namespace cieloweb::server::cluster
