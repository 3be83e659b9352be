// Error codes and a small Result type shared by every part of the core.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace cieloweb {

// Stable numeric codes: they cross the wire (control `error` messages) and the JS boundary.
enum class ErrorCode : std::uint16_t {
  ok = 0,
  truncated = 1,              // fewer bytes than the header or a length field promises
  unsupported_version = 2,    // frame or message version we do not speak
  unknown_type = 3,           // frame or message type we do not know
  length_mismatch = 4,        // declared length disagrees with the bytes present
  field_out_of_range = 5,     // a numeric field outside its allowed range
  too_large = 6,              // exceeds an explicit limit (frame, block, message, name)
  bad_json = 7,               // control message is not valid JSON
  missing_field = 8,          // required control field absent
  wrong_type = 9,             // control field of the wrong JSON type
  decompress_failed = 10,     // zstd rejected the payload
  decompress_too_large = 11,  // payload would expand past the cap (zip bomb guard)
  hash_mismatch = 12,         // a block's BLAKE3 chaining value did not verify
  unknown_transfer = 13,      // frame or message for a transfer id we do not have
  bad_state = 14,             // event not allowed in the current state
  file_changed = 15,          // resume refused: the sender's file is not the one partly received
  cancelled = 16,             // the other side cancelled
  rejected = 17,              // the receiver declined the offer
  root_mismatch = 18,         // all blocks verified but the whole-file hash disagrees
  retries_exhausted = 19,     // a block failed verification too many times
  io_error = 20,              // the host reported a read or write failure
  internal = 21,              // a bug: should never be seen
  // Verdicts on peer input outside the transfer protocol (SDP, sdp.hpp). Control `error` messages
  // carry only the codes up to `internal`; these stay on the page (the peer is blocked).
  malformed = 22,              // text that breaks its grammar (a bad line, a bad hex digit)
  ambiguous_fingerprint = 23,  // the SDP could make the live DTLS certificate differ from the one
                               // checked (several fingerprints, a decoy section, outside BUNDLE)
  duplicate_id = 24,           // an id that must be unique in a message appears twice (a batch's
                               // transfer ids)
};

// Short, stable, snake_case name of a code ("hash_mismatch").
const char* error_name(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string detail;  // human-readable context; never contains file contents
  // The reason code the peer gave with its reject or cancel ("declined", "storage_full"), else
  // empty: the page translates it; `detail` is for logs.
  std::string reason;
};

// Either a value or an Error. Deliberately tiny: no exceptions cross module or language boundaries.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation with no value.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string detail, std::string reason = {}) {
  return Error{code, std::move(detail), std::move(reason)};
}

}  // namespace cieloweb
