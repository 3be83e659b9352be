// Data frames: the golden frames of tests/data/frames.json (good and known-bad), encode/decode
// round trips, and peek_transfer_id.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "cieloweb/frame.hpp"
#include "cieloweb/result.hpp"

namespace frame = cieloweb::frame;
using cieloweb::ErrorCode;

namespace {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

nlohmann::json load_cases() {
  std::ifstream in(std::string(CIELO_TEST_DATA_DIR) + "/frames.json");
  REQUIRE(in.good());
  const auto doc = nlohmann::json::parse(in);
  REQUIRE(doc.at("cases").size() > 20);
  return doc.at("cases");
}

frame::Header sample_header() {
  frame::Header h;
  h.flags = frame::flag_compressed;
  h.transfer_id = 0x01020304;
  h.block_index = 77;
  h.fragment_offset = 100;
  h.encoded_length = 1000;
  h.raw_length = 4096;
  for (std::size_t i = 0; i < h.block_check.size(); ++i) {
    h.block_check[i] = static_cast<std::uint8_t>(0xA0 + i);
  }
  return h;
}

}  // namespace

TEST_CASE("frame golden cases decode to exactly the expected result") {
  std::size_t good = 0, bad = 0;
  for (const auto& c : load_cases()) {
    const std::string name = c.at("name");
    CAPTURE(name);
    const std::vector<std::uint8_t> bytes = from_hex(c.at("hex"));
    const auto result = frame::decode(bytes);
    const std::string expect = c.at("expect");
    if (expect != "ok") {
      ++bad;
      REQUIRE_FALSE(result.ok());
      CHECK(std::string(cieloweb::error_name(result.error().code)) == expect);
      CHECK_FALSE(result.error().detail.empty());
      continue;
    }
    ++good;
    REQUIRE(result.ok());
    const frame::View& v = result.value();
    CHECK(v.header.type == frame::Type::block_fragment);
    CHECK(v.header.transfer_id == c.at("transfer_id").get<std::uint32_t>());
    CHECK(v.header.block_index == c.at("block_index").get<std::uint32_t>());
    CHECK(v.header.fragment_offset == c.at("fragment_offset").get<std::uint32_t>());
    CHECK(v.header.encoded_length == c.at("encoded_length").get<std::uint32_t>());
    CHECK(v.header.raw_length == c.at("raw_length").get<std::uint32_t>());
    CHECK(v.header.compressed() == c.at("compressed").get<bool>());
    CHECK(v.header.payload_length == v.payload.size());
    CHECK(to_hex(v.header.block_check) == c.at("block_check_hex").get<std::string>());
    CHECK(to_hex(v.payload) == c.at("payload_hex").get<std::string>());
    // The payload is a view into the caller's buffer, right after the header.
    CHECK(v.payload.data() == bytes.data() + frame::header_bytes);
    // Re-encoding the decoded header reproduces the golden bytes.
    std::vector<std::uint8_t> again;
    frame::encode(v.header, v.payload, again);
    CHECK(again == bytes);
  }
  CHECK(good >= 3);
  CHECK(bad >= 15);
}

TEST_CASE("frame encode then decode round trips every field") {
  const frame::Header h = sample_header();
  std::vector<std::uint8_t> payload(300);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
  std::vector<std::uint8_t> bytes{1, 2, 3};  // encode replaces what was there
  frame::encode(h, payload, bytes);
  REQUIRE(bytes.size() == frame::header_bytes + payload.size());
  CHECK(bytes[0] == 1);
  CHECK(bytes[1] == frame::version);

  const auto r = frame::decode(bytes);
  REQUIRE(r.ok());
  const frame::Header& d = r.value().header;
  CHECK(d.flags == h.flags);
  CHECK(d.transfer_id == h.transfer_id);
  CHECK(d.block_index == h.block_index);
  CHECK(d.fragment_offset == h.fragment_offset);
  CHECK(d.encoded_length == h.encoded_length);
  CHECK(d.raw_length == h.raw_length);
  CHECK(d.payload_length == payload.size());
  CHECK(d.block_check == h.block_check);
  CHECK(std::vector<std::uint8_t>(r.value().payload.begin(), r.value().payload.end()) == payload);
}

