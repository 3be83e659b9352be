// The profile store the configuration names, its deletions journaled: SQLite by default, or
// PostgreSQL with --postgres. One place for the server and the admin command, so that both open
// the same store with the same journal.
#pragma once

#include <memory>

#include "accounts/deletion_journal.hpp"

namespace cieloweb::server {
struct AccountsConfig;
}

namespace cieloweb::server::accounts {

enum class StoreUser {
  server,  // makes the tables on first start
  admin,   // acts only on a store the server has set up: a mistyped name must fail
};

// Opens, migrates and replays the journal into the store. Throws std::runtime_error with the
// reason (naming the SQLite path or the journal, never a PostgreSQL URL) when it cannot.
std::shared_ptr<JournaledProfileStore> open_profile_store(const AccountsConfig& config,
                                                          StoreUser user);

}  // namespace cieloweb::server::accounts
