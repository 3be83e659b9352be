// Resume states: the golden texts of tests/data/resume_states.json (good and known-bad), the round
// trip of what a Receiver produces, and limit_to.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cieloweb/resume.hpp"
#include "test_data.hpp"

namespace resume = cieloweb::resume;
using cieloweb::RangeSet;

namespace {

nlohmann::json ranges_json(const RangeSet& set) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& range : set.ranges()) a.push_back({range.first, range.second});
  return a;
}

RangeSet ranges_of(const nlohmann::json& list) {
  RangeSet set;
  for (const auto& r : list)
    set.insert_range(r.at(0).get<std::uint32_t>(), r.at(1).get<std::uint32_t>());
  return set;
}

}  // namespace

TEST_CASE("resume golden states decode (and limit) to exactly the expected result") {
  const auto cases = cieloweb::test::golden_cases("resume_states.json");
  REQUIRE_FALSE(cases.empty());
  std::size_t good = 0, bad = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name");
    CAPTURE(name);
    const auto result = resume::decode(c.at("text").get<std::string>());
    const std::string expect = c.at("expect");
    if (expect != "ok") {
      ++bad;
      REQUIRE_FALSE(result.ok());
      CHECK(std::string(cieloweb::error_name(result.error().code)) == expect);
      continue;
    }
    ++good;
    REQUIRE(result.ok());
    CHECK(ranges_json(result.value().verified) == c.at("verified"));
    CHECK(result.value().checks.size() == result.value().verified.count());
    // Whatever decodes re-encodes to a text that decodes to the same state.
    const auto again = resume::decode(resume::encode(result.value()));
    REQUIRE(again.ok());
    CHECK(again.value() == result.value());
    if (c.contains("limit_to")) {
      const auto limited = resume::limit_to(result.value(), ranges_of(c.at("limit_to")));
      CHECK(ranges_json(limited.verified) == c.at("limited"));
      CHECK(limited.checks.size() == limited.verified.count());
      CHECK(resume::decode(resume::encode(limited)).ok());
    }
  }
  CHECK(good >= 4);
  CHECK(bad >= 15);
}

TEST_CASE("resume identity_key names the identity, field by field") {
  cieloweb::control::FileIdentity a{"a/b.txt", 10, -5, {}};
  auto b = a;
  CHECK(resume::identity_key(a) == resume::identity_key(b));
  b.mtime_ms = 6;
  CHECK(resume::identity_key(a) != resume::identity_key(b));
  b = a;
  b.first_block[0] = 1;
  CHECK(resume::identity_key(a) != resume::identity_key(b));
  CHECK(resume::identity_key(a).find("a/b.txt") != std::string::npos);
}
