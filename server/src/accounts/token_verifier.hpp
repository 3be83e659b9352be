// Who a request is from: an ID token checked against the current keys (refreshed when stale, and
// once more for a key id we have not seen), then against the deletion ledger, so a token of a
// deleted account is refused for the rest of its hour. Blocking (a key fetch, a database read):
// called on the blocking pool only.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
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
  TokenPolicy policy_;
  std::shared_ptr<KeyCache> keys_;
  std::shared_ptr<ProfileStore> store_;
};

}  // namespace cieloweb::server::accounts
