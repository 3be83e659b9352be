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

TEST_CASE("flow gate: new watermarks apply at once, and a full channel waits for the new low") {
  FlowGate gate(8000, 4000);
  CHECK(gate.may_send(3000));
  gate.set_watermarks(1000, 250);  // a call started: the buffer may hold far less
  CHECK_FALSE(gate.may_send(3000));
  CHECK_FALSE(gate.may_send(500));  // above the new low: still waiting
  CHECK(gate.may_send(250));
  gate.set_watermarks(8000, 4000);  // the call ended: full size again
  CHECK(gate.may_send(7000));
  gate.set_watermarks(1000, 1000);  // a low at or above high is repaired, as at construction
  CHECK(gate.low() == 500);
}
