// When each WebSocket is next due a liveness check (a keepalive ping, a silence timeout, a write
// timeout), in time order. The sweep takes only the entries that are due, so its cost follows the
// connections that need something, not every connection held: visiting all 10,000 sessions every
// quarter second took the signaling thread 1–2 ms at a time, and every join waiting behind it.
//
// Entries are never removed early. A session remembers the one time it expects to be checked
// (WsSession::next_check_ms); an entry for another time, or for a session that is gone, is stale
// and skipped when it comes up. A session adds an entry only for a time earlier than the one it
// holds, so each holds at most a few.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "signaling/effects.hpp"

namespace cieloweb::server {

class LivenessSchedule {
 public:
  struct Entry {
    std::int64_t at_ms;
    signaling::ConnId conn;
  };

  void add(signaling::ConnId conn, std::int64_t at_ms) { heap_.push({at_ms, conn}); }

  // The earliest entry due at `now_ms` (at_ms <= now_ms), removed; nullopt when none is due.
  std::optional<Entry> pop_due(std::int64_t now_ms) {
    if (heap_.empty() || heap_.top().at_ms > now_ms) return std::nullopt;
    const Entry due = heap_.top();
    heap_.pop();
    return due;
  }

  std::size_t size() const { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const { return a.at_ms > b.at_ms; }
  };
  std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
};

}  // namespace cieloweb::server
