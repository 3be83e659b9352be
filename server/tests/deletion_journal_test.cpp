// The deletion journal: after the database is restored from a backup made before a deletion, the
// next start deletes that person again; the journal holds uids only and refuses a line break.
#include "accounts/deletion_journal.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "accounts/sqlite_profile_store.hpp"

using namespace cieloweb::server::accounts;
namespace fs = std::filesystem;

namespace {

Profile person(const std::string& uid) {
  Profile p;
  p.uid = uid;
  p.name = "Name of " + uid;
  p.username = uid;
  p.email = uid + "@example.test";
  p.created_at = p.updated_at = p.age_gate_at = 1000;
  p.policy_version = "2026-12";
  return p;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("cielo-journal-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::shared_ptr<JournaledProfileStore> open_store(const fs::path& db) {
  return JournaledProfileStore::open(std::make_shared<SqliteProfileStore>(db.string()),
                                     DeletionJournal(db.string() + ".deleted-uids"));
}

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE(
    "a database restored from before a deletion forgets the deleted person at the next start") {
  TempDir dir;
  const auto db = dir.path / "profiles.db";
  const auto backup = dir.path / "backup.db";
  {
    auto store = open_store(db);
    REQUIRE_FALSE(store->create(person("uid-ada")));
    REQUIRE_FALSE(store->create(person("uid-bob")));
  }  // closed: the write-ahead log is folded in, the file is a whole backup
  fs::copy_file(db, backup);
  {
    auto store = open_store(db);
    REQUIRE_FALSE(store->remove("uid-ada"));
  }
  const auto journal = dir.path / "profiles.db.deleted-uids";
  CHECK(read_all(journal) == "uid-ada\n");  // uids only
  struct stat info {};
  REQUIRE(::stat(journal.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  // The operator restores the backup (the journal is not part of it).
  fs::copy_file(backup, db, fs::copy_options::overwrite_existing);
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(db.string() + suffix);
  {
    SqliteProfileStore restored(db.string());
    CHECK(std::holds_alternative<Profile>(restored.get("uid-ada")));  // back from the backup
  }
  auto store = open_store(db);
  CHECK(std::get<StoreError>(store->get("uid-ada")) == StoreError::not_found);
  CHECK(std::get<bool>(store->is_deleted("uid-ada")));
  CHECK(std::holds_alternative<Profile>(store->get("uid-bob")));
  CHECK_FALSE(read_all(db).find("Name of uid-ada") != std::string::npos);
}

TEST_CASE("the journal refuses what would corrupt it, and an unreadable journal stops the start") {
  TempDir dir;
  const DeletionJournal journal((dir.path / "j").string());
  CHECK(journal.read().value().empty());  // no file yet: nothing deleted
  CHECK_FALSE(journal.append(""));
  CHECK_FALSE(journal.append("uid\nuid-other"));
  CHECK(journal.append("uid-1"));
  CHECK(journal.append("uid-2"));
  CHECK(journal.read().value() == std::vector<std::string>{"uid-1", "uid-2"});
  // A deletion whose journal cannot be written deletes nothing (and says so).
  auto inner = std::make_shared<SqliteProfileStore>(":memory:");
  REQUIRE_FALSE(inner->create(person("uid-cy")));
  JournaledProfileStore unwritable(inner, DeletionJournal((dir.path / "missing/dir/j").string()));
  CHECK(unwritable.remove("uid-cy") == StoreError::unavailable);
  CHECK(std::holds_alternative<Profile>(inner->get("uid-cy")));
  // A journal that is a directory cannot be read: the server must not start as if none existed.
  fs::create_directories(dir.path / "as-dir");
  CHECK_THROWS(JournaledProfileStore::open(inner, DeletionJournal((dir.path / "as-dir").string())));
}
