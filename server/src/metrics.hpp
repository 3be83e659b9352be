// Counters for /metrics (Prometheus text format 0.0.4). Single-threaded: the server runs one
// io_context thread and the hub is only touched from it.
#pragma once

#include <cstdint>
#include <map>
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
  void count_reject(std::string_view reason) { ++rejects_[std::string(reason)]; }
  void count_http_request() { ++http_requests_; }
  void count_ws_accepted() { ++ws_accepted_; }
  void count_relayed() { ++signals_relayed_; }
  void count_sent(std::size_t n = 1) { messages_out_ += n; }

  std::uint64_t rejects(std::string_view reason) const;
  std::uint64_t messages_in(std::string_view type) const;
  std::uint64_t signals_relayed() const { return signals_relayed_; }

  std::string render(const Gauges& gauges) const;

 private:
  std::map<std::string, std::uint64_t, std::less<>> messages_in_;
  std::map<std::string, std::uint64_t, std::less<>> rejects_;
  std::uint64_t http_requests_ = 0;
  std::uint64_t ws_accepted_ = 0;
  std::uint64_t signals_relayed_ = 0;
  std::uint64_t messages_out_ = 0;
};

}  // namespace cieloweb::server
