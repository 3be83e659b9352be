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

// Rotations by whole bytes are one pshufb in V8 when written as a swizzle by a constant: V8 then
// keeps the constant in a register. (As i8x16.shuffle, V8 rebuilds the mask from immediates at
// every use, or splits rotr16 into pshuflw + pshufhw.) The other rotations need two shifts and an
// or.
[[gnu::always_inline]] inline V rotr16(V x) noexcept {
  return wasm_i8x16_swizzle(x,
                            wasm_i8x16_const(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
}
[[gnu::always_inline]] inline V rotr8(V x) noexcept {
  return wasm_i8x16_swizzle(x,
                            wasm_i8x16_const(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
}
[[gnu::always_inline]] inline V rotr12(V x) noexcept {
  return wasm_v128_or(wasm_u32x4_shr(x, 12), wasm_i32x4_shl(x, 20));
}
[[gnu::always_inline]] inline V rotr7(V x) noexcept {
  return wasm_v128_or(wasm_u32x4_shr(x, 7), wasm_i32x4_shl(x, 25));
}

// Half of G (spec, section 2.2) on two columns (or diagonals) at once: a += m + b, d = (d ^ a) >>>
// R1, c += d, b = (b ^ c) >>> R2. Two independent chains side by side give the CPU work to overlap
// while keeping few values live (four at once ran slower: more spills). `m + a` first: the message
// is ready early, so the chain waits for b with one add, not two.
template <V (*RotD)(V), V (*RotB)(V)>
[[gnu::always_inline]] inline void half_g2(V* v, const std::size_t (&p)[4],
                                           const std::size_t (&q)[4], V mp, V mq) noexcept {
  v[p[0]] = add(add(v[p[0]], mp), v[p[1]]);
  v[q[0]] = add(add(v[q[0]], mq), v[q[1]]);
  v[p[3]] = RotD(xor_(v[p[3]], v[p[0]]));
  v[q[3]] = RotD(xor_(v[q[3]], v[q[0]]));
  v[p[2]] = add(v[p[2]], v[p[3]]);
  v[q[2]] = add(v[q[2]], v[q[3]]);
  v[p[1]] = RotB(xor_(v[p[1]], v[p[2]]));
  v[q[1]] = RotB(xor_(v[q[1]], v[q[2]]));
}

// G on the columns and diagonals (a, b, c, d) of the 4x4 state, in the order BLAKE3 applies them.
inline constexpr std::size_t quarter[8][4] = {{0, 4, 8, 12},  {1, 5, 9, 13},  {2, 6, 10, 14},
                                              {3, 7, 11, 15}, {0, 5, 10, 15}, {1, 6, 11, 12},
                                              {2, 7, 8, 13},  {3, 4, 9, 14}};

// One round: G i takes message words s[2i] and s[2i+1]; G pairs (0,1), (2,3) are columns, (4,5),
// (6,7) diagonals. Within a step the pairs are independent, so this is BLAKE3's order.
[[gnu::always_inline]] inline void one_round(V* v, const V* m,
                                             const std::array<std::size_t, 16>& s) noexcept {
#pragma clang loop unroll(full)
  for (std::size_t i = 0; i < 8; i += 2) {
    half_g2<rotr16, rotr12>(v, quarter[i], quarter[i + 1], m[s[2 * i]], m[s[2 * i + 2]]);
    half_g2<rotr8, rotr7>(v, quarter[i], quarter[i + 1], m[s[2 * i + 1]], m[s[2 * i + 3]]);
  }
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
    // Rounds unrolled, so every message index is a constant: V8 keeps the 16 message vectors in
    // its own spill slots and reloads each with one move where it is used. (Rolled, each word came
    // through the schedule table: a load, a shift and an add more. Unrolled with the rotations and
    // pairing above: about 20% faster in Node 20 / V8 11.3.)
#pragma clang loop unroll(full)
    for (std::size_t r = 0; r < rounds; ++r) one_round(v, m, msg_schedule[r]);
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
