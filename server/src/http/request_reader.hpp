// Between Beast and the router: the one configuration of the request parser (the server's sessions
// and the HTTP fuzzer both use it), and the conversions of requests and responses.
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

#include "http/message.hpp"

namespace cieloweb::server::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Request line and headers together; larger is a client error (the connection is dropped).
inline constexpr std::size_t header_limit_bytes = 8 * 1024;

// Sets the limits of a fresh parser: `body_limit_bytes` for the body, so a larger one fails with
// http::error::body_limit as soon as its Content-Length (or the chunks so far) says so.
void configure_parser(RequestParser& parser, std::size_t body_limit_bytes);

// The router's view of a parsed request.
HttpRequest to_http_request(const BeastRequest& request);

// Beast's response for `response`, with the Server header, keep-alive and the payload length set.
BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool keep_alive);

// The answer to a request the parser refused, when it deserves one: 413 for a body over the limit
// (`security`: the headers it carries). Other errors (malformed, headers too large) get none: the
// connection is closed, since the stream cannot be trusted.
std::optional<HttpResponse> answer_read_error(boost::beast::error_code error,
                                              const HeaderList& security);

// What one request's bytes parse to, with the server's parser configuration: the request when it is
// complete, else the parser's error (need_more when the bytes end early).
struct ParsedRequest {
  std::optional<BeastRequest> request;
  boost::beast::error_code error;
};
ParsedRequest parse_request(std::string_view bytes, std::size_t body_limit_bytes);

}  // namespace cieloweb::server::http
