#include "accounts/key_cache.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

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
  return keys_->size() == 0 || now_s >= expires_at_s_;
}

bool KeyCache::refresh_if_stale(std::int64_t now_s) {
  std::lock_guard one_fetch(fetching_);
  if (!stale(now_s)) return true;
  fetch_now(now_s);
  return keys()->size() > 0;
}

bool KeyCache::refresh_for_unknown_kid(std::int64_t now_s) {
  std::lock_guard one_fetch(fetching_);
  {
    std::lock_guard lock(mutex_);
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
  std::lock_guard lock(mutex_);
  if (!fetched) {
    expires_at_s_ = now_s + min_keys_ttl_s;  // try again soon, keep what we have
    return false;
  }
  keys_ = std::make_shared<const SigningKeys>(std::move(*fetched));
  expires_at_s_ = now_s + keys_ttl_from_cache_control(response.cache_control);
  return true;
}

}  // namespace cieloweb::server::accounts
