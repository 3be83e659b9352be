// One command-line option (and its environment variable) of parse_config, for the files that add
// their own group of options (ads/ads_options.cpp) next to config.cpp's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"

namespace cieloweb::server {

struct Option {
  std::string_view flag;
  std::string_view env;
  std::string_view help;
  std::function<bool(Config&, std::string_view)> apply;
};

// A list option's items: separated by commas or spaces, empty items dropped (config.cpp).
std::vector<std::string> split_list(std::string_view text);

// The ICE options (--stun-urls, --turn-urls, --turn-secret, --turn-secret-file, --turn-ttl,
// --ice-transport-policy): ice_options.cpp.
std::vector<Option> ice_options();
// Reads the --turn-secret-file, then checks the ICE options together; nullopt when consistent.
std::optional<std::string> check_ice_config(Config& config);

// The ads options (--adsense-client, --adsense-slots, --ads-cmp, --ads-cmp-script).
std::vector<Option> ads_options();
// What parse_config checks across the ads options once all are read; nullopt when consistent.
std::optional<std::string> check_ads_config(const Config& config);

}  // namespace cieloweb::server
