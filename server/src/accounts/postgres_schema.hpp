// The PostgreSQL profile tables' version, and bringing a database up to it with the migrations
// both stores share (profile_migrations.hpp). The version is one row of `profile_schema_version`
// (SQLite keeps it in PRAGMA user_version).
#pragma once

#include <optional>
#include <string>

#include "accounts/postgres_connection.hpp"

namespace cieloweb::server::accounts {

// The version the migrations reach.
int postgres_schema_version();

// Applies what `db` lacks, in one transaction, under an advisory lock: nodes that start together
// migrate one after the other and the later ones find nothing left to do. `existing_only` (the
// admin command): a database the server never set up is refused instead of being filled.
// @return why the database cannot be used (no values in it: safe to print), or nullopt.
std::optional<std::string> migrate_postgres_schema(PgConnection& db, bool existing_only);

}  // namespace cieloweb::server::accounts
