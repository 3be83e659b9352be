#include "accounts/http_fetch.hpp"

#include <utility>  // before Asio's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace cieloweb::server::accounts {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string target;
};

std::optional<Url> parse_url(const std::string& text) {
  Url url;
  std::string rest;
  if (text.starts_with("https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  url.port = url.tls ? "443" : "80";
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      url.port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) url.port = authority.substr(colon + 1);
  }
  if (url.host.empty() || url.port.empty()) return std::nullopt;
  return url;
}

// Beast's stream timeouts apply to asynchronous operations only, so the exchange is a coroutine
// and http_get runs its own io_context for at most the deadline: a server that accepts and then
// says nothing costs a pool thread `deadline`, not forever.
template <class Stream>
net::awaitable<FetchResponse> exchange(Stream& stream, const Url& url) {
  http::request<http::empty_body> request{http::verb::get, url.target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "cieloweb-server");
  co_await http::async_write(stream, request, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::optional<std::uint64_t>(max_certs_bytes));
  // Beast 1.74's whole-message read parses eagerly and then misses the body limit when the whole
  // body is already buffered (measured): the header is read on its own first, where it holds.
  co_await http::async_read_header(stream, buffer, parser, net::use_awaitable);
  if (const auto length = parser.content_length(); length && *length > max_certs_bytes)
    co_return FetchResponse{0, {}, {}, "response body over the cap"};
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  const auto& response = parser.get();
  if (response.body().size() > max_certs_bytes)
    co_return FetchResponse{0, {}, {}, "response body over the cap"};
  FetchResponse out;
  out.status = static_cast<int>(response.result_int());
  out.body = response.body();
  if (const auto found = response.find(http::field::cache_control); found != response.end())
    out.cache_control = std::string(found->value());
  co_return out;
}

net::awaitable<FetchResponse> fetch(Url url, net::ssl::context& tls) {
  const auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, net::use_awaitable);
  if (!url.tls) {
    beast::tcp_stream stream(executor);
    co_await stream.async_connect(endpoints, net::use_awaitable);
    co_return co_await exchange(stream, url);
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  // SNI, and the certificate must name this host.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
    co_return FetchResponse{0, {}, {}, "cannot set the TLS server name"};
  stream.set_verify_callback(net::ssl::host_name_verification(url.host));
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
  co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
  co_return co_await exchange(stream, url);
}

}  // namespace

FetchResponse http_get(const std::string& text, std::chrono::milliseconds deadline) {
  const auto url = parse_url(text);
  if (!url) return {0, {}, {}, "not an http(s) URL"};
  try {
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(net::ssl::verify_peer);
    std::optional<FetchResponse> result;
    net::co_spawn(io, fetch(*url, tls), [&](std::exception_ptr error, FetchResponse response) {
      if (!error) {
        result = std::move(response);
        return;
      }
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        result = FetchResponse{0, {}, {}, e.what()};
      }
    });
    io.run_for(deadline);
    if (!result) return {0, {}, {}, "no answer within the deadline"};
    return *result;
  } catch (const std::exception& error) {
    return {0, {}, {}, error.what()};
  }
}

}  // namespace cieloweb::server::accounts
