// JSON field readers shared by the decoders of the core's JSON texts (control.cpp, resume.cpp):
// every read checks presence, type and range and fails with an ErrorCode, never an exception.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cieloweb/blake3.hpp"
#include "cieloweb/control.hpp"
#include "cieloweb/range_set.hpp"
#include "cieloweb/result.hpp"

namespace cieloweb::json_fields {

using nlohmann::json;

struct Reader {
  const json& obj;
  const char* prefix = "control: ";  // of every error detail

  Error error(ErrorCode code, const std::string& what) const {
    return make_error(code, prefix + what);
  }

  Result<const json*> field(const char* name) const {
    auto it = obj.find(name);
    if (it == obj.end())
      return error(ErrorCode::missing_field, std::string("missing '") + name + "'");
    return &*it;
  }

  Result<std::uint64_t> u64(const char* name, std::uint64_t max) const {
    auto f = field(name);
    if (!f) return f.error();
    const json& v = *f.value();
    // nlohmann parses every non-negative integer literal as unsigned; floats and negatives are
    // refused.
    if (!v.is_number_unsigned()) {
      return error(ErrorCode::wrong_type,
                   std::string("'") + name + "' must be a non-negative integer");
    }
    const std::uint64_t x = v.get<std::uint64_t>();
    if (x > max)
      return error(ErrorCode::field_out_of_range, std::string("'") + name + "' too large");
    return x;
  }

  Result<std::int64_t> i64(const char* name) const {
    auto f = field(name);
    if (!f) return f.error();
    const json& v = *f.value();
    if (!v.is_number_integer())
      return error(ErrorCode::wrong_type, std::string("'") + name + "' must be an integer");
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return error(ErrorCode::field_out_of_range, std::string("'") + name + "' too large");
    }
    return v.get<std::int64_t>();
  }

  Result<std::string> str(const char* name, std::size_t max_bytes, bool required = true) const {
    auto it = obj.find(name);
    if (it == obj.end()) {
      if (!required) return std::string{};
      return error(ErrorCode::missing_field, std::string("missing '") + name + "'");
    }
    if (!it->is_string())
      return error(ErrorCode::wrong_type, std::string("'") + name + "' must be a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes)
      return error(ErrorCode::too_large, std::string("'") + name + "' too long");
    return s;
  }

  Result<bool> boolean(const char* name) const {
    auto it = obj.find(name);
    if (it == obj.end()) return false;
    if (!it->is_boolean())
      return error(ErrorCode::wrong_type, std::string("'") + name + "' must be a boolean");
    return it->get<bool>();
  }

  Result<blake3::Digest> digest(const char* name) const {
    auto s = str(name, 64);
    if (!s) return s.error();
    return control::digest_from_hex(s.value());
  }
};

// {"name", "size", "mtime_ms", "first_block"} (control.hpp FileIdentity).
json identity_json(const control::FileIdentity& f);
Result<control::FileIdentity> identity_from(const Reader& r);
// [[first, last), ...] of non-negative integers; an absent field is the empty set.
json ranges_json(const RangeSet& set);
Result<RangeSet> ranges_from(const Reader& r, const char* name);

}  // namespace cieloweb::json_fields
