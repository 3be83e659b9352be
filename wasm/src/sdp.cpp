#include "cieloweb/sdp.hpp"

#include <array>
#include <optional>
#include <utility>

namespace cieloweb::sdp {
namespace {

constexpr std::string_view rule_prefix = "sdp: ";

Error sdp_error(ErrorCode code, std::string_view rule, const std::string& what) {
  std::string detail(rule_prefix);
  detail += rule;
  detail += ": ";
  detail += what;
  return make_error(code, std::move(detail));
}

std::string at_line(std::size_t line) {
  return "line " + std::to_string(line) + ": ";
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Attribute names and hash names compared without case: a relay must not hide an attribute from
// us behind a spelling ("a=Fingerprint") that some parser might still take.
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 8866 section 9: token-char.
bool token_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
  return std::string_view("!#$%&'*+-.^_`{|}~").find(c) != std::string_view::npos;
}

bool valid_mid(std::string_view mid) {
  if (mid.empty() || mid.size() > max_mid_bytes) return false;
  for (char c : mid) {
    if (!token_char(c)) return false;
  }
  return true;
}

struct Algorithm {
  std::string_view name;
  std::size_t digest_bytes;
};
// RFC 8122 section 5 allows any hash of the IANA registry; we accept the SHA-2 family that browsers
// emit (sha-256 today) and refuse the rest.
constexpr std::array<Algorithm, 3> allowed_algorithms{
    {{"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64}}};
// Broken for collisions: a relay that could make a second certificate with the same digest would
// pass the room proof with it.
constexpr std::array<std::string_view, 3> weak_algorithms{"sha-1", "md5", "md2"};

// The longest well-formed fingerprint value we could accept: 64 bytes as "XX:" minus one colon.
constexpr std::size_t max_fingerprint_chars = 3 * 64 - 1;

enum class Split { ok, empty_piece, too_many };

// Splits `text` at single spaces into at most `max` pieces. An empty piece (two spaces, a leading
// or trailing one) is an error, so that every parser sees the same tokens.
Split split_spaces(std::string_view text, std::vector<std::string_view>& out, std::size_t max) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t space = text.find(' ', start);
    const std::size_t end = space == std::string_view::npos ? text.size() : space;
    if (end == start) return Split::empty_piece;
    if (out.size() == max) return Split::too_many;
    out.push_back(text.substr(start, end - start));
    if (space == std::string_view::npos) return Split::ok;
    start = space + 1;
  }
}

// "a=fingerprint:" value: "<hash-func> <XX:XX:...>" (RFC 8122 section 5).
Result<Fingerprint> parse_fingerprint(std::string_view value, std::size_t line) {
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == value.size()) {
    return sdp_error(ErrorCode::malformed, "fingerprint_syntax",
                     at_line(line) + "expected 'a=fingerprint:<hash> <hex:hex:...>'");
  }
  const std::string_view name = value.substr(0, space), hex = value.substr(space + 1);
  if (hex.find(' ') != std::string_view::npos) {
    return sdp_error(ErrorCode::malformed, "fingerprint_syntax",
                     at_line(line) + "one space between hash name and digest, none after");
  }
  Fingerprint f;
  std::size_t digest_bytes = 0;
  for (const Algorithm& a : allowed_algorithms) {
    if (iequals(name, a.name)) {
      f.algorithm = a.name;
      digest_bytes = a.digest_bytes;
    }
  }
  if (digest_bytes == 0) {
    for (std::string_view weak : weak_algorithms) {
      if (iequals(name, weak)) {
        return sdp_error(ErrorCode::field_out_of_range, "weak_algorithm",
                         at_line(line) + std::string(weak) + " is refused (collisions)");
      }
    }
    return sdp_error(ErrorCode::field_out_of_range, "unsupported_algorithm",
                     at_line(line) + "hash must be sha-256, sha-384 or sha-512");
  }
  if (hex.size() > max_fingerprint_chars) {
    return sdp_error(ErrorCode::length_mismatch, "digest_length",
                     at_line(line) + "digest longer than " + f.algorithm + " gives");
  }
  // Exactly two hex digits per byte, one colon between bytes.
  for (std::size_t at = 0;; at += 3) {
    if (at + 2 > hex.size()) {
      return sdp_error(ErrorCode::malformed, "fingerprint_hex",
                       at_line(line) + "each byte must be two hex digits");
    }
    const int hi = hex_value(hex[at]), lo = hex_value(hex[at + 1]);
    if (hi < 0 || lo < 0) {
      return sdp_error(ErrorCode::malformed, "fingerprint_hex",
                       at_line(line) + "not a hex digit in the digest");
    }
    f.digest.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
    if (at + 2 == hex.size()) break;
    if (hex[at + 2] != ':') {
      return sdp_error(ErrorCode::malformed, "fingerprint_hex",
                       at_line(line) + "bytes must be separated by ':'");
    }
  }
  if (f.digest.size() != digest_bytes) {
    return sdp_error(ErrorCode::length_mismatch, "digest_length",
                     at_line(line) + f.algorithm + " needs " + std::to_string(digest_bytes) +
                         " bytes, got " + std::to_string(f.digest.size()));
  }
  return f;
}

struct Section {
  std::size_t line = 0;  // of its m= line, 1-based
  bool port_zero = false;
  bool bundle_only = false;
  bool has_mid = false;
  std::string_view mid;

