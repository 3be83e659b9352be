#include "liveness_schedule.hpp"

#include <doctest/doctest.h>

#include <vector>

using cieloweb::server::LivenessSchedule;

namespace {

std::vector<LivenessSchedule::Entry> take_due(LivenessSchedule& schedule, std::int64_t now_ms) {
  std::vector<LivenessSchedule::Entry> due;
  while (const auto entry = schedule.pop_due(now_ms)) due.push_back(*entry);
  return due;
}

}  // namespace

TEST_CASE("the liveness schedule hands out only what is due, earliest first") {
  LivenessSchedule schedule;
  schedule.add(1, 300);
  schedule.add(2, 100);
  schedule.add(3, 200);
  schedule.add(4, 1000);
  CHECK(take_due(schedule, 99).empty());
  const auto due = take_due(schedule, 250);
  REQUIRE(due.size() == 2);
  CHECK(due[0].conn == 2);
  CHECK(due[0].at_ms == 100);
  CHECK(due[1].conn == 3);
  CHECK(schedule.size() == 2);  // the rest waits: a sweep costs what is due, not what is held
  CHECK(take_due(schedule, 300).size() == 1);
  CHECK(take_due(schedule, 999).empty());
  CHECK(take_due(schedule, 1000).size() == 1);
  CHECK(schedule.size() == 0);
}

TEST_CASE("a sweep over 10,000 held connections touches only the due ones") {
  LivenessSchedule schedule;
  for (std::uint64_t id = 1; id <= 10000; ++id)
    schedule.add(id, 15000 + static_cast<std::int64_t>(id % 7500));
  // One 20 ms sweep window in the middle of the spread: about 10,000 * 20 / 7,500 entries.
  take_due(schedule, 15000 + 3000);
  const auto due = take_due(schedule, 15000 + 3020);
  CHECK(due.size() >= 20);
  CHECK(due.size() <= 40);
  for (const auto& entry : due) CHECK(entry.at_ms <= 15000 + 3020);
}
