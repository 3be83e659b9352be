// BLAKE3 hash mode, written from the spec (https://github.com/BLAKE3-team/BLAKE3-specs): the
// portable compression function, the tree logic, and the compile-time choice of the many-input
// path.
#include "cieloweb/blake3.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "blake3_internal.hpp"

namespace cieloweb::blake3 {
namespace {

using detail::block_bytes;
using detail::flag_chunk_end;
using detail::flag_chunk_start;
using detail::flag_parent;
using detail::flag_root;
using detail::load_le32;
using detail::store_le32;

using Words8 = std::array<std::uint32_t, 8>;

// Chunk CVs hashed per batch inside one subtree. Bounds the stack (8 KiB of CVs) so deep subtrees
// stay safe on the small WASM stack; larger subtrees recurse over batches of this size.
constexpr std::size_t batch_chunks = 256;

// The quarter-round G (spec, section 2.2).
[[gnu::always_inline]] inline void g(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                     std::uint32_t& d, std::uint32_t mx,
                                     std::uint32_t my) noexcept {
  a = a + b + mx;
  d = std::rotr(d ^ a, 16);
  c = c + d;
  b = std::rotr(b ^ c, 12);
  a = a + b + my;
  d = std::rotr(d ^ a, 8);
  c = c + d;
  b = std::rotr(b ^ c, 7);
}

// The compression function, truncated to the 8 words we use: the new CV, or the first 32 bytes of
// the root output (hash mode never needs more output than that). The state lives in 16 named
// locals and the rounds are unrolled so every message index is a constant: with an array state,
// g++ kept more of it on the stack and ran about 10% slower.
void compress_in_place(Words8& cv, const std::uint8_t* block, std::uint32_t block_len,
                       std::uint64_t counter, std::uint32_t flags) noexcept {
  std::uint32_t m[16];
  for (std::size_t i = 0; i < 16; ++i) m[i] = load_le32(block + 4 * i);
  std::uint32_t v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3];
  std::uint32_t v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
  std::uint32_t v8 = detail::iv[0], v9 = detail::iv[1], v10 = detail::iv[2], v11 = detail::iv[3];
  std::uint32_t v12 = static_cast<std::uint32_t>(counter);
  std::uint32_t v13 = static_cast<std::uint32_t>(counter >> 32);
  std::uint32_t v14 = block_len;
  std::uint32_t v15 = flags;
#pragma GCC unroll 7
  for (std::size_t r = 0; r < detail::rounds; ++r) {
    const auto& s = detail::msg_schedule[r];
    g(v0, v4, v8, v12, m[s[0]], m[s[1]]);
    g(v1, v5, v9, v13, m[s[2]], m[s[3]]);
    g(v2, v6, v10, v14, m[s[4]], m[s[5]]);
    g(v3, v7, v11, v15, m[s[6]], m[s[7]]);
    g(v0, v5, v10, v15, m[s[8]], m[s[9]]);
    g(v1, v6, v11, v12, m[s[10]], m[s[11]]);
    g(v2, v7, v8, v13, m[s[12]], m[s[13]]);
    g(v3, v4, v9, v14, m[s[14]], m[s[15]]);
  }
  cv = {v0 ^ v8, v1 ^ v9, v2 ^ v10, v3 ^ v11, v4 ^ v12, v5 ^ v13, v6 ^ v14, v7 ^ v15};
}

void store_cv(std::uint8_t* out, const Words8& cv) noexcept {
  for (std::size_t i = 0; i < 8; ++i) store_le32(out + 4 * i, cv[i]);
}

Digest to_digest(const Words8& cv) noexcept {
  Digest d;
  store_cv(d.data(), cv);
  return d;
}

// Parent node over a 64-byte block (left CV || right CV). Hash mode: the key is the IV.
Words8 parent_words(const std::uint8_t* block64, std::uint32_t extra_flags) noexcept {
  Words8 cv = detail::iv;
  compress_in_place(cv, block64, block_bytes, 0, flag_parent | extra_flags);
  return cv;
}

Words8 parent_words(const std::uint8_t* left, const std::uint8_t* right,
                    std::uint32_t extra_flags) noexcept {
  std::uint8_t block[block_bytes];
  std::memcpy(block, left, out_bytes);
  std::memcpy(block + out_bytes, right, out_bytes);
  return parent_words(block, extra_flags);
}

void hash_many(const detail::ManyJob& job) noexcept {
#if defined(__wasm_simd128__)
  detail::hash_many_simd128(job);
#else
  detail::hash_many_portable(job);
#endif
}

// Non-root CV of one chunk of 1..chunk_bytes bytes, serially (the partial last chunk of a subtree).
Words8 chunk_words(const std::uint8_t* bytes, std::size_t len, std::uint64_t chunk_index) noexcept {
  Words8 cv = detail::iv;
  std::uint32_t start = flag_chunk_start;
  // Every block but the last is full; the last (possibly empty, zero-padded) carries CHUNK_END.
  while (len > block_bytes) {
    compress_in_place(cv, bytes, block_bytes, chunk_index, start);
    bytes += block_bytes;
    len -= block_bytes;
    start = 0;
  }
  std::uint8_t last[block_bytes] = {};
  if (len > 0) std::memcpy(last, bytes, len);
  compress_in_place(cv, last, static_cast<std::uint32_t>(len), chunk_index, start | flag_chunk_end);
  return cv;
}

std::size_t chunk_count(std::size_t len) noexcept {
  return (len + chunk_bytes - 1) / chunk_bytes;
}

// CVs of up to batch_chunks consecutive chunks, merged level by level into one non-root CV written
// to `out`. Pairing neighbours level by level and carrying an odd last node up is exactly the
// left-balanced tree of an aligned subtree, and lets each level run 4 parents at a time.
void batch_cv(const std::uint8_t* bytes, std::size_t len, std::uint64_t first_chunk,
              std::uint8_t* out) noexcept {
  alignas(16) std::uint8_t cvs[batch_chunks * out_bytes];
  const std::size_t full = len / chunk_bytes;
  const std::size_t tail = len % chunk_bytes;
  std::size_t n = full;
  if (full > 0) {
    hash_many({bytes, full, detail::blocks_per_chunk, first_chunk, true, 0, flag_chunk_start,
               flag_chunk_end, cvs});
  }
  if (tail > 0) {
    store_cv(cvs + out_bytes * n, chunk_words(bytes + full * chunk_bytes, tail, first_chunk + n));
    ++n;
  }
  while (n > 1) {
    const std::size_t pairs = n / 2;
    // In place: parent i reads CVs 2i and 2i+1 and writes slot i (see ManyJob's aliasing rule).
    hash_many({cvs, pairs, 1, 0, false, flag_parent, 0, 0, cvs});
    if (n % 2 == 1) std::memcpy(cvs + out_bytes * pairs, cvs + out_bytes * (n - 1), out_bytes);
    n = pairs + n % 2;
  }
  std::memcpy(out, cvs, out_bytes);
}

// Non-root CV of an aligned subtree of len > 0 bytes starting at chunk first_chunk.
void subtree_cv_bytes(const std::uint8_t* bytes, std::size_t len, std::uint64_t first_chunk,
                      std::uint8_t* out) noexcept {
  const std::size_t chunks = chunk_count(len);
  if (chunks <= batch_chunks) {
    batch_cv(bytes, len, first_chunk, out);
    return;
  }
  // Left subtree: the largest power of two number of chunks that leaves at least one for the right.
  const std::size_t left_chunks = std::bit_floor(chunks - 1);
  const std::size_t left_len = left_chunks * chunk_bytes;
  std::uint8_t children[2 * out_bytes];
  subtree_cv_bytes(bytes, left_len, first_chunk, children);
  subtree_cv_bytes(bytes + left_len, len - left_len, first_chunk + left_chunks,
                   children + out_bytes);
  store_cv(out, parent_words(children, 0));
}

}  // namespace

