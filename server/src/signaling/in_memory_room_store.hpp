// The rooms of one server process, in memory: the store every deployment uses today.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "signaling/room_store.hpp"

namespace cieloweb::signaling {

class InMemoryRoomStore final : public RoomStore {
 public:
  // `empty_room_ttl_ms`: how long an empty room stays joinable (reloads, late joiners).
  explicit InMemoryRoomStore(std::int64_t empty_room_ttl_ms)
      : empty_room_ttl_ms_(empty_room_ttl_ms) {}

  CreateOutcome create(const std::string& room, std::size_t capacity, std::int64_t now_ms) override;
  JoinOutcome join(std::string_view room, PeerInfo peer) override;
  std::optional<std::size_t> leave(std::string_view room, std::string_view peer_id,
                                   std::int64_t now_ms) override;
  std::vector<PeerInfo> members(std::string_view room) const override;
  void expire(std::int64_t now_ms) override;
  std::size_t room_count() const override { return rooms_.size(); }
  std::size_t member_count() const override { return member_count_; }

  // No room over its capacity and no peer in a room twice; for tests and the fuzzer.
  bool check_invariants() const;

 private:
  struct Room {
    std::size_t capacity = 0;
    std::vector<PeerInfo> members;  // join order
    std::int64_t empty_since_ms = 0;
  };
  // Heterogeneous lookup: a string_view finds a room without building a std::string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::int64_t empty_room_ttl_ms_;
  std::unordered_map<std::string, Room, Hash, std::equal_to<>> rooms_;
  std::size_t member_count_ = 0;
};

}  // namespace cieloweb::signaling
