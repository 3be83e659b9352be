// Precompressed copies of the built page's files, and the Accept-Encoding reading that picks one.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "http/accept_encoding.hpp"
#include "static_files.hpp"

using namespace cieloweb::server;
namespace fs = std::filesystem;

TEST_CASE("Accept-Encoding: named codings, weights, the wildcard and malformed weights") {
  using http::accepts_coding;
  CHECK(accepts_coding("gzip, deflate, br, zstd", "br"));
  CHECK(accepts_coding("GZip", "gzip"));
  CHECK(accepts_coding("br;q=0.001", "br"));
  CHECK(accepts_coding(" br ; q=1.000 ", "br"));
  CHECK_FALSE(accepts_coding("", "br"));
  CHECK_FALSE(accepts_coding("gzip", "br"));
  CHECK_FALSE(accepts_coding("br;q=0", "br"));
  CHECK_FALSE(accepts_coding("br;q=0.000", "br"));
  CHECK_FALSE(accepts_coding("br;q=0, *", "br"));  // named refusal wins over the wildcard
  CHECK(accepts_coding("*", "br"));
  CHECK_FALSE(accepts_coding("*;q=0", "gzip"));
  CHECK(accepts_coding("*;q=0, gzip", "gzip"));
  CHECK_FALSE(accepts_coding("brotli", "br"));
  CHECK_FALSE(accepts_coding("br;q=2", "br"));  // malformed weights count as a refusal
  CHECK_FALSE(accepts_coding("br;q=1.5", "br"));
  CHECK_FALSE(accepts_coding("br;q=0.0001", "br"));
  CHECK_FALSE(accepts_coding("br;q=", "br"));
  CHECK_FALSE(accepts_coding("br;q=x", "br"));
}

namespace {

struct Root {
  fs::path dir = fs::temp_directory_path() /
                 ("cielo-precompressed-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  Root() {
    fs::create_directories(dir / "assets");
    std::ofstream(dir / "index.html") << "<!doctype html><title>page</title>\n";
    write("assets/app-1.js", "plain");
    write("assets/app-1.js.br", "BR");
    write("assets/app-1.js.gz", "GZ");
    write("assets/only-gz.js", "plain");
    write("assets/only-gz.js.gz", "GZ");
    write("assets/none.js", "plain");
  }
  ~Root() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
  }
};

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a file goes out as the strongest copy the client takes, with Vary and its own ETag") {
  Root root;
  StaticSite site{root.dir};

  const auto br = site.file("/assets/app-1.js", "", "gzip, deflate, br");
  CHECK(br.status == 200);
  CHECK(br.content_encoding == "br");
  CHECK(read(br.file) == "BR");
  CHECK(br.vary_encoding);
  CHECK(br.content_type == "text/javascript; charset=utf-8");  // the file's type, not the copy's

  const auto gz = site.file("/assets/app-1.js", "", "gzip");
  CHECK(gz.content_encoding == "gzip");
  CHECK(read(gz.file) == "GZ");

  const auto plain = site.file("/assets/app-1.js", "", "");
  CHECK(plain.content_encoding.empty());
  CHECK(read(plain.file) == "plain");
  CHECK(plain.vary_encoding);  // a cache must still key on the header

  CHECK(br.etag != gz.etag);
  CHECK(br.etag != plain.etag);
  CHECK(site.file("/assets/app-1.js", br.etag, "br").status == 304);
  CHECK(site.file("/assets/app-1.js", br.etag, "gzip").status == 200);  // another variant

  CHECK(site.file("/assets/only-gz.js", "", "br, gzip").content_encoding == "gzip");
  const auto none = site.file("/assets/none.js", "", "br, gzip");
  CHECK(none.content_encoding.empty());
  CHECK_FALSE(none.vary_encoding);
  CHECK(site.page("", "br").content_encoding.empty());
}

TEST_CASE("a copy older than its file is never sent: the file changed after the build") {
  Root root;
  StaticSite site{root.dir};
  const auto later = fs::last_write_time(root.dir / "assets/app-1.js.br") + std::chrono::hours(1);
  fs::last_write_time(root.dir / "assets/app-1.js", later);
  const auto answer = site.file("/assets/app-1.js", "", "br, gzip");
  CHECK(answer.content_encoding.empty());
  CHECK(read(answer.file) == "plain");
}