namespace detail {

void hash_many_portable(const ManyJob& job) noexcept {
  for (std::size_t i = 0; i < job.inputs; ++i) {
    const std::uint8_t* in = job.input + i * job.blocks * block_bytes;
    const std::uint64_t counter = job.counter + (job.increment_counter ? i : 0);
    Words8 cv = iv;
    for (std::size_t b = 0; b < job.blocks; ++b) {
      std::uint32_t flags = job.flags;
      if (b == 0) flags |= job.flags_start;
      if (b + 1 == job.blocks) flags |= job.flags_end;
      compress_in_place(cv, in + b * block_bytes, block_bytes, counter, flags);
    }
    store_cv(job.out + i * out_bytes, cv);
  }
}

}  // namespace detail

// ---- Hasher ----

namespace {

// Merges the newest pairs of a CV stack (entries of out_bytes, contiguous) until it holds one CV
// per set bit of `chunks_before`: one per complete power-of-two subtree left of chunk number
// `chunks_before`.
void merge_stack(std::uint8_t* stack, std::size_t& stack_len,
                 std::uint64_t chunks_before) noexcept {
  const auto wanted = static_cast<std::size_t>(std::popcount(chunks_before));
  while (stack_len > wanted) {
    std::uint8_t* pair = stack + out_bytes * (stack_len - 2);  // left and right CV are adjacent
    store_cv(pair, parent_words(pair, 0));
    --stack_len;
  }
}

// Pushes the CV of a subtree that starts at chunk `first_chunk`. Merging lazily, as the BLAKE3
// reference does (before a push, never after), keeps the newest entry unmerged: when the input ends
// right after it, finalize() can still give the node above it the ROOT flag.
void push_cv(std::uint8_t* stack, std::size_t& stack_len, const std::uint8_t* cv,
             std::uint64_t first_chunk) noexcept {
  merge_stack(stack, stack_len, first_chunk);
  std::memcpy(stack + out_bytes * stack_len, cv, out_bytes);
  ++stack_len;
}

// Root hash of a tree whose rightmost node has CV `right` and whose complete left subtrees are on
// the stack (stack_len >= 1): fold from the newest subtree to the oldest, the last merge the root.
Digest fold_to_root(const std::uint8_t* stack, std::size_t stack_len,
                    const std::uint8_t* right_cv) noexcept {
  std::uint8_t right[out_bytes];
  std::memcpy(right, right_cv, out_bytes);
  for (std::size_t i = stack_len; i-- > 1;) {
    store_cv(right, parent_words(stack + out_bytes * i, right, 0));
  }
  return to_digest(parent_words(stack, right, flag_root));
}

// Output of a partly or wholly filled chunk whose last block (block_len bytes) is still buffered.
Words8 chunk_state_output(Words8 cv, const std::uint8_t* block_buf, std::size_t block_len,
                          std::size_t blocks_compressed, std::uint64_t chunk_index,
                          std::uint32_t extra_flags) noexcept {
  std::uint8_t last[block_bytes] = {};
  std::memcpy(last, block_buf, block_len);
  const std::uint32_t start = blocks_compressed == 0 ? flag_chunk_start : 0;
  compress_in_place(cv, last, static_cast<std::uint32_t>(block_len), chunk_index,
                    start | flag_chunk_end | extra_flags);
  return cv;
}

}  // namespace

