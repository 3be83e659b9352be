// What a person may write into their profile, and the rules for each field. The one place that
// reads a profile body: POST /api/me (make the profile) and PUT /api/me (correct it) take exactly
// the fields named here, and any other field (plan, email, uid...) is refused by name.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "accounts/profile_store.hpp"

namespace cieloweb::server::accounts {

inline constexpr std::size_t max_name_bytes = 128;
inline constexpr std::size_t max_company_bytes = 160;
inline constexpr std::size_t min_username_chars = 3;
inline constexpr std::size_t max_username_chars = 32;

// A refused body: `code` is unknown-field, invalid-field or missing-field; `field` names it.
struct FieldError {
  std::string code;
  std::string field;
};

// Printable UTF-8 (no controls, no bidi overrides), not only spaces, within the byte limit.
bool valid_profile_name(std::string_view name);
// 3-32 of A-Z a-z 0-9 _ . - (unique regardless of letter case: the store checks that).
bool valid_username(std::string_view username);
// Empty, or printable like a name.
bool valid_company(std::string_view company);

struct NewProfile {
  std::string name;
  std::string username;
  std::string company;
  std::string age_pass;
};

// POST /api/me: name, username, agePass required; company optional.
std::variant<NewProfile, FieldError> parse_new_profile(const nlohmann::json& body);
// PUT /api/me: any of name, username, company; at least one.
std::variant<ProfileEdit, FieldError> parse_profile_edit(const nlohmann::json& body);

}  // namespace cieloweb::server::accounts
