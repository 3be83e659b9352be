// Channel-level pacing. Pure: the host supplies bufferedAmount.
#pragma once

#include <cstdint>

namespace cieloweb {

// Keeps a data channel's bufferedAmount between a low and a high watermark: send while below high;
// once at or above high, wait until the channel drains to low (its bufferedamountlow event) before
// sending again. Chromium stalls or closes channels near 16 MiB buffered, far above these defaults.
class FlowGate {
 public:
  static constexpr std::uint64_t default_high_watermark_bytes = 4u << 20;
  static constexpr std::uint64_t default_low_watermark_bytes = 1u << 20;

  explicit FlowGate(std::uint64_t high = default_high_watermark_bytes,
                    std::uint64_t low = default_low_watermark_bytes)
      : high_(high), low_(low < high ? low : high / 2) {}

  // Whether one more message may be queued given the channel's current bufferedAmount.
  bool may_send(std::uint64_t buffered_amount) noexcept {
    if (blocked_ && buffered_amount <= low_) blocked_ = false;
    if (!blocked_ && buffered_amount >= high_) blocked_ = true;
    return !blocked_;
  }
  // New watermarks for the same channel (a call started or ended): a gate blocked above the new
  // high stays blocked until the channel drains to the new low.
  void set_watermarks(std::uint64_t high, std::uint64_t low) noexcept {
    high_ = high;
    low_ = low < high ? low : high / 2;
  }
  bool blocked() const noexcept { return blocked_; }
  std::uint64_t high() const noexcept { return high_; }
  std::uint64_t low() const noexcept { return low_; }

 private:
  std::uint64_t high_;
  std::uint64_t low_;
  bool blocked_ = false;
};

}  // namespace cieloweb
