// What the server takes from Firebase's account record (a whitelist: never a password hash), and
// that a slow Firebase holds one blocking-pool thread at most: a second call is "busy" at once.
#include "accounts/firebase_accounts.hpp"

#include <doctest/doctest.h>

#include <future>
#include <thread>

using namespace cieloweb::server::accounts;

TEST_CASE("the export's Firebase record is a whitelist of the person's fields") {
  std::string asked;
  FirebaseAccounts firebase(
      "http://127.0.0.1:9/v1", "key", [&](const std::string& url, const std::string& body) {
        asked = url + " " + body;
        return FetchResponse{200,
                             R"({"users":[{"localId":"u1","email":"a@b.test","emailVerified":true,
                             "passwordHash":"fakeHash:password=secret","salt":"s","createdAt":"1",
                             "providerUserInfo":[{"providerId":"password","rawId":"a@b.test",
                             "email":"a@b.test"}]}]})",
                             {},
                             {}};
      });
  const auto record = firebase.lookup("tok");
  REQUIRE(record.has_value());
  CHECK(asked == R"(http://127.0.0.1:9/v1/accounts:lookup?key=key {"idToken":"tok"})");
  CHECK(record->at("email") == "a@b.test");
  CHECK(record->at("emailVerified") == true);
  CHECK_FALSE(record->contains("passwordHash"));
  CHECK_FALSE(record->contains("salt"));
  CHECK(record->dump().find("secret") == std::string::npos);
  CHECK(record->at("providerUserInfo").at(0) ==
        nlohmann::json{{"providerId", "password"}, {"email", "a@b.test"}});
  // Anything but exactly one user is no record.
  FirebaseAccounts empty("http://x/v1", "k", [](const std::string&, const std::string&) {
    return FetchResponse{200, R"({"users":[]})", {}, {}};
  });
  CHECK_FALSE(empty.lookup("tok").has_value());
}

TEST_CASE(
    "a slow Firebase holds one thread: a second call is busy at once, then calls work again") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  int calls = 0;
  FirebaseAccounts firebase("http://x/v1", "k", [&](const std::string&, const std::string&) {
    if (++calls == 1) entered.set_value();
    released.wait();
    return FetchResponse{200, "{}", {}, {}};
  });
  auto slow = std::async(std::launch::async, [&] { return firebase.delete_user("t1"); });
  entered.get_future().wait();
  CHECK_FALSE(firebase.delete_user("t2"));  // busy: answered without waiting
  release.set_value();
  CHECK(slow.get());
  CHECK(firebase.delete_user("t3"));  // the flag was released
  CHECK(calls == 2);
}
