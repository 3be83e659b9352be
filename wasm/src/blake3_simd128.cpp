// BLAKE3 many-input compression on WASM SIMD128: four independent inputs (chunks or parent nodes)
// at once, lane j of every vector holding input j's word. Compiled only with -msimd128; the native
// build sees an empty file and uses the portable path.
#if defined(__wasm_simd128__)

#include <wasm_simd128.h>

#include "blake3_internal.hpp"

namespace cieloweb::blake3::detail {
namespace {

using V = v128_t;

[[gnu::always_inline]] inline V add(V a, V b) noexcept {
  return wasm_i32x4_add(a, b);
}
[[gnu::always_inline]] inline V xor_(V a, V b) noexcept {
  return wasm_v128_xor(a, b);
}

// Rotations by whole bytes are a single byte shuffle (pshufb in V8); the others need two shifts.
[[gnu::always_inline]] inline V rotr16(V x) noexcept {
  return wasm_i8x16_shuffle(x, x, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
}
[[gnu::always_inline]] inline V rotr8(V x) noexcept {
  return wasm_i8x16_shuffle(x, x, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
}
[[gnu::always_inline]] inline V rotr12(V x) noexcept {
  return wasm_v128_or(wasm_u32x4_shr(x, 12), wasm_i32x4_shl(x, 20));
}
[[gnu::always_inline]] inline V rotr7(V x) noexcept {
  return wasm_v128_or(wasm_u32x4_shr(x, 7), wasm_i32x4_shl(x, 25));
}

[[gnu::always_inline]] inline void g(V* v, std::size_t a, std::size_t b, std::size_t c,
                                     std::size_t d, V mx, V my) noexcept {
  v[a] = add(add(v[a], v[b]), mx);
  v[d] = rotr16(xor_(v[d], v[a]));
  v[c] = add(v[c], v[d]);
  v[b] = rotr12(xor_(v[b], v[c]));
  v[a] = add(add(v[a], v[b]), my);
  v[d] = rotr8(xor_(v[d], v[a]));
  v[c] = add(v[c], v[d]);
  v[b] = rotr7(xor_(v[b], v[c]));
}

// 4x4 transpose of 32-bit words: row i of the input becomes lane i of every output.
[[gnu::always_inline]] inline void transpose4(V& r0, V& r1, V& r2, V& r3) noexcept {
  const V t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
  const V t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  const V t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  const V t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  r0 = wasm_i64x2_shuffle(t0, t2, 0, 2);
  r1 = wasm_i64x2_shuffle(t0, t2, 1, 3);
  r2 = wasm_i64x2_shuffle(t1, t3, 0, 2);
  r3 = wasm_i64x2_shuffle(t1, t3, 1, 3);
}

// Message words of block `offset` of four inputs `stride` bytes apart, word w of input j in lane j
// of m[w]. WASM is little-endian, so a plain vector load gives BLAKE3's words.
[[gnu::always_inline]] inline void load_transposed(const std::uint8_t* in, std::size_t stride,
                                                   V* m) noexcept {
  for (std::size_t q = 0; q < 4; ++q) {
    V r0 = wasm_v128_load(in + 16 * q);
    V r1 = wasm_v128_load(in + stride + 16 * q);
    V r2 = wasm_v128_load(in + 2 * stride + 16 * q);
    V r3 = wasm_v128_load(in + 3 * stride + 16 * q);
    transpose4(r0, r1, r2, r3);
    m[4 * q] = r0;
    m[4 * q + 1] = r1;
    m[4 * q + 2] = r2;
    m[4 * q + 3] = r3;
  }
}

// Four inputs starting at `in`, `stride` bytes apart; CV j stored at out + 32 * j.
void hash4(const std::uint8_t* in, std::size_t stride, std::size_t blocks, std::uint64_t counter,
           bool increment_counter, std::uint32_t flags, std::uint32_t flags_start,
           std::uint32_t flags_end, std::uint8_t* out) noexcept {
  const std::uint64_t inc = increment_counter ? 1 : 0;
  const V counter_lo =
      wasm_i32x4_make(static_cast<std::int32_t>(static_cast<std::uint32_t>(counter)),
                      static_cast<std::int32_t>(static_cast<std::uint32_t>(counter + inc)),
                      static_cast<std::int32_t>(static_cast<std::uint32_t>(counter + 2 * inc)),
                      static_cast<std::int32_t>(static_cast<std::uint32_t>(counter + 3 * inc)));
  const V counter_hi = wasm_i32x4_make(
      static_cast<std::int32_t>(static_cast<std::uint32_t>(counter >> 32)),
      static_cast<std::int32_t>(static_cast<std::uint32_t>((counter + inc) >> 32)),
      static_cast<std::int32_t>(static_cast<std::uint32_t>((counter + 2 * inc) >> 32)),
      static_cast<std::int32_t>(static_cast<std::uint32_t>((counter + 3 * inc) >> 32)));
  const V block_len = wasm_i32x4_splat(static_cast<std::int32_t>(block_bytes));

  V h[8];
  for (std::size_t i = 0; i < 8; ++i) h[i] = wasm_i32x4_splat(static_cast<std::int32_t>(iv[i]));

  for (std::size_t b = 0; b < blocks; ++b) {
    std::uint32_t block_flags = flags;
    if (b == 0) block_flags |= flags_start;
    if (b + 1 == blocks) block_flags |= flags_end;

    V m[16];
    load_transposed(in + b * block_bytes, stride, m);
    V v[16] = {h[0],
               h[1],
               h[2],
               h[3],
               h[4],
               h[5],
               h[6],
               h[7],
               wasm_i32x4_splat(static_cast<std::int32_t>(iv[0])),
               wasm_i32x4_splat(static_cast<std::int32_t>(iv[1])),
               wasm_i32x4_splat(static_cast<std::int32_t>(iv[2])),
               wasm_i32x4_splat(static_cast<std::int32_t>(iv[3])),
               counter_lo,
               counter_hi,
               block_len,
               wasm_i32x4_splat(static_cast<std::int32_t>(block_flags))};
    // Rounds deliberately not unrolled: the schedule lookup then keeps the message in linear
    // memory, read as memory operands, leaving V8's 16 vector registers to the state. Unrolled
    // (message in 16 more live locals) ran 30-50% slower in Node 20.
#pragma clang loop unroll(disable)
    for (std::size_t r = 0; r < rounds; ++r) {
      const auto& s = msg_schedule[r];
      g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
      g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
      g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
      g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
      g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
      g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
      g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
      g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (std::size_t i = 0; i < 8; ++i) h[i] = xor_(v[i], v[i + 8]);
  }

  // Back from one-word-per-lane to one CV per input.
  transpose4(h[0], h[1], h[2], h[3]);
  transpose4(h[4], h[5], h[6], h[7]);
  for (std::size_t j = 0; j < 4; ++j) {
    wasm_v128_store(out + 32 * j, h[j]);
    wasm_v128_store(out + 32 * j + 16, h[4 + j]);
  }
}

}  // namespace

void hash_many_simd128(const ManyJob& job) noexcept {
  const std::size_t stride = job.blocks * block_bytes;
  std::size_t i = 0;
  for (; i + 4 <= job.inputs; i += 4) {
    hash4(job.input + i * stride, stride, job.blocks, job.counter + (job.increment_counter ? i : 0),
          job.increment_counter, job.flags, job.flags_start, job.flags_end, job.out + i * 32);
  }
  if (i < job.inputs) {
    ManyJob rest = job;
    rest.input = job.input + i * stride;
    rest.inputs = job.inputs - i;
    rest.counter = job.counter + (job.increment_counter ? i : 0);
    rest.out = job.out + i * 32;
    hash_many_portable(rest);
  }
}

}  // namespace cieloweb::blake3::detail

#endif  // defined(__wasm_simd128__)
