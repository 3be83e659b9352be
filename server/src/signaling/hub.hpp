// The signaling hub: the message dispatcher and the rules of rooms (who may create, join, relay;
// the limits and throttles). Pure logic, no sockets, no clocks. The transport hands in events (a
// connection opened, a text message arrived, a connection closed, time passed) and gets back
// Effects (messages to queue on named connections, connections to close). Rooms are kept in a
// RoomStore and messages reach peers through a PeerBus, so a shared store and bus (several servers)
// can replace the in-memory ones without touching the rules here. Testable without a network and
// fuzzable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "address_limits.hpp"
#include "metrics.hpp"
#include "signaling/effects.hpp"
#include "signaling/peer_bus.hpp"
#include "signaling/protocol.hpp"
#include "signaling/room_store.hpp"
#include "token_bucket.hpp"

namespace cieloweb::signaling {

inline constexpr std::size_t room_id_bytes = 16;  // 128 bits -> 22 base64url characters
inline constexpr std::size_t peer_id_bytes = 12;  // 96 bits -> 16 characters
inline constexpr std::size_t room_id_chars = 22;
inline constexpr std::size_t peer_id_chars = 16;

struct HubLimits {
  std::size_t max_message_bytes = 64 * 1024;  // enforced by the transport (close 1009)
  std::size_t max_json_depth = 8;
  std::size_t max_name_bytes = display_name_max_bytes;
  double rate_per_s = 50;  // token bucket per connection
  double rate_burst = 100;
  std::uint32_t rate_strikes = 20;  // refused messages in a row before the close
  // Given to each room when it is created, by its creator's plan (docs/accounts.md, "Plans").
  std::size_t room_capacity = 8;  // anonymous or free
  std::size_t room_capacity_pro = 24;
  std::size_t max_rooms = 100000;
  std::int64_t empty_room_ttl_ms = 600'000;  // an empty room stays joinable (reloads, late joiners)
  double guess_burst = 10;    // joins of unknown rooms per client address, at once...
  double guess_per_min = 10;  // ...and refilled per minute
  // Per client address, as a burst of this many refilled over a minute: rooms created, and TURN
  // credentials minted (joins past it get `ice` without TURN). Generous enough for an office
  // behind one NAT; tight enough that one address cannot fill --max-rooms or farm credentials.
  double rooms_per_min = 60;
  double turn_per_min = 60;
};

// What checking a sign-in token found (the transport asks the accounts, off the signaling thread).
// Sign-in messages per connection: a burst, refilled per minute (each costs a pool job).
inline constexpr double sign_ins_burst = 5;
inline constexpr double sign_ins_per_min = 5;
inline constexpr std::int64_t deleted_uid_memory_ms = 3'600'000 + 60'000;  // token life + leeway

struct SignInResult {
  enum class Outcome { signed_in, invalid_token, try_again_later } outcome = Outcome::invalid_token;
  std::string uid;  // signed in: the account, to close its connections when it is deleted
  bool pro = false;
};

// Fills `out` with cryptographically secure random bytes.
using RandomSource = std::function<void(std::span<std::uint8_t> out)>;
RandomSource system_random();  // OpenSSL RAND_bytes; aborts if the CSPRNG fails

class Hub {
 public:
  // `store` and `bus` default to this process's own (InMemoryRoomStore, LocalPeerBus).
  Hub(HubLimits limits, server::Metrics& metrics, RandomSource random,
      std::unique_ptr<RoomStore> store = nullptr, std::unique_ptr<PeerBus> bus = nullptr);

  // A WebSocket connection finished its handshake. `client_address` keys the guess throttle.
  void on_open(ConnId conn, std::string_view client_address, std::int64_t now_ms, Effects& out);
  // One complete text message from `conn`.
  void on_text(ConnId conn, std::string_view text, std::int64_t now_ms, Effects& out);
  // A ping or pong frame from `conn`. Control frames cost the same token as a message, so a
  // ping flood meets the message rate (an error, then the 1008 close) instead of being free.
  // @return whether the frame is within the rate (a ping is then answered with a pong).
  bool on_control_frame(ConnId conn, std::int64_t now_ms, Effects& out);
  // The connection is gone (closed, failed, timed out, dropped). Announces peer-left to its room.
  void on_close(ConnId conn, Effects& out);
  // Time passed: forgets expired empty rooms and idle guess buckets.
  void on_tick(std::int64_t now_ms);
  // The shared room store lost what it knew (Redis restarted): every connection in a room is
  // closed with `code`, and the page's reconnect joins again, so nobody keeps a stale view.
  void close_joined(std::uint16_t code, const std::string& reason, Effects& out);
  // The server is stopping: every connection is told and closed with 1001.
  void on_shutdown(Effects& out);
  // The outcome of a SignInCheck this hub asked for (ignored when the connection is gone or has
  // sent a newer sign-in since).
  void on_sign_in_result(ConnId conn, std::uint64_t attempt, const SignInResult& result,
                         Effects& out);
  // An account was deleted: its connections are closed (1008) at once.
  void on_account_deleted(std::string_view uid, Effects& out);
  // Whether sign-in messages are checked (accounts configured) or answered `accounts-off`.
  void set_accounts_enabled(bool enabled) { accounts_enabled_ = enabled; }

