// The few JS helpers the bindings call per frame. One call each, instead of the several embind
// `val` operations (property reads, a typed_memory_view, a method call) the same work takes.
#include <emscripten/em_js.h>
#include <emscripten/em_macros.h>

#include "js_bytes.hpp"

// clang-format would break the JS inside the macros.
// clang-format off

// Copies min(length, max) bytes from the start of the Uint8Array `bytes` to `dst`; returns its
// length (0 when it is not array-like).
EM_JS(std::uint32_t, cielo_js_copy_head, (emscripten::EM_VAL bytes, std::uint8_t* dst,
                                          std::uint32_t max), {
  const b = Emval.toValue(bytes);
  const n = b.length >>> 0;
  if (n > 0 && max > 0) HEAPU8.set(n <= max ? b : b.subarray(0, max), dst >>> 0);
  return n;
});

// Copies bytes [from, from + n) of the Uint8Array `bytes` to `dst`.
EM_JS(void, cielo_js_copy_range, (emscripten::EM_VAL bytes, std::uint32_t from, std::uint8_t* dst,
                                  std::uint32_t n), {
  const b = Emval.toValue(bytes);
  HEAPU8.set(from === 0 && b.length === n ? b : b.subarray(from, from + n), dst >>> 0);
});

// bufferedAmount of an RTCDataChannel (or anything with its vocabulary), -1 unless it is open.
EM_JS(double, cielo_js_channel_buffered, (emscripten::EM_VAL channel), {
  const c = Emval.toValue(channel);
  return c.readyState === 'open' ? c.bufferedAmount : -1;
});

// channel.send() of a view of WASM memory; send() copies it.
EM_JS(void, cielo_js_channel_send, (emscripten::EM_VAL channel, const std::uint8_t* bytes,
                                    std::uint32_t n), {
  const at = bytes >>> 0;
  Emval.toValue(channel).send(HEAPU8.subarray(at, at + n));
});

// A new {ok: true}.
EM_JS(emscripten::EM_VAL, cielo_js_ok_object, (), { return Emval.toHandle({ok : true}); });
// clang-format on
