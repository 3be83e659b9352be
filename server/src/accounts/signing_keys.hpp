// The public keys that sign Firebase ID tokens, as Google publishes them: a JSON object mapping
// each key id (`kid`) to an X.509 certificate in PEM. A set is immutable once built; a rotation
// builds a new one (the key cache swaps it in), so a verification never sees half a set.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cieloweb::server::accounts {

enum class SignatureCheck { valid, unknown_kid, bad_signature };

class SigningKeys {
 public:
  // nullopt when `json_text` is not such an object, or any certificate does not hold an RSA key of
  // at least 2048 bits: a half-understood set is not used at all.
  static std::optional<SigningKeys> from_certificates_json(std::string_view json_text);

  // RS256 (RSASSA-PKCS1-v1_5 with SHA-256) of `signed_part` under the key `kid` names.
  SignatureCheck verify_rs256(std::string_view kid, std::string_view signed_part,
                              std::span<const std::uint8_t> signature) const;

  bool has(std::string_view kid) const { return keys_.find(kid) != keys_.end(); }
  std::size_t size() const { return keys_.size(); }

 private:
  struct Key;  // an OpenSSL EVP_PKEY, kept out of this header
  std::map<std::string, std::shared_ptr<const Key>, std::less<>> keys_;
};

}  // namespace cieloweb::server::accounts
