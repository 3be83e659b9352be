// Control messages: the golden texts of tests/data/control_messages.json (good and known-bad),
// encode/decode round trips of every message type, and valid_relative_path.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "cieloweb/control.hpp"
#include "cieloweb/limits.hpp"
#include "cieloweb/result.hpp"
#include "test_data.hpp"

namespace control = cieloweb::control;
using cieloweb::ErrorCode;
using cieloweb::RangeSet;

namespace {

std::string text_of(const nlohmann::json& c) {
  if (c.contains("text")) return c.at("text").get<std::string>();
  const std::string hex = c.at("text_hex");
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoul(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

nlohmann::json ranges_json(const RangeSet& set) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [first, last] : set.ranges()) a.push_back({first, last});
  return a;
}

// The fields a golden "ok" case lists beyond type and transfer.
void check_fields(const control::Message& m, const nlohmann::json& c) {
  if (const auto* o = std::get_if<control::Offer>(&m)) {
    CHECK(o->file.name == c.at("file_name").get<std::string>());
    CHECK(o->file.size == c.at("size").get<std::uint64_t>());
    CHECK(o->block_size == c.at("block_size").get<std::uint32_t>());
  } else if (const auto* a = std::get_if<control::Accept>(&m)) {
    CHECK(a->window == c.at("window").get<std::uint32_t>());
    CHECK(ranges_json(a->have) == c.at("have"));
  } else if (const auto* k = std::get_if<control::Ack>(&m)) {
    if (c.contains("blocks")) CHECK(k->blocks == c.at("blocks").get<std::vector<std::uint32_t>>());
  } else if (const auto* r = std::get_if<control::Resend>(&m)) {
    CHECK(r->block == c.at("block").get<std::uint32_t>());
    CHECK(std::string(cieloweb::error_name(r->reason)) == c.at("reason").get<std::string>());
  } else if (const auto* d = std::get_if<control::Done>(&m)) {
    CHECK(cieloweb::blake3::to_hex(d->root) == c.at("root").get<std::string>());
  } else if (const auto* e = std::get_if<control::ErrorMessage>(&m)) {
    CHECK(static_cast<int>(e->code) == c.at("code").get<int>());
  } else if (const auto* h = std::get_if<control::Hello>(&m)) {
    CHECK(h->reply == c.at("reply").get<bool>());
  } else if (const auto* b = std::get_if<control::Batch>(&m)) {
    CHECK(b->id == c.at("batch").get<std::string>());
    CHECK(b->files.size() == c.at("files").get<std::size_t>());
  }
}

// A batch of `count` files named "f<i>" (transfer ids 1..count), each path `path_bytes` long.
std::string batch_of(std::size_t count, std::size_t path_bytes = 8) {
  control::Batch b{"b-1", {}};
  for (std::size_t i = 0; i < count; ++i) {
    std::string path(1, 'f');
    path += std::to_string(i);
    path.resize(std::max(path.size(), path_bytes), 'p');
    b.files.push_back(control::BatchFile{static_cast<std::uint32_t>(i + 1), path, i});
  }
  return control::encode(b);
}

control::FileIdentity sample_file() {
  control::FileIdentity f;
  f.name = "holiday/2024/IMG_0001 (1).jpg";
  f.size = (1ull << 32) + 17;  // past 4 GiB
  f.mtime_ms = -1234567;
  for (std::size_t i = 0; i < f.first_block.size(); ++i) {
    f.first_block[i] = static_cast<std::uint8_t>(255 - i);
  }
  return f;
}

control::Message round_trip(const control::Message& m) {
  const std::string text = control::encode(m);
  CAPTURE(text);
  auto decoded = control::decode(text);
  REQUIRE(decoded.ok());
  CHECK(decoded.value().index() == m.index());
  CHECK(control::encode(decoded.value()) == text);
  return decoded.value();
}

}  // namespace

