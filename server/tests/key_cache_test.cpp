// The signing-key cache (refresh by max-age, a bounded refetch for unknown kids) and the real
// HTTP fetch it uses, against servers on loopback that this test runs itself.
#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "accounts/http_fetch.hpp"
#include "accounts/key_cache.hpp"
#include "token_test_keys.hpp"

using namespace cieloweb::server::accounts;
using namespace cieloweb::server::test;
using boost::asio::ip::tcp;

namespace {

const std::string& certs() {
  static const std::string json = certificates_json({{"k1", make_rsa_key()}});
  return json;
}

// A fetch that answers what the test says and counts calls.
struct FakeOrigin {
  FetchResponse next{200, certs(), "public, max-age=3600", {}};
  int calls = 0;
  Fetch fetch() {
    return [this](const std::string&) {
      ++calls;
      return next;
    };
  }
};

// One-connection-at-a-time HTTP server on loopback: answers `response` to each request, or
// accepts and stays silent when `silent`.
class LoopbackServer {
 public:
  LoopbackServer(std::string response, bool silent = false)
      : response_(std::move(response)),
        silent_(silent),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    boost::system::error_code ignored;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);  // wakes accept()
    thread_.join();
  }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/certs";
  }

 private:
  void serve() {
    while (!stop_) {
      tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (error || stop_) return;
      boost::asio::streambuf request;
      boost::asio::read_until(socket, request, "\r\n\r\n", error);
      if (silent_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        continue;
      }
      boost::asio::write(socket, boost::asio::buffer(response_), error);
    }
  }
  std::string response_;
  bool silent_;
  std::atomic<bool> stop_{false};
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

std::string http_response(const std::string& body, const std::string& cache_control) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: " + cache_control +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

}  // namespace

TEST_CASE("Cache-Control max-age, bounded to a minute .. a day") {
  CHECK(keys_ttl_from_cache_control("public, max-age=19876, must-revalidate, no-transform") ==
        19876);
  CHECK(keys_ttl_from_cache_control("MAX-AGE=120") == 120);
  CHECK(keys_ttl_from_cache_control("") == min_keys_ttl_s);
  CHECK(keys_ttl_from_cache_control("max-age=0") == min_keys_ttl_s);
  CHECK(keys_ttl_from_cache_control("max-age=999999999999999999999999") == max_keys_ttl_s);
}

TEST_CASE("key cache: fetched when missing or past max-age, kept otherwise") {
  FakeOrigin origin;
  KeyCache cache("https://keys.test/certs", origin.fetch());
  CHECK(cache.stale(1000));
  CHECK(cache.keys()->size() == 0);
  CHECK(cache.refresh_if_stale(1000));
  CHECK(origin.calls == 1);
  CHECK(cache.keys()->has("k1"));
  CHECK(cache.refresh_if_stale(1000 + 3599));
  CHECK(origin.calls == 1);
  CHECK(cache.refresh_if_stale(1000 + 3600));
  CHECK(origin.calls == 2);
}

TEST_CASE("key cache: a failed fetch keeps the old keys and is tried again after a minute") {
  FakeOrigin origin;
  KeyCache cache("https://keys.test/certs", origin.fetch());
  REQUIRE(cache.refresh_if_stale(0));
  for (const auto& bad :
       {FetchResponse{500, certs(), {}, {}}, FetchResponse{200, "{}", {}, {}},
        FetchResponse{200, std::string(max_certs_bytes + 1, ' ') + certs(), {}, {}},
        FetchResponse{0, {}, {}, "connection refused"}}) {
    origin.next = bad;
    CHECK(cache.refresh_if_stale(4000));  // stale, fetch fails, the old set stays usable
    CHECK(cache.keys()->has("k1"));
    CHECK_FALSE(cache.stale(4000 + min_keys_ttl_s - 1));
    CHECK(cache.stale(4000 + min_keys_ttl_s));
  }
}

TEST_CASE(
    "key cache: with no keys ever fetched, failures back off a minute instead of fetching per "
    "request") {
  FakeOrigin origin;
  origin.next = FetchResponse{0, {}, {}, "connection refused"};
  KeyCache cache("https://keys.test/certs", origin.fetch());
  for (int i = 0; i < 100; ++i) CHECK_FALSE(cache.refresh_if_stale(1000 + i % 60));
  CHECK(origin.calls == 1);
  CHECK_FALSE(cache.refresh_if_stale(1060));
  CHECK(origin.calls == 2);
}

TEST_CASE("key cache: unknown kids refetch at most every 30 s (no fetch amplifier)") {
  FakeOrigin origin;
  KeyCache cache("https://keys.test/certs", origin.fetch());
  REQUIRE(cache.refresh_if_stale(0));
  CHECK(cache.refresh_for_unknown_kid(10, cache.keys().get()));
  CHECK(origin.calls == 2);
  for (int i = 0; i < 1000; ++i)
    CHECK_FALSE(cache.refresh_for_unknown_kid(10 + i % 29, cache.keys().get()));
  CHECK(origin.calls == 2);
  // A caller that checked against an older set is told to check again, without a fetch.
  const auto older = cache.keys();
  CHECK(cache.refresh_for_unknown_kid(40, older.get()));
  CHECK(origin.calls == 3);
  CHECK(cache.refresh_for_unknown_kid(41, older.get()));
  CHECK(origin.calls == 3);
}

TEST_CASE("http_get: a real exchange on loopback, with the Cache-Control header") {
  LoopbackServer server(http_response(certs(), "public, max-age=600"));
  const auto response = http_get(server.url());
  CHECK(response.error.empty());
  CHECK(response.status == 200);
  CHECK(response.body == certs());
  CHECK(response.cache_control == "public, max-age=600");
  KeyCache cache(server.url(), [](const std::string& url) { return http_get(url); });
  CHECK(cache.refresh_if_stale(0));
  CHECK(cache.keys()->has("k1"));
  CHECK_FALSE(cache.stale(599));
}

TEST_CASE("http_get: a silent server costs the deadline, not forever; no TLS is no answer") {
  LoopbackServer silent("", true);
  const auto started = std::chrono::steady_clock::now();
  const auto response = http_get(silent.url(), std::chrono::milliseconds(300));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1200));
  CHECK(response.status == 0);
  CHECK_FALSE(response.error.empty());

  LoopbackServer plain(http_response(certs(), "max-age=60"));
  const auto tls = http_get(plain.url("https"), std::chrono::milliseconds(2000));
  CHECK(tls.status == 0);
  CHECK_FALSE(tls.error.empty());

  const auto oversized = std::string(max_certs_bytes + 10, 'x');
  LoopbackServer big(http_response(oversized, "max-age=60"));
  const auto refused = http_get(big.url());
  CHECK(refused.status == 0);  // the body cap refuses it before reading it
  CHECK(refused.body.empty());
  CHECK_FALSE(refused.error.empty());
  CHECK(http_get("ftp://127.0.0.1/certs").error == "not an http(s) URL");
}
