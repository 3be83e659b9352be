// The deletion ledger's second copy, outside the database: a plain file of uids, one per line,
// appended and flushed to disk before a profile row is deleted. A backup of the database carries
// the ledger as it was then, so after a restore the rows of people who deleted their account
// since would be back; the journal is not restored with it (it sits next to the database as
// <db>.deleted-uids and is left out of backups: docs/accounts.md), and every start replays it
// into the store, deleting them again. Holds uids only, nothing else about anyone.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/profile_store.hpp"

namespace cieloweb::server::accounts {

class DeletionJournal {
 public:
  explicit DeletionJournal(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  // Every uid recorded (a missing file is an empty journal); nullopt when it cannot be read.
  std::optional<std::vector<std::string>> read() const;
  // Appends `uid` and flushes it to disk. @return false on any failure (nothing to delete then).
  bool append(std::string_view uid) const;

 private:
  std::string path_;
};

// A ProfileStore whose deletions go to the journal first. open() replays the journal into `inner`
// (throws std::runtime_error when it cannot), so a restored database forgets the deleted again.
class JournaledProfileStore final : public ProfileStore {
 public:
  static std::shared_ptr<JournaledProfileStore> open(std::shared_ptr<ProfileStore> inner,
                                                     DeletionJournal journal);
  JournaledProfileStore(std::shared_ptr<ProfileStore> inner, DeletionJournal journal)
      : inner_(std::move(inner)), journal_(std::move(journal)) {}

  StoreResult<Profile> get(std::string_view uid) override { return inner_->get(uid); }
  StoreResult<Profile> find_by_email(std::string_view email) override {
    return inner_->find_by_email(email);
  }
  std::optional<StoreError> create(const Profile& profile) override {
    return inner_->create(profile);
  }
  StoreResult<Profile> edit(std::string_view uid, const ProfileEdit& edit,
                            std::int64_t now_s) override {
    return inner_->edit(uid, edit, now_s);
  }
  std::optional<StoreError> set_plan(std::string_view uid, Plan plan, std::int64_t now_s) override {
    return inner_->set_plan(uid, plan, now_s);
  }
  std::optional<StoreError> remove(std::string_view uid) override;
  StoreResult<bool> is_deleted(std::string_view uid) override { return inner_->is_deleted(uid); }
  StoreResult<std::vector<std::string>> deletion_ledger() override {
    return inner_->deletion_ledger();
  }
  std::optional<StoreError> replay_ledger(const std::vector<std::string>& ledger) override {
    return inner_->replay_ledger(ledger);
  }

 private:
  std::shared_ptr<ProfileStore> inner_;
  DeletionJournal journal_;
};

}  // namespace cieloweb::server::accounts
