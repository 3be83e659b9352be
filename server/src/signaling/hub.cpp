#include "signaling/hub.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "client_address.hpp"
#include "log.hpp"
#include "signaling/in_memory_room_store.hpp"
#include "signaling/local_peer_bus.hpp"

namespace cieloweb::signaling {
namespace {

using server::log_event;
using server::LogLevel;

std::string_view type_token(const ClientMessage& msg) {
  switch (msg.index()) {
    case 0:
      return "create-room";
    case 1:
      return "join";
    case 2:
      return "leave";
    case 3:
      return "signal";
    case 4:
      return "ping";
    default:
      return "sign-in";
  }
}

}  // namespace

RandomSource system_random() {
  return [](std::span<std::uint8_t> out) {
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
      // Predictable ids would make rooms guessable: better to stop than to carry on.
      log_event(LogLevel::error, "csprng-failed");
      std::abort();
    }
  };
}

std::string address_key(std::string_view address) {
  const auto parsed = server::parse_ip(address);
  return parsed ? server::limit_key(*parsed) : std::string(address);
}

Hub::Hub(HubLimits limits, server::Metrics& metrics, RandomSource random,
         std::unique_ptr<RoomStore> store, std::unique_ptr<PeerBus> bus)
    : limits_(limits),
      metrics_(metrics),
      random_(std::move(random)),
      welcome_(std::make_shared<const std::string>(
          make_welcome(limits.max_message_bytes, limits.room_capacity, limits.rate_per_s))),
      store_(store ? std::move(store)
                   : std::make_unique<InMemoryRoomStore>(limits.empty_room_ttl_ms)),
      bus_(bus ? std::move(bus) : std::make_unique<LocalPeerBus>()),
      guesses_(limits.guess_per_min, limits.guess_burst),
      rooms_created_(limits.rooms_per_min, limits.rooms_per_min),
      turn_minted_(limits.turn_per_min, limits.turn_per_min) {}

std::string Hub::random_id(std::size_t bytes) {
  std::uint8_t buf[32];
  random_(std::span<std::uint8_t>(buf, bytes));
  return base64url(buf, bytes);
}

void Hub::send(ConnId to, std::string text, Effects& out) {
  metrics_.count_sent();
  out.sends.push_back({to, std::make_shared<const std::string>(std::move(text))});
}

void Hub::send_error(ConnId to, ErrorCode code, std::string_view detail, Effects& out) {
  metrics_.count_reject(error_code_name(code));
  send(to, make_error(code, detail), out);
}

void Hub::order_close(ConnId id, Conn& conn, std::uint16_t code, std::string reason, Effects& out) {
  conn.closing = true;
  if (!conn.peer_id.empty()) bus_->mark_closing(conn.peer_id);
  out.closes.push_back({id, code, std::move(reason)});
}

void Hub::on_open(ConnId conn, std::string_view client_address, std::int64_t now_ms, Effects& out) {
  now_ms_ = std::max(now_ms_, now_ms);
  Conn c;
  c.address_key = address_key(client_address);
  c.rate = TokenBucket(limits_.rate_burst, now_ms);
  c.sign_ins = TokenBucket(sign_ins_burst, now_ms);
  conns_.insert_or_assign(conn, std::move(c));
  metrics_.count_sent();
  out.sends.push_back({conn, welcome_});
}

void Hub::on_text(ConnId id, std::string_view text, std::int64_t now_ms, Effects& out) {
  now_ms_ = std::max(now_ms_, now_ms);
  const auto it = conns_.find(id);
  if (it == conns_.end() || it->second.closing) return;
  Conn& conn = it->second;
  if (!within_rate(id, conn, now_ms, out)) return;

  auto parsed = parse_client_message(text, {limits_.max_json_depth, limits_.max_name_bytes});
  if (auto* error = std::get_if<ProtocolError>(&parsed)) {
    metrics_.count_message("invalid");
    if (server::log_enabled(LogLevel::debug))
      log_event(LogLevel::debug, "message-refused",
                {{"conn", id}, {"code", error_code_name(error->code)}, {"bytes", text.size()}});
    send_error(id, error->code, error->detail, out);
    return;
  }
  auto& msg = std::get<ClientMessage>(parsed);
  metrics_.count_message(type_token(msg));
  handle(id, conn, std::move(msg), now_ms, out);
}

bool Hub::on_control_frame(ConnId id, std::int64_t now_ms, Effects& out) {
  now_ms_ = std::max(now_ms_, now_ms);
  const auto it = conns_.find(id);
  if (it == conns_.end() || it->second.closing) return false;
  metrics_.count_message("control-frame");
  return within_rate(id, it->second, now_ms, out);
}

