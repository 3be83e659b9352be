#include "ws_frame.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace cieloweb::server;

namespace {

using Kind = FrameEvent::Kind;

// A client frame (RFC 6455 section 5.2). `length_bytes` forces a length encoding (0 = shortest).
std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                         bool masked = true, std::uint8_t rsv = 0, int length_bytes = 0) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | rsv | opcode));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const std::size_t n = payload.size();
  if (length_bytes == 0) length_bytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
  if (length_bytes == 0) {
    f.push_back(static_cast<char>(mask_bit | n));
  } else if (length_bytes == 2) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i)
      f.push_back(static_cast<char>(static_cast<std::uint64_t>(n) >> (8 * i)));
  }
  const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (masked) f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < n; ++i)
    f.push_back(masked ? static_cast<char>(payload[i] ^ key[i & 3]) : payload[i]);
  return f;
}

struct Seen {
  Kind kind;
  std::string payload;
  std::uint16_t code;
};

// Feeds `bytes` in pieces of `piece` bytes (0 = all at once) and records every event.
std::vector<Seen> read_all(std::string bytes, std::size_t piece = 0, std::size_t max = 65536) {
  FrameReader reader(max);
  std::vector<Seen> seen;
  std::size_t at = 0;
  do {
    const std::size_t n = piece == 0 ? bytes.size() : std::min(piece, bytes.size() - at);
    std::span<char> input(bytes.data() + at, n);
    at += n;
    for (;;) {
      const auto event = reader.next(input);
      if (event.kind == Kind::need_more) {
        if (!input.empty()) FAIL_CHECK("need_more with input left");
        break;
      }
      seen.push_back({event.kind, std::string(event.payload), event.code});
    }
  } while (at < bytes.size());
  return seen;
}

std::uint16_t error_code_of(const std::string& bytes, std::size_t max = 65536) {
  const auto seen = read_all(bytes, 0, max);
  REQUIRE(!seen.empty());
  CHECK(seen.back().kind == Kind::error);
  return seen.back().kind == Kind::error ? seen.back().code : 0;
}

}  // namespace

TEST_CASE("frames split anywhere across reads give the same messages, in order") {
  const std::string big(70000, 'b');  // 64-bit length
  const std::string mid(300, 'm');    // 16-bit length
  const std::string stream = client_frame(0x1, R"({"type":"ping"})") + client_frame(0x9, "hi") +
                             client_frame(0x1, mid) + client_frame(0x1, "") +
                             client_frame(0x1, big) + client_frame(0xA, "") +
                             client_frame(0x8, std::string("\x03\xe8", 2) + "bye");
  for (std::size_t piece : {0, 1, 2, 3, 7, 13, 64, 4096}) {
    CAPTURE(piece);
    const auto seen = read_all(stream, piece, 100000);
    REQUIRE(seen.size() == 7);
    CHECK(seen[0].kind == Kind::text);
    CHECK(seen[0].payload == R"({"type":"ping"})");
    CHECK(seen[1].kind == Kind::ping);
    CHECK(seen[1].payload == "hi");
    CHECK(seen[2].payload == mid);
    CHECK(seen[3].kind == Kind::text);
    CHECK(seen[3].payload.empty());
    CHECK(seen[4].payload == big);
    CHECK(seen[5].kind == Kind::pong);
    CHECK(seen[6].kind == Kind::close);
    CHECK(seen[6].code == 1000);
    CHECK(seen[6].payload == "bye");
  }
}

TEST_CASE("a fragmented message is joined, with a control frame between its fragments") {
  // "é" (C3 A9) is cut between the fragments: UTF-8 is checked on the whole message.
  const std::string stream = client_frame(0x1, "{\"a\":\"\xc3", false) + client_frame(0x9, "p") +
                             client_frame(0x0, "", false) + client_frame(0x0, "\xa9\"}", true) +
                             client_frame(0x2, "\x01\x02", false) + client_frame(0x0, "\x03");
  for (std::size_t piece : {0, 1, 5}) {
    CAPTURE(piece);
    const auto seen = read_all(stream, piece);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].kind == Kind::ping);
    CHECK(seen[1].kind == Kind::text);
    CHECK(seen[1].payload == "{\"a\":\"\xc3\xa9\"}");
    CHECK(seen[2].kind == Kind::binary);
    CHECK(seen[2].payload == "\x01\x02\x03");
  }
}