TEST_CASE("frame decode honours caller-supplied limits") {
  frame::Header h = sample_header();
  h.flags = 0;
  h.fragment_offset = 0;
  h.raw_length = h.encoded_length = 1u << 15;
  const std::vector<std::uint8_t> payload(64, 0x11);
  std::vector<std::uint8_t> bytes;
  frame::encode(h, payload, bytes);
  frame::DecodeLimits limits;
  limits.max_raw_block_bytes = 1u << 14;  // the offer's block size
  const auto r = frame::decode(bytes, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::too_large);
  limits.max_raw_block_bytes = 1u << 15;
  CHECK(frame::decode(bytes, limits).ok());
}

TEST_CASE("frame decode refuses every truncation of a valid frame") {
  std::vector<std::uint8_t> bytes;
  frame::encode(sample_header(), std::vector<std::uint8_t>(50, 9), bytes);
  REQUIRE(frame::decode(bytes).ok());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    const auto r = frame::decode(std::span<const std::uint8_t>(bytes.data(), n));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code ==
          (n < frame::header_bytes ? ErrorCode::truncated : ErrorCode::length_mismatch));
  }
}

TEST_CASE("frame decode_header judges a header and a length alone like decode judges the frame") {
  std::vector<std::uint8_t> bytes;
  frame::encode(sample_header(), std::vector<std::uint8_t>(50, 9), bytes);
  const auto header = std::span<const std::uint8_t>(bytes).first(frame::header_bytes);
  const auto whole = frame::decode(bytes);
  const auto alone = frame::decode_header(header, bytes.size());
  REQUIRE(whole.ok());
  REQUIRE(alone.ok());
  CHECK(alone.value().payload_length == whole.value().header.payload_length);
  CHECK(alone.value().block_check == whole.value().header.block_check);
  // The length is what the payload_length field is checked against.
  const auto longer = frame::decode_header(header, bytes.size() + 1);
  REQUIRE_FALSE(longer.ok());
  CHECK(longer.error().code == ErrorCode::length_mismatch);
  // Fewer than header_bytes at hand is truncated, whatever the length claims.
  const auto cut = frame::decode_header(header.first(frame::header_bytes - 1), bytes.size());
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == ErrorCode::truncated);
}

TEST_CASE("frame encode_header writes the same header as encode") {
  frame::Header h = sample_header();
  h.payload_length = 300;
  std::vector<std::uint8_t> payload(h.payload_length, 3);
  std::vector<std::uint8_t> whole;
  frame::encode(h, payload, whole);
  std::vector<std::uint8_t> alone(frame::header_bytes);
  frame::encode_header(h, alone.data());
  CHECK(std::equal(alone.begin(), alone.end(), whole.begin()));
}

TEST_CASE("frame peek_transfer_id reads the id without decoding") {
  std::vector<std::uint8_t> bytes;
  frame::encode(sample_header(), std::vector<std::uint8_t>(10, 1), bytes);
  const auto id = frame::peek_transfer_id(bytes);
  REQUIRE(id.ok());
  CHECK(id.value() == 0x01020304u);
  // Eight bytes are enough, even when the rest of the frame is missing or bad.
  const auto short_id = frame::peek_transfer_id(std::span<const std::uint8_t>(bytes.data(), 8));
  REQUIRE(short_id.ok());
  CHECK(short_id.value() == 0x01020304u);
  const auto too_short = frame::peek_transfer_id(std::span<const std::uint8_t>(bytes.data(), 7));
  REQUIRE_FALSE(too_short.ok());
  CHECK(too_short.error().code == ErrorCode::truncated);
  CHECK_FALSE(frame::peek_transfer_id({}).ok());
  // Every golden frame long enough to carry an id peeks the little-endian u32 at offset 4.
  for (const auto& c : load_cases()) {
    const std::vector<std::uint8_t> golden = from_hex(c.at("hex"));
    const auto peeked = frame::peek_transfer_id(golden);
    CHECK(peeked.ok() == (golden.size() >= 8));
    if (c.at("expect") == "ok") CHECK(peeked.value() == c.at("transfer_id").get<std::uint32_t>());
  }
}
