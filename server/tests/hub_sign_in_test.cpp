// The hub's side of accounts: a sign-in is handed to the transport to check, only the latest
// attempt's answer counts, the plan sets the capacity of rooms created afterwards and the TURN
// allowance, and a deleted account's connections are closed.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "metrics.hpp"
#include "signaling/hub.hpp"

using namespace cieloweb::signaling;
using nlohmann::json;
using Outcome = SignInResult::Outcome;

namespace {

struct Hubs {
  cieloweb::server::Metrics metrics;
  Hub hub;
  Effects fx;
  explicit Hubs(HubLimits limits)
      : hub(limits, metrics, [](std::span<std::uint8_t> out) {
          static std::uint8_t next = 0;
          for (auto& b : out) b = ++next;
        }) {
    hub.set_accounts_enabled(true);
  }
  std::vector<json> say(ConnId c, const json& msg) {
    fx.clear();
    hub.on_text(c, msg.dump(), 1000, fx);
    return sent_to(c);
  }
  std::vector<json> sent_to(ConnId c) const {
    std::vector<json> out;
    for (const auto& s : fx.sends)
      if (s.to == c) out.push_back(json::parse(*s.text));
    return out;
  }
  void answer(ConnId c, std::uint64_t attempt, SignInResult result) {
    fx.clear();
    hub.on_sign_in_result(c, attempt, result, fx);
  }
  std::size_t capacity_of_new_room(ConnId c) {
    const std::string room = say(c, {{"type", "create-room"}}).at(0).at("room");
    const auto joined = say(c, {{"type", "join"}, {"room", room}, {"name", "x"}}).at(0);
    say(c, {{"type", "leave"}});
    return joined.at("capacity").get<std::size_t>();
  }
};

HubLimits small_limits() {
  HubLimits limits;
  limits.room_capacity = 2;
  limits.room_capacity_pro = 5;
  limits.turn_per_min = 1;
  return limits;
}

}  // namespace

TEST_CASE(
    "one sign-in check at a time per connection; the latest token's plan sets room capacity") {
  Hubs h(small_limits());
  h.fx.clear();
  h.hub.on_open(1, "203.0.113.9", 1000, h.fx);
  CHECK(h.capacity_of_new_room(1) == 2);
  h.say(1, {{"type", "sign-in"}, {"token", "first"}});
  REQUIRE(h.fx.sign_ins.size() == 1);
  CHECK(h.fx.sign_ins[0].token == "first");
  const auto first = h.fx.sign_ins[0].attempt;
  // A second token while the first is being checked waits for it: no second job.
  h.say(1, {{"type", "sign-in"}, {"token", "second"}});
  CHECK(h.fx.sign_ins.empty());
  // The first's answer is moot: it is dropped and the second goes to be checked.
  h.answer(1, first, {Outcome::signed_in, "uid-pro", true});
  CHECK(h.sent_to(1).empty());
  REQUIRE(h.fx.sign_ins.size() == 1);
  CHECK(h.fx.sign_ins[0].token == "second");
  const auto second = h.fx.sign_ins[0].attempt;
  CHECK(second != first);
  h.answer(1, second, {Outcome::signed_in, "uid-free", false});
  CHECK(h.sent_to(1).at(0) ==
        json{{"v", 1}, {"type", "signed-in"}, {"plan", "free"}, {"roomCapacity", 2}});
  CHECK(h.capacity_of_new_room(1) == 2);
  // A pro sign-in: rooms created from now on hold the pro capacity.
  h.say(1, {{"type", "sign-in"}, {"token", "third"}});
  h.answer(1, h.fx.sign_ins.at(0).attempt, {Outcome::signed_in, "uid-pro", true});
  CHECK(h.capacity_of_new_room(1) == 5);
  // A refused token makes the connection anonymous again.
  h.say(1, {{"type", "sign-in"}, {"token", "fourth"}});
  h.answer(1, h.fx.sign_ins.at(0).attempt, {Outcome::invalid_token, {}, false});
  CHECK(h.sent_to(1).at(0).at("code") == "invalid-token");
  CHECK(h.capacity_of_new_room(1) == 2);
  // Five sign-ins a minute: the sixth is refused without a job.
  h.say(1, {{"type", "sign-in"}, {"token", "fifth"}});
  const auto pending = h.fx.sign_ins.at(0).attempt;
  CHECK(h.say(1, {{"type", "sign-in"}, {"token", "sixth"}}).at(0).at("code") == "rate-limited");
  CHECK(h.fx.sign_ins.empty());
  // An answer for a connection that is gone is dropped.
  h.fx.clear();
  h.hub.on_close(1, h.fx);
  h.answer(1, pending, {Outcome::signed_in, "uid-pro", true});
  CHECK(h.fx.sends.empty());
  CHECK(h.hub.check_invariants());
}

