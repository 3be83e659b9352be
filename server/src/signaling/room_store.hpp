// Where rooms live: which exist, who is in each (in join order), how many each may hold, and when
// an empty one is forgotten. The hub decides who may do what; the store only keeps the record.
// Today's store is in memory (InMemoryRoomStore); one shared by several servers (Redis) can
// implement the same interface without changing the hub.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/protocol.hpp"  // PeerInfo

namespace cieloweb::signaling {

// `unavailable`: a shared store could not be reached in time; nothing changed, try again.
enum class CreateOutcome { created, exists, unavailable };

struct JoinOutcome {
  enum class Kind { joined, not_found, full, unavailable };
  Kind kind = Kind::not_found;
  std::size_t capacity = 0;             // the room's own capacity (joined, full)
  std::vector<PeerInfo> already_there;  // joined: the members before this one, in join order
};

class RoomStore {
 public:
  virtual ~RoomStore() = default;

  // Records a new empty room that holds at most `capacity` peers, empty since `now_ms`.
  // `exists` (and nothing changes) when `room` already exists.
  virtual CreateOutcome create(const std::string& room, std::size_t capacity,
                               std::int64_t now_ms) = 0;
  // Adds `peer` as the room's last member if the room exists and has a free place. Checking and
  // adding are one step, so two joins can never both take the last place.
  virtual JoinOutcome join(std::string_view room, PeerInfo peer) = 0;
  // Removes `peer_id` from `room`; an emptied room starts its expiry at `now_ms`.
  // @return how many members remain, or nullopt when the room or the member was not there.
  virtual std::optional<std::size_t> leave(std::string_view room, std::string_view peer_id,
                                           std::int64_t now_ms) = 0;
  // The room's members in join order; empty when the room does not exist.
  virtual std::vector<PeerInfo> members(std::string_view room) const = 0;
  // Forgets rooms that have been empty for the store's time to live at `now_ms`.
  virtual void expire(std::int64_t now_ms) = 0;
  virtual std::size_t room_count() const = 0;
  // Members of all rooms together.
  virtual std::size_t member_count() const = 0;
};

}  // namespace cieloweb::signaling
