#include "accounts/deletion_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <unordered_set>

#include "log.hpp"

namespace cieloweb::server::accounts {

std::optional<std::vector<std::string>> DeletionJournal::read() const {
  std::ifstream in(path_);
  if (!in) {
    if (::access(path_.c_str(), F_OK) != 0 && errno == ENOENT) return std::vector<std::string>{};
    return std::nullopt;
  }
  std::vector<std::string> uids;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) uids.push_back(line);  // a torn last line is a prefix of a uid: harmless
  }
  if (in.bad()) return std::nullopt;
  return uids;
}

bool DeletionJournal::append(std::string_view uid) const {
  // A uid is a token's `sub` (1-128 characters); a line break would split it into two entries.
  if (uid.empty() || uid.find_first_of("\r\n") != std::string_view::npos) return false;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::string line(uid);
  line.push_back('\n');
  // O_APPEND: one write of a short line lands whole at the end, also with two writers.
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

std::shared_ptr<JournaledProfileStore> JournaledProfileStore::open(
    std::shared_ptr<ProfileStore> inner, DeletionJournal journal) {
  const auto uids = journal.read();
  if (!uids) throw std::runtime_error("deletion journal " + journal.path() + ": cannot read it");
  // Only what the database's own ledger lacks (after a restore): an ordinary start costs one read.
  const auto ledger = inner->deletion_ledger();
  if (!std::holds_alternative<std::vector<std::string>>(ledger))
    throw std::runtime_error("deletion journal " + journal.path() + ": cannot read the ledger");
  const auto& known = std::get<std::vector<std::string>>(ledger);
  const std::unordered_set<std::string> recorded(known.begin(), known.end());
  std::vector<std::string> missing;
  for (const auto& uid : *uids) {
    if (!recorded.contains(uid)) missing.push_back(uid);
  }
  if (inner->replay_ledger(missing))
    throw std::runtime_error("deletion journal " + journal.path() + ": cannot replay it");
  if (!missing.empty())
    log_event(LogLevel::warn, "deletion-journal-replayed", {{"uids", missing.size()}});
  return std::make_shared<JournaledProfileStore>(std::move(inner), std::move(journal));
}

std::optional<StoreError> JournaledProfileStore::remove(std::string_view uid) {
  if (!journal_.append(uid)) {
    log_event(LogLevel::error, "deletion-journal-write-failed");
    return StoreError::unavailable;
  }
  return inner_->remove(uid);
}

}  // namespace cieloweb::server::accounts
