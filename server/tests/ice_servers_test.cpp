#include "ice_servers.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config.hpp"

using cieloweb::server::ice_for_peer;
using cieloweb::server::IceConfig;
using cieloweb::server::read_turn_secret_file;
using cieloweb::server::turn_password;
using cieloweb::server::TurnSecretFile;

TEST_CASE("turn_password is coturn's REST password: base64 of HMAC-SHA1(secret, username)") {
  // Reference: printf '1700003600:peerA' | openssl dgst -sha1 -hmac north-wind -binary | base64
  CHECK(turn_password("north-wind", "1700003600:peerA") == "Ee0lxS4mnjm/63hICB0hoXGkUhQ=");
  CHECK(turn_password("north-wind", "1700003600:peerB") !=
        turn_password("north-wind", "1700003600:peerA"));
}

TEST_CASE("ice_for_peer: nothing configured gives no servers and the default policy") {
  const auto ice = ice_for_peer(IceConfig{}, "peerA", 1700000000);
  CHECK(ice["iceServers"].empty());
  CHECK(ice["iceTransportPolicy"] == "all");
}

TEST_CASE("ice_for_peer: STUN as given, TURN with a credential that expires after the TTL") {
  IceConfig config;
  config.stun_urls = {"stun:stun.example:3478"};
  config.turn_urls = {"turn:turn.example:3478?transport=udp",
                      "turn:turn.example:3478?transport=tcp"};
  config.turn_secret = "north-wind";
  config.turn_ttl_s = 3600;
  config.relay_only = true;
  const auto ice = ice_for_peer(config, "peerA", 1700000000);
  REQUIRE(ice["iceServers"].size() == 2);
  CHECK(ice["iceServers"][0]["urls"] == nlohmann::json{"stun:stun.example:3478"});
  CHECK_FALSE(ice["iceServers"][0].contains("username"));
  const auto& turn = ice["iceServers"][1];
  CHECK(turn["urls"].size() == 2);
  CHECK(turn["username"] == "1700003600:peerA");
  CHECK(turn["credential"] == "Ee0lxS4mnjm/63hICB0hoXGkUhQ=");
  CHECK(ice["iceTransportPolicy"] == "relay");
}

TEST_CASE("ice_for_peer: TURN URLs without a secret are left out (coturn would refuse them)") {
  IceConfig config;
  config.turn_urls = {"turn:turn.example:3478"};
  CHECK(ice_for_peer(config, "peerA", 1700000000)["iceServers"].empty());
}

namespace {

// A secret file of its own in the temporary folder, removed at the end of the test.
struct SecretFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("cielo-turn-secret-" + std::to_string(::getpid()));
  void write(const std::string& text) const { std::ofstream(path, std::ios::binary) << text; }
  ~SecretFile() { std::filesystem::remove(path); }
};

std::variant<cieloweb::server::Config, cieloweb::server::ConfigHelp, std::string> parse(
    std::vector<std::string> args, std::optional<std::string> env_secret = std::nullopt) {
  return cieloweb::server::parse_config(
      args, [env_secret](std::string_view name) -> std::optional<std::string> {
        if (name == "CIELO_TURN_SECRET") return env_secret;
        return std::nullopt;
      });
}

}  // namespace

TEST_CASE("read_turn_secret_file: the first line without trailing blanks, 16 characters or more") {
  SecretFile file;
  file.write("a-long-shared-secret \r\nsecond line\n");
  CHECK(read_turn_secret_file(file.path.string()) == "a-long-shared-secret");
  file.write("no-newline-secret-0123");
  CHECK(read_turn_secret_file(file.path.string()) == "no-newline-secret-0123");
  file.write("too-short\n");
  CHECK_FALSE(read_turn_secret_file(file.path.string()));
  file.write("");
  CHECK_FALSE(read_turn_secret_file(file.path.string()));
  file.write(std::string(5000, 'x'));
  CHECK_FALSE(read_turn_secret_file(file.path.string()));
  std::filesystem::remove(file.path);
  CHECK_FALSE(read_turn_secret_file(file.path.string()));
}

TEST_CASE(
    "TurnSecretFile: a new secret in the file mints from the next second on; a bad file "
    "keeps the last good one") {
  SecretFile file;
  file.write("first-secret-0123456789\n");
  TurnSecretFile watcher(file.path.string());
  std::string secret;
  CHECK(watcher.refresh(secret, 1000));
  CHECK(secret == "first-secret-0123456789");

  file.write("second-secret-0123456789\n");
  CHECK_FALSE(watcher.refresh(secret, 1000));  // read once a second at most
  CHECK(secret == "first-secret-0123456789");
  CHECK(watcher.refresh(secret, 1001));
  CHECK(secret == "second-secret-0123456789");
  CHECK_FALSE(watcher.refresh(secret, 1002));  // unchanged

  file.write("short\n");  // e.g. caught half-written
  CHECK_FALSE(watcher.refresh(secret, 1003));
  std::filesystem::remove(file.path);
  CHECK_FALSE(watcher.refresh(secret, 1004));
  CHECK(secret == "second-secret-0123456789");
  file.write("third-secret-0123456789\n");
  CHECK(watcher.refresh(secret, 1005));
  CHECK(secret == "third-secret-0123456789");
}

TEST_CASE(
    "--turn-secret-file: read at start; unreadable, too short or beside --turn-secret is "
    "refused") {
  SecretFile file;
  file.write("a-long-shared-secret\n");
  auto parsed =
      parse({"--turn-urls", "turn:t.example:3478", "--turn-secret-file", file.path.string()});
  REQUIRE(std::holds_alternative<cieloweb::server::Config>(parsed));
  const auto& ice = std::get<cieloweb::server::Config>(parsed).ice;
  CHECK(ice.turn_secret == "a-long-shared-secret");
  CHECK(ice.turn_secret_file == file.path.string());
  CHECK(ice.turn_enabled());

  const auto error = [](const auto& result) {
    REQUIRE(std::holds_alternative<std::string>(result));
    return std::get<std::string>(result);
  };
  CHECK(error(parse({"--turn-secret-file", file.path.string()}, "another-long-secret"))
            .find("not both") != std::string::npos);
  file.write("short\n");
  CHECK(error(parse({"--turn-secret-file", file.path.string()})).find("--turn-secret-file") !=
        std::string::npos);
  std::filesystem::remove(file.path);
  CHECK(error(parse({"--turn-secret-file", file.path.string()})).find("--turn-secret-file") !=
        std::string::npos);
}
