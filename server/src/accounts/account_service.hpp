// Everything the account routes need, built once at start when accounts are configured: who a
// request is from (TokenVerifier), their profile (ProfileStore), the 16+ screen (AgeGate), what
// Firebase holds for them (FirebaseAccounts), and what the page needs to sign in (AuthPageConfig).
// Used from the blocking pool's threads (every part is thread-safe or immutable).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "accounts/age_gate.hpp"
#include "accounts/firebase_accounts.hpp"
#include "accounts/token_verifier.hpp"
#include "http/message.hpp"
#include "http/security_policy.hpp"

namespace cieloweb::server {
struct Config;
}

namespace cieloweb::server::accounts {

// What GET /api/auth-config tells the page: how to reach Firebase for this project.
struct AuthPageConfig {
  std::string project_id;
  std::string api_key;
  std::string auth_domain;      // empty: no Google sign-in (it needs the auth domain's handler)
  std::string emulator_origin;  // "http://host:port" in emulator mode, else empty
};

class AccountService {
 public:
  AccountService(TokenVerifier verifier, std::shared_ptr<ProfileStore> store,
                 std::function<std::int64_t()> now_s, AgeGate age_gate,
                 std::optional<FirebaseAccounts> firebase, AuthPageConfig page_config);

  // From the configuration: Google's keys (or none in emulator mode) and the profile store (SQLite,
  // or PostgreSQL with --postgres). Throws std::runtime_error when it cannot be opened.
  static std::unique_ptr<AccountService> from_config(const Config& config);

  // The person behind `Authorization: Bearer <ID token>`, or the answer to give instead (401 for
  // no or a bad token, 403 for a deleted account, 503 when keys or the store are unavailable).
  std::variant<Identity, http::HttpResponse> authenticate(const http::HttpRequest& request,
                                                          const http::HeaderList& security);

  // For a signaling connection's sign-in: the account and whether its plan is pro. A person signed
  // in with Firebase who has no profile here yet counts as free.
  struct PlanOf {
    std::string uid;
    Plan plan = Plan::free;
  };
  std::variant<PlanOf, AuthError> plan_of(std::string_view token);

  ProfileStore& store() { return *store_; }
  std::int64_t now() const { return now_s_(); }
  const AgeGate& age_gate() const { return age_gate_; }
  // Null when the server cannot ask Firebase (a real project without --firebase-api-key).
  const FirebaseAccounts* firebase() const { return firebase_ ? &*firebase_ : nullptr; }
  const AuthPageConfig& page_config() const { return page_config_; }

  // Called (from a pool thread) once a person's profile is deleted, with their uid: the server
  // closes their signaling connections. Set once at start, before requests arrive.
  void on_account_deleted(std::function<void(const std::string& uid)> callback) {
    account_deleted_ = std::move(callback);
  }
  void account_deleted(const std::string& uid) const {
    if (account_deleted_) account_deleted_(uid);
  }

 private:
  TokenVerifier verifier_;
  std::shared_ptr<ProfileStore> store_;
  std::function<std::int64_t()> now_s_;
  AgeGate age_gate_;
  std::optional<FirebaseAccounts> firebase_;
  AuthPageConfig page_config_;
  std::function<void(const std::string& uid)> account_deleted_;
};

}  // namespace cieloweb::server::accounts
