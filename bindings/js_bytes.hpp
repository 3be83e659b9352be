// Moving bytes across the JS/WASM boundary: once per call, never per byte.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <span>
#include <vector>

// JS helpers defined with EM_JS in js_bytes.cpp (see there).
extern "C" {
std::uint32_t cielo_js_copy_head(emscripten::EM_VAL bytes, std::uint8_t* dst, std::uint32_t max);
void cielo_js_copy_range(emscripten::EM_VAL bytes, std::uint32_t from, std::uint8_t* dst,
                         std::uint32_t n);
double cielo_js_channel_buffered(emscripten::EM_VAL channel);
void cielo_js_channel_send(emscripten::EM_VAL channel, const std::uint8_t* bytes, std::uint32_t n);
emscripten::EM_VAL cielo_js_ok_object();
}

namespace cieloweb::bindings {

// The length of a JS Uint8Array.
inline std::size_t js_length(const emscripten::val& bytes) {
  return cielo_js_copy_head(bytes.as_handle(), nullptr, 0);
}

// Copies a JS Uint8Array of exactly out.size() bytes into WASM memory the caller owns: one
// TypedArray.set, no intermediate buffer.
inline void copy_into(const emscripten::val& bytes, std::span<std::uint8_t> out) {
  if (!out.empty()) {
    cielo_js_copy_range(bytes.as_handle(), 0, out.data(), static_cast<std::uint32_t>(out.size()));
  }
}

// Copies a JS Uint8Array into `out` (resized to its length) with one TypedArray.set.
template <class Vector>
void copy_from_js(const emscripten::val& bytes, Vector& out) {
  out.resize(js_length(bytes));
  copy_into(bytes, out);
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
