// Native BLAKE3 throughput: 256 MiB through Hasher in 1 MiB updates (the transfer's block size),
// reusing one deterministic pseudo-random 1 MiB buffer. Prints one JSON line for bench/run.mjs.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "cieloweb/blake3.hpp"

int main() {
  constexpr std::size_t block_bytes = 1024 * 1024;
  constexpr std::size_t blocks = 256;

  std::vector<std::uint8_t> block(block_bytes);
  std::uint64_t x = 0x243F6A8885A308D3ull;  // xorshift64: cheap, deterministic, incompressible
  for (auto& b : block) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::uint8_t>(x >> 32);
  }

  cieloweb::blake3::Hasher hasher;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < blocks; ++i) hasher.update(block);
  const auto digest = hasher.finalize();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

  const double mb = static_cast<double>(block_bytes * blocks) / 1e6;
  // The digest goes to stderr so the work cannot be optimized away and stdout stays one JSON line.
  std::fprintf(stderr, "%s\n", cieloweb::blake3::to_hex(digest).c_str());
  std::printf("{\"blake3_native_MBps\": %.1f}\n", mb / elapsed.count());
  return 0;
}
