// Signaling load generator: a separate process that (1) opens and holds many idle WebSocket
// connections, each joined to a room; (2) while holding them, drives joins (join, peer list back,
// leave) at a steady rate and records join-to-peer-list latency; (3) measures relay throughput with
// pairs of peers that keep a window of signals in flight to each other. Prints one JSON object.
// Speaks protocol v1 (docs/signaling.md); the Node anchor relay speaks the same subset.
//
// The load generator shares the 2-core machine with the server under test, so it must cost less
// per message than either server, or it measures itself. Each connection therefore frames by
// itself over a plain socket (RFC 6455, client side: masked frames) like a lean client library:
// every frame in one read is handled before the answers leave, together, in one write. Both
// servers get exactly the same bytes.
#include <netinet/in.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace net = boost::asio;
using error_code = boost::system::error_code;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  // A second node of a cluster (bench/suites/cluster.mjs): joiners and the second member of each
  // relay pair connect there, so joins and signals cross nodes. 0: everyone uses `port`.
  std::uint16_t port_b = 0;
  std::string origin;
  int sources = 4;  // 127.0.0.1 .. 127.0.0.<sources> as source addresses
  int idle = 10000;
  int room_size = 4;
  double join_rate = 500;
  double join_seconds = 5;
  int join_rounds = 1;           // join phases, each join_seconds long
  double round_gap_seconds = 0;  // between rounds, holding only ("join-round-done" on stderr)
  int joiners = 250;
  int relay_pairs = 64;
  int relay_window = 32;
  double relay_seconds = 5;
  int server_pid = 0;
  double deadline_seconds = 120;  // the whole run stops by itself after this
};

double read_rss_mib(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

enum class Role { idle, joiner, relay };

class Run;

// A client frame (RFC 6455 section 5.2): FIN + text opcode, masked with the connection's key.
std::string masked_text_frame(std::string_view payload, const std::uint8_t key[4]) {
  std::string frame;
  frame.reserve(payload.size() + 14);
  frame.push_back(static_cast<char>(0x81));
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>(payload.size() >> (8 * i)));
  }
  frame.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame.push_back(static_cast<char>(payload[i] ^ key[i & 3]));
  return frame;
}

class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(net::io_context& ioc, Run& run, Role role, int index)
      : role_(role), index_(index), socket_(ioc), run_(run) {
    // Any key does (the server unmasks whatever it is); distinct ones per connection.
    const auto k = static_cast<std::uint32_t>(index) * 2654435761u + 0x9e3779b9u;
    std::memcpy(key_, &k, 4);
  }
  void start(const tcp::endpoint& server, const net::ip::address& source);
  // Queues a text message (framed and masked here).
  void send(std::string_view text) { send_frame(masked_text_frame(text, key_)); }
  // Queues bytes already framed by masked_frame() (the relay's hot path: no framing per message).
  void send_frame(std::string_view frame);
  std::string masked_frame(std::string_view text) const { return masked_text_frame(text, key_); }
  void close() {
    error_code ignored;
    socket_.close(ignored);
  }

  Role role_;
  int index_;
  bool open_ = false;
  bool failed_ = false;
  std::string peer_id_;
  std::string room_;
  Clock::time_point sent_at_;
  bool busy_ = false;  // joiner: a join or leave in flight
  std::string relay_frame_;

 private:
  void do_read();
  void on_read(error_code ec, std::size_t bytes);
  bool on_handshake_bytes();
  void handle_frames();
  void flush();
  void fail();

  tcp::socket socket_;
  Run& run_;
  std::uint8_t key_[4] = {};
  bool upgraded_ = false;
  std::vector<char> in_;  // received, not yet handled
  std::size_t in_size_ = 0;
  std::string out_;      // queued frames
  std::string sending_;  // the write in flight
  bool writing_ = false;
  bool in_batch_ = false;  // handling a read: sends wait for its end, then leave in one write
};

class Run {
 public:
  Run(net::io_context& ioc, Options options) : ioc_(ioc), opt_(std::move(options)) {
    server_ = tcp::endpoint(net::ip::make_address(opt_.host), opt_.port);
    server_b_ =
        opt_.port_b ? tcp::endpoint(net::ip::make_address(opt_.host), opt_.port_b) : server_;
  }

