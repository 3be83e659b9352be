#include "accounts/profile_migrations.hpp"

namespace cieloweb::server::accounts {

namespace {

constexpr ProfileMigration migrations[] = {
    // 1: profiles hold exactly the policy's fields; usernames are unique in any letter case; the
    // deletion ledger holds uids only, nothing else about the person.
    {
        "CREATE TABLE profiles ("
        "  uid TEXT PRIMARY KEY NOT NULL,"
        "  name TEXT NOT NULL,"
        "  username TEXT NOT NULL,"
        "  email TEXT NOT NULL,"
        "  plan TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro')),"
        "  company TEXT NOT NULL DEFAULT '',"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL,"
        "  age_gate_at INTEGER NOT NULL,"
        "  policy_version TEXT NOT NULL"
        ") STRICT;"
        "CREATE UNIQUE INDEX profiles_username ON profiles (username COLLATE NOCASE);"
        "CREATE INDEX profiles_email ON profiles (email COLLATE NOCASE);"
        "CREATE TABLE deleted_uids (uid TEXT PRIMARY KEY NOT NULL) STRICT;",

        // Usernames are ASCII (profile_fields.hpp), so lower() folds them as NOCASE does.
        "CREATE TABLE profiles ("
        "  uid TEXT PRIMARY KEY,"
        "  name TEXT NOT NULL,"
        "  username TEXT NOT NULL,"
        "  email TEXT NOT NULL,"
        "  plan TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro')),"
        "  company TEXT NOT NULL DEFAULT '',"
        "  created_at BIGINT NOT NULL,"
        "  updated_at BIGINT NOT NULL,"
        "  age_gate_at BIGINT NOT NULL,"
        "  policy_version TEXT NOT NULL"
        ");"
        "CREATE UNIQUE INDEX profiles_username ON profiles (lower(username));"
        "CREATE INDEX profiles_email ON profiles (lower(email));"
        "CREATE TABLE deleted_uids (uid TEXT PRIMARY KEY);",
    },
};

}  // namespace

std::span<const ProfileMigration> profile_migrations() {
  return migrations;
}

}  // namespace cieloweb::server::accounts
