#include "accounts/signed_in.hpp"

#include <nlohmann/json.hpp>

namespace cieloweb::server::accounts {

StoreResult<Profile> SignedIn::current_profile() {
  auto profile = accounts.store().get(identity.token.uid);
  auto* stored = std::get_if<Profile>(&profile);
  const auto& token = identity.token;
  if (stored == nullptr || !token.email_verified || token.email.empty() ||
      token.email == stored->email)
    return profile;
  ProfileEdit new_email;
  new_email.email = token.email;
  return accounts.store().edit(token.uid, new_email, accounts.now());
}

std::variant<SignedIn, http::HttpResponse> sign_in(const http::RouteCall& call,
                                                   http::Services& services) {
  auto* accounts = services.accounts;
  if (accounts == nullptr)
    return http::json_response(404, {{"error", "accounts-off"}}, call.security);
  auto who = accounts->authenticate(call.request, call.security);
  if (auto* answer = std::get_if<http::HttpResponse>(&who)) return std::move(*answer);
  // authenticate() took the token after "Bearer ".
  return SignedIn{call, *accounts, std::get<Identity>(std::move(who)),
                  call.request.authorization.substr(7)};
}

}  // namespace cieloweb::server::accounts
