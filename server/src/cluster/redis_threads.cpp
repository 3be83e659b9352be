#include "cluster/redis_threads.hpp"

#include <pthread.h>

#include <unordered_map>
#include <vector>

#include "cluster/node_message.hpp"

#include "log.hpp"

namespace cieloweb::server::cluster {

using namespace std::chrono_literals;

Publisher::Publisher(RedisAddress address)
    : link_(std::move(address), 1000ms, 250ms), thread_([this] { run(); }) {}

Publisher::~Publisher() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Publisher::publish(std::string channel, std::string payload) {
  {
    const std::lock_guard lock(mutex_);
    const std::size_t bytes = channel.size() + payload.size();
    if (queued_bytes_ + bytes > max_queued_bytes) {
      ++dropped_;
      return;
    }
    queued_bytes_ += bytes;
    queue_.emplace_back(std::move(channel), std::move(payload));
  }
  wake_.notify_one();
}

std::uint64_t Publisher::dropped() const {
  const std::lock_guard lock(mutex_);
  return dropped_;
}

void Publisher::run() {
  pthread_setname_np(pthread_self(), "cieloweb-redpub");
  std::deque<std::pair<std::string, std::string>> batch;
  std::vector<std::vector<std::string_view>> commands;
  std::vector<std::pair<std::string, std::string>> framed;    // channel, framed messages
  std::unordered_map<std::string, std::size_t> open_payload;  // channel -> its entry in framed
  bool was_up = true;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Stopping sends what is queued first: a stopping node's last peer-left notices matter.
      if (stopping_ && queue_.empty()) return;
      batch.swap(queue_);
      queued_bytes_ = 0;
    }
    // One publish per node for what queued up for it, in order; a very large batch is split.
    framed.clear();
    open_payload.clear();
    for (const auto& [channel, message] : batch) {
      auto it = open_payload.find(channel);
      if (it == open_payload.end() || framed[it->second].second.size() >= max_payload_bytes) {
        framed.emplace_back(channel, std::string());
        it = open_payload.insert_or_assign(channel, framed.size() - 1).first;
      }
      append_framed(framed[it->second].second, message);
    }
    commands.clear();
    for (const auto& [channel, payload] : framed)
      commands.push_back({"SPUBLISH", channel, payload});
    const bool was_connected = link_.connected();
    bool sent = link_.pipeline(commands);
    // A connection that was up may just have gone stale (Redis restarted): one more try on a
    // fresh one. Should the old one have failed after Redis took part of the batch, a message may
    // arrive twice; the pages treat signals idempotently, a lost peer-joined would be worse.
    if (!sent && was_connected) sent = link_.pipeline(commands);
    if (!sent) {
      const std::lock_guard lock(mutex_);
      dropped_ += batch.size();
    }
    if (sent != was_up) {
      log_event(sent ? LogLevel::info : LogLevel::warn,
                sent ? "redis-publish-back" : "redis-publish-failed",
                {{"error", sent ? std::string() : link_.last_error()}});
      was_up = sent;
    }
    batch.clear();
    if (!sent) {
      // Redis is away: what was queued meanwhile would arrive stale after the nodes resync, so
      // it is dropped too; then a pause before the next attempt rather than a spin.
      std::unique_lock lock(mutex_);
      if (!stopping_) wake_.wait_for(lock, 250ms, [this] { return stopping_; });
      dropped_ += queue_.size();
      queue_.clear();
      queued_bytes_ = 0;
    }
  }
}

Subscriber::Subscriber(RedisAddress address, std::string channel,
                       std::function<void(std::string)> on_message,
                       std::function<void(bool)> on_link)
    : link_(std::move(address), 1000ms, 250ms),
      channel_(std::move(channel)),
      on_message_(std::move(on_message)),
      on_link_(std::move(on_link)),
      thread_([this] { run(); }) {}

Subscriber::~Subscriber() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  link_.interrupt();
  thread_.join();
}

bool Subscriber::wait_subscribed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return subscribed_.wait_for(lock, timeout, [this] { return ever_subscribed_; });
}

void Subscriber::run() {
  pthread_setname_np(pthread_self(), "cieloweb-redsub");
  bool up = false;
  bool failed_before = false;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (failed_before) wake_.wait_for(lock, 250ms, [this] { return stopping_; });
      if (stopping_) return;
    }
    failed_before = true;
    const auto subscribed = link_.command({"SSUBSCRIBE", channel_});
    if (!subscribed || subscribed->kind == RedisValue::Kind::error) {
      if (subscribed)
        log_event(LogLevel::error, "redis-subscribe-refused", {{"error", subscribed->text}});
      if (up) on_link_(false);
      up = false;
      continue;
    }
    up = true;
    failed_before = false;
    {
      const std::lock_guard lock(mutex_);
      ever_subscribed_ = true;
    }
    subscribed_.notify_all();
    on_link_(true);
    while (auto reply = link_.read_reply()) {
      // ["smessage", channel, payload]
      if (reply->kind == RedisValue::Kind::array && reply->items.size() == 3 &&
          reply->items[0].text == "smessage") {
        on_message_(std::move(reply->items[2].text));
      }
    }
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    log_event(LogLevel::warn, "redis-subscription-lost", {{"error", link_.last_error()}});
    up = false;
    on_link_(false);
  }
}

}  // namespace cieloweb::server::cluster
