// The profile schema's versions, one list for both stores: entry i takes a database from version
// i to i + 1, written once for SQLite and once for PostgreSQL side by side, so a change cannot
// reach one store and miss the other. Never edit an entry that shipped: add another.
#pragma once

#include <span>

namespace cieloweb::server::accounts {

struct ProfileMigration {
  const char* sqlite;
  const char* postgres;
};

std::span<const ProfileMigration> profile_migrations();

}  // namespace cieloweb::server::accounts
