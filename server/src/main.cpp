// cieloweb-server: serves the page and WebSocket signaling for rooms. Two threads, each running
// one io_context: the signaling thread owns the rooms and every WebSocket, the HTTP thread accepts
// connections and answers plain requests (server_context.hpp says why the two are apart).
#include <pthread.h>
#include <sys/resource.h>
#include <algorithm>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "accounts/admin_command.hpp"
#include "accounts/open_profile_store.hpp"
#include "config.hpp"
#include "listener.hpp"
#include "log.hpp"
#include "server_context.hpp"
#include "signaling_priority.hpp"
#include "wall_clock.hpp"

namespace {

namespace net = boost::asio;
using namespace cieloweb::server;

// Each WebSocket holds a descriptor: lift the soft limit to the hard one (and the hard one too,
// when allowed) so --max-connections can be reached.
void raise_descriptor_limit(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t target = static_cast<rlim_t>(wanted + 1024);
  if (limit.rlim_max < target) {
    rlimit raised{target, target};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
  }
  limit.rlim_cur = std::max(limit.rlim_cur, std::min(limit.rlim_max, target));
  setrlimit(RLIMIT_NOFILE, &limit);
}

void schedule_tick(net::steady_timer& timer, ServerContext& ctx) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &ctx](boost::system::error_code ec) {
    if (ec) return;
    ctx.tick();
    schedule_tick(timer, ctx);
  });
}

void schedule_liveness(net::steady_timer& timer, ServerContext& ctx) {
  // Often, so that each sweep has little to do: it takes only the connections that are due
  // (liveness_schedule.hpp), and a quarter second's worth of keepalive pings for 10,000 held
  // connections (some 140 writes, and as many pongs back) held the signaling thread for 2-3 ms at
  // a time. A dead peer (or a stuck write) is gone within 20 ms of its timeout.
  const auto shorter_ms = std::min(ctx.config().ping_timeout_ms, ctx.config().write_timeout_ms);
  timer.expires_after(std::chrono::milliseconds(std::clamp<std::uint32_t>(shorter_ms / 4, 5, 20)));
  timer.async_wait([&timer, &ctx](boost::system::error_code ec) {
    if (ec) return;
    ctx.sweep_liveness();
    schedule_liveness(timer, ctx);
  });
}

// After SIGTERM: wait until every WebSocket is closed or the grace period ends, then stop.
void wait_for_drain(net::steady_timer& timer, ServerContext& ctx, net::io_context& ioc,
                    std::chrono::steady_clock::time_point deadline) {
  if (ctx.ws_connection_count() == 0 || std::chrono::steady_clock::now() >= deadline) {
    log_event(LogLevel::info, "shutdown-done",
              {{"ws_connections_left", ctx.ws_connection_count()}});
    ioc.stop();
    return;
  }
  timer.expires_after(std::chrono::milliseconds(20));
  timer.async_wait([&timer, &ctx, &ioc, deadline](boost::system::error_code ec) {
    if (!ec) wait_for_drain(timer, ctx, ioc, deadline);
  });
}