  void on_open(Conn& c) {
    c.open_ = true;
    --in_flight_;
    if (c.role_ == Role::idle) {
      // The first member of each group creates the room; the others wait for its id.
      const int group = c.index_ / opt_.room_size;
      if (c.index_ % opt_.room_size == 0) {
        c.send(R"({"type":"create-room"})");
      } else if (!group_rooms_[group].empty()) {
        send_join(c, group_rooms_[group]);
      } else {
        waiting_[group].push_back(&c);
      }
    } else if (c.role_ == Role::relay) {
      const int pair = c.index_ / 2;
      if (c.index_ % 2 == 0) {
        c.send(R"({"type":"create-room"})");
      } else if (!pair_rooms_[pair].empty()) {
        send_join(c, pair_rooms_[pair]);
      } else {
        waiting_relay_[pair] = &c;
      }
    } else {
      ++joiners_ready_;
    }
    pump_connects();
  }

  void on_failed(Conn& c) {
    if (!c.open_) --in_flight_;
    if (!c.failed_) {
      c.failed_ = true;
      ++failures_;
      if (c.role_ == Role::idle && c.peer_id_.size() > 0) --idle_joined_;
    }
    pump_connects();
  }

  void on_message(Conn& c, std::string_view text) {
    // The hot path: relayed signals are recognised by their prefix, not parsed.
    if (text.find("\"type\":\"signal\"") != std::string_view::npos) {
      if (c.role_ == Role::relay) {
        if (measuring_) ++relayed_;
        c.send_frame(c.relay_frame_);
      }
      return;
    }
    const json msg = json::parse(text, nullptr, false);
    if (msg.is_discarded()) return;
    const std::string type = msg.value("type", "");
    if (type == "room-created") {
      const std::string room = msg["room"];
      if (c.role_ == Role::idle) {
        const int group = c.index_ / opt_.room_size;
        group_rooms_[group] = room;
        send_join(c, room);
        for (Conn* w : waiting_[group]) send_join(*w, room);
        waiting_[group].clear();
      } else {
        const int pair = c.index_ / 2;
        pair_rooms_[pair] = room;
        send_join(c, room);
        if (Conn* w = waiting_relay_[pair]) send_join(*w, room);
      }
    } else if (type == "joined") {
      c.peer_id_ = msg["self"]["id"];
      if (c.role_ == Role::idle) {
        ++idle_joined_;
      } else if (c.role_ == Role::joiner) {
        join_latencies_ms_.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - c.sent_at_).count());
        c.send(R"({"type":"leave"})");
      } else {
        ++relay_joined_;
      }
    } else if (type == "left") {
      c.busy_ = false;
    } else if (type == "error") {
      ++errors_;
      if (errors_ <= 5) std::cerr << "loadgen: server error " << text << "\n";
      c.busy_ = false;
    }
  }

  void start_conns(Role role, int count) {
    const auto base = static_cast<int>(conns_.size());
    for (int i = 0; i < count; ++i) conns_.push_back(std::make_shared<Conn>(ioc_, *this, role, i));
    pending_.insert(pending_.end(), conns_.begin() + base, conns_.end());
    pump_connects();
  }

  void pump_connects() {
    // A bounded number of handshakes in flight: a burst of 10,000 SYNs would overflow the backlog.
    while (in_flight_ < 256 && next_pending_ < pending_.size()) {
      auto& c = pending_[next_pending_++];
      const auto source =
          net::ip::address_v4(0x7f000001u + static_cast<unsigned>(next_pending_ % opt_.sources));
      ++in_flight_;
      const bool second =
          c->role_ == Role::joiner || (c->role_ == Role::relay && c->index_ % 2 == 1);
      c->start(second ? server_b_ : server_, source);
    }
  }

  void send_join(Conn& c, const std::string& room) {
    c.sent_at_ = Clock::now();
    c.send(json{{"type", "join"}, {"room", room}, {"name", "load"}}.dump());
  }

  // Waits (polling the event loop) until `done` or the deadline; false on the deadline.
  template <class Pred>
  bool run_until(Pred done, double seconds) {
    const auto until = std::min(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(seconds)),
                                deadline_);
    while (!done()) {
      if (Clock::now() >= until) return false;
      ioc_.run_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // One round of joins at join_rate for join_seconds; its latencies and rate.
  json join_round(const std::vector<Conn*>& joiners) {
    json r = json::object();
    join_latencies_ms_.clear();
    const auto t0 = Clock::now();
    std::size_t issued = 0;
    std::size_t skipped = 0;
    std::size_t cursor = 0;
    const auto total = static_cast<std::size_t>(opt_.join_rate * opt_.join_seconds);
    while (issued + skipped < total && Clock::now() < deadline_ && !joiners.empty()) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      const auto due = std::min(total, static_cast<std::size_t>(elapsed * opt_.join_rate));
      while (issued + skipped < due) {
        Conn* j = joiners[cursor++ % joiners.size()];
        if (j->busy_) {
          ++skipped;  // that joiner is still in its previous cycle: counts against us
          continue;
        }
        j->busy_ = true;
        const auto group = (issued * 7919) % (group_rooms_.size() - 1);
        send_join(*j, group_rooms_[group]);
        ++issued;
      }
      ioc_.run_for(std::chrono::milliseconds(1));
    }
    run_until([&] { return join_latencies_ms_.size() >= issued; }, 5);
    auto lat = join_latencies_ms_;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
      return lat.empty()
                 ? 0.0
                 : lat[std::min(lat.size() - 1,
                                static_cast<std::size_t>(p * static_cast<double>(lat.size())))];
    };
    r["joins_issued"] = issued;
    r["joins_skipped"] = skipped;
    r["joins_completed"] = lat.size();
    r["join_rate_achieved"] =
        static_cast<double>(lat.size()) / std::chrono::duration<double>(Clock::now() - t0).count();
    r["join_p50_ms"] = pct(0.50);
    r["join_p99_ms"] = pct(0.99);
    return r;
  }

  json execute() {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(opt_.deadline_seconds));
    json out = json::object();
    const int idle = opt_.idle - opt_.idle % opt_.room_size;
    group_rooms_.assign(static_cast<std::size_t>(idle / opt_.room_size + 1), "");
    waiting_.assign(group_rooms_.size(), {});

    // Phase 1: hold idle connections, each in a room.
    if (idle > 0) {
      const auto t0 = Clock::now();
      start_conns(Role::idle, idle);
      run_until([&] { return idle_joined_ + failures_ >= idle; }, 90);
      out["connect_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
      out["rss_mib_holding"] = read_rss_mib(opt_.server_pid);
    }

    // Phase 2: joins at a steady rate while holding (joiners join idle rooms, then leave), in
    // rounds: the driver may change the server's other load in the gaps
    // (bench/suites/accounts.mjs).
    if (opt_.join_seconds > 0 && idle > 0) {
      start_conns(Role::joiner, opt_.joiners);
      run_until([&] { return joiners_ready_ + failures_ >= opt_.joiners; }, 30);
      std::vector<Conn*> joiners;
      for (auto& c : conns_) {
        if (c->role_ == Role::joiner && c->open_ && !c->failed_) joiners.push_back(c.get());
      }
      json rounds = json::array();
      for (int round = 1; round <= opt_.join_rounds; ++round) {
        if (round > 1) {
          std::cerr << json{{"event", "join-round-done"}, {"round", round - 1}}.dump() << std::endl;
          run_until([] { return false; }, opt_.round_gap_seconds);
        }
        rounds.push_back(join_round(joiners));
      }
      // The first round's figures at the top level, as before there were rounds.
      for (const auto& [key, value] : rounds.front().items()) out[key] = value;
      if (opt_.join_rounds > 1) out["join_rounds"] = rounds;
      out["rss_mib_after_joins"] = read_rss_mib(opt_.server_pid);
    }

    // Phase 3: relay throughput between pairs of peers.
    if (opt_.relay_pairs > 0 && opt_.relay_seconds > 0) {
      pair_rooms_.assign(static_cast<std::size_t>(opt_.relay_pairs), "");
      waiting_relay_.assign(pair_rooms_.size(), nullptr);
      const auto base = conns_.size();
      start_conns(Role::relay, opt_.relay_pairs * 2);
      run_until([&] { return relay_joined_ + failures_ >= opt_.relay_pairs * 2; }, 30);
      const std::string data =
          R"({"candidate":{"candidate":"candidate:842163049 1 udp 1677729535 192.0.2.10 49203 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag abcd network-cost 999","sdpMid":"0","sdpMLineIndex":0}})";
      for (std::size_t i = base; i + 1 < conns_.size(); i += 2) {
        auto& a = *conns_[i];
        auto& b = *conns_[i + 1];
        a.relay_frame_ =
            a.masked_frame(R"({"type":"signal","to":")" + b.peer_id_ + R"(","data":)" + data + "}");
        b.relay_frame_ =
            b.masked_frame(R"({"type":"signal","to":")" + a.peer_id_ + R"(","data":)" + data + "}");
        for (int w = 0; w < opt_.relay_window; ++w) {
          a.send_frame(a.relay_frame_);
          b.send_frame(b.relay_frame_);
        }
      }
      run_until([] { return false; }, 1.0);  // warm up
      measuring_ = true;
      const auto t0 = Clock::now();
      run_until([] { return false; }, opt_.relay_seconds);
      measuring_ = false;
      out["relay_msgs_per_s"] =
          static_cast<double>(relayed_) / std::chrono::duration<double>(Clock::now() - t0).count();
    }

    std::size_t held = 0;
    for (auto& c : conns_) {
      if (c->role_ == Role::idle && c->open_ && !c->failed_ && !c->peer_id_.empty()) ++held;
    }
    out["connections_held"] = held;
    out["rss_mib_end"] = read_rss_mib(opt_.server_pid);
    out["errors"] = errors_;
    out["failures"] = failures_;
    for (auto& c : conns_) c->close();
    ioc_.run_for(std::chrono::milliseconds(200));
    return out;
  }

  const Options& options() const { return opt_; }

 private:
  net::io_context& ioc_;
  Options opt_;
  tcp::endpoint server_;
  tcp::endpoint server_b_;
  Clock::time_point deadline_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<std::shared_ptr<Conn>> pending_;
  std::size_t next_pending_ = 0;
  int in_flight_ = 0;
  int idle_joined_ = 0;
  int joiners_ready_ = 0;
  int relay_joined_ = 0;
  int failures_ = 0;
  int errors_ = 0;
  bool measuring_ = false;
  std::uint64_t relayed_ = 0;
  std::vector<std::string> group_rooms_;
  std::vector<std::vector<Conn*>> waiting_;
  std::vector<std::string> pair_rooms_;
  std::vector<Conn*> waiting_relay_;
  std::vector<double> join_latencies_ms_;
};

