#include "accounts/me_routes.hpp"

#include <nlohmann/json.hpp>

#include "accounts/account_service.hpp"

namespace cieloweb::server::accounts {

namespace {

nlohmann::json profile_json(const Profile& p) {
  return {{"uid", p.uid},
          {"name", p.name},
          {"username", p.username},
          {"email", p.email},
          {"plan", plan_name(p.plan)},
          {"company", p.company},
          {"createdAt", p.created_at},
          {"updatedAt", p.updated_at},
          {"ageGateAt", p.age_gate_at},
          {"policyVersion", p.policy_version}};
}

}  // namespace

http::HttpResponse get_me(const http::RouteCall& call, http::Services& services) {
  auto* accounts = services.accounts;
  if (accounts == nullptr)
    return http::json_response(404, {{"error", "accounts-off"}}, call.security);
  auto who = accounts->authenticate(call.request, call.security);
  if (auto* answer = std::get_if<http::HttpResponse>(&who)) return std::move(*answer);
  const auto& identity = std::get<Identity>(who);
  const auto profile = accounts->store().get(identity.token.uid);
  if (const auto* error = std::get_if<StoreError>(&profile)) {
    return *error == StoreError::not_found
               ? http::json_response(404, {{"error", "no-profile"}}, call.security)
               : http::try_again_later(call.security);
  }
  return http::json_response(200, profile_json(std::get<Profile>(profile)), call.security);
}

}  // namespace cieloweb::server::accounts
