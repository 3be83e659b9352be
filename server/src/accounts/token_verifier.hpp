// Who a request is from: an ID token checked against the current keys (refreshed when stale, and
// once more for a key id we have not seen), then against the deletion ledger, so a token of a
// deleted account is refused for the rest of its hour. Blocking (a key fetch, a database read):
// called on the blocking pool only.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "accounts/id_token.hpp"
#include "accounts/key_cache.hpp"
#include "accounts/profile_store.hpp"

namespace cieloweb::server::accounts {

enum class AuthError {
  invalid_token,  // any TokenError: the details go to the debug log, never to the client
  account_deleted,
  keys_unavailable,   // no signing keys could be fetched yet: 503, try again
  store_unavailable,  // the ledger could not be read: 503
};
const char* auth_error_name(AuthError error);

struct Identity {
  IdToken token;
};

using AuthResult = std::variant<Identity, AuthError>;

class TokenVerifier {
 public:
  // `keys` may be null in emulator mode (unsigned tokens need none).
  TokenVerifier(TokenPolicy policy, std::shared_ptr<KeyCache> keys,
                std::shared_ptr<ProfileStore> store);

  // Also returns the TokenError for logs through `detail` when the token itself was refused.
  AuthResult verify(std::string_view token, std::int64_t now_s, TokenError* detail = nullptr);

 private:
  // Tokens whose signature and claims already passed, by their exact text, until they expire: a
  // page asks with the same token for up to an hour, and the RSA check is most of a request's
  // cost. Only whole verified tokens go in (nothing an attacker sends unsigned), the deletion
  // ledger is still read on every request, and the size is bounded.
  struct Verified {
    std::mutex mutex;
    std::unordered_map<std::string, IdToken> tokens;
  };
  static constexpr std::size_t max_verified_tokens = 8192;
  std::optional<IdToken> recall(std::string_view token, std::int64_t now_s) const;
  void remember(std::string_view token, const IdToken& identity, std::int64_t now_s) const;
  AuthResult check_ledger(IdToken identity) const;

  TokenPolicy policy_;
  std::unique_ptr<Verified> verified_ = std::make_unique<Verified>();
  std::shared_ptr<KeyCache> keys_;
  std::shared_ptr<ProfileStore> store_;
};

}  // namespace cieloweb::server::accounts
