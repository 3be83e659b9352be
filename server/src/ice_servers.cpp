#include "ice_servers.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <fstream>
#include <stdexcept>

#include "log.hpp"

namespace cieloweb::server {

std::optional<std::string> read_turn_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 1024> buffer{};
  // Fails on an empty file and on a first line as long as the buffer (no secret is that long).
  if (!in.getline(buffer.data(), static_cast<std::streamsize>(buffer.size()))) return std::nullopt;
  std::string line(buffer.data());
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.pop_back();
  }
  if (line.size() < 16) return std::nullopt;
  return line;
}

bool TurnSecretFile::refresh(std::string& secret, std::int64_t now_s) {
  if (now_s == read_at_s_) return false;
  read_at_s_ = now_s;
  auto fresh = read_turn_secret_file(path_);
  if (!fresh) {
    if (!unusable_) {
      log_event(LogLevel::warn, "turn-secret-file-unusable",
                {{"file", path_}, {"keeps", "the last secret read"}});
    }
    unusable_ = true;
    return false;
  }
  unusable_ = false;
  if (*fresh == secret) return false;
  secret = std::move(*fresh);
  log_event(LogLevel::info, "turn-secret-changed", {{"file", path_}});
  return true;
}

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
