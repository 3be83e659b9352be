// The security headers of a response, built per route from the configuration. The CSP is data (an
// ordered list of directives and their sources), so a route can admit exactly the third parties it
// uses and nothing else: the room page admits none, and sign-in (Firebase Auth) or ads (AdSense)
// hosts appear only on the routes that opt in, and only when the configuration turns them on.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cieloweb::server::http {

// Third parties a page may load from. A bit set: a route names those it may use, the configuration
// those that are on; a response admits the intersection.
enum class ThirdParty : unsigned { none = 0, sign_in = 1, ads = 2 };
constexpr ThirdParty operator|(ThirdParty a, ThirdParty b) {
  return static_cast<ThirdParty>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr ThirdParty operator&(ThirdParty a, ThirdParty b) {
  return static_cast<ThirdParty>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}
constexpr bool any(ThirdParty set) {
  return set != ThirdParty::none;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Stands for the response's nonce in a policy built by scripts_by_nonce().
inline constexpr std::string_view nonce_placeholder = "{nonce}";

// A fresh nonce for one response: 16 random bytes, base64.
std::string new_script_nonce();
// `headers` with the nonce placeholder in the CSP replaced by `nonce`.
HeaderList with_nonce(HeaderList headers, std::string_view nonce);
// `html` with nonce="…" on every <script> and <link rel="modulepreload"> tag: the page's own
// scripts run under a nonce-based CSP. The built page is ours, so its tags are spelled as Vite
// writes them.
std::string add_nonce_to_scripts(std::string_view html, std::string_view nonce);

class SecurityPolicy {
 public:
  // Same origin only: scripts (plus WASM compilation), styles, workers, media and connections
  // (same-origin ws:/wss: included) from 'self'; no frames, objects or framing by others.
  // `connect_extra`: space-separated sources appended to connect-src (--csp-connect-extra).
  static SecurityPolicy same_origin(std::string_view connect_extra = {});

  // Adds `source` to `directive` (which must be one of the policy's directives).
  SecurityPolicy& allow(std::string_view directive, std::string_view source);
  // Adds every source the third parties in `set` need (their hosts are listed once, in the .cpp).
  SecurityPolicy& admit(ThirdParty set);
  // Scripts by nonce instead of by origin, the one CSP form AdSense supports: 'nonce-…' with
  // 'strict-dynamic' (what a trusted script loads is trusted; host sources are then ignored), plus
  // the fallbacks for browsers without CSP3. The nonce itself is written per response in place of
  // `nonce_placeholder` (with_nonce). Only for pages that carry ads: every other route keeps
  // script-src 'self'.
  SecurityPolicy& scripts_by_nonce();

  // The Content-Security-Policy value; a directive with no source reads 'none'.
  std::string csp() const;
  // Every security header: the CSP and the fixed ones (nosniff, no Referer, no framing, ...).
  HeaderList headers() const;

 private:
  struct Directive {
    std::string name;
    std::vector<std::string> sources;
  };
  std::vector<Directive> directives_;
};

}  // namespace cieloweb::server::http
