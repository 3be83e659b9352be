// zstd block codec: adaptive compression decisions, round trips, and the decompression cap that
// stops zip bombs (declared sizes, omitted sizes, corrupt and empty input).
#include <doctest/doctest.h>

#include <zstd.h>
#include "test_data.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cieloweb/codec.hpp"
#include "cieloweb/result.hpp"

namespace codec = cieloweb::codec;
using cieloweb::ErrorCode;

namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t mib = 1024 * kib;

std::vector<std::uint8_t> text_bytes(std::size_t n) {
  static const std::string words[] = {"the ",  "quick ", "brown ", "fox ",   "jumps ", "over ",
                                      "lazy ", "dog ",   "while ", "files ", "move ",  "peer "};
  std::vector<std::uint8_t> v;
  v.reserve(n);
  std::uint32_t x = 7;
  while (v.size() < n) {
    x = x * 1103515245u + 12345u;
    for (char c : words[(x >> 16) % 12]) {
      if (v.size() < n) v.push_back(static_cast<std::uint8_t>(c));
    }
  }
  return v;
}

// Deterministic pseudo-random bytes (splitmix64): incompressible.
using cieloweb::test::random_bytes;

// A zstd frame whose header does not carry the content size (as a streaming sender would write).
std::vector<std::uint8_t> compress_without_size(std::span<const std::uint8_t> raw) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  REQUIRE(cctx != nullptr);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
  std::vector<std::uint8_t> out(ZSTD_compressBound(raw.size()));
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  std::size_t remaining = 0;
  do {
    remaining = ZSTD_compressStream2(cctx, &dst, &in, ZSTD_e_end);
    REQUIRE_FALSE(ZSTD_isError(remaining));
  } while (remaining != 0);
  ZSTD_freeCCtx(cctx);
  out.resize(dst.pos);
  return out;
}

}  // namespace

TEST_CASE("codec round trip of text compresses well") {
  const auto raw = text_bytes(mib);
  codec::Compressor c;
  std::vector<std::uint8_t> encoded;
  REQUIRE(c.encode(raw, encoded));
  CHECK(static_cast<double>(encoded.size()) < 0.5 * static_cast<double>(raw.size()));
  CHECK(c.blocks_compressed() == 1);
  CHECK(c.blocks_raw() == 0);

  codec::Decompressor d;
  std::vector<std::uint8_t> decoded;
  const auto s = d.decode(encoded, raw.size(), decoded);
  REQUIRE(s.ok());
  CHECK(decoded == raw);
  // The cap is inclusive: exactly the raw size is enough, one byte less is refused.
  const auto tight = d.decode(encoded, raw.size() - 1, decoded);
  REQUIRE_FALSE(tight.ok());
  CHECK(tight.error().code == ErrorCode::decompress_too_large);
}

TEST_CASE("codec sends random data raw and stops probing after a streak") {
  codec::Policy policy;
  codec::Compressor c(policy);
  std::vector<std::uint8_t> out;
  for (std::uint32_t i = 0; i < policy.skip_after_incompressible; ++i) {
    const auto raw = random_bytes(256 * kib, i);
    CHECK_FALSE(c.encode(raw, out));
    CHECK(out == raw);  // raw means the bytes themselves
  }
  CHECK(c.blocks_raw() == policy.skip_after_incompressible);
  CHECK(c.blocks_compressed() == 0);

  // After the streak, zstd is skipped entirely: even a highly compressible block goes raw until the
  // next re-probe (every reprobe_interval-th block).
  const auto text = text_bytes(256 * kib);
  for (std::uint32_t i = 1; i < policy.reprobe_interval; ++i) {
    CAPTURE(i);
    CHECK_FALSE(c.encode(text, out));
    CHECK(out == text);
  }
  CHECK(c.blocks_raw() == policy.skip_after_incompressible + policy.reprobe_interval - 1);
  CHECK(c.blocks_compressed() == 0);
  // The re-probe sees compressible data: compression resumes and the streak is over.
  CHECK(c.encode(text, out));
  CHECK(c.encode(text, out));
  CHECK(c.blocks_compressed() == 2);
}

