// The hub without sockets: events in, effects out.
#include "signaling/hub.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace cieloweb::signaling;
using nlohmann::json;

namespace {

// Deterministic "randomness" for tests: a counter, so ids differ but runs repeat.
RandomSource counter_random() {
  auto state = std::make_shared<std::uint64_t>(0);
  return [state](std::span<std::uint8_t> out) {
    for (auto& b : out) b = static_cast<std::uint8_t>((*state)++ * 37 + 11);
  };
}

struct Fixture {
  cieloweb::server::Metrics metrics;
  HubLimits limits;
  std::unique_ptr<Hub> hub;
  Effects fx;
  std::int64_t now = 1000;

  explicit Fixture(HubLimits l = {}) : limits(l) {
    hub = std::make_unique<Hub>(limits, metrics, counter_random());
  }
  // Messages sent to `conn` in the last effects, parsed.
  std::vector<json> to(ConnId conn) const {
    std::vector<json> out;
    for (const auto& s : fx.sends) {
      if (s.to == conn) out.push_back(json::parse(*s.text));
    }
    return out;
  }
  void open(ConnId c, std::string_view address = "198.51.100.7") {
    fx.clear();
    hub->on_open(c, address, now, fx);
  }
  void text(ConnId c, const json& msg) {
    fx.clear();
    hub->on_text(c, msg.dump(), now, fx);
    REQUIRE(hub->check_invariants());
  }
  std::string create(ConnId c) {
    text(c, {{"type", "create-room"}});
    return to(c).at(0).at("room");
  }
  json join(ConnId c, const std::string& room, const std::string& name) {
    text(c, {{"type", "join"}, {"room", room}, {"name", name}});
    return to(c).at(0);
  }
};

}  // namespace

TEST_CASE("open sends the welcome with the limits") {
  Fixture f;
  f.open(1);
  const auto msgs = f.to(1);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0]["type"] == "welcome");
  CHECK(msgs[0]["limits"]["roomCapacity"] == 8);
}

TEST_CASE("join, peer lists, announcements, leave and close") {
  Fixture f;
  f.open(1);
  f.open(2);
  f.open(3);
  const auto room = f.create(1);
  CHECK(room.size() == room_id_chars);
  const auto a = f.join(1, room, "a");
  CHECK(a["type"] == "joined");
  CHECK(a["peers"].empty());
  const auto b = f.join(2, room, "b");
  CHECK(b["peers"] == json::array({{{"id", a["self"]["id"]}, {"name", "a"}}}));
  const auto announce = f.to(1);
  REQUIRE(announce.size() == 1);
  CHECK(announce[0]["type"] == "peer-joined");
  CHECK(announce[0]["peer"]["id"] == b["self"]["id"]);
  f.join(3, room, "c");
  CHECK(f.hub->peer_count() == 3);

  f.text(2, {{"type", "leave"}});
  CHECK(f.to(2).at(0)["type"] == "left");
  CHECK(f.to(1).at(0) == json{{"v", 1}, {"type", "peer-left"}, {"peer", b["self"]["id"]}});
  CHECK(f.to(3).at(0)["type"] == "peer-left");

  f.fx.clear();
  f.hub->on_close(3, f.fx);
  CHECK(f.to(1).at(0)["type"] == "peer-left");
  CHECK(f.to(3).empty());
  CHECK(f.hub->peer_count() == 1);
  CHECK(f.hub->check_invariants());
}

TEST_CASE("relay goes to one peer of the same room, from the server-known sender") {
  Fixture f;
  for (ConnId c = 1; c <= 4; ++c) f.open(c);
  const auto r1 = f.create(1);
  const auto r2 = f.create(4);
  const auto a = f.join(1, r1, "a");
  const auto b = f.join(2, r1, "b");
  f.join(3, r1, "c");
  const auto x = f.join(4, r2, "x");

  f.text(1, {{"type", "signal"},
             {"to", b["self"]["id"]},
             {"from", x["self"]["id"]},
             {"data", {{"sdp", "v=0"}}}});
  REQUIRE(f.fx.sends.size() == 1);
  CHECK(f.fx.sends[0].to == 2);
  const auto got = f.to(2).at(0);
  CHECK(got["from"] == a["self"]["id"]);
  CHECK(got["data"]["sdp"] == "v=0");

  // Another room's peer, oneself, nobody: refused alike, nothing delivered.
  for (const auto& target : {x["self"]["id"].get<std::string>(), a["self"]["id"].get<std::string>(),
                             std::string("nobody")}) {
    f.text(1, {{"type", "signal"}, {"to", target}, {"data", json::object()}});
    REQUIRE(f.fx.sends.size() == 1);
    CHECK(f.fx.sends[0].to == 1);
    CHECK(f.to(1).at(0)["code"] == "peer-not-found");
  }
  CHECK(f.metrics.signals_relayed() == 1);
}

