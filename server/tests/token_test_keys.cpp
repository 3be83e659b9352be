#include "token_test_keys.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <vector>

namespace cieloweb::server::test {

struct RsaKey {
  EVP_PKEY* pkey = nullptr;
  ~RsaKey() { EVP_PKEY_free(pkey); }
};

std::shared_ptr<RsaKey> make_rsa_key(int bits) {
  auto key = std::make_shared<RsaKey>();
  key->pkey = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key->pkey == nullptr) throw std::runtime_error("EVP_RSA_gen failed");
  return key;
}

namespace {

std::string certificate_pem(const RsaKey& key) {
  X509* certificate = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 3600);
  X509_set_pubkey(certificate, key.pkey);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("securetoken.test"), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  X509_sign(certificate, key.pkey, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  X509_free(certificate);
  return pem;
}

}  // namespace

std::string certificates_json(
    const std::vector<std::pair<std::string, std::shared_ptr<RsaKey>>>& keys) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [kid, key] : keys) out[kid] = certificate_pem(*key);
  return out.dump();
}

nlohmann::json id_token_claims(const std::string& project, std::int64_t now,
                               const std::string& uid) {
  return {{"iss", "https://securetoken.google.com/" + project},
          {"aud", project},
          {"sub", uid},
          {"auth_time", now - 600},
          {"iat", now - 60},
          {"exp", now + 3540}};
}

std::string base64url(std::string_view bytes) {
  static constexpr char letters[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(letters[(bits >> count) & 0x3F]);
    }
  }
  if (count > 0) out.push_back(letters[(bits << (6 - count)) & 0x3F]);
  return out;
}

std::string sign_jwt(const nlohmann::json& header, const nlohmann::json& payload,
                     const RsaKey* key) {
  const std::string signed_part = base64url(header.dump()) + "." + base64url(payload.dump());
  if (key == nullptr) return signed_part + ".";
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::size_t length = 0;
  EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key->pkey);
  EVP_DigestSign(context, nullptr, &length,
                 reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  std::vector<unsigned char> signature(length);
  EVP_DigestSign(context, signature.data(), &length,
                 reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  EVP_MD_CTX_free(context);
  return signed_part + "." +
         base64url(std::string_view(reinterpret_cast<const char*>(signature.data()), length));
}

}  // namespace cieloweb::server::test
