// A token bucket: `burst` tokens at most, refilled continuously; time is passed in, never read.
#pragma once

#include <cstdint>

namespace cieloweb::signaling {

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double burst, std::int64_t now_ms) : tokens_(burst), last_ms_(now_ms) {}
  // Refills at `per_ms` tokens per millisecond up to `burst`, then takes one token if there is one.
  bool take(double per_ms, double burst, std::int64_t now_ms);
  bool full(double per_ms, double burst, std::int64_t now_ms) const;

 private:
  double tokens_ = 0;
  std::int64_t last_ms_ = 0;
};

}  // namespace cieloweb::signaling
