#include "accounts/jwt.hpp"

#include <array>
#include <string>

namespace cieloweb::server::accounts {

namespace {

constexpr std::int8_t invalid = -1;

constexpr std::array<std::int8_t, 256> make_alphabet() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) entry = invalid;
  constexpr std::string_view letters =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < letters.size(); ++i)
    table[static_cast<unsigned char>(letters[i])] = static_cast<std::int8_t>(i);
  return table;
}

constexpr auto alphabet = make_alphabet();

std::optional<nlohmann::json> json_object(const std::vector<std::uint8_t>& bytes) {
  // A key named twice in one object is refused: parsers disagree on which one counts (nlohmann
  // keeps one, another verifier the other), and such a header or payload says two things.
  std::vector<std::vector<std::string>> open_objects;
  bool duplicate = false;
  const auto watch = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                         nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) open_objects.emplace_back();
    if (event == Event::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == Event::key && !open_objects.empty()) {
      auto& keys = open_objects.back();
      const auto& key = parsed.get_ref<const std::string&>();
      for (const auto& seen : keys) duplicate = duplicate || seen == key;
      keys.push_back(key);
    }
    return true;
  };
  // No exceptions: a parse failure is a `discarded` value.
  auto value = nlohmann::json::parse(bytes.begin(), bytes.end(), watch, false);
  if (duplicate || value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;  // no whole byte in a lone sextet
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const auto value = alphabet[static_cast<unsigned char>(c)];
    if (value == invalid) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<std::uint8_t>((bits >> count) & 0xFF));
    }
  }
  // Left-over bits must be zero: otherwise two spellings would decode to the same bytes.
  if ((bits & ((1U << count) - 1)) != 0) return std::nullopt;
  return out;
}

std::optional<CompactJwt> parse_compact_jwt(std::string_view token) {
  if (token.empty() || token.size() > max_token_bytes) return std::nullopt;
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  const auto header = base64url_decode(token.substr(0, first));
  const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !payload || !signature) return std::nullopt;
  auto header_json = json_object(*header);
  auto payload_json = json_object(*payload);
  if (!header_json || !payload_json) return std::nullopt;
  return CompactJwt{std::move(*header_json), std::move(*payload_json), std::move(*signature),
                    token.substr(0, second)};
}

}  // namespace cieloweb::server::accounts