TEST_CASE("room capacity") {
  HubLimits limits;
  limits.room_capacity = 2;
  Fixture f(limits);
  for (ConnId c = 1; c <= 3; ++c) f.open(c);
  const auto room = f.create(1);
  f.join(1, room, "a");
  f.join(2, room, "b");
  const auto refused = f.join(3, room, "c");
  CHECK(refused["code"] == "room-full");
  CHECK(f.fx.sends.size() == 1);  // members hear nothing
  CHECK(f.metrics.rejects("room-full") == 1);
}

TEST_CASE("rate limit: an error once, then a close after the strikes") {
  HubLimits limits;
  limits.rate_per_s = 1;
  limits.rate_burst = 2;
  limits.rate_strikes = 3;
  Fixture f(limits);
  f.open(1);
  const json ping = {{"type", "ping"}};
  f.text(1, ping);
  CHECK(f.to(1).at(0)["type"] == "pong");
  f.text(1, ping);
  CHECK(f.to(1).at(0)["type"] == "pong");
  f.text(1, ping);
  CHECK(f.to(1).at(0)["code"] == "rate-limited");
  f.text(1, ping);
  CHECK(f.fx.sends.empty());
  f.text(1, ping);
  CHECK(f.fx.sends.empty());
  CHECK(f.fx.closes.empty());
  f.text(1, ping);
  REQUIRE(f.fx.closes.size() == 1);
  CHECK(f.fx.closes[0].code == close_policy_violation);
  f.text(1, ping);  // a closing connection is ignored
  CHECK(f.fx.sends.empty());
  CHECK(f.fx.closes.empty());
}

TEST_CASE("rate limit refills with time") {
  HubLimits limits;
  limits.rate_per_s = 10;
  limits.rate_burst = 1;
  Fixture f(limits);
  f.open(1);
  f.text(1, {{"type", "ping"}});
  f.text(1, {{"type", "ping"}});
  CHECK(f.to(1).at(0)["code"] == "rate-limited");
  f.now += 100;
  f.text(1, {{"type", "ping"}});
  CHECK(f.to(1).at(0)["type"] == "pong");
}

TEST_CASE("guess throttle: misses are counted per address; a throttled miss also closes") {
  HubLimits limits;
  limits.guess_burst = 2;
  limits.guess_per_min = 1;
  Fixture f(limits);
  f.open(1, "203.0.113.5");
  f.open(2, "::ffff:203.0.113.5");  // the same IPv4 client through a dual-stack socket
  f.open(3, "203.0.113.6");
  const auto room = f.create(3);
  CHECK(f.join(1, "nope1", "g")["code"] == "room-not-found");
  CHECK(f.join(2, "nope2", "g")["code"] == "room-not-found");
  CHECK(f.join(3, "nope3", "g")["code"] == "room-not-found");  // another address: its own budget
  CHECK(f.join(1, "nope4", "g")["code"] == "too-many-guesses");
  REQUIRE(f.fx.closes.size() == 1);
  CHECK(f.fx.closes[0].conn == 1);
  CHECK(f.fx.closes[0].code == close_policy_violation);
  f.now += 60'000;
  f.fx.clear();
  f.hub->on_close(1, f.fx);
  f.open(1, "203.0.113.5");
  CHECK(f.join(1, "nope5", "g")["code"] == "room-not-found");  // one miss refilled in a minute
}

TEST_CASE("guess throttle: a join of a room that exists is never refused by it") {
  HubLimits limits;
  limits.guess_burst = 1;
  limits.guess_per_min = 0.001;
  Fixture f(limits);
  f.open(1, "203.0.113.5");  // the bad guesser
  f.open(2, "203.0.113.5");  // a colleague behind the same NAT
  f.open(3, "203.0.113.6");
  const auto room = f.create(3);
  CHECK(f.join(1, "nope1", "g")["code"] == "room-not-found");
  CHECK(f.join(1, "nope2", "g")["code"] == "too-many-guesses");
  CHECK(f.join(2, room, "colleague")["type"] == "joined");
  f.open(4, "203.0.113.5");  // the guesser itself, on a new connection, with a real link
  CHECK(f.join(4, room, "g")["type"] == "joined");
  CHECK(f.join(3, room, "owner")["type"] == "joined");
}

