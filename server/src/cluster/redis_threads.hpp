// The two Redis connections that must not block the signaling thread: one publishes what this
// node tells others (a queue drained in pipelines, so a burst of relays costs one round trip), one
// listens on this node's channel (a RESP2 connection in subscribe mode may do nothing else).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "cluster/redis_link.hpp"

namespace cieloweb::server::cluster {

class Publisher {
 public:
  explicit Publisher(RedisAddress address);
  ~Publisher();
  // Any thread. Queued in order; dropped (and counted) when Redis is away or the queue holds
  // more than max_queued_bytes: pub/sub is at most once anyway, and the nodes resync on return.
  void publish(std::string channel, std::string payload);
  std::uint64_t dropped() const;
  static constexpr std::size_t max_queued_bytes = 64 << 20;
  static constexpr std::size_t max_payload_bytes = 1 << 20;  // one publish

 private:
  void run();

  RedisLink link_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::string>> queue_;
  std::size_t queued_bytes_ = 0;
  std::uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

class Subscriber {
 public:
  // `on_message` and `on_link` run on the subscriber's thread: post them where they belong.
  // `on_link(true)` follows each (re)subscription; `on_link(false)` each loss of the connection.
  Subscriber(RedisAddress address, std::string channel,
             std::function<void(std::string payload)> on_message,
             std::function<void(bool up)> on_link);
  ~Subscriber();
  // Any thread: waits until the first subscription is in place. @return whether it is.
  bool wait_subscribed(std::chrono::milliseconds timeout);

 private:
  void run();

  RedisLink link_;
  std::string channel_;
  std::function<void(std::string)> on_message_;
  std::function<void(bool)> on_link_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::condition_variable subscribed_;
  bool ever_subscribed_ = false;
  std::thread thread_;
};

}  // namespace cieloweb::server::cluster
