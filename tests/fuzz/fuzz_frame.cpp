// frame::decode on arbitrary bytes. On success the view must describe bytes inside the input and a
// fragment inside its encoded block, within the limits; peek_transfer_id must agree with decode.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "cieloweb/frame.hpp"

namespace frame = cieloweb::frame;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const frame::DecodeLimits limits;
  const auto decoded = frame::decode(bytes, limits);
  const auto peeked = frame::peek_transfer_id(bytes);
  if (!decoded) {
    if (decoded.error().code == cieloweb::ErrorCode::ok) std::abort();
    return 0;
  }
  const frame::View& v = decoded.value();
  const frame::Header& h = v.header;
  // The payload is exactly the bytes after the header, inside the input.
  if (v.payload.data() != data + frame::header_bytes) std::abort();
  if (v.payload.size() != size - frame::header_bytes || v.payload.size() != h.payload_length) {
    std::abort();
  }
  if (v.payload.empty()) std::abort();
  // The fragment lies inside its encoded block; the block respects the limits.
  if (std::uint64_t{h.fragment_offset} + h.payload_length > h.encoded_length) std::abort();
  if (h.raw_length == 0 || h.raw_length > limits.max_raw_block_bytes) std::abort();
  if (h.encoded_length == 0 || h.encoded_length > limits.max_encoded_block_bytes) std::abort();
  if (!h.compressed() && h.encoded_length != h.raw_length) std::abort();
  if ((h.flags & ~frame::known_flags) != 0) std::abort();
  if (!peeked || peeked.value() != h.transfer_id) std::abort();
  // Encoding the decoded frame gives back the input bit for bit.
  std::vector<std::uint8_t> again;
  frame::encode(h, v.payload, again);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}
