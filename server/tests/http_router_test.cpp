// The router without sockets: requests in, responses out, against a web root in a temporary folder.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ads/ads_config.hpp"
#include "http/request_reader.hpp"
#include "http/router.hpp"
#include "static_files.hpp"

using namespace cieloweb::server;
using namespace cieloweb::server::http;

namespace {

std::string header(const HttpResponse& res, std::string_view name) {
  for (const auto& [key, value] : res.headers) {
    if (key == name) return value;
  }
  return {};
}

// Every source in a CSP that is not a keyword ('self', 'none', ...) or a scheme (data:, blob:).
std::vector<std::string> hosts_in(const std::string& csp) {
  std::vector<std::string> hosts;
  std::size_t at = 0;
  while (at < csp.size()) {
    auto end = csp.find_first_of(" ;", at);
    if (end == std::string::npos) end = csp.size();
    const std::string token = csp.substr(at, end - at);
    if (token.find("://") != std::string::npos || token.find('.') != std::string::npos)
      hosts.push_back(token);
    at = end + 1;
  }
  return hosts;
}

struct Site {
  std::filesystem::path root;
  Site() {
    root = std::filesystem::temp_directory_path() /
           ("cielo-router-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(root / "assets");
    std::ofstream(root / "index.html")
        << "<!doctype html><title>page</title>\n"
           "<script type=\"module\" crossorigin src=\"/assets/app-1234.js\"></script>\n"
           "<link rel=\"modulepreload\" crossorigin href=\"/assets/chunk-1.js\">\n";
    std::ofstream(root / "assets" / "app-1234.js") << "export {};\n";
    std::ofstream(root / "assets" / "app-1234.js.br") << "(brotli)";
  }
  ~Site() { std::filesystem::remove_all(root); }
};

struct Fixture {
  Site files;
  StaticSite site{files.root};
  RouteTable table;
  bool stopping = false;
  Services services;

  explicit Fixture(PolicyConfig config = {}, std::vector<Route> extra = {})
      : table(extra.empty() ? RouteTable::standard(config) : RouteTable(std::move(extra), config)),
        services{table, site, [this] { return stopping; }, [] { return std::string("m 1\n"); }} {}

