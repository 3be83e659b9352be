#include "signaling/in_memory_room_store.hpp"

#include <algorithm>
#include <unordered_set>

namespace cieloweb::signaling {

CreateOutcome InMemoryRoomStore::create(const std::string& room, std::size_t capacity,
                                        std::int64_t now_ms) {
  return rooms_.try_emplace(room, Room{capacity, {}, now_ms}).second ? CreateOutcome::created
                                                                     : CreateOutcome::exists;
}

JoinOutcome InMemoryRoomStore::join(std::string_view room, PeerInfo peer) {
  JoinOutcome outcome;
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) return outcome;
  Room& r = it->second;
  outcome.capacity = r.capacity;
  if (r.members.size() >= r.capacity) {
    outcome.kind = JoinOutcome::Kind::full;
    return outcome;
  }
  outcome.kind = JoinOutcome::Kind::joined;
  outcome.already_there = r.members;
  r.members.push_back(std::move(peer));
  ++member_count_;
  return outcome;
}

std::optional<std::size_t> InMemoryRoomStore::leave(std::string_view room, std::string_view peer_id,
                                                    std::int64_t now_ms) {
  const auto it = rooms_.find(room);
  if (it == rooms_.end()) return std::nullopt;
  Room& r = it->second;
  const auto removed =
      std::erase_if(r.members, [&](const PeerInfo& member) { return member.id == peer_id; });
  if (removed == 0) return std::nullopt;
  member_count_ -= removed;
  if (r.members.empty()) r.empty_since_ms = now_ms;
  return r.members.size();
}

std::vector<PeerInfo> InMemoryRoomStore::members(std::string_view room) const {
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? std::vector<PeerInfo>{} : it->second.members;
}

void InMemoryRoomStore::expire(std::int64_t now_ms) {
  std::erase_if(rooms_, [&](const auto& entry) {
    const Room& r = entry.second;
    return r.members.empty() && now_ms - r.empty_since_ms >= empty_room_ttl_ms_;
  });
}

bool InMemoryRoomStore::check_invariants() const {
  std::size_t members = 0;
  std::unordered_set<std::string_view> seen;
  for (const auto& [id, room] : rooms_) {
    if (room.members.size() > room.capacity) return false;
    for (const auto& member : room.members) {
      if (!seen.insert(member.id).second) return false;
    }
    members += room.members.size();
  }
  return members == member_count_;
}

}  // namespace cieloweb::signaling
