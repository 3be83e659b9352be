// sdp::dtls_fingerprint: the real Chromium and Firefox captures and the hand-made attacks of
// tests/data/sdp/index.json (each refused by its rule), plus limits that are cheaper to build here.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cieloweb/result.hpp"
#include "cieloweb/sdp.hpp"

namespace sdp = cieloweb::sdp;
using cieloweb::ErrorCode;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sdp_dir() {
  return std::string(CIELO_TEST_DATA_DIR) + "/sdp/";
}

nlohmann::json load_index() {
  return nlohmann::json::parse(read_file(sdp_dir() + "index.json"));
}

// The text of a case: its file, then append_line + CRLF append_times times.
std::string text_of(const nlohmann::json& c) {
  std::string text = read_file(sdp_dir() + c.at("file").get<std::string>());
  if (c.contains("append_line")) {
    const std::string line = c.at("append_line").get<std::string>() + "\r\n";
    for (int i = 0; i < c.at("append_times").get<int>(); ++i) text += line;
  }
  return text;
}

std::string rule_of(const cieloweb::Result<sdp::Fingerprint>& r) {
  return r ? std::string{} : std::string(sdp::rule_of(r.error()));
}

const std::string sample_fingerprint =
    "sha-256 17:43:6B:C1:8A:A1:05:57:C9:72:D5:80:96:93:9E:81:3D:30:F2:7C:BC:E8:4A:6B:A5:E5:C6:00:"
    "F0:2A:F2:93";

// A small valid description with `sections` data m-sections, all bundled. Built with += only:
// GCC 12 warns falsely (-Wrestrict) on some chains of std::string operator+.
std::string description_with(std::size_t sections) {
  std::string text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
  for (std::size_t i = 0; i < sections; ++i) {
    text += ' ';
    text += std::to_string(i);
  }
  text += "\r\na=fingerprint:";
  text += sample_fingerprint;
  text += "\r\n";
  for (std::size_t i = 0; i < sections; ++i) {
    text += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:";
    text += std::to_string(i);
    text += "\r\n";
  }
  return text;
}

}  // namespace

TEST_CASE("sdp: every golden SDP (real browser captures and attacks) gets its recorded verdict") {
  const auto index = load_index();
  const auto& cases = index.at("cases");
  REQUIRE(cases.size() >= 60);
  int real = 0, attacks = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    CAPTURE(name);
    const auto result = sdp::dtls_fingerprint(text_of(c));
    const std::string expect = c.at("expect").get<std::string>();
    if (expect == "ok") {
      REQUIRE_MESSAGE(result.ok(), result.error().detail);
      CHECK(result.value().canonical() == c.at("fingerprint").get<std::string>());
      if (name.rfind("chromium_", 0) == 0 || name.rfind("firefox_", 0) == 0) ++real;
    } else {
      REQUIRE_FALSE(result.ok());
      INFO(result.error().detail);
      CHECK(std::string(cieloweb::error_name(result.error().code)) == expect);
      CHECK(rule_of(result) == c.at("rule").get<std::string>());
      if (name.rfind("attack_", 0) == 0) ++attacks;
    }
  }
  CHECK(real == 28);
  CHECK(attacks >= 30);
}

TEST_CASE(
    "sdp: Chromium keeps the same a=fingerprint in a stopped transceiver's rejected section") {
  // Guards the decision to accept a rejected section whose fingerprint equals the live one:
  // refusing every rejected section with a=fingerprint would block each Chromium peer that stopped
  // a track.
  const std::string reoffer = read_file(sdp_dir() + "chromium_stopped_transceiver_reoffer.sdp");
  const auto video = reoffer.find("m=video 0 ");
  REQUIRE(video != std::string::npos);
  CHECK(reoffer.find("a=fingerprint:", video) < reoffer.find("m=application", video));
  CHECK(sdp::dtls_fingerprint(reoffer).ok());
}

TEST_CASE("sdp: the decoy that fooled the first-line reader is refused") {
  // What web/src/room/room_proof.js took before: the first media-level a=fingerprint, here the
  // victim's, while the live transport would use the relay's certificate.
  const std::string text = read_file(sdp_dir() + "attack_decoy_rejected_section_first.sdp");
  const auto first = text.find("a=fingerprint:");
  const auto live = text.find("a=fingerprint:", first + 1);
  REQUIRE(live != std::string::npos);
  CHECK(text.substr(first, 40) != text.substr(live, 40));
  const auto result = sdp::dtls_fingerprint(text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::ambiguous_fingerprint);
  CHECK(rule_of(result) == "rejected_section_fingerprint");
}

TEST_CASE("sdp: canonical form is lowercase hash, uppercase colon-separated hex") {
  sdp::Fingerprint f{"sha-256", std::vector<std::uint8_t>(32, 0x0A)};
  f.digest[31] = 0xF0;
  const std::string text = f.canonical();
  CHECK(text.rfind("sha-256 0A:0A:", 0) == 0);
  CHECK(text.size() == 8 + 32 * 3 - 1);
  CHECK(text.substr(text.size() - 3) == ":F0");
}