TEST_CASE("address keys") {
  CHECK(address_key("192.0.2.1") == "192.0.2.1");
  CHECK(address_key("::ffff:192.0.2.1") == "192.0.2.1");
  CHECK(address_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
  CHECK(address_key("2001:db8:1:2:ffff::1") == address_key("2001:db8:1:2::9"));
}

TEST_CASE("empty rooms expire after the TTL; occupied rooms never do") {
  HubLimits limits;
  limits.empty_room_ttl_ms = 5000;
  Fixture f(limits);
  f.open(1);
  f.open(2);
  const auto idle = f.create(1);
  const auto busy = f.create(1);
  f.join(2, busy, "b");
  f.now += 4999;
  f.hub->on_tick(f.now);
  CHECK(f.hub->room_count() == 2);
  f.now += 1;
  f.hub->on_tick(f.now);
  CHECK(f.hub->room_count() == 1);
  CHECK(f.join(1, idle, "a")["code"] == "room-not-found");
  // Emptied by a close: the TTL counts from then, not from creation.
  f.fx.clear();
  f.hub->on_close(2, f.fx);
  f.now += 4000;
  f.hub->on_tick(f.now);
  CHECK(f.hub->room_count() == 1);
}

TEST_CASE("max rooms") {
  HubLimits limits;
  limits.max_rooms = 2;
  Fixture f(limits);
  f.open(1);
  f.create(1);
  f.create(1);
  f.text(1, {{"type", "create-room"}});
  CHECK(f.to(1).at(0)["code"] == "too-many-rooms");
}

TEST_CASE("shutdown tells everyone and closes with 1001, without peer-left noise") {
  Fixture f;
  f.open(1);
  f.open(2);
  const auto room = f.create(1);
  f.join(1, room, "a");
  f.join(2, room, "b");
  f.fx.clear();
  f.hub->on_shutdown(f.fx);
  CHECK(f.to(1).at(0)["type"] == "shutdown");
  CHECK(f.to(2).at(0)["type"] == "shutdown");
  CHECK(f.fx.closes.size() == 2);
  CHECK(f.fx.closes[0].code == close_going_away);
  f.fx.clear();
  f.hub->on_close(1, f.fx);
  CHECK(f.fx.sends.empty());
}

TEST_CASE("invalid messages are answered and counted, and the connection stays usable") {
  Fixture f;
  f.open(1);
  f.fx.clear();
  f.hub->on_text(1, "{not json", f.now, f.fx);
  CHECK(f.to(1).at(0)["code"] == "bad-json");
  CHECK(f.metrics.messages_in("invalid") == 1);
  f.text(1, {{"type", "ping"}});
  CHECK(f.to(1).at(0)["type"] == "pong");
}

TEST_CASE("control frames spend the message rate: a ping flood is refused, then closed") {
  HubLimits limits;
  limits.rate_per_s = 1;
  limits.rate_burst = 3;
  limits.rate_strikes = 2;
  Fixture f(limits);
  f.open(1);
  int admitted = 0;
  for (int i = 0; i < 3; ++i) {
    f.fx.clear();
    admitted += f.hub->on_control_frame(1, f.now, f.fx) ? 1 : 0;
  }
  CHECK(admitted == 3);
  f.fx.clear();
  CHECK_FALSE(f.hub->on_control_frame(1, f.now, f.fx));
  CHECK(f.to(1).at(0)["code"] == "rate-limited");
  // Messages and control frames share one bucket: a text message is refused too.
  f.text(1, {{"type", "ping"}});
  CHECK(f.to(1).empty());
  f.fx.clear();
  CHECK_FALSE(f.hub->on_control_frame(1, f.now, f.fx));
  REQUIRE(f.fx.closes.size() == 1);
  CHECK(f.fx.closes[0].code == close_policy_violation);
  // A second later one token is back, but the connection is already closing.
  f.now += 1000;
  f.fx.clear();
  CHECK_FALSE(f.hub->on_control_frame(1, f.now, f.fx));
}

TEST_CASE("rooms created per address per minute; another address still gets a room") {
  HubLimits limits;
  limits.rooms_per_min = 2;
  Fixture f(limits);
  f.open(1, "203.0.113.5");
  f.open(2, "203.0.113.5");
  f.open(3, "203.0.113.6");
  f.create(1);
  f.create(2);
  f.text(1, {{"type", "create-room"}});
  CHECK(f.to(1).at(0)["code"] == "too-many-rooms-created");
  CHECK(f.to(1).size() == 1);
  CHECK(f.fx.closes.empty());  // the connection stays
  CHECK(f.create(3).size() == room_id_chars);
  f.now += 30'000;  // one of two per minute is back
  CHECK(f.create(1).size() == room_id_chars);
}

TEST_CASE("TURN credentials per address per minute: past it, joined has no TURN") {
  HubLimits limits;
  limits.turn_per_min = 2;
  Fixture f(limits);
  f.hub->set_ice_for_peer(
      [](std::string_view, bool with_turn) {
        return json{{"turn", with_turn}};
      },
      true);
  f.open(1, "203.0.113.5");
  f.open(2, "203.0.113.6");
  const auto room = f.create(1);
  std::vector<bool> turn;
  for (int i = 0; i < 3; ++i) {
    turn.push_back(f.join(1, room, "a")["ice"]["turn"].get<bool>());
    f.text(1, {{"type", "leave"}});
  }
  CHECK(turn == std::vector<bool>{true, true, false});
  CHECK(f.metrics.rejects("turn-rate-limited") == 1);
  CHECK(f.join(2, room, "b")["ice"]["turn"] == true);
  // Without TURN configured nothing is minted, so nothing is limited.
  Fixture g(limits);
  g.hub->set_ice_for_peer(
      [](std::string_view, bool with_turn) {
        return json{{"turn", with_turn}};
      },
      false);
  g.open(1);
  const auto other = g.create(1);
  for (int i = 0; i < 3; ++i) {
    CHECK(g.join(1, other, "a")["ice"]["turn"] == true);
    g.text(1, {{"type", "leave"}});
  }
}
