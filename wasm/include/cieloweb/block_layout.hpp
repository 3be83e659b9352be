// How a file splits into blocks, and each block's BLAKE3 check value.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cieloweb/blake3.hpp"

namespace cieloweb {

struct BlockLayout {
  std::uint64_t file_size = 0;
  std::uint32_t block_size = 0;  // a power of two, a multiple of blake3::chunk_bytes

  std::uint32_t block_count() const noexcept {
    return static_cast<std::uint32_t>((file_size + block_size - 1) / block_size);
  }
  std::uint64_t offset_of(std::uint32_t block) const noexcept {
    return std::uint64_t{block} * block_size;
  }
  std::uint32_t length_of(std::uint32_t block) const noexcept {
    const std::uint64_t rest = file_size - offset_of(block);
    return static_cast<std::uint32_t>(rest < block_size ? rest : block_size);
  }

  // The value a block is verified against: its subtree chaining value, or for a file of exactly one
  // block, the file's root hash (a lone block has no parent node to carry it).
  blake3::Digest check_of(std::uint32_t block, std::span<const std::uint8_t> bytes) const noexcept {
    if (block_count() == 1) return blake3::hash(bytes);
    return blake3::subtree_cv(bytes, offset_of(block) / blake3::chunk_bytes);
  }

  // The whole file's BLAKE3 from every block's check value (what `b3sum` prints).
  blake3::Digest root_of(std::span<const blake3::Digest> checks) const noexcept {
    if (checks.empty()) return blake3::hash({});
    if (checks.size() == 1) return checks[0];
    return blake3::root_from_block_cvs(checks);
  }
};

}  // namespace cieloweb
