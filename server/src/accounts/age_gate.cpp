#include "accounts/age_gate.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <ctime>
#include <stdexcept>

namespace cieloweb::server::accounts {

namespace {

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

std::optional<int> digits(std::string_view text) {
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

constexpr std::string_view pass_prefix = "ag2.";
constexpr std::size_t nonce_chars = 16;  // 8 random bytes, hex

// Lower-case hex of `size` bytes (the nonce and the signature in a pass).
std::string hex_of(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) out.append({digits[bytes[i] >> 4], digits[bytes[i] & 15]});
  return out;
}

}  // namespace

CivilDate utc_date(std::int64_t now_s) {
  const auto seconds = static_cast<std::time_t>(now_s);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return {utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday};
}

std::optional<CivilDate> parse_civil_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = digits(text.substr(0, 4));
  const auto month = digits(text.substr(5, 2));
  const auto day = digits(text.substr(8, 2));
  if (!year || !month || !day || *year < 1900 || *month < 1 || *month > 12 || *day < 1 ||
      *day > days_in_month(*year, *month))
    return std::nullopt;
  return CivilDate{*year, *month, *day};
}

int age_in_years(const CivilDate& birth, const CivilDate& today) {
  int age = today.year - birth.year;
  if (std::pair(today.month, today.day) < std::pair(birth.month, birth.day)) --age;
  return age;
}

AgeGate::AgeGate(std::array<unsigned char, 32> secret) : secret_(secret) {}

AgeGate AgeGate::with_random_secret() {
  std::array<unsigned char, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1)
    throw std::runtime_error("no random bytes for the age gate's key");
  return AgeGate(secret);
}

std::string AgeGate::sign(std::string_view message) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return hex_of(mac, length);
}

std::variant<AgePass, AgeGateError> AgeGate::screen(std::string_view birth_date,
                                                    std::int64_t now_s) const {
  const auto birth = parse_civil_date(birth_date);
  const auto today = utc_date(now_s);
  if (!birth || *birth > today) return AgeGateError::invalid_birth_date;
  if (age_in_years(*birth, today) < minimum_age_years) return AgeGateError::refused;
  // The pass names a nonce (so that it can be used once), the time and the policy version,
  // nothing of the date.
  unsigned char nonce[nonce_chars / 2];
  if (RAND_bytes(nonce, sizeof nonce) != 1) throw std::runtime_error("no random bytes");
  std::string message(pass_prefix);
  message.append(hex_of(nonce, sizeof nonce))
      .append(".")
      .append(std::to_string(now_s))
      .append(".")
      .append(privacy_policy_version);
  std::string pass = message;
  pass.append(".").append(sign(message));
  return AgePass{std::move(pass)};
}

std::optional<std::int64_t> AgeGate::check(std::string_view pass, std::int64_t now_s) const {
  if (!pass.starts_with(pass_prefix) || pass.size() > 200) return std::nullopt;
  const auto mac_dot = pass.rfind('.');
  const std::string_view message = pass.substr(0, mac_dot);
  const std::string expected = sign(message);
  const std::string_view mac = pass.substr(mac_dot + 1);
  if (mac.size() != expected.size() || CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) != 0)
    return std::nullopt;
  // Signed by us, so the fields are ours: "ag2.<nonce>.<time>.<policy version>".
  if (message.size() < pass_prefix.size() + nonce_chars + 1) return std::nullopt;
  const std::string_view rest = message.substr(pass_prefix.size() + nonce_chars + 1);
  std::int64_t issued_at = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), issued_at);
  const std::string_view version(end, static_cast<std::size_t>(rest.data() + rest.size() - end));
  if (error != std::errc() || !version.starts_with('.') ||
      version.substr(1) != privacy_policy_version)
    return std::nullopt;  // a pass of an older policy version: screen again
  if (issued_at > now_s + 60 || now_s - issued_at > age_pass_valid_s) return std::nullopt;
  std::lock_guard lock(redeemed_->mutex);
  if (redeemed_->macs.contains(std::string(mac))) return std::nullopt;
  return issued_at;
}

bool AgeGate::redeem(std::string_view pass, std::int64_t now_s) const {
  if (!check(pass, now_s)) return false;
  std::lock_guard lock(redeemed_->mutex);
  // Passes older than their validity are refused by time anyway: forget them.
  std::erase_if(redeemed_->macs, [now_s](const auto& entry) {
    return now_s - entry.second > age_pass_valid_s + 60;
  });
  return redeemed_->macs.emplace(std::string(pass.substr(pass.rfind('.') + 1)), now_s).second;
}

}  // namespace cieloweb::server::accounts
