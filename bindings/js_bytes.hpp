// Moving bytes across the JS/WASM boundary: once per call, never per byte.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <span>
#include <vector>

namespace cieloweb::bindings {

// Copies a JS Uint8Array into `out` with one TypedArray.set over a view of WASM memory. The view is
// made after resize(), so memory growth cannot leave it dangling.
inline void copy_from_js(const emscripten::val& bytes, std::vector<std::uint8_t>& out) {
  const auto n = bytes["length"].as<std::size_t>();
  out.resize(n);
  if (n == 0) return;
  emscripten::val view(emscripten::typed_memory_view(n, out.data()));
  view.call<void>("set", bytes);
}

// A new Uint8Array holding a copy of `bytes` (JS owns it; no view into WASM memory escapes).
inline emscripten::val to_uint8array(std::span<const std::uint8_t> bytes) {
  emscripten::val view(emscripten::typed_memory_view(bytes.size(), bytes.data()));
  return emscripten::val::global("Uint8Array").new_(view);
}

// Counts live bound objects so tests can prove none leak (every JS handle must be delete()d).
inline int& live_objects() {
  static int count = 0;
  return count;
}
struct LiveObject {
  LiveObject() { ++live_objects(); }
  LiveObject(const LiveObject&) { ++live_objects(); }
  ~LiveObject() { --live_objects(); }
};

}  // namespace cieloweb::bindings
