#pragma once

#include <emscripten/val.h>

#include "cieloweb/result.hpp"
#include "js_bytes.hpp"

namespace cieloweb::bindings {

// {ok: true} or {ok: false, code: <number>, name: "<error_name>", error: "<detail>", reason?}
// (reason: the code a peer gave with its reject or cancel).
inline emscripten::val error_to_js(const Error& e) {
  emscripten::val o = emscripten::val::object();
  o.set("ok", false);
  o.set("code", static_cast<int>(e.code));
  o.set("name", error_name(e.code));
  o.set("error", e.detail);
  if (!e.reason.empty()) o.set("reason", e.reason);
  return o;
}

inline emscripten::val status_to_js(const Status& s) {
  if (!s) return error_to_js(s.error());
  return emscripten::val::take_ownership(cielo_js_ok_object());
}

}  // namespace cieloweb::bindings
