// The ICE servers a peer gets with its `joined` message: STUN to learn its public address, and TURN
// (coturn) to relay when no direct path exists. TURN credentials are short-lived and minted per
// peer with coturn's "TURN REST API" scheme (use-auth-secret): the username is
// "<expiry unix seconds>:<peer id>" and the password is base64(HMAC-SHA1(shared secret, username)),
// so coturn checks them with the same secret and no database, and a leaked one expires on its own.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cieloweb::server {

struct IceConfig {
  std::vector<std::string> stun_urls;  // "stun:host:port"
  std::vector<std::string> turn_urls;  // "turn:host:port?transport=udp", "turns:…"
  std::string turn_secret;             // the shared secret that mints; TURN is off without it
  std::string turn_secret_file;        // --turn-secret-file: where turn_secret is read again
  std::uint32_t turn_ttl_s = 3600;     // how long a minted credential stays valid
  bool relay_only = false;  // iceTransportPolicy "relay": peers never see each other's IP

  bool turn_enabled() const { return !turn_urls.empty() && !turn_secret.empty(); }
};

// The secret a --turn-secret-file holds: its first line without trailing blanks; nullopt when the
// file cannot be read or that secret is shorter than 16 characters.
std::optional<std::string> read_turn_secret_file(const std::string& path);

// Rotation without a restart (docs/turn.md): with --turn-secret-file, the secret is read again
// from the file at most once a second, just before a credential is minted, so every credential
// minted after the file's content changed uses the new secret. A file that becomes unreadable or
// too short leaves the last good secret in use (logged once).
class TurnSecretFile {
 public:
  explicit TurnSecretFile(std::string path) : path_(std::move(path)) {}
  // Updates `secret` from the file unless it was read during the second `now_s` already; true
  // when the secret changed.
  bool refresh(std::string& secret, std::int64_t now_s);

 private:
  std::string path_;
  std::int64_t read_at_s_ = std::numeric_limits<std::int64_t>::min();
  bool unusable_ = false;
};

// base64(HMAC-SHA1(secret, username)), the password coturn expects for `username`.
std::string turn_password(std::string_view secret, std::string_view username);

// {"iceServers": [RTCIceServer…], "iceTransportPolicy": "all" | "relay"} for one peer at `now_s`
// (unix seconds), ready to be a member of the `joined` message. Without `with_turn` (the peer's
// address has had its share of credentials) the TURN servers are left out.
nlohmann::json ice_for_peer(const IceConfig& config, std::string_view peer_id, std::int64_t now_s,
                            bool with_turn = true);

}  // namespace cieloweb::server
