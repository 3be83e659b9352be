// The 16+ screen: the age arithmetic at its edges (a day short of 16 is refused, the birthday
// itself passes, 29 February), dates that are not dates, and passes that are not ours or too old.
#include "accounts/age_gate.hpp"

#include <doctest/doctest.h>

#include <ctime>
#include <regex>
#include <string>

using namespace cieloweb::server::accounts;

namespace {

// Unix seconds at noon UTC of a date (libc's timegm, independent of the code under test).
std::int64_t noon_utc(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = 12;
  return static_cast<std::int64_t>(timegm(&tm));
}

AgeGate test_gate(unsigned char fill = 7) {
  std::array<unsigned char, 32> key{};
  key.fill(fill);
  return AgeGate(key);
}

}  // namespace

TEST_CASE("utc_date and the civil date parser agree with the calendar") {
  CHECK(utc_date(0) == CivilDate{1970, 1, 1});
  CHECK(utc_date(noon_utc(2024, 2, 29)) == CivilDate{2024, 2, 29});
  CHECK(utc_date(noon_utc(2026, 12, 31)) == CivilDate{2026, 12, 31});
  CHECK(parse_civil_date("2010-12-03") == CivilDate{2010, 12, 3});
  CHECK(parse_civil_date("2024-02-29") == CivilDate{2024, 2, 29});
  for (const char* bad :
       {"2023-02-29", "1900-02-29", "2010-13-01", "2010-00-10", "2010-04-31", "1899-12-31",
        "2010-1-01", "2010/01/01", "20100101", "", "2010-01-01 ", "+010-01-01", "2010-01-0a"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_civil_date(bad).has_value());
  }
}

TEST_CASE("the screen refuses a day short of 16 and passes the 16th birthday") {
  const auto gate = test_gate();
  const auto today = noon_utc(2026, 12, 3);
  CHECK(std::get<AgeGateError>(gate.screen("2010-12-04", today)) == AgeGateError::refused);
  CHECK(std::holds_alternative<AgePass>(gate.screen("2010-12-03", today)));
  CHECK(std::holds_alternative<AgePass>(gate.screen("1950-06-15", today)));
  CHECK(std::get<AgeGateError>(gate.screen("2026-12-03", today)) == AgeGateError::refused);
  // The future and non-dates are invalid, not refused: no marker for a typo.
  CHECK(std::get<AgeGateError>(gate.screen("2026-12-04", today)) ==
        AgeGateError::invalid_birth_date);
  CHECK(std::get<AgeGateError>(gate.screen("03-12-2010", today)) ==
        AgeGateError::invalid_birth_date);
  // Born on 29 February: 16 on 1 March of a common year, not on 28 February.
  CHECK(age_in_years({2008, 2, 29}, {2024, 2, 28}) == 15);
  CHECK(age_in_years({2008, 2, 29}, {2024, 2, 29}) == 16);
  CHECK(age_in_years({2009, 2, 28}, {2025, 2, 28}) == 16);
  CHECK(age_in_years({2010, 2, 28}, {2026, 2, 28}) == 16);
  CHECK(age_in_years({2008, 2, 29}, {2023, 2, 28}) == 14);
  CHECK(age_in_years({2007, 2, 28}, {2023, 3, 1}) == 16);
}

TEST_CASE("a pass is ours, recent, and holds nothing of the date") {
  const auto gate = test_gate();
  const auto now = noon_utc(2026, 12, 3);
  const auto pass = std::get<AgePass>(gate.screen("1990-05-17", now)).text;
  // Exactly a nonce, the time, the policy version and the signature: no room for the date.
  const std::regex shape("ag2\\.[0-9a-f]{16}\\." + std::to_string(now) + "\\." +
                         std::string(privacy_policy_version) + "\\.[0-9a-f]{64}");
  CHECK(std::regex_match(pass, shape));
  CHECK(gate.check(pass, now) == now);
  CHECK(gate.check(pass, now + age_pass_valid_s) == now);
  CHECK_FALSE(gate.check(pass, now + age_pass_valid_s + 1).has_value());
  CHECK_FALSE(gate.check(pass, now - 120).has_value());  // issued "in the future"
  // Another key (another server, or a forger) makes passes this gate does not take.
  const auto foreign = std::get<AgePass>(test_gate(9).screen("1990-05-17", now)).text;
  CHECK_FALSE(gate.check(foreign, now).has_value());
  // Tampering with the time or the version breaks the signature.
  std::string later = pass;
  later[4] = later[4] == '9' ? '8' : '9';
  CHECK_FALSE(gate.check(later, now).has_value());
  for (const char* bad : {"", "ag1.", "ag1..", "x", "ag1.1.2026-12.00"}) {
    CAPTURE(bad);
    CHECK_FALSE(gate.check(bad, now).has_value());
  }
  CHECK_FALSE(gate.check(std::string(500, 'a'), now).has_value());
}

TEST_CASE("a pass makes one profile: once redeemed it is refused, another pass still works") {
  const auto gate = test_gate();
  const auto now = noon_utc(2026, 12, 3);
  const auto pass = std::get<AgePass>(gate.screen("1990-05-17", now)).text;
  const auto other = std::get<AgePass>(gate.screen("1990-05-17", now)).text;
  CHECK(pass != other);  // the nonce tells two passes of one second apart
  CHECK(gate.redeem(pass, now + 5));
  CHECK_FALSE(gate.check(pass, now + 6).has_value());
  CHECK_FALSE(gate.redeem(pass, now + 6));
  CHECK(gate.check(other, now + 6) == now);
  CHECK_FALSE(gate.redeem("ag2.forged", now));
}
