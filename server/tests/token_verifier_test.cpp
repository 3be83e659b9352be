// The whole check a request goes through: current keys (refetched once for a rotation not seen
// yet, never more often than the cache allows) and the deletion ledger.
#include "accounts/token_verifier.hpp"

#include <doctest/doctest.h>

#include "accounts/sqlite_profile_store.hpp"
#include "token_test_keys.hpp"

using namespace cieloweb::server::accounts;
using namespace cieloweb::server::test;
using nlohmann::json;

namespace {

constexpr std::int64_t now = 1'800'000'000;
const std::string project = "cieloweb-prod";

json claims(const std::string& uid = "uid-ada") {
  return id_token_claims(project, now, uid);
}

std::string token(const std::shared_ptr<RsaKey>& key, const char* kid,
                  const std::string& uid = "uid-ada") {
  return sign_jwt({{"alg", "RS256"}, {"kid", kid}}, claims(uid), key.get());
}

struct Origin {
  std::string certs;
  int fetches = 0;
  bool down = false;
  std::string cache_control = "max-age=3600";
  Fetch fetch() {
    return [this](const std::string&) {
      ++fetches;
      if (down) return FetchResponse{0, {}, {}, "connection refused"};
      return FetchResponse{200, certs, cache_control, {}};
    };
  }
};

struct Setup {
  std::shared_ptr<RsaKey> k1 = make_rsa_key();
  std::shared_ptr<RsaKey> k2 = make_rsa_key();
  Origin origin;
  std::shared_ptr<SqliteProfileStore> store = std::make_shared<SqliteProfileStore>(":memory:");
  std::shared_ptr<KeyCache> cache;
  std::unique_ptr<TokenVerifier> verifier;
  Setup() {
    origin.certs = certificates_json({{"k1", k1}});
    cache = std::make_shared<KeyCache>("https://keys.test/certs", origin.fetch());
    verifier = std::make_unique<TokenVerifier>(TokenPolicy{project, false, 60}, cache, store);
  }
};

AuthError error_of(const AuthResult& result) {
  REQUIRE(std::holds_alternative<AuthError>(result));
  return std::get<AuthError>(result);
}

}  // namespace

TEST_CASE("a valid token is a person; a deleted person's token is refused from then on") {
  Setup s;
  const auto valid = token(s.k1, "k1");
  const auto first = s.verifier->verify(valid, now);
  REQUIRE(std::holds_alternative<Identity>(first));
  CHECK(std::get<Identity>(first).token.uid == "uid-ada");
  REQUIRE_FALSE(s.store->remove("uid-ada").has_value());
  CHECK(error_of(s.verifier->verify(valid, now + 1)) == AuthError::account_deleted);
}

TEST_CASE("a rotation not yet seen: one refetch, then the new key's tokens pass") {
  Setup s;
  REQUIRE(std::holds_alternative<Identity>(s.verifier->verify(token(s.k1, "k1"), now)));
  CHECK(s.origin.fetches == 1);
  s.origin.certs = certificates_json({{"k1", s.k1}, {"k2", s.k2}});  // Google publishes k2
  CHECK(std::holds_alternative<Identity>(s.verifier->verify(token(s.k2, "k2"), now + 5)));
  CHECK(s.origin.fetches == 2);
  // Forged kids within the next 30 s cost no fetch at all.
  TokenError detail = TokenError::malformed;
  for (int i = 0; i < 50; ++i)
    CHECK(error_of(s.verifier->verify(token(s.k2, "k-forged"), now + 6 + i % 20, &detail)) ==
          AuthError::invalid_token);
  CHECK(detail == TokenError::unknown_kid);
  CHECK(s.origin.fetches == 2);
}

TEST_CASE("no keys could ever be fetched: try again later (503), not a refusal of the person") {
  Setup s;
  s.origin.down = true;
  CHECK(error_of(s.verifier->verify(token(s.k1, "k1"), now)) == AuthError::keys_unavailable);
  s.origin.down = false;
  CHECK(std::holds_alternative<Identity>(s.verifier->verify(token(s.k1, "k1"), now + 61)));
}

TEST_CASE("garbage and non-RS256 tokens never cause a key fetch") {
  Setup s;
  s.origin.down = true;
  for (const auto& junk : {std::string("garbage"), sign_jwt({{"alg", "none"}}, claims(), nullptr),
                           sign_jwt({{"alg", "HS256"}, {"kid", "k1"}}, claims(), s.k1.get()),
                           sign_jwt({{"alg", "RS256"}}, claims(), s.k1.get())})
    CHECK(error_of(s.verifier->verify(junk, now)) == AuthError::invalid_token);
  CHECK(s.origin.fetches == 0);
}

TEST_CASE("emulator mode needs no keys and still checks the ledger") {
  auto store = std::make_shared<SqliteProfileStore>(":memory:");
  TokenVerifier verifier(TokenPolicy{"demo-cieloweb", true, 60}, nullptr, store);
  json c = claims("uid-emu");
  c["iss"] = "https://securetoken.google.com/demo-cieloweb";
  c["aud"] = "demo-cieloweb";
  const auto unsigned_token = sign_jwt({{"alg", "none"}}, c, nullptr);
  CHECK(std::holds_alternative<Identity>(verifier.verify(unsigned_token, now)));
  REQUIRE_FALSE(store->remove("uid-emu").has_value());
  CHECK(error_of(verifier.verify(unsigned_token, now)) == AuthError::account_deleted);
}

TEST_CASE(
    "a verified token is remembered by its exact text until exp; the ledger is read each time") {
  Setup s;
  s.origin.cache_control = "max-age=600";
  const auto ada = token(s.k1, "k1");
  REQUIRE(std::holds_alternative<Identity>(s.verifier->verify(ada, now)));
  // The cached key set goes stale: the remembered token passes without the refresh (and its
  // RSA check), an unseen one goes through both.
  s.origin.down = true;
  const int fetches = s.origin.fetches;
  const auto later = now + 3000;  // past the keys' max-age (600 s), before the token's exp
  CHECK(std::holds_alternative<Identity>(s.verifier->verify(ada, later)));
  CHECK(s.origin.fetches == fetches);
  CHECK(std::holds_alternative<Identity>(s.verifier->verify(token(s.k1, "k1", "uid-bob"), later)));
  CHECK(s.origin.fetches == fetches + 1);
  // One changed character is another text: never taken from memory.
  std::string tampered = ada;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(std::holds_alternative<AuthError>(s.verifier->verify(tampered, later)));
  // Past exp the token is checked in full again (and refused as expired).
  const auto exp = claims().at("exp").get<std::int64_t>();
  CHECK(std::holds_alternative<AuthError>(s.verifier->verify(ada, exp + 3600)));
  // A deletion refuses the remembered token at once.
  REQUIRE_FALSE(s.store->remove("uid-ada"));
  CHECK(error_of(s.verifier->verify(ada, later)) == AuthError::account_deleted);
}
