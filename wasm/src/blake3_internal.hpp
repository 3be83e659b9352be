// Internals shared by the BLAKE3 portable path (blake3.cpp) and the WASM SIMD128 path
// (blake3_simd128.cpp). Not part of the public API.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cieloweb::blake3::detail {

inline constexpr std::size_t block_bytes = 64;
inline constexpr std::size_t blocks_per_chunk = 16;  // chunk_bytes / block_bytes

// Domain-separation flags (BLAKE3 spec, section 2.1). Hash mode only: no KEYED_HASH / DERIVE_KEY.
inline constexpr std::uint32_t flag_chunk_start = 1u << 0;
inline constexpr std::uint32_t flag_chunk_end = 1u << 1;
inline constexpr std::uint32_t flag_parent = 1u << 2;
inline constexpr std::uint32_t flag_root = 1u << 3;

// The SHA-256 IV, which BLAKE3 reuses as its IV and (in hash mode) as its key.
inline constexpr std::array<std::uint32_t, 8> iv = {0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u,
                                                    0xA54FF53Au, 0x510E527Fu, 0x9B05688Cu,
                                                    0x1F83D9ABu, 0x5BE0CD19u};

// Message word permutation applied between rounds (spec, section 2.2).
inline constexpr std::array<std::size_t, 16> msg_permutation = {2, 6,  3,  10, 7, 0,  4,  13,
                                                                1, 11, 12, 5,  9, 14, 15, 8};

inline constexpr std::size_t rounds = 7;

// Which original message word each round reads at each position. Precomputing the permutation lets
// both paths index the message with compile-time constants instead of shuffling 16 words per round.
inline constexpr std::array<std::array<std::size_t, 16>, rounds> msg_schedule = [] {
  std::array<std::array<std::size_t, 16>, rounds> s{};
  for (std::size_t i = 0; i < 16; ++i) s[0][i] = i;
  for (std::size_t r = 1; r < rounds; ++r) {
    for (std::size_t i = 0; i < 16; ++i) s[r][i] = s[r - 1][msg_permutation[i]];
  }
  return s;
}();

// Little-endian loads and stores through memcpy: BLAKE3 is defined on little-endian words, inputs
// are unaligned byte buffers, and memcpy compiles to a single load on every target we build for.
inline std::uint32_t load_le32(const std::uint8_t* p) noexcept {
  std::uint32_t w;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap32(w);
  return w;
}

inline void store_le32(std::uint8_t* p, std::uint32_t w) noexcept {
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap32(w);
  std::memcpy(p, &w, sizeof w);
}

// Compresses `inputs` independent inputs, each `blocks` whole 64-byte blocks long and stored back
// to back (input i starts at input + i * blocks * 64), writing input i's 32-byte chaining value
// little-endian at out + 32 * i. Every input starts from the IV. Input i uses counter
// `counter + i` if increment_counter (chunks) else `counter` (parents). Each block gets `flags`,
// plus flags_start on its first block and flags_end on its last.
// `out` may alias `input` only as the in-place parent merge does: output i never overlaps input j >
// i, and a 4-way group reads all its inputs before writing any output.
struct ManyJob {
  const std::uint8_t* input;
  std::size_t inputs;
  std::size_t blocks;
  std::uint64_t counter;
  bool increment_counter;
  std::uint32_t flags;
  std::uint32_t flags_start;
  std::uint32_t flags_end;
  std::uint8_t* out;
};

void hash_many_portable(const ManyJob& job) noexcept;

#if defined(__wasm_simd128__)
// Same contract as hash_many_portable; groups of 4 inputs run one per SIMD lane, the rest go
// portable.
void hash_many_simd128(const ManyJob& job) noexcept;
#endif

}  // namespace cieloweb::blake3::detail
