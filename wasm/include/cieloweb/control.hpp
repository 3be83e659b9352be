// Control messages of the transfer protocol: JSON text on the data channel (docs/wire-format.md).
// Every message is an object {"v": 1, "type": "...", ...}: those of one file carry "transfer":
// <u32>; the two of the channel itself (`hello`, `batch`) carry none. Decoding validates every
// field's presence, type and range and refuses unknown types, extra depth and oversized input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cieloweb/blake3.hpp"
#include "cieloweb/range_set.hpp"
#include "cieloweb/result.hpp"

namespace cieloweb::control {

inline constexpr int version = 1;

// What identifies "the same file" for resume: a changed size, name, modification time or first
// block means the partial data belongs to another version and must be discarded.
struct FileIdentity {
  std::string
      name;  // relative path inside a dropped folder, '/'-separated; see valid_relative_path
  std::uint64_t size = 0;
  std::int64_t mtime_ms = 0;
  blake3::Digest first_block{};  // block 0's check value; hash("") for an empty file
  bool operator==(const FileIdentity&) const = default;
};

// Sender -> receiver: here is a file. `restart` = true replaces an earlier offer of the same
// transfer whose file changed (the receiver discards its partial data).
struct Offer {
  std::uint32_t transfer = 0;
  FileIdentity file;
  std::uint32_t block_size = 0;
  std::string mime;
  bool restart = false;
};
// Receiver -> sender: send, with at most `window` unacknowledged blocks in flight; `have` lists
// blocks already verified (non-empty when resuming after a drop or reload), for `file`.
struct Accept {
  std::uint32_t transfer = 0;
  std::uint32_t window = 0;
  RangeSet have;
  bool resume = false;
  FileIdentity file;  // meaningful when resume: the file the partial data belongs to
};
struct Reject {
  std::uint32_t transfer = 0;
  std::string reason;
};
struct Cancel {
  std::uint32_t transfer = 0;
  std::string reason;
};
// Receiver -> sender: these blocks are verified and written; each frees one unit of window.
struct Ack {
  std::uint32_t transfer = 0;
  std::vector<std::uint32_t> blocks;
};
// Receiver -> sender: this block failed (hash mismatch, bad frame); send it again.
struct Resend {
  std::uint32_t transfer = 0;
  std::uint32_t block = 0;
  ErrorCode reason = ErrorCode::hash_mismatch;
};
// Sender -> receiver: every block has been sent; this is the whole file's BLAKE3.
struct Done {
  std::uint32_t transfer = 0;
  blake3::Digest root{};
};
struct ErrorMessage {
  std::uint32_t transfer = 0;
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string reason;  // optional: the host's reason code ("storage_full"), for the other page to
                       // translate; at most 64 bytes
};

// Either side, when it attaches a channel, and once in answer (`reply`) to the first one it gets:
// a message sent before the other side listened is lost, so the answer tells it to offer again.
struct Hello {
  bool reply = false;
};
// One file a batch announces: what the person accepts or declines before any offer arrives.
struct BatchFile {
  std::uint32_t transfer = 0;  // >= 1, unique in the batch
  std::string path;            // as the sender names it; 1..max_file_name_bytes bytes
  std::uint64_t size = 0;      // <= max_file_size_bytes
  bool operator==(const BatchFile&) const = default;
};
// Sender -> receiver, before a batch's offers: names, count and total size for one Accept/Decline.
// `id`: 1..max_batch_id_bytes of [A-Za-z0-9_-]; 1..max_files_per_batch files.
struct Batch {
  std::string id;
  std::vector<BatchFile> files;
};

using Message =
    std::variant<Offer, Accept, Reject, Cancel, Ack, Resend, Done, ErrorMessage, Hello, Batch>;

// A batch's message may be longer than the other control messages (max_batch_message_bytes).
std::string encode(const Message& message);
Result<Message> decode(std::string_view text);
// The transfer a message belongs to; 0 for the channel's own messages (`hello`, `batch`).
std::uint32_t transfer_of(const Message& message) noexcept;
const char* type_name(const Message& message) noexcept;

// A relative path that cannot escape the destination folder: non-empty '/'-separated segments, none
// "." or "..", no backslash, no NUL or control characters, valid UTF-8, within max_file_name_bytes.
bool valid_relative_path(std::string_view path) noexcept;

Result<blake3::Digest> digest_from_hex(std::string_view hex);

}  // namespace cieloweb::control
