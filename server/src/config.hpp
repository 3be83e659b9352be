// Server configuration: every option is a command-line flag and an environment variable (the flag
// wins). Defaults are safe for `make run` on http://localhost:8080; docs/signaling.md lists them
// all.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ads/ads_config.hpp"
#include "client_address.hpp"
#include "cluster/redis_link.hpp"
#include "http/router.hpp"
#include "http/security_policy.hpp"
#include "ice_servers.hpp"
#include "log.hpp"
#include "signaling/hub.hpp"
#include "signaling_priority.hpp"

namespace cieloweb::server {

// Optional accounts (Firebase Authentication, issue 14): off while no project id is set.
struct AccountsConfig {
  std::string firebase_project;  // e.g. "cieloweb-prod"; empty: no accounts
  // host:port of the Firebase Auth emulator. Set, the server takes the emulator's unsigned tokens,
  // which parse_config allows only for a `demo-` project (one that cannot exist in production).
  std::string emulator_host;
  // Where Google publishes the certificates that sign ID tokens (kid -> PEM); https, or http to
  // this machine only (tests serve their own).
  std::string certs_url =
      "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com";

  // The SQLite file of account profiles (created on first use; its folder must exist), and next
  // to it the deletion journal (accounts/deletion_journal.hpp).
  std::string profiles_db = "data/profiles.db";
  // A postgresql:// URL: profiles in PostgreSQL instead (accounts/postgres_profile_store.hpp);
  // profiles_db is then unused.
  std::string postgres;
  // Where the deletion journal is kept when not next to the SQLite file: with PostgreSQL there is
  // no file to sit next to, so it defaults to data/profiles.deleted-uids, one per node.
  std::string deletion_journal_path;
  std::string deletion_journal() const {
    if (!deletion_journal_path.empty()) return deletion_journal_path;
    return postgres.empty() ? profiles_db + ".deleted-uids" : "data/profiles.deleted-uids";
  }

  // The project's web API key and auth domain, handed to the page (GET /api/auth-config). The key
  // is public: it names the project to Google's sign-in API. The server uses it for the
  // person-scoped calls (their Firebase record in the export, deleting their Firebase user).
  // Without a key on a real project those two are left to the page.
  std::string api_key;
  std::string auth_domain;  // e.g. "<project>.firebaseapp.com": enables Google sign-in

  // The key for the emulator when none is given (the emulator takes any).
  const std::string& effective_api_key() const {
    static const std::string emulator_key = "demo-api-key";
    return api_key.empty() && emulator() ? emulator_key : api_key;
  }

  bool enabled() const { return !firebase_project.empty(); }
  bool emulator() const { return !emulator_host.empty(); }
};

struct Config {
  std::string address = "::";  // dual-stack; falls back to 0.0.0.0 where IPv6 is missing
  std::uint16_t port = 8080;
  std::string web_root = "web/dist";
  // Exact origins ("scheme://host[:port]") allowed to open /ws. Empty = the defaults for `port`
  // (localhost, 127.0.0.1, [::1]); "*" allows any origin (development only).
  std::vector<std::string> allowed_origins;
  std::size_t max_connections = 20000;
  // TCP connections one client address (IPv4, or IPv6 /64) may hold at once: WebSockets and HTTP
  // connections alike. Roomy enough for an office behind one NAT (docs/signaling.md).
  std::size_t per_ip_connections = 500;
  std::uint32_t handshake_timeout_ms = 10000;
  // A peer that sends nothing (not even a pong) for this long is removed; a ping goes out at half.
  std::uint32_t ping_timeout_ms = 30000;
  std::size_t write_queue_bytes = 512 * 1024;
  // A write the client does not take within this long (it stopped reading) drops the connection.
  std::uint32_t write_timeout_ms = 20000;
  std::uint32_t shutdown_grace_ms = 3000;
  std::string csp_connect_extra;  // space-separated sources added to connect-src (e.g. an emulator)
  // Third parties the pages that may use them admit in their CSP (never the room page): none
  // unless configured, so no deployment lists hosts it does not load from.
  http::ThirdParty third_parties = http::ThirdParty::none;
  // The largest request body read; a larger one is answered 413 (the parser's body limit).
  std::size_t json_body_limit_bytes = http::default_json_body_limit_bytes;
  LogLevel log_level = LogLevel::info;
  // Where the signaling thread sits in the CPU scheduler (signaling_priority.hpp).
  SignalingPriority signaling_priority = SignalingPriority::automatic;
  // Reverse proxies whose forwarding header names the client. Empty: every TCP peer is the client
  // and forwarding headers are ignored (a client could write anything there).
  std::vector<Cidr> trusted_proxies;
  ProxyHeader proxy_header = ProxyHeader::x_forwarded_for;
  signaling::HubLimits hub;
  IceConfig ice;  // STUN/TURN servers handed to peers in `joined`
  AccountsConfig accounts;
  AdsConfig ads;  // AdSense (ads/ads_config.hpp): off unless a publisher id is set
  // Several nodes sharing rooms through Redis (docs/scale-out.md); unset: this process alone.
  std::optional<cluster::RedisAddress> redis;
};

// Looks up an environment variable; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

struct ConfigHelp {};  // --help was asked for

// Parses flags (argv without the program name) over environment variables over defaults. Returns
// the config, ConfigHelp, or an error message naming the bad option.
std::variant<Config, ConfigHelp, std::string> parse_config(const std::vector<std::string>& args,
                                                           const EnvLookup& env);

std::string config_usage();

// The allowed origins in effect (the defaults filled in when none were given).
std::vector<std::string> effective_origins(const Config& config);

}  // namespace cieloweb::server
