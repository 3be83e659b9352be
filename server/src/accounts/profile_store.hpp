// Where account profiles live: exactly what the privacy policy names (name, username, email, plan,
// optional company), the times they were made and changed, and when the person passed the age
// screen under which policy version. Never a birth date. Behind this interface so that a
// PostgreSQL store can follow the SQLite one (issue 18) with the same tests.
//
// Deleting a profile also records its uid in a deletion ledger (uids only): after a restore from
// a backup, replaying the ledger deletes again whoever asked to be deleted since that backup.
// Calls block (disk): they run on the blocking pool, never on an I/O thread (signaling or HTTP).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cieloweb::server::accounts {

enum class Plan { free, pro };
const char* plan_name(Plan plan);
std::optional<Plan> parse_plan(std::string_view name);

struct Profile {
  std::string uid;       // Firebase's, the `sub` of a verified ID token
  std::string name;      // how the person is called
  std::string username;  // unique, case-insensitively
  std::string email;
  Plan plan = Plan::free;
  std::string company;          // optional: empty when not given
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t updated_at = 0;
  std::int64_t age_gate_at = 0;  // when the person passed the 16+ screen
  std::string policy_version;    // of the privacy policy they accepted then
};

// What a person may correct themselves; an absent field stays as it is.
struct ProfileEdit {
  std::optional<std::string> name;
  std::optional<std::string> username;
  std::optional<std::string> company;
  std::optional<std::string> email;
};

enum class StoreError {
  not_found,
  exists,          // a profile with this uid is already there
  username_taken,  // by someone else, in any letter case
  deleted,         // the uid is in the deletion ledger: it never comes back
  ambiguous,       // an email that more than one profile holds: act by uid instead
  unavailable,     // the database failed (disk, corruption): answer 503, log the detail
};
const char* store_error_name(StoreError error);

template <class T>
using StoreResult = std::variant<T, StoreError>;

class ProfileStore {
 public:
  virtual ~ProfileStore() = default;

  virtual StoreResult<Profile> get(std::string_view uid) = 0;
  // For the admin command; exact, case-insensitive match on the email.
  virtual StoreResult<Profile> find_by_email(std::string_view email) = 0;
  virtual std::optional<StoreError> create(const Profile& profile) = 0;
  virtual StoreResult<Profile> edit(std::string_view uid, const ProfileEdit& edit,
                                    std::int64_t now_s) = 0;
  virtual std::optional<StoreError> set_plan(std::string_view uid, Plan plan,
                                             std::int64_t now_s) = 0;
  // Removes the row and records the uid in the ledger; deleting twice is fine.
  virtual std::optional<StoreError> remove(std::string_view uid) = 0;
  virtual StoreResult<bool> is_deleted(std::string_view uid) = 0;
  virtual StoreResult<std::vector<std::string>> deletion_ledger() = 0;
  // After a restore: records every uid of `ledger` and removes any profile it names.
  virtual std::optional<StoreError> replay_ledger(const std::vector<std::string>& ledger) = 0;
};

}  // namespace cieloweb::server::accounts
