// Explicit limits of the transfer core. Every decoder and state machine enforces these; a value
// past a limit is refused with ErrorCode::too_large or field_out_of_range, never truncated
// silently.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cieloweb {

inline constexpr std::uint32_t default_block_size_bytes = 1u << 20;  // 1 MiB: one BLAKE3 subtree
inline constexpr std::uint32_t min_block_size_bytes = 1u << 14;      // 16 KiB
inline constexpr std::uint32_t max_block_size_bytes = 1u << 24;      // 16 MiB
// Frames no larger than the channel's max message size; 64 KiB when it is unknown (RFC 8831 says
// implementations should support at least that much interoperably).
inline constexpr std::size_t default_max_message_bytes = 64 * 1024;
inline constexpr std::size_t min_max_message_bytes = 1024;
inline constexpr std::size_t max_control_message_bytes = 64 * 1024;
// A batch announces up to max_files_per_batch files (10000 names of up to max_file_name_bytes):
// its message alone may be longer than the others, up to this.
inline constexpr std::size_t max_files_per_batch = 10000;
inline constexpr std::size_t max_batch_message_bytes = 4 * 1024 * 1024;
inline constexpr std::size_t max_batch_id_bytes = 64;
inline constexpr std::size_t max_file_name_bytes = 4096;  // a relative path inside a dropped folder
inline constexpr std::size_t max_json_depth = 8;          // control messages are shallow
inline constexpr std::uint64_t max_file_size_bytes = 1ull << 50;  // 1 PiB: far above any real file
inline constexpr std::uint32_t max_window_blocks = 256;
inline constexpr std::size_t max_ranges_per_message = 8192;
inline constexpr std::size_t max_acks_per_message = 1024;
// Per-file bookkeeping a Receiver keeps (allocated on accept, never for a mere offer): a 32-byte
// check value and a one-byte resend count per block, so at most 33 MiB here, 1/32 of the WASM
// heap (1 GiB), leaving room for several transfers at once. That still covers a 1 TiB file at the
// default 1 MiB blocks (16 TiB at 16 MiB blocks); a larger offer is refused with too_large. An
// offer's own limits (size <= 2^50, u32 block indices) would allow 2^26 blocks = 2 GiB of checks.
inline constexpr std::uint32_t max_tracked_blocks = 1u << 20;
// Resend counts are kept in one byte per block.
inline constexpr std::uint32_t max_resends_per_block_limit = 255;

}  // namespace cieloweb
