// Keys and tokens the token tests make themselves: RSA keys, self-signed certificates in the JSON
// form Google publishes (kid -> PEM), and RS256-signed compact JWTs. No fixed key material in the
// tree, and nothing fetched.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace cieloweb::server::test {

struct RsaKey;  // an OpenSSL private key

std::shared_ptr<RsaKey> make_rsa_key(int bits = 2048);

// {"<kid>": "<PEM certificate of key>"} for each pair, as one JSON text.
std::string certificates_json(
    const std::vector<std::pair<std::string, std::shared_ptr<RsaKey>>>& keys);

std::string base64url(std::string_view bytes);

// The claims of a fresh Firebase ID token of `project` for `uid` at `now` (signed in 10 minutes
// ago, issued a minute ago, an hour's validity), as Google issues them.
nlohmann::json id_token_claims(const std::string& project, std::int64_t now,
                               const std::string& uid);

// header.payload.signature with RS256 under `key` (an empty signature when key is null).
std::string sign_jwt(const nlohmann::json& header, const nlohmann::json& payload,
                     const RsaKey* key);

}  // namespace cieloweb::server::test
