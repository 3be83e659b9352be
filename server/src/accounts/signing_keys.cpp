#include "accounts/signing_keys.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

namespace cieloweb::server::accounts {

struct SigningKeys::Key {
  EVP_PKEY* pkey = nullptr;
  explicit Key(EVP_PKEY* key) : pkey(key) {}
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr int min_rsa_bits = 2048;

// The RSA public key of one PEM certificate, or null.
EVP_PKEY* rsa_key_of_certificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return nullptr;
  X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (certificate == nullptr) return nullptr;
  EVP_PKEY* key = X509_get_pubkey(certificate);  // its own reference
  X509_free(certificate);
  if (key != nullptr &&
      (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key) < min_rsa_bits)) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return key;
}

}  // namespace

std::optional<SigningKeys> SigningKeys::from_certificates_json(std::string_view json_text) {
  const auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.empty()) return std::nullopt;
  SigningKeys keys;
  for (const auto& [kid, pem] : json.items()) {
    if (kid.empty() || !pem.is_string()) return std::nullopt;
    EVP_PKEY* key = rsa_key_of_certificate(pem.get<std::string>());
    if (key == nullptr) return std::nullopt;
    keys.keys_.emplace(kid, std::make_shared<const Key>(key));
  }
  return keys;
}

SignatureCheck SigningKeys::verify_rs256(std::string_view kid, std::string_view signed_part,
                                         std::span<const std::uint8_t> signature) const {
  const auto found = keys_.find(kid);
  if (found == keys_.end()) return SignatureCheck::unknown_kid;
  EVP_PKEY* key = found->second->pkey;
  // PKCS#1 v1.5 signatures are exactly as long as the modulus.
  if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key)))
    return SignatureCheck::bad_signature;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr) return SignatureCheck::bad_signature;
  // The default padding of an RSA key in DigestVerify is PKCS#1 v1.5: RS256, not PS256.
  const bool valid = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                     EVP_DigestVerify(context, signature.data(), signature.size(),
                                      reinterpret_cast<const unsigned char*>(signed_part.data()),
                                      signed_part.size()) == 1;
  EVP_MD_CTX_free(context);
  return valid ? SignatureCheck::valid : SignatureCheck::bad_signature;
}

}  // namespace cieloweb::server::accounts
