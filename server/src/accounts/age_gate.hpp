// The 16+ screen (GDPR art. 8, the Dutch UAVG): the page sends a date of birth once, the server
// computes the age and forgets the date at once (never stored, never logged), and answers with a
// pass (signed, valid 30 minutes) that POST /api/me needs to make a profile. The pass says only
// when the screen was passed and under which policy version: that is all a profile records.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

namespace cieloweb::server::accounts {

inline constexpr int minimum_age_years = 16;
inline constexpr std::int64_t age_pass_valid_s = 30 * 60;
// How long a refused screen refuses again from the same browser (the strictly necessary marker
// cookie that stops back-button retries).
inline constexpr std::int64_t age_refusal_marker_s = 60 * 60;
// The version of the privacy policy a person accepts when they pass the screen.
inline constexpr std::string_view privacy_policy_version = "2026-12";

struct CivilDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

// The UTC calendar date at unix second `now_s`.
CivilDate utc_date(std::int64_t now_s);
// "YYYY-MM-DD", a real date of the Gregorian calendar from 1900 on; nullopt otherwise.
std::optional<CivilDate> parse_civil_date(std::string_view text);
// Whole years from `birth` to `today` (a person born 29 February turns a year older on 1 March
// in other years).
int age_in_years(const CivilDate& birth, const CivilDate& today);

enum class AgeGateError { invalid_birth_date, refused };

struct AgePass {
  std::string text;  // what the page sends back in POST /api/me
};

class AgeGate {
 public:
  // `secret`: the key that signs passes (random per process when not configured: a restart only
  // asks the people mid-sign-up to answer the screen again).
  explicit AgeGate(std::array<unsigned char, 32> secret);
  static AgeGate with_random_secret();

  // The whole screen: a malformed, impossible or future date is invalid; under 16 is refused.
  std::variant<AgePass, AgeGateError> screen(std::string_view birth_date, std::int64_t now_s) const;
  // When the screen was passed, if `pass` is one of ours, younger than 30 minutes and not yet
  // redeemed.
  std::optional<std::int64_t> check(std::string_view pass, std::int64_t now_s) const;
  // Marks a valid pass used (once a profile was made with it): one pass, one profile.
  // @return false when it was not valid or already used.
  bool redeem(std::string_view pass, std::int64_t now_s) const;

 private:
  std::string sign(std::string_view message) const;
  std::array<unsigned char, 32> secret_;
  struct Redeemed {
    std::mutex mutex;
    std::unordered_map<std::string, std::int64_t> macs;  // a used pass's signature -> when
  };
  std::shared_ptr<Redeemed> redeemed_ = std::make_shared<Redeemed>();
};

}  // namespace cieloweb::server::accounts