TEST_CASE("codec leaves tiny blocks raw and compresses small compressible ones") {
  codec::Compressor c;
  std::vector<std::uint8_t> out;
  const std::vector<std::uint8_t> tiny(63, 'a');
  CHECK_FALSE(c.encode(tiny, out));
  CHECK(out == tiny);
  const std::vector<std::uint8_t> empty;
  CHECK_FALSE(c.encode(empty, out));
  CHECK(out.empty());
  const std::vector<std::uint8_t> zeros(4 * kib, 0);
  CHECK(c.encode(zeros, out));
  codec::Decompressor d;
  std::vector<std::uint8_t> back;
  REQUIRE(d.decode(out, zeros.size(), back).ok());
  CHECK(back == zeros);
}

TEST_CASE("codec zip bomb with declared size is refused before decoding") {
  const std::vector<std::uint8_t> zeros(64 * mib, 0);
  const auto bomb = codec::compress(zeros, 1);
  REQUIRE_FALSE(bomb.empty());
  CHECK(bomb.size() < 64 * kib);
  REQUIRE(ZSTD_getFrameContentSize(bomb.data(), bomb.size()) == zeros.size());
  codec::Decompressor d;
  std::vector<std::uint8_t> out;
  const auto s = d.decode(bomb, mib, out);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::decompress_too_large);
  CHECK(out.size() <= mib);
  CHECK(out.capacity() <= mib);  // never grew past the cap
}

TEST_CASE("codec zip bomb without a declared size is stopped at the cap") {
  const std::vector<std::uint8_t> zeros(64 * mib, 0);
  const auto bomb = compress_without_size(zeros);
  REQUIRE(ZSTD_getFrameContentSize(bomb.data(), bomb.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
  codec::Decompressor d;
  std::vector<std::uint8_t> out;
  const auto s = d.decode(bomb, mib, out);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::decompress_too_large);
  CHECK(out.size() <= mib);
  CHECK(out.capacity() <= mib);

  // The same kind of frame within the cap decodes normally.
  const auto text = text_bytes(200 * kib);
  const auto small = compress_without_size(text);
  REQUIRE(d.decode(small, mib, out).ok());
  CHECK(out == text);
}

TEST_CASE("codec corrupt and empty input fail cleanly") {
  const auto text = text_bytes(64 * kib);
  const auto good = codec::compress(text, 1);
  REQUIRE(good.size() > 16);
  codec::Decompressor d;
  std::vector<std::uint8_t> out;

  SUBCASE("not a zstd frame") {
    const auto s = d.decode(text, mib, out);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::decompress_failed);
  }
  SUBCASE("corrupted body") {
    auto bad = good;
    for (std::size_t i = 8; i < bad.size(); i += 3) bad[i] ^= 0x5a;
    const auto s = d.decode(bad, mib, out);
    REQUIRE_FALSE(s.ok());
    CHECK((s.error().code == ErrorCode::decompress_failed ||
           s.error().code == ErrorCode::decompress_too_large));
  }
  SUBCASE("truncated frame") {
    const auto s = d.decode(std::span<const std::uint8_t>(good.data(), good.size() / 2), mib, out);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::decompress_failed);
    CHECK(out.empty());
  }
  SUBCASE("empty input") {
    const auto s = d.decode({}, mib, out);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::decompress_failed);
  }
  SUBCASE("the decompressor is reusable after an error") {
    CHECK_FALSE(d.decode(std::span<const std::uint8_t>(good.data(), 5), mib, out).ok());
    REQUIRE(d.decode(good, mib, out).ok());
    CHECK(out == text);
  }
}

TEST_CASE("codec compress_bound covers the worst case") {
  const auto noise = random_bytes(100 * kib, 99);
  const auto packed = codec::compress(noise, 1);
  REQUIRE_FALSE(packed.empty());
  CHECK(packed.size() <= codec::compress_bound(noise.size()));
  CHECK(codec::compress_bound(1u << 24) > (1u << 24));
}

TEST_CASE("codec: a compressed block holds its compressed bytes and no more") {
  // The Sender caches each encoded block as try_compress leaves it: a 1 MiB block of text sized to
  // zstd's worst-case bound kept ~1 MiB of memory for ~100 KiB of content.
  codec::Compressor c;
  const auto text = text_bytes(1024 * kib);
  std::vector<std::uint8_t> out;
  REQUIRE(c.try_compress(text, out));
  CHECK(out.size() < text.size() / 4);
  CHECK(out.capacity() == out.size());
  codec::Decompressor d;
  std::vector<std::uint8_t> back;
  REQUIRE(d.decode(out, text.size(), back).ok());
  CHECK(back == text);
}
