// libFuzzer target for the ID token verifier (accounts/id_token.hpp) and the compact JWT reader
// under it. Besides memory safety it checks what sign-in relies on: outside emulator mode no input
// the fuzzer makes is ever accepted (it cannot sign with our key), and whatever is accepted in
// emulator mode names a uid of 1-128 characters and is not expired.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "accounts/id_token.hpp"
#include "accounts/jwt.hpp"
#include "token_test_keys.hpp"

using namespace cieloweb::server::accounts;

namespace {

constexpr std::int64_t now = 1'800'000'000;

void check(bool ok) {
  if (!ok) std::abort();
}

const SigningKeys& keys() {
  static const SigningKeys set = *SigningKeys::from_certificates_json(
      cieloweb::server::test::certificates_json({{"k1", cieloweb::server::test::make_rsa_key()}}));
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  (void)parse_compact_jwt(token);

  const TokenPolicy production{"cieloweb-prod", false, 60};
  check(std::holds_alternative<TokenError>(verify_id_token(token, production, keys(), now)));

  const TokenPolicy emulator{"demo-cieloweb", true, 60};
  const auto verdict = verify_id_token(token, emulator, keys(), now);
  if (const auto* accepted = std::get_if<IdToken>(&verdict)) {
    check(!accepted->uid.empty() && accepted->uid.size() <= 4 * max_uid_chars);
    check(accepted->expires_at > now - max_leeway_s);
  }
  return 0;
}
