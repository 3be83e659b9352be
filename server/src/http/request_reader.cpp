#include "http/request_reader.hpp"

#include <boost/asio/buffer.hpp>

#include "http/router.hpp"

namespace cieloweb::server::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

void configure_parser(RequestParser& parser, std::size_t body_limit_bytes) {
  parser.header_limit(static_cast<std::uint32_t>(header_limit_bytes));
  parser.body_limit(body_limit_bytes);
}

HttpRequest to_http_request(const BeastRequest& request) {
  HttpRequest out;
  switch (request.method()) {
    case bhttp::verb::get:
      out.method = Method::get;
      break;
    case bhttp::verb::head:
      out.method = Method::head;
      break;
    case bhttp::verb::post:
      out.method = Method::post;
      break;
    case bhttp::verb::put:
      out.method = Method::put;
      break;
    case bhttp::verb::delete_:
      out.method = Method::del;
      break;
    default:
      out.method = Method::other;
      break;
  }
  out.target = std::string(request.target());
  out.if_none_match = std::string(request[bhttp::field::if_none_match]);
  out.accept_encoding = std::string(request[bhttp::field::accept_encoding]);
  out.content_type = std::string(request[bhttp::field::content_type]);
  out.authorization = std::string(request[bhttp::field::authorization]);
  out.cookie = std::string(request[bhttp::field::cookie]);
  out.body = request.body();
  return out;
}

BeastResponse to_beast_response(HttpResponse&& response, unsigned version, bool keep_alive) {
  BeastResponse res{static_cast<bhttp::status>(response.status), version};
  res.set(bhttp::field::server, "cieloweb");
  for (auto& [name, value] : response.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  if (response.head_only) {
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

std::optional<HttpResponse> answer_read_error(beast::error_code error, const HeaderList& security) {
  if (error != bhttp::error::body_limit) return std::nullopt;
  auto res = text_response(413, "Request body too large\n", security);
  res.headers.emplace_back("Connection", "close");
  return res;
}

ParsedRequest parse_request(std::string_view bytes, std::size_t body_limit_bytes) {
  RequestParser parser;
  configure_parser(parser, body_limit_bytes);
  ParsedRequest out;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const auto n =
        parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), out.error);
    if (out.error == bhttp::error::need_more) {
      if (n == 0) return out;  // the bytes end before the request does
      out.error = {};
    }
    if (out.error) return out;
    used += n;
    if (n == 0) break;
  }
  if (!parser.is_done()) {
    // No more bytes: a body that runs to the end of the stream ends here.
    parser.put_eof(out.error);
    if (out.error || !parser.is_done()) {
      if (!out.error) out.error = bhttp::error::need_more;
      return out;
    }
  }
  out.request = parser.release();
  return out;
}

}  // namespace cieloweb::server::http
