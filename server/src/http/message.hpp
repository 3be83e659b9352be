// An HTTP request and response as the router sees them: plain values, no sockets and no Beast
// types, so routing is a function that doctest and the fuzzer can call directly.
#pragma once

#include <string>
#include <string_view>

#include "http/security_policy.hpp"

namespace cieloweb::server::http {

enum class Method { get, head, post, put, del, other };

struct HttpRequest {
  Method method = Method::get;
  std::string target;  // as sent: path, query
  std::string if_none_match;
  std::string accept_encoding;  // which precompressed copy of a file may be sent
  std::string content_type;
  std::string authorization;  // "Bearer <ID token>" on account routes; never logged
  std::string cookie;         // the Cookie header: only the age screen's refusal marker is read
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  HeaderList headers;  // Content-Type, caching, security headers, Allow, ETag...
  std::string body;
  // HEAD: the body is not sent, but Content-Length says how long it would have been.
  bool head_only = false;
};

// Methods as a bit set, for a route's Allow list.
enum class MethodSet : unsigned { none = 0 };
constexpr MethodSet methods_of(std::initializer_list<Method> list) {
  unsigned bits = 0;
  for (Method m : list) bits |= 1u << static_cast<unsigned>(m);
  return static_cast<MethodSet>(bits);
}
constexpr bool contains(MethodSet set, Method m) {
  return (static_cast<unsigned>(set) >> static_cast<unsigned>(m)) & 1u;
}
// "GET, HEAD, POST" in the order of Method.
std::string allow_header(MethodSet set);

// `value` names a JSON media type (application/json, optionally with parameters).
bool is_json_content_type(std::string_view value);

}  // namespace cieloweb::server::http
