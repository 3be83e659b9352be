// Deterministic test data shared by the native tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cieloweb::test {

// Pseudo-random bytes (splitmix64): the same `seed` always gives the same bytes.
inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint8_t> v(n);
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < n;) {
    x += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    for (int k = 0; k < 8 && i < n; ++k, ++i) v[i] = static_cast<std::uint8_t>(z >> (8 * k));
  }
  return v;
}

// The "cases" of a golden file of tests/data (shared with the Node tests), e.g.
// "resume_states.json".
inline nlohmann::json golden_cases(const std::string& file) {
  std::ifstream in(std::string(CIELO_TEST_DATA_DIR) + "/" + file);
  if (!in.good()) return nlohmann::json::array();
  return nlohmann::json::parse(in).at("cases");
}

}  // namespace cieloweb::test
