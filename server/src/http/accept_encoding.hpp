// Which content codings a client takes, from its Accept-Encoding header (RFC 9110 §12.5.3).
#pragma once

#include <string_view>

namespace cieloweb::server::http {

// True when `header` accepts `coding` ("br", "gzip"): named with a weight above zero, or covered
// by "*" with a weight above zero while not named. Names are case-insensitive; a malformed weight
// counts as zero, so a header we cannot read never gets a coding it may not decode.
bool accepts_coding(std::string_view header, std::string_view coding);

}  // namespace cieloweb::server::http
