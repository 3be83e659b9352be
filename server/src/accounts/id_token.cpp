#include "accounts/id_token.hpp"

#include <algorithm>
#include <optional>

namespace cieloweb::server::accounts {

namespace {

constexpr std::string_view issuer_prefix = "https://securetoken.google.com/";

// An integer claim (seconds since the epoch); a float, a string or a negative number is not one.
std::optional<std::int64_t> seconds_claim(const nlohmann::json& payload, const char* name) {
  const auto found = payload.find(name);
  if (found == payload.end()) return std::nullopt;
  if (found->is_number_unsigned()) {
    const auto value = found->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (found->is_number_integer() && found->get<std::int64_t>() >= 0)
    return found->get<std::int64_t>();
  return std::nullopt;
}

const std::string* string_claim(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || !found->is_string()) return nullptr;
  return found->get_ptr<const std::string*>();
}

// Counts UTF-8 code points (the limit is in characters); the JSON parser already refused invalid
// UTF-8.
std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

const char* token_error_name(TokenError error) {
  switch (error) {
    case TokenError::malformed:
      return "malformed";
    case TokenError::unsupported_alg:
      return "unsupported_alg";
    case TokenError::unknown_kid:
      return "unknown_kid";
    case TokenError::bad_signature:
      return "bad_signature";
    case TokenError::expired:
      return "expired";
    case TokenError::issued_in_future:
      return "issued_in_future";
    case TokenError::wrong_audience:
      return "wrong_audience";
    case TokenError::wrong_issuer:
      return "wrong_issuer";
    case TokenError::bad_subject:
      return "bad_subject";
  }
  return "malformed";
}

TokenVerdict verify_id_token(std::string_view token, const TokenPolicy& policy,
                             const SigningKeys& keys, std::int64_t now_s) {
  const auto jwt = parse_compact_jwt(token);
  if (!jwt) return TokenError::malformed;
  return verify_id_token(*jwt, policy, keys, now_s);
}

bool names_a_key(const CompactJwt& jwt) {
  const auto* alg = string_claim(jwt.header, "alg");
  const auto* kid = string_claim(jwt.header, "kid");
  return alg != nullptr && *alg == "RS256" && kid != nullptr && !kid->empty();
}

TokenVerdict verify_id_token(const CompactJwt& jwt, const TokenPolicy& policy,
                             const SigningKeys& keys, std::int64_t now_s) {
  // The signature first: nothing a token claims is believed before it is known to be Google's.
  const auto* alg = string_claim(jwt.header, "alg");
  if (alg == nullptr) return TokenError::malformed;
  if (*alg == "none") {
    // The configuration allows emulator mode only for demo- projects; checked here again so that
    // no other path to a policy can make a real project take unsigned tokens.
    if (!policy.emulator || !policy.project_id.starts_with("demo-") || !jwt.signature.empty())
      return TokenError::unsupported_alg;
  } else if (*alg == "RS256") {
    const auto* kid = string_claim(jwt.header, "kid");
    if (kid == nullptr || kid->empty())
      return TokenError::malformed;  // no key named: no fetch either
    switch (keys.verify_rs256(*kid, jwt.signed_part, jwt.signature)) {
      case SignatureCheck::valid:
        break;
      case SignatureCheck::unknown_kid:
        return TokenError::unknown_kid;
      case SignatureCheck::bad_signature:
        return TokenError::bad_signature;
    }
  } else {
    return TokenError::unsupported_alg;
  }

  const auto& claims = jwt.payload;
  const auto* issuer = string_claim(claims, "iss");
  if (issuer == nullptr || policy.project_id.empty() ||
      *issuer != std::string(issuer_prefix) + policy.project_id)
    return TokenError::wrong_issuer;
  const auto* audience = string_claim(claims, "aud");
  if (audience == nullptr || *audience != policy.project_id) return TokenError::wrong_audience;
  const auto* subject = string_claim(claims, "sub");
  if (subject == nullptr || subject->empty() || characters(*subject) > max_uid_chars)
    return TokenError::bad_subject;

  const auto expires = seconds_claim(claims, "exp");
  const auto issued = seconds_claim(claims, "iat");
  const auto auth_time = seconds_claim(claims, "auth_time");
  if (!expires || !issued || !auth_time) return TokenError::malformed;
  const std::int64_t leeway = std::clamp<std::int64_t>(policy.leeway_s, 0, max_leeway_s);
  if (*expires <= now_s - leeway) return TokenError::expired;
  if (*issued > now_s + leeway || *auth_time > now_s + leeway) return TokenError::issued_in_future;
  if (*expires <= *issued) return TokenError::malformed;

  IdToken verified;
  verified.uid = *subject;
  if (const auto* email = string_claim(claims, "email")) verified.email = *email;
  const auto email_verified = claims.find("email_verified");
  verified.email_verified =
      email_verified != claims.end() && email_verified->is_boolean() && email_verified->get<bool>();
  verified.auth_time = *auth_time;
  verified.issued_at = *issued;
  verified.expires_at = *expires;
  return verified;
}

}  // namespace cieloweb::server::accounts
