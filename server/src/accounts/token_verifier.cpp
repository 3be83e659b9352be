#include "accounts/token_verifier.hpp"

namespace cieloweb::server::accounts {

const char* auth_error_name(AuthError error) {
  switch (error) {
    case AuthError::invalid_token:
      return "invalid_token";
    case AuthError::account_deleted:
      return "account_deleted";
    case AuthError::keys_unavailable:
      return "keys_unavailable";
    case AuthError::store_unavailable:
      return "store_unavailable";
  }
  return "invalid_token";
}

TokenVerifier::TokenVerifier(TokenPolicy policy, std::shared_ptr<KeyCache> keys,
                             std::shared_ptr<ProfileStore> store)
    : policy_(std::move(policy)), keys_(std::move(keys)), store_(std::move(store)) {}

std::optional<IdToken> TokenVerifier::recall(std::string_view token, std::int64_t now_s) const {
  std::lock_guard lock(verified_->mutex);
  const auto found = verified_->tokens.find(std::string(token));
  // Strictly before `exp`: past it, the full check (with its leeway) decides.
  if (found == verified_->tokens.end() || now_s >= found->second.expires_at) return std::nullopt;
  return found->second;
}

void TokenVerifier::remember(std::string_view token, const IdToken& identity,
                             std::int64_t now_s) const {
  std::lock_guard lock(verified_->mutex);
  auto& tokens = verified_->tokens;
  if (tokens.size() >= max_verified_tokens) {
    std::erase_if(tokens, [now_s](const auto& entry) { return now_s >= entry.second.expires_at; });
    if (tokens.size() >= max_verified_tokens) tokens.clear();  // all live: start over
  }
  tokens.emplace(std::string(token), identity);
}

AuthResult TokenVerifier::check_ledger(IdToken identity) const {
  const auto deleted = store_->is_deleted(identity.uid);
  if (std::holds_alternative<StoreError>(deleted)) return AuthError::store_unavailable;
  if (std::get<bool>(deleted)) return AuthError::account_deleted;
  return Identity{std::move(identity)};
}

AuthResult TokenVerifier::verify(std::string_view token, std::int64_t now_s, TokenError* detail) {
  if (auto known = recall(token, now_s)) return check_ledger(std::move(*known));
  static const SigningKeys no_keys;
  const auto jwt = parse_compact_jwt(token);  // read once, checked against one or two key sets
  if (!jwt) {
    if (detail) *detail = TokenError::malformed;
    return AuthError::invalid_token;
  }
  // Only a token that is at least an RS256 JWT naming a key may cause a fetch: garbage from an
  // anonymous client is refused without touching the network.
  if (keys_ && names_a_key(*jwt) && !keys_->refresh_if_stale(now_s))
    return AuthError::keys_unavailable;
  auto used = keys_ ? keys_->keys() : nullptr;
  auto verdict = verify_id_token(*jwt, policy_, used ? *used : no_keys, now_s);
  // A key id we do not know may be a rotation we have not seen yet: fetch once more (rate-limited
  // by the cache; at once when another request already brought a newer set), then decide.
  if (keys_ && std::holds_alternative<TokenError>(verdict) &&
      std::get<TokenError>(verdict) == TokenError::unknown_kid &&
      keys_->refresh_for_unknown_kid(now_s, used.get())) {
    used = keys_->keys();
    verdict = verify_id_token(*jwt, policy_, *used, now_s);
  }
  if (const auto* refused = std::get_if<TokenError>(&verdict)) {
    if (detail) *detail = *refused;
    return AuthError::invalid_token;
  }
  auto& identity = std::get<IdToken>(verdict);
  remember(token, identity, now_s);
  return check_ledger(std::move(identity));
}

}  // namespace cieloweb::server::accounts
