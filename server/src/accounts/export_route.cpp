// GET /api/me/export: one JSON download that serves both access (GDPR art. 15) and portability
// (art. 20): every stored field, what each is for and how long it is kept, the consent we hold
// (none: the ad choice lives in the person's browser), and what Firebase holds for the person.
#include <nlohmann/json.hpp>

#include "accounts/me_routes.hpp"
#include "accounts/signed_in.hpp"

namespace cieloweb::server::accounts {

namespace {

// The same words as docs/accounts.md and the dashboard: what each field is for, how long it stays.
nlohmann::json field_purposes() {
  const char* until_deleted = "until you delete your account";
  return {
      {"uid",
       {{"purpose", "Firebase's id of your account; joins your profile to your sign-in"},
        {"kept", until_deleted}}},
      {"name", {{"purpose", "how the app addresses you"}, {"kept", until_deleted}}},
      {"username", {{"purpose", "your unique handle"}, {"kept", until_deleted}}},
      {"email", {{"purpose", "sign-in and messages about your account"}, {"kept", until_deleted}}},
      {"plan", {{"purpose", "free or pro: room size, TURN relay, ads"}, {"kept", until_deleted}}},
      {"company", {{"purpose", "optional, shown only to you"}, {"kept", until_deleted}}},
      {"createdAt", {{"purpose", "when your profile was made"}, {"kept", until_deleted}}},
      {"updatedAt", {{"purpose", "when your profile last changed"}, {"kept", until_deleted}}},
      {"ageGateAt",
       {{"purpose", "when you confirmed the age requirement (your date of birth is not stored)"},
        {"kept", until_deleted}}},
      {"policyVersion",
       {{"purpose", "the privacy policy version you accepted"}, {"kept", until_deleted}}},
  };
}

}  // namespace

http::HttpResponse me_export(const http::RouteCall& call, http::Services& services) {
  auto who = sign_in(call, services);
  if (auto* answer = std::get_if<http::HttpResponse>(&who)) return std::move(*answer);
  auto& person = std::get<SignedIn>(who);
  auto profile = person.current_profile();
  if (const auto* error = std::get_if<StoreError>(&profile)) {
    return *error == StoreError::not_found
               ? http::json_response(404, {{"error", "no-profile"}}, call.security)
               : http::try_again_later(call.security);
  }
  nlohmann::json firebase = {{"unavailable", true}};
  if (const auto* accounts = person.accounts.firebase()) {
    if (auto record = accounts->lookup(person.raw_token)) firebase = std::move(*record);
  }
  const nlohmann::json document = {
      {"exportedAt", person.accounts.now()},
      {"profile", profile_json(std::get<Profile>(profile))},
      {"fieldPurposes", field_purposes()},
      {"retention",
       {{"profile", "until you delete your account; deletion is immediate"},
        {"serverLogs", "14 days; they never contain your email, name, username, company or tokens"},
        {"backups", "30 days; a ledger of deleted account ids is replayed after any restore"}}},
      {"consent",
       {{"storedByUs", false},
        {"ads",
         "Your ad choice is kept in your browser by the consent tool, not on our servers."}}},
      {"firebase", firebase},
  };
  auto answer = http::json_response(200, document, call.security);
  answer.headers.emplace_back("Content-Disposition",
                              "attachment; filename=\"cieloweb-account.json\"");
  return answer;
}

}  // namespace cieloweb::server::accounts
