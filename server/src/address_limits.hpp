// Per-client-address limits: how many connections an address holds, and token buckets for what
// it may do per minute (join unknown rooms, create rooms, get TURN credentials). Keys come from
// limit_key() (client_address.hpp): an IPv4 address or an IPv6 /64. Pure logic, no clocks.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "token_bucket.hpp"

namespace cieloweb::server {

// Counts open connections per address.
class ConnectionTally {
 public:
  // Counts one more connection for `key` if it holds fewer than `cap`. @return whether it did.
  bool try_add(const std::string& key, std::size_t cap);
  // The connection counted by a successful try_add is gone.
  void remove(const std::string& key);
  std::size_t count(const std::string& key) const;
  std::size_t addresses() const { return counts_.size(); }

 private:
  std::unordered_map<std::string, std::size_t> counts_;  // only keys with a count above zero
};

// One token bucket per address: `burst` at once, refilled at `per_min` a minute. Addresses whose
// bucket is full again are forgotten by forget_full(), so memory follows the active addresses.
class AddressBuckets {
 public:
  AddressBuckets(double per_min, double burst) : per_ms_(per_min / 60000.0), burst_(burst) {}
  // Takes one token of `key`'s bucket. @return false when it is empty (the action is refused).
  bool take(const std::string& key, std::int64_t now_ms);
  void forget_full(std::int64_t now_ms);
  std::size_t size() const { return buckets_.size(); }

 private:
  double per_ms_;
  double burst_;
  std::unordered_map<std::string, signaling::TokenBucket> buckets_;
};

}  // namespace cieloweb::server
