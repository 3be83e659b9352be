// Firebase ID token verification, each attack mounted with keys the test makes itself.
#include "accounts/id_token.hpp"

#include <doctest/doctest.h>

#include "accounts/jwt.hpp"
#include "token_test_keys.hpp"

using namespace cieloweb::server::accounts;
using namespace cieloweb::server::test;
using nlohmann::json;

namespace {

constexpr std::int64_t now = 1'800'000'000;
const std::string project = "cieloweb-prod";

json claims() {
  auto c = id_token_claims(project, now, "uid-123");
  c["email"] = "ada@example.test";
  c["email_verified"] = true;
  return c;
}

struct World {
  std::shared_ptr<RsaKey> current = make_rsa_key();
  std::shared_ptr<RsaKey> other = make_rsa_key();
  SigningKeys keys = *SigningKeys::from_certificates_json(certificates_json({{"k1", current}}));
  TokenPolicy policy{project, false, 60};

  std::string token(const json& payload, const char* kid = "k1",
                    const RsaKey* key = nullptr) const {
    return sign_jwt({{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}}, payload,
                    key ? key : current.get());
  }
  TokenVerdict verify(const std::string& token) const {
    return verify_id_token(token, policy, keys, now);
  }
};

TokenError error_of(const TokenVerdict& verdict) {
  REQUIRE(std::holds_alternative<TokenError>(verdict));
  return std::get<TokenError>(verdict);
}

World& world() {
  static World shared;  // RSA key generation is slow: one set for the file
  return shared;
}

}  // namespace

TEST_CASE("a valid token yields its uid, email and times") {
  const auto verdict = world().verify(world().token(claims()));
  REQUIRE(std::holds_alternative<IdToken>(verdict));
  const auto& token = std::get<IdToken>(verdict);
  CHECK(token.uid == "uid-123");
  CHECK(token.email == "ada@example.test");
  CHECK(token.email_verified);
  CHECK(token.auth_time == now - 600);
  CHECK(token.expires_at == now + 3540);
}

TEST_CASE("time: expired, issued in the future, signed in in the future; 60 s of leeway at most") {
  auto c = claims();
  c["exp"] = now - 61;
  CHECK(error_of(world().verify(world().token(c))) == TokenError::expired);
  c["exp"] = now - 59;  // within the leeway
  CHECK(std::holds_alternative<IdToken>(world().verify(world().token(c))));
  c = claims();
  c["iat"] = now + 61;
  CHECK(error_of(world().verify(world().token(c))) == TokenError::issued_in_future);
  c = claims();
  c["auth_time"] = now + 61;
  CHECK(error_of(world().verify(world().token(c))) == TokenError::issued_in_future);
  // A configured leeway above 60 s is clamped to 60.
  World& w = world();
  const auto saved = w.policy;
  w.policy.leeway_s = 3600;
  c = claims();
  c["exp"] = now - 61;
  CHECK(error_of(w.verify(w.token(c))) == TokenError::expired);
  w.policy = saved;
}

TEST_CASE("audience, issuer and subject must be this project's and a real uid") {
  auto c = claims();
  c["aud"] = "someone-elses-project";
  CHECK(error_of(world().verify(world().token(c))) == TokenError::wrong_audience);
  c = claims();
  c["aud"] = json::array({project});  // an array is not the project id
  CHECK(error_of(world().verify(world().token(c))) == TokenError::wrong_audience);
  c = claims();
  c["iss"] = "https://securetoken.google.com/someone-elses-project";
  CHECK(error_of(world().verify(world().token(c))) == TokenError::wrong_issuer);
  c = claims();
  c["iss"] = "https://accounts.google.com";
  CHECK(error_of(world().verify(world().token(c))) == TokenError::wrong_issuer);
  c = claims();
  c["sub"] = "";
  CHECK(error_of(world().verify(world().token(c))) == TokenError::bad_subject);
  c["sub"] = std::string(129, 'u');
  CHECK(error_of(world().verify(world().token(c))) == TokenError::bad_subject);
  c["sub"] = std::string(128, 'u');
  CHECK(std::holds_alternative<IdToken>(world().verify(world().token(c))));
  c.erase("sub");
  CHECK(error_of(world().verify(world().token(c))) == TokenError::bad_subject);
  c = claims();
  c["exp"] = 1.8e9 + 3540.5;  // times are whole seconds
  CHECK(error_of(world().verify(world().token(c))) == TokenError::malformed);
}

TEST_CASE("signatures: another key, a tampered payload, alg none, an unknown kid") {
  const auto& w = world();
  CHECK(error_of(w.verify(w.token(claims(), "k1", w.other.get()))) == TokenError::bad_signature);

  // Same signature, payload changed to another uid.
  const auto genuine = w.token(claims());
  auto forged = claims();
  forged["sub"] = "uid-admin";
  const auto dot1 = genuine.find('.');
  const auto dot2 = genuine.find('.', dot1 + 1);
  const auto tampered =
      genuine.substr(0, dot1 + 1) + base64url(forged.dump()) + genuine.substr(dot2);
  CHECK(error_of(w.verify(tampered)) == TokenError::bad_signature);

  // alg none (and a real signature under a none header) outside emulator mode.
  CHECK(error_of(w.verify(sign_jwt({{"alg", "none"}}, claims(), nullptr))) ==
        TokenError::unsupported_alg);
  // HS256 with the public key as the secret (the classic confusion) is not an algorithm we take.
  CHECK(error_of(w.verify(sign_jwt({{"alg", "HS256"}, {"kid", "k1"}}, claims(),
                                   w.current.get()))) == TokenError::unsupported_alg);
  CHECK(error_of(w.verify(w.token(claims(), "k9"))) == TokenError::unknown_kid);
  CHECK(error_of(w.verify(sign_jwt({{"alg", "RS256"}}, claims(), w.current.get()))) ==
        TokenError::malformed);
}

