// Choosing the profile store: SQLite by default, PostgreSQL with --postgres, and where the deletion
// journal goes in each case; the two stores' migrations stay in step. (The PostgreSQL store itself
// needs a server: tests/server/postgres_profiles.test.mjs and server_accounts_postgres.)
#include <doctest/doctest.h>

#include <map>

#include "accounts/postgres_profile_store.hpp"
#include "accounts/profile_migrations.hpp"
#include "accounts/sqlite_profile_store.hpp"
#include "config.hpp"

using namespace cieloweb::server;

namespace {

std::variant<Config, ConfigHelp, std::string> parse(std::vector<std::string> args,
                                                    std::map<std::string, std::string> env = {}) {
  return parse_config(args, [env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

const AccountsConfig& accounts_of(const std::variant<Config, ConfigHelp, std::string>& parsed) {
  REQUIRE(std::holds_alternative<Config>(parsed));
  return std::get<Config>(parsed).accounts;
}

}  // namespace

TEST_CASE("SQLite by default, the journal next to its file") {
  const auto parsed = parse({"--profiles-db", "/srv/p.db"});
  CHECK(accounts_of(parsed).postgres.empty());
  CHECK(accounts_of(parsed).deletion_journal() == "/srv/p.db.deleted-uids");
}

TEST_CASE("--postgres: a postgresql:// URL, the journal in data/ unless named") {
  const auto url = "postgresql://cieloweb@db.internal:5432/cieloweb";
  const auto flag = parse({"--postgres", url});
  CHECK(accounts_of(flag).postgres == url);
  CHECK(accounts_of(flag).deletion_journal() == "data/profiles.deleted-uids");
  const auto env = parse({}, {{"CIELO_POSTGRES", "postgres://db/x"},
                              {"CIELO_DELETION_JOURNAL", "/var/lib/cieloweb/deleted-uids"}});
  CHECK(accounts_of(env).postgres == "postgres://db/x");
  CHECK(accounts_of(env).deletion_journal() == "/var/lib/cieloweb/deleted-uids");
  // Not a URL (a libpq "host=... password=..." string, a typo): refused, not guessed at.
  for (const char* bad : {"host=db dbname=x", "", "mysql://db/x"}) {
    const auto refused = parse({"--postgres", bad});
    REQUIRE(std::holds_alternative<std::string>(refused));
    CHECK(std::get<std::string>(refused).find("--postgres") != std::string::npos);
  }
  CHECK(std::holds_alternative<std::string>(parse({"--deletion-journal", ""})));
}

TEST_CASE("both stores reach the same schema version, each migration written for both") {
  using namespace cieloweb::server::accounts;
  CHECK(SqliteProfileStore::schema_version() == PostgresProfileStore::schema_version());
  CHECK(static_cast<std::size_t>(SqliteProfileStore::schema_version()) ==
        profile_migrations().size());
  for (const auto& migration : profile_migrations()) {
    REQUIRE(migration.sqlite != nullptr);
    REQUIRE(migration.postgres != nullptr);
    CHECK_FALSE(std::string_view(migration.sqlite).empty());
    CHECK_FALSE(std::string_view(migration.postgres).empty());
  }
}
