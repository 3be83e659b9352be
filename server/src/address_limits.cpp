#include "address_limits.hpp"

#include <algorithm>

namespace cieloweb::server {

bool ConnectionTally::try_add(const std::string& key, std::size_t cap) {
  auto& count = counts_[key];
  if (count >= cap) {
    if (count == 0) counts_.erase(key);
    return false;
  }
  ++count;
  return true;
}

void ConnectionTally::remove(const std::string& key) {
  const auto it = counts_.find(key);
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

std::size_t ConnectionTally::count(const std::string& key) const {
  const auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

bool AddressBuckets::take(const std::string& key, std::int64_t now_ms) {
  auto it = buckets_.find(key);
  if (it == buckets_.end())
    it = buckets_.emplace(key, signaling::TokenBucket(burst_, now_ms)).first;
  return it->second.take(per_ms_, burst_, now_ms);
}

void AddressBuckets::forget_full(std::int64_t now_ms) {
  std::erase_if(buckets_,
                [&](const auto& entry) { return entry.second.full(per_ms_, burst_, now_ms); });
}

}  // namespace cieloweb::server
