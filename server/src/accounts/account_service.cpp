#include "accounts/account_service.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "accounts/http_fetch.hpp"
#include "accounts/open_profile_store.hpp"
#include "config.hpp"
#include "http/router.hpp"
#include "log.hpp"
#include "wall_clock.hpp"

namespace cieloweb::server::accounts {

AccountService::AccountService(TokenVerifier verifier, std::shared_ptr<ProfileStore> store,
                               std::function<std::int64_t()> now_s, AgeGate age_gate,
                               std::optional<FirebaseAccounts> firebase, AuthPageConfig page_config)
    : verifier_(std::move(verifier)),
      store_(std::move(store)),
      now_s_(std::move(now_s)),
      age_gate_(age_gate),
      firebase_(std::move(firebase)),
      page_config_(std::move(page_config)) {}

std::unique_ptr<AccountService> AccountService::from_config(const Config& config) {
  const auto& accounts = config.accounts;
  // The page signs in with the project's web API key: a real project without one would serve
  // sign-in pages that cannot work.
  if (!accounts.emulator() && accounts.api_key.empty())
    throw std::runtime_error("--firebase-api-key is needed with a real Firebase project");
  auto store = open_profile_store(accounts, StoreUser::server);
  // Emulator tokens are unsigned: no keys to fetch.
  auto keys = accounts.emulator()
                  ? nullptr
                  : std::make_shared<KeyCache>(
                        accounts.certs_url, [](const std::string& url) { return http_get(url); });
  TokenPolicy policy{accounts.firebase_project, accounts.emulator(), max_leeway_s};
  std::optional<FirebaseAccounts> firebase;
  if (!accounts.effective_api_key().empty()) firebase = FirebaseAccounts::from_config(accounts);
  AuthPageConfig page{accounts.firebase_project, accounts.effective_api_key(), accounts.auth_domain,
                      accounts.emulator() ? "http://" + accounts.emulator_host : ""};
  return std::make_unique<AccountService>(TokenVerifier(std::move(policy), std::move(keys), store),
                                          store, unix_now_s, AgeGate::with_random_secret(),
                                          std::move(firebase), std::move(page));
}

std::variant<Identity, http::HttpResponse> AccountService::authenticate(
    const http::HttpRequest& request, const http::HeaderList& security) {
  constexpr std::string_view scheme = "Bearer ";
  const std::string_view header = request.authorization;
  if (!header.starts_with(scheme)) {
    auto answer = http::json_response(401, {{"error", "sign-in-required"}}, security);
    answer.headers.emplace_back("WWW-Authenticate", "Bearer");
    return answer;
  }
  TokenError detail = TokenError::malformed;
  auto result = verifier_.verify(header.substr(scheme.size()), now(), &detail);
  if (auto* identity = std::get_if<Identity>(&result)) return std::move(*identity);
  const auto error = std::get<AuthError>(result);
  // The reason goes to the debug log by name only: never the token, never who it claims to be.
  if (error == AuthError::invalid_token)
    log_event(LogLevel::debug, "token-refused", {{"reason", token_error_name(detail)}});
  switch (error) {
    case AuthError::invalid_token: {
      auto answer = http::json_response(401, {{"error", "invalid-token"}}, security);
      answer.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return answer;
    }
    case AuthError::account_deleted:
      return http::json_response(403, {{"error", "account-deleted"}}, security);
    case AuthError::keys_unavailable:
    case AuthError::store_unavailable:
      return http::try_again_later(security);
  }
  return http::try_again_later(security);
}

std::variant<AccountService::PlanOf, AuthError> AccountService::plan_of(std::string_view token) {
  auto result = verifier_.verify(token, now());
  if (auto* error = std::get_if<AuthError>(&result)) return *error;
  PlanOf out{std::get<Identity>(std::move(result)).token.uid, Plan::free};
  auto profile = store_->get(out.uid);
  if (const auto* stored = std::get_if<Profile>(&profile)) {
    out.plan = stored->plan;
  } else if (std::get<StoreError>(profile) != StoreError::not_found) {
    return AuthError::store_unavailable;
  }
  return out;
}

}  // namespace cieloweb::server::accounts
