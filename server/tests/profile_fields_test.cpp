// What a profile body may hold: exactly name, username, company (and the age pass at sign-up);
// any other field is refused by name, and each field's rules hold.
#include "accounts/profile_fields.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace cieloweb::server::accounts;
using nlohmann::json;

namespace {

FieldError edit_error(const json& body) {
  return std::get<FieldError>(parse_profile_edit(body));
}

}  // namespace

TEST_CASE("a new profile needs name, username and the age pass; company is optional") {
  const auto ok = std::get<NewProfile>(
      parse_new_profile({{"name", "  Ada Lovelace "}, {"username", "Ada_L"}, {"agePass", "p"}}));
  CHECK(ok.name == "Ada Lovelace");
  CHECK(ok.username == "Ada_L");
  CHECK(ok.company.empty());
  const auto missing = std::get<FieldError>(parse_new_profile({{"name", "Ada"}, {"agePass", "p"}}));
  CHECK(missing.code == "missing-field");
  CHECK(missing.field == "username");
  const auto no_pass =
      std::get<FieldError>(parse_new_profile({{"name", "Ada"}, {"username", "ada"}}));
  CHECK(no_pass.field == "agePass");
  // The plan, the email or a uid are never the person's to set.
  for (const char* field : {"plan", "email", "uid", "createdAt", "ageGateAt", "birthDate"}) {
    CAPTURE(field);
    const auto error = std::get<FieldError>(parse_new_profile(
        {{"name", "Ada"}, {"username", "ada"}, {"agePass", "p"}, {field, "pro"}}));
    CHECK(error.code == "unknown-field");
    CHECK(error.field == field);
  }
}

TEST_CASE("an edit takes name, username, company and refuses anything else by name") {
  const auto edit = std::get<ProfileEdit>(parse_profile_edit({{"company", ""}}));
  CHECK(edit.company == "");
  CHECK_FALSE(edit.name.has_value());
  CHECK(edit_error({{"plan", "pro"}}).field == "plan");
  CHECK(edit_error({{"name", "Ada"}, {"email", "x@y.z"}}).field == "email");
  CHECK(edit_error(json::object()).code == "missing-field");
  CHECK(edit_error(json::array()).code == "invalid-field");
  CHECK(edit_error({{"name", 5}}).field == "name");
  CHECK(edit_error({{"name", "   "}}).code == "invalid-field");
  CHECK(edit_error({{"name", std::string(129, 'a')}}).code == "invalid-field");
  CHECK(edit_error({{"name", "A\u202eda"}}).code == "invalid-field");  // bidi override
  CHECK(edit_error({{"company", "Acme\nInc"}}).code == "invalid-field");
}

TEST_CASE("usernames: 3-32 of letters, digits, _ . -") {
  CHECK(valid_username("ada"));
  CHECK(valid_username("Ada.Love-lace_1"));
  CHECK(valid_username(std::string(32, 'a')));
  CHECK_FALSE(valid_username("ad"));
  CHECK_FALSE(valid_username(std::string(33, 'a')));
  CHECK_FALSE(valid_username("ada lovelace"));
  CHECK_FALSE(valid_username("adä"));
  CHECK_FALSE(valid_username("ada@x"));
}
