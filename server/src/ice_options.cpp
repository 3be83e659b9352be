// The ICE options of parse_config (config_option.hpp): the STUN and TURN servers handed to peers,
// and the secret that mints TURN credentials (docs/turn.md).
#include <charconv>
#include <optional>
#include <string>

#include "config_option.hpp"
#include "ice_servers.hpp"

namespace cieloweb::server {
namespace {

// ICE URLs are "stun:", "turn:" or "turns:" URIs without spaces, quotes or commas.
bool valid_ice_urls(const std::vector<std::string>& urls, bool turn) {
  if (urls.empty()) return false;
  for (const auto& url : urls) {
    const bool stun_scheme = url.rfind("stun:", 0) == 0 || url.rfind("stuns:", 0) == 0;
    const bool turn_scheme = url.rfind("turn:", 0) == 0 || url.rfind("turns:", 0) == 0;
    if (turn ? !turn_scheme : !stun_scheme) return false;
    if (url.find_first_of("\"'<>\\") != std::string::npos) return false;
  }
  return true;
}

}  // namespace

std::vector<Option> ice_options() {
  return {
      {"--stun-urls", "CIELO_STUN_URLS", "comma-separated stun: URLs handed to peers (none)",
       [](Config& c, std::string_view v) {
         c.ice.stun_urls = split_list(v);
         return valid_ice_urls(c.ice.stun_urls, false);
       }},
      {"--turn-urls", "CIELO_TURN_URLS",
       "comma-separated turn:/turns: URLs of a coturn with use-auth-secret (none; needs the "
       "secret)",
       [](Config& c, std::string_view v) {
         c.ice.turn_urls = split_list(v);
         return valid_ice_urls(c.ice.turn_urls, true);
       }},
      {"--turn-secret", "CIELO_TURN_SECRET",
       "coturn's shared secret, to mint short-lived TURN credentials (prefer the variable or "
       "--turn-secret-file: flags show in process lists)",
       [](Config& c, std::string_view v) {
         c.ice.turn_secret = std::string(v);
         return v.size() >= 16;
       }},
      {"--turn-secret-file", "CIELO_TURN_SECRET_FILE",
       "a file whose first line is the shared secret; read again within a second of a change, "
       "so the secret rotates without a restart (docs/turn.md) (none)",
       [](Config& c, std::string_view v) {
         c.ice.turn_secret_file = std::string(v);
         return !v.empty();
       }},
      {"--turn-ttl", "CIELO_TURN_TTL", "seconds a minted TURN credential stays valid (3600)",
       [](Config& c, std::string_view v) {
         std::uint32_t ttl = 0;
         const auto* end = v.data() + v.size();
         const auto [ptr, ec] = std::from_chars(v.data(), end, ttl);
         if (ec != std::errc{} || ptr != end || ttl < 60 || ttl > 7 * 86400) return false;
         c.ice.turn_ttl_s = ttl;
         return true;
       }},
      {"--ice-transport-policy", "CIELO_ICE_TRANSPORT_POLICY",
       "all | relay (relay: peers connect only through TURN and never learn each other's "
       "address)",
       [](Config& c, std::string_view v) {
         c.ice.relay_only = v == "relay";
         return v == "relay" || v == "all";
       }},
  };
}

std::optional<std::string> check_ice_config(Config& config) {
  IceConfig& ice = config.ice;
  if (!ice.turn_secret_file.empty()) {
    if (!ice.turn_secret.empty()) {
      return std::string("give --turn-secret (CIELO_TURN_SECRET) or --turn-secret-file, not both");
    }
    auto secret = read_turn_secret_file(ice.turn_secret_file);
    if (!secret) {
      return "--turn-secret-file: no secret of at least 16 characters in '" + ice.turn_secret_file +
             "'";
    }
    ice.turn_secret = std::move(*secret);
  }
  if (!ice.turn_urls.empty() && ice.turn_secret.empty()) {
    return std::string(
        "--turn-urls needs --turn-secret (or CIELO_TURN_SECRET, --turn-secret-file)");
  }
  if (ice.relay_only && !ice.turn_enabled()) {
    return std::string("--ice-transport-policy relay needs TURN (--turn-urls and a secret)");
  }
  return std::nullopt;
}

}  // namespace cieloweb::server
