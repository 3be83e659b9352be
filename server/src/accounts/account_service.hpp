// Everything the account routes need, built once at start when accounts are configured: who a
// request is from (TokenVerifier) and their profile (ProfileStore). Used from the blocking pool's
// threads only (both parts are thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <variant>

#include "accounts/token_verifier.hpp"
#include "http/message.hpp"
#include "http/security_policy.hpp"

namespace cieloweb::server {
struct Config;
}

namespace cieloweb::server::accounts {

class AccountService {
 public:
  AccountService(TokenVerifier verifier, std::shared_ptr<ProfileStore> store,
                 std::function<std::int64_t()> now_s);

  // From the configuration: Google's keys (or none in emulator mode) and the SQLite store. Throws
  // std::runtime_error when the profiles database cannot be opened.
  static std::unique_ptr<AccountService> from_config(const Config& config);

  // The person behind `Authorization: Bearer <ID token>`, or the answer to give instead (401 for
  // no or a bad token, 403 for a deleted account, 503 when keys or the store are unavailable).
  std::variant<Identity, http::HttpResponse> authenticate(const http::HttpRequest& request,
                                                          const http::HeaderList& security);

  ProfileStore& store() { return *store_; }
  std::int64_t now() const { return now_s_(); }

 private:
  TokenVerifier verifier_;
  std::shared_ptr<ProfileStore> store_;
  std::function<std::int64_t()> now_s_;
};

}  // namespace cieloweb::server::accounts