void Conn::start(const tcp::endpoint& server, const net::ip::address& source) {
  error_code ec;
  socket_.open(tcp::v4(), ec);
  // Defer the source port choice to connect(): ports are then unique per destination, not global.
  const int one = 1;
  setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket_.bind(tcp::endpoint(source, 0), ec);
  if (ec) {
    run_.on_failed(*this);
    return;
  }
  socket_.async_connect(server, [self = shared_from_this()](error_code e) {
    if (e) {
      self->run_.on_failed(*self);
      return;
    }
    error_code ignored;
    self->socket_.set_option(tcp::no_delay(true), ignored);
    const auto& opt = self->run_.options();
    // RFC 6455 section 4.1; the key is the RFC's own example (any 16 bytes in base64 will do).
    self->out_ = "GET /ws HTTP/1.1\r\nHost: " + opt.host + ":" + std::to_string(opt.port) +
                 "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 "Origin: " +
                 opt.origin + "\r\n\r\n";
    self->flush();
    // Idle and joining connections receive little; relaying ones read a window of frames at once.
    self->in_.resize(self->role_ == Role::relay ? 64 * 1024 : 2048);
    self->do_read();
  });
}

void Conn::do_read() {
  if (in_size_ == in_.size()) in_.resize(in_.size() * 2);  // a message larger than the buffer
  socket_.async_read_some(
      net::buffer(in_.data() + in_size_, in_.size() - in_size_),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void Conn::on_read(error_code ec, std::size_t bytes) {
  if (ec) {
    fail();
    return;
  }
  in_size_ += bytes;
  if (!upgraded_ && !on_handshake_bytes()) return;
  in_batch_ = true;
  handle_frames();
  in_batch_ = false;
  if (failed_) return;
  flush();
  do_read();
}

// The 101 answer; true once it is complete and the frames behind it may be read.
bool Conn::on_handshake_bytes() {
  const std::string_view got(in_.data(), in_size_);
  const auto end = got.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in_size_ > 8192) {
      fail();
    } else {
      do_read();
    }
    return false;
  }
  if (got.substr(0, 12).find("101") == std::string_view::npos) {
    fail();
    return false;
  }
  upgraded_ = true;
  in_size_ -= end + 4;
  std::memmove(in_.data(), in_.data() + end + 4, in_size_);
  run_.on_open(*this);
  return !failed_;
}

