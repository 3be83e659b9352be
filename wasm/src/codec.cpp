#include "cieloweb/codec.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <string>

namespace cieloweb::codec {
namespace {

ZSTD_CCtx* as_cctx(void* p) {
  return static_cast<ZSTD_CCtx*>(p);
}
ZSTD_DCtx* as_dctx(void* p) {
  return static_cast<ZSTD_DCtx*>(p);
}

}  // namespace

std::size_t compress_bound(std::size_t raw_bytes) noexcept {
  return ZSTD_compressBound(raw_bytes);
}

Compressor::Compressor(Policy policy) : policy_(policy), cctx_(ZSTD_createCCtx()) {
  ZSTD_CCtx_setParameter(as_cctx(cctx_), ZSTD_c_compressionLevel, policy_.level);
  // Checksums are redundant: every block is verified with BLAKE3 after decompression.
  ZSTD_CCtx_setParameter(as_cctx(cctx_), ZSTD_c_checksumFlag, 0);
}

Compressor::~Compressor() {
  ZSTD_freeCCtx(as_cctx(cctx_));
}

bool Compressor::worth_compressing(std::span<const std::uint8_t> raw) {
  if (raw.size() < 64) return false;  // header overhead eats any gain
  if (incompressible_streak_ >= policy_.skip_after_incompressible &&
      ++blocks_since_probe_ < policy_.reprobe_interval) {
    return false;
  }
  blocks_since_probe_ = 0;
  if (raw.size() <= policy_.probe_bytes * 2) return true;  // small: just try the real thing
  // Probe a sample from the middle: headers at the start of media files often compress well while
  // the payload does not.
  const std::size_t start = (raw.size() - policy_.probe_bytes) / 2;
  probe_out_.resize(ZSTD_compressBound(policy_.probe_bytes));
  const std::size_t n = ZSTD_compressCCtx(as_cctx(cctx_), probe_out_.data(), probe_out_.size(),
                                          raw.data() + start, policy_.probe_bytes, policy_.level);
  if (ZSTD_isError(n)) return false;
  return static_cast<double>(n) <= policy_.max_ratio * static_cast<double>(policy_.probe_bytes);
}

bool Compressor::encode(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out) {
  if (try_compress(raw, out)) return true;
  out.assign(raw.begin(), raw.end());
  return false;
}

bool Compressor::try_compress(std::span<const std::uint8_t> raw, std::vector<std::uint8_t>& out) {
  if (worth_compressing(raw)) {
    // zstd needs room for the worst case (the bound, a little over the input), but text shrinks
    // about 10x: compressed into a scratch buffer and copied out exactly, a 1 MiB block of text
    // costs a ~100 KiB copy, where sized in place it cost a 1 MiB zero fill and kept 1 MiB of
    // capacity for ~100 KiB of content (the Sender's cache held ten times what it counted).
    compressed_.resize(ZSTD_compressBound(raw.size()));
    const std::size_t n = ZSTD_compress2(as_cctx(cctx_), compressed_.data(), compressed_.size(),
                                         raw.data(), raw.size());
    if (!ZSTD_isError(n) &&
        static_cast<double>(n) <= policy_.max_ratio * static_cast<double>(raw.size())) {
      out.assign(compressed_.begin(), compressed_.begin() + static_cast<std::ptrdiff_t>(n));
      incompressible_streak_ = 0;
      ++blocks_compressed_;
      return true;
    }
  }
  ++incompressible_streak_;
  ++blocks_raw_;
  return false;
}

bool Compressor::compress_at(std::span<const std::uint8_t> raw, int level,
                             std::vector<std::uint8_t>& out) {
  out.resize(ZSTD_compressBound(raw.size()));
  const std::size_t n =
      ZSTD_compressCCtx(as_cctx(cctx_), out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) {
    out.clear();
    return false;
  }
  out.resize(n);
  return true;
}

Decompressor::Decompressor() : dctx_(ZSTD_createDCtx()) {}
Decompressor::~Decompressor() {
  ZSTD_freeDCtx(as_dctx(dctx_));
}

namespace {

// Refuses a frame that is not zstd or declares more than the cap, before any output is allocated.
Status check_declared_size(std::span<const std::uint8_t> compressed, std::size_t max_output_bytes) {
  const unsigned long long declared =
      ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    return make_error(ErrorCode::decompress_failed, "zstd: not a zstd frame");
  }
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_output_bytes) {
    return make_error(ErrorCode::decompress_too_large,
                      "zstd: frame declares " + std::to_string(declared) + " bytes, cap is " +
                          std::to_string(max_output_bytes));
  }
  return Ok{};
}

}  // namespace

Result<std::size_t> Decompressor::decode_into(std::span<const std::uint8_t> compressed,
                                              std::span<std::uint8_t> out) {
  if (const Status s = check_declared_size(compressed, out.size()); !s) return s.error();
  // The output buffer is the cap: zstd stops with dstSize_tooSmall instead of writing past it, so a
  // frame that lies about (or omits) its size still cannot expand beyond the cap.
  const std::size_t n = ZSTD_decompressDCtx(as_dctx(dctx_), out.data(), out.size(),
                                            compressed.data(), compressed.size());
  if (ZSTD_isError(n)) {
    if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
      return make_error(ErrorCode::decompress_too_large, "zstd: output exceeds the cap");
    }
    return make_error(ErrorCode::decompress_failed, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  return n;
}

Status Decompressor::decode(std::span<const std::uint8_t> compressed, std::size_t max_output_bytes,
                            std::vector<std::uint8_t>& out) {
  if (const Status s = check_declared_size(compressed, max_output_bytes); !s) return s;
  out.resize(max_output_bytes);
  auto n = decode_into(compressed, out);
  if (!n) {
    out.clear();
    return n.error();
  }
  out.resize(n.value());
  return Ok{};
}

std::vector<std::uint8_t> compress(std::span<const std::uint8_t> raw, int level) {
  std::vector<std::uint8_t> out(ZSTD_compressBound(raw.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

}  // namespace cieloweb::codec
