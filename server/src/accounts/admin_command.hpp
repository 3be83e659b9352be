// `cieloweb-server admin …`: what an operator does to an account by hand.
//   admin set-plan <email|uid> pro|free   the plan takes effect at the person's next request
//   admin delete-user <email|uid>         the "we discovered a child" case: the profile row goes
//                                         and the uid enters the deletion ledger, so every token
//                                         of that account is refused from that moment
// Output names the uid only (the operator typed the email; it is not echoed into terminal logs).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "accounts/profile_store.hpp"

namespace cieloweb::server::accounts {

// `args`: the words after "admin". Returns the process exit code (0 done, 1 failed, 2 usage).
int run_admin_command(const std::vector<std::string>& args, ProfileStore& store, std::int64_t now_s,
                      std::ostream& out, std::ostream& err);

std::string admin_usage();

}  // namespace cieloweb::server::accounts
