// What the server asks Firebase Authentication about a person, with that person's own ID token
// (Identity Toolkit's accounts:lookup and accounts:delete take it with the project's public API
// key; no admin credential lives on our server): what Firebase holds, for the export, and the
// deletion of the Firebase user when the person deletes their account. Blocking: pool only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/key_cache.hpp"

namespace cieloweb::server {
struct AccountsConfig;
}

namespace cieloweb::server::accounts {

// How long one call to Firebase may take before the person's request goes on without it.
inline constexpr std::chrono::seconds firebase_call_deadline{3};

class FirebaseAccounts {
 public:
  using PostJson = std::function<FetchResponse(const std::string& url, const std::string& body)>;
  // `api_base`: ".../identitytoolkit.googleapis.com/v1" of Google or of the emulator.
  FirebaseAccounts(std::string api_base, std::string api_key, PostJson post);
  static FirebaseAccounts from_config(const AccountsConfig& config);

  // The person's Firebase record, only the fields meant for them (never a password hash or
  // salt, which the emulator even returns); nullopt when Firebase could not be asked.
  std::optional<nlohmann::json> lookup(std::string_view id_token) const;
  // Deletes the Firebase user the token belongs to. @return whether Firebase confirmed it.
  bool delete_user(std::string_view id_token) const;

 private:
  FetchResponse call(std::string_view method, std::string_view id_token) const;
  std::string api_base_;
  std::string api_key_;
  PostJson post_;
  // One call at a time: the blocking pool has two threads, and a slow Firebase must never hold
  // both (a second caller gets "busy" at once: the export then says Firebase was unavailable,
  // the deletion leaves the Firebase user to the page).
  std::shared_ptr<std::atomic<bool>> calling_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace cieloweb::server::accounts
