#include "ice_servers.hpp"

#include <doctest/doctest.h>

using cieloweb::server::ice_for_peer;
using cieloweb::server::IceConfig;
using cieloweb::server::turn_password;

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
