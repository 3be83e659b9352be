// Per-address connection counts and per-minute buckets.
#include "address_limits.hpp"

#include <doctest/doctest.h>

using namespace cieloweb::server;

TEST_CASE(
    "connection tally: a cap per address, released connections make room, others unaffected") {
  ConnectionTally tally;
  CHECK(tally.try_add("192.0.2.1", 2));
  CHECK(tally.try_add("192.0.2.1", 2));
  CHECK_FALSE(tally.try_add("192.0.2.1", 2));
  CHECK(tally.try_add("192.0.2.2", 2));
  CHECK(tally.count("192.0.2.1") == 2);
  tally.remove("192.0.2.1");
  CHECK(tally.try_add("192.0.2.1", 2));
  tally.remove("192.0.2.1");
  tally.remove("192.0.2.1");
  tally.remove("192.0.2.2");
  CHECK(tally.addresses() == 0);  // nothing kept for addresses with no connection
  tally.remove("192.0.2.9");      // an unknown key is harmless
  CHECK_FALSE(tally.try_add("192.0.2.3", 0));
  CHECK(tally.addresses() == 0);
}

TEST_CASE("address buckets: a burst, a refill per minute, forgotten when full") {
  AddressBuckets buckets(6, 3);  // 3 at once, one more every 10 s
  std::int64_t now = 0;
  CHECK(buckets.take("a", now));
  CHECK(buckets.take("a", now));
  CHECK(buckets.take("a", now));
  CHECK_FALSE(buckets.take("a", now));
  CHECK(buckets.take("b", now));
  now += 9'999;
  CHECK_FALSE(buckets.take("a", now));
  now += 1;
  CHECK(buckets.take("a", now));
  buckets.forget_full(now);
  CHECK(buckets.size() == 1);  // "b" spent one token 10 s ago: full again, forgotten
  now += 30'000;
  buckets.forget_full(now);
  CHECK(buckets.size() == 0);
}
