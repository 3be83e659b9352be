#include "json_fields.hpp"

#include "cieloweb/limits.hpp"

namespace cieloweb::json_fields {

using control::FileIdentity;

json identity_json(const FileIdentity& f) {
  return json{{"name", f.name},
              {"size", f.size},
              {"mtime_ms", f.mtime_ms},
              {"first_block", blake3::to_hex(f.first_block)}};
}

Result<FileIdentity> identity_from(const Reader& r) {
  FileIdentity f;
  auto name = r.str("name", max_file_name_bytes);
  if (!name) return name.error();
  if (!control::valid_relative_path(name.value())) {
    return r.error(ErrorCode::field_out_of_range, "'name' is not a safe relative path");
  }
  f.name = std::move(name).value();
  auto size = r.u64("size", max_file_size_bytes);
  if (!size) return size.error();
  f.size = size.value();
  auto mtime = r.i64("mtime_ms");
  if (!mtime) return mtime.error();
  f.mtime_ms = mtime.value();
  auto first = r.digest("first_block");
  if (!first) return first.error();
  f.first_block = first.value();
  return f;
}

json ranges_json(const RangeSet& set) {
  json a = json::array();
  for (const auto& [first, last] : set.ranges()) a.push_back(json::array({first, last}));
  return a;
}

Result<RangeSet> ranges_from(const Reader& r, const char* name) {
  const json& obj = r.obj;
  auto it = obj.find(name);
  RangeSet set;
  if (it == obj.end()) return set;
  if (!it->is_array())
    return r.error(ErrorCode::wrong_type, std::string("'") + name + "' must be an array");
  if (it->size() > max_ranges_per_message) return r.error(ErrorCode::too_large, "too many ranges");
  for (const auto& range : *it) {
    if (!range.is_array() || range.size() != 2 || !range[0].is_number_unsigned() ||
        !range[1].is_number_unsigned()) {
      return r.error(ErrorCode::wrong_type,
                     "a range must be [first, last] of non-negative integers");
    }
    const auto first = range[0].get<std::uint64_t>(), last = range[1].get<std::uint64_t>();
    if (first >= last || last > UINT32_MAX)
      return r.error(ErrorCode::field_out_of_range, "bad range");
    set.insert_range(static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last));
  }
  return set;
}

}  // namespace cieloweb::json_fields
