// The SQLite profile store: exactly the policy's fields, usernames unique in any letter case, a
// deletion that leaves no row and a ledger that deletes again after a restore, migrations that
// refuse a database from a newer server.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>

#include "accounts/sqlite_profile_store.hpp"

using namespace cieloweb::server::accounts;

namespace {

Profile ada() {
  Profile p;
  p.uid = "uid-ada";
  p.name = "Ada";
  p.username = "ada";
  p.email = "ada@example.test";
  p.created_at = p.updated_at = 1000;
  p.age_gate_at = 1000;
  p.policy_version = "2026-11";
  return p;
}

Profile grace() {
  Profile p = ada();
  p.uid = "uid-grace";
  p.name = "Grace";
  p.username = "grace";
  p.email = "grace@example.test";
  return p;
}

template <class T>
const T& value(const StoreResult<T>& result) {
  REQUIRE(std::holds_alternative<T>(result));
  return std::get<T>(result);
}

template <class T>
StoreError error(const StoreResult<T>& result) {
  REQUIRE(std::holds_alternative<StoreError>(result));
  return std::get<StoreError>(result);
}

struct TempFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("cieloweb-profiles-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".db");
  ~TempFile() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

}  // namespace

TEST_CASE("profiles: create, read, free by default, find by email in any case") {
  SqliteProfileStore store(":memory:");
  REQUIRE_FALSE(store.create(ada()).has_value());
  const auto got = store.get("uid-ada");
  const auto& p = value(got);
  CHECK(p.name == "Ada");
  CHECK(p.plan == Plan::free);
  CHECK(p.policy_version == "2026-11");
  CHECK(value(store.find_by_email("ADA@example.TEST")).uid == "uid-ada");
  CHECK(error(store.get("uid-nobody")) == StoreError::not_found);
  CHECK(store.create(ada()) == StoreError::exists);
}

TEST_CASE("usernames are unique in any letter case, on create and on edit") {
  SqliteProfileStore store(":memory:");
  REQUIRE_FALSE(store.create(ada()).has_value());
  auto other = grace();
  other.username = "ADA";
  CHECK(store.create(other) == StoreError::username_taken);
  REQUIRE_FALSE(store.create(grace()).has_value());
  ProfileEdit rename;
  rename.username = "Ada";
  CHECK(error(store.edit("uid-grace", rename, 2000)) == StoreError::username_taken);
  CHECK(value(store.get("uid-grace")).username == "grace");  // nothing changed
  ProfileEdit correct;
  correct.name = "Grace H.";
  correct.company = "Navy";
  const auto edited_result = store.edit("uid-grace", correct, 2000);
  const auto& edited = value(edited_result);
  CHECK(edited.name == "Grace H.");
  CHECK(edited.company == "Navy");
  CHECK(edited.updated_at == 2000);
  CHECK(edited.created_at == 1000);
}

TEST_CASE("plans are free or pro, set by the admin") {
  SqliteProfileStore store(":memory:");
  REQUIRE_FALSE(store.create(ada()).has_value());
  CHECK_FALSE(store.set_plan("uid-ada", Plan::pro, 3000).has_value());
  CHECK(value(store.get("uid-ada")).plan == Plan::pro);
  CHECK(store.set_plan("uid-nobody", Plan::pro, 3000) == StoreError::not_found);
  CHECK(parse_plan("pro") == Plan::pro);
  CHECK_FALSE(parse_plan("PRO").has_value());
}

TEST_CASE(
    "deletion leaves no row; the uid never comes back; the ledger deletes again after a restore") {
  TempFile file;
  {
    SqliteProfileStore store(file.path.string());
    REQUIRE_FALSE(store.create(ada()).has_value());
    REQUIRE_FALSE(store.create(grace()).has_value());
  }
  // A "backup" taken now holds both.
  const auto backup = file.path.string() + ".backup";
  std::filesystem::copy_file(file.path, backup, std::filesystem::copy_options::overwrite_existing);
  std::vector<std::string> ledger;
  {
    SqliteProfileStore store(file.path.string());
    REQUIRE_FALSE(store.remove("uid-ada").has_value());
    CHECK(error(store.get("uid-ada")) == StoreError::not_found);
    CHECK(value(store.is_deleted("uid-ada")));
    CHECK(store.create(ada()) == StoreError::deleted);
    ledger = value(store.deletion_ledger());
    CHECK(ledger == std::vector<std::string>{"uid-ada"});
  }
  // No trace of the person in the file but the uid in the ledger.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.path.string().c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(
                db, "SELECT count(*) FROM profiles WHERE name = 'Ada' OR email LIKE 'ada%'", -1,
                &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(sqlite3_column_int(stmt, 0) == 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  // Restore the backup: Ada is back until the ledger is replayed.
  std::filesystem::copy_file(backup, file.path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(backup);
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(file.path.string() + suffix);
  SqliteProfileStore restored(file.path.string());
  CHECK(value(restored.get("uid-ada")).name == "Ada");
  REQUIRE_FALSE(restored.replay_ledger(ledger).has_value());
  CHECK(error(restored.get("uid-ada")) == StoreError::not_found);
  CHECK(value(restored.get("uid-grace")).name == "Grace");
}

TEST_CASE("the schema: WAL, versioned, and a newer database is refused rather than misread") {
  TempFile file;
  { SqliteProfileStore store(file.path.string()); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.path.string().c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode;", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA user_version;", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == SqliteProfileStore::schema_version());
  sqlite3_finalize(stmt);
  // The columns are exactly the policy's fields and the times.
  sqlite3_prepare_v2(db, "SELECT group_concat(name, ',') FROM pragma_table_info('profiles');", -1,
                     &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) ==
        "uid,name,username,email,plan,company,created_at,updated_at,age_gate_at,policy_version");
  sqlite3_finalize(stmt);
  sqlite3_exec(db, "PRAGMA user_version = 99;", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(SqliteProfileStore(file.path.string()), doctest::Contains("newer server"),
                       std::runtime_error);
}
