#include "accounts/http_fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <utility>

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

// Beast's stream timeouts apply to asynchronous operations only, so the exchange is a chain of
// asynchronous steps and http_get runs its own io_context for at most the deadline: a server that
// accepts and then says nothing costs a pool thread `deadline`, not forever. (Callbacks, not
// coroutines: Boost 1.74's Asio offers co_await to GCC only, and the fuzz build uses Clang.)
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(Stream stream, Url url, const std::string* json_body,
           std::optional<FetchResponse>& result)
      : stream_(std::move(stream)), url_(std::move(url)), json_body_(json_body), result_(result) {}
  Stream& stream() { return stream_; }

  void fail(const beast::error_code& error) { result_ = FetchResponse{0, {}, {}, error.message()}; }

  // Sends the GET (or the POST of a JSON body) and reads the answer: the header on its own first,
  // because Beast 1.74's whole-message read parses eagerly and then misses the body limit when the
  // whole body is already buffered (measured).
  void request() {
    request_ = {json_body_ ? http::verb::post : http::verb::get, url_.target, 11};
    if (json_body_) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = *json_body_;
      request_.prepare_payload();
    }
    const bool default_port = url_.port == (url_.tls ? "443" : "80");
    const std::string host =
        url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
    request_.set(http::field::host, default_port ? host : host + ":" + url_.port);
    request_.set(http::field::user_agent, "cieloweb-server");
    parser_.body_limit(boost::optional<std::uint64_t>(max_certs_bytes));
    http::async_write(
        stream_, request_, [self = this->shared_from_this()](beast::error_code error, std::size_t) {
          if (error) return self->fail(error);
          http::async_read_header(self->stream_, self->buffer_, self->parser_,
                                  [self](beast::error_code e, std::size_t) { self->on_header(e); });
        });
  }

 private:
  void on_header(const beast::error_code& error) {
    if (error) return fail(error);
    if (const auto length = parser_.content_length(); length && *length > max_certs_bytes)
      return fail(http::error::body_limit);
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                       if (e) return self->fail(e);
                       const auto& response = self->parser_.get();
                       if (response.body().size() > max_certs_bytes)
                         return self->fail(http::error::body_limit);
                       FetchResponse out;
                       out.status = static_cast<int>(response.result_int());
                       out.body = response.body();
                       if (const auto found = response.find(http::field::cache_control);
                           found != response.end())
                         out.cache_control = std::string(found->value());
                       self->result_ = std::move(out);
                     });
  }

  Stream stream_;
  Url url_;
  const std::string* json_body_;  // null for a GET
  std::optional<FetchResponse>& result_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

FetchResponse fetch(const std::string& text, const std::string* json_body,
                    std::chrono::milliseconds deadline) {
  const auto url = parse_url(text);
  if (!url) return {0, {}, {}, "not an http(s) URL"};
  try {
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(net::ssl::verify_peer);
    std::optional<FetchResponse> result;
    tcp::resolver resolver(io);
    resolver.async_resolve(
        url->host, url->port, [&](beast::error_code error, tcp::resolver::results_type endpoints) {
          if (error) {
            result = FetchResponse{0, {}, {}, error.message()};
            return;
          }
          if (!url->tls) {
            auto exchange = std::make_shared<Exchange<beast::tcp_stream>>(beast::tcp_stream(io),
                                                                          *url, json_body, result);
            exchange->stream().async_connect(endpoints,
                                             [exchange](beast::error_code e, const tcp::endpoint&) {
                                               if (e) return exchange->fail(e);
                                               exchange->request();
                                             });
            return;
          }
          using TlsStream = beast::ssl_stream<beast::tcp_stream>;
          auto exchange =
              std::make_shared<Exchange<TlsStream>>(TlsStream(io, tls), *url, json_body, result);
          // SNI, and the certificate must name this host.
          if (!SSL_set_tlsext_host_name(exchange->stream().native_handle(), url->host.c_str())) {
            result = FetchResponse{0, {}, {}, "cannot set the TLS server name"};
            return;
          }
          exchange->stream().set_verify_callback(net::ssl::host_name_verification(url->host));
          beast::get_lowest_layer(exchange->stream())
              .async_connect(endpoints, [exchange](beast::error_code e, const tcp::endpoint&) {
                if (e) return exchange->fail(e);
                exchange->stream().async_handshake(net::ssl::stream_base::client,
                                                   [exchange](beast::error_code h) {
                                                     if (h) return exchange->fail(h);
                                                     exchange->request();
                                                   });
              });
        });
    io.run_for(deadline);
    if (!result) return {0, {}, {}, "no answer within the deadline"};
    return *result;
  } catch (const std::exception& error) {
    return {0, {}, {}, error.what()};
  }
}

}  // namespace

FetchResponse http_get(const std::string& url, std::chrono::milliseconds deadline) {
  return fetch(url, nullptr, deadline);
}

FetchResponse http_post_json(const std::string& url, const std::string& body,
                             std::chrono::milliseconds deadline) {
  return fetch(url, &body, deadline);
}

}  // namespace cieloweb::server::accounts