TEST_CASE("a sign-in checked before a deletion and answered after it does not sign in") {
  Hubs h(small_limits());
  h.fx.clear();
  h.hub.on_open(1, "203.0.113.9", 1000, h.fx);
  h.say(1, {{"type", "sign-in"}, {"token", "t"}});
  const auto attempt = h.fx.sign_ins.at(0).attempt;
  h.fx.clear();
  h.hub.on_account_deleted("uid-gone", h.fx);  // nothing to close yet
  CHECK(h.fx.closes.empty());
  h.answer(1, attempt, {Outcome::signed_in, "uid-gone", true});
  CHECK(h.sent_to(1).at(0).at("code") == "invalid-token");
  CHECK(h.capacity_of_new_room(1) == 2);
}

TEST_CASE("a pro connection's joins are not counted against its address's TURN allowance") {
  Hubs h(small_limits());
  h.hub.set_ice_for_peer(
      [](std::string_view, bool with_turn) {
        return json{{"turn", with_turn}};
      },
      true);
  for (ConnId c : {1, 2}) {
    h.fx.clear();
    h.hub.on_open(c, "203.0.113.9", 1000, h.fx);  // one address, e.g. one office
  }
  h.say(2, {{"type", "sign-in"}, {"token", "t"}});
  h.answer(2, h.fx.sign_ins.at(0).attempt, {Outcome::signed_in, "uid-pro", true});
  const std::string room = h.say(1, {{"type", "create-room"}}).at(0).at("room");
  auto turn_on_join = [&](ConnId c) {
    const bool turn =
        h.say(c, {{"type", "join"}, {"room", room}, {"name", "x"}}).at(0).at("ice").at("turn");
    h.say(c, {{"type", "leave"}});
    return turn;
  };
  CHECK(turn_on_join(1));
  CHECK_FALSE(turn_on_join(1));  // the free allowance of this address is spent
  CHECK(turn_on_join(2));
  CHECK(turn_on_join(2));
}

TEST_CASE("a deleted account's connections are closed; others stay; accounts off answers so") {
  Hubs h(small_limits());
  for (ConnId c : {1, 2, 3}) {
    h.fx.clear();
    h.hub.on_open(c, "198.51.100.1", 1000, h.fx);
  }
  for (ConnId c : {1, 2}) {
    h.say(c, {{"type", "sign-in"}, {"token", "t"}});
    h.answer(c, h.fx.sign_ins.at(0).attempt, {Outcome::signed_in, "uid-gone", false});
  }
  h.fx.clear();
  h.hub.on_account_deleted("uid-other", h.fx);
  CHECK(h.fx.closes.empty());
  h.hub.on_account_deleted("uid-gone", h.fx);
  REQUIRE(h.fx.closes.size() == 2);
  for (const auto& close : h.fx.closes) {
    CHECK((close.conn == 1 || close.conn == 2));
    CHECK(close.code == close_policy_violation);
  }
  h.fx.clear();
  h.hub.on_account_deleted("", h.fx);  // anonymous connections have no uid to match
  CHECK(h.fx.closes.empty());

  Hubs off(small_limits());
  off.hub.set_accounts_enabled(false);
  off.fx.clear();
  off.hub.on_open(1, "198.51.100.1", 1000, off.fx);
  CHECK(off.say(1, {{"type", "sign-in"}, {"token", "t"}}).at(0).at("code") == "accounts-off");
  CHECK(off.fx.sign_ins.empty());
}