TEST_CASE("control golden cases decode to exactly the expected result") {
  const auto cases = cieloweb::test::golden_cases("control_messages.json");
  REQUIRE_FALSE(cases.empty());
  std::size_t good = 0, bad = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name");
    CAPTURE(name);
    const auto result = control::decode(text_of(c));
    const std::string expect = c.at("expect");
    if (expect != "ok") {
      ++bad;
      REQUIRE_FALSE(result.ok());
      CHECK(std::string(cieloweb::error_name(result.error().code)) == expect);
      continue;
    }
    ++good;
    REQUIRE(result.ok());
    CHECK(std::string(control::type_name(result.value())) == c.at("type").get<std::string>());
    CHECK(control::transfer_of(result.value()) == c.at("transfer").get<std::uint32_t>());
    check_fields(result.value(), c);
    // Whatever was accepted re-encodes to a message that decodes to the same thing.
    round_trip(result.value());
  }
  CHECK(good >= 10);  // every message type
  CHECK(bad >= 40);
}

TEST_CASE("control batch limits: 10000 files, and no batch message over 4 MiB") {
  const auto full = control::decode(batch_of(cieloweb::max_files_per_batch));
  REQUIRE(full.ok());
  CHECK(std::get<control::Batch>(full.value()).files.size() == 10000);
  const auto over = control::decode(batch_of(cieloweb::max_files_per_batch + 1));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == ErrorCode::too_large);
  // 1100 paths of 4000 bytes: fewer files than the limit, but more bytes than a batch may have.
  const std::string huge = batch_of(1100, 4000);
  REQUIRE(huge.size() > cieloweb::max_batch_message_bytes);
  const auto too_long = control::decode(huge);
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == ErrorCode::too_large);
  // Only a batch may pass max_control_message_bytes.
  const std::string long_reject = control::encode(control::Reject{1, std::string(70000, 'r')});
  CHECK(control::decode(long_reject).error().code == ErrorCode::too_large);
}

TEST_CASE("control encode then decode round trips every message type") {
  SUBCASE("hello") {
    CHECK(std::get<control::Hello>(round_trip(control::Hello{})).reply == false);
    CHECK(std::get<control::Hello>(round_trip(control::Hello{true})).reply == true);
    CHECK(control::encode(control::Hello{}) == R"({"type":"hello","v":1})");
  }
  SUBCASE("batch") {
    control::Batch m{"b-7", {{3, "Fotos/niño.txt", 1ull << 40}, {9, "a", 0}}};
    const auto d = std::get<control::Batch>(round_trip(m));
    CHECK(d.id == m.id);
    CHECK(d.files == m.files);
    CHECK(control::transfer_of(m) == 0);
  }
  SUBCASE("offer") {
    control::Offer m{4000000000u, sample_file(), 1u << 20, "image/jpeg", true};
    const auto d = std::get<control::Offer>(round_trip(m));
    CHECK(d.transfer == m.transfer);
    CHECK(d.file == m.file);
    CHECK(d.block_size == m.block_size);
    CHECK(d.mime == m.mime);
    CHECK(d.restart == m.restart);
    // Defaults (no mime, no restart) survive too.
    const auto plain =
        std::get<control::Offer>(round_trip(control::Offer{1, sample_file(), 1u << 14, "", false}));
    CHECK(plain.mime.empty());
    CHECK_FALSE(plain.restart);
  }
  SUBCASE("accept") {
    control::Accept m;
    m.transfer = 3;
    m.window = 256;
    m.have.insert_range(0, 10);
    m.have.insert_range(12, 13);
    m.have.insert(UINT32_MAX - 1);
    m.resume = true;
    m.file = sample_file();
    const auto d = std::get<control::Accept>(round_trip(m));
    CHECK(d.transfer == m.transfer);
    CHECK(d.window == m.window);
    CHECK(d.have == m.have);
    CHECK(d.resume);
    CHECK(d.file == m.file);
    control::Accept fresh;
    fresh.transfer = 3;
    fresh.window = 1;
    const auto f = std::get<control::Accept>(round_trip(fresh));
    CHECK(f.have.empty());
    CHECK_FALSE(f.resume);
  }
  SUBCASE("reject") {
    const auto d = std::get<control::Reject>(round_trip(control::Reject{5, "no \"room\"\n"}));
    CHECK(d.transfer == 5);
    CHECK(d.reason == "no \"room\"\n");
  }
  SUBCASE("cancel") {
    const auto d = std::get<control::Cancel>(round_trip(control::Cancel{0, "user clicked ✕"}));
    CHECK(d.transfer == 0);
    CHECK(d.reason == "user clicked ✕");
  }
  SUBCASE("ack") {
    control::Ack m{UINT32_MAX, {}};
    for (std::uint32_t b = 0; b < cieloweb::max_acks_per_message; ++b) m.blocks.push_back(b * 3);
    const auto d = std::get<control::Ack>(round_trip(m));
    CHECK(d.transfer == m.transfer);
    CHECK(d.blocks == m.blocks);
  }
  SUBCASE("resend") {
    for (const ErrorCode reason : {ErrorCode::hash_mismatch, ErrorCode::truncated,
                                   ErrorCode::decompress_too_large, ErrorCode::length_mismatch}) {
      const auto d = std::get<control::Resend>(round_trip(control::Resend{8, 99, reason}));
      CHECK(d.transfer == 8);
      CHECK(d.block == 99);
      CHECK(d.reason == reason);
    }
  }
  SUBCASE("done") {
    control::Done m{11, sample_file().first_block};
    const auto d = std::get<control::Done>(round_trip(m));
    CHECK(d.transfer == 11);
    CHECK(d.root == m.root);
  }
  SUBCASE("error") {
    for (int code = 0; code <= static_cast<int>(ErrorCode::internal); ++code) {
      control::ErrorMessage m{12, static_cast<ErrorCode>(code), "detail", "storage_full"};
      const auto d = std::get<control::ErrorMessage>(round_trip(m));
      CHECK(d.transfer == 12);
      CHECK(d.code == m.code);
      CHECK(d.message == "detail");
      CHECK(d.reason == "storage_full");
    }
  }
}

