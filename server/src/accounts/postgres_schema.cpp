#include "accounts/postgres_schema.hpp"

#include "accounts/profile_migrations.hpp"

namespace cieloweb::server::accounts {

namespace {

std::optional<std::string> refused(const char* step, const PgResult& result) {
  return std::string(step) + ": " + result.message();
}

}  // namespace

int postgres_schema_version() {
  return static_cast<int>(profile_migrations().size());
}

std::optional<std::string> migrate_postgres_schema(PgConnection& db, bool existing_only) {
  PgTransaction tx(db);
  if (!tx.begun().ok()) return refused("begin", tx.begun());
  // Held until the transaction ends; the key is ours alone (the stores' locks use others).
  const auto locked = db.run("SELECT pg_advisory_xact_lock(1129775105, 0)");
  if (!locked.ok()) return refused("lock", locked);
  const auto known = db.run("SELECT to_regclass('profile_schema_version') IS NOT NULL");
  if (!known.ok()) return refused("schema version", known);
  const bool has_version = known.rows() == 1 && known.text(0, 0) == "t";
  constexpr const char* never_set_up =
      "no profile tables in this database (the server makes them when it first starts on it)";
  if (!has_version) {
    if (existing_only) return never_set_up;
    for (const char* sql : {"CREATE TABLE profile_schema_version (version INTEGER NOT NULL)",
                            "INSERT INTO profile_schema_version (version) VALUES (0)"}) {
      const auto made = db.run(sql);
      if (!made.ok()) return refused("schema version", made);
    }
  }
  const auto version = db.run("SELECT version FROM profile_schema_version");
  if (!version.ok()) return refused("schema version", version);
  if (version.rows() != 1) return std::string("profile_schema_version must hold exactly one row");
  int at = static_cast<int>(version.integer(0, 0));
  if (at > postgres_schema_version())
    return "made by a newer server (schema version " + std::to_string(at) + ")";
  if (at == 0 && existing_only) return never_set_up;
  if (at == postgres_schema_version()) return std::nullopt;  // the transaction ends unchanged
  for (; at < postgres_schema_version(); ++at) {
    // A constant script of several statements: run as one, without parameters.
    const auto migrated = db.run_script(profile_migrations()[at].postgres);
    if (!migrated.ok()) return refused(("migration " + std::to_string(at + 1)).c_str(), migrated);
  }
  const auto recorded =
      db.run("UPDATE profile_schema_version SET version = $1", {std::to_string(at)});
  if (!recorded.ok()) return refused("schema version", recorded);
  const auto committed = tx.commit();
  if (!committed.ok()) return refused("commit", committed);
  return std::nullopt;
}

}  // namespace cieloweb::server::accounts
