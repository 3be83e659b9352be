#include "http/router.hpp"

#include "accounts/me_routes.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ads/ads_config.hpp"
#include "static_files.hpp"

namespace cieloweb::server::http {
namespace {

constexpr MethodSet read_only = methods_of({Method::get, Method::head});

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

void add_security(HttpResponse& res, const HeaderList& security) {
  res.headers.insert(res.headers.end(), security.begin(), security.end());
}

// A file of the built page (index.html for the app's own routes), or its 304/404/503.
HttpResponse from_static(const StaticAnswer& found, const HeaderList& security) {
  if (found.status == 404 || found.status == 503) {
    return text_response(found.status, found.body, security, found.content_type);
  }
  HttpResponse res;
  res.status = found.status;
  if (found.status == 200) {
    auto content = read_file(found.file);
    if (!content) return text_response(404, "Not found\n", security);
    res.body = std::move(*content);
  }
  res.headers = {{"Content-Type", found.content_type},
                 {"Cache-Control", found.cache_control},
                 {"ETag", found.etag}};
  if (!found.content_encoding.empty())
    res.headers.emplace_back("Content-Encoding", found.content_encoding);
  if (found.vary_encoding) res.headers.emplace_back("Vary", "Accept-Encoding");
  add_security(res, security);
  return res;
}

// The app routes on the client: a reload or a shared link of its pages must get the page. A page
// with a nonce is never answered 304 (the copy a browser holds names another nonce) and is sent
// uncompressed: the nonce is written into it per response.
HttpResponse serve_page(const RouteCall& call, Services& services) {
  if (call.script_nonce) return from_static(services.site.page("", ""), call.security);
  return from_static(services.site.page(call.request.if_none_match, call.request.accept_encoding),
                     call.security);
}

// ads.txt (IAB): which ad systems may sell this site's ad space. Only what is configured.
HttpResponse ads_txt(const RouteCall& call, Services& services) {
  if (services.ads == nullptr || !services.ads->enabled())
    return text_response(404, "Not found\n", call.security);
  return text_response(200, services.ads->ads_txt(), call.security);
}

// What the page needs to show ads: whether there are any, the publisher id, the units and who
// asks for consent. Public, like the tag that carries the same.
HttpResponse ads_config(const RouteCall& call, Services& services) {
  const auto* ads = services.ads;
  if (ads == nullptr || !ads->enabled()) return json_response(200, {{"ads", false}}, call.security);
  nlohmann::json slots = nlohmann::json::object();
  for (const auto& [place, slot] : ads->slots) slots[place] = slot;
  nlohmann::json answer = {{"ads", true},
                           {"client", ads->client},
                           {"slots", slots},
                           {"cmp", ads->cmp == AdsCmp::google ? "google" : "script"}};
  if (ads->cmp == AdsCmp::script) answer["cmpScript"] = ads->cmp_script;
  return json_response(200, answer, call.security);
}

std::vector<Route> standard_routes() {
  const Handler page = serve_page;
  return {
      {"/healthz", read_only,
       [](const RouteCall& call, Services& s) {
         const bool stopping = s.shutting_down && s.shutting_down();
         return json_response(stopping ? 503 : 200, {{"status", stopping ? "stopping" : "ok"}},
                              call.security);
       }},
      {"/metrics", read_only,
       [](const RouteCall& call, Services& s) {
         return text_response(200, s.render_metrics ? s.render_metrics() : std::string(),
                              call.security, "text/plain; version=0.0.4; charset=utf-8");
       },
       ThirdParty::none, false, RunsOn::signaling_thread},
      // The upgrade itself never gets here (the session hands it over first).
      {"/ws", read_only,
       [](const RouteCall& call, Services&) {
         return text_response(426, "WebSocket endpoint\n", call.security);
       }},
      // The landing page is where sign-in and ads may go; the room page never has a third party.
      {"/", read_only, page, ThirdParty::sign_in | ThirdParty::ads},
      {"/index.html", read_only, page, ThirdParty::sign_in | ThirdParty::ads},
      {"/privacy", read_only, page, ThirdParty::sign_in | ThirdParty::ads},
      {"/r/:room", read_only, page, ThirdParty::none},
      // Where a room is made when the landing page has ad code in it: under the room's policy.
      {"/new", read_only, page, ThirdParty::none},
      // Files shared to the installed app wait here for a room (the service worker takes the
      // share target's POST; without one, it is refused here: 405): the room's policy too.
      {"/share", read_only, page, ThirdParty::none},
      // The account pages load Firebase Auth, never ads (export and deletion live there).
      {"/signin", read_only, page, ThirdParty::sign_in},
      {"/account", read_only, page, ThirdParty::sign_in},
      {"/api/auth-config", read_only, accounts::auth_config},
      {"/ads.txt", read_only, ads_txt},
      {"/api/ads-config", read_only, ads_config},
      {"/api/age-gate", methods_of({Method::post}), accounts::age_gate, ThirdParty::none, true},
      {"/api/me", methods_of({Method::get, Method::post, Method::put, Method::del}), accounts::me,
       ThirdParty::none, true, RunsOn::blocking_pool},
      {"/api/me/export", methods_of({Method::get}), accounts::me_export, ThirdParty::none, false,
       RunsOn::blocking_pool},
  };
}

}  // namespace

std::string allow_header(MethodSet set) {
  static constexpr std::pair<Method, std::string_view> names[] = {
      {Method::get, "GET"}, {Method::head, "HEAD"},  {Method::post, "POST"},
      {Method::put, "PUT"}, {Method::del, "DELETE"},
  };
  std::string out;
  for (const auto& [m, name] : names) {
    if (!contains(set, m)) continue;
    if (!out.empty()) out.append(", ");
    out.append(name);
  }
  return out;
}

bool is_json_content_type(std::string_view value) {
  const auto end = value.find(';');
  std::string_view type = value.substr(0, end);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

RouteTable RouteTable::standard(const PolicyConfig& config) {
  return RouteTable(standard_routes(), config);
}

RouteTable::RouteTable(std::vector<Route> routes, const PolicyConfig& config)
    : default_security_(SecurityPolicy::same_origin(config.connect_extra).headers()) {
  for (auto& r : routes) {
    auto policy = SecurityPolicy::same_origin(config.connect_extra);
    policy.admit(r.may_use & config.enabled);
    // The Auth emulator's origin, for the pages that sign in (make run, tests).
    if (any(r.may_use & config.enabled & ThirdParty::sign_in) && !config.sign_in_connect.empty())
      policy.allow("connect-src", config.sign_in_connect);
    const bool ads = any(r.may_use & config.enabled & ThirdParty::ads);
    if (ads) {
      policy.scripts_by_nonce();
      if (!config.ads_cmp_origin.empty()) {
        policy.allow("connect-src", config.ads_cmp_origin);
        policy.allow("frame-src", config.ads_cmp_origin);
      }
    }
    entries_.push_back({std::move(r), policy.headers(), ads});
  }
}

const RouteTable::Entry* RouteTable::match(std::string_view path, std::string_view& param) const {
  for (const auto& entry : entries_) {
    std::string_view pattern = entry.route.pattern;
    const auto colon = pattern.find("/:");
    if (colon == std::string_view::npos) {
      if (path == pattern) {
        param = {};
        return &entry;
      }
      continue;
    }
    const auto prefix = pattern.substr(0, colon + 1);
    if (!path.starts_with(prefix)) continue;
    const auto rest = path.substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string_view::npos) continue;
    param = rest;
    return &entry;
  }
  return nullptr;
}

HttpResponse text_response(unsigned status, std::string body, const HeaderList& security,
                           std::string_view content_type) {
  HttpResponse res;
  res.status = status;
  res.headers = {{"Content-Type", std::string(content_type)}, {"Cache-Control", "no-store"}};
  add_security(res, security);
  res.body = std::move(body);
  return res;
}

HttpResponse json_response(unsigned status, const nlohmann::json& value,
                           const HeaderList& security) {
  return text_response(status, value.dump() + "\n", security, "application/json");
}

HttpResponse try_again_later(const HeaderList& security) {
  return json_response(503, {{"error", "try-again-later"}}, security);
}

RunsOn route_thread(const HttpRequest& request, const RouteTable& table) {
  const std::string_view target = request.target;
  const std::string_view raw_path = target.substr(0, target.find_first_of("?#"));
  if (raw_path.empty() || raw_path.front() != '/') return RunsOn::http_thread;
  const auto path = decode_path(raw_path);
  std::string_view param;
  const auto* entry = path ? table.match(*path, param) : nullptr;
  return entry != nullptr ? entry->route.runs_on : RunsOn::http_thread;
}

namespace {

// The page of a route with a nonce: the nonce on its script tags, and neither cached nor
// validated (a stored copy would carry a nonce no later policy names).
void with_nonce_in_page(HttpResponse& res, std::string_view nonce) {
  bool html = false;
  for (auto& [name, value] : res.headers) {
    if (name == "Content-Type") html = value.starts_with("text/html");
    if (name == "Cache-Control") value = "no-store";
  }
  std::erase_if(res.headers, [](const auto& header) { return header.first == "ETag"; });
  if (html) res.body = add_nonce_to_scripts(res.body, nonce);
}

}  // namespace

HttpResponse route(const HttpRequest& request, Services& services) {
  const RouteTable& table = services.routes;
  const auto& fallback = table.default_security();
  const std::string_view target = request.target;
  const std::string_view raw_path = target.substr(0, target.find_first_of("?#"));
  std::optional<std::string> path;
  if (!raw_path.empty() && raw_path.front() == '/') path = decode_path(raw_path);

  std::string_view param;
  const RouteTable::Entry* entry = path ? table.match(*path, param) : nullptr;
  const MethodSet allowed = entry ? entry->route.methods : read_only;
  const bool script_nonce = entry != nullptr && entry->script_nonce;
  const std::string nonce = script_nonce ? new_script_nonce() : std::string();
  const HeaderList nonced = script_nonce ? with_nonce(entry->security, nonce) : HeaderList{};
  const HeaderList& security = script_nonce ? nonced : entry ? entry->security : fallback;
  if (request.body.size() > services.json_body_limit_bytes) {
    return text_response(413, "Request body too large\n", security);
  }
  if (!contains(allowed, request.method)) {
    auto res = text_response(405, "Method not allowed\n", security);
    res.headers.emplace_back("Allow", allow_header(allowed));
    return res;
  }

  HttpResponse res;
  if (entry == nullptr) {
    // Not one of the routes: a file of the built page.
    res = path ? from_static(
                     services.site.file(*path, request.if_none_match, request.accept_encoding),
                     fallback)
               : text_response(404, "Not found\n", fallback);
  } else {
    nlohmann::json body;
    const bool has_body = request.method == Method::post || request.method == Method::put;
    if (entry->route.json_body && has_body) {
      if (!is_json_content_type(request.content_type)) {
        return text_response(415, "Content-Type must be application/json\n", security);
      }
      body = nlohmann::json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return json_response(400, {{"error", "bad-json"}}, security);
    }
    const RouteCall call{request, param, entry->route.json_body && has_body ? &body : nullptr,
                         security, script_nonce};
    try {
      res = entry->route.handler(call, services);
    } catch (const std::exception&) {
      // A handler that trips over a body it did not expect must not take the connection down.
      return json_response(500, {{"error", "internal"}}, security);
    }
    // Handlers that build their own answer get their route's headers here.
    bool has_csp = false;
    for (const auto& [name, value] : res.headers) has_csp |= name == "Content-Security-Policy";
    if (!has_csp) add_security(res, security);
    if (script_nonce) with_nonce_in_page(res, nonce);
  }
  if (request.method == Method::head) res.head_only = true;
  return res;
}

}  // namespace cieloweb::server::http