TEST_CASE("a rotated key set: the new key's tokens pass, the retired key's are refused") {
  const auto& w = world();
  const auto rotated = *SigningKeys::from_certificates_json(certificates_json({{"k2", w.other}}));
  const auto by_new = w.token(claims(), "k2", w.other.get());
  const auto by_old = w.token(claims(), "k1", w.current.get());
  CHECK(std::holds_alternative<IdToken>(verify_id_token(by_new, w.policy, rotated, now)));
  CHECK(error_of(verify_id_token(by_old, w.policy, rotated, now)) == TokenError::unknown_kid);
  CHECK(error_of(w.verify(by_new)) == TokenError::unknown_kid);  // not yet fetched
}

TEST_CASE("emulator mode takes the emulator's unsigned tokens, and nothing unsigned otherwise") {
  const auto& w = world();
  TokenPolicy emulator{"demo-cieloweb", true, 60};
  auto c = claims();
  c["iss"] = "https://securetoken.google.com/demo-cieloweb";
  c["aud"] = "demo-cieloweb";
  const auto unsigned_token = sign_jwt({{"alg", "none"}, {"typ", "JWT"}}, c, nullptr);
  CHECK(std::holds_alternative<IdToken>(verify_id_token(unsigned_token, emulator, w.keys, now)));
  // alg none with a signature attached is not the emulator's form.
  CHECK(error_of(verify_id_token(unsigned_token + "AAAA", emulator, w.keys, now)) ==
        TokenError::unsupported_alg);
  // Emulator mode with a real project (a policy built some other way than the configuration):
  // unsigned tokens are still refused.
  TokenPolicy mistaken{project, true, 60};
  CHECK(error_of(verify_id_token(sign_jwt({{"alg", "none"}}, claims(), nullptr), mistaken, w.keys,
                                 now)) == TokenError::unsupported_alg);
  // The claims are still checked.
  c["aud"] = "demo-other";
  CHECK(error_of(verify_id_token(sign_jwt({{"alg", "none"}}, c, nullptr), emulator, w.keys, now)) ==
        TokenError::wrong_audience);
}

TEST_CASE("compact JWT syntax: strict base64url, three parts, JSON objects, no repeated keys") {
  CHECK(base64url_decode("TWFu") == std::vector<std::uint8_t>{'M', 'a', 'n'});
  CHECK(base64url_decode("TWE") == std::vector<std::uint8_t>{'M', 'a'});
  CHECK_FALSE(base64url_decode("TWF=").has_value());  // padding
  CHECK_FALSE(base64url_decode("TWF+").has_value());  // the other alphabet
  CHECK_FALSE(
      base64url_decode("TWF").has_value());  // non-zero left-over bits: a second spelling of "Ma"
  CHECK_FALSE(base64url_decode("TWG").has_value());
  CHECK_FALSE(base64url_decode("T").has_value());
  const auto& w = world();
  const auto token = w.token(claims());
  CHECK(error_of(w.verify(token + ".x")) == TokenError::malformed);
  CHECK(error_of(w.verify(token.substr(0, token.rfind('.')))) == TokenError::malformed);
  CHECK(error_of(w.verify("")) == TokenError::malformed);
  CHECK(error_of(w.verify(std::string(max_token_bytes + 1, 'a'))) == TokenError::malformed);
  // A header naming alg twice: one parser would read RS256, another none.
  const std::string twice = base64url(R"({"alg":"RS256","kid":"k1","alg":"none"})") + "." +
                            base64url(claims().dump()) + ".";
  CHECK(error_of(w.verify(twice)) == TokenError::malformed);
  CHECK(error_of(w.verify(base64url("[1]") + "." + base64url(claims().dump()) + ".")) ==
        TokenError::malformed);
}

TEST_CASE("key sets: only RSA certificates of 2048 bits or more, all or nothing") {
  CHECK_FALSE(SigningKeys::from_certificates_json("{}").has_value());
  CHECK_FALSE(SigningKeys::from_certificates_json("not json").has_value());
  CHECK_FALSE(SigningKeys::from_certificates_json(
                  R"({"k1": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"})")
                  .has_value());
  const auto small = make_rsa_key(1024);
  CHECK_FALSE(SigningKeys::from_certificates_json(certificates_json({{"k1", small}})).has_value());
  const auto mixed = certificates_json({{"k1", world().current}, {"k2", small}});
  CHECK_FALSE(SigningKeys::from_certificates_json(mixed).has_value());
  const auto two = SigningKeys::from_certificates_json(
      certificates_json({{"k1", world().current}, {"k2", world().other}}));
  REQUIRE(two.has_value());
  CHECK(two->size() == 2);
}
