#include "signaling/protocol.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "signaling/hub.hpp"

using namespace cieloweb::signaling;

namespace {

ErrorCode error_of(std::string_view text) {
  const auto result = parse_client_message(text, ParseLimits{});
  REQUIRE(std::holds_alternative<ProtocolError>(result));
  return std::get<ProtocolError>(result).code;
}

ClientMessage message_of(std::string_view text) {
  const auto result = parse_client_message(text, ParseLimits{});
  REQUIRE(std::holds_alternative<ClientMessage>(result));
  return std::get<ClientMessage>(result);
}

}  // namespace

TEST_CASE("every client message type parses") {
  CHECK(std::holds_alternative<CreateRoom>(message_of(R"({"type":"create-room"})")));
  CHECK(std::holds_alternative<Leave>(message_of(R"({"v":1,"type":"leave"})")));
  CHECK(std::holds_alternative<Ping>(message_of(R"({"type":"ping","extra":[1]})")));
  const auto join = std::get<Join>(message_of(R"({"type":"join","room":"abc","name":"Zoë"})"));
  CHECK(join.room == "abc");
  CHECK(join.name == "Zoë");
  const auto signal =
      std::get<Signal>(message_of(R"({"type":"signal","to":"p1","data":{"sdp":"v=0"}})"));
  CHECK(signal.to == "p1");
  CHECK(nlohmann::json::parse(signal.data_json) == nlohmann::json{{"sdp", "v=0"}});
  CHECK(std::get<SignIn>(message_of(R"({"type":"sign-in","token":"a.b.c"})")).token == "a.b.c");
}

TEST_CASE("sign-in takes one plain string token of at most 8 KiB") {
  for (const char* bad :
       {R"({"type":"sign-in"})", R"({"type":"sign-in","token":""})",
        R"({"type":"sign-in","token":5})", R"({"type":"sign-in","token":"a\u002eb"})"}) {
    CAPTURE(bad);
    CHECK(error_of(bad) == ErrorCode::bad_message);
  }
  const std::string longest(max_sign_in_token_bytes, 'a');
  CHECK(std::get<SignIn>(message_of(R"({"type":"sign-in","token":")" + longest + R"("})")).token ==
        longest);
  CHECK(error_of(R"({"type":"sign-in","token":")" + longest + R"(a"})") == ErrorCode::bad_message);
}

TEST_CASE("malformed input maps to the documented error codes") {
  CHECK(error_of("") == ErrorCode::bad_json);
  CHECK(error_of("{\"type\":") == ErrorCode::bad_json);
  CHECK(error_of("{\"type\":\"ping\"} trailing") == ErrorCode::bad_json);
  CHECK(error_of("\"\xff\xfe\"") == ErrorCode::bad_json);  // invalid UTF-8 inside a string
  CHECK(error_of("42") == ErrorCode::bad_message);
  CHECK(error_of("{}") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":null})") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":"join","room":"r"})") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":"join","room":1,"name":"n"})") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":"signal","to":"p","data":"text"})") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":"signal","data":{}})") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":"fly"})") == ErrorCode::unknown_type);
  CHECK(error_of(R"({"v":2,"type":"ping"})") == ErrorCode::unsupported_version);
  CHECK(error_of(R"({"v":"1","type":"ping"})") == ErrorCode::unsupported_version);
  CHECK(error_of(R"({"type":"join","room":"r","name":""})") == ErrorCode::invalid_name);
}