  HttpResponse get(std::string target, Method method = Method::get) {
    HttpRequest req;
    req.method = method;
    req.target = std::move(target);
    return route(req, services);
  }
};

}  // namespace

TEST_CASE("the app's pages serve index.html; files, health and metrics as before") {
  Fixture f;
  for (const char* target : {"/", "/index.html", "/privacy", "/r/Y0Zd5xiDoZXFzpYyblVRIA", "/new"}) {
    CAPTURE(target);
    const auto res = f.get(target);
    CHECK(res.status == 200);
    CHECK(res.body.find("<title>page</title>") != std::string::npos);
    CHECK(header(res, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(res, "Cache-Control") == "no-cache");
    CHECK(header(res, "Referrer-Policy") == "no-referrer");
  }
  CHECK(f.get("/assets/app-1234.js").status == 200);
  CHECK(header(f.get("/assets/app-1234.js"), "Cache-Control") ==
        "public, max-age=31536000, immutable");
  for (const char* target : {"/r/a/b", "/r/", "/.x", "/../index.html", "/nope", "x"}) {
    CAPTURE(target);
    CHECK(f.get(target).status == 404);
  }
  CHECK(f.get("/healthz").body == "{\"status\":\"ok\"}\n");
  f.stopping = true;
  CHECK(f.get("/healthz").status == 503);
  CHECK(f.get("/metrics").body == "m 1\n");
  CHECK(f.get("/ws").status == 426);
  const auto head = f.get("/", Method::head);
  CHECK(head.status == 200);
  CHECK(head.head_only);
}

TEST_CASE("405 names the allowed methods; a body over the cap is 413") {
  Fixture f;
  for (Method m : {Method::post, Method::put, Method::del, Method::other}) {
    const auto res = f.get("/", m);
    CHECK(res.status == 405);
    CHECK(header(res, "Allow") == "GET, HEAD");
    CHECK_FALSE(header(res, "Content-Security-Policy").empty());
  }
  HttpRequest big;
  big.target = "/";
  big.body.assign(f.services.json_body_limit_bytes + 1, 'x');
  CHECK(route(big, f.services).status == 413);
}

TEST_CASE("a JSON route: 415 for another content type, 400 for bad JSON, the body to the handler") {
  std::vector<Route> routes = {
      {"/api/echo", methods_of({Method::post, Method::put}),
       [](const RouteCall& call, Services&) {
         return json_response(200, {{"got", *call.body}}, call.security);
       },
       ThirdParty::none, true},
  };
  Fixture f({}, std::move(routes));
  HttpRequest req;
  req.method = Method::post;
  req.target = "/api/echo";
  req.body = R"({"a":1})";
  req.content_type = "text/plain";
  CHECK(route(req, f.services).status == 415);
  req.content_type = "application/json; charset=utf-8";
  const auto ok = route(req, f.services);
  CHECK(ok.status == 200);
  CHECK(nlohmann::json::parse(ok.body) == nlohmann::json{{"got", {{"a", 1}}}});
  CHECK_FALSE(header(ok, "Content-Security-Policy").empty());
  req.body = "{";
  CHECK(route(req, f.services).status == 400);
  req.method = Method::get;
  const auto wrong = route(req, f.services);
  CHECK(wrong.status == 405);
  CHECK(header(wrong, "Allow") == "POST, PUT");
}

TEST_CASE("the account pages reach Firebase (and the emulator), never ads; the room page neither") {
  Fixture emulator({"", ThirdParty::sign_in | ThirdParty::ads, "http://127.0.0.1:9099", ""});
  for (const char* page : {"/signin", "/account"}) {
    const auto csp = header(emulator.get(page), "Content-Security-Policy");
    CHECK(csp.find("http://127.0.0.1:9099") != std::string::npos);
    CHECK(csp.find("https://identitytoolkit.googleapis.com") != std::string::npos);
    CHECK(csp.find("googlesyndication") == std::string::npos);
  }
  const auto room = header(emulator.get("/r/Y0Zd5xiDoZXFzpYyblVRIA"), "Content-Security-Policy");
  CHECK(room.find("9099") == std::string::npos);
  CHECK(hosts_in(room).empty());
}

TEST_CASE("the room page's CSP lists no host; opted-in pages get theirs only when configured") {
  Fixture plain;
  Fixture configured({"", ThirdParty::sign_in | ThirdParty::ads, "", ""});
  Fixture sign_in_only({"", ThirdParty::sign_in, "", ""});
  const std::string room = "/r/Y0Zd5xiDoZXFzpYyblVRIA";
  CHECK(hosts_in(header(plain.get(room), "Content-Security-Policy")).empty());
  CHECK(hosts_in(header(configured.get(room), "Content-Security-Policy")).empty());
  CHECK(hosts_in(header(plain.get("/"), "Content-Security-Policy")).empty());
  const auto landing = header(configured.get("/"), "Content-Security-Policy");
  CHECK(landing.find("https://identitytoolkit.googleapis.com") != std::string::npos);
  CHECK(landing.find("https://*.googlesyndication.com") != std::string::npos);
  CHECK(landing.find("https://googleads.g.doubleclick.net") != std::string::npos);
  CHECK(landing.find("https://fundingchoicesmessages.google.com") != std::string::npos);
  const auto only = header(sign_in_only.get("/privacy"), "Content-Security-Policy");
  CHECK(only.find("https://identitytoolkit.googleapis.com") != std::string::npos);
  CHECK(only.find("googlesyndication") == std::string::npos);
  // --csp-connect-extra reaches connect-src of every route, the room page too.
  Fixture extra({"http://127.0.0.1:9099", ThirdParty::none, "", ""});
  const auto csp = header(extra.get(room), "Content-Security-Policy");
  CHECK(csp.find("connect-src 'self' http://127.0.0.1:9099;") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
}

// The nonce a CSP names in script-src ('nonce-…'), or "" when it names none.
std::string csp_nonce(const std::string& csp) {
  const auto at = csp.find("'nonce-");
  if (at == std::string::npos) return {};
  const auto start = at + 7;
  return csp.substr(start, csp.find('\'', start) - start);
}

TEST_CASE("pages with ads run their scripts by a fresh nonce; every other page keeps 'self'") {
  Fixture ads({"", ThirdParty::ads, "", ""});
  const auto first = ads.get("/");
  const auto csp = header(first, "Content-Security-Policy");
  const auto nonce = csp_nonce(csp);
  REQUIRE(nonce.size() == 24);  // 16 random bytes, base64
  CHECK(csp.find("'strict-dynamic'") != std::string::npos);
  CHECK(csp.find("{nonce}") == std::string::npos);
  // Every script and module preload of the page carries it, and nothing else does.
  const std::string attribute = "nonce=\"" + nonce + "\"";
  CHECK(first.body.find("<script " + attribute + " type=\"module\"") != std::string::npos);
  CHECK(first.body.find("<link " + attribute + " rel=\"modulepreload\"") != std::string::npos);
  CHECK(header(first, "Cache-Control") == "no-store");
  CHECK(header(first, "ETag").empty());
  // Another response, another nonce; a browser's stored copy is never answered 304.
  const auto second = ads.get("/privacy");
  CHECK(csp_nonce(header(second, "Content-Security-Policy")) != nonce);
  CHECK(second.status == 200);
  CHECK(second.body.find(attribute) == std::string::npos);
  // The room, room-making, account and sign-in pages, and the files: no nonce, no ad host,
  // scripts from 'self'.
  for (const char* other :
       {"/r/Y0Zd5xiDoZXFzpYyblVRIA", "/new", "/account", "/signin", "/assets/app-1234.js"}) {
    const auto res = ads.get(other);
    const auto policy = header(res, "Content-Security-Policy");
    CHECK_MESSAGE(csp_nonce(policy).empty(), other);
    CHECK_MESSAGE(policy.find("script-src 'self' 'wasm-unsafe-eval';") != std::string::npos, other);
    CHECK_MESSAGE(policy.find("googlesyndication") == std::string::npos, other);
    CHECK_MESSAGE(res.body.find("nonce=") == std::string::npos, other);
  }
  // Without ads configured the landing page keeps the strict policy too.
  Fixture plain;
  CHECK(header(plain.get("/"), "Content-Security-Policy").find("script-src 'self'") !=
        std::string::npos);
}

TEST_CASE("ads.txt and the page's ad configuration come from the configuration alone") {
  Fixture none;
  CHECK(none.get("/ads.txt").status == 404);
  CHECK(none.get("/api/ads-config").body == "{\"ads\":false}\n");
  AdsConfig config;
  config.client = "ca-pub-1234567890123456";
  config.slots = {{"landing", "1111111111"}};
  Fixture ads({"", ThirdParty::ads, "", ""});
  ads.services.ads = &config;
  const auto txt = ads.get("/ads.txt");
  CHECK(txt.status == 200);
  CHECK(txt.body == "google.com, pub-1234567890123456, DIRECT, f08c47fec0942fa0\n");
  const auto answer = nlohmann::json::parse(ads.get("/api/ads-config").body);
  CHECK(answer["ads"] == true);
  CHECK(answer["client"] == "ca-pub-1234567890123456");
  CHECK(answer["slots"]["landing"] == "1111111111");
  CHECK(answer["cmp"] == "google");
}

TEST_CASE("the shared parser configuration: a body over the limit fails as body_limit -> 413") {
  const std::string over =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
      "5000\r\n\r\n";
  const auto parsed = parse_request(over, 1024);
  CHECK(parsed.error == boost::beast::http::error::body_limit);
  const auto answer = answer_read_error(parsed.error, {});
  REQUIRE(answer.has_value());
  CHECK(answer->status == 413);
  const auto ok = parse_request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1024);
  REQUIRE(ok.request.has_value());
  CHECK(to_http_request(*ok.request).target == "/healthz");
  CHECK_FALSE(answer_read_error(boost::beast::http::error::bad_target, {}).has_value());
}

TEST_CASE("account routes run on the pool, metrics on the signaling thread, the rest on HTTP's") {
  const auto table = RouteTable::standard({});
  const auto thread = [&](std::string target) {
    HttpRequest request;
    request.target = std::move(target);
    return route_thread(request, table);
  };
  CHECK(thread("/api/me") == RunsOn::blocking_pool);
  CHECK(thread("/api/me?x=1") == RunsOn::blocking_pool);
  CHECK(thread("/api/%6De") == RunsOn::blocking_pool);  // the decoded path decides, as in route()
  CHECK(thread("/api/me/export") == RunsOn::blocking_pool);
  CHECK(thread("/metrics") == RunsOn::signaling_thread);
  CHECK(thread("/") == RunsOn::http_thread);
  CHECK(thread("/healthz") == RunsOn::http_thread);
  CHECK(thread("/ws") == RunsOn::http_thread);
  CHECK(thread("/r/abc") == RunsOn::http_thread);
  CHECK(thread("/assets/app.js") == RunsOn::http_thread);
  CHECK(thread("api/me") == RunsOn::http_thread);
}

TEST_CASE("installable: /share under the room's policy; sw.js and the manifest revalidate") {
  Fixture f({"", ThirdParty::sign_in | ThirdParty::ads, "", ""});
  std::ofstream(f.files.root / "sw.js") << "self.addEventListener('fetch', () => {});\n";
  std::ofstream(f.files.root / "manifest.webmanifest") << "{\"name\":\"CieloWeb Share\"}\n";
  const auto share = f.get("/share");
  CHECK(share.status == 200);
  CHECK(share.body.find("<title>page</title>") != std::string::npos);
  const auto share_csp = header(share, "Content-Security-Policy");
  CHECK(hosts_in(share_csp).empty());
  CHECK(csp_nonce(share_csp).empty());
  // The share target's POST is the service worker's; without one the server refuses it.
  const auto post = f.get("/share", Method::post);
  CHECK(post.status == 405);
  CHECK(header(post, "Allow") == "GET, HEAD");
  // The worker is fetched from the root and checked for updates on every visit.
  const auto worker = f.get("/sw.js");
  CHECK(worker.status == 200);
  CHECK(header(worker, "Content-Type") == "text/javascript; charset=utf-8");
  CHECK(header(worker, "Cache-Control") == "no-cache");
  const auto manifest = f.get("/manifest.webmanifest");
  CHECK(manifest.status == 200);
  CHECK(header(manifest, "Content-Type") == "application/manifest+json");
  CHECK(header(manifest, "Cache-Control") == "no-cache");
  // Every page's policy admits the worker and the manifest (default-src) from its own origin.
  for (const char* page : {"/", "/privacy", "/r/Y0Zd5xiDoZXFzpYyblVRIA", "/share", "/account"}) {
    const auto csp = header(f.get(page), "Content-Security-Policy");
    CHECK_MESSAGE(csp.find("default-src 'self';") != std::string::npos, page);
    CHECK_MESSAGE(csp.find("worker-src 'self' blob:;") != std::string::npos, page);
    CHECK_MESSAGE(csp.find("manifest-src") == std::string::npos, page);
  }
}