Hasher::Hasher() noexcept {
  reset();
}

void Hasher::reset() noexcept {
  key_ = detail::iv;
  chunk_cv_ = key_;
  chunk_counter_ = 0;
  block_buf_.fill(0);
  block_len_ = 0;
  blocks_compressed_ = 0;
  cv_stack_len_ = 0;
  total_bytes_ = 0;
}

std::uint64_t Hasher::bytes_hashed() const noexcept {
  return total_bytes_;
}

void Hasher::update(std::span<const std::uint8_t> bytes) noexcept {
  total_bytes_ += bytes.size();
  const std::uint8_t* in = bytes.data();
  std::size_t len = bytes.size();
  std::size_t stack_len = cv_stack_len_;
  while (len > 0) {
    // A full chunk is finalized only once more input arrives: it might be the last, root chunk.
    if (blocks_compressed_ * block_bytes + block_len_ == chunk_bytes) {
      std::uint8_t cv[out_bytes];
      store_cv(cv, chunk_state_output(chunk_cv_, block_buf_.data(), block_len_, blocks_compressed_,
                                      chunk_counter_, 0));
      push_cv(cv_stack_.data(), stack_len, cv, chunk_counter_);
      ++chunk_counter_;
      chunk_cv_ = key_;
      block_len_ = 0;
      blocks_compressed_ = 0;
    }

    if (blocks_compressed_ == 0 && block_len_ == 0 && len > chunk_bytes) {
      // Fast path at a chunk boundary, as in the BLAKE3 reference: the largest aligned
      // power-of-two subtree of whole chunks at hand. Its two children's CVs go on the stack, not
      // its own: if the input ends here it is the root, which finalize() computes with the ROOT
      // flag. So whole chunks are never held back, and nothing is hashed serially.
      std::uint64_t chunks = std::bit_floor(len / chunk_bytes);
      while ((chunk_counter_ & (chunks - 1)) != 0) chunks >>= 1;
      const auto sub_len = static_cast<std::size_t>(chunks) * chunk_bytes;
      if (chunks == 1) {
        // One chunk and more input after it (len > chunk_bytes): it cannot be the root.
        std::uint8_t cv[out_bytes];
        store_cv(cv, chunk_words(in, chunk_bytes, chunk_counter_));
        push_cv(cv_stack_.data(), stack_len, cv, chunk_counter_);
      } else {
        std::uint8_t children[2 * out_bytes];
        subtree_cv_bytes(in, sub_len / 2, chunk_counter_, children);
        subtree_cv_bytes(in + sub_len / 2, sub_len / 2, chunk_counter_ + chunks / 2,
                         children + out_bytes);
        push_cv(cv_stack_.data(), stack_len, children, chunk_counter_);
        push_cv(cv_stack_.data(), stack_len, children + out_bytes, chunk_counter_ + chunks / 2);
      }
      chunk_counter_ += chunks;
      in += sub_len;
      len -= sub_len;
      continue;
    }

    // Slow path, within one chunk. The last block stays buffered (it may carry CHUNK_END).
    if (block_len_ == block_bytes) {
      const std::uint32_t start = blocks_compressed_ == 0 ? flag_chunk_start : 0;
      compress_in_place(chunk_cv_, block_buf_.data(), block_bytes, chunk_counter_, start);
      ++blocks_compressed_;
      block_len_ = 0;
    }
    // Whole blocks straight from the input, without copying, while more of this chunk follows.
    while (block_len_ == 0 && len > block_bytes &&
           (blocks_compressed_ + 1u) * block_bytes < chunk_bytes) {
      const std::uint32_t start = blocks_compressed_ == 0 ? flag_chunk_start : 0;
      compress_in_place(chunk_cv_, in, block_bytes, chunk_counter_, start);
      ++blocks_compressed_;
      in += block_bytes;
      len -= block_bytes;
    }
    const std::size_t take = std::min(len, block_bytes - block_len_);
    std::memcpy(block_buf_.data() + block_len_, in, take);
    block_len_ = static_cast<std::uint8_t>(take + block_len_);
    in += take;
    len -= take;
  }
  // With a chunk under way, everything on the stack is a complete subtree to its left: merge now,
  // so that finalize() folds the chunk into the stack directly.
  if (blocks_compressed_ > 0 || block_len_ > 0) {
    merge_stack(cv_stack_.data(), stack_len, chunk_counter_);
  }
  cv_stack_len_ = static_cast<std::uint8_t>(stack_len);
}

