#include "accounts/me_routes.hpp"

#include <nlohmann/json.hpp>

#include "accounts/account_service.hpp"
#include "accounts/profile_fields.hpp"
#include "accounts/signed_in.hpp"
#include "log.hpp"

namespace cieloweb::server::accounts {

namespace {

using http::json_response;

http::HttpResponse field_error(const FieldError& error, const http::HeaderList& security) {
  return json_response(400, {{"error", error.code}, {"field", error.field}}, security);
}

http::HttpResponse store_failure(StoreError error, const http::HeaderList& security) {
  switch (error) {
    case StoreError::not_found:
      return json_response(404, {{"error", "no-profile"}}, security);
    case StoreError::exists:
      return json_response(409, {{"error", "profile-exists"}}, security);
    case StoreError::username_taken:
      return json_response(409, {{"error", "username-taken"}, {"field", "username"}}, security);
    case StoreError::deleted:
      return json_response(403, {{"error", "account-deleted"}}, security);
    case StoreError::ambiguous:
    case StoreError::unavailable:
      break;
  }
  return http::try_again_later(security);
}

http::HttpResponse create(SignedIn& who, const nlohmann::json& body) {
  const auto& security = who.call.security;
  auto parsed = parse_new_profile(body);
  if (auto* error = std::get_if<FieldError>(&parsed)) return field_error(*error, security);
  const auto& fields = std::get<NewProfile>(parsed);
  const auto now = who.accounts.now();
  const auto passed_at = who.accounts.age_gate().check(fields.age_pass, now);
  if (!passed_at) return json_response(403, {{"error", "age-gate-required"}}, security);
  if (who.identity.token.email.empty())
    return json_response(400, {{"error", "email-required"}}, security);
  const Profile profile{who.identity.token.uid,
                        fields.name,
                        fields.username,
                        who.identity.token.email,
                        Plan::free,
                        fields.company,
                        now,
                        now,
                        *passed_at,
                        std::string(privacy_policy_version)};
  if (const auto error = who.accounts.store().create(profile))
    return store_failure(*error, security);
  who.accounts.age_gate().redeem(fields.age_pass, now);  // one pass, one profile
  log_event(LogLevel::info, "profile-created");
  return json_response(201, profile_json(profile), security);
}

http::HttpResponse edit(SignedIn& who, const nlohmann::json& body) {
  const auto& security = who.call.security;
  auto parsed = parse_profile_edit(body);
  if (auto* error = std::get_if<FieldError>(&parsed)) return field_error(*error, security);
  auto edited = who.accounts.store().edit(who.identity.token.uid, std::get<ProfileEdit>(parsed),
                                          who.accounts.now());
  if (auto* error = std::get_if<StoreError>(&edited)) return store_failure(*error, security);
  return json_response(200, profile_json(std::get<Profile>(edited)), security);
}

// The whole account: the profile row (its uid into the ledger, so the token is refused from now
// on), the person's signaling connections, then the Firebase user. The row goes first: if Firebase
// cannot be reached, nothing of the person is left here and the page deletes the Firebase user
// itself with its fresh sign-in.
http::HttpResponse remove(SignedIn& who) {
  const auto& security = who.call.security;
  if (who.accounts.now() - who.identity.token.auth_time > recent_sign_in_s)
    return json_response(403, {{"error", "recent-sign-in-required"}}, security);
  if (const auto error = who.accounts.store().remove(who.identity.token.uid))
    return store_failure(*error, security);
  who.accounts.account_deleted(who.identity.token.uid);
  const auto* firebase = who.accounts.firebase();
  const bool firebase_gone = firebase != nullptr && firebase->delete_user(who.raw_token);
  log_event(LogLevel::info, "account-deleted",
            {{"firebaseUser", firebase_gone ? "deleted" : "left"}});
  return json_response(
      200, {{"deleted", true}, {"firebaseUser", firebase_gone ? "deleted" : "left"}}, security);
}

}  // namespace

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

http::HttpResponse me(const http::RouteCall& call, http::Services& services) {
  auto who = sign_in(call, services);
  if (auto* answer = std::get_if<http::HttpResponse>(&who)) return std::move(*answer);
  auto& person = std::get<SignedIn>(who);
  switch (call.request.method) {
    case http::Method::post:
      return create(person, *call.body);
    case http::Method::put:
      return edit(person, *call.body);
    case http::Method::del:
      return remove(person);
    default:
      break;
  }
  auto profile = person.current_profile();
  if (auto* error = std::get_if<StoreError>(&profile)) return store_failure(*error, call.security);
  return json_response(200, profile_json(std::get<Profile>(profile)), call.security);
}

}  // namespace cieloweb::server::accounts
