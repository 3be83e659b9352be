// State shared by every connection: the hub, the live WebSocket sessions by id, metrics, config.
// The signaling thread owns all of it, so the hub needs no locks (like Beast's chat-multi, but the
// per-session write queues are bounded: see WsSession). The HTTP thread reads and answers every
// plain request, so a burst of page or /api/me traffic never queues a signaling message behind
// it; what it reads of this state is marked "any thread" below, and nothing else.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "accounts/account_service.hpp"
#include "address_limits.hpp"
#include "blocking_pool.hpp"
#include "client_address.hpp"
#include "cluster/cluster_node.hpp"
#include "config.hpp"
#include "connection_slot.hpp"
#include "http/router.hpp"
#include "liveness_schedule.hpp"
#include "metrics.hpp"
#include "signaling/hub.hpp"
#include "static_files.hpp"

namespace cieloweb::server {

class WsSession;

class ServerContext {
 public:
  explicit ServerContext(Config config);

  const Config& config() const { return config_; }
  Metrics& metrics() { return metrics_; }
  const StaticSite& site() const { return site_; }
  const http::RouteTable& routes() const { return routes_; }
  // What the router answers with: the route table, the page's files, health and metrics.
  http::Services& http_services() { return services_; }

  // Starts the blocking pool and, when configured, the accounts (throws std::runtime_error when
  // the profiles database cannot be opened). `signaling`: the signaling thread's executor, where
  // the hub's own pool results and account deletions land. Call once the io_context exists;
  // stop_blocking_work() before it ends.
  void start_blocking_work(boost::asio::any_io_executor signaling);
  // Where work on signaling state is posted from the HTTP thread (set by start_blocking_work).
  const boost::asio::any_io_executor& signaling_executor() const { return signaling_; }
  void stop_blocking_work();
  // Null before start_blocking_work().
  BlockingPool* pool() { return pool_.get(); }

  // The port became known (port 0 binds a free one): fills in default origins for it.
  void set_bound_port(std::uint16_t port);
  // Any thread (the origins are set before the listener runs).
  bool origin_allowed(std::string_view origin) const;
  // Any thread: not stopping and under --max-connections WebSockets.
  bool accepting_ws() const;

  // Session lifecycle, called by WsSession.
  signaling::ConnId register_session(const std::shared_ptr<WsSession>& session,
                                     std::string_view client_address);
  void on_message(signaling::ConnId id, std::string_view text);
  // A ping or pong from the client: @return whether it is within the message rate (see
  // Hub::on_control_frame); over the rate, the hub may also have ordered the close.
  bool on_control_frame(signaling::ConnId id);
  void on_disconnect(signaling::ConnId id);

  // Every second: expiry, and in a cluster the heartbeat and the other nodes' liveness.
  void tick();
  // Pings quiet connections and drops dead ones: checks the sessions that are due (see
  // WsSession::check_alive and liveness_schedule.hpp).
  void sweep_liveness();
  void schedule_liveness_check(signaling::ConnId id, std::int64_t at_ms) {
    liveness_.add(id, at_ms);
  }
  std::int64_t now_ms() const;
  // The one buffer every WebSocket read goes into. The single thread handles a read completely
  // before the next, so sharing it is safe, and idle connections hold no read buffer of their own.
  std::span<char> read_buffer() { return read_buffer_; }
  void begin_shutdown();
  // The event loop has ended: sessions destroyed from now on must not touch the hub or each other.
  void mark_stopped() { stopped_ = true; }
  // Any thread.
  bool shutting_down() const { return shutting_down_.load(); }
  std::size_t ws_connection_count() const { return sessions_.size(); }

  // Per-address connection cap, any thread: counts one connection of `client` (see
  // ConnectionSlot), or @return nullopt when that address already holds --per-ip-connections.
  std::optional<ConnectionSlot> try_count_connection(const IpAddress& client);
  void uncount_connection(const std::string& key);
  bool trusted_proxy(const IpAddress& peer) const {
    return any_contains(config_.trusted_proxies, peer);
  }

  // Any thread.
  void http_opened() { http_connections_.fetch_add(1, std::memory_order_relaxed); }
  void http_closed() { http_connections_.fetch_sub(1, std::memory_order_relaxed); }
  // Signaling thread only (the /metrics route runs there).
  std::string render_metrics() const;

 private:
  void apply(signaling::Effects& effects);
  // Checks a sign-in token on the blocking pool and hands the outcome back to the hub.
  void check_sign_in(signaling::SignInCheck check);

  // The cluster hooks: messages from other nodes, and the subscription lost or back.
  void start_cluster();

  Config config_;
  Metrics metrics_;
  // Before the hub, which holds this node's room store and bus (--redis; null otherwise).
  std::unique_ptr<cluster::ClusterNode> cluster_;
  signaling::Hub hub_;
  StaticSite site_;
  std::vector<std::string> origins_;
  http::RouteTable routes_;
  http::Services services_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<BlockingPool> pool_;
  boost::asio::any_io_executor signaling_;
  static constexpr std::size_t max_sign_ins_in_flight = 64;
  std::size_t sign_ins_in_flight_ = 0;  // signaling sign-ins queued or running on the pool
  std::unordered_map<signaling::ConnId, std::weak_ptr<WsSession>> sessions_;
  std::atomic<std::size_t> ws_sessions_{0};  // sessions_.size(), for accepting_ws() on any thread
  signaling::ConnId next_id_ = 1;
  LivenessSchedule liveness_;
  signaling::Effects effects_;  // reused: no allocation per message on the hot path
  std::vector<char> read_buffer_ = std::vector<char>(64 * 1024);
  std::atomic<bool> shutting_down_{false};
  bool stopped_ = false;
  std::atomic<std::size_t> http_connections_{0};
  std::mutex per_address_mutex_;  // counted on the HTTP thread, released where a socket ends
  ConnectionTally per_address_;   // guarded by per_address_mutex_
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace cieloweb::server