Digest Hasher::finalize() const noexcept {
  if (cv_stack_len_ > 0 && blocks_compressed_ == 0 && block_len_ == 0) {
    // The input ended on a chunk boundary: the newest stack entry is the rightmost node (the
    // right child of the last subtree) and the rest fold onto it.
    return fold_to_root(cv_stack_.data(), cv_stack_len_ - 1,
                        cv_stack_.data() + out_bytes * (cv_stack_len_ - 1));
  }
  const Words8 out =
      chunk_state_output(chunk_cv_, block_buf_.data(), block_len_, blocks_compressed_,
                         chunk_counter_, cv_stack_len_ == 0 ? flag_root : 0);
  if (cv_stack_len_ == 0) return to_digest(out);
  // The current chunk is the rightmost leaf.
  std::uint8_t right[out_bytes];
  store_cv(right, out);
  return fold_to_root(cv_stack_.data(), cv_stack_len_, right);
}

// ---- One-shot and block API ----

Digest hash(std::span<const std::uint8_t> bytes) noexcept {
  Hasher h;
  h.update(bytes);
  return h.finalize();
}

Digest subtree_cv(std::span<const std::uint8_t> bytes, std::uint64_t first_chunk) noexcept {
  Digest d{};
  if (bytes.empty()) return d;  // contract violation: no subtree is empty
  subtree_cv_bytes(bytes.data(), bytes.size(), first_chunk, d.data());
  return d;
}

Digest root_from_block_cvs(std::span<const Digest> cvs) noexcept {
  // Contract violation (fewer than 2 blocks): all zeros, which no verification will accept.
  if (cvs.size() < 2) return Digest{};
  // Same stack discipline as Hasher, one level up: blocks are equal aligned power-of-two subtrees,
  // so the left-balanced tree over chunks is the left-balanced tree over blocks. 64 entries cover
  // any block count a size_t can hold.
  std::uint8_t stack[64 * out_bytes];
  std::size_t stack_len = 0;
  for (std::size_t i = 0; i + 1 < cvs.size(); ++i) push_cv(stack, stack_len, cvs[i].data(), i);
  merge_stack(stack, stack_len, cvs.size() - 1);
  return fold_to_root(stack, stack_len, cvs.back().data());
}

const char* implementation_name() noexcept {
#if defined(__wasm_simd128__)
  return "simd128";
#else
  return "portable";
#endif
}

std::string to_hex(const Digest& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(2 * digest.size(), '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    s[2 * i] = digits[digest[i] >> 4];
    s[2 * i + 1] = digits[digest[i] & 0x0F];
  }
  return s;
}

}  // namespace cieloweb::blake3