  // What a joining peer gets as `ice` in its `joined` message (STUN/TURN servers and, when
  // `with_turn`, a TURN credential minted for its peer id); unset, `joined` has no `ice`.
  // `mints_turn`: the function mints credentials, so their rate per address is limited.
  using IceForPeer = std::function<nlohmann::json(std::string_view peer_id, bool with_turn)>;
  void set_ice_for_peer(IceForPeer ice_for_peer, bool mints_turn) {
    ice_for_peer_ = std::move(ice_for_peer);
    mints_turn_ = mints_turn;
  }

  std::size_t connection_count() const { return conns_.size(); }
  std::size_t room_count() const { return store_->room_count(); }
  std::size_t peer_count() const { return bus_->peer_count(); }
  const HubLimits& limits() const { return limits_; }
  // Consistency of the indexes (rooms <-> peers <-> connections) with a store and bus of this
  // process alone; for tests and the fuzzer.
  bool check_invariants() const;

 private:
  struct Conn {
    std::string address_key;
    TokenBucket rate;
    std::uint32_t strikes = 0;
    std::string room;  // empty when not joined
    std::string peer_id;
    bool closing = false;
    std::string uid;  // empty: anonymous
    bool pro = false;
    std::uint64_t sign_in_attempt = 0;
    bool sign_in_pending = false;  // one check at a time per connection...
    std::string queued_token;      // ...and the latest token sent meanwhile waits for it
    TokenBucket sign_ins;          // sign-in messages allowed (a few a minute)
  };

  // Takes one token of the connection's message rate; refusals count towards the 1008 close.
  bool within_rate(ConnId id, Conn& conn, std::int64_t now_ms, Effects& out);
  void handle(ConnId id, Conn& conn, ClientMessage&& msg, std::int64_t now_ms, Effects& out);
  void create_room(ConnId id, const Conn& conn, std::int64_t now_ms, Effects& out);
  void join(ConnId id, Conn& conn, Join&& msg, std::int64_t now_ms, Effects& out);
  // A join of a room that does not exist: counted against the client address (the guess throttle).
  void miss(ConnId id, Conn& conn, std::int64_t now_ms, Effects& out);
  void leave(ConnId id, Conn& conn, std::int64_t now_ms, Effects& out);
  void relay(ConnId id, const Conn& conn, Signal&& msg, Effects& out);
  void sign_in(ConnId id, Conn& conn, SignIn&& msg, std::int64_t now_ms, Effects& out);
  void send(ConnId to, std::string text, Effects& out);
  // Marks the connection as being closed (and its peer, for the bus) and orders the close.
  void order_close(ConnId id, Conn& conn, std::uint16_t code, std::string reason, Effects& out);
  void send_error(ConnId to, ErrorCode code, std::string_view detail, Effects& out);
  std::string random_id(std::size_t bytes);

  HubLimits limits_;
  server::Metrics& metrics_;
  RandomSource random_;
  IceForPeer ice_for_peer_;
  bool mints_turn_ = false;
  bool accounts_enabled_ = false;
  bool shutting_down_ = false;
  std::int64_t now_ms_ = 0;  // the latest time an event brought; on_close has no clock of its own
  std::shared_ptr<const std::string> welcome_;
  std::unique_ptr<RoomStore> store_;
  std::unique_ptr<PeerBus> bus_;
  std::unordered_map<ConnId, Conn> conns_;
  server::AddressBuckets guesses_;        // joins of unknown rooms, per client address
  server::AddressBuckets rooms_created_;  // rooms created, per client address
  server::AddressBuckets turn_minted_;    // TURN credentials minted, per client address
  // Accounts deleted within a token's lifetime (uid -> when): a sign-in checked just before the
  // deletion and answered just after it must not sign a connection in as the deleted person.
  std::unordered_map<std::string, std::int64_t> recently_deleted_;
};

// The key the per-address limits use for a client address: server::limit_key (the IPv4 address,
// also when IPv4-mapped, or the IPv6 /64); text that is no address is its own key.
std::string address_key(std::string_view address);

}  // namespace cieloweb::signaling
