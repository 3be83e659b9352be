// Signed-in clients for the /api/me benchmark (bench/suites/accounts.mjs): `--clients` keep-alive
// connections, each looping GET /api/me with its own person's ID token, recording each request's
// latency after a warm-up. Looping: the next request leaves as soon as the answer is in (the
// server's saturation); with `--interval-ms`, a client's requests leave that far apart (or at once
// when an answer came later), an offered load of clients * 1000 / interval per second. One thread
// and plain sockets, so that on a 2-core machine the load costs less than the server it measures.
// Every answer must have the expected status (and, for 200, be the token's own profile), or the
// run reports failures.
//   api_me_load --port P --tokens FILE ("<uid> <token>" per line) [--clients 200]
//               [--warmup-seconds 2] [--seconds 8] [--expect-status 200] [--sources 4]
//               [--interval-ms 0]
// Prints one JSON object: requests, per_s, p50_ms, p99_ms, max_ms, statuses, failures.
#include <netinet/in.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
using error_code = boost::system::error_code;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::uint16_t port = 8080;
  std::string tokens_path;
  int clients = 200;
  double warmup_seconds = 2;
  double seconds = 8;
  int expect_status = 200;
  int sources = 4;         // 127.0.0.1 .. 127.0.0.<sources> as source addresses
  double interval_ms = 0;  // 0: loop
};

