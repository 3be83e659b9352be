#include "cluster/redis_peer_bus.hpp"

#include "cluster/node_message.hpp"

namespace cieloweb::server::cluster {

bool RedisPeerBus::deliver(std::string_view room, std::string_view peer_id,
                           const signaling::SharedText& text, signaling::Effects& out) {
  if (state_.local.attached(peer_id)) return state_.local.deliver(room, peer_id, text, out);
  const RoomView* view = state_.find_room(room);
  if (!view) return false;
  const auto it = view->remote.find(peer_id);
  if (it == view->remote.end()) return false;
  state_.publish_to(it->second, encode_deliver(room, peer_id, *text));
  return true;
}

std::size_t RedisPeerBus::broadcast(std::string_view room, const signaling::SharedText& text,
                                    signaling::Effects& out) {
  std::size_t reached = state_.local.broadcast(room, text, out);
  const RoomView* view = state_.find_room(room);
  if (!view || view->remote.empty()) return reached;
  const std::string payload = encode_broadcast(room, *text);
  for (const auto& node : state_.remote_nodes(*view)) state_.publish_to(node, payload);
  return reached + view->remote.size();
}

}  // namespace cieloweb::server::cluster
