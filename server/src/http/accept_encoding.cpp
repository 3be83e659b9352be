#include "http/accept_encoding.hpp"

#include <optional>

namespace cieloweb::server::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The weight of one list member's parameters ("q=0.5"): 1 without one, nullopt when malformed.
std::optional<bool> weight_above_zero(std::string_view params) {
  bool above = true;
  while (!params.empty()) {
    const auto semi = params.find(';');
    const auto param = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
    const auto value = param.substr(2);
    if (value.empty() || (value[0] != '0' && value[0] != '1')) return std::nullopt;
    if (value.size() > 1 && (value[1] != '.' || value.size() > 5)) return std::nullopt;
    above = value[0] == '1';
    for (std::size_t i = 2; i < value.size(); ++i) {
      if (value[i] < '0' || value[i] > '9') return std::nullopt;
      if (value[0] == '1' && value[i] != '0') return std::nullopt;
      above = above || value[i] != '0';
    }
  }
  return above;
}

}  // namespace

bool accepts_coding(std::string_view header, std::string_view coding) {
  std::optional<bool> named;
  std::optional<bool> wildcard;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto member = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto semi = member.find(';');
    const auto name = trim(member.substr(0, semi));
    const auto weight = weight_above_zero(semi == std::string_view::npos ? std::string_view{}
                                                                         : member.substr(semi + 1));
    const bool above = weight.value_or(false);
    if (same_name(name, coding))
      named = named.value_or(true) && above;
    else if (name == "*")
      wildcard = wildcard.value_or(true) && above;
  }
  if (named) return *named;
  return wildcard.value_or(false);
}

}  // namespace cieloweb::server::http
