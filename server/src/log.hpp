// Structured logs: one JSON object per line on stderr. Callers pass only what is safe to keep: ids,
// counts, sizes, error codes. Signal payloads (SDP carries IP addresses) and display names are
// never logged; room ids appear only as a short prefix (the full id is the room's access secret).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cieloweb::server {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

std::optional<LogLevel> parse_log_level(std::string_view name);
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

// Writes {"ts":..., "level":..., "event":..., ...fields} if `level` is enabled. `fields` must be an
// object (or null).
void log_event(LogLevel level, std::string_view event, const nlohmann::json& fields = nullptr);

// The first characters of a room id: enough to follow one room through the logs, too few to join
// it.
std::string room_tag(std::string_view room_id);

}  // namespace cieloweb::server
