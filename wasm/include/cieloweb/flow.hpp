// Channel-level pacing and progress figures. Both are pure: the host supplies bufferedAmount and
// time.
#pragma once

#include <cstdint>
#include <optional>

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
  bool blocked() const noexcept { return blocked_; }
  std::uint64_t high() const noexcept { return high_; }
  std::uint64_t low() const noexcept { return low_; }

 private:
  std::uint64_t high_;
  std::uint64_t low_;
  bool blocked_ = false;
};

// Transfer rate (exponentially smoothed) and time to completion from (time, bytes done) samples.
class ProgressMeter {
 public:
  explicit ProgressMeter(double smoothing_ms = 2000.0) : smoothing_ms_(smoothing_ms) {}

  void sample(double now_ms, std::uint64_t bytes_done) noexcept {
    if (have_sample_ && bytes_done < last_bytes_) {
      // Fewer bytes than before: the transfer restarted (the file changed). Start measuring anew.
      have_sample_ = false;
      rate_.reset();
    }
    if (have_sample_ && now_ms > last_ms_) {
      const double dt = now_ms - last_ms_;
      const double instant = static_cast<double>(bytes_done - last_bytes_) * 1000.0 / dt;
      const double weight = dt / (dt + smoothing_ms_);
      rate_ = rate_ ? *rate_ + weight * (instant - *rate_) : instant;
    }
    if (!have_sample_ || now_ms > last_ms_) {
      last_ms_ = now_ms;
      last_bytes_ = bytes_done;
      have_sample_ = true;
    }
  }
  // Bytes per second, once two samples exist.
  std::optional<double> bytes_per_second() const noexcept { return rate_; }
  // Seconds until `total` bytes are done at the current rate; nullopt while the rate is unknown or
  // 0.
  std::optional<double> eta_seconds(std::uint64_t total) const noexcept {
    if (!rate_ || *rate_ <= 0.0) return std::nullopt;
    return static_cast<double>(total > last_bytes_ ? total - last_bytes_ : 0) / *rate_;
  }

 private:
  double smoothing_ms_;
  bool have_sample_ = false;
  double last_ms_ = 0;
  std::uint64_t last_bytes_ = 0;
  std::optional<double> rate_;
};

}  // namespace cieloweb
