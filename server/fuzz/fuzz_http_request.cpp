// libFuzzer target for the HTTP side: bytes go through the request parser exactly as the server
// configures it (http/request_reader.hpp), and whatever parses is routed (http/router.hpp) against
// a small built page. Every answer must have a status, a Content-Type and a CSP; a body over the
// limit must come out as 413, whether the parser or the router sees it.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "http/request_reader.hpp"
#include "http/router.hpp"
#include "static_files.hpp"

using namespace cieloweb::server;
using namespace cieloweb::server::http;

namespace {

constexpr std::size_t body_limit_bytes = 256;

void check(bool ok) {
  if (!ok) std::abort();
}

bool has_header(const HttpResponse& res, std::string_view name) {
  for (const auto& [key, value] : res.headers) {
    if (key == name && !value.empty()) return true;
  }
  return false;
}

void check_response(const HttpResponse& res) {
  check(res.status >= 100 && res.status <= 599);
  check(has_header(res, "Content-Type"));
  check(has_header(res, "Content-Security-Policy"));
}

std::filesystem::path make_site() {
  const auto root = std::filesystem::temp_directory_path() / "cielo-fuzz-http-site";
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<!doctype html><title>fuzz</title>\n";
  std::ofstream(root / "assets" / "app-1234.js") << "export {};\n";
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const StaticSite site(make_site());
  static const RouteTable table =
      RouteTable::standard({"http://127.0.0.1:9099", ThirdParty::sign_in | ThirdParty::ads});
  Services services{table, site, [] { return false; }, [] { return std::string("m 1\n"); },
                    body_limit_bytes};

  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_request(bytes, body_limit_bytes);
  if (parsed.error == boost::beast::http::error::body_limit) {
    const auto answer = answer_read_error(parsed.error, table.default_security());
    check(answer.has_value() && answer->status == 413);
    check_response(*answer);
    return 0;
  }
  if (!parsed.request) return 0;
  const HttpRequest request = to_http_request(*parsed.request);
  check(request.body.size() <= body_limit_bytes);  // the parser let nothing larger through
  auto response = route(request, services);
  check_response(response);
  const auto beast_response =
      to_beast_response(std::move(response), parsed.request->version(), true);
  check(beast_response.result_int() >= 100);

  // The router alone with a body over the limit (callers other than the parser): 413.
  HttpRequest big = request;
  big.body.assign(body_limit_bytes + 1, 'x');
  const auto refused = route(big, services);
  check(refused.status == 413);
  check_response(refused);
  return 0;
}
