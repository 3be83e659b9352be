// Unix time in whole seconds, for what is compared with other clocks: TURN credentials (coturn's),
// ID token times (Google's), profile timestamps. Timers and rates use steady clocks instead.
#pragma once

#include <chrono>
#include <cstdint>

namespace cieloweb::server {

inline std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cieloweb::server
