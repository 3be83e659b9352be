// A Receiver fed a fuzz-chosen sequence of events. Besides raw frames and control texts (mutated
// freely), the input can ask the harness for well-formed fragments of the real file (optionally
// compressed, corrupted, or with a wrong header), so the fuzzer reaches verification, writes, acks,
// resends and completion. The sender may also restart with another file (or the same one), which
// the host accepts or rejects again. Invariants: no crash or sanitizer report; every WriteBlock
// lies inside the file, at its block's offset, and carries exactly the bytes of the file accepted
// last; every control message the receiver sends decodes; after a Reoffered nothing is written or
// accepted until the host accepts again; a completion reports that file's real root hash and size.
//
// Input: a sequence of ops, op = first byte % 12 (tests/data/make_golden.py writes seeds):
//   0 raw frame        u16 length, bytes            -> on_frame
//   1 control text     u16 length, text             -> control::decode, on_control if it decodes
//   2 fragment         u8 block, u8 mode, u16 offset, u16 length of a harness-built encoded block
//   3 whole block      u8 block, u8 mode, u16 fragment size: every fragment of the block, in order
//   4 write done       the oldest pending WriteBlock completes
//   5 done             u8: 0 = the file's root, else a wrong root
//   6 reconnect        on_disconnected + on_reconnected
//   7 write done (any) u32 block -> on_write_done (usually a block with no pending write)
//   8 write failed     the oldest pending WriteBlock fails
//   9 offer            u8: bit 0 picks the file (0 = the first, 1 = another, shorter one), bit 1
//                      sets `restart` -> on_control
//  10 accept           the host accepts (again, after a Reoffered)
//  11 reject           the host declines
// mode bits: 1 compressed, 2 one byte of the block flipped, 4 wrong block_check, 8 raw_length + 1,
// 16 another transfer id.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "cieloweb/block_layout.hpp"
#include "cieloweb/codec.hpp"
#include "cieloweb/control.hpp"
#include "cieloweb/frame.hpp"
#include "cieloweb/receiver.hpp"

namespace {

using namespace cieloweb;

constexpr std::uint32_t transfer = 1;
constexpr std::uint32_t block_size = 1u << 14;     // the smallest allowed: fast iterations
constexpr std::uint64_t file_size = 40000;         // three blocks, the last one short
constexpr std::uint64_t other_size = 20000;        // the file a restart switches to: two blocks
constexpr std::uint64_t max_file_size = 1u << 24;  // what the harness's storage holds

struct File {
  BlockLayout layout;
  std::vector<std::uint8_t> bytes;
  std::vector<blake3::Digest> checks;
  blake3::Digest root{};
  control::Offer offer;

  File(const char* name, std::uint64_t size, int variant) : layout{size, block_size} {
    bytes.resize(size);
    // Compressible but not trivial, so both raw and compressed blocks occur.
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<std::uint8_t>(((i / 7) % 251 ^ (i % 3)) + variant);
    }
    for (std::uint32_t b = 0; b < layout.block_count(); ++b) {
      const auto block = block_bytes(b);
      checks.push_back(layout.check_of(b, block));
    }
    root = layout.root_of(checks);
    offer.transfer = transfer;
    offer.file = control::FileIdentity{name, size, 0, checks[0]};
    offer.block_size = block_size;
  }

  std::span<const std::uint8_t> block_bytes(std::uint32_t b) const {
    return std::span<const std::uint8_t>(bytes).subspan(layout.offset_of(b), layout.length_of(b));
  }
};

