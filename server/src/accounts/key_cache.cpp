#include "accounts/key_cache.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "log.hpp"

namespace cieloweb::server::accounts {

std::int64_t keys_ttl_from_cache_control(std::string_view cache_control) {
  std::string lower(cache_control);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto at = lower.find("max-age=");
  std::int64_t seconds = 0;
  if (at != std::string::npos) {
    for (std::size_t i = at + 8;
         i < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i])); ++i) {
      seconds = seconds * 10 + (lower[i] - '0');
      if (seconds > max_keys_ttl_s) break;  // no overflow from a long digit string
    }
  }
  return std::clamp(seconds, min_keys_ttl_s, max_keys_ttl_s);
}

KeyCache::KeyCache(std::string url, Fetch fetch)
    : url_(std::move(url)),
      fetch_(std::move(fetch)),
      keys_(std::make_shared<const SigningKeys>()) {}

std::shared_ptr<const SigningKeys> KeyCache::keys() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

bool KeyCache::stale(std::int64_t now_s) const {
  std::lock_guard lock(mutex_);
  // A failed fetch also sets expires_at_s_ (a minute on): with no keys at all, requests wait for
  // that minute too, rather than each starting a fetch.
  return now_s >= expires_at_s_;
}

bool KeyCache::refresh_if_stale(std::int64_t now_s) {
  // Fresh keys (the common case) never wait behind a fetch in progress.
  if (!stale(now_s)) return keys()->size() > 0;
  std::lock_guard one_fetch(fetching_);
  if (stale(now_s)) fetch_now(now_s);  // else another thread fetched while we waited
  return keys()->size() > 0;
}

bool KeyCache::refresh_for_unknown_kid(std::int64_t now_s, const SigningKeys* seen) {
  std::lock_guard one_fetch(fetching_);
  {
    std::lock_guard lock(mutex_);
    // Another thread replaced the set since the caller looked: check against the new one.
    if (keys_.get() != seen) return true;
    if (now_s - last_unknown_kid_fetch_s_ < unknown_kid_refetch_s) return false;
    last_unknown_kid_fetch_s_ = now_s;
  }
  return fetch_now(now_s);
}

bool KeyCache::fetch_now(std::int64_t now_s) {
  const auto response = fetch_(url_);
  std::optional<SigningKeys> fetched;
  if (response.status == 200 && response.body.size() <= max_certs_bytes)
    fetched = SigningKeys::from_certificates_json(response.body);
  if (!fetched) {
    // The URL holds nothing personal; the reason helps the operator (a 503 alone does not).
    log_event(
        LogLevel::warn, "signing-keys-fetch-failed",
        {{"status", response.status},
         {"error", response.error.empty() ? "not a usable certificate set" : response.error}});
  }
  std::lock_guard lock(mutex_);
  if (!fetched) {
    expires_at_s_ = now_s + min_keys_ttl_s;  // try again in a minute, keep what we have
    return false;
  }
  keys_ = std::make_shared<const SigningKeys>(std::move(*fetched));
  expires_at_s_ = now_s + keys_ttl_from_cache_control(response.cache_control);
  return true;
}

}  // namespace cieloweb::server::accounts
