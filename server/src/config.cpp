#include "config.hpp"

#include "config_option.hpp"

#include <charconv>
#include <limits>
#include <sstream>

namespace cieloweb::server {
namespace {

template <class T>
bool parse_number(std::string_view text, T& out, T min_value, T max_value) {
  T value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value < min_value || value > max_value) return false;
  out = value;
  return true;
}

bool parse_double(std::string_view text, double& out, double min_value) {
  try {
    std::size_t used = 0;
    const double value = std::stod(std::string(text), &used);
    if (used != text.size() || !(value >= min_value) || value > 1e9) return false;
    out = value;
    return true;
  } catch (...) {
    return false;
  }
}

// Firebase (Google Cloud) project ids: 6-30 lowercase letters, digits and hyphens, starting with
// a letter and not ending with a hyphen. The id lands in the tokens' expected issuer and in URLs.
bool valid_project_id(std::string_view id) {
  if (id.size() < 6 || id.size() > 30 || !(id.front() >= 'a' && id.front() <= 'z') ||
      id.back() == '-')
    return false;
  for (const char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

template <class T>
std::function<bool(Config&, std::string_view)> number(T Config::*field, T min_value, T max_value) {
  return [=](Config& c, std::string_view v) {
    return parse_number(v, c.*field, min_value, max_value);
  };
}

template <class T>
std::function<bool(Config&, std::string_view)> hub_number(T signaling::HubLimits::*field,
                                                          T min_value, T max_value) {
  return [=](Config& c, std::string_view v) {
    return parse_number(v, c.hub.*field, min_value, max_value);
  };
}

std::function<bool(Config&, std::string_view)> hub_rate(double signaling::HubLimits::*field,
                                                        double min_value) {
  return [=](Config& c, std::string_view v) { return parse_double(v, c.hub.*field, min_value); };
}

std::vector<Option> with(std::vector<Option> more, std::vector<Option> options) {
  options.insert(options.end(), more.begin(), more.end());
  return options;
}

const std::vector<Option>& options() {
  using L = signaling::HubLimits;
  constexpr auto max_u32 = std::numeric_limits<std::uint32_t>::max();
  static const std::vector<Option> all =
      with(
          with(ice_options(), ads_options()),
          {
              {"--address", "CIELO_ADDRESS", "listen address (default ::, dual-stack)",
               [](Config& c, std::string_view v) {
                 c.address = std::string(v);
                 return !v.empty();
               }},
              {"--port", "CIELO_PORT", "listen port, 0 = any free port (default 8080)",
               number<std::uint16_t>(&Config::port, 0, 65535)},
              {"--web-root", "CIELO_WEB_ROOT", "folder of the built page (default web/dist)",
               [](Config& c, std::string_view v) {
                 c.web_root = std::string(v);
                 return !v.empty();
               }},
              {"--allowed-origins", "CIELO_ALLOWED_ORIGINS",
               "comma-separated origins allowed on /ws, or * (default http://localhost:PORT, "
               "http://127.0.0.1:PORT, http://[::1]:PORT)",
               [](Config& c, std::string_view v) {
                 c.allowed_origins = split_list(v);
                 return !c.allowed_origins.empty();
               }},
              {"--max-connections", "CIELO_MAX_CONNECTIONS",
               "WebSocket connections held at most (20000)",
               number<std::size_t>(&Config::max_connections, 1, 10'000'000)},
              {"--per-ip-connections", "CIELO_PER_IP_CONNECTIONS",
               "TCP connections (WebSocket and HTTP, keep-alive included) one client address "
               "(IPv4, IPv6 "
               "/64) may hold (500)",
               number<std::size_t>(&Config::per_ip_connections, 1, 10'000'000)},
              {"--per-ip-rooms-per-min", "CIELO_PER_IP_ROOMS_PER_MIN",
               "rooms one client address may create per minute (as a burst, refilled over the "
               "minute) (60)",
               hub_rate(&L::rooms_per_min, 1.0)},
              {"--per-ip-turn-per-min", "CIELO_PER_IP_TURN_PER_MIN",
               "TURN credentials minted for one client address per minute; past it, joined has no "
               "TURN "
               "(60)",
               hub_rate(&L::turn_per_min, 1.0)},
              {"--handshake-timeout-ms", "CIELO_HANDSHAKE_TIMEOUT_MS",
               "HTTP request / WebSocket handshake deadline (10000)",
               number<std::uint32_t>(&Config::handshake_timeout_ms, 50, max_u32)},
              {"--ping-timeout-ms", "CIELO_PING_TIMEOUT_MS",
               "silent peers are removed after this; a ping goes out at half (30000)",
               number<std::uint32_t>(&Config::ping_timeout_ms, 100, max_u32)},
              {"--write-queue-bytes", "CIELO_WRITE_QUEUE_BYTES",
               "per-connection outgoing queue; a client that lets it overflow is dropped (524288)",
               number<std::size_t>(&Config::write_queue_bytes, 1024, std::size_t{1} << 32)},
              {"--write-timeout-ms", "CIELO_WRITE_TIMEOUT_MS",
               "a client that has not taken a pending write within this long is dropped (20000)",
               number<std::uint32_t>(&Config::write_timeout_ms, 100, max_u32)},
              {"--shutdown-grace-ms", "CIELO_SHUTDOWN_GRACE_MS",
               "on SIGTERM/SIGINT, how long peers get to close (3000)",
               number<std::uint32_t>(&Config::shutdown_grace_ms, 0, 600'000)},
              {"--csp-connect-extra", "CIELO_CSP_CONNECT_EXTRA",
               "space-separated sources added to the CSP connect-src",
               [](Config& c, std::string_view v) {
                 c.csp_connect_extra = std::string(v);
                 // A quote or semicolon would let a value rewrite other directives.
                 return v.find_first_of(";'\",\r\n") == std::string_view::npos;
               }},
              {"--third-parties", "CIELO_THIRD_PARTIES",
               "comma-separated third parties the landing and privacy pages may load from: sign-in "
               "(Firebase Auth), ads (AdSense); never the room page (none)",
               [](Config& c, std::string_view v) {
                 c.third_parties = http::ThirdParty::none;
                 for (const auto& name : split_list(v)) {
                   if (name == "sign-in") {
                     c.third_parties = c.third_parties | http::ThirdParty::sign_in;
                   } else if (name == "ads") {
                     c.third_parties = c.third_parties | http::ThirdParty::ads;
                   } else if (name != "none") {
                     return false;
                   }
                 }
                 return true;
               }},
              {"--max-body-bytes", "CIELO_MAX_BODY_BYTES",
               "largest HTTP request body (JSON routes); larger is answered 413 (4096)",
               number<std::size_t>(&Config::json_body_limit_bytes, 0, 16 * 1024 * 1024)},
              {"--log-level", "CIELO_LOG_LEVEL", "debug | info | warn | error | off (info)",
               [](Config& c, std::string_view v) {
                 const auto level = parse_log_level(v);
                 if (level) c.log_level = *level;
                 return level.has_value();
               }},
              {"--signaling-priority", "CIELO_SIGNALING_PRIORITY",
               "auto | realtime | normal: the signaling thread at the lowest real-time priority, "
               "so joins are answered ahead of HTTP and accounts work; auto = realtime where "
               "permitted (CAP_SYS_NICE) with two CPUs or more (auto)",
               [](Config& c, std::string_view v) {
                 const auto priority = parse_signaling_priority(v);
                 if (priority) c.signaling_priority = *priority;
                 return priority.has_value();
               }},
              {"--max-message-bytes", "CIELO_MAX_MESSAGE_BYTES",
               "largest WebSocket message; larger closes with 1009 (65536)",
               hub_number<std::size_t>(&L::max_message_bytes, 256, 16 * 1024 * 1024)},
              {"--max-json-depth", "CIELO_MAX_JSON_DEPTH", "deepest JSON nesting accepted (8)",
               hub_number<std::size_t>(&L::max_json_depth, 2, 64)},
              {"--rate-per-s", "CIELO_RATE_PER_S", "messages per second per connection (50)",
               hub_rate(&L::rate_per_s, 0.01)},
              {"--rate-burst", "CIELO_RATE_BURST", "burst of messages above the rate (100)",
               hub_rate(&L::rate_burst, 1.0)},
              {"--rate-strikes", "CIELO_RATE_STRIKES",
               "messages over the rate (each refused) before the connection is closed (20)",
               hub_number<std::uint32_t>(&L::rate_strikes, 1, 1'000'000)},
              {"--room-capacity", "CIELO_ROOM_CAPACITY",
               "peers per room created by an anonymous or free person (8)",
               hub_number<std::size_t>(&L::room_capacity, 2, 10'000)},
              {"--room-capacity-pro", "CIELO_ROOM_CAPACITY_PRO",
               "peers per room a pro person creates (24)",
               hub_number<std::size_t>(&L::room_capacity_pro, 2, 10'000)},
              {"--max-rooms", "CIELO_MAX_ROOMS", "rooms held at most (100000)",
               hub_number<std::size_t>(&L::max_rooms, 1, 100'000'000)},
              {"--room-ttl-ms", "CIELO_ROOM_TTL_MS",
               "how long an empty room stays joinable (600000)",
               hub_number<std::int64_t>(&L::empty_room_ttl_ms, 0, std::int64_t{1} << 40)},
              {"--guess-burst", "CIELO_GUESS_BURST",
               "joins of unknown rooms allowed per client address at once (10)",
               hub_rate(&L::guess_burst, 1.0)},
              {"--trusted-proxies", "CIELO_TRUSTED_PROXIES",
               "comma-separated CIDRs of reverse proxies whose forwarding header names the client "
               "(none: "
               "the TCP peer is the client, headers ignored)",
               [](Config& c, std::string_view v) {
                 auto parsed = parse_cidr_list(v);
                 if (!std::holds_alternative<std::vector<Cidr>>(parsed)) return false;
                 c.trusted_proxies = std::get<std::vector<Cidr>>(std::move(parsed));
                 return true;
               }},
              {"--proxy-header", "CIELO_PROXY_HEADER",
               "x-forwarded-for | forwarded: the header the trusted proxies append to; the other "
               "is "
               "ignored (x-forwarded-for)",
               [](Config& c, std::string_view v) {
                 if (v == "x-forwarded-for") c.proxy_header = ProxyHeader::x_forwarded_for;
                 if (v == "forwarded") c.proxy_header = ProxyHeader::forwarded;
                 return v == "x-forwarded-for" || v == "forwarded";
               }},
              {"--firebase-project", "CIELO_FIREBASE_PROJECT",
               "Firebase project id: turns on optional accounts (none)",
               [](Config& c, std::string_view v) {
                 c.accounts.firebase_project = std::string(v);
                 return valid_project_id(v);
               }},
              {"--firebase-emulator", "CIELO_FIREBASE_EMULATOR",
               "host:port of the Firebase Auth emulator; its unsigned tokens are taken, so only "
               "with a "
               "demo- project (none)",
               [](Config& c, std::string_view v) {
                 c.accounts.emulator_host = std::string(v);
                 return !v.empty() && v.find_first_of(" /;'\",\r\n") == std::string_view::npos;
               }},
              {"--firebase-certs-url", "CIELO_FIREBASE_CERTS_URL",
               "where the ID token signing certificates are published (Google's); https, or http "
               "to "
               "localhost only",
               [](Config& c, std::string_view v) {
                 c.accounts.certs_url = std::string(v);
                 return v.starts_with("https://") || v.starts_with("http://127.0.0.1:") ||
                        v.starts_with("http://localhost:") || v.starts_with("http://[::1]:");
               }},
              {"--firebase-api-key", "CIELO_FIREBASE_API_KEY",
               "the Firebase project's web API key (public), for the page and the person-scoped "
               "Firebase "
               "calls (none; the emulator takes any)",
               [](Config& c, std::string_view v) {
                 c.accounts.api_key = std::string(v);
                 return !v.empty() && v.size() <= 128 &&
                        v.find_first_not_of(
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                            std::string_view::npos;
               }},
              {"--firebase-auth-domain", "CIELO_FIREBASE_AUTH_DOMAIN",
               "the Firebase auth domain (<project>.firebaseapp.com or your own): turns on Google "
               "sign-in "
               "(none)",
               [](Config& c, std::string_view v) {
                 c.accounts.auth_domain = std::string(v);
                 return !v.empty() && v.size() <= 253 &&
                        v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") ==
                            std::string_view::npos;
               }},
              {"--profiles-db", "CIELO_PROFILES_DB",
               "SQLite file of account profiles (data/profiles.db)",
               [](Config& c, std::string_view v) {
                 c.accounts.profiles_db = std::string(v);
                 return !v.empty();
               }},
              {"--postgres", "CIELO_POSTGRES",
               "postgresql://user@host:port/database: account profiles in PostgreSQL instead of "
               "SQLite (none; give a password by PGPASSWORD or ~/.pgpass: flags show in ps)",
               [](Config& c, std::string_view v) {
                 c.accounts.postgres = std::string(v);
                 return v.starts_with("postgresql://") || v.starts_with("postgres://");
               }},
              {"--deletion-journal", "CIELO_DELETION_JOURNAL",
               "file of deleted uids, replayed at start after a restore "
               "(<profiles-db>.deleted-uids; with --postgres data/profiles.deleted-uids)",
               [](Config& c, std::string_view v) {
                 c.accounts.deletion_journal_path = std::string(v);
                 return !v.empty();
               }},
              {"--redis", "CIELO_REDIS",
               "redis://host:port[/db]: share rooms with other nodes through Redis (none: this "
               "process alone)",
               [](Config& c, std::string_view v) {
                 std::string error;
                 c.redis = cluster::parse_redis_url(v, error);
                 return c.redis.has_value();
               }},
              {"--guess-per-min", "CIELO_GUESS_PER_MIN",
               "joins of unknown rooms allowed per client address per minute (10)",
               hub_rate(&L::guess_per_min, 0.001)},
          });
  return all;
}

}  // namespace

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text) {
    if (c == ',' || c == ' ') {
      if (!item.empty()) out.push_back(std::move(item));
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  if (!item.empty()) out.push_back(std::move(item));
  return out;
}

std::variant<Config, ConfigHelp, std::string> parse_config(const std::vector<std::string>& args,
                                                           const EnvLookup& env) {
  Config config;
  for (const auto& option : options()) {
    if (auto value = env(option.env)) {
      if (!option.apply(config, *value)) {
        return "invalid value for " + std::string(option.env) + ": '" + *value + "'";
      }
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--help" || flag == "-h") return ConfigHelp{};
    std::optional<std::string> value;
    if (const auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    const Option* found = nullptr;
    for (const auto& option : options()) {
      if (option.flag == flag) found = &option;
    }
    if (found == nullptr) return "unknown option: " + flag + " (see --help)";
    if (!value) {
      if (i + 1 >= args.size()) return "missing value for " + flag;
      value = args[++i];
    }
    if (!found->apply(config, *value)) return "invalid value for " + flag + ": '" + *value + "'";
  }
  if (config.hub.rate_burst < 1.0) return std::string("rate burst must be at least 1");
  if (auto ice_error = check_ice_config(config)) return *ice_error;
  if (auto ads_error = check_ads_config(config)) return *ads_error;
  if (config.accounts.emulator() && !config.accounts.firebase_project.starts_with("demo-")) {
    // A real project's tokens are signed; taking unsigned ones for it would let anyone sign in
    // as anyone.
    return std::string("--firebase-emulator needs a demo- project (--firebase-project demo-...)");
  }
  return config;
}

std::string config_usage() {
  std::ostringstream out;
  out << "usage: cieloweb-server [options]\n"
         "Serves the page and WebSocket signaling on /ws. Every option is also an environment "
         "variable.\n\n";
  for (const auto& option : options()) {
    out << "  " << option.flag << " VALUE  (" << option.env << ")\n      " << option.help << "\n";
  }
  return out.str();
}

std::vector<std::string> effective_origins(const Config& config) {
  if (!config.allowed_origins.empty()) return config.allowed_origins;
  const std::string port = std::to_string(config.port);
  return {"http://localhost:" + port, "http://127.0.0.1:" + port, "http://[::1]:" + port};
}

}  // namespace cieloweb::server