const File& first_file() {
  static const File f("fuzz/file.bin", file_size, 0);
  return f;
}
const File& other_file() {
  static const File f("fuzz/other.bin", other_size, 1);
  return f;
}
// The harness's file of a given size: the one whose blocks it serves while the receiver holds an
// offer of that size (an offer from a raw control text may name any size: then the first file).
const File& file_of_size(std::uint64_t size) {
  return size == other_size ? other_file() : first_file();
}

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u16()) | (std::uint32_t{u16()} << 16); }
  std::span<const std::uint8_t> bytes(std::size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    const std::span<const std::uint8_t> s(data_ + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

struct Harness {
  Receiver receiver{first_file().offer, ReceiverConfig{8, 8, max_file_size, 64}};
  std::deque<std::uint32_t> pending;  // blocks with a WriteBlock not yet done
  bool asking_again = false;          // a Reoffered came and the host has not answered yet
  std::uint64_t accepted_size = 0;    // the size of the offer the host accepted last

  const File& file() const { return file_of_size(receiver.layout().file_size); }

  void accept() {
    asking_again = false;
    accepted_size = receiver.layout().file_size;
    receiver.accept();
    drain();
  }

  void drain() {
    while (auto action = receiver.next_action()) {
      if (const auto* w = std::get_if<receiver_action::WriteBlock>(&*action)) {
        if (asking_again) std::abort();  // nothing is written for an offer not accepted
        if (receiver.layout().file_size != accepted_size) std::abort();
        const BlockLayout& layout = receiver.layout();
        // Never a write outside the file, nor one misplaced or of unverified bytes.
        if (w->block >= layout.block_count()) std::abort();
        if (w->offset != layout.offset_of(w->block)) std::abort();
        if (w->bytes.size() != layout.length_of(w->block)) std::abort();
        if (w->offset + w->bytes.size() > layout.file_size) std::abort();
        if (w->offset + w->bytes.size() > file().bytes.size()) std::abort();
        if (!std::equal(w->bytes.begin(), w->bytes.end(),
                        file().bytes.begin() + static_cast<std::ptrdiff_t>(w->offset))) {
          std::abort();
        }
        pending.push_back(w->block);
      } else if (const auto* c = std::get_if<receiver_action::SendControl>(&*action)) {
        auto message = control::decode(c->text);
        if (!message) std::abort();
        // Accepting is the host's decision alone.
        if (asking_again && std::holds_alternative<control::Accept>(message.value())) std::abort();
      } else if (std::get_if<receiver_action::DiscardPartial>(&*action)) {
        pending.clear();  // the host drops the writes of the discarded file; reports none of them
      } else if (const auto* again = std::get_if<receiver_action::Reoffered>(&*action)) {
        if (!(again->offer.file == receiver.file())) std::abort();
        asking_again = true;
      } else if (const auto* done = std::get_if<receiver_action::Completed>(&*action)) {
        if (asking_again || done->size != accepted_size) std::abort();
        if (done->size != receiver.layout().file_size) std::abort();
        const std::uint64_t size = done->size;
        if ((size == file_size || size == other_size) && done->root != file().root) std::abort();
      }
    }
  }

  // The encoded bytes of `block` for the content bits of `mode` (compressed, corrupted), cached:
  // zstd per fragment would dominate the run time.
  struct Encoded {
    std::uint32_t raw_length = 0;
    std::vector<std::uint8_t> bytes;
  };
  static const Encoded& encoded_block(const File& f, std::uint32_t block, std::uint8_t mode) {
    static std::map<std::tuple<const File*, std::uint32_t, int>, Encoded> cache;
    const std::tuple<const File*, std::uint32_t, int> key{&f, block, mode & 3};
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    std::vector<std::uint8_t> raw;
    if (block < f.layout.block_count()) {
      const auto b = f.block_bytes(block);
      raw.assign(b.begin(), b.end());
    } else {
      raw.assign(100, 0x5a);
    }
    if ((mode & 2) != 0) raw[raw.size() / 2] ^= 0x40;
    Encoded e;
    e.raw_length = static_cast<std::uint32_t>(raw.size());
    e.bytes = (mode & 1) != 0 ? codec::compress(raw, 1) : raw;
    return cache.emplace(key, std::move(e)).first->second;
  }

  void fragment(std::uint32_t block, std::uint8_t mode, std::uint32_t offset,
                std::uint32_t length) {
    const File& f = file();
    block = std::min(block, f.layout.block_count());  // at most one past the end
    const bool compressed = (mode & 1) != 0;
    const Encoded& encoded = encoded_block(f, block, mode);
    if (encoded.bytes.empty()) return;
    const auto size = static_cast<std::uint32_t>(encoded.bytes.size());
    frame::Header h;
    h.flags = compressed ? frame::flag_compressed : 0;
    h.transfer_id = (mode & 16) != 0 ? transfer + 1 : transfer;
    h.block_index = block;
    h.raw_length = encoded.raw_length + ((mode & 8) != 0 ? 1 : 0);
    h.encoded_length = compressed ? size : h.raw_length;
    h.block_check = block < f.checks.size() ? f.checks[block] : blake3::Digest{};
    if ((mode & 4) != 0) h.block_check[0] ^= 1;
    offset = std::min(offset, size - 1);
    length = std::clamp<std::uint32_t>(length, 1, size - offset);
    send(h, std::span<const std::uint8_t>(encoded.bytes).subspan(offset, length), offset);
  }

  void whole_block(std::uint32_t block, std::uint8_t mode, std::uint32_t fragment_bytes) {
    const std::uint32_t b = std::min(block, file().layout.block_count());
    const std::size_t encoded = encoded_block(file(), b, mode).bytes.size();
    fragment_bytes = std::max<std::uint32_t>(fragment_bytes, 512);  // bounded work per op
    for (std::size_t offset = 0; offset < encoded; offset += fragment_bytes) {
      fragment(b, mode, static_cast<std::uint32_t>(offset), fragment_bytes);
    }
  }

  void send(frame::Header h, std::span<const std::uint8_t> payload, std::uint32_t offset) {
    h.fragment_offset = offset;
    h.payload_length = static_cast<std::uint32_t>(payload.size());
    std::vector<std::uint8_t> bytes;
    frame::encode(h, payload, bytes);
    (void)receiver.on_frame(bytes);
    drain();
  }

  void complete_oldest(bool ok) {
    if (pending.empty()) return;
    const std::uint32_t block = pending.front();
    pending.pop_front();
    if (ok)
      receiver.on_write_done(block);
    else
      receiver.on_write_failed(block, "fuzz");
    drain();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Harness h;
  h.accept();
  Input in(data, size);
  while (!in.empty()) {
    switch (in.u8() % 12) {
      case 0: {
        const auto bytes = in.bytes(in.u16());
        (void)h.receiver.on_frame(bytes);
        break;
      }
      case 1: {
        const auto bytes = in.bytes(in.u16());
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        if (auto message = control::decode(text)) (void)h.receiver.on_control(message.value());
        h.drain();
        break;
      }
      case 2: {
        const std::uint32_t block = in.u8();
        const std::uint8_t mode = in.u8();
        const std::uint32_t offset = in.u16();
        h.fragment(block, mode, offset, in.u16());
        break;
      }
      case 3: {
        const std::uint32_t block = in.u8();
        const std::uint8_t mode = in.u8();
        h.whole_block(block, mode, in.u16());
        break;
      }
      case 4:
        h.complete_oldest(true);
        break;
      case 5: {
        control::Done done{transfer, h.file().root};
        if (in.u8() != 0) done.root[31] ^= 1;
        (void)h.receiver.on_control(done);
        break;
      }
      case 6:
        h.receiver.on_disconnected();
        h.receiver.on_reconnected();
        break;
      case 7:
        h.receiver.on_write_done(in.u32());
        break;
      case 8:
        h.complete_oldest(false);
        break;
      case 9: {
        const std::uint8_t how = in.u8();
        control::Offer offer = ((how & 1) != 0 ? other_file() : first_file()).offer;
        offer.restart = (how & 2) != 0;
        (void)h.receiver.on_control(offer);
        h.drain();
        break;
      }
      case 10:
        h.accept();
        break;
      default:
        h.receiver.reject("fuzz");
        h.drain();
        break;
    }
    h.drain();
  }
  // The host finishes every write it was given.
  while (!h.pending.empty()) h.complete_oldest(true);
  const ReceiverProgress p = h.receiver.progress();
  if (p.bytes_verified > p.bytes_total) std::abort();
  return 0;
}
