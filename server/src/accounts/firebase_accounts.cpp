#include "accounts/firebase_accounts.hpp"

#include "accounts/http_fetch.hpp"
#include "config.hpp"
#include "log.hpp"

namespace cieloweb::server::accounts {

namespace {

// What a person's export shows of their Firebase record. A whitelist: anything Firebase adds
// later stays out until someone decides it belongs to the person.
constexpr const char* exported_fields[] = {
    "localId",   "email",       "emailVerified", "displayName",       "photoUrl",
    "createdAt", "lastLoginAt", "lastRefreshAt", "passwordUpdatedAt", "disabled"};
constexpr const char* exported_provider_fields[] = {"providerId", "email", "displayName",
                                                    "federatedId"};

nlohmann::json pick(const nlohmann::json& from, const auto& fields) {
  nlohmann::json out = nlohmann::json::object();
  for (const char* field : fields) {
    if (const auto found = from.find(field); found != from.end()) out[field] = *found;
  }
  return out;
}

}  // namespace

FirebaseAccounts::FirebaseAccounts(std::string api_base, std::string api_key, PostJson post)
    : api_base_(std::move(api_base)), api_key_(std::move(api_key)), post_(std::move(post)) {}

FirebaseAccounts FirebaseAccounts::from_config(const AccountsConfig& config) {
  const std::string base =
      config.emulator() ? "http://" + config.emulator_host + "/identitytoolkit.googleapis.com/v1"
                        : "https://identitytoolkit.googleapis.com/v1";
  return FirebaseAccounts(base, config.effective_api_key(),
                          [](const std::string& url, const std::string& body) {
                            return http_post_json(url, body, firebase_call_deadline);
                          });
}

FetchResponse FirebaseAccounts::call(std::string_view method, std::string_view id_token) const {
  if (calling_->exchange(true)) return FetchResponse{0, {}, {}, "busy"};
  struct Release {
    std::atomic<bool>& flag;
    ~Release() { flag = false; }
  } release{*calling_};
  const nlohmann::json body = {{"idToken", id_token}};
  // The key is public (the page has it too); it only names the project to Google.
  auto answer =
      post_(api_base_ + "/accounts:" + std::string(method) + "?key=" + api_key_, body.dump());
  if (answer.status != 200) {
    // The status and transport error only: Firebase's message may name the person.
    log_event(LogLevel::warn, "firebase-call-failed",
              {{"call", std::string(method)},
               {"status", std::to_string(answer.status)},
               {"error", answer.error}});
  }
  return answer;
}

std::optional<nlohmann::json> FirebaseAccounts::lookup(std::string_view id_token) const {
  const auto answer = call("lookup", id_token);
  if (answer.status != 200) return std::nullopt;
  const auto parsed = nlohmann::json::parse(answer.body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("users") || !parsed["users"].is_array() ||
      parsed["users"].size() != 1 || !parsed["users"][0].is_object())
    return std::nullopt;
  const auto& user = parsed["users"][0];
  auto out = pick(user, exported_fields);
  if (const auto providers = user.find("providerUserInfo");
      providers != user.end() && providers->is_array()) {
    out["providerUserInfo"] = nlohmann::json::array();
    for (const auto& provider : *providers) {
      if (provider.is_object())
        out["providerUserInfo"].push_back(pick(provider, exported_provider_fields));
    }
  }
  return out;
}

bool FirebaseAccounts::delete_user(std::string_view id_token) const {
  return call("delete", id_token).status == 200;
}

}  // namespace cieloweb::server::accounts
