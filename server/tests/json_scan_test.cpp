#include "signaling/json_scan.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using namespace cieloweb::signaling;

namespace {

struct Members final : JsonScanner {
  std::vector<JsonMember> seen;
  void on_top_member(const JsonMember& member) override { seen.push_back(member); }
};

bool accepts(std::string_view text) {
  Members m;
  return m.scan(text);
}

}  // namespace

TEST_CASE("the scanner accepts exactly what nlohmann accepts") {
  const std::vector<std::string> texts = {
      "{}", "[]", "0", "-0", "1.5e+3", "-12.0E-7", "true", "false", "null", "\"\"", " \t\r\n{ } ",
      "\xEF\xBB\xBF{\"a\":1}", R"({"a":[1,{"b":[]}],"c":"\u00e9\ud83d\ude00\/\b\f\n\r\t\\\""})",
      "\"Zo\xc3\xab \xf0\x9f\x9a\x80\"", "\"\x7f\"", "\"\\u0000\"", "1e999", "-1E+400", "1e-999",
      std::string(309, '9'), std::string(308, '9') + ".5",
      // refused
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "-", "1.", ".5", "1e",
      "+1", "1 2", "tru", "nul", "True", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
      "\"\\ud800\\u0041\"", "\"tab\there\"", "\"\xff\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"",
      "\"abc", "{\"a\":1} x", "\xEF\xBB{}", "[\"\xe2\x82\"]"};
  for (const auto& text : texts) {
    CAPTURE(text);
    CHECK(accepts(text) == nlohmann::json::accept(text));
  }
}

TEST_CASE("a NUL byte is not the end of the text (nlohmann stops there)") {
  const std::string text("{\"a\":1}\0junk", 12);
  CHECK(nlohmann::json::accept(text));
  CHECK_FALSE(accepts(text));
  CHECK_FALSE(accepts(std::string("\"a\0b\"", 5)));
}

TEST_CASE("top-level members are reported as written, with their kinds") {
  Members m;
  REQUIRE(m.scan(R"( {"type" : "sig\"nal", "n":-1.5, "data":{"x":[1,"}"]}, "t\u0079":null} )"));
  CHECK(m.top_is_object());
  REQUIRE(m.seen.size() == 4);
  CHECK(m.seen[0].key == "type");
  CHECK(m.seen[0].kind == JsonKind::string);
  CHECK(m.seen[0].value == R"(sig\"nal)");
  CHECK(m.seen[0].value_escaped);
  CHECK(decode_json_string(m.seen[0].value) == "sig\"nal");
  CHECK(m.seen[1].kind == JsonKind::number);
  CHECK(m.seen[1].value == "-1.5");
  CHECK(m.seen[2].kind == JsonKind::object);
  CHECK(m.seen[2].value == R"({"x":[1,"}"]})");
  CHECK(m.seen[3].key_escaped);
  CHECK(decode_json_string(m.seen[3].key) == "ty");
  CHECK(m.seen[3].kind == JsonKind::literal);
}

TEST_CASE("escapes decode to UTF-8, surrogate pairs included") {
  CHECK(decode_json_string(R"(a\u00e9\ud83d\ude00\n\/\\)") == "a\xc3\xa9\xf0\x9f\x98\x80\n/\\");
}
