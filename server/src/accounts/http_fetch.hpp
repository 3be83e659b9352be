// Blocking HTTP(S) calls for the few things the server asks others itself: the ID token signing
// certificates (GET) and Firebase's account REST API (POST of JSON). https verifies the server's
// certificate against the system's trust store and its name; http is for this machine's tests. Runs
// on the blocking pool, never on an I/O thread (signaling or HTTP).
#pragma once

#include <chrono>
#include <string>

#include "accounts/key_cache.hpp"

namespace cieloweb::server::accounts {

// GET `url` ("https://host[:port]/path" or "http://…"), following no redirects, with a deadline
// for the whole exchange and a cap on the body (max_certs_bytes). Never throws.
FetchResponse http_get(const std::string& url,
                       std::chrono::milliseconds deadline = std::chrono::seconds(10));

// POST `body` as application/json to `url`; otherwise as http_get (same deadline and body cap).
FetchResponse http_post_json(const std::string& url, const std::string& body,
                             std::chrono::milliseconds deadline = std::chrono::seconds(10));

}  // namespace cieloweb::server::accounts
