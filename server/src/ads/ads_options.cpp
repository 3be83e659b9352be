// The ads options of parse_config (config_option.hpp).
#include <optional>
#include <string>

#include "ads/ads_config.hpp"
#include "config_option.hpp"

namespace cieloweb::server {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

bool valid_adsense_client(std::string_view value) {
  return value.starts_with("ca-pub-") && value.size() == 7 + 16 && all_digits(value.substr(7));
}

bool valid_adsense_slot(std::string_view value) {
  return value.size() >= 6 && value.size() <= 20 && all_digits(value);
}

bool valid_ad_place(std::string_view place) {
  return place == "landing" || place == "privacy";
}

std::vector<Option> ads_options() {
  return {
      {"--adsense-client", "CIELO_ADSENSE_CLIENT",
       "AdSense publisher id (ca-pub- and 16 digits): ads for free and anonymous users on the "
       "landing and privacy pages, after their consent; none when unset (none)",
       [](Config& c, std::string_view v) {
         c.ads.client = std::string(v);
         return valid_adsense_client(v);
       }},
      {"--adsense-slots", "CIELO_ADSENSE_SLOTS",
       "ad units by place: landing=<slot id>,privacy=<slot id> (none)",
       [](Config& c, std::string_view v) {
         c.ads.slots.clear();
         std::size_t at = 0;
         while (at <= v.size()) {
           const auto end = std::min(v.find(',', at), v.size());
           const auto item = v.substr(at, end - at);
           const auto eq = item.find('=');
           if (eq == std::string_view::npos) return false;
           const auto place = item.substr(0, eq);
           const auto slot = item.substr(eq + 1);
           if (!valid_ad_place(place) || !valid_adsense_slot(slot)) return false;
           if (!c.ads.slots.emplace(std::string(place), std::string(slot)).second) return false;
           at = end + 1;
         }
         return true;
       }},
      {"--ads-cmp", "CIELO_ADS_CMP",
       "who asks for ad consent (TCF): google (Google's certified CMP, set up in AdSense's "
       "Privacy & messaging) or script (a certified CMP at --ads-cmp-script) (google)",
       [](Config& c, std::string_view v) {
         if (v == "google")
           c.ads.cmp = AdsCmp::google;
         else if (v == "script")
           c.ads.cmp = AdsCmp::script;
         else
           return false;
         return true;
       }},
      {"--ads-cmp-script", "CIELO_ADS_CMP_SCRIPT",
       "https URL of a certified CMP's script, for --ads-cmp script (none)",
       [](Config& c, std::string_view v) {
         c.ads.cmp_script = std::string(v);
         // It lands in the page's configuration and in the CSP: nothing that could end a value.
         return v.starts_with("https://") && v.size() > 8 && v.size() <= 512 &&
                v.find_first_of(" ;,'\"<>\\\r\n") == std::string_view::npos;
       }},
  };
}

std::optional<std::string> check_ads_config(const Config& config) {
  const auto& ads = config.ads;
  if (!ads.enabled()) {
    if (!ads.slots.empty() || !ads.cmp_script.empty() || ads.cmp != AdsCmp::google ||
        any(config.third_parties & http::ThirdParty::ads))
      return "ads need an AdSense publisher id (--adsense-client ca-pub-...)";
    return std::nullopt;
  }
  if (ads.cmp == AdsCmp::script && ads.cmp_script.empty())
    return "--ads-cmp script needs the CMP's script (--ads-cmp-script https://...)";
  if (ads.cmp == AdsCmp::google && !ads.cmp_script.empty())
    return "--ads-cmp-script is for --ads-cmp script";
  return std::nullopt;
}

}  // namespace cieloweb::server
