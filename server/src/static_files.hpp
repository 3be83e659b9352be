// What the HTTP side answers, decided without sockets: which file a path maps to (single-page app
// routes included), its content type and caching, and the security headers every response carries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cieloweb::server {

struct StaticAnswer {
  unsigned status = 200;       // 200, 304, 404 or 503
  std::filesystem::path file;  // set for 200 (and 304: the file that would be sent)
  std::string content_type;
  std::string cache_control;
  std::string etag;
  std::string body;  // for 404 / 503 (and 304: empty)
};

class StaticSite {
 public:
  explicit StaticSite(std::filesystem::path web_root) : root_(std::move(web_root)) {}

  // Maps a request target to an answer. `/` and `/r/<room>` serve index.html (the page routes on
  // the client); other paths name files under the web root; `..`, encoded slashes, NUL and dot
  // files are refused. Hashed assets under /assets/ are cacheable forever; everything else
  // revalidates.
  StaticAnswer resolve(std::string_view target, std::string_view if_none_match) const;

  // True when index.html exists (the page has been built).
  bool ready() const;

 private:
  std::filesystem::path root_;
};

std::string_view content_type_for(const std::filesystem::path& file);

// Percent-decodes a path; nullopt for malformed escapes or an encoded '/', '\' or NUL.
std::optional<std::string> decode_path(std::string_view path);

// The Content-Security-Policy for the page: same-origin scripts plus WASM compilation, same-origin
// WebSocket, Firebase Auth and AdSense hosts, nothing else. `connect_extra` is appended to
// connect-src.
std::string content_security_policy(std::string_view connect_extra);

// Headers set on every HTTP response (CSP included).
std::vector<std::pair<std::string, std::string>> security_headers(std::string_view connect_extra);

}  // namespace cieloweb::server
