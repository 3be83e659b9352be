// The embedded profile store: one SQLite file in WAL mode (readers never wait for the writer),
// schema versions applied in order at open (PRAGMA user_version), one connection behind a mutex
// (the blocking pool has few threads; SQLite serialises writes anyway).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "accounts/profile_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace cieloweb::server::accounts {

class SqliteProfileStore final : public ProfileStore {
 public:
  enum class Open {
    create,    // the server: a new deployment starts with an empty database
    existing,  // the admin command: a mistyped path must fail, not act on a new empty file
  };
  // Opens the database at `path` (":memory:" for tests) and migrates it. Throws
  // std::runtime_error with SQLite's message when it cannot: the server then refuses to start.
  explicit SqliteProfileStore(const std::string& path, Open mode = Open::create);
  ~SqliteProfileStore() override;
  SqliteProfileStore(const SqliteProfileStore&) = delete;
  SqliteProfileStore& operator=(const SqliteProfileStore&) = delete;

  // The schema version the migrations reach.
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
  StoreResult<Profile> get_locked(std::string_view uid);
  std::optional<StoreError> create_locked(const Profile& profile);
  StoreResult<bool> is_deleted_locked(std::string_view uid);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* get_by_uid_ = nullptr;  // kept prepared (see the constructor)
  sqlite3_stmt* is_deleted_ = nullptr;
};

}  // namespace cieloweb::server::accounts
