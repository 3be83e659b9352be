// BLAKE3 and zstd for JS.
#include <emscripten/bind.h>

#include <algorithm>
#include <span>

#include "cieloweb/blake3.hpp"
#include "cieloweb/codec.hpp"
#include "js_bytes.hpp"
#include "status_js.hpp"

namespace cieloweb::bindings {
namespace {

using emscripten::val;

class JsBlake3Hasher : LiveObject {
 public:
  // Copied and hashed piece by piece, like hash-wasm does: each piece is hashed while it is still
  // in the CPU's cache, instead of copying a large input whole and reading it back from memory.
  void update(const val& bytes) {
    const std::uint32_t length = static_cast<std::uint32_t>(js_length(bytes));
    buffer_.resize(std::min<std::size_t>(length, piece_bytes));
    for (std::uint32_t at = 0; at < length;) {
      const auto n = std::min<std::uint32_t>(length - at, piece_bytes);
      cielo_js_copy_range(bytes.as_handle(), at, buffer_.data(), n);
      hasher_.update(std::span<const std::uint8_t>(buffer_.data(), n));
      at += n;
    }
  }
  std::string finalize_hex() const { return blake3::to_hex(hasher_.finalize()); }
  void reset() { hasher_.reset(); }
  double bytes_hashed() const { return static_cast<double>(hasher_.bytes_hashed()); }

 private:
  static constexpr std::uint32_t piece_bytes = 64 * 1024;  // a power of two: whole subtrees
  blake3::Hasher hasher_;
  std::vector<std::uint8_t> buffer_;
};

std::string blake3_hex(const val& bytes) {
  std::vector<std::uint8_t> buffer;
  copy_from_js(bytes, buffer);
  return blake3::to_hex(blake3::hash(buffer));
}

std::string blake3_implementation() {
  return blake3::implementation_name();
}

val zstd_compress(const val& bytes, int level) {
  std::vector<std::uint8_t> buffer;
  copy_from_js(bytes, buffer);
  return to_uint8array(codec::compress(buffer, level));
}

// {ok: true, bytes: Uint8Array} or an error object (decompress_failed, decompress_too_large).
val zstd_decompress(const val& bytes, double max_output_bytes) {
  std::vector<std::uint8_t> input, output;
  copy_from_js(bytes, input);
  codec::Decompressor d;
  const Status s = d.decode(input, static_cast<std::size_t>(max_output_bytes), output);
  if (!s) return error_to_js(s.error());
  val o = val::object();
  o.set("ok", true);
  o.set("bytes", to_uint8array(output));
  return o;
}

// A block compressor with sticky zstd contexts (the benchmark measures this path).
class JsCompressor : LiveObject {
 public:
  explicit JsCompressor(int level) : compressor_(codec::Policy{.level = level}) {}
  // Level-`level` zstd of the bytes with the sticky context, always compressed (no adaptive
  // skipping): the cost of compressing one block in a transfer, for benchmarks.
  double compress_size(const val& bytes, int level) {
    copy_from_js(bytes, input_);
    compressor_.compress_at(input_, level, output_);
    return static_cast<double>(output_.size());
  }
  // The adaptive path the transfer uses: {compressed: bool, bytes: Uint8Array}.
  val encode(const val& bytes) {
    copy_from_js(bytes, input_);
    const bool compressed = compressor_.encode(input_, output_);
    val o = val::object();
    o.set("compressed", compressed);
    o.set("bytes", to_uint8array(output_));
    return o;
  }

 private:
  codec::Compressor compressor_;
  std::vector<std::uint8_t> input_, output_;
};

int live_object_count() {
  return live_objects();
}

}  // namespace
}  // namespace cieloweb::bindings

EMSCRIPTEN_BINDINGS(cieloweb_hash_codec) {
  using namespace emscripten;
  using namespace cieloweb::bindings;
  class_<JsBlake3Hasher>("Blake3Hasher")
      .constructor<>()
      .function("update", &JsBlake3Hasher::update)
      .function("finalizeHex", &JsBlake3Hasher::finalize_hex)
      .function("reset", &JsBlake3Hasher::reset)
      .function("bytesHashed", &JsBlake3Hasher::bytes_hashed);
  function("blake3Hex", &blake3_hex);
  function("blake3Implementation", &blake3_implementation);
  function("zstdCompress", &zstd_compress);
  function("zstdDecompress", &zstd_decompress);
  class_<JsCompressor>("Compressor")
      .constructor<int>()
      .function("compressSize", &JsCompressor::compress_size)
      .function("encode", &JsCompressor::encode);
  function("liveObjectCount", &live_object_count);
}