TEST_CASE("protocol violations fail with the close code the RFC asks for") {
  CHECK(error_code_of(client_frame(0x1, "{}", true, /*masked=*/false)) == 1002);
  CHECK(error_code_of(client_frame(0x1, "{}", true, true, /*rsv=*/0x40)) == 1002);
  CHECK(error_code_of(client_frame(0x3, "{}")) == 1002);                   // reserved opcode
  CHECK(error_code_of(client_frame(0xB, "")) == 1002);                     // reserved control
  CHECK(error_code_of(client_frame(0x9, std::string(126, 'x'))) == 1002);  // control > 125
  CHECK(error_code_of(client_frame(0x9, "x", /*fin=*/false)) == 1002);     // fragmented control
  CHECK(error_code_of(client_frame(0x0, "x")) == 1002);                    // lone continuation
  CHECK(error_code_of(client_frame(0x1, "a", false) + client_frame(0x1, "b")) == 1002);
  CHECK(error_code_of(client_frame(0x1, "short", true, true, 0, 2)) == 1002);  // not shortest
  CHECK(error_code_of(client_frame(0x1, std::string(300, 'x'), true, true, 0, 8)) == 1002);
  CHECK(error_code_of(client_frame(0x8, "\x03")) == 1002);                      // 1-byte close
  CHECK(error_code_of(client_frame(0x8, std::string("\x03\xed", 2))) == 1002);  // 1005: reserved
  CHECK(error_code_of(client_frame(0x8, std::string("\x03\xe8\xff", 3))) == 1007);
  CHECK(error_code_of(client_frame(0x1, "{\xff\xfe}")) == 1007);
  CHECK(error_code_of(client_frame(0x1, "caf\xc3", false) + client_frame(0x0, "!")) == 1007);
}

TEST_CASE("an oversized message is refused from its header, before its payload arrives") {
  FrameReader reader(4096);
  std::string bytes = client_frame(0x1, std::string(5000, 'x')).substr(0, 8);
  std::span<char> input(bytes.data(), bytes.size());
  const auto event = reader.next(input);
  CHECK(event.kind == Kind::error);
  CHECK(event.code == 1009);
  // Fragments count together; exactly the limit is allowed.
  CHECK(error_code_of(client_frame(0x1, std::string(3000, 'x'), false) +
                          client_frame(0x0, std::string(1097, 'x')),
                      4096) == 1009);
  const auto ok = read_all(
      client_frame(0x1, std::string(3000, 'x'), false) + client_frame(0x0, std::string(1096, 'x')),
      0, 4096);
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].payload.size() == 4096);
}

TEST_CASE("nothing is read after an error or a close frame") {
  const auto after_error = read_all(client_frame(0x1, "x", true, false) + client_frame(0x1, "{}"));
  CHECK(after_error.size() == 1);
  const auto after_close = read_all(client_frame(0x8, "") + client_frame(0x1, "{}"));
  REQUIRE(after_close.size() == 1);
  CHECK(after_close[0].kind == Kind::close);
  CHECK(after_close[0].code == 0);  // no status code sent
}

TEST_CASE("server frames use the shortest length encoding and are not masked") {
  for (std::size_t n : {0, 125, 126, 65535, 65536}) {
    CAPTURE(n);
    std::string out = "prefix";
    append_frame(out, Opcode::text, std::string(n, 'z'));
    const std::size_t header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    REQUIRE(out.size() == 6 + header + n);
    CHECK(static_cast<std::uint8_t>(out[6]) == 0x81);
    const auto len7 = static_cast<std::uint8_t>(out[7]);
    CHECK((len7 & 0x80) == 0);
    CHECK(len7 == (n < 126 ? n : n <= 0xFFFF ? 126 : 127));
  }
  std::string close;
  append_close_frame(close, 1008, std::string(200, 'r'));
  CHECK(close.size() == 2 + 125);  // the reason is cut to fit a control frame
  CHECK(close.substr(0, 4) == std::string("\x88\x7d\x03\xf0", 4));
}

TEST_CASE("UTF-8 validation follows RFC 3629") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ascii, long enough for the eight-byte path"));
  CHECK(valid_utf8("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK(valid_utf8("\xf4\x8f\xbf\xbf"));        // U+10FFFF
  CHECK_FALSE(valid_utf8("\xc0\x80"));          // overlong NUL
  CHECK_FALSE(valid_utf8("\xe0\x80\x80"));      // overlong
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(valid_utf8("abc\xe2\x82"));       // cut short
  CHECK_FALSE(valid_utf8("\x80"));              // lone continuation byte
  CHECK_FALSE(valid_utf8("12345678\xff"));
}

TEST_CASE("unmasking in pieces equals unmasking at once") {
  const std::uint8_t key[4] = {1, 2, 3, 4};
  std::string whole(37, '\0');
  for (std::size_t i = 0; i < whole.size(); ++i) whole[i] = static_cast<char>(i * 7);
  std::string pieces = whole;
  unmask(whole.data(), whole.size(), key, 0);
  unmask(pieces.data(), 5, key, 0);
  unmask(pieces.data() + 5, 19, key, 5);
  unmask(pieces.data() + 24, 13, key, 24);
  CHECK(whole == pieces);
  for (std::size_t i = 0; i < whole.size(); ++i)
    CHECK(static_cast<std::uint8_t>(whole[i]) == static_cast<std::uint8_t>((i * 7) ^ key[i % 4]));
}
