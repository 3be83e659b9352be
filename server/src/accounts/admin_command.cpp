#include "accounts/admin_command.hpp"

namespace cieloweb::server::accounts {

namespace {

// An argument with an @ is an email (uids from Firebase never hold one), anything else a uid.
// The uid the operator means: an argument with an @ is an email (uids from Firebase never hold
// one) looked up in the profiles, anything else is the uid itself.
StoreResult<std::string> uid_of(ProfileStore& store, const std::string& who) {
  if (who.find('@') == std::string::npos) return who;
  auto person = store.find_by_email(who);
  if (const auto* error = std::get_if<StoreError>(&person)) return *error;
  return std::get<Profile>(std::move(person)).uid;
}

int failed(std::ostream& err, StoreError error) {
  err << "cieloweb-server admin: " << store_error_name(error) << "\n";
  return 1;
}

}  // namespace

std::string admin_usage() {
  return "usage: cieloweb-server admin set-plan <email|uid> pro|free [STORE]\n"
         "       cieloweb-server admin delete-user <email|uid> [STORE]\n"
         "STORE: --profiles-db PATH (SQLite), or --postgres URL, and --deletion-journal PATH as\n"
         "the server has them (the same variables work too)\n";
}

int run_admin_command(const std::vector<std::string>& args, ProfileStore& store, std::int64_t now_s,
                      std::ostream& out, std::ostream& err) {
  if (args.size() == 3 && args[0] == "set-plan") {
    const auto plan = parse_plan(args[2]);
    if (!plan) {
      err << admin_usage();
      return 2;
    }
    const auto uid = uid_of(store, args[1]);
    if (const auto* error = std::get_if<StoreError>(&uid)) return failed(err, *error);
    if (const auto error = store.set_plan(std::get<std::string>(uid), *plan, now_s))
      return failed(err, *error);
    out << "plan of " << std::get<std::string>(uid) << " is now " << plan_name(*plan) << "\n";
    return 0;
  }
  if (args.size() == 2 && args[0] == "delete-user") {
    // A uid without a profile is still put in the ledger: its tokens are refused all the same.
    const auto uid = uid_of(store, args[1]);
    if (const auto* error = std::get_if<StoreError>(&uid)) return failed(err, *error);
    if (const auto error = store.remove(std::get<std::string>(uid))) return failed(err, *error);
    out << std::get<std::string>(uid)
        << " deleted: profile removed, uid in the deletion ledger (its tokens are refused)\n"
        << "the Firebase account itself is not removed by this command yet: remove it in the "
           "Firebase console\n";
    return 0;
  }
  err << admin_usage();
  return 2;
}

}  // namespace cieloweb::server::accounts