  // RFC 8843 section 6: port 0 with a=bundle-only is a section that shares the BUNDLE transport
  // (Firefox's max-bundle offers); port 0 without it is rejected and has no transport (RFC 8866
  // section 5.14, RFC 8829 section 5.2.2).
  bool live() const { return !port_zero || bundle_only; }
};

constexpr std::size_t session_scope = static_cast<std::size_t>(-1);

struct SeenFingerprint {
  Fingerprint value;
  std::size_t line = 0;
  std::size_t section = session_scope;  // index into sections, or session_scope
};

struct Description {
  std::vector<Section> sections;
  std::vector<SeenFingerprint> fingerprints;
  bool has_bundle = false;
  std::size_t bundle_line = 0;
  std::vector<std::string_view> bundle;  // mids, in order; the first is the BUNDLE tag
};

// "m=<media> <port>[/<count>] <proto> <fmt> ..." (RFC 8866 section 5.14).
Status parse_media(std::string_view value, std::size_t line, std::vector<std::string_view>& tokens,
                   Section& section) {
  // <media> <port> <proto> and at least one <fmt>; the cap bounds the work on a hostile line.
  constexpr std::size_t max_tokens = 1024;
  if (split_spaces(value, tokens, max_tokens) != Split::ok || tokens.size() < 4) {
    return sdp_error(ErrorCode::malformed, "media_line",
                     at_line(line) + "expected 'm=<media> <port> <proto> <fmt> ...'");
  }
  std::string_view port = tokens[1];
  if (const std::size_t slash = port.find('/'); slash != std::string_view::npos) {
    const std::string_view count = port.substr(slash + 1);
    port = port.substr(0, slash);
    if (count.empty() || count.size() > 5 ||
        count.find_first_not_of("0123456789") != std::string_view::npos) {
      return sdp_error(ErrorCode::malformed, "media_line", at_line(line) + "bad port count");
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos) {
    return sdp_error(ErrorCode::malformed, "media_line", at_line(line) + "port must be decimal");
  }
  std::uint32_t number = 0;
  for (char c : port) number = number * 10 + static_cast<std::uint32_t>(c - '0');
  if (number > 65535) {
    return sdp_error(ErrorCode::malformed, "media_line", at_line(line) + "port above 65535");
  }
  section.port_zero = number == 0;
  return Ok{};
}

// "a=group:BUNDLE <mid> ..." (RFC 8843 section 7.1; RFC 5888 grammar).
// `list` is what follows the semantics: empty, or " <mid> <mid> ...".
Status parse_bundle(std::string_view list, std::size_t line, Description& d) {
  if (d.has_bundle) {
    return sdp_error(ErrorCode::ambiguous_fingerprint, "multiple_bundle_groups",
                     at_line(line) + "a second BUNDLE group (one transport is expected)");
  }
  d.has_bundle = true;
  d.bundle_line = line;
  if (list.empty()) return Ok{};
  switch (split_spaces(list.substr(1), d.bundle, max_media_sections)) {
    case Split::ok:
      break;
    case Split::too_many:
      return sdp_error(ErrorCode::too_large, "bundle_size",
                       at_line(line) + "more than " + std::to_string(max_media_sections) + " mids");
    case Split::empty_piece:
      return sdp_error(ErrorCode::malformed, "bundle_syntax",
                       at_line(line) + "mids must be separated by single spaces");
  }
  for (std::size_t i = 0; i < d.bundle.size(); ++i) {
    if (!valid_mid(d.bundle[i])) {
      return sdp_error(ErrorCode::malformed, "bundle_syntax",
                       at_line(line) + "a mid is not a token");
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (d.bundle[k] == d.bundle[i]) {
        return sdp_error(ErrorCode::malformed, "bundle_syntax",
                         at_line(line) + "mid '" + std::string(d.bundle[i]) + "' listed twice");
      }
    }
  }
  return Ok{};
}

// One "a=" line. Only the attributes that decide which certificate is live are looked at; the
// others (codecs, candidates, ...) pass, since they cannot change it.
Status parse_attribute(std::string_view value, std::size_t line, Description& d) {
  const std::size_t colon = value.find(':');
  const std::string_view name = value.substr(0, colon);
  const bool has_value = colon != std::string_view::npos;
  const std::string_view rest = has_value ? value.substr(colon + 1) : std::string_view{};
  Section* section = d.sections.empty() ? nullptr : &d.sections.back();

  if (iequals(name, "fingerprint")) {
    if (!has_value) {
      return sdp_error(ErrorCode::malformed, "fingerprint_syntax", at_line(line) + "no value");
    }
    auto f = parse_fingerprint(rest, line);
    if (!f) return f.error();
    d.fingerprints.push_back(SeenFingerprint{std::move(f).value(), line,
                                             section ? d.sections.size() - 1 : session_scope});
    return Ok{};
  }
  if (iequals(name, "mid")) {
    if (!section) {
      return sdp_error(ErrorCode::malformed, "mid_syntax",
                       at_line(line) + "a=mid at session level");
    }
    if (section->has_mid) {
      return sdp_error(ErrorCode::malformed, "mid_syntax", at_line(line) + "a second a=mid");
    }
    if (!has_value || !valid_mid(rest)) {
      return sdp_error(
          ErrorCode::malformed, "mid_syntax",
          at_line(line) + "a mid is 1.." + std::to_string(max_mid_bytes) + " token characters");
    }
    section->has_mid = true;
    section->mid = rest;
    return Ok{};
  }
  if (iequals(name, "bundle-only")) {
    // A property attribute of an m-section; anywhere else it means nothing a browser agrees on.
    if (!section || has_value) {
      return sdp_error(ErrorCode::malformed, "bundle_syntax",
                       at_line(line) + "a=bundle-only belongs in an m-section, without a value");
    }
    section->bundle_only = true;
    return Ok{};
  }
  if (iequals(name, "group") && has_value) {
    const std::size_t space = rest.find(' ');
    const std::string_view semantics = rest.substr(0, space);
    if (!iequals(semantics, "BUNDLE")) return Ok{};  // LS, FID, ...: no transport meaning
    if (section) {
      return sdp_error(ErrorCode::malformed, "bundle_syntax",
                       at_line(line) + "a=group:BUNDLE belongs at session level");
    }
    // "a=group:BUNDLE" alone is an empty group; after a space at least one mid must follow.
    return parse_bundle(rest.substr(semantics.size()), line, d);
  }
  return Ok{};
}

Status read_lines(std::string_view sdp, Description& d) {
  std::vector<std::string_view> tokens;
  std::size_t line_number = 0;
  for (std::size_t pos = 0; pos < sdp.size();) {
    const std::size_t newline = sdp.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? sdp.size() : newline;
    std::string_view line = sdp.substr(pos, end - pos);
    pos = newline == std::string_view::npos ? sdp.size() : newline + 1;
    if (newline != std::string_view::npos && !line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (++line_number > max_sdp_lines) {
      return sdp_error(ErrorCode::too_large, "line_count",
                       "more than " + std::to_string(max_sdp_lines) + " lines");
    }
    // A bare CR, NUL or other control character is where parsers disagree on line ends.
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) {
        return sdp_error(ErrorCode::malformed, "line_syntax",
                         at_line(line_number) + "control character");
      }
    }
    if (line.size() < 2 || line[0] < 'a' || line[0] > 'z' || line[1] != '=') {
      return sdp_error(ErrorCode::malformed, "line_syntax",
                       at_line(line_number) + "expected '<letter>=<value>'");
    }
    if (line_number == 1 && line != "v=0") {
      return sdp_error(ErrorCode::malformed, "first_line", "an SDP starts with 'v=0'");
    }
    const std::string_view value = line.substr(2);
    if (line[0] == 'm') {
      if (d.sections.size() == max_media_sections) {
        return sdp_error(ErrorCode::too_large, "media_count",
                         "more than " + std::to_string(max_media_sections) + " m-sections");
      }
      Section section;
      section.line = line_number;
      if (auto s = parse_media(value, line_number, tokens, section); !s) return s;
      d.sections.push_back(section);
    } else if (line[0] == 'a') {
      if (auto s = parse_attribute(value, line_number, d); !s) return s;
    }
  }
  if (line_number == 0) return sdp_error(ErrorCode::malformed, "first_line", "empty description");
  return Ok{};
}

std::string describe(const Section& s, std::size_t index) {
  return "m-section " + std::to_string(index) + " (line " + std::to_string(s.line) + ")";
}

// Which sections have a transport and whether BUNDLE names exactly those (RFC 8843).
Status check_bundle(const Description& d) {
  for (std::size_t i = 0; i < d.sections.size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      if (d.sections[i].has_mid && d.sections[k].has_mid &&
          d.sections[i].mid == d.sections[k].mid) {
        return sdp_error(
            ErrorCode::malformed, "duplicate_mid",
            describe(d.sections[i], i) + " reuses mid '" + std::string(d.sections[i].mid) + "'");
      }
    }
  }
  bool any_live = false;
  for (std::size_t i = 0; i < d.sections.size(); ++i) {
    const Section& s = d.sections[i];
    any_live = any_live || s.live();
    bool in_bundle = false;
    for (std::string_view mid : d.bundle) in_bundle = in_bundle || (s.has_mid && s.mid == mid);
    // A live section outside the group gets a transport (and a certificate) of its own; a
    // bundle-only one outside it has none that browsers agree on.
    if (s.live() && !in_bundle && (d.has_bundle || s.bundle_only)) {
      return sdp_error(ErrorCode::ambiguous_fingerprint, "outside_bundle",
                       describe(s, i) + " is live but not in the BUNDLE group");
    }
    if (!s.live() && in_bundle) {
      return sdp_error(ErrorCode::ambiguous_fingerprint, "rejected_in_bundle",
                       describe(s, i) + " has port 0 but is in the BUNDLE group");
    }
  }
  for (std::string_view mid : d.bundle) {
    bool found = false;
    for (const Section& s : d.sections) found = found || (s.has_mid && s.mid == mid);
    if (!found) {
      return sdp_error(ErrorCode::ambiguous_fingerprint, "bundle_unknown_mid",
                       at_line(d.bundle_line) + "BUNDLE names mid '" + std::string(mid) +
                           "' that no m-section has");
    }
  }
  if (!any_live) {
    return sdp_error(ErrorCode::missing_field, "no_live_section", "no m-section with a transport");
  }
  return Ok{};
}

// Every fingerprint a live transport could use names one certificate; rejected sections may repeat
// it (Chromium does) but not name another.
Result<Fingerprint> check_fingerprints(const Description& d) {
  const SeenFingerprint* reference = nullptr;
  bool session_level = false;
  for (const SeenFingerprint& f : d.fingerprints) {
    const bool live = f.section == session_scope || d.sections[f.section].live();
    session_level = session_level || f.section == session_scope;
    if (!live) continue;
    if (!reference) {
      reference = &f;
    } else if (!(f.value == reference->value)) {
      return sdp_error(ErrorCode::ambiguous_fingerprint, "multiple_fingerprints",
                       "lines " + std::to_string(reference->line) + " and " +
                           std::to_string(f.line) + " name different certificates");
    }
  }
  for (const SeenFingerprint& f : d.fingerprints) {
    if (f.section == session_scope || d.sections[f.section].live()) continue;
    if (!reference || !(f.value == reference->value)) {
      return sdp_error(ErrorCode::ambiguous_fingerprint, "rejected_section_fingerprint",
                       at_line(f.line) + "rejected " + describe(d.sections[f.section], f.section) +
                           " names a certificate no live section uses");
    }
  }
  if (!reference) return sdp_error(ErrorCode::missing_field, "no_fingerprint", "no a=fingerprint");
  for (std::size_t i = 0; i < d.sections.size() && !session_level; ++i) {
    if (!d.sections[i].live()) continue;
    bool own = false;
    for (const SeenFingerprint& f : d.fingerprints) own = own || f.section == i;
    if (!own) {
      return sdp_error(ErrorCode::missing_field, "section_without_fingerprint",
                       describe(d.sections[i], i) + " is live and has no a=fingerprint");
    }
  }
  return reference->value;
}

}  // namespace

std::string Fingerprint::canonical() const {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out = algorithm;
  out += ' ';
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) out += ':';
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 0x0F];
  }
  return out;
}

Result<Fingerprint> dtls_fingerprint(std::string_view sdp) {
  if (sdp.size() > max_sdp_bytes) {
    return sdp_error(ErrorCode::too_large, "size",
                     "more than " + std::to_string(max_sdp_bytes) + " bytes");
  }
  Description d;
  if (auto s = read_lines(sdp, d); !s) return s.error();
  if (auto s = check_bundle(d); !s) return s.error();
  return check_fingerprints(d);
}

std::string_view rule_of(const Error& error) {
  const std::string_view detail = error.detail;
  if (detail.substr(0, rule_prefix.size()) != rule_prefix) return {};
  const std::string_view rest = detail.substr(rule_prefix.size());
  const std::size_t colon = rest.find(':');
  return colon == std::string_view::npos ? std::string_view{} : rest.substr(0, colon);
}

}  // namespace cieloweb::sdp
