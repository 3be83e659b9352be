// UTF-8 well-formedness (RFC 3629; Unicode table 3-7): no overlong forms, no surrogates, nothing
// above U+10FFFF. Shared by the WebSocket reader (text frames, close reasons) and the JSON scanner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cieloweb::server {

// The length (2-4) of the well-formed multi-byte sequence at `p`, of which `available` bytes may be
// read; 0 if there is none (also for ASCII, which callers handle first).
std::size_t utf8_sequence_length(const std::uint8_t* p, std::size_t available);

// Whether `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace cieloweb::server
