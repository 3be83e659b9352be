#include "token_bucket.hpp"

#include <algorithm>

namespace cieloweb::signaling {

bool TokenBucket::take(double per_ms, double burst, std::int64_t now_ms) {
  if (now_ms > last_ms_) {
    tokens_ = std::min(burst, tokens_ + static_cast<double>(now_ms - last_ms_) * per_ms);
    last_ms_ = now_ms;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::full(double per_ms, double burst, std::int64_t now_ms) const {
  const double elapsed = now_ms > last_ms_ ? static_cast<double>(now_ms - last_ms_) : 0.0;
  return tokens_ + elapsed * per_ms >= burst;
}

}  // namespace cieloweb::signaling
