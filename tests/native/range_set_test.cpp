// RangeSet: the block sets of resume state and `have` ranges. Edge cases of merging, splitting and
// the top of the u32 index space.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "cieloweb/range_set.hpp"

using cieloweb::RangeSet;
using Ranges = std::vector<RangeSet::Range>;

namespace {
constexpr std::uint32_t u32_max = UINT32_MAX;
}

TEST_CASE("range_set insert merges adjacent and overlapping ranges") {
  RangeSet s;
  CHECK(s.empty());
  CHECK(s.count() == 0);
  s.insert(5);
  s.insert(7);
  CHECK(s.ranges() == Ranges{{5, 6}, {7, 8}});
  s.insert(6);  // fills the gap: the two touching ranges become one
  CHECK(s.ranges() == Ranges{{5, 8}});
  s.insert(4);  // adjacent below
  s.insert(8);  // adjacent above
  CHECK(s.ranges() == Ranges{{4, 9}});
  s.insert(6);  // already present: no change
  CHECK(s.ranges() == Ranges{{4, 9}});
  CHECK(s.count() == 5);

  s.insert_range(20, 30);
  s.insert_range(0, 2);
  CHECK(s.ranges() == Ranges{{0, 2}, {4, 9}, {20, 30}});
  s.insert_range(1, 25);  // swallows one range and merges with two
  CHECK(s.ranges() == Ranges{{0, 30}});
  s.insert_range(30, 31);  // touching at the end
  CHECK(s.ranges() == Ranges{{0, 31}});
  s.insert_range(10, 10);  // empty and reversed ranges are ignored
  s.insert_range(12, 3);
  CHECK(s.ranges() == Ranges{{0, 31}});
}

TEST_CASE("range_set erase splits a range and handles its ends") {
  RangeSet s;
  s.insert_range(10, 20);
  s.erase(15);  // middle: split in two
  CHECK(s.ranges() == Ranges{{10, 15}, {16, 20}});
  s.erase(10);  // first element
  s.erase(19);  // last element
  CHECK(s.ranges() == Ranges{{11, 15}, {16, 19}});
  s.erase(15);  // not present
  s.erase(3);
  s.erase(100);
  CHECK(s.ranges() == Ranges{{11, 15}, {16, 19}});
  CHECK(s.count() == 7);
  s.insert(42);
  s.erase(42);  // a one-element range disappears
  CHECK(s.ranges() == Ranges{{11, 15}, {16, 19}});
  CHECK_FALSE(s.contains(42));
}

TEST_CASE("range_set contains") {
  RangeSet s;
  s.insert_range(0, 3);
  s.insert(5);
  CHECK(s.contains(0));
  CHECK(s.contains(2));
  CHECK_FALSE(s.contains(3));
  CHECK(s.contains(5));
  CHECK_FALSE(s.contains(6));
}

TEST_CASE("range_set end_of_run skips a whole run of members") {
  RangeSet s;
  CHECK(s.end_of_run(0) == 0);
  s.insert_range(2, 6);
  s.insert(9);
  CHECK(s.end_of_run(0) == 0);  // not a member: the index itself
  CHECK(s.end_of_run(1) == 1);
  CHECK(s.end_of_run(2) == 6);
  CHECK(s.end_of_run(5) == 6);
  CHECK(s.end_of_run(6) == 6);
  CHECK(s.end_of_run(9) == 10);
  CHECK(s.end_of_run(100) == 100);
}

TEST_CASE("range_set boundaries near UINT32_MAX") {
  RangeSet s;
  s.insert(u32_max - 1);  // the largest index a half-open u32 range can hold
  CHECK(s.ranges() == Ranges{{u32_max - 1, u32_max}});
  CHECK(s.contains(u32_max - 1));
  CHECK_FALSE(s.contains(u32_max));
  CHECK(s.count() == 1);
  s.insert(u32_max - 2);
  CHECK(s.ranges() == Ranges{{u32_max - 2, u32_max}});
  s.erase(u32_max - 1);
  CHECK(s.ranges() == Ranges{{u32_max - 2, u32_max - 1}});
  s.erase(u32_max - 2);
  CHECK(s.empty());

  // UINT32_MAX itself cannot be represented ([UINT32_MAX, UINT32_MAX + 1) wraps): inserting it is a
  // no-op rather than corrupting the set.
  s.insert(u32_max);
  CHECK(s.empty());

  // The whole index space except the top.
  s.insert_range(0, u32_max);
  CHECK(s.count() == u32_max);
  CHECK(s.contains(u32_max - 1));
  s.erase(0);
  s.erase(u32_max - 1);
  CHECK(s.ranges() == Ranges{{1, u32_max - 1}});
  s.insert(0);
  CHECK(s.count() == u32_max - 1);
}

TEST_CASE("range_set agrees with std::set on a pseudo-random workload") {
  RangeSet s;
  std::set<std::uint32_t> model;
  std::uint32_t x = 12345;
  for (int step = 0; step < 20000; ++step) {
    x = x * 1664525u + 1013904223u;
    const std::uint32_t index = (x >> 8) % 200;
    if ((x >> 24) % 3 != 2) {
      s.insert(index);
      model.insert(index);
    } else {
      s.erase(index);
      model.erase(index);
    }
    REQUIRE(s.count() == model.size());
  }
  for (std::uint32_t i = 0; i < 200; ++i) CHECK(s.contains(i) == (model.count(i) == 1));
  // Stored ranges stay sorted, non-empty, disjoint and non-adjacent.
  for (std::size_t i = 0; i < s.ranges().size(); ++i) {
    CHECK(s.ranges()[i].first < s.ranges()[i].second);
    if (i > 0) CHECK(s.ranges()[i - 1].second < s.ranges()[i].first);
  }
}