// Runs the HTTP io_context on its own thread until stopped; stops and joins it on every way out of
// main's scope, before anything it uses is gone.
class HttpThread {
 public:
  explicit HttpThread(net::io_context& ioc) : ioc_(ioc), work_(net::make_work_guard(ioc)) {
    thread_ = std::thread([this] { ioc_.run(); });
    // Named from here, so that the name is there before `listening` is logged (a test looks for
    // it).
    pthread_setname_np(thread_.native_handle(), "cieloweb-http");
  }
  ~HttpThread() { stop(); }
  HttpThread(const HttpThread&) = delete;
  HttpThread& operator=(const HttpThread&) = delete;
  void stop() {
    work_.reset();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  net::io_context& ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace

static std::optional<std::string> environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// `cieloweb-server admin <command> <words…> [--flags]`: the words go to the command, the flags
// (and the environment) configure where the profiles are.
static int run_admin(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  std::vector<std::string> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].starts_with("--")) {
      flags.push_back(args[i]);
      if (args[i].find('=') == std::string::npos && i + 1 < args.size()) flags.push_back(args[++i]);
    } else {
      words.push_back(args[i]);
    }
  }
  auto parsed = parse_config(flags, environment);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "cieloweb-server admin: " << *error << "\n";
    return 2;
  }
  if (std::holds_alternative<ConfigHelp>(parsed)) {
    std::cout << accounts::admin_usage();
    return 0;
  }
  try {
    const auto& config = std::get<Config>(parsed).accounts;
    // The operator's deletions are journaled like the person's own.
    auto store = accounts::open_profile_store(config, accounts::StoreUser::admin);
    return accounts::run_admin_command(words, *store, unix_now_s(), std::cout, std::cerr);
  } catch (const std::exception& error) {
    std::cerr << "cieloweb-server admin: " << error.what() << "\n";
    return 1;
  }
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "admin") return run_admin({args.begin() + 1, args.end()});
  auto parsed = parse_config(args, environment);
  if (std::holds_alternative<ConfigHelp>(parsed)) {
    std::cout << config_usage();
    return 0;
  }
  if (auto* error = std::get_if<std::string>(&parsed)) {
    std::cerr << "cieloweb-server: " << *error << "\n";
    return 2;
  }
  Config config = std::get<Config>(std::move(parsed));
  set_log_level(config.log_level);
  raise_descriptor_limit(config.max_connections);

  ServerContext ctx(config);
  {
    // Declared first, destroyed last: handlers left in the signaling queue may hold HTTP sessions,
    // whose sockets belong to this one.
    net::io_context http_ioc{1};
    net::io_context ioc{1};
    try {
      ctx.start_blocking_work(ioc.get_executor());
    } catch (const std::exception& e) {
      std::cerr << "cieloweb-server: " << e.what() << "\n";
      return 1;
    }
    // The pool's workers post their results to both io_contexts: they stop before either goes.
    struct StopBlockingWork {
      ServerContext& ctx;
      ~StopBlockingWork() { ctx.stop_blocking_work(); }
    } stop_blocking_work{ctx};
    std::shared_ptr<Listener> listener;
    try {
      boost::system::error_code ec;
      auto address = net::ip::make_address(config.address, ec);
      if (ec) {
        std::cerr << "cieloweb-server: bad --address '" << config.address << "'\n";
        return 2;
      }
      try {
        listener =
            std::make_shared<Listener>(http_ioc, net::ip::tcp::endpoint{address, config.port}, ctx);
      } catch (const boost::system::system_error&) {
        // "::" on a host without IPv6: fall back to every IPv4 address.
        if (config.address != "::") throw;
        listener = std::make_shared<Listener>(
            http_ioc, net::ip::tcp::endpoint{net::ip::address_v4::any(), config.port}, ctx);
      }
    } catch (const boost::system::system_error& e) {
      log_event(LogLevel::error, "listen-failed",
                {{"address", config.address}, {"port", config.port}, {"error", e.what()}});
      return 1;
    }
    ctx.set_bound_port(listener->port());
    listener->run();

    net::steady_timer tick_timer(ioc);
    schedule_tick(tick_timer, ctx);
    net::steady_timer liveness_timer(ioc);
    schedule_liveness(liveness_timer, ctx);
    net::steady_timer drain_timer(ioc);
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      log_event(LogLevel::info, "signal", {{"signal", signal}});
      net::post(http_ioc, [listener] { listener->stop(); });  // the acceptor is HTTP's
      tick_timer.cancel();
      liveness_timer.cancel();
      ctx.begin_shutdown();
      wait_for_drain(
          drain_timer, ctx, ioc,
          std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdown_grace_ms));
    });

    HttpThread http_thread(http_ioc);
    // Last, so that the threads started above (HTTP, the pool's workers) keep the ordinary policy.
    const auto priority = apply_signaling_priority(config.signaling_priority);
    log_event(priority.failed ? LogLevel::error : LogLevel::info, "signaling-priority",
              {{"realtime", priority.realtime}, {"reason", priority.reason}});
    if (priority.failed) {
      std::cerr << "cieloweb-server: --signaling-priority realtime: " << priority.reason << "\n";
      return 1;
    }
    log_event(LogLevel::info, "listening",
              {{"address", config.address},
               {"port", listener->port()},
               {"web_root", config.web_root},
               {"page_ready", ctx.site().ready()}});
    ioc.run();
    http_thread.stop();
    ctx.mark_stopped();
  }
  return 0;
}