TEST_CASE("control valid_relative_path") {
  for (const char* ok : {"a", "a.txt", "dir/sub/file.bin", "...", "..a", "a..", ".hidden/.x",
                         "año/niño.txt", "🐈/🐈", "name with spaces", "a b/c~d"}) {
    CAPTURE(ok);
    CHECK(control::valid_relative_path(ok));
  }
  for (const char* bad : {"", "/", "/abs", "a/", "a//b", ".", "..", "../x", "a/../b", "a/..", "./a",
                          "a/./b", "a\\b", "\\abs", "C:\\x", "a\tb", "a\nb", "a\x7f", "\x1b[31m"}) {
    CAPTURE(bad);
    CHECK_FALSE(control::valid_relative_path(bad));
  }
  CHECK_FALSE(control::valid_relative_path(std::string("a\0b", 3)));
  // Not UTF-8: a lone continuation byte, an overlong '/', a UTF-16 surrogate, a truncated sequence,
  // past U+10FFFF.
  for (const char* bad : {"a\x80",
                          "a\xc0\xaf"
                          "b",
                          "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\xff"}) {
    CHECK_FALSE(control::valid_relative_path(bad));
  }
  CHECK(control::valid_relative_path("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
  // Length limit in bytes.
  CHECK(control::valid_relative_path(std::string(cieloweb::max_file_name_bytes, 'a')));
  CHECK_FALSE(control::valid_relative_path(std::string(cieloweb::max_file_name_bytes + 1, 'a')));
}

TEST_CASE("control digest_from_hex") {
  const std::string hex = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
  const auto d = control::digest_from_hex(hex);
  REQUIRE(d.ok());
  CHECK(d.value()[0] == 0xaf);
  CHECK(d.value()[31] == 0x62);
  CHECK(cieloweb::blake3::to_hex(d.value()) == hex);
  CHECK(control::digest_from_hex(hex.substr(1)).error().code == ErrorCode::length_mismatch);
  CHECK(control::digest_from_hex("").error().code == ErrorCode::length_mismatch);
  std::string upper = hex;
  upper[0] = 'A';
  CHECK(control::digest_from_hex(upper).error().code == ErrorCode::wrong_type);
  std::string junk = hex;
  junk[63] = 'g';
  CHECK(control::digest_from_hex(junk).error().code == ErrorCode::wrong_type);
}