TEST_CASE("nesting depth is refused before parsing, and strings do not count") {
  CHECK(json_depth(R"({"a":[{"b":1}]})", 100) == 3);
  CHECK(json_depth(R"({"a":"[[[[{{{{\"[["})", 100) == 1);
  CHECK(json_depth("]]]][[", 100) == 2);
  const std::string deep(100000, '[');
  CHECK(json_depth(deep, 8) == 9);  // stops counting past the cap
  CHECK(error_of(deep) == ErrorCode::too_deep);
  std::string nested = R"({"type":"signal","to":"p","data":)";
  for (int i = 0; i < 8; ++i) nested += R"({"x":)";  // 1 + 8 levels: one too many
  nested.append("1").append(9, '}');
  CHECK(error_of(nested) == ErrorCode::too_deep);
}

TEST_CASE("display names") {
  CHECK(valid_display_name("Ana", 64));
  CHECK(valid_display_name("日本語 🚀", 64));
  CHECK_FALSE(valid_display_name("", 64));
  CHECK_FALSE(valid_display_name("    ", 64));
  CHECK_FALSE(valid_display_name(std::string(65, 'a'), 64));
  CHECK_FALSE(valid_display_name("tab\there", 64));
  CHECK_FALSE(valid_display_name("del\x7f", 64));
  CHECK_FALSE(valid_display_name("c1\xc2\x85", 64));
  CHECK_FALSE(valid_display_name("rlo\xe2\x80\xae", 64));
  CHECK_FALSE(valid_display_name("isolate\xe2\x81\xa6", 64));
}

TEST_CASE("base64url and id syntax") {
  const std::uint8_t bytes[] = {0xfb, 0xff, 0xbf, 0x00};
  CHECK(base64url(bytes, 3) == "-_-_");
  CHECK(base64url(bytes, 4) == "-_-_AA");
  CHECK(valid_id_syntax("abc-_09XY", 1, 22));
  CHECK_FALSE(valid_id_syntax("abc=", 1, 22));
  CHECK_FALSE(valid_id_syntax("", 1, 22));
}

TEST_CASE("server messages are valid JSON and escape names") {
  const auto joined = nlohmann::json::parse(
      make_joined("room", {"self", "me \"quoted\""}, {{"p1", "</script>"}, {"p2", "x"}}, 8));
  CHECK(joined["type"] == "joined");
  CHECK(joined["v"] == 1);
  CHECK(joined["self"]["name"] == "me \"quoted\"");
  CHECK(joined["peers"].size() == 2);
  CHECK(joined["peers"][0]["name"] == "</script>");
  CHECK(joined["capacity"] == 8);
  const auto signal = nlohmann::json::parse(make_signal("peer", R"({"a":[1,2]})"));
  CHECK(signal["from"] == "peer");
  CHECK(signal["data"]["a"][1] == 2);
  const auto error = nlohmann::json::parse(make_error(ErrorCode::room_full, "full"));
  CHECK(error["code"] == "room-full");
}

TEST_CASE("signal data is relayed as the exact JSON value sent, whatever the layout") {
  const auto data_of = [](std::string_view text) {
    return std::get<Signal>(message_of(text)).data_json;
  };
  CHECK(data_of(R"({"type":"signal","to":"p","data":{"a":1}})") == R"({"a":1})");
  CHECK(data_of(" {\n \"data\" : { \"s\":\"}{\\\"]\" } ,\"to\":\"p\",\"type\":\"signal\"}\t") ==
        R"({ "s":"}{\"]" })");
  // Escaped key spelling, and duplicates (the last wins, as in a DOM).
  CHECK(data_of(R"({"type":"signal","to":"p","d\u0061ta":{"x":[1,{"y":2}]}})") ==
        R"({"x":[1,{"y":2}]})");
  CHECK(data_of(R"({"data":{"old":1},"type":"signal","to":"p","data":{"new":2},"z":3})") ==
        R"({"new":2})");
  CHECK(data_of(R"({"n":-1.5e3,"t":true,"type":"signal","to":"p","data":{}})") == "{}");
  // A duplicate that is not an object overrides an earlier object.
  CHECK(error_of(R"({"type":"signal","to":"p","data":{},"data":1})") == ErrorCode::bad_message);
  CHECK(error_of(R"({"type":"signal","to":"p","data":{"a":1}})"
                 "\xff") == ErrorCode::bad_json);
}

TEST_CASE("the display-name limit is protocol/limits.json's, the same the page uses") {
  std::ifstream in(CIELO_LIMITS_JSON);
  REQUIRE(in.good());
  const auto limits = nlohmann::json::parse(in);
  const auto max = limits.at("displayNameMaxBytes").get<std::size_t>();
  CHECK(display_name_max_bytes == max);
  CHECK(ParseLimits{}.max_name_bytes == max);
  CHECK(HubLimits{}.max_name_bytes == max);
  CHECK(valid_display_name(std::string(max, 'a'), display_name_max_bytes));
  CHECK_FALSE(valid_display_name(std::string(max + 1, 'a'), display_name_max_bytes));
}
