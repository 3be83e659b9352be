// The compact form of a JSON Web Token (RFC 7519): three base64url parts joined by dots. Only the
// syntax lives here (split, strict base64url, JSON objects); what the parts must say is
// id_token.hpp's, and whether the signature holds is signing_keys.hpp's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cieloweb::server::accounts {

// A Firebase ID token is about 1 KB; anything far larger is not one, and is refused before any
// decoding or JSON parsing is spent on it.
inline constexpr std::size_t max_token_bytes = 8192;

struct CompactJwt {
  nlohmann::json header;                // a JSON object
  nlohmann::json payload;               // a JSON object
  std::vector<std::uint8_t> signature;  // may be empty (the emulator's `alg: none`)
  std::string_view signed_part;         // "<header>.<payload>" as received: what was signed
};

// Strict base64url without padding (RFC 4648 §5): any other character, a padding '=', or a final
// group whose unused bits are not zero is refused, so one token has exactly one spelling.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

// Splits and decodes `token`; nullopt when it is not three parts, a part is not strict base64url,
// or the header or payload is not a JSON object. `signed_part` views `token`.
std::optional<CompactJwt> parse_compact_jwt(std::string_view token);

}  // namespace cieloweb::server::accounts