struct Totals {
  bool measuring = false;
  std::vector<double> latencies_ms;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t failures = 0;  // wrong status, wrong profile, or a broken connection
  std::uint64_t reconnects = 0;
  int connected = 0;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& ioc, const Options& opt, Totals& totals, std::string uid,
         const std::string& token, int index)
      : socket_(ioc), timer_(ioc), opt_(opt), totals_(totals), uid_(std::move(uid)), index_(index) {
    request_ = "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(opt.port) +
               "\r\nAuthorization: Bearer " + token + "\r\nAccept: application/json\r\n\r\n";
    in_.resize(16 * 1024);
  }

  void start() {
    error_code ec;
    socket_ = tcp::socket(socket_.get_executor());
    socket_.open(tcp::v4(), ec);
    const int one = 1;
    setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket_.bind(
        tcp::endpoint(
            net::ip::address_v4(0x7f000001u + static_cast<unsigned>(index_ % opt_.sources)), 0),
        ec);
    if (ec) return broken();
    socket_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), opt_.port),
                          [self = shared_from_this()](error_code e) {
                            if (e) return self->broken();
                            error_code ignored;
                            self->socket_.set_option(tcp::no_delay(true), ignored);
                            if (!self->counted_) {
                              self->counted_ = true;
                              ++self->totals_.connected;
                            }
                            self->send();
                          });
  }

  void stop() {
    stopping_ = true;
    timer_.cancel();
    error_code ignored;
    socket_.close(ignored);
  }

 private:
  void send() {
    sent_at_ = Clock::now();
    measured_ = totals_.measuring;
    size_ = 0;
    net::async_write(socket_, net::buffer(request_),
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->broken();
                       self->read();
                     });
  }

  void read() {
    if (size_ == in_.size()) in_.resize(in_.size() * 2);
    socket_.async_read_some(net::buffer(in_.data() + size_, in_.size() - size_),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              if (ec) return self->broken();
                              self->size_ += n;
                              self->on_bytes();
                            });
  }

  // One whole answer (headers and a Content-Length body), then the next request.
  void on_bytes() {
    const std::string_view got(in_.data(), size_);
    const auto head_end = got.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return read();
    const auto head = got.substr(0, head_end);
    std::size_t length = 0;
    bool close = false;
    std::size_t at = head.find("\r\n");
    while (at != std::string_view::npos && at < head.size()) {
      const auto next = std::min(head.find("\r\n", at + 2), head.size());
      const auto line = head.substr(at + 2, next - at - 2);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-length") length = std::stoul(std::string(value));
        if (name == "connection" && value.find("close") != std::string_view::npos) close = true;
      }
      at = next == head.size() ? std::string_view::npos : next;
    }
    if (size_ < head_end + 4 + length) return read();
    const auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count();
    const int status = got.size() > 12 ? std::atoi(std::string(got.substr(9, 3)).c_str()) : 0;
    const auto body = got.substr(head_end + 4, length);
    // A 200 must be this token's own profile: the right person, not merely an answer.
    const bool right =
        status == opt_.expect_status &&
        (status != 200 || body.find("\"uid\":\"" + uid_ + "\"") != std::string::npos);
    if (measured_ && totals_.measuring) {
      totals_.latencies_ms.push_back(elapsed);
      ++totals_.statuses[status];
      if (!right) ++totals_.failures;
    }
    if (stopping_) return;
    if (close) {
      ++totals_.reconnects;
      error_code ignored;
      socket_.close(ignored);
      return start();
    }
    if (opt_.interval_ms <= 0) return send();
    // Paced: the next request leaves one interval after this one did (at once when late).
    timer_.expires_at(sent_at_ + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double, std::milli>(opt_.interval_ms)));
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && !self->stopping_) self->send();
    });
  }

  void broken() {
    if (stopping_) return;
    if (totals_.measuring) ++totals_.failures;
    ++totals_.reconnects;
    error_code ignored;
    socket_.close(ignored);
    start();
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  const Options& opt_;
  Totals& totals_;
  std::string uid_;
  int index_;
  std::string request_;
  std::vector<char> in_;
  std::size_t size_ = 0;
  Clock::time_point sent_at_;
  bool measured_ = false;
  bool counted_ = false;
  bool stopping_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--port")
      opt.port = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "--tokens")
      opt.tokens_path = value;
    else if (key == "--clients")
      opt.clients = std::max(1, std::stoi(value));
    else if (key == "--warmup-seconds")
      opt.warmup_seconds = std::stod(value);
    else if (key == "--seconds")
      opt.seconds = std::stod(value);
    else if (key == "--expect-status")
      opt.expect_status = std::stoi(value);
    else if (key == "--sources")
      opt.sources = std::max(1, std::stoi(value));
    else if (key == "--interval-ms")
      opt.interval_ms = std::stod(value);
    else {
      std::cerr << "api_me_load: unknown option " << key << "\n";
      return 2;
    }
  }
  std::vector<std::pair<std::string, std::string>> people;
  std::ifstream in(opt.tokens_path);
  for (std::string uid, token; in >> uid >> token;) people.emplace_back(uid, token);
  if (people.empty()) {
    std::cerr << "api_me_load: no tokens in '" << opt.tokens_path << "'\n";
    return 2;
  }
  rlimit limit{};
  const auto want = static_cast<rlim_t>(opt.clients + 256);
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < want) {
    rlimit raised{want, std::max(want, limit.rlim_max)};
    setrlimit(RLIMIT_NOFILE, &raised);
  }

  net::io_context ioc{1};
  Totals totals;
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < opt.clients; ++i) {
    const auto& [uid, token] = people[static_cast<std::size_t>(i) % people.size()];
    clients.push_back(std::make_shared<Client>(ioc, opt, totals, uid, token, i));
    clients.back()->start();
  }
  const auto for_s = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  };
  ioc.run_until(Clock::now() + for_s(opt.warmup_seconds));
  totals.measuring = true;
  const auto t0 = Clock::now();
  ioc.run_until(t0 + for_s(opt.seconds));
  totals.measuring = false;
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& c : clients) c->stop();
  ioc.run_for(std::chrono::milliseconds(100));

  auto& lat = totals.latencies_ms;
  std::sort(lat.begin(), lat.end());
  const auto pct = [&](double p) {
    return lat.empty()
               ? 0.0
               : lat[std::min(lat.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(lat.size())))];
  };
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [status, count] : totals.statuses) statuses[std::to_string(status)] = count;
  nlohmann::json out = {{"clients", opt.clients},
                        {"clients_connected", totals.connected},
                        {"requests", lat.size()},
                        {"per_s", static_cast<double>(lat.size()) / elapsed},
                        {"p50_ms", pct(0.50)},
                        {"p90_ms", pct(0.90)},
                        {"p99_ms", pct(0.99)},
                        {"max_ms", lat.empty() ? 0.0 : lat.back()},
                        {"statuses", statuses},
                        {"failures", totals.failures},
                        {"reconnects", totals.reconnects}};
  std::cout << out.dump() << std::endl;
  return 0;
}
