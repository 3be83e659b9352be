#include "cluster/redis_link.hpp"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <charconv>

namespace cieloweb::server::cluster {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

std::optional<RedisAddress> parse_redis_url(std::string_view url, std::string& error) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) {
    error = "expected redis://host:port[/db]";
    return std::nullopt;
  }
  url.remove_prefix(scheme.size());
  RedisAddress address;
  std::string_view db_text;
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    db_text = url.substr(slash + 1);
    url = url.substr(0, slash);
  }
  std::string_view port_text;
  if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    port_text = url.substr(colon + 1);
    url = url.substr(0, colon);
  }
  if (url.empty() || url.find('@') != std::string_view::npos) {
    error = "expected redis://host:port[/db] (no user or password)";
    return std::nullopt;
  }
  address.host = std::string(url);
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      error = "bad port in the Redis URL";
      return std::nullopt;
    }
    address.port = static_cast<std::uint16_t>(port);
  }
  if (!db_text.empty()) {
    const auto [end, ec] =
        std::from_chars(db_text.data(), db_text.data() + db_text.size(), address.db);
    if (ec != std::errc() || end != db_text.data() + db_text.size() || address.db < 0 ||
        address.db > 15) {
      error = "bad database number in the Redis URL (0-15)";
      return std::nullopt;
    }
  }
  return address;
}

RedisValue to_value(const redisReply* reply) {
  RedisValue value;
  if (!reply) return value;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      value.kind = RedisValue::Kind::integer;
      value.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      value.kind = RedisValue::Kind::text;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      value.kind = RedisValue::Kind::error;
      value.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      value.kind = RedisValue::Kind::array;
      value.items.reserve(reply->elements);
      for (std::size_t i = 0; i < reply->elements; ++i)
        value.items.push_back(to_value(reply->element[i]));
      break;
    default:
      break;
  }
  return value;
}

RedisLink::RedisLink(RedisAddress address, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds retry)
    : address_(std::move(address)), timeout_(timeout), retry_(retry) {}

RedisLink::~RedisLink() {
  if (context_) redisFree(context_);
}

void RedisLink::drop(std::string why) {
  last_error_ = std::move(why);
  fd_.store(-1);
  // A connection that was up may reconnect at once (Redis restarted: the next command finds it);
  // a failed attempt to connect waits the retry pause, so a Redis that is away costs little.
  next_attempt_ = context_ ? std::chrono::steady_clock::time_point{}
                           : std::chrono::steady_clock::now() + retry_;
  if (context_) redisFree(context_);
  context_ = nullptr;
}

bool RedisLink::check() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto pong = command({"PING"});
    if (pong && pong->kind != RedisValue::Kind::error) return true;
  }
  return false;
}

bool RedisLink::ensure_connected() {
  if (context_) return true;
  if (std::chrono::steady_clock::now() < next_attempt_) return false;
  redisContext* c =
      redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(timeout_));
  if (!c || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    context_ = nullptr;
    drop("connect: " + why);
    return false;
  }
  context_ = c;
  fd_.store(c->fd);
  redisSetTimeout(c, to_timeval(timeout_));
  redisEnableKeepAlive(c);  // a peer that vanished without a FIN is found within minutes, not never
  if (address_.db != 0) {
    const std::string db = std::to_string(address_.db);
    const auto reply = command({"SELECT", db});
    if (!reply || reply->kind == RedisValue::Kind::error) {
      drop("select: " + (reply ? reply->text : last_error_));
      return false;
    }
  }
  return true;
}

std::optional<RedisValue> RedisLink::command(const std::vector<std::string_view>& args) {
  if (!ensure_connected()) return std::nullopt;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (!reply) {
    drop(context_->errstr);
    return std::nullopt;
  }
  RedisValue value = to_value(reply);
  freeReplyObject(reply);
  return value;
}

bool RedisLink::pipeline(const std::vector<std::vector<std::string_view>>& batch,
                         std::vector<RedisValue>* replies) {
  if (!ensure_connected()) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& args : batch) {
    argv.clear();
    lengths.clear();
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      drop(context_->errstr);
      return false;
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || !raw) {
      drop(context_->errstr);
      return false;
    }
    if (replies) replies->push_back(to_value(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return true;
}

std::optional<RedisValue> RedisLink::read_reply() {
  if (!context_) return std::nullopt;
  // A subscriber waits as long as it takes: no timeout while reading.
  redisSetTimeout(context_, timeval{});
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || !raw) {
    drop(context_->errstr);
    return std::nullopt;
  }
  RedisValue value = to_value(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return value;
}

void RedisLink::interrupt() {
  const int fd = fd_.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

}  // namespace cieloweb::server::cluster
