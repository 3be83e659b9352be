// How messages reach peers: to one peer of a room, or to every peer of a room. The hub decides what
// to say and to whom; the bus knows where each peer's connection is. Today every peer is connected
// to this process (LocalPeerBus); a bus shared by several servers (Redis pub/sub) can implement the
// same interface, delivering to its own connections through Effects and publishing the rest.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "signaling/effects.hpp"

namespace cieloweb::signaling {

using SharedText = std::shared_ptr<const std::string>;

class PeerBus {
 public:
  virtual ~PeerBus() = default;

  // `peer_id` is now a member of `room`, reachable through connection `conn`. Broadcasts to the
  // room reach peers in the order they were attached.
  virtual void attach(const std::string& room, const std::string& peer_id, ConnId conn) = 0;
  // `peer_id` left its room: nothing is delivered to it any more.
  virtual void detach(std::string_view peer_id) = 0;
  // The peer's connection is being closed: direct deliveries to it are refused from now on (the
  // sender learns the peer is gone), while broadcasts still reach it until it is detached.
  virtual void mark_closing(std::string_view peer_id) = 0;
  // Whether any room holds `peer_id` (peer ids are unique across rooms).
  virtual bool attached(std::string_view peer_id) const = 0;

  // Queues `text` for `peer_id` if it is a member of `room` and not closing.
  // @return false when it is not (another room's peer, unknown, or closing).
  virtual bool deliver(std::string_view room, std::string_view peer_id, const SharedText& text,
                       Effects& out) = 0;
  // Queues `text` for every member of `room`. @return how many it was queued for.
  virtual std::size_t broadcast(std::string_view room, const SharedText& text, Effects& out) = 0;
  // Queues `text` for the members of `room` connected to this server only. peer-left goes this
  // way: a shared store tells the other servers itself (they announce it to their own members).
  virtual std::size_t broadcast_here(std::string_view room, const SharedText& text, Effects& out) {
    return broadcast(room, text, out);
  }

  // Peers attached through this bus.
  virtual std::size_t peer_count() const = 0;
  // The connection `peer_id` is reachable through on this server, 0 if none; for consistency
  // checks.
  virtual ConnId local_conn(std::string_view peer_id) const = 0;
};

}  // namespace cieloweb::signaling
