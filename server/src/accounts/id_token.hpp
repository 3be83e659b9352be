// Verifying a Firebase ID token ourselves, as Firebase documents it for third-party JWT libraries:
// header `alg` RS256 and a `kid` of one of Google's current keys, a valid signature, `iss`
// "https://securetoken.google.com/<project>", `aud` the project, `sub` (the uid) 1-128 characters,
// `exp` not passed, `iat` and `auth_time` not in the future, each with at most 60 s of leeway.
// The Auth emulator's tokens are unsigned (`alg: none`); they pass only in emulator mode, which the
// configuration allows only for a `demo-` project (a project that cannot exist in production).
// Pure: no clock, no network; the caller gives the time and the keys (key_cache fetches them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "accounts/jwt.hpp"
#include "accounts/signing_keys.hpp"

namespace cieloweb::server::accounts {

inline constexpr std::int64_t max_leeway_s = 60;
inline constexpr std::size_t max_uid_chars = 128;

struct TokenPolicy {
  std::string project_id;
  bool emulator = false;  // unsigned tokens from the Auth emulator; never with a real project
  std::int64_t leeway_s = max_leeway_s;  // clamped to [0, max_leeway_s]
};

struct IdToken {
  std::string uid;    // `sub`
  std::string email;  // empty when the account has none
  bool email_verified = false;
  std::int64_t auth_time = 0;  // when the person last signed in (recent sign-in checks)
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
};

enum class TokenError {
  malformed,        // not a JWT of JSON objects, or a claim of the wrong type
  unsupported_alg,  // `alg` other than RS256 (or `none` outside emulator mode)
  unknown_kid,      // no current key has this id: refresh the keys once, then refuse
  bad_signature,
  expired,
  issued_in_future,  // `iat` or `auth_time` ahead of the clock by more than the leeway
  wrong_audience,
  wrong_issuer,
  bad_subject,  // `sub` missing, empty or longer than 128 characters
};

// Short, stable, snake_case name ("wrong_audience"), for logs and API errors. Never the token.
const char* token_error_name(TokenError error);

using TokenVerdict = std::variant<IdToken, TokenError>;

// The same for a token already read (TokenVerifier reads it once to decide whether keys are
// needed at all).
TokenVerdict verify_id_token(const CompactJwt& token, const TokenPolicy& policy,
                             const SigningKeys& keys, std::int64_t now_s);

// Whether the token is an RS256 token naming a key: only such a token may need a key fetch.
bool names_a_key(const CompactJwt& token);

TokenVerdict verify_id_token(std::string_view token, const TokenPolicy& policy,
                             const SigningKeys& keys, std::int64_t now_s);

}  // namespace cieloweb::server::accounts
