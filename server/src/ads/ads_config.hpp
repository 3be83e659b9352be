// AdSense for the free plan (issue 15): off unless a publisher (client) id is configured, and then
// only on the pages that hold no secret (landing, privacy). Which pages may carry ads is the route
// table's business (http/router.cpp); this is what the operator configures.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cieloweb::server {

// Who asks the person about ad cookies (TCF). Google's certified CMP ("Privacy & messaging")
// arrives with the ad tag itself; another certified CMP is a script the operator names. We never
// build a CMP of our own: only a registered, certified one may answer for Google (docs/ads.md).
enum class AdsCmp { google, script };

struct AdsConfig {
  std::string client;  // "ca-pub-" and 16 digits; empty: no ads, no ad request at all
  // Ad units by the place on the page that shows them ("landing", "privacy") -> AdSense slot id.
  std::map<std::string, std::string, std::less<>> slots;
  AdsCmp cmp = AdsCmp::google;
  std::string cmp_script;  // https URL of a certified CMP's script (cmp == script)

  bool enabled() const { return !client.empty(); }
  // The publisher id as ads.txt names it: the client id without "ca-".
  std::string publisher_id() const { return client.substr(3); }
  // The line /ads.txt serves (Google's certification authority id is fixed).
  std::string ads_txt() const {
    return "google.com, " + publisher_id() + ", DIRECT, f08c47fec0942fa0\n";
  }
};

// "ca-pub-" followed by 16 digits (AdSense publisher ids).
bool valid_adsense_client(std::string_view value);
// An AdSense slot id: 10 digits (accepted: 6-20).
bool valid_adsense_slot(std::string_view value);
// The places a slot may go: the pages that carry ads.
bool valid_ad_place(std::string_view place);

}  // namespace cieloweb::server