bool Hub::within_rate(ConnId id, Conn& conn, std::int64_t now_ms, Effects& out) {
  if (conn.rate.take(limits_.rate_per_s / 1000.0, limits_.rate_burst, now_ms)) {
    conn.strikes = 0;
    return true;
  }
  ++conn.strikes;
  if (conn.strikes > limits_.rate_strikes) {
    metrics_.count_reject("rate-limit-close");
    log_event(LogLevel::warn, "rate-limit-close", {{"conn", id}});
    order_close(id, conn, close_policy_violation, "rate limit", out);
  } else if (conn.strikes == 1) {
    // One error per run of refused messages: the reply must not itself become a flood.
    send_error(id, ErrorCode::rate_limited, "slow down; further messages are dropped", out);
  } else {
    metrics_.count_reject(error_code_name(ErrorCode::rate_limited));
  }
  return false;
}

void Hub::handle(ConnId id, Conn& conn, ClientMessage&& msg, std::int64_t now_ms, Effects& out) {
  std::visit(
      [&](auto&& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, CreateRoom>) {
          create_room(id, conn, now_ms, out);
        } else if constexpr (std::is_same_v<T, Join>) {
          join(id, conn, std::move(m), now_ms, out);
        } else if constexpr (std::is_same_v<T, Leave>) {
          leave(id, conn, now_ms, out);
        } else if constexpr (std::is_same_v<T, Signal>) {
          relay(id, conn, std::move(m), out);
        } else if constexpr (std::is_same_v<T, SignIn>) {
          sign_in(id, conn, std::move(m), now_ms, out);
        } else {
          send(id, make_pong(), out);
        }
      },
      std::move(msg));
}

void Hub::create_room(ConnId id, const Conn& conn, std::int64_t now_ms, Effects& out) {
  if (store_->room_count() >= limits_.max_rooms) {
    send_error(id, ErrorCode::too_many_rooms, "the server holds as many rooms as it may", out);
    return;
  }
  if (!rooms_created_.take(conn.address_key, now_ms)) {
    log_event(LogLevel::warn, "room-creation-limited", {{"conn", id}});
    send_error(id, ErrorCode::too_many_rooms_created,
               "this address created rooms too fast; wait a minute", out);
    return;
  }
  // The capacity is the room's own from now on: a room keeps what it was created with.
  std::string room = random_id(room_id_bytes);
  const std::size_t capacity = conn.pro ? limits_.room_capacity_pro : limits_.room_capacity;
  CreateOutcome created;
  while ((created = store_->create(room, capacity, now_ms)) == CreateOutcome::exists) {
    room = random_id(room_id_bytes);  // 2^-128; only a broken RNG loops
  }
  if (created == CreateOutcome::unavailable) {
    send_error(id, ErrorCode::try_again_later, "rooms cannot be made just now; try again", out);
    return;
  }
  log_event(LogLevel::info, "room-created", {{"conn", id}, {"room", server::room_tag(room)}});
  send(id, make_room_created(room), out);
}

void Hub::join(ConnId id, Conn& conn, Join&& msg, std::int64_t now_ms, Effects& out) {
  if (!conn.room.empty()) {
    send_error(id, ErrorCode::already_in_room, "leave the current room first", out);
    return;
  }
  std::string peer_id = random_id(peer_id_bytes);
  while (bus_->attached(peer_id)) peer_id = random_id(peer_id_bytes);
  PeerInfo self{std::move(peer_id), std::move(msg.name)};
  JoinOutcome joined = store_->join(msg.room, self);
  if (joined.kind == JoinOutcome::Kind::not_found) {
    miss(id, conn, now_ms, out);
    return;
  }
  if (joined.kind == JoinOutcome::Kind::unavailable) {
    send_error(id, ErrorCode::try_again_later, "the room cannot be reached just now; try again",
               out);
    return;
  }
  if (joined.kind == JoinOutcome::Kind::full) {
    send_error(id, ErrorCode::room_full,
               "the room holds " + std::to_string(joined.capacity) + " peers", out);
    return;
  }
  if (!joined.already_there.empty()) {
    const auto sent =
        bus_->broadcast(msg.room, std::make_shared<const std::string>(make_peer_joined(self)), out);
    metrics_.count_sent(sent);
  }
  bus_->attach(msg.room, self.id, id);
  conn.room = std::move(msg.room);
  conn.peer_id = self.id;
  const std::size_t peers_now = joined.already_there.size() + 1;
  log_event(LogLevel::info, "peer-joined",
            {{"conn", id}, {"room", server::room_tag(conn.room)}, {"peers", peers_now}});
  if (ice_for_peer_) {
    // Each credential opens a relay allocation on coturn: one address may not farm them. A pro
    // account is known and paying, so its joins are not counted against its address.
    const bool with_turn = !mints_turn_ || conn.pro || turn_minted_.take(conn.address_key, now_ms);
    if (!with_turn) {
      metrics_.count_reject("turn-rate-limited");
      log_event(LogLevel::warn, "turn-rate-limited", {{"conn", id}});
    }
    const nlohmann::json ice = ice_for_peer_(conn.peer_id, with_turn);
    send(id, make_joined(conn.room, self, joined.already_there, joined.capacity, &ice), out);
  } else {
    send(id, make_joined(conn.room, self, joined.already_there, joined.capacity), out);
  }
}

