#include "static_files.hpp"

#include <system_error>

#include "http/accept_encoding.hpp"

namespace cieloweb::server {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view index_file = "index.html";
constexpr std::string_view cache_immutable = "public, max-age=31536000, immutable";
constexpr std::string_view cache_revalidate = "no-cache";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A precompressed copy of `file` (".br", ".gz") that is a regular file no older than it.
bool fresh_copy(const fs::path& copy, fs::file_time_type source_mtime) {
  std::error_code ec;
  if (!fs::is_regular_file(copy, ec) || ec) return false;
  const auto mtime = fs::last_write_time(copy, ec);
  return !ec && mtime >= source_mtime;
}

StaticAnswer not_found() {
  StaticAnswer a;
  a.status = 404;
  a.content_type = "text/plain; charset=utf-8";
  a.cache_control = "no-store";
  a.body = "Not found\n";
  return a;
}

}  // namespace

std::optional<std::string> decode_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return std::nullopt;
      const int hi = hex_value(path[i + 1]);
      const int lo = hex_value(path[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      if (c == '/' || c == '\\' || c == '\0') return std::nullopt;
      i += 2;
    } else if (c == '\\' || c == '\0') {
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

std::string_view content_type_for(const fs::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".webp") return "image/webp";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool StaticSite::ready() const {
  std::error_code ec;
  return fs::is_regular_file(root_ / index_file, ec);
}

StaticAnswer StaticSite::page(std::string_view if_none_match,
                              std::string_view accept_encoding) const {
  return answer(index_file, false, if_none_match, accept_encoding);
}

StaticAnswer StaticSite::file(std::string_view path, std::string_view if_none_match,
                              std::string_view accept_encoding) const {
  if (path.empty() || path.front() != '/') return not_found();
  // Every segment must be a plain name: no "..", ".", empty segments or dot files.
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    if (segment.empty() || segment.front() == '.') return not_found();
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (slash != std::string_view::npos && rest.empty()) return not_found();
  }
  // Vite puts content-hashed names under /assets/: a new build means new names.
  return answer(path.substr(1), path.starts_with("/assets/"), if_none_match, accept_encoding);
}

StaticAnswer StaticSite::answer(std::string_view relative, bool immutable,
                                std::string_view if_none_match,
                                std::string_view accept_encoding) const {
  if (!ready()) {
    StaticAnswer a;
    a.status = 503;
    a.content_type = "text/plain; charset=utf-8";
    a.cache_control = "no-store";
    a.body =
        "CieloWeb Share: the page has not been built yet (no index.html in the web root).\n"
        "Run `make run`, which builds it, or start the server with --web-root pointing at it.\n";
    return a;
  }

  std::error_code ec;
  const fs::path file = root_ / relative;
  const auto status = fs::status(file, ec);
  if (ec || !fs::is_regular_file(status)) return not_found();
  const auto size = fs::file_size(file, ec);
  if (ec) return not_found();
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return not_found();

  StaticAnswer a;
  a.file = file;
  a.content_type = std::string(content_type_for(file));
  a.cache_control = std::string(immutable ? cache_immutable : cache_revalidate);
  // Strongest first. Each variant has its own ETag: a cache must not answer one with another.
  static constexpr std::pair<std::string_view, std::string_view> codings[] = {{"br", ".br"},
                                                                              {"gzip", ".gz"}};
  for (const auto& [coding, suffix] : codings) {
    fs::path copy = file;
    copy += suffix;
    if (!fresh_copy(copy, mtime)) continue;
    a.vary_encoding = true;
    if (!a.content_encoding.empty() || !http::accepts_coding(accept_encoding, coding)) continue;
    a.file = std::move(copy);
    a.content_encoding = std::string(coding);
  }
  const auto ticks = static_cast<unsigned long long>(mtime.time_since_epoch().count());
  char etag[80];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx%s%s\"", static_cast<unsigned long long>(size),
                ticks, a.content_encoding.empty() ? "" : "-", a.content_encoding.c_str());
  a.etag = etag;
  a.status = (!if_none_match.empty() && if_none_match == a.etag) ? 304 : 200;
  return a;
}

}  // namespace cieloweb::server
