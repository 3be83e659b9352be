// What the signaling logic asks the transport to do. The hub (and the peer bus it delivers through)
// never touch sockets: they append to an Effects, and the transport carries it out after the event.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cieloweb::signaling {

// A WebSocket connection on this server, as the transport numbers it.
using ConnId = std::uint64_t;

// WebSocket close codes the hub asks for (RFC 6455 section 7.4.1).
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_policy_violation = 1008;
inline constexpr std::uint16_t close_service_restart = 1012;

struct Outbound {
  ConnId to;
  std::shared_ptr<const std::string> text;  // shared: a broadcast serialises once
};

struct CloseOrder {
  ConnId conn;
  std::uint16_t code;
  std::string reason;
};

// A sign-in token to check off the signaling thread (keys may need fetching, the plan is in the
// database); the transport hands the outcome back with Hub::on_sign_in_result.
struct SignInCheck {
  ConnId conn;
  std::uint64_t attempt;  // the connection's latest attempt wins; older answers are dropped
  std::string token;
};

// What the transport must do after an event. Sends are in order per connection; a close follows the
// sends queued before it.
struct Effects {
  std::vector<Outbound> sends;
  std::vector<CloseOrder> closes;
  std::vector<SignInCheck> sign_ins;
  void clear() {
    sends.clear();
    closes.clear();
    sign_ins.clear();
  }
};

}  // namespace cieloweb::signaling
