#include "accounts/sqlite_profile_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include "accounts/profile_migrations.hpp"

// sqlite3_close_v2 throughout: it closes once the last statement is finalized, so an error path
// that still holds one (the version query) does not leak the connection.

namespace cieloweb::server::accounts {

namespace {

// A prepared statement that finalizes itself, or one of the store's kept statements (the reads
// of every signed-in request), which it resets for the next use instead.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  explicit Statement(sqlite3_stmt* kept) : stmt_(kept), kept_(true) {}
  ~Statement() {
    if (!kept_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return stmt_ != nullptr; }
  Statement& text(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& integer(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  int step() { return ok() ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  std::string column_text(int index) const {
    const auto* bytes = sqlite3_column_text(stmt_, index);
    return bytes ? std::string(reinterpret_cast<const char*>(bytes),
                               static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)))
                 : std::string();
  }
  std::int64_t column_integer(int index) const { return sqlite3_column_int64(stmt_, index); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool kept_ = false;
};

sqlite3_stmt* prepare_kept(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK)
    return nullptr;
  return stmt;
}

constexpr const char* profile_columns =
    "uid, name, username, email, plan, company, created_at, updated_at, age_gate_at, "
    "policy_version";

Profile read_profile(const Statement& row) {
  Profile p;
  p.uid = row.column_text(0);
  p.name = row.column_text(1);
  p.username = row.column_text(2);
  p.email = row.column_text(3);
  p.plan = parse_plan(row.column_text(4)).value_or(Plan::free);
  p.company = row.column_text(5);
  p.created_at = row.column_integer(6);
  p.updated_at = row.column_integer(7);
  p.age_gate_at = row.column_integer(8);
  p.policy_version = row.column_text(9);
  return p;
}

bool exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

}  // namespace

const char* plan_name(Plan plan) {
  return plan == Plan::pro ? "pro" : "free";
}

std::optional<Plan> parse_plan(std::string_view name) {
  if (name == "free") return Plan::free;
  if (name == "pro") return Plan::pro;
  return std::nullopt;
}

const char* store_error_name(StoreError error) {
  switch (error) {
    case StoreError::not_found:
      return "not_found";
    case StoreError::exists:
      return "exists";
    case StoreError::username_taken:
      return "username_taken";
    case StoreError::deleted:
      return "deleted";
    case StoreError::ambiguous:
      return "ambiguous";
    case StoreError::unavailable:
      return "unavailable";
  }
  return "unavailable";
}

int SqliteProfileStore::schema_version() {
  return static_cast<int>(profile_migrations().size());
}

SqliteProfileStore::SqliteProfileStore(const std::string& path, Open mode) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | (mode == Open::create ? SQLITE_OPEN_CREATE : 0) |
                          SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    throw std::runtime_error("profile database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  const bool configured = exec(db_, "PRAGMA journal_mode = WAL;") &&
                          exec(db_, "PRAGMA synchronous = NORMAL;") &&
                          exec(db_, "PRAGMA foreign_keys = ON;") &&
                          // A deleted profile's bytes are overwritten, not left in free pages.
                          exec(db_, "PRAGMA secure_delete = ON;");
  Statement version(db_, "PRAGMA user_version;");
  int at = version.step() == SQLITE_ROW ? static_cast<int>(version.column_integer(0)) : -1;
  if (!configured || at < 0 || at > schema_version()) {
    const std::string message =
        at > schema_version() ? "made by a newer server (schema version " + std::to_string(at) + ")"
                              : sqlite3_errmsg(db_);
    sqlite3_close_v2(db_);
    throw std::runtime_error("profile database " + path + ": " + message);
  }
  for (; at < schema_version(); ++at) {
    const std::string step = std::string("BEGIN; ") + profile_migrations()[at].sqlite +
                             " PRAGMA user_version = " + std::to_string(at + 1) + "; COMMIT;";
    if (!exec(db_, step.c_str())) {
      const std::string message = sqlite3_errmsg(db_);
      exec(db_, "ROLLBACK;");
      sqlite3_close_v2(db_);
      throw std::runtime_error("profile database " + path + ": migration " +
                               std::to_string(at + 1) + ": " + message);
    }
  }
  // Prepared once: every signed-in request reads these two (the ledger, then the profile).
  get_by_uid_ =
      prepare_kept(db_, std::string("SELECT ") + profile_columns + " FROM profiles WHERE uid = ?1");
  is_deleted_ = prepare_kept(db_, "SELECT 1 FROM deleted_uids WHERE uid = ?1");
  if (get_by_uid_ == nullptr || is_deleted_ == nullptr) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_finalize(get_by_uid_);
    sqlite3_finalize(is_deleted_);
    sqlite3_close_v2(db_);
    throw std::runtime_error("profile database " + path + ": " + message);
  }
}

SqliteProfileStore::~SqliteProfileStore() {
  sqlite3_finalize(get_by_uid_);
  sqlite3_finalize(is_deleted_);
  sqlite3_close_v2(db_);
}

StoreResult<Profile> SqliteProfileStore::get_locked(std::string_view uid) {
  Statement query(get_by_uid_);
  query.text(1, uid);
  const int rc = query.step();
  if (rc == SQLITE_ROW) return read_profile(query);
  return rc == SQLITE_DONE ? StoreError::not_found : StoreError::unavailable;
}

StoreResult<Profile> SqliteProfileStore::get(std::string_view uid) {
  std::lock_guard lock(mutex_);
  return get_locked(uid);
}

StoreResult<Profile> SqliteProfileStore::find_by_email(std::string_view email) {
  std::lock_guard lock(mutex_);
  Statement query(db_, (std::string("SELECT ") + profile_columns +
                        " FROM profiles WHERE email = ?1 COLLATE NOCASE LIMIT 2")
                           .c_str());
  query.text(1, email);
  const int rc = query.step();
  if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? StoreError::not_found : StoreError::unavailable;
  auto found = read_profile(query);
  // Emails are not unique (a person may change theirs to anyone's): an operator acting by email
  // must not hit whichever came first.
  if (query.step() == SQLITE_ROW) return StoreError::ambiguous;
  return found;
}

StoreResult<bool> SqliteProfileStore::is_deleted_locked(std::string_view uid) {
  Statement query(is_deleted_);
  query.text(1, uid);
  const int rc = query.step();
  if (rc == SQLITE_ROW) return true;
  return rc == SQLITE_DONE ? StoreResult<bool>(false) : StoreError::unavailable;
}

StoreResult<bool> SqliteProfileStore::is_deleted(std::string_view uid) {
  std::lock_guard lock(mutex_);
  return is_deleted_locked(uid);
}

std::optional<StoreError> SqliteProfileStore::create(const Profile& p) {
  std::lock_guard lock(mutex_);
  // One write transaction: the admin command (another process) cannot delete this uid between
  // the ledger check and the insert.
  if (!exec(db_, "BEGIN IMMEDIATE;")) return StoreError::unavailable;
  auto outcome = create_locked(p);
  if (!exec(db_, outcome ? "ROLLBACK;" : "COMMIT;") && !outcome) outcome = StoreError::unavailable;
  return outcome;
}

std::optional<StoreError> SqliteProfileStore::create_locked(const Profile& p) {
  const auto deleted = is_deleted_locked(p.uid);
  if (std::holds_alternative<StoreError>(deleted)) return std::get<StoreError>(deleted);
  if (std::get<bool>(deleted)) return StoreError::deleted;
  if (std::holds_alternative<Profile>(get_locked(p.uid))) return StoreError::exists;
  Statement insert(db_, (std::string("INSERT INTO profiles (") + profile_columns +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                            .c_str());
  insert.text(1, p.uid)
      .text(2, p.name)
      .text(3, p.username)
      .text(4, p.email)
      .text(5, plan_name(p.plan));
  insert.text(6, p.company)
      .integer(7, p.created_at)
      .integer(8, p.updated_at)
      .integer(9, p.age_gate_at);
  insert.text(10, p.policy_version);
  const int rc = insert.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  const int code = sqlite3_extended_errcode(db_);
  if (code == SQLITE_CONSTRAINT_PRIMARYKEY) return StoreError::exists;
  return code == SQLITE_CONSTRAINT_UNIQUE ? StoreError::username_taken : StoreError::unavailable;
}

StoreResult<Profile> SqliteProfileStore::edit(std::string_view uid, const ProfileEdit& edit,
                                              std::int64_t now_s) {
  std::lock_guard lock(mutex_);
  auto current = get_locked(uid);
  if (std::holds_alternative<StoreError>(current)) return current;
  auto p = std::get<Profile>(std::move(current));
  if (edit.name) p.name = *edit.name;
  if (edit.username) p.username = *edit.username;
  if (edit.company) p.company = *edit.company;
  if (edit.email) p.email = *edit.email;
  p.updated_at = now_s;
  Statement update(
      db_,
      "UPDATE profiles SET name = ?2, username = ?3, company = ?4, email = ?5, updated_at = ?6 "
      "WHERE uid = ?1");
  update.text(1, p.uid)
      .text(2, p.name)
      .text(3, p.username)
      .text(4, p.company)
      .text(5, p.email)
      .integer(6, now_s);
  if (update.step() == SQLITE_DONE) {
    if (sqlite3_changes(db_) == 1) return p;
    return StoreError::not_found;  // removed meanwhile (the admin command, another process)
  }
  return sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE ? StoreError::username_taken
                                                                   : StoreError::unavailable;
}

std::optional<StoreError> SqliteProfileStore::set_plan(std::string_view uid, Plan plan,
                                                       std::int64_t now_s) {
  std::lock_guard lock(mutex_);
  Statement update(db_, "UPDATE profiles SET plan = ?2, updated_at = ?3 WHERE uid = ?1");
  update.text(1, uid).text(2, plan_name(plan)).integer(3, now_s);
  if (update.step() != SQLITE_DONE) return StoreError::unavailable;
  return sqlite3_changes(db_) == 1 ? std::nullopt : std::optional(StoreError::not_found);
}

std::optional<StoreError> SqliteProfileStore::remove(std::string_view uid) {
  std::lock_guard lock(mutex_);
  // One transaction: the row goes and the uid is recorded, or neither.
  if (!exec(db_, "BEGIN IMMEDIATE;")) return StoreError::unavailable;
  {
    Statement ledger(db_, "INSERT OR IGNORE INTO deleted_uids (uid) VALUES (?1)");
    Statement row(db_, "DELETE FROM profiles WHERE uid = ?1");
    ledger.text(1, uid);
    row.text(1, uid);
    if (ledger.step() != SQLITE_DONE || row.step() != SQLITE_DONE || !exec(db_, "COMMIT;")) {
      exec(db_, "ROLLBACK;");
      return StoreError::unavailable;
    }
  }
  // The write-ahead log still holds the page images from before: fold them into the database
  // (where secure_delete zeroed the row) and empty the log, so the person's data is gone from
  // the files now and not at some later checkpoint. Best effort: a busy reader only delays it.
  exec(db_, "PRAGMA wal_checkpoint(TRUNCATE);");
  return std::nullopt;
}

StoreResult<std::vector<std::string>> SqliteProfileStore::deletion_ledger() {
  std::lock_guard lock(mutex_);
  Statement query(db_, "SELECT uid FROM deleted_uids ORDER BY uid");
  std::vector<std::string> uids;
  int rc = SQLITE_ROW;
  while ((rc = query.step()) == SQLITE_ROW) uids.push_back(query.column_text(0));
  if (rc != SQLITE_DONE) return StoreError::unavailable;
  return uids;
}

std::optional<StoreError> SqliteProfileStore::replay_ledger(
    const std::vector<std::string>& ledger) {
  for (const auto& uid : ledger) {
    if (auto error = remove(uid)) return error;
  }
  return std::nullopt;
}

}  // namespace cieloweb::server::accounts
