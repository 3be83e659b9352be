// Resume state: what a receiver keeps (the page: IndexedDB) to continue a file after a dropped
// channel or a reloaded tab. The one owner of its text form: the Receiver produces it, the host
// stores the text as is and gives it back; only this codec reads or changes it.
//
// Text form, version 1 (JSON, tests/data/resume_states.json):
//   {"v": 1, "file": {"name", "size", "mtime_ms", "first_block"}, "block_size": <u32>,
//    "verified": [[first, last), ...], "checks": [[block, "<64 hex digits>"], ...]}
// `checks` holds the BLAKE3 chaining value of every verified block, in block order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cieloweb/blake3.hpp"
#include "cieloweb/control.hpp"
#include "cieloweb/limits.hpp"
#include "cieloweb/range_set.hpp"
#include "cieloweb/result.hpp"

namespace cieloweb::resume {

inline constexpr int version = 1;
// At most max_tracked_blocks checks of about 75 bytes each, plus the identity.
inline constexpr std::size_t max_state_bytes = std::size_t{max_tracked_blocks} * 80 + 8192;

struct State {
  control::FileIdentity file;
  std::uint32_t block_size = 0;
  RangeSet verified;
  std::vector<std::pair<std::uint32_t, blake3::Digest>> checks;  // of every verified block
  bool operator==(const State&) const = default;
};

std::string encode(const State& state);

// Validates every field: the identity as an offer's, a block size an offer may have, ranges and
// checks inside the file's block count, each check of a verified block, at most
// max_tracked_blocks of them, the text within max_state_bytes.
Result<State> decode(std::string_view text);

// Only the verified blocks inside `kept` (what the host has really committed to disk), with their
// checks: what a reloaded tab may skip.
State limit_to(const State& state, const RangeSet& kept);

// A key naming the file's identity (name, size, modification time, first block), for the host's
// store: equal identities give equal keys.
std::string identity_key(const control::FileIdentity& file);

}  // namespace cieloweb::resume