void Hub::miss(ConnId id, Conn& conn, std::int64_t now_ms, Effects& out) {
  if (guesses_.take(conn.address_key, now_ms)) {
    send_error(id, ErrorCode::room_not_found, "no such room (it may have expired)", out);
    return;
  }
  // Hits are never refused (so one bad guesser cannot lock a whole NAT or proxy out of its own
  // rooms), which means a throttled miss can only be made expensive: it also closes the
  // connection, so every further guess costs a new TCP and WebSocket handshake.
  log_event(LogLevel::warn, "guess-throttled", {{"conn", id}});
  send_error(id, ErrorCode::too_many_guesses, "too many joins of unknown rooms; wait", out);
  order_close(id, conn, close_policy_violation, "too many guesses", out);
}

void Hub::leave(ConnId id, Conn& conn, std::int64_t now_ms, Effects& out) {
  if (conn.room.empty()) {
    send_error(id, ErrorCode::not_in_room, "not in a room", out);
    return;
  }
  bus_->detach(conn.peer_id);
  if (const auto remaining = store_->leave(conn.room, conn.peer_id, now_ms)) {
    const std::size_t left = *remaining;
    if (!shutting_down_ && left > 0) {
      const auto sent = bus_->broadcast_here(
          conn.room, std::make_shared<const std::string>(make_peer_left(conn.peer_id)), out);
      metrics_.count_sent(sent);
    }
    log_event(LogLevel::info, "peer-left",
              {{"conn", id}, {"room", server::room_tag(conn.room)}, {"peers", left}});
  }
  std::string room_id = std::move(conn.room);
  conn.room.clear();
  conn.peer_id.clear();
  if (!conn.closing) send(id, make_left(room_id), out);
}

void Hub::relay(ConnId id, const Conn& conn, Signal&& msg, Effects& out) {
  if (conn.room.empty()) {
    send_error(id, ErrorCode::not_in_room, "join a room before signalling", out);
    return;
  }
  // Another room's peer, oneself and nobody all look the same to the sender: not found.
  if (msg.to == conn.peer_id ||
      !bus_->deliver(conn.room, msg.to,
                     std::make_shared<const std::string>(make_signal(conn.peer_id, msg.data_json)),
                     out)) {
    send_error(id, ErrorCode::peer_not_found, "no such peer in this room", out);
    return;
  }
  metrics_.count_relayed();
  if (server::log_enabled(LogLevel::debug)) {
    log_event(LogLevel::debug, "signal-relayed", {{"conn", id}, {"bytes", msg.data_json.size()}});
  }
  metrics_.count_sent();
}

void Hub::on_close(ConnId id, Effects& out) {
  const auto it = conns_.find(id);
  if (it == conns_.end()) return;
  it->second.closing = true;
  if (!it->second.room.empty()) leave(id, it->second, now_ms_, out);
  conns_.erase(it);
}

void Hub::on_tick(std::int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);
  store_->expire(now_ms);
  guesses_.forget_full(now_ms);
  rooms_created_.forget_full(now_ms);
  turn_minted_.forget_full(now_ms);
  std::erase_if(recently_deleted_, [now_ms](const auto& entry) {
    return now_ms - entry.second > deleted_uid_memory_ms;
  });
}

void Hub::close_joined(std::uint16_t code, const std::string& reason, Effects& out) {
  for (auto& [id, conn] : conns_) {
    if (!conn.closing && !conn.room.empty()) order_close(id, conn, code, reason, out);
  }
}

void Hub::on_shutdown(Effects& out) {
  shutting_down_ = true;
  auto notice = std::make_shared<const std::string>(make_shutdown());
  for (auto& [id, conn] : conns_) {
    if (conn.closing) continue;
    conn.closing = true;
    if (!conn.peer_id.empty()) bus_->mark_closing(conn.peer_id);
    out.sends.push_back({id, notice});
    out.closes.push_back({id, close_going_away, "server shutting down"});
  }
}

bool Hub::check_invariants() const {
  if (const auto* store = dynamic_cast<const InMemoryRoomStore*>(store_.get())) {
    if (!store->check_invariants()) return false;
  }
  // Every member of a room is a connection of ours that says it is in that room, and the other way
  // round: the counts agree and each joined connection is found among its room's members.
  if (store_->member_count() != bus_->peer_count()) return false;
  std::size_t joined = 0;
  for (const auto& [id, conn] : conns_) {
    if (conn.room.empty()) continue;
    ++joined;
    if (bus_->local_conn(conn.peer_id) != id) return false;
    const auto members = store_->members(conn.room);
    const std::string_view peer_id = conn.peer_id;  // clang 14 cannot capture a binding
    if (std::none_of(members.begin(), members.end(),
                     [peer_id](const PeerInfo& member) { return member.id == peer_id; })) {
      return false;
    }
  }
  return joined == bus_->peer_count();
}

}  // namespace cieloweb::signaling
