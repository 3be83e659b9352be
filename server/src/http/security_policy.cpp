#include "http/security_policy.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace cieloweb::server::http {
namespace {

struct Source {
  std::string_view directive;
  std::string_view source;
};

// Firebase Auth: its REST endpoints, the Google scripts it loads, its auth handler's frame.
constexpr Source sign_in_sources[] = {
    {"script-src", "https://apis.google.com"},
    {"script-src", "https://www.gstatic.com"},
    {"connect-src", "https://identitytoolkit.googleapis.com"},
    {"connect-src", "https://securetoken.googleapis.com"},
    {"connect-src", "https://www.googleapis.com"},
    {"frame-src", "https://*.firebaseapp.com"},
};

// AdSense: its scripts, images, reporting endpoints and ad frames.
constexpr Source ads_sources[] = {
    {"script-src", "https://pagead2.googlesyndication.com"},
    {"script-src", "https://*.googlesyndication.com"},
    {"script-src", "https://*.adtrafficquality.google"},
    {"script-src", "https://www.googletagservices.com"},
    {"img-src", "https://*.googlesyndication.com"},
    {"img-src", "https://*.doubleclick.net"},
    {"img-src", "https://*.google.com"},
    {"img-src", "https://*.gstatic.com"},
    {"img-src", "https://*.adtrafficquality.google"},
    {"connect-src", "https://*.googlesyndication.com"},
    {"connect-src", "https://*.adtrafficquality.google"},
    {"frame-src", "https://googleads.g.doubleclick.net"},
    {"frame-src", "https://tpc.googlesyndication.com"},
    {"frame-src", "https://*.googlesyndication.com"},
    {"frame-src", "https://www.google.com"},
    {"frame-src", "https://*.adtrafficquality.google"},
    // Google's certified CMP (Privacy & messaging, "Funding Choices"): its messages and dialog.
    {"connect-src", "https://fundingchoicesmessages.google.com"},
    {"frame-src", "https://fundingchoicesmessages.google.com"},
};

}  // namespace

SecurityPolicy SecurityPolicy::same_origin(std::string_view connect_extra) {
  SecurityPolicy p;
  p.directives_ = {
      {"default-src", {"'self'"}},
      {"script-src", {"'self'", "'wasm-unsafe-eval'"}},
      {"style-src", {"'self'", "'unsafe-inline'"}},
      {"img-src", {"'self'", "data:", "blob:"}},
      {"font-src", {"'self'"}},
      {"media-src", {"'self'", "blob:", "mediastream:"}},
      {"worker-src", {"'self'", "blob:"}},
      {"connect-src", {"'self'"}},
      {"frame-src", {}},
      {"object-src", {}},
      {"base-uri", {"'self'"}},
      {"form-action", {"'self'"}},
      {"frame-ancestors", {}},
  };
  // Validated by the configuration: no quote or semicolon can rewrite another directive.
  std::size_t at = 0;
  while (at < connect_extra.size()) {
    const auto end = std::min(connect_extra.find(' ', at), connect_extra.size());
    if (end > at) p.allow("connect-src", connect_extra.substr(at, end - at));
    at = end + 1;
  }
  return p;
}

SecurityPolicy& SecurityPolicy::allow(std::string_view directive, std::string_view source) {
  for (auto& d : directives_) {
    if (d.name != directive) continue;
    if (std::find(d.sources.begin(), d.sources.end(), source) == d.sources.end()) {
      d.sources.emplace_back(source);
    }
  }
  return *this;
}

SecurityPolicy& SecurityPolicy::admit(ThirdParty set) {
  if (any(set & ThirdParty::sign_in)) {
    for (const auto& s : sign_in_sources) allow(s.directive, s.source);
  }
  if (any(set & ThirdParty::ads)) {
    for (const auto& s : ads_sources) allow(s.directive, s.source);
  }
  return *this;
}

SecurityPolicy& SecurityPolicy::scripts_by_nonce() {
  for (auto& d : directives_) {
    if (d.name != "script-src") continue;
    d.sources = {"'nonce-" + std::string(nonce_placeholder) + "'", "'strict-dynamic'",
                 "'wasm-unsafe-eval'",
                 // AdSense's documented policy; browsers with nonces ignore 'unsafe-inline'.
                 "'unsafe-inline'", "'unsafe-eval'", "https:"};
  }
  return *this;
}

std::string new_script_nonce() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes");
  unsigned char text[4 * ((sizeof bytes + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(text, bytes, sizeof bytes);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n));
}

HeaderList with_nonce(HeaderList headers, std::string_view nonce) {
  for (auto& [name, value] : headers) {
    if (name != "Content-Security-Policy") continue;
    const auto at = value.find(nonce_placeholder);
    if (at != std::string::npos) value.replace(at, nonce_placeholder.size(), nonce);
  }
  return headers;
}

std::string add_nonce_to_scripts(std::string_view html, std::string_view nonce) {
  const std::string attribute = " nonce=\"" + std::string(nonce) + "\"";
  std::string out;
  out.reserve(html.size() + 8 * attribute.size());
  std::size_t at = 0;
  for (;;) {
    const auto script = html.find("<script", at);
    const auto preload = html.find("<link rel=\"modulepreload\"", at);
    const auto next = std::min(script, preload);
    if (next == std::string_view::npos) break;
    const auto tag_name_end = next + (next == script ? 7 : 5);  // after "<script" / "<link"
    out.append(html.substr(at, tag_name_end - at));
    out.append(attribute);
    at = tag_name_end;
  }
  out.append(html.substr(at));
  return out;
}

std::string SecurityPolicy::csp() const {
  std::string out;
  for (const auto& d : directives_) {
    if (!out.empty()) out.append("; ");
    out.append(d.name);
    if (d.sources.empty()) out.append(" 'none'");
    for (const auto& source : d.sources) {
      out.push_back(' ');
      out.append(source);
    }
  }
  return out;
}

HeaderList SecurityPolicy::headers() const {
  return {
      {"Content-Security-Policy", csp()},
      {"X-Content-Type-Options", "nosniff"},
      // The path holds the room id: no Referer may carry it to another site (ads included).
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      // Popups must keep their opener for Firebase's sign-in flows.
      {"Cross-Origin-Opener-Policy", "same-origin-allow-popups"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy",
       "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), "
       "usb=()"},
  };
}

}  // namespace cieloweb::server::http