// Server frames (RFC 6455 section 5.2) are unmasked; the servers under test send every message
// as one frame.
void Conn::handle_frames() {
  std::size_t at = 0;
  while (in_size_ - at >= 2 && !failed_) {
    const auto* h = reinterpret_cast<const std::uint8_t*>(in_.data() + at);
    const int opcode = h[0] & 0x0F;
    std::uint64_t len = h[1] & 0x7F;
    std::size_t header = 2;
    if (len == 126) {
      if (in_size_ - at < 4) break;
      len = (std::uint64_t{h[2]} << 8) | h[3];
      header = 4;
    } else if (len == 127) {
      if (in_size_ - at < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
      header = 10;
    }
    if (in_size_ - at < header + len) break;
    const std::string_view payload(in_.data() + at + header, static_cast<std::size_t>(len));
    at += header + static_cast<std::size_t>(len);
    if (opcode == 0x1) {
      run_.on_message(*this, payload);
    } else if (opcode == 0x9) {
      // Ping: answer with a pong carrying the same payload.
      std::string pong(1, static_cast<char>(0x8A));
      pong.push_back(static_cast<char>(0x80 | payload.size()));
      pong.append(reinterpret_cast<const char*>(key_), 4);
      for (std::size_t i = 0; i < payload.size(); ++i)
        pong.push_back(static_cast<char>(payload[i] ^ key_[i & 3]));
      send_frame(pong);
    } else if (opcode == 0x8) {
      fail();
    }
  }
  in_size_ -= at;
  std::memmove(in_.data(), in_.data() + at, in_size_);
}

void Conn::send_frame(std::string_view frame) {
  if (failed_) return;
  out_.append(frame);
  if (!in_batch_) flush();
}

void Conn::flush() {
  if (writing_ || out_.empty() || failed_) return;
  std::swap(out_, sending_);
  out_.clear();
  writing_ = true;
  net::async_write(socket_, net::buffer(sending_),
                   [self = shared_from_this()](error_code ec, std::size_t) {
                     self->writing_ = false;
                     if (ec) {
                       self->fail();
                       return;
                     }
                     self->sending_.clear();
                     self->flush();
                   });
}

void Conn::fail() {
  if (failed_) return;
  run_.on_failed(*this);
  close();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--host")
      opt.host = value;
    else if (key == "--port")
      opt.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "--port-b")
      opt.port_b = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "--origin")
      opt.origin = value;
    else if (key == "--sources")
      opt.sources = std::max(1, std::stoi(value));
    else if (key == "--idle")
      opt.idle = std::stoi(value);
    else if (key == "--room-size")
      opt.room_size = std::max(1, std::stoi(value));
    else if (key == "--join-rate")
      opt.join_rate = std::stod(value);
    else if (key == "--join-seconds")
      opt.join_seconds = std::stod(value);
    else if (key == "--join-rounds")
      opt.join_rounds = std::max(1, std::stoi(value));
    else if (key == "--round-gap-seconds")
      opt.round_gap_seconds = std::stod(value);
    else if (key == "--joiners")
      opt.joiners = std::stoi(value);
    else if (key == "--relay-pairs")
      opt.relay_pairs = std::stoi(value);
    else if (key == "--relay-window")
      opt.relay_window = std::stoi(value);
    else if (key == "--relay-seconds")
      opt.relay_seconds = std::stod(value);
    else if (key == "--server-pid")
      opt.server_pid = std::stoi(value);
    else if (key == "--deadline-seconds")
      opt.deadline_seconds = std::stod(value);
    else {
      std::cerr << "loadgen: unknown option " << key << "\n";
      return 2;
    }
  }
  if (opt.origin.empty()) opt.origin = "http://" + opt.host + ":" + std::to_string(opt.port);
  rlimit limit{};
  const rlim_t want = static_cast<rlim_t>(opt.idle + opt.joiners + 2 * opt.relay_pairs + 1024);
  rlimit raised{want, want};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < want)
    setrlimit(RLIMIT_NOFILE, &raised);

  net::io_context ioc{1};
  Run run(ioc, opt);
  std::cout << run.execute().dump() << std::endl;
  return 0;
}
