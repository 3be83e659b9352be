// The DTLS certificate fingerprint a peer's session description announces, read strictly.
//
// The room proof binds the room key to both DTLS certificates (web/src/room/room_proof.js), so the
// fingerprint it hashes must be the one of the certificate the live DTLS transport will accept.
// Browsers ignore a=fingerprint in a rejected m-section, and with BUNDLE they use only the
// transport of the BUNDLE-tag section: a relay could otherwise show a victim's fingerprint in a
// decoy section while the live transport runs on the relay's own certificate. This decoder returns
// a fingerprint only when every a=fingerprint in the description names the same certificate, so
// whatever section a browser takes its transport from, that is the certificate returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cieloweb/result.hpp"

namespace cieloweb::sdp {

// Signaling relays at most 64 KiB per message (server/src/rooms.hpp); an SDP inside one is smaller.
inline constexpr std::size_t max_sdp_bytes = 64 * 1024;
// Chromium's audio+video+data description is about 180 lines; 4096 leaves room for many sections.
inline constexpr std::size_t max_sdp_lines = 4096;
// One connection per peer carries audio, video and data: a handful of m-sections.
inline constexpr std::size_t max_media_sections = 128;
// Mids travel in an RTP header extension (RFC 8843 section 15): browsers use "0", "1", ...
inline constexpr std::size_t max_mid_bytes = 64;

// RFC 8122 section 5: a=fingerprint:<hash-func> <2 hex digits per byte, ':'-separated>.
struct Fingerprint {
  std::string algorithm;             // lowercase: "sha-256", "sha-384" or "sha-512"
  std::vector<std::uint8_t> digest;  // 32, 48 or 64 bytes, matching the algorithm

  // "sha-256 AB:CD:...": uppercase hex with colons, the form the page builds from getStats()
  // certificate stats (fingerprintAlgorithm + " " + fingerprint) and hashes into the room proof.
  std::string canonical() const;
  bool operator==(const Fingerprint&) const = default;
};

// The single DTLS certificate fingerprint of a whole session description (offer or answer).
//
// Accepts (RFC 8866 SDP, as Chromium and Firefox emit it under RFC 8829 JSEP):
//   - at most max_sdp_bytes and max_sdp_lines lines, CRLF or LF line ends (the last may lack one),
//     first line "v=0", every line "<lowercase letter>=<value>" without control characters;
//   - a=fingerprint at session level (Firefox) and/or media level (Chromium, one per m-section);
//   - sha-256, sha-384 or sha-512 with exactly 32/48/64 bytes, two hex digits each (either case);
//   - a=group:BUNDLE (RFC 8843) naming live m-sections by a=mid; a live section is one with a
//     non-zero port or with port 0 and a=bundle-only (a bundled section of a max-bundle offer);
//   - a rejected section (port 0, no a=bundle-only) carrying the same fingerprint as the live ones
//     (Chromium keeps a=fingerprint in a transceiver's section after stop()).
// Refuses, with `detail` = "sdp: <rule>: ...", <rule> a stable snake_case tag:
//   too_large:             size, line_count, media_count, bundle_size
//   malformed:             line_syntax, first_line, media_line, fingerprint_syntax,
//                          fingerprint_hex, mid_syntax, bundle_syntax, duplicate_mid
//   field_out_of_range:    weak_algorithm (sha-1, md5, md2), unsupported_algorithm
//   length_mismatch:       digest_length (not the algorithm's digest size)
//   missing_field:         no_live_section, no_fingerprint, section_without_fingerprint
//   ambiguous_fingerprint: multiple_fingerprints (two distinct values anywhere live),
//                          rejected_section_fingerprint (a rejected section names another one),
//                          outside_bundle (a live section not in the BUNDLE group, or without mid),
//                          multiple_bundle_groups, bundle_unknown_mid, rejected_in_bundle
// The first rule broken is reported: line by line while reading, then BUNDLE, then fingerprints.
Result<Fingerprint> dtls_fingerprint(std::string_view sdp);

// The <rule> tag of an error returned by dtls_fingerprint ("" for any other error).
std::string_view rule_of(const Error& error);

}  // namespace cieloweb::sdp
