// A deterministic simulated data channel between one Sender and several Receivers, in 1 ms ticks:
// bandwidth, latency, a send-buffer limit, a maximum message size, a connection drop at any point,
// a flipped byte, a slow disk. Used by the transfer tests to cover RELIABILITY.md without a
// browser.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cieloweb/receiver.hpp"
#include "cieloweb/sender.hpp"
#include "test_data.hpp"

namespace cieloweb::sim {

// The file the sender reads. read() fills `out` from `offset`; it may throw nothing and always
// succeeds.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::uint64_t size() const = 0;
  virtual void read(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
};

// Where a receiver writes. Default: keep everything in memory.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) = 0;
  virtual void discard() = 0;  // the sender's file changed: forget what was written
};

class MemorySource : public Source {
 public:
  explicit MemorySource(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  void read(std::uint64_t offset, std::span<std::uint8_t> out) override;
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

class MemorySink : public Sink {
 public:
  void write(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
  void discard() override { bytes_.clear(); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

struct LinkConfig {
  double bandwidth_bytes_per_ms = 20'000;  // 20 MB/s, a data channel here
  std::uint32_t latency_ms = 5;
  std::size_t max_message_bytes = 64 * 1024;
  std::uint64_t high_watermark_bytes = 1u << 20;
  std::uint64_t low_watermark_bytes = 256u << 10;
  std::uint64_t send_buffer_limit_bytes = 16u << 20;  // above this the channel "closes" (Chromium)
  // A hiccup: from pause_at_ms, nothing moves either way for pause_ms (a busy machine); again every
  // pause_every_ms when set (a peer that stops and starts).
  std::uint64_t pause_at_ms = 0;
  std::uint32_t pause_ms = 0;
  std::uint32_t pause_every_ms = 0;
  bool paused_at(std::uint64_t now) const {
    if (pause_ms == 0 || now < pause_at_ms) return false;
    const std::uint64_t since = now - pause_at_ms;
    return (pause_every_ms ? since % pause_every_ms : since) < pause_ms;
  }
};

struct Faults {
  // Cut the connection once this many frame bytes have been delivered (0 = right after accept).
  std::optional<std::uint64_t> drop_after_bytes;
  std::uint32_t reconnect_after_ms = 20;
  // Flip one bit of the `flip_frame`-th binary message (0-based) at byte `flip_offset` (mod size).
  std::optional<std::uint64_t> flip_frame;
  std::size_t flip_offset = 100;
  bool flip_every_time = false;      // corrupt every frame of that block index, forever
  std::uint32_t write_delay_ms = 0;  // a slow disk: each block write takes this long
  // Receiver calls reject() instead of accept(); or cancel() once this many bytes arrived.
  bool reject = false;
  bool never_answer = false;  // the person never decides on the offer
  std::optional<std::uint64_t> cancel_after_bytes;
  std::optional<ResumeState> resume_from;  // accept_resume() with this state (a reloaded page)
};

struct PeerSetup {
  Sink* sink = nullptr;
  LinkConfig link;
  Faults faults;
  ReceiverConfig receiver;
};

struct PeerOutcome {
  bool completed = false;
  std::uint64_t completed_at_tick = 0;  // when the receiver verified the root
  bool sender_finished = false;
  std::optional<Error> receiver_error;
  std::optional<Error> sender_error;
  std::optional<blake3::Digest> root;
  ReceiverProgress progress;
  std::uint64_t max_buffered_bytes = 0;
  std::size_t max_frame_bytes = 0;
  std::size_t max_pending_writes = 0;
  std::uint64_t frame_bytes_delivered = 0;
  std::uint64_t frames_delivered = 0;
  std::uint32_t drops = 0;
  std::uint32_t discards = 0;
  std::uint32_t reoffers = 0;        // 'restart' offers the receiver asked the person about again
  std::uint64_t completed_size = 0;  // Completed::size: the length whose root verified
  std::map<std::uint32_t, std::uint32_t>
      block_deliveries;  // block -> how many first fragments arrived
  ResumeState final_state;
};

struct Outcome {
  std::vector<PeerOutcome> peers;
  std::uint64_t blocks_read = 0;
  std::size_t max_sender_cache_memory = 0;  // the most the Sender's cache held, after each read
  std::uint64_t ticks = 0;
  bool timed_out = false;
};

// Runs one transfer to every peer until all finish or fail, or `max_ticks` pass.
Outcome run(Source& source, const FileInfo& info, const SenderConfig& sender_config,
            std::vector<PeerSetup> peers, std::uint64_t max_ticks = 10'000'000);

using test::random_bytes;
std::vector<std::uint8_t> text_bytes(std::size_t n, std::uint64_t seed);

}  // namespace cieloweb::sim
