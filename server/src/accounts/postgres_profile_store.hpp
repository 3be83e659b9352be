// The profile store for more than one server node (issue 18): the same tables and the same schema
// versions as the SQLite store (profile_migrations.hpp), in a PostgreSQL database named by
// `--postgres URL`. Nodes starting together migrate one after the other (an advisory lock).
//
// Uniqueness without errors in the server's log: PostgreSQL writes a violated unique index's key
// (a username) to its own log, so writes that set a uid or a username first take a transaction-
// scoped advisory lock on it, then check, then write; the unique index stays as the last guard.
// The same locks make "not in the deletion ledger, then insert" and "into the ledger, then delete"
// exclude each other, as SQLite's one writer does.
//
// Calls block (network): they run on the blocking pool, each holding one connection of a few.
#pragma once

#include <cstddef>
#include <string>

#include "accounts/postgres_connection.hpp"
#include "accounts/profile_store.hpp"

namespace cieloweb::server::accounts {

class PostgresProfileStore final : public ProfileStore {
 public:
  enum class Open {
    create,    // the server: makes or migrates the tables in an existing database
    existing,  // the admin command: a database the server never set up is refused, not filled
  };
  // Connects to `url` and migrates. Throws std::runtime_error with the reason (never the URL,
  // which may hold a password) when it cannot: the server then refuses to start. `connections`:
  // at most this many at once (as many as the blocking pool has threads).
  explicit PostgresProfileStore(const std::string& url, Open mode = Open::create,
                                std::size_t connections = 2);

  static int schema_version();

  StoreResult<Profile> get(std::string_view uid) override;
  StoreResult<Profile> find_by_email(std::string_view email) override;
  std::optional<StoreError> create(const Profile& profile) override;
  StoreResult<Profile> edit(std::string_view uid, const ProfileEdit& edit,
                            std::int64_t now_s) override;
  std::optional<StoreError> set_plan(std::string_view uid, Plan plan, std::int64_t now_s) override;
  std::optional<StoreError> remove(std::string_view uid) override;
  StoreResult<bool> is_deleted(std::string_view uid) override;
  StoreResult<std::vector<std::string>> deletion_ledger() override;
  std::optional<StoreError> replay_ledger(const std::vector<std::string>& ledger) override;

 private:
  // Runs `work` on a leased connection; a read (safe to repeat) whose connection turns out to
  // have broken is tried once more on a new one.
  template <class Work>
  auto with_connection(bool read_only, Work work) -> decltype(work(std::declval<PgConnection&>()));

  PgConnections connections_;
};

}  // namespace cieloweb::server::accounts
