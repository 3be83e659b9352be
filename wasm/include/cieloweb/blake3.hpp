// BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs), our own implementation: a portable path and
// a WASM SIMD128 path, chosen at compile time. Hash mode only (no keyed hash / derive_key).
//
// Transfers hash a file as aligned blocks (1 MiB = 1024 chunks). An aligned block's chaining value
// (CV) can be computed on its own, checked on arrival, and the CVs of all blocks merge into the
// same root hash `b3sum` prints for the whole file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace cieloweb::blake3 {

inline constexpr std::size_t out_bytes = 32;
inline constexpr std::size_t chunk_bytes = 1024;

// A 32-byte hash or chaining value.
using Digest = std::array<std::uint8_t, out_bytes>;

// Incremental hasher over a byte stream. update() may be called any number of times with any sizes;
// finalize() does not change the state (more updates may follow).
class Hasher {
 public:
  Hasher() noexcept;
  void update(std::span<const std::uint8_t> bytes) noexcept;
  Digest finalize() const noexcept;
  void reset() noexcept;
  std::uint64_t bytes_hashed() const noexcept;

 private:
  // Implementation state (see blake3.cpp). Fixed size, no heap.
  std::array<std::uint32_t, 8> key_{};
  std::array<std::uint32_t, 8> chunk_cv_{};
  std::uint64_t chunk_counter_ = 0;
  std::array<std::uint8_t, 64> block_buf_{};
  std::uint8_t block_len_ = 0;
  std::uint8_t blocks_compressed_ = 0;
  std::uint8_t cv_stack_len_ = 0;
  // One CV per complete subtree (at most 54 for 2^64 bytes) plus one not yet merged (see update).
  std::array<std::uint8_t, 55 * 32> cv_stack_{};
  std::uint64_t total_bytes_ = 0;
};

// One-shot hash of a whole input (what `b3sum` prints).
Digest hash(std::span<const std::uint8_t> bytes) noexcept;

// Non-root chaining value of the subtree holding `bytes`, whose first byte is chunk number
// `first_chunk` of the whole input. Contract: 0 < bytes.size(); the subtree is aligned, i.e.
// first_chunk is a multiple of the smallest power of two >= ceil(bytes.size() / chunk_bytes).
// For a file split into equal power-of-two blocks, every block (the last may be shorter) qualifies.
Digest subtree_cv(std::span<const std::uint8_t> bytes, std::uint64_t first_chunk) noexcept;

// Root hash of an input made of `cvs.size()` consecutive aligned blocks of equal power-of-two size
// (the last may be shorter), given each block's subtree_cv(). Contract: cvs.size() >= 2 (an input
// of one block has no parent node: its root is hash() of the block).
Digest root_from_block_cvs(std::span<const Digest> cvs) noexcept;

// "simd128" when built with WASM SIMD128, else "portable".
const char* implementation_name() noexcept;

std::string to_hex(const Digest& digest);

}  // namespace cieloweb::blake3
