// The HTTP side as one pure function: route(request, services) -> response. A table of routes
// (pattern, methods, handler, which third parties the page may use) decides everything: the app's
// own pages (/, /privacy, /r/<room-id>) serve index.html from here and nowhere else; /healthz,
// /metrics and the plain-GET answer of /ws too; anything else is a file of the built page. Answers
// 404 (no route), 405 with Allow (a method the route does not take), 413 (a body over the cap),
// 415 (a JSON route given another content type) and 400 (a JSON route given bad JSON).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "http/security_policy.hpp"

namespace cieloweb::server {
class StaticSite;
struct AdsConfig;
namespace accounts {
class AccountService;
}
}  // namespace cieloweb::server

namespace cieloweb::server::http {

// The largest request body the server reads (every route; JSON routes take nothing larger). The
// request parser's body limit is this, so a larger body is answered 413 before it is read. A
// profile edit is far smaller; every connection may buffer this much, so it stays small.
inline constexpr std::size_t default_json_body_limit_bytes = 4 * 1024;

struct Services;

// What a handler gets besides the services: the request, the path parameter (the room id of
// /r/<room-id>), the parsed body on a JSON route (null otherwise), and the route's security headers
// for its answer (route() adds them to an answer that has none).
struct RouteCall {
  const HttpRequest& request;
  std::string_view param;
  const nlohmann::json* body;
  const HeaderList& security;
  bool script_nonce = false;  // the route's page gets a fresh nonce (RouteTable::Entry)
};

using Handler = std::function<HttpResponse(const RouteCall& call, Services& services)>;

// Which thread runs a route's handler. The HTTP thread reads and writes every request; a handler
// that blocks (a database, a key fetch) runs on the blocking pool, and one that reads signaling
// state (metrics) runs on the signaling thread, which owns that state. Either way the answer is
// written back on the HTTP thread, which never waits.
enum class RunsOn { http_thread, blocking_pool, signaling_thread };

struct Route {
  // "/exact", or "/prefix/:name" for one non-empty path segment after the prefix.
  std::string pattern;
  MethodSet methods;
  Handler handler;
  ThirdParty may_use = ThirdParty::none;  // admitted only where the configuration enables them
  bool json_body = false;                 // POST/PUT bodies must be application/json and parse
  RunsOn runs_on = RunsOn::http_thread;
};

// How the security headers are built: what --csp-connect-extra adds, and which third parties the
// configuration turns on (none by default).
struct PolicyConfig {
  std::string connect_extra;
  ThirdParty enabled = ThirdParty::none;
  std::string sign_in_connect;  // added to connect-src where sign-in is admitted (the emulator)
  std::string ads_cmp_origin;   // a configured CMP's origin, admitted where ads are
};

class RouteTable {
 public:
  // The server's routes; every route's security headers are built here, once.
  static RouteTable standard(const PolicyConfig& config);
  // Any routes (tests add JSON routes); the file fallback comes after them.
  RouteTable(std::vector<Route> routes, const PolicyConfig& config);

  struct Entry {
    Route route;
    HeaderList security;
    // The route admits ads: its scripts run by a nonce written into each response (the page is
    // never cached or answered 304, since the nonce changes every time).
    bool script_nonce = false;
  };
  // The route matching `path` (already percent-decoded, no query) and its parameter; null if none.
  const Entry* match(std::string_view path, std::string_view& param) const;
  // Headers for answers outside any route (404, 405 of the file fallback, files).
  const HeaderList& default_security() const { return default_security_; }

 private:
  std::vector<Entry> entries_;
  HeaderList default_security_;
};

struct Services {
  const RouteTable& routes;
  const StaticSite& site;
  std::function<bool()> shutting_down;
  std::function<std::string()> render_metrics;  // signaling thread only (see RunsOn)
  std::size_t json_body_limit_bytes = default_json_body_limit_bytes;
  // Accounts (Firebase sign-in, profiles); null when not configured. Thread-safe: blocking
  // routes use it from the pool's threads.
  accounts::AccountService* accounts = nullptr;
  const AdsConfig* ads = nullptr;  // AdSense; null or not enabled: no ads
};

// Answers `request`. Never throws for any input; every response carries a status, a
// Content-Type and the security headers (CSP included) of the route that answered.
HttpResponse route(const HttpRequest& request, Services& services);

// Which thread route() must run on for `request` (the HTTP thread when no route matches).
RunsOn route_thread(const HttpRequest& request, const RouteTable& table);

// A response of `status` with a short text body (and no caching), security headers included.
HttpResponse text_response(unsigned status, std::string body, const HeaderList& security,
                           std::string_view content_type = "text/plain; charset=utf-8");
// A JSON response: `value` serialised, followed by a newline.
HttpResponse json_response(unsigned status, const nlohmann::json& value,
                           const HeaderList& security);
// 503 {"error":"try-again-later"}: blocking work could not be done now (pool full or stopping,
// signing keys or the database unavailable). Nothing was changed.
HttpResponse try_again_later(const HeaderList& security);

}  // namespace cieloweb::server::http
