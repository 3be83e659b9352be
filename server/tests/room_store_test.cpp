// The hub's seams on their own: the in-memory room store and the local peer bus.
#include <doctest/doctest.h>

#include "signaling/in_memory_room_store.hpp"
#include "signaling/local_peer_bus.hpp"

using namespace cieloweb::signaling;

TEST_CASE("a room keeps the capacity it was created with") {
  InMemoryRoomStore store(1000);
  REQUIRE(store.create("small", 2, 0) == CreateOutcome::created);
  REQUIRE(store.create("large", 3, 0) == CreateOutcome::created);
  CHECK(store.create("small", 9, 0) == CreateOutcome::exists);  // an existing room is not replaced
  CHECK(store.join("small", {"a", "A"}).kind == JoinOutcome::Kind::joined);
  const auto second = store.join("small", {"b", "B"});
  CHECK(second.kind == JoinOutcome::Kind::joined);
  REQUIRE(second.already_there.size() == 1);
  CHECK(second.already_there[0].id == "a");
  const auto third = store.join("small", {"c", "C"});
  CHECK(third.kind == JoinOutcome::Kind::full);
  CHECK(third.capacity == 2);
  for (const char* id : {"l1", "l2", "l3"}) {
    CHECK(store.join("large", {id, id}).kind == JoinOutcome::Kind::joined);
  }
  CHECK(store.join("large", {"d", "D"}).kind == JoinOutcome::Kind::full);
  CHECK(store.join("nowhere", {"e", "E"}).kind == JoinOutcome::Kind::not_found);
  CHECK(store.member_count() == 5);
  CHECK(store.check_invariants());
}

TEST_CASE("an emptied room expires after its time to live, an occupied one never") {
  InMemoryRoomStore store(1000);
  REQUIRE(store.create("r", 2, 0) == CreateOutcome::created);
  REQUIRE(store.create("busy", 2, 0) == CreateOutcome::created);
  REQUIRE(store.join("r", {"a", "A"}).kind == JoinOutcome::Kind::joined);
  REQUIRE(store.join("busy", {"b", "B"}).kind == JoinOutcome::Kind::joined);
  CHECK(store.leave("r", "a", 500) == std::optional<std::size_t>(0));
  CHECK_FALSE(store.leave("r", "a", 500).has_value());
  store.expire(1499);
  CHECK(store.room_count() == 2);
  store.expire(1500);
  CHECK(store.room_count() == 1);
  CHECK(store.members("r").empty());
  store.expire(1'000'000);
  CHECK(store.members("busy").size() == 1);
}

TEST_CASE("the local bus delivers within a room, broadcasts in join order, refuses closing peers") {
  LocalPeerBus bus;
  Effects out;
  const auto text = std::make_shared<const std::string>("x");
  bus.attach("r", "p1", 11);
  bus.attach("r", "p2", 12);
  bus.attach("other", "p3", 13);
  CHECK(bus.deliver("r", "p2", text, out));
  CHECK_FALSE(bus.deliver("r", "p3", text, out));  // another room's peer
  CHECK_FALSE(bus.deliver("r", "nobody", text, out));
  CHECK(bus.broadcast("r", text, out) == 2);
  REQUIRE(out.sends.size() == 3);
  CHECK(out.sends[0].to == 12);
  CHECK(out.sends[1].to == 11);
  CHECK(out.sends[2].to == 12);
  bus.mark_closing("p2");
  CHECK_FALSE(bus.deliver("r", "p2", text, out));
  CHECK(bus.broadcast("r", text, out) == 2);  // a closing peer still hears its room
  bus.detach("p2");
  CHECK_FALSE(bus.attached("p2"));
  CHECK(bus.broadcast("r", text, out) == 1);
  CHECK(bus.peer_count() == 2);
  CHECK(bus.local_conn("p3") == 13);
}
