#include "signaling/json_scan.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "utf8.hpp"

namespace cieloweb::signaling {
namespace {

constexpr std::uint64_t repeat(std::uint8_t byte) {
  return 0x0101010101010101ull * byte;
}

// Whether any byte of `word` is below `n` (n <= 128; bytes >= 0x80 are caught separately).
constexpr std::uint64_t any_below(std::uint64_t word, std::uint8_t n) {
  return (word - repeat(n)) & ~word & repeat(0x80);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool JsonScanner::scan(std::string_view text) {
  p_ = text.data();
  end_ = text.data() + text.size();
  top_is_object_ = false;
  // A byte order mark may open the text (RFC 8259 section 8.1 lets parsers ignore it, and
  // nlohmann does).
  if (text.size() >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
  skip_whitespace();
  if (p_ < end_) top_is_object_ = *p_ == '{';
  JsonKind kind;
  bool escaped = false;
  if (!value(0, kind, escaped)) return false;
  skip_whitespace();
  return p_ == end_;
}

void JsonScanner::skip_whitespace() {
  while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
}

bool JsonScanner::value(int depth, JsonKind& kind, bool& escaped) {
  if (p_ == end_) return false;
  switch (*p_) {
    case '{':
      kind = JsonKind::object;
      return object(depth + 1);
    case '[':
      kind = JsonKind::array;
      return array(depth + 1);
    case '"':
      kind = JsonKind::string;
      ++p_;
      return string(escaped);
    case 't':
      kind = JsonKind::literal;
      return literal("true");
    case 'f':
      kind = JsonKind::literal;
      return literal("false");
    case 'n':
      kind = JsonKind::literal;
      return literal("null");
    default:
      kind = JsonKind::number;
      return number();
  }
}

bool JsonScanner::object(int depth) {
  if (depth > max_depth_supported) return false;
  ++p_;  // '{'
  skip_whitespace();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
    return true;
  }
  for (;;) {
    if (p_ == end_ || *p_ != '"') return false;
    JsonMember member;
    const char* key_start = ++p_;
    if (!string(member.key_escaped)) return false;
    member.key = std::string_view(key_start, static_cast<std::size_t>(p_ - 1 - key_start));
    skip_whitespace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    skip_whitespace();
    const char* value_start = p_;
    if (!value(depth, member.kind, member.value_escaped)) return false;
    if (depth == 1) {
      member.value =
          member.kind == JsonKind::string
              ? std::string_view(value_start + 1, static_cast<std::size_t>(p_ - 2 - value_start))
              : std::string_view(value_start, static_cast<std::size_t>(p_ - value_start));
      on_top_member(member);
    }
    skip_whitespace();
    if (p_ == end_) return false;
    if (*p_ == '}') {
      ++p_;
      return true;
    }
    if (*p_ != ',') return false;
    ++p_;
    skip_whitespace();
  }
}

bool JsonScanner::array(int depth) {
  if (depth > max_depth_supported) return false;
  ++p_;  // '['
  skip_whitespace();
  if (p_ < end_ && *p_ == ']') {
    ++p_;
    return true;
  }
  for (;;) {
    JsonKind kind;
    bool escaped = false;
    if (!value(depth, kind, escaped)) return false;
    skip_whitespace();
    if (p_ == end_) return false;
    if (*p_ == ']') {
      ++p_;
      return true;
    }
    if (*p_ != ',') return false;
    ++p_;
    skip_whitespace();
  }
}

// From just after the opening quote to just after the closing one.
bool JsonScanner::string(bool& escaped) {
  for (;;) {
    // Plain ASCII without quotes, backslashes or controls (most of an SDP) eight bytes at a time.
    while (end_ - p_ >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p_, 8);
      const std::uint64_t special = (word & repeat(0x80)) | any_below(word ^ repeat('"'), 1) |
                                    any_below(word ^ repeat('\\'), 1) | any_below(word, 0x20);
      if (special != 0) break;
      p_ += 8;
    }
    if (p_ == end_) return false;
    const auto c = static_cast<std::uint8_t>(*p_);
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c == '\\') {
      escaped = true;
      if (++p_ == end_) return false;
      const char e = *p_++;
      if (e == 'u') {
        unsigned unit = 0;
        if (!hex4(unit)) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a low surrogate alone
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low one.
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          if (!hex4(unit) || unit < 0xDC00 || unit > 0xDFFF) return false;
        }
      } else if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
        return false;
      }
      continue;
    }
    if (c < 0x20) return false;  // control characters must be escaped
    if (c < 0x80) {
      ++p_;
      continue;
    }
    const std::size_t len = server::utf8_sequence_length(reinterpret_cast<const std::uint8_t*>(p_),
                                                         static_cast<std::size_t>(end_ - p_));
    if (len == 0) return false;
    p_ += len;
  }
}

bool JsonScanner::hex4(unsigned& out) {
  if (end_ - p_ < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    const int v = hex_value(p_[i]);
    if (v < 0) return false;
    out = (out << 4) | static_cast<unsigned>(v);
  }
  p_ += 4;
  return true;
}

// RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool JsonScanner::number() {
  const char* start = p_;
  if (p_ < end_ && *p_ == '-') ++p_;
  if (p_ == end_ || !is_digit(*p_)) return false;
  const char* int_start = p_;
  if (*p_++ != '0') {
    while (p_ < end_ && is_digit(*p_)) ++p_;
  }
  const auto int_digits = p_ - int_start;
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    while (p_ < end_ && is_digit(*p_)) ++p_;
  }
  bool exponent = false;
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    exponent = true;
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    while (p_ < end_ && is_digit(*p_)) ++p_;
  }
  // nlohmann refuses a number too large for a double ("1e999"); only an exponent or more than
  // 308 integer digits can get there, so the conversion is rarely needed.
  if (exponent || int_digits > 308) {
    const std::string token(start, p_);
    if (!std::isfinite(std::strtod(token.c_str(), nullptr))) return false;
  }
  return true;
}

bool JsonScanner::literal(std::string_view word) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() ||
      std::memcmp(p_, word.data(), word.size()) != 0) {
    return false;
  }
  p_ += word.size();
  return true;
}

std::string decode_json_string(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        const auto unit = [&](std::size_t at) {
          unsigned v = 0;
          for (std::size_t k = 0; k < 4; ++k)
            v = (v << 4) | static_cast<unsigned>(hex_value(raw[at + k]));
          return v;
        };
        unsigned cp = unit(i + 1);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: "\uDC00".."\uDFFF" follows
          cp = 0x10000 + ((cp - 0xD800) << 10) + (unit(i + 3) - 0xDC00);
          i += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default:  // '"', '\\', '/'
        out.push_back(e);
    }
  }
  return out;
}

}  // namespace cieloweb::signaling
