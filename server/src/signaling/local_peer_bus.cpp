#include "signaling/local_peer_bus.hpp"

#include <algorithm>

namespace cieloweb::signaling {

void LocalPeerBus::attach(const std::string& room, const std::string& peer_id, ConnId conn) {
  peers_.insert_or_assign(peer_id, Peer{room, conn, false});
  rooms_[room].push_back(conn);
}

void LocalPeerBus::detach(std::string_view peer_id) {
  const auto it = peers_.find(peer_id);
  if (it == peers_.end()) return;
  const auto room = rooms_.find(it->second.room);
  if (room != rooms_.end()) {
    std::erase(room->second, it->second.conn);
    if (room->second.empty()) rooms_.erase(room);
  }
  peers_.erase(it);
}

void LocalPeerBus::mark_closing(std::string_view peer_id) {
  const auto it = peers_.find(peer_id);
  if (it != peers_.end()) it->second.closing = true;
}

bool LocalPeerBus::attached(std::string_view peer_id) const {
  return peers_.find(peer_id) != peers_.end();
}

bool LocalPeerBus::deliver(std::string_view room, std::string_view peer_id, const SharedText& text,
                           Effects& out) {
  const auto it = peers_.find(peer_id);
  if (it == peers_.end() || it->second.room != room || it->second.closing) return false;
  out.sends.push_back({it->second.conn, text});
  return true;
}

std::size_t LocalPeerBus::broadcast(std::string_view room, const SharedText& text, Effects& out) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) return 0;
  for (ConnId conn : it->second) out.sends.push_back({conn, text});
  return it->second.size();
}

std::size_t LocalPeerBus::room_size(std::string_view room) const {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.size();
}

ConnId LocalPeerBus::local_conn(std::string_view peer_id) const {
  const auto it = peers_.find(peer_id);
  return it == peers_.end() ? 0 : it->second.conn;
}

}  // namespace cieloweb::signaling
