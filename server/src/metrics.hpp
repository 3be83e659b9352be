// Counters for /metrics (Prometheus text format 0.0.4). The signaling thread owns the message
// counters and renders; the HTTP thread also counts requests and refusals, so those two are the
// only counters safe from any thread (an atomic, and a map behind a mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace cieloweb::server {

struct Gauges {
  std::size_t ws_connections = 0;
  std::size_t rooms = 0;
  std::size_t peers = 0;
  std::size_t http_connections = 0;
};

class Metrics {
 public:
  void count_message(std::string_view type) { ++messages_in_[std::string(type)]; }
  // Every refusal: an error reply, a close, a handshake refused. `reason` is a fixed token.
  // Any thread.
  void count_reject(std::string_view reason);
  // Any thread.
  void count_http_request() { http_requests_.fetch_add(1, std::memory_order_relaxed); }
  void count_ws_accepted() { ++ws_accepted_; }
  void count_relayed() { ++signals_relayed_; }
  void count_sent(std::size_t n = 1) { messages_out_ += n; }

  std::uint64_t rejects(std::string_view reason) const;
  std::uint64_t messages_in(std::string_view type) const;
  std::uint64_t signals_relayed() const { return signals_relayed_; }

  std::string render(const Gauges& gauges) const;

 private:
  std::map<std::string, std::uint64_t, std::less<>> messages_in_;
  mutable std::mutex rejects_mutex_;
  std::map<std::string, std::uint64_t, std::less<>> rejects_;  // guarded by rejects_mutex_
  std::atomic<std::uint64_t> http_requests_{0};
  std::uint64_t ws_accepted_ = 0;
  std::uint64_t signals_relayed_ = 0;
  std::uint64_t messages_out_ = 0;
};

}  // namespace cieloweb::server
