#include <doctest/doctest.h>

#include "cieloweb/flow.hpp"

using namespace cieloweb;

TEST_CASE("flow gate: sends below high, then waits for the channel to drain to low") {
  FlowGate gate(1000, 200);
  CHECK(gate.may_send(0));
  CHECK(gate.may_send(999));
  CHECK_FALSE(gate.may_send(1000));  // reached high: blocked
  CHECK_FALSE(gate.may_send(500));   // still above low: stays blocked (hysteresis)
  CHECK(gate.may_send(200));         // drained to low: open again
  CHECK(gate.may_send(900));
}

TEST_CASE("flow gate: a low watermark at or above high is repaired to half of high") {
  FlowGate gate(1000, 5000);
  CHECK(gate.low() == 500);
}

TEST_CASE("progress meter: smoothed rate and ETA from samples") {
  ProgressMeter meter(1000.0);
  CHECK_FALSE(meter.bytes_per_second());
  CHECK_FALSE(meter.eta_seconds(100));
  meter.sample(0, 0);
  CHECK_FALSE(meter.bytes_per_second());  // one sample is no rate
  for (int i = 1; i <= 50; ++i) meter.sample(i * 100.0, static_cast<std::uint64_t>(i) * 1'000'000);
  REQUIRE(meter.bytes_per_second());
  CHECK(*meter.bytes_per_second() == doctest::Approx(10'000'000.0).epsilon(0.01));
  REQUIRE(meter.eta_seconds(100'000'000));
  CHECK(*meter.eta_seconds(100'000'000) == doctest::Approx(5.0).epsilon(0.01));
  meter.sample(4000.0, 50'000'001);  // time going backwards is ignored
  CHECK(*meter.bytes_per_second() == doctest::Approx(10'000'000.0).epsilon(0.01));
  meter.sample(6000.0, 10);  // fewer bytes than before: a restart, measured anew
  CHECK_FALSE(meter.bytes_per_second());
}
