// Simulated peers and blocks shared by the transfer and fan-out tests.
#pragma once

#include <cstdint>
#include <utility>

#include "cieloweb/sender.hpp"
#include "sim_network.hpp"

namespace cieloweb::sim_peers {

inline constexpr std::uint32_t block = 64 * 1024;  // small blocks keep the simulation quick

inline SenderConfig small_blocks() {
  SenderConfig c;
  c.block_size = block;
  return c;
}

inline sim::PeerSetup peer(sim::Sink& sink, sim::Faults faults = {}, sim::LinkConfig link = {}) {
  sim::PeerSetup p;
  p.sink = &sink;
  p.faults = std::move(faults);
  p.link = link;
  return p;
}

}  // namespace cieloweb::sim_peers
