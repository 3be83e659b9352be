#include "ice_servers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace cieloweb::server {

std::string turn_password(std::string_view secret, std::string_view username) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac.data(),
           &mac_length) == nullptr) {
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  // EVP_EncodeBlock writes 4 characters per 3 bytes and a terminating NUL.
  std::string encoded(4 * ((mac_length + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac.data(),
                                     static_cast<int>(mac_length));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

nlohmann::json ice_for_peer(const IceConfig& config, std::string_view peer_id, std::int64_t now_s,
                            bool with_turn) {
  auto servers = nlohmann::json::array();
  if (!config.stun_urls.empty()) servers.push_back({{"urls", config.stun_urls}});
  if (config.turn_enabled() && with_turn) {
    const std::string username =
        std::to_string(now_s + static_cast<std::int64_t>(config.turn_ttl_s)) + ":" +
        std::string(peer_id);
    servers.push_back({{"urls", config.turn_urls},
                       {"username", username},
                       {"credential", turn_password(config.turn_secret, username)}});
  }
  return {{"iceServers", std::move(servers)},
          {"iceTransportPolicy", config.relay_only ? "relay" : "all"}};
}

}  // namespace cieloweb::server
