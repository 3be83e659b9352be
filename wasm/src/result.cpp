#include "cieloweb/result.hpp"

namespace cieloweb {

const char* error_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok:
      return "ok";
    case ErrorCode::truncated:
      return "truncated";
    case ErrorCode::unsupported_version:
      return "unsupported_version";
    case ErrorCode::unknown_type:
      return "unknown_type";
    case ErrorCode::length_mismatch:
      return "length_mismatch";
    case ErrorCode::field_out_of_range:
      return "field_out_of_range";
    case ErrorCode::too_large:
      return "too_large";
    case ErrorCode::bad_json:
      return "bad_json";
    case ErrorCode::missing_field:
      return "missing_field";
    case ErrorCode::wrong_type:
      return "wrong_type";
    case ErrorCode::decompress_failed:
      return "decompress_failed";
    case ErrorCode::decompress_too_large:
      return "decompress_too_large";
    case ErrorCode::hash_mismatch:
      return "hash_mismatch";
    case ErrorCode::unknown_transfer:
      return "unknown_transfer";
    case ErrorCode::bad_state:
      return "bad_state";
    case ErrorCode::file_changed:
      return "file_changed";
    case ErrorCode::cancelled:
      return "cancelled";
    case ErrorCode::rejected:
      return "rejected";
    case ErrorCode::root_mismatch:
      return "root_mismatch";
    case ErrorCode::retries_exhausted:
      return "retries_exhausted";
    case ErrorCode::io_error:
      return "io_error";
    case ErrorCode::internal:
      return "internal";
    case ErrorCode::duplicate_id:
      return "duplicate_id";
    case ErrorCode::malformed:
      return "malformed";
    case ErrorCode::ambiguous_fingerprint:
      return "ambiguous_fingerprint";
  }
  return "internal";
}

}  // namespace cieloweb
