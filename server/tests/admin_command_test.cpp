// `cieloweb-server admin`: set a plan, delete a person, by email or uid; clear usage errors.
#include "accounts/admin_command.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "accounts/sqlite_profile_store.hpp"

using namespace cieloweb::server::accounts;

namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run admin(ProfileStore& store, std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = run_admin_command(args, store, 5000, out, err);
  return {code, out.str(), err.str()};
}

void add(ProfileStore& store, const char* uid, const char* email) {
  Profile p;
  p.uid = uid;
  p.name = "Someone";
  p.username = uid;
  p.email = email;
  p.policy_version = "2026-11";
  REQUIRE_FALSE(store.create(p).has_value());
}

}  // namespace

TEST_CASE("admin set-plan by email or uid; the output names the uid, never the email") {
  SqliteProfileStore store(":memory:");
  add(store, "uid-ada", "ada@example.test");
  const auto by_email = admin(store, {"set-plan", "Ada@Example.test", "pro"});
  CHECK(by_email.code == 0);
  CHECK(by_email.out.find("uid-ada") != std::string::npos);
  CHECK(by_email.out.find("ada@") == std::string::npos);
  CHECK(std::get<Profile>(store.get("uid-ada")).plan == Plan::pro);
  CHECK(admin(store, {"set-plan", "uid-ada", "free"}).code == 0);
  CHECK(std::get<Profile>(store.get("uid-ada")).plan == Plan::free);
  CHECK(admin(store, {"set-plan", "nobody@example.test", "pro"}).code == 1);
  CHECK(admin(store, {"set-plan", "uid-ada", "gold"}).code == 2);
  // Someone else sets their email to Ada's: acting by email is now refused, by uid it still works.
  add(store, "uid-mallory", "ADA@example.test");
  const auto ambiguous = admin(store, {"delete-user", "ada@example.test"});
  CHECK(ambiguous.code == 1);
  CHECK(ambiguous.err.find("ambiguous") != std::string::npos);
  CHECK(std::holds_alternative<Profile>(store.get("uid-ada")));
  CHECK(std::holds_alternative<Profile>(store.get("uid-mallory")));
}

TEST_CASE("admin delete-user: the row goes and the uid is in the ledger at once") {
  SqliteProfileStore store(":memory:");
  add(store, "uid-kid", "kid@example.test");
  const auto run = admin(store, {"delete-user", "kid@example.test"});
  CHECK(run.code == 0);
  CHECK(std::holds_alternative<StoreError>(store.get("uid-kid")));
  CHECK(std::get<bool>(store.is_deleted("uid-kid")));
  // A uid with no profile (signed up with Firebase, never finished ours) is still refused from now.
  CHECK(admin(store, {"delete-user", "uid-unfinished"}).code == 0);
  CHECK(std::get<bool>(store.is_deleted("uid-unfinished")));
  CHECK(admin(store, {"delete-user"}).code == 2);
  CHECK(admin(store, {}).code == 2);
}
