// Google's ID token signing keys, kept current. The set is fetched from the configured URL and
// kept as long as the response's Cache-Control max-age says (Google rotates keys about daily and
// publishes each new one well before use). A token naming a key id we do not have may mean a
// rotation we have not seen: then the set is fetched again, but at most once per
// `unknown_kid_refetch_s`, so a stream of forged kids cannot turn us into a fetch amplifier.
//
// Thread-safe: verifications read the current set from any thread; fetches are blocking and run
// on the blocking pool, never on an I/O thread (signaling or HTTP).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "accounts/signing_keys.hpp"

namespace cieloweb::server::accounts {

struct FetchResponse {
  int status = 0;             // HTTP status; 0 when nothing came back
  std::string body;           // at most max_certs_bytes
  std::string cache_control;  // the Cache-Control header, as sent
  std::string error;          // why nothing usable came back (for logs)
};

// A blocking GET of `url` (http_fetch.hpp in the server; a seam for the cache's own tests).
using Fetch = std::function<FetchResponse(const std::string& url)>;

inline constexpr std::size_t max_certs_bytes = 64 * 1024;
inline constexpr std::int64_t unknown_kid_refetch_s = 30;
// Bounds on what a Cache-Control may make us do: never keep keys past a day, never refetch more
// often than a minute (a missing or zero max-age means the minimum).
inline constexpr std::int64_t min_keys_ttl_s = 60;
inline constexpr std::int64_t max_keys_ttl_s = 86400;

// The max-age of a Cache-Control value in seconds, clamped to [min_keys_ttl_s, max_keys_ttl_s].
std::int64_t keys_ttl_from_cache_control(std::string_view cache_control);

class KeyCache {
 public:
  KeyCache(std::string url, Fetch fetch);

  // The current set (never null: empty before the first successful fetch).
  std::shared_ptr<const SigningKeys> keys() const;

  // Whether it is time to fetch: never fetched, past the set's max-age, or a minute after a failed
  // fetch (also when no set was ever fetched: failures back off, they do not fetch per request).
  bool stale(std::int64_t now_s) const;

  // Fetches when stale (blocking; fresh keys never wait for a fetch in progress). Returns whether
  // a usable set is held afterwards. A failed fetch keeps the old set (better slightly old keys
  // than none).
  bool refresh_if_stale(std::int64_t now_s);

  // For a token whose kid `seen` (the set the caller checked against) does not have: true at once
  // when the set has been replaced since (check again), else fetches unless that was done within
  // unknown_kid_refetch_s. Returns whether there is a newer set to check against.
  bool refresh_for_unknown_kid(std::int64_t now_s, const SigningKeys* seen);

 private:
  bool fetch_now(std::int64_t now_s);

  const std::string url_;
  const Fetch fetch_;
  mutable std::mutex mutex_;
  std::shared_ptr<const SigningKeys> keys_;
  std::int64_t expires_at_s_ = 0;
  std::int64_t last_unknown_kid_fetch_s_ = INT64_MIN / 2;
  std::mutex fetching_;  // one fetch at a time; others wait and then see its result
};

}  // namespace cieloweb::server::accounts
