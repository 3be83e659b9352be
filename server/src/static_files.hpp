// The built page's files, decided without sockets: which file a path maps to, its content type and
// caching, and its ETag. Which paths are the app's own routes is the router's business.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cieloweb::server {

struct StaticAnswer {
  unsigned status = 200;       // 200, 304, 404 or 503
  std::filesystem::path file;  // set for 200 (and 304: the file that would be sent)
  std::string content_type;
  std::string cache_control;
  std::string etag;
  std::string content_encoding;  // "br" or "gzip" when `file` is a precompressed copy
  bool vary_encoding = false;    // the answer depends on Accept-Encoding (a copy exists)
  std::string body;              // for 404 / 503 (and 304: empty)
};

class StaticSite {
 public:
  explicit StaticSite(std::filesystem::path web_root) : root_(std::move(web_root)) {}

  // The page itself (index.html): what the app's own routes serve (see http/router.hpp).
  StaticAnswer page(std::string_view if_none_match, std::string_view accept_encoding) const;
  // The file a percent-decoded `path` names under the web root. Every segment must be a plain
  // name: `..`, `.`, empty segments and dot files are refused (404). Hashed assets under /assets/
  // are cacheable forever; everything else revalidates.
  // The build writes brotli and gzip copies beside the files worth it (web/build/precompress.js):
  // the one `accept_encoding` allows is sent, brotli first, unless it is older than the file.
  StaticAnswer file(std::string_view path, std::string_view if_none_match,
                    std::string_view accept_encoding) const;

  // True when index.html exists (the page has been built).
  bool ready() const;

 private:
  StaticAnswer answer(std::string_view relative, bool immutable, std::string_view if_none_match,
                      std::string_view accept_encoding) const;

  std::filesystem::path root_;
};

std::string_view content_type_for(const std::filesystem::path& file);

// Percent-decodes a path; nullopt for malformed escapes or an encoded '/', '\' or NUL.
std::optional<std::string> decode_path(std::string_view path);

}  // namespace cieloweb::server
