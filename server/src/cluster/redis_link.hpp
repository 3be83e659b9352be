// One synchronous connection to Redis (hiredis), for the thread that owns it. A failed command
// drops the connection; the next command reconnects (at most once per `retry_ms`), so a Redis
// restart costs the commands issued while it was away, never the caller's thread for long: every
// command waits at most the timeout given at construction.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct redisContext;
struct redisReply;

namespace cieloweb::server::cluster {

// Where Redis is: `redis://host:port[/db]` (no TLS, no password: the shipped setup keeps Redis on
// loopback or a private network; see docs/scale-out.md).
struct RedisAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  int db = 0;
};
// @return nullopt with `error` set when the URL is not of that form.
std::optional<RedisAddress> parse_redis_url(std::string_view url, std::string& error);

// A reply, reduced to what our scripts and commands return.
struct RedisValue {
  enum class Kind { nil, integer, text, array, error } kind = Kind::nil;
  std::int64_t integer = 0;
  std::string text;  // text, status or error message
  std::vector<RedisValue> items;
};

class RedisLink {
 public:
  RedisLink(RedisAddress address, std::chrono::milliseconds timeout,
            std::chrono::milliseconds retry = std::chrono::milliseconds(500));
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Runs one command; nullopt when Redis could not be reached or answered nothing in time (the
  // connection is then dropped). A Redis error reply is a value of Kind::error.
  std::optional<RedisValue> command(const std::vector<std::string_view>& args);
  // Sends every command of `batch` at once and reads the replies in order (a pipeline).
  // @return false when the connection failed part-way (replies not read are lost).
  bool pipeline(const std::vector<std::vector<std::string_view>>& batch,
                std::vector<RedisValue>* replies = nullptr);
  // Connects now if not connected (and not within the retry pause). @return whether connected.
  bool ensure_connected();
  bool connected() const { return context_ != nullptr; }
  // A PING, reconnecting once if the connection went stale (Redis restarted since the last
  // command). @return whether Redis answers.
  bool check();
  // For a subscriber: blocks until the next reply arrives (no timeout); nullopt on failure.
  std::optional<RedisValue> read_reply();
  // Any thread: wakes a blocked read_reply() (shuts the socket down; the link then reconnects).
  void interrupt();
  // The last failure, for the log.
  const std::string& last_error() const { return last_error_; }

 private:
  void drop(std::string why);

  RedisAddress address_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds retry_;
  std::chrono::steady_clock::time_point next_attempt_{};
  redisContext* context_ = nullptr;
  std::atomic<int> fd_{-1};  // the socket, for interrupt() from another thread
  std::string last_error_;
};

RedisValue to_value(const redisReply* reply);

}  // namespace cieloweb::server::cluster
