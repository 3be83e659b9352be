#include "cieloweb/resume.hpp"

#include <algorithm>

#include "cieloweb/block_layout.hpp"
#include "cieloweb/json_text.hpp"
#include "json_fields.hpp"

namespace cieloweb::resume {
namespace {

using json_fields::json;
using json_fields::Reader;

constexpr const char* prefix = "resume state: ";

Error state_error(ErrorCode code, const std::string& what) {
  return make_error(code, prefix + what);
}

Result<std::vector<std::pair<std::uint32_t, blake3::Digest>>> checks_from(const Reader& r,
                                                                          std::uint32_t count) {
  std::vector<std::pair<std::uint32_t, blake3::Digest>> checks;
  auto field = r.field("checks");
  if (!field) return field.error();
  const json& list = *field.value();
  if (!list.is_array()) return state_error(ErrorCode::wrong_type, "'checks' must be an array");
  if (list.size() > max_tracked_blocks) return state_error(ErrorCode::too_large, "too many checks");
  checks.reserve(list.size());
  for (const auto& c : list) {
    if (!c.is_array() || c.size() != 2 || !c[0].is_number_unsigned() || !c[1].is_string())
      return state_error(ErrorCode::wrong_type, "a check must be [block, hex]");
    const auto block = c[0].get<std::uint64_t>();
    if (block >= count) return state_error(ErrorCode::field_out_of_range, "check past the end");
    if (!checks.empty() && block <= checks.back().first)
      return state_error(ErrorCode::field_out_of_range, "checks out of order or repeated");
    auto digest = control::digest_from_hex(c[1].get_ref<const std::string&>());
    if (!digest) return digest.error();
    checks.emplace_back(static_cast<std::uint32_t>(block), digest.value());
  }
  return checks;
}

}  // namespace

std::string encode(const State& state) {
  json j{{"v", version},
         {"file", json_fields::identity_json(state.file)},
         {"block_size", state.block_size},
         {"verified", json_fields::ranges_json(state.verified)}};
  json checks = json::array();
  for (const auto& [block, check] : state.checks)
    checks.push_back(json::array({block, blake3::to_hex(check)}));
  j["checks"] = std::move(checks);
  return j.dump();
}

Result<State> decode(std::string_view text) {
  if (text.size() > max_state_bytes) return state_error(ErrorCode::too_large, "too long");
  if (json_nesting_depth(text, max_json_depth) > max_json_depth)
    return state_error(ErrorCode::too_large, "nesting too deep");
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return state_error(ErrorCode::bad_json, "not valid JSON");
  if (!j.is_object()) return state_error(ErrorCode::wrong_type, "must be an object");
  const Reader r{j, prefix};
  auto v = r.u64("v", 255);
  if (!v) return v.error();
  if (v.value() != static_cast<std::uint64_t>(version))
    return state_error(ErrorCode::unsupported_version, "version " + std::to_string(v.value()));

  State s;
  auto file = r.field("file");
  if (!file) return file.error();
  if (!file.value()->is_object())
    return state_error(ErrorCode::wrong_type, "'file' must be an object");
  auto identity = json_fields::identity_from(Reader{*file.value(), prefix});
  if (!identity) return identity.error();
  s.file = std::move(identity).value();
  auto block_size = r.u64("block_size", max_block_size_bytes);
  if (!block_size) return block_size.error();
  s.block_size = static_cast<std::uint32_t>(block_size.value());
  if (s.block_size < min_block_size_bytes || (s.block_size & (s.block_size - 1)) != 0)
    return state_error(ErrorCode::field_out_of_range,
                       "block_size must be a power of two >= 16 KiB");
  const std::uint64_t blocks = (s.file.size + s.block_size - 1) / s.block_size;
  if (blocks > max_tracked_blocks)
    return state_error(ErrorCode::too_large, "more blocks than a receiver tracks");
  const auto count = static_cast<std::uint32_t>(blocks);

  auto verified = json_fields::ranges_from(r, "verified");
  if (!verified) return verified.error();
  s.verified = std::move(verified).value();
  if (!s.verified.empty() && s.verified.ranges().back().second > count)
    return state_error(ErrorCode::field_out_of_range, "verified blocks past the end");
  auto checks = checks_from(r, count);
  if (!checks) return checks.error();
  s.checks = std::move(checks).value();
  // One check for each verified block, none for another.
  if (s.checks.size() != s.verified.count() ||
      !std::all_of(s.checks.begin(), s.checks.end(),
                   [&](const auto& c) { return s.verified.contains(c.first); })) {
    return state_error(ErrorCode::length_mismatch, "checks do not match the verified blocks");
  }
  return s;
}

State limit_to(const State& state, const RangeSet& kept) {
  State out;
  out.file = state.file;
  out.block_size = state.block_size;
  for (const auto& [block, check] : state.checks) {
    if (!kept.contains(block)) continue;
    out.verified.insert(block);
    out.checks.emplace_back(block, check);
  }
  return out;
}

std::string identity_key(const control::FileIdentity& file) {
  return json::array({file.name, file.size, file.mtime_ms, blake3::to_hex(file.first_block)})
      .dump();
}

}  // namespace cieloweb::resume
