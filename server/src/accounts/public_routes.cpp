// The account routes that need no sign-in: how the page reaches Firebase, and the 16+ screen.
// Neither blocks (no disk, no network), so they run on the HTTP thread.
#include <nlohmann/json.hpp>

#include "accounts/account_service.hpp"
#include "accounts/me_routes.hpp"

namespace cieloweb::server::accounts {

namespace {

constexpr std::string_view refusal_cookie = "cw_age_gate=refused";

bool has_refusal_marker(std::string_view cookie_header) {
  // Cookie: a=1; cw_age_gate=refused; b=2
  std::size_t at = 0;
  while (at < cookie_header.size()) {
    while (at < cookie_header.size() && (cookie_header[at] == ' ' || cookie_header[at] == ';'))
      ++at;
    const auto end = std::min(cookie_header.find(';', at), cookie_header.size());
    if (cookie_header.substr(at, end - at) == refusal_cookie) return true;
    at = end;
  }
  return false;
}

}  // namespace

http::HttpResponse auth_config(const http::RouteCall& call, http::Services& services) {
  const auto* accounts = services.accounts;
  if (accounts == nullptr) return http::json_response(200, {{"enabled", false}}, call.security);
  const auto& page = accounts->page_config();
  return http::json_response(
      200,
      {{"enabled", true},
       {"projectId", page.project_id},
       {"apiKey", page.api_key},
       {"authDomain", page.auth_domain},
       {"emulator",
        page.emulator_origin.empty() ? nlohmann::json() : nlohmann::json(page.emulator_origin)},
       {"googleSignIn", page.emulator_origin.empty() && !page.auth_domain.empty()}},
      call.security);
}

http::HttpResponse age_gate(const http::RouteCall& call, http::Services& services) {
  const auto* accounts = services.accounts;
  if (accounts == nullptr)
    return http::json_response(404, {{"error", "accounts-off"}}, call.security);
  auto refused = [&] {
    auto answer = http::json_response(403, {{"error", "age-gate-refused"}}, call.security);
    // Strictly necessary and holding no date: it only stops an immediate retry with another date.
    answer.headers.emplace_back("Set-Cookie",
                                std::string(refusal_cookie) +
                                    "; Max-Age=" + std::to_string(age_refusal_marker_s) +
                                    "; Path=/api/age-gate; HttpOnly; SameSite=Strict");
    return answer;
  };
  if (has_refusal_marker(call.request.cookie)) return refused();
  const auto& body = *call.body;
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (key != "birthDate")
        return http::json_response(400, {{"error", "unknown-field"}, {"field", key}},
                                   call.security);
    }
  }
  const auto date = body.is_object() ? body.find("birthDate") : body.end();
  if (!body.is_object() || date == body.end() || !date->is_string()) {
    return http::json_response(400, {{"error", "invalid-birth-date"}, {"field", "birthDate"}},
                               call.security);
  }
  // The date lives only in this request: it is neither stored nor logged, and the pass holds
  // nothing of it.
  auto result = accounts->age_gate().screen(date->get_ref<const std::string&>(), accounts->now());
  if (auto* pass = std::get_if<AgePass>(&result)) {
    return http::json_response(
        200, {{"pass", pass->text}, {"policyVersion", privacy_policy_version}}, call.security);
  }
  if (std::get<AgeGateError>(result) == AgeGateError::refused) return refused();
  return http::json_response(400, {{"error", "invalid-birth-date"}, {"field", "birthDate"}},
                             call.security);
}

}  // namespace cieloweb::server::accounts
