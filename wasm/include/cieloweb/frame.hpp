// Binary data frames: one fragment of one (possibly compressed) block of one transfer.
//
// Layout, version 1, all integers little-endian (docs/wire-format.md):
//   0  u8   type            1 = block fragment
//   1  u8   version         1
//   2  u16  flags           bit 0: block payload is zstd-compressed; other bits must be 0
//   4  u32  transfer_id
//   8  u32  block_index
//  12  u32  fragment_offset offset of this payload inside the encoded block
//  16  u32  encoded_length  length of the whole encoded (compressed or raw) block
//  20  u32  raw_length      length of the block's original bytes
//  24  u32  payload_length  bytes that follow the header in this frame
//  28  32B  block_check     BLAKE3 chaining value of the block (the root hash for a one-block file)
//  60  payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cieloweb/blake3.hpp"
#include "cieloweb/result.hpp"

namespace cieloweb::frame {

inline constexpr std::uint8_t version = 1;
inline constexpr std::size_t header_bytes = 60;

enum class Type : std::uint8_t { block_fragment = 1 };

enum Flags : std::uint16_t {
  flag_compressed = 1u << 0,
  known_flags = flag_compressed,
};

struct Header {
  Type type = Type::block_fragment;
  std::uint16_t flags = 0;
  std::uint32_t transfer_id = 0;
  std::uint32_t block_index = 0;
  std::uint32_t fragment_offset = 0;
  std::uint32_t encoded_length = 0;
  std::uint32_t raw_length = 0;
  std::uint32_t payload_length = 0;
  blake3::Digest block_check{};

  bool compressed() const noexcept { return (flags & flag_compressed) != 0; }
};

// A decoded frame; `payload` points into the caller's buffer.
struct View {
  Header header;
  std::span<const std::uint8_t> payload;
};

struct DecodeLimits {
  std::uint32_t max_raw_block_bytes = 1u << 24;
  std::uint32_t max_encoded_block_bytes = (1u << 24) + (1u << 16);
};

// Appends header + payload to `out` (cleared first). Contract: payload.size() == h.payload_length.
void encode(const Header& h, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);

// Writes just the header_bytes-byte header at `out` (the payload is wherever the caller keeps it,
// e.g. right behind `out`). Its payload_length field is h.payload_length.
void encode_header(const Header& h, std::uint8_t* out) noexcept;

// Validates every field and length of one frame, without state: sizes agree, the fragment lies
// inside the encoded block, a raw block is exactly raw_length long, limits hold. Never reads past
// `bytes`.
Result<View> decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {});

// The same checks as decode(), for a frame of `frame_bytes` bytes of which only the first
// min(frame_bytes, header_bytes) are at hand (`header`): for hosts that copy the payload straight
// to where it belongs once the header said where that is.
Result<Header> decode_header(std::span<const std::uint8_t> header, std::size_t frame_bytes,
                             const DecodeLimits& limits = {});

// The transfer id of a frame, to route it before full decoding; an error if too short to carry one.
Result<std::uint32_t> peek_transfer_id(std::span<const std::uint8_t> bytes);

}  // namespace cieloweb::frame
