#include "cieloweb/frame.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace cieloweb::frame {
namespace {

void put_u16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

Error frame_error(ErrorCode code, const std::string& what) {
  return make_error(code, "frame: " + what);
}

}  // namespace

void encode_header(const Header& h, std::uint8_t* p) noexcept {
  p[0] = static_cast<std::uint8_t>(h.type);
  p[1] = version;
  put_u16(p + 2, h.flags);
  put_u32(p + 4, h.transfer_id);
  put_u32(p + 8, h.block_index);
  put_u32(p + 12, h.fragment_offset);
  put_u32(p + 16, h.encoded_length);
  put_u32(p + 20, h.raw_length);
  put_u32(p + 24, h.payload_length);
  std::memcpy(p + 28, h.block_check.data(), h.block_check.size());
}

void encode(const Header& h, std::span<const std::uint8_t> payload,
            std::vector<std::uint8_t>& out) {
  out.resize(header_bytes + payload.size());
  Header with_length = h;
  with_length.payload_length = static_cast<std::uint32_t>(payload.size());
  encode_header(with_length, out.data());
  if (!payload.empty()) std::memcpy(out.data() + header_bytes, payload.data(), payload.size());
}

Result<std::uint32_t> peek_transfer_id(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 8) return frame_error(ErrorCode::truncated, "too short for a transfer id");
  return get_u32(bytes.data() + 4);
}

Result<Header> decode_header(std::span<const std::uint8_t> header, std::size_t frame_bytes,
                             const DecodeLimits& limits) {
  if (frame_bytes < header_bytes || header.size() < header_bytes) {
    return frame_error(ErrorCode::truncated, std::to_string(frame_bytes) + " bytes, header needs " +
                                                 std::to_string(header_bytes));
  }
  const std::uint8_t* p = header.data();
  if (p[0] != static_cast<std::uint8_t>(Type::block_fragment)) {
    return frame_error(ErrorCode::unknown_type, "type " + std::to_string(p[0]));
  }
  if (p[1] != version)
    return frame_error(ErrorCode::unsupported_version, "version " + std::to_string(p[1]));
  Header h;
  h.type = Type::block_fragment;
  h.flags = get_u16(p + 2);
  h.transfer_id = get_u32(p + 4);
  h.block_index = get_u32(p + 8);
  h.fragment_offset = get_u32(p + 12);
  h.encoded_length = get_u32(p + 16);
  h.raw_length = get_u32(p + 20);
  h.payload_length = get_u32(p + 24);
  std::memcpy(h.block_check.data(), p + 28, h.block_check.size());

  if ((h.flags & ~known_flags) != 0)
    return frame_error(ErrorCode::field_out_of_range, "unknown flags");
  if (h.payload_length != frame_bytes - header_bytes) {
    return frame_error(ErrorCode::length_mismatch, "payload_length disagrees with frame size");
  }
  if (h.payload_length == 0) return frame_error(ErrorCode::field_out_of_range, "empty payload");
  if (h.raw_length == 0 || h.raw_length > limits.max_raw_block_bytes) {
    return frame_error(ErrorCode::too_large, "raw_length " + std::to_string(h.raw_length));
  }
  if (h.encoded_length == 0 || h.encoded_length > limits.max_encoded_block_bytes) {
    return frame_error(ErrorCode::too_large, "encoded_length " + std::to_string(h.encoded_length));
  }
  if (!h.compressed() && h.encoded_length != h.raw_length) {
    return frame_error(ErrorCode::length_mismatch, "uncompressed block with encoded != raw length");
  }
  // 64-bit sum: a fragment_offset near 2^32 must not wrap.
  if (std::uint64_t{h.fragment_offset} + h.payload_length > h.encoded_length) {
    return frame_error(ErrorCode::length_mismatch, "fragment runs past the encoded block");
  }
  return h;
}

Result<View> decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
  auto header =
      decode_header(bytes.first(std::min(bytes.size(), header_bytes)), bytes.size(), limits);
  if (!header) return header.error();
  return View{header.value(), bytes.subspan(header_bytes)};
}

}  // namespace cieloweb::frame