TEST_CASE("sdp: limits on m-sections and BUNDLE size") {
  const auto at_limit = sdp::dtls_fingerprint(description_with(sdp::max_media_sections));
  REQUIRE_MESSAGE(at_limit.ok(), at_limit.error().detail);
  CHECK(at_limit.value().canonical() == sample_fingerprint);

  const auto past = sdp::dtls_fingerprint(description_with(sdp::max_media_sections + 1));
  REQUIRE_FALSE(past.ok());
  CHECK(past.error().code == ErrorCode::too_large);
  // The group line comes first and is already too long.
  CHECK(rule_of(past) == "bundle_size");

  std::string many_sections = description_with(1);
  for (std::size_t i = 0; i < sdp::max_media_sections; ++i) {
    many_sections += "m=audio 0 UDP/TLS/RTP/SAVPF 0\r\n";
  }
  const auto too_many = sdp::dtls_fingerprint(many_sections);
  REQUIRE_FALSE(too_many.ok());
  CHECK(rule_of(too_many) == "media_count");
}

TEST_CASE("sdp: small refusals with a clear rule") {
  const std::string fp = std::string("a=fingerprint:") + sample_fingerprint + "\r\n";
  const std::string head = "v=0\r\ns=-\r\n";
  const std::string dc = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
  const std::string cases[][3] = {
      {"", "malformed", "first_line"},
      {"v=1\r\n", "malformed", "first_line"},
      {head + "\r\n" + dc + fp, "malformed", "line_syntax"},
      {head + " a=x\r\n" + dc + fp, "malformed", "line_syntax"},
      {head + "m=application 70000 UDP/DTLS/SCTP x\r\n" + fp, "malformed", "media_line"},
      {head + "m=application 9 UDP/DTLS/SCTP\r\n" + fp, "malformed", "media_line"},
      {head + "m=application  9 UDP/DTLS/SCTP x\r\n" + fp, "malformed", "media_line"},
      {head + dc + fp + "a=mid:0\r\na=mid:1\r\n", "malformed", "mid_syntax"},
      {head + "a=mid:0\r\n" + dc + fp, "malformed", "mid_syntax"},
      {head + dc + fp + "a=mid:a b\r\n", "malformed", "mid_syntax"},
      {head + dc + fp + "a=group:BUNDLE 0\r\n", "malformed", "bundle_syntax"},
      {head + "a=group:BUNDLE 0  1\r\n" + dc + fp, "malformed", "bundle_syntax"},
      {head + "a=group:BUNDLE 0 0\r\n" + dc + fp + "a=mid:0\r\n", "malformed", "bundle_syntax"},
      {head + "a=group:BUNDLE \r\n" + dc + fp + "a=mid:0\r\n", "malformed", "bundle_syntax"},
      {head + "a=bundle-only\r\n" + dc + fp, "malformed", "bundle_syntax"},
      {head + dc + "a=fingerprint:sha-256\r\n", "malformed", "fingerprint_syntax"},
      {head + dc + "a=fingerprint\r\n", "malformed", "fingerprint_syntax"},
      {head + dc + fp.substr(0, fp.size() - 2) + " \r\n", "malformed", "fingerprint_syntax"},
      {head + dc + fp.substr(0, fp.size() - 3) + "\r\n", "malformed", "fingerprint_hex"},
      {head + dc + fp.substr(0, fp.size() - 2) + ":\r\n", "malformed", "fingerprint_hex"},
      {head + "a=group:bundle 0\r\n" + dc + fp, "ambiguous_fingerprint", "outside_bundle"},
      {head + "m=application 0 UDP/DTLS/SCTP x\r\na=bundle-only\r\n" + fp, "ambiguous_fingerprint",
       "outside_bundle"},
  };
  for (const auto& refusal : cases) {
    // Not a structured binding: clang 14 (the fuzz preset) cannot capture one in CAPTURE's lambda.
    const std::string& text = refusal[0];
    const std::string& code = refusal[1];
    const std::string& rule = refusal[2];
    CAPTURE(text);
    const auto result = sdp::dtls_fingerprint(text);
    REQUIRE_FALSE(result.ok());
    INFO(result.error().detail);
    CHECK(std::string(cieloweb::error_name(result.error().code)) == code);
    CHECK(rule_of(result) == rule);
  }
}

TEST_CASE(
    "sdp: a bundled port-0 section with a=bundle-only and its own equal fingerprint is live") {
  const std::string fp = std::string("a=fingerprint:") + sample_fingerprint + "\r\n";
  const std::string text = "v=0\r\ns=-\r\na=group:BUNDLE 0 1\r\n" +
                           std::string("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n") + fp +
                           "m=application 0 UDP/DTLS/SCTP x\r\na=bundle-only\r\na=mid:1\r\n" + fp;
  const auto result = sdp::dtls_fingerprint(text);
  REQUIRE_MESSAGE(result.ok(), result.error().detail);
  CHECK(result.value().canonical() == sample_fingerprint);
}

TEST_CASE("sdp: rule_of is empty for errors that are not the SDP decoder's") {
  CHECK(sdp::rule_of(cieloweb::make_error(ErrorCode::bad_json, "control: x")).empty());
  CHECK(sdp::rule_of(cieloweb::make_error(ErrorCode::malformed, "sdp: size: big")) == "size");
}
