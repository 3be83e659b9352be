#include "accounts/profile_fields.hpp"

#include <initializer_list>
#include <nlohmann/json.hpp>

#include "signaling/protocol.hpp"

namespace cieloweb::server::accounts {

namespace {

// Surrounding spaces are not part of what a person means to store.
std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// The first key of `body` that is not in `allowed`, if any.
std::optional<std::string> unknown_key(const nlohmann::json& body,
                                       std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (auto name : allowed) known = known || key == name;
    if (!known) return key;
  }
  return std::nullopt;
}

// Reads string field `name` of `body` into `out` (trimmed) when present. @return the error.
std::optional<FieldError> read_string(const nlohmann::json& body, const char* name,
                                      std::optional<std::string>& out,
                                      bool (*valid)(std::string_view)) {
  const auto found = body.find(name);
  if (found == body.end()) return std::nullopt;
  if (!found->is_string()) return FieldError{"invalid-field", name};
  out = trimmed(found->get<std::string>());
  if (!valid(*out)) return FieldError{"invalid-field", name};
  return std::nullopt;
}

bool any_string(std::string_view) {
  return true;
}

}  // namespace

bool valid_profile_name(std::string_view name) {
  return signaling::valid_display_name(name, max_name_bytes);
}

bool valid_username(std::string_view username) {
  if (username.size() < min_username_chars || username.size() > max_username_chars) return false;
  for (char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_company(std::string_view company) {
  return company.empty() || signaling::valid_display_name(company, max_company_bytes);
}

std::variant<NewProfile, FieldError> parse_new_profile(const nlohmann::json& body) {
  if (!body.is_object()) return FieldError{"invalid-field", "body"};
  if (auto key = unknown_key(body, {"name", "username", "company", "agePass"}))
    return FieldError{"unknown-field", *key};
  std::optional<std::string> name, username, company, pass;
  for (auto error : {read_string(body, "name", name, valid_profile_name),
                     read_string(body, "username", username, valid_username),
                     read_string(body, "company", company, valid_company),
                     read_string(body, "agePass", pass, any_string)}) {
    if (error) return *error;
  }
  if (!name) return FieldError{"missing-field", "name"};
  if (!username) return FieldError{"missing-field", "username"};
  if (!pass) return FieldError{"missing-field", "agePass"};
  return NewProfile{*name, *username, company.value_or(""), *pass};
}

std::variant<ProfileEdit, FieldError> parse_profile_edit(const nlohmann::json& body) {
  if (!body.is_object()) return FieldError{"invalid-field", "body"};
  if (auto key = unknown_key(body, {"name", "username", "company"}))
    return FieldError{"unknown-field", *key};
  ProfileEdit edit;
  for (auto error : {read_string(body, "name", edit.name, valid_profile_name),
                     read_string(body, "username", edit.username, valid_username),
                     read_string(body, "company", edit.company, valid_company)}) {
    if (error) return *error;
  }
  if (!edit.name && !edit.username && !edit.company) return FieldError{"missing-field", "name"};
  return edit;
}

}  // namespace cieloweb::server::accounts
