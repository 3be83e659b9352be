// The strict SDP fingerprint decoder for JS: the page calls it on every remote (and local)
// description before it trusts a fingerprint for the room proof.
#include <emscripten/bind.h>

#include <string>

#include "cieloweb/sdp.hpp"
#include "status_js.hpp"

namespace cieloweb::bindings {
namespace {

using emscripten::val;

// error_to_js's shape plus `rule`, the stable tag of sdp.hpp that says which rule was broken.
val sdp_error_to_js(const Error& e) {
  val o = error_to_js(e);
  o.set("rule", std::string(sdp::rule_of(e)));
  return o;
}

// {ok: true, fingerprint: "sha-256 AB:..", algorithm: "sha-256"} or
// {ok: false, code, name, error, rule}.
val sdp_dtls_fingerprint(const val& text) {
  if (!text.isString()) {
    return sdp_error_to_js(make_error(ErrorCode::wrong_type, "sdp: not_a_string: expected text"));
  }
  // A JS string's length in UTF-16 units is at most its length in UTF-8 bytes: refuse an oversized
  // description before embind copies all of it into WASM memory.
  if (text["length"].as<double>() > static_cast<double>(sdp::max_sdp_bytes)) {
    return sdp_error_to_js(
        make_error(ErrorCode::too_large,
                   "sdp: size: more than " + std::to_string(sdp::max_sdp_bytes) + " bytes"));
  }
  const auto result = sdp::dtls_fingerprint(text.as<std::string>());
  if (!result) return sdp_error_to_js(result.error());
  val o = val::object();
  o.set("ok", true);
  o.set("fingerprint", result.value().canonical());
  o.set("algorithm", result.value().algorithm);
  return o;
}

}  // namespace
}  // namespace cieloweb::bindings

EMSCRIPTEN_BINDINGS(cieloweb_sdp) {
  emscripten::function("sdpDtlsFingerprint", &cieloweb::bindings::sdp_dtls_fingerprint);
}
