#include "accounts/open_profile_store.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "accounts/postgres_profile_store.hpp"
#include "accounts/sqlite_profile_store.hpp"
#include "config.hpp"

namespace cieloweb::server::accounts {

std::shared_ptr<JournaledProfileStore> open_profile_store(const AccountsConfig& config,
                                                          StoreUser user) {
  const bool admin = user == StoreUser::admin;
  std::shared_ptr<ProfileStore> store;
  if (config.postgres.empty()) {
    store = std::make_shared<SqliteProfileStore>(
        config.profiles_db,
        admin ? SqliteProfileStore::Open::existing : SqliteProfileStore::Open::create);
  } else {
    store = std::make_shared<PostgresProfileStore>(
        config.postgres,
        admin ? PostgresProfileStore::Open::existing : PostgresProfileStore::Open::create);
  }
  // Next to a SQLite file the journal's folder is writable (SQLite just wrote there); elsewhere,
  // as with PostgreSQL, nothing has checked it yet: a deletion would fail only once someone asks
  // for one, so a folder that cannot take the journal stops the start instead.
  const auto folder = std::filesystem::path(config.deletion_journal()).parent_path();
  if (::access(folder.empty() ? "." : folder.c_str(), W_OK) != 0)
    throw std::runtime_error("deletion journal " + config.deletion_journal() +
                             ": its folder is missing or not writable");
  return JournaledProfileStore::open(std::move(store), DeletionJournal(config.deletion_journal()));
}

}  // namespace cieloweb::server::accounts
