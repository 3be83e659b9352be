#include "config.hpp"

#include <doctest/doctest.h>
#include <map>

#include "static_files.hpp"

using namespace cieloweb::server;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("defaults, environment, then flags") {
  auto parsed = parse_config({}, env_of({}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  const auto defaults = std::get<Config>(parsed);
  CHECK(defaults.port == 8080);
  CHECK(defaults.hub.room_capacity == 8);
  CHECK(defaults.signaling_priority == SignalingPriority::automatic);
  CHECK(effective_origins(defaults) == std::vector<std::string>{"http://localhost:8080",
                                                                "http://127.0.0.1:8080",
                                                                "http://[::1]:8080"});

  parsed = parse_config({"--port", "9000", "--room-capacity=12"},
                        env_of({{"CIELO_PORT", "7000"},
                                {"CIELO_ALLOWED_ORIGINS", "https://a.example, https://b.example"},
                                {"CIELO_LOG_LEVEL", "warn"},
                                {"CIELO_SIGNALING_PRIORITY", "normal"}}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  const auto c = std::get<Config>(parsed);
  CHECK(c.port == 9000);
  CHECK(c.hub.room_capacity == 12);
  CHECK(c.log_level == LogLevel::warn);
  CHECK(c.signaling_priority == SignalingPriority::normal);
  CHECK(effective_origins(c) == std::vector<std::string>{"https://a.example", "https://b.example"});
}

TEST_CASE("bad options are reported by name") {
  auto error = [](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    const auto parsed = parse_config(args, env_of(std::move(env)));
    REQUIRE(std::holds_alternative<std::string>(parsed));
    return std::get<std::string>(parsed);
  };
  CHECK(error({"--port", "70000"}).find("--port") != std::string::npos);
  CHECK(error({"--port"}).find("missing value") != std::string::npos);
  CHECK(error({"--bogus", "1"}).find("unknown option") != std::string::npos);
  CHECK(error({}, {{"CIELO_RATE_PER_S", "fast"}}).find("CIELO_RATE_PER_S") != std::string::npos);
  CHECK(error({"--log-level", "chatty"}).find("--log-level") != std::string::npos);
  CHECK(error({"--signaling-priority", "highest"}).find("--signaling-priority") !=
        std::string::npos);
  CHECK(error({"--csp-connect-extra", "x; script-src *"}).find("csp") != std::string::npos);
  CHECK(std::holds_alternative<ConfigHelp>(parse_config({"--help"}, env_of({}))));
}

TEST_CASE("path decoding refuses encoded separators") {
  CHECK(decode_path("/a%20b") == std::optional<std::string>("/a b"));
  CHECK_FALSE(decode_path("/a%2fb").has_value());
  CHECK_FALSE(decode_path("/a%5cb").has_value());
  CHECK_FALSE(decode_path("/a%00").has_value());
  CHECK_FALSE(decode_path("/a%2").has_value());
  CHECK_FALSE(decode_path("/a%zz").has_value());
}

TEST_CASE("content types and the CSP") {
  CHECK(content_type_for("x/core.wasm") == "application/wasm");
  CHECK(content_type_for("index.html") == "text/html; charset=utf-8");
  CHECK(content_type_for("a.mjs") == "text/javascript; charset=utf-8");
  const auto csp = http::SecurityPolicy::same_origin("http://127.0.0.1:9099").csp();
  CHECK(csp.find("'wasm-unsafe-eval'") != std::string::npos);
  CHECK(csp.find("connect-src 'self'") != std::string::npos);
  CHECK(csp.find("http://127.0.0.1:9099") != std::string::npos);
  CHECK(csp.find("'unsafe-eval'") == std::string::npos);
}

TEST_CASE("ICE: STUN and TURN URLs, the secret from the environment, the relay policy") {
  auto parsed = parse_config({"--stun-urls", "stun:stun.example:3478", "--turn-urls",
                              "turn:turn.example:3478?transport=udp,turns:turn.example:5349",
                              "--turn-ttl", "600", "--ice-transport-policy", "relay"},
                             env_of({{"CIELO_TURN_SECRET", "a-long-shared-secret"}}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  const auto& ice = std::get<Config>(parsed).ice;
  CHECK(ice.stun_urls == std::vector<std::string>{"stun:stun.example:3478"});
  CHECK(ice.turn_urls.size() == 2);
  CHECK(ice.turn_secret == "a-long-shared-secret");
  CHECK(ice.turn_ttl_s == 600);
  CHECK(ice.relay_only);
  CHECK(ice.turn_enabled());
}

TEST_CASE("ICE: inconsistent or malformed settings are refused with the reason") {
  auto error = [](std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    const auto parsed = parse_config(args, env_of(std::move(env)));
    REQUIRE(std::holds_alternative<std::string>(parsed));
    return std::get<std::string>(parsed);
  };
  CHECK(error({"--turn-urls", "turn:t.example:3478"}).find("needs --turn-secret") !=
        std::string::npos);
  CHECK(error({"--ice-transport-policy", "relay"}).find("needs TURN") != std::string::npos);
  CHECK(error({"--turn-urls", "stun:t.example:3478"}).find("--turn-urls") != std::string::npos);
  CHECK(error({"--stun-urls", "turn:t.example:3478"}).find("--stun-urls") != std::string::npos);
  CHECK(error({"--stun-urls", "stun:\"x"}).find("--stun-urls") != std::string::npos);
  CHECK(error({"--turn-secret", "short"}).find("--turn-secret") != std::string::npos);
  CHECK(error({"--ice-transport-policy", "none"}).find("--ice-transport-policy") !=
        std::string::npos);
  CHECK(error({"--turn-ttl", "5"}).find("--turn-ttl") != std::string::npos);
}

TEST_CASE("trusted proxies and the header they append") {
  auto parsed = parse_config({"--trusted-proxies", "10.0.0.0/8, fd00::/8"},
                             env_of({{"CIELO_PROXY_HEADER", "forwarded"}}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  const auto c = std::get<Config>(parsed);
  CHECK(c.trusted_proxies.size() == 2);
  CHECK(c.proxy_header == ProxyHeader::forwarded);
  const auto defaults = std::get<Config>(parse_config({}, env_of({})));
  CHECK(defaults.trusted_proxies.empty());
  CHECK(defaults.proxy_header == ProxyHeader::x_forwarded_for);
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"--trusted-proxies", "10.0.0.1/8"},
                                             {"--trusted-proxies", "everyone"},
                                             {"--proxy-header", "x-real-ip"}}) {
    const auto refused = parse_config(bad, env_of({}));
    REQUIRE(std::holds_alternative<std::string>(refused));
    CHECK(std::get<std::string>(refused).find(bad[0]) != std::string::npos);
  }
}

TEST_CASE("per-address limits and the write timeout: defaults, flags and variables") {
  const auto defaults = std::get<Config>(parse_config({}, env_of({})));
  CHECK(defaults.per_ip_connections == 500);
  CHECK(defaults.hub.rooms_per_min == 60);
  CHECK(defaults.hub.turn_per_min == 60);
  CHECK(defaults.write_timeout_ms == 20000);
  auto parsed = parse_config(
      {"--per-ip-connections", "8", "--per-ip-turn-per-min=5"},
      env_of({{"CIELO_PER_IP_ROOMS_PER_MIN", "3"}, {"CIELO_WRITE_TIMEOUT_MS", "1500"}}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  const auto c = std::get<Config>(parsed);
  CHECK(c.per_ip_connections == 8);
  CHECK(c.hub.rooms_per_min == 3);
  CHECK(c.hub.turn_per_min == 5);
  CHECK(c.write_timeout_ms == 1500);
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"--per-ip-connections", "0"},
                                             {"--per-ip-rooms-per-min", "0.5"},
                                             {"--write-timeout-ms", "5"}}) {
    CHECK(std::holds_alternative<std::string>(parse_config(bad, env_of({}))));
  }
}

TEST_CASE("accounts: off by default; the emulator's unsigned tokens only for a demo- project") {
  const auto config = [](std::vector<std::string> args) { return parse_config(args, env_of({})); };
  const auto defaults = std::get<Config>(config({}));
  CHECK_FALSE(defaults.accounts.enabled());
  CHECK_FALSE(defaults.accounts.emulator());
  CHECK(defaults.accounts.certs_url.starts_with("https://www.googleapis.com/"));

  const auto real = std::get<Config>(config({"--firebase-project", "cieloweb-prod"}));
  CHECK(real.accounts.enabled());
  CHECK_FALSE(real.accounts.emulator());

  const auto emulated = std::get<Config>(
      config({"--firebase-project", "demo-cieloweb", "--firebase-emulator", "127.0.0.1:9099"}));
  CHECK(emulated.accounts.emulator());

  // The emulator with a real project (or none) is refused, naming what is wrong.
  const auto refused =
      config({"--firebase-project", "cieloweb-prod", "--firebase-emulator", "127.0.0.1:9099"});
  REQUIRE(std::holds_alternative<std::string>(refused));
  CHECK(std::get<std::string>(refused).find("demo-") != std::string::npos);
  CHECK(std::holds_alternative<std::string>(config({"--firebase-emulator", "127.0.0.1:9099"})));

  // Project ids as Google Cloud spells them; certificates only over https, or http to this machine.
  for (const char* bad : {"Demo-x", "abc", "demo-cieloweb-", "1cieloweb", "demo_cieloweb",
                          "a-very-long-project-id-over-31x"})
    CHECK(std::holds_alternative<std::string>(config({"--firebase-project", bad})));
  CHECK(std::holds_alternative<std::string>(
      config({"--firebase-certs-url", "http://evil.example/certs"})));
  CHECK(std::holds_alternative<Config>(
      config({"--firebase-certs-url", "http://127.0.0.1:9000/certs"})));
  CHECK(std::holds_alternative<Config>(
      config({"--firebase-certs-url", "https://keys.example/certs"})));
}

TEST_CASE("ads: off without a publisher id; units, the CMP and its script checked") {
  auto parsed = parse_config({}, env_of({}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  CHECK_FALSE(std::get<Config>(parsed).ads.enabled());

  parsed = parse_config({"--adsense-client", "ca-pub-1234567890123456", "--adsense-slots",
                         "landing=1234567890,privacy=2345678901"},
                        env_of({}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  const auto ads = std::get<Config>(parsed).ads;
  CHECK(ads.enabled());
  CHECK(ads.publisher_id() == "pub-1234567890123456");
  CHECK(ads.slots.at("privacy") == "2345678901");
  CHECK(ads.cmp == AdsCmp::google);

  parsed = parse_config({}, env_of({{"CIELO_ADSENSE_CLIENT", "ca-pub-1234567890123456"},
                                    {"CIELO_ADS_CMP", "script"},
                                    {"CIELO_ADS_CMP_SCRIPT", "https://cmp.example/cmp.js"}}));
  REQUIRE(std::holds_alternative<Config>(parsed));
  CHECK(std::get<Config>(parsed).ads.cmp_script == "https://cmp.example/cmp.js");

  const auto refused = [](std::vector<std::string> args) {
    const auto result = parse_config(args, env_of({}));
    return std::holds_alternative<std::string>(result) ? std::get<std::string>(result)
                                                       : std::string();
  };
  const std::string client = "ca-pub-1234567890123456";
  CHECK_FALSE(refused({"--adsense-client", "ca-pub-123"}).empty());
  CHECK_FALSE(refused({"--adsense-client", "pub-1234567890123456"}).empty());
  CHECK_FALSE(refused({"--adsense-client", client, "--adsense-slots", "room=1234567890"}).empty());
  CHECK_FALSE(refused({"--adsense-client", client, "--adsense-slots", "landing=12ab"}).empty());
  CHECK_FALSE(
      refused({"--adsense-client", client, "--adsense-slots", "landing=1234567,landing=7654321"})
          .empty());
  CHECK_FALSE(refused({"--adsense-client", client, "--ads-cmp", "ours"}).empty());
  CHECK_FALSE(
      refused({"--adsense-client", client, "--ads-cmp-script", "http://cmp.example/x.js"}).empty());
  CHECK_FALSE(refused({"--adsense-client", client, "--ads-cmp-script",
                       "https://cmp.example/x.js';script-src *"})
                  .empty());
  CHECK(refused({"--adsense-client", client, "--ads-cmp", "script"}).find("--ads-cmp-script") !=
        std::string::npos);
  // Ads of any kind without a publisher id: refused, with the reason.
  CHECK(refused({"--adsense-slots", "landing=1234567890"}).find("--adsense-client") !=
        std::string::npos);
  CHECK(refused({"--third-parties", "ads"}).find("--adsense-client") != std::string::npos);
}

TEST_CASE("signaling priority: realtime is only worth trying with a CPU to spare") {
  CHECK(parse_signaling_priority("realtime") == SignalingPriority::realtime);
  CHECK(parse_signaling_priority("auto") == SignalingPriority::automatic);
  CHECK_FALSE(parse_signaling_priority("REALTIME").has_value());
  CHECK_FALSE(realtime_worth_trying(1));
  CHECK(realtime_worth_trying(2));
}
