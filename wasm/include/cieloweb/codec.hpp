// Block compression with zstd (Debian's libzstd natively, the same 1.5.4 source compiled for WASM).
// Adaptive: a block is compressed only when that pays; incompressible data (media, archives) is
// recognised by a cheap probe of a small sample and sent raw. Decompression is capped (no zip
// bombs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cieloweb/byte_buffer.hpp"
#include "cieloweb/result.hpp"

namespace cieloweb::codec {

struct Policy {
  int level = 1;  // zstd level 1: ~5x on text at 100+ MB/s in WASM; the channel is far slower
  // Compressed output must be at most this fraction of the input, else the block goes raw.
  double max_ratio = 0.9;
  std::size_t probe_bytes = 16 * 1024;  // sample compressed first to detect incompressible data
  // After this many incompressible blocks in a row, probe only every `reprobe_interval`-th block
  // (and send the others raw without touching zstd at all).
  std::uint32_t skip_after_incompressible = 4;
  std::uint32_t reprobe_interval = 16;
};

// Sticky zstd contexts plus the adaptive decision state for one stream of blocks.
class Compressor {
 public:
  explicit Compressor(Policy policy = {});
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Encodes `raw` into `out` (replaced). Returns true if `out` holds a zstd frame, false if `out`
  // holds the raw bytes (the policy judged compression not worth it).
  bool encode(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out);
  // Like encode(), but when compression does not pay it returns false and leaves `out` unspecified,
  // so a caller that owns `raw` can send it as is without a copy. A compressed `out` that was empty
  // holds exactly the compressed bytes: no spare capacity (a cache of compressed blocks holds what
  // it counts) and no zero fill of the worst-case bound first.
  bool try_compress(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out);

  // Always compresses at `level` with the sticky context, ignoring the policy (for callers that
  // know the data compresses, and for benchmarks). `out` is replaced; returns false only on a zstd
  // error.
  bool compress_at(std::span<const std::uint8_t> raw, int level, std::vector<std::uint8_t>& out);

  std::uint64_t blocks_compressed() const noexcept { return blocks_compressed_; }
  std::uint64_t blocks_raw() const noexcept { return blocks_raw_; }

 private:
  bool worth_compressing(std::span<const std::uint8_t> raw);

  Policy policy_;
  void* cctx_ = nullptr;  // ZSTD_CCtx*, kept opaque so zstd.h stays out of the public header
  ByteBuffer probe_out_;
  ByteBuffer compressed_;  // sized once for zstd's bound; what compresses is copied out exactly
  std::uint32_t incompressible_streak_ = 0;
  std::uint32_t blocks_since_probe_ = 0;
  std::uint64_t blocks_compressed_ = 0;
  std::uint64_t blocks_raw_ = 0;
};

class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Decompresses one zstd frame into `out` (resized to the result). Refuses with
  // decompress_too_large if the output would exceed `max_output_bytes` (checked against the frame's
  // declared size first, then enforced while decoding), decompress_failed on any corrupt input.
  Status decode(std::span<const std::uint8_t> compressed, std::size_t max_output_bytes,
                std::vector<std::uint8_t>& out);
  // The same into caller-owned memory: out.size() is the cap. Returns the decompressed length.
  Result<std::size_t> decode_into(std::span<const std::uint8_t> compressed,
                                  std::span<std::uint8_t> out);

 private:
  void* dctx_ = nullptr;  // ZSTD_DCtx*
};

// Worst-case compressed size of `raw_bytes` (zstd's bound): receivers size their limits with it.
std::size_t compress_bound(std::size_t raw_bytes) noexcept;

// One-shot helpers (tests, benchmarks).
std::vector<std::uint8_t> compress(std::span<const std::uint8_t> raw, int level);

}  // namespace cieloweb::codec
