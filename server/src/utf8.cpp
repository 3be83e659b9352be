#include "utf8.hpp"

#include <cstring>

namespace cieloweb::server {

std::size_t utf8_sequence_length(const std::uint8_t* p, std::size_t available) {
  const std::uint8_t c = p[0];
  // The second byte's range depends on the first (table 3-7); the rest are 80..BF.
  std::size_t len = 0;
  std::uint8_t lo = 0x80;
  std::uint8_t hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c == 0xE0) {
    len = 3;
    lo = 0xA0;  // no overlong forms
  } else if (c == 0xED) {
    len = 3;
    hi = 0x9F;  // no surrogates
  } else if (c >= 0xE1 && c <= 0xEF) {
    len = 3;
  } else if (c == 0xF0) {
    len = 4;
    lo = 0x90;  // no overlong forms
  } else if (c >= 0xF1 && c <= 0xF3) {
    len = 4;
  } else if (c == 0xF4) {
    len = 4;
    hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (available < len) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
  }
  return len;
}

bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Signaling is mostly ASCII (JSON, SDP): skip it eight bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace cieloweb::server
