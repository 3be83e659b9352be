#include "server_context.hpp"

#include "wall_clock.hpp"

#include <algorithm>
#include <chrono>

#include "log.hpp"
#include "ws_session.hpp"

namespace cieloweb::server {

namespace {

// With accounts configured, the sign-in and account pages may reach Firebase (and, in emulator
// mode, the emulator): configuring a project is enough, no separate --third-parties sign-in.
http::PolicyConfig policy_config(const Config& config) {
  http::PolicyConfig policy{config.csp_connect_extra, config.third_parties, {}, {}};
  if (config.ads.enabled()) {
    policy.enabled = policy.enabled | http::ThirdParty::ads;
    if (config.ads.cmp == AdsCmp::script) {
      const auto& url = config.ads.cmp_script;  // https://host[:port]/...
      policy.ads_cmp_origin = url.substr(0, url.find('/', 8));
    }
  }
  if (config.accounts.enabled()) {
    policy.enabled = policy.enabled | http::ThirdParty::sign_in;
    if (config.accounts.emulator())
      policy.sign_in_connect = "http://" + config.accounts.emulator_host;
  }
  return policy;
}

std::unique_ptr<cluster::ClusterNode> make_cluster(const Config& config) {
  if (!config.redis) return nullptr;
  cluster::ClusterOptions options;
  options.redis = *config.redis;
  options.empty_room_ttl_ms = config.hub.empty_room_ttl_ms;
  return std::make_unique<cluster::ClusterNode>(options, cluster::random_node_id());
}

}  // namespace

ServerContext::ServerContext(Config config)
    : config_(std::move(config)),
      cluster_(make_cluster(config_)),
      hub_(config_.hub, metrics_, signaling::system_random(),
           cluster_ ? cluster_->make_store() : nullptr, cluster_ ? cluster_->make_bus() : nullptr),
      site_(config_.web_root),
      origins_(effective_origins(config_)),
      routes_(http::RouteTable::standard(policy_config(config_))),
      services_{routes_, site_, [this] { return shutting_down_.load(); },
                [this] { return render_metrics(); }, config_.json_body_limit_bytes} {
  services_.ads = &config_.ads;
  const IceConfig& ice = config_.ice;
  if (!ice.stun_urls.empty() || ice.turn_enabled()) {
    // TURN credentials expire in wall-clock time (coturn compares them with its own clock). With
    // --turn-secret-file the minting secret follows the file (rotation, docs/turn.md): this copy
    // of the settings, used on the signaling thread only, holds the secret read last.
    hub_.set_ice_for_peer(
        [ice = IceConfig(ice), file = TurnSecretFile(ice.turn_secret_file)](
            std::string_view peer_id, bool with_turn) mutable {
          const std::int64_t now_s = unix_now_s();
          if (with_turn && !ice.turn_secret_file.empty()) file.refresh(ice.turn_secret, now_s);
          return ice_for_peer(ice, peer_id, now_s, with_turn);
        },
        ice.turn_enabled());
  }
}

void ServerContext::set_bound_port(std::uint16_t port) {
  config_.port = port;
  origins_ = effective_origins(config_);
}

bool ServerContext::origin_allowed(std::string_view origin) const {
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

bool ServerContext::accepting_ws() const {
  return !shutting_down_.load() && ws_sessions_.load() < config_.max_connections;
}

std::int64_t ServerContext::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

signaling::ConnId ServerContext::register_session(const std::shared_ptr<WsSession>& session,
                                                  std::string_view client_address) {
  const auto id = next_id_++;
  sessions_.emplace(id, session);
  ws_sessions_.store(sessions_.size());
  metrics_.count_ws_accepted();
  effects_.clear();
  hub_.on_open(id, client_address, now_ms(), effects_);
  apply(effects_);
  return id;
}

void ServerContext::on_message(signaling::ConnId id, std::string_view text) {
  effects_.clear();
  hub_.on_text(id, text, now_ms(), effects_);
  apply(effects_);
}

bool ServerContext::on_control_frame(signaling::ConnId id) {
  effects_.clear();
  const bool admitted = hub_.on_control_frame(id, now_ms(), effects_);
  apply(effects_);
  return admitted;
}

void ServerContext::on_disconnect(signaling::ConnId id) {
  if (stopped_) return;
  if (sessions_.erase(id) == 0) return;
  ws_sessions_.store(sessions_.size());
  effects_.clear();
  hub_.on_close(id, effects_);
  apply(effects_);
}

void ServerContext::apply(signaling::Effects& effects) {
  // A send may drop a slow client, which re-enters on_disconnect and reuses effects_: work on a
  // private copy of this batch.
  signaling::Effects batch;
  std::swap(batch, effects);
  for (auto& send : batch.sends) {
    const auto it = sessions_.find(send.to);
    if (it == sessions_.end()) continue;
    if (auto session = it->second.lock()) session->send(*send.text);
  }
  for (auto& close : batch.closes) {
    const auto it = sessions_.find(close.conn);
    if (it == sessions_.end()) continue;
    if (auto session = it->second.lock()) session->close(close.code, close.reason);
  }
  for (auto& check : batch.sign_ins) check_sign_in(std::move(check));
  // Keep the vectors' capacity for the next event.
  batch.clear();
  if (effects.sends.empty() && effects.closes.empty()) std::swap(batch, effects);
}

std::optional<ConnectionSlot> ServerContext::try_count_connection(const IpAddress& client) {
  std::string key = limit_key(client);
  bool counted = false;
  {
    const std::lock_guard lock(per_address_mutex_);
    counted = per_address_.try_add(key, config_.per_ip_connections);
  }
  if (!counted) {
    metrics_.count_reject("per-ip-connections");
    return std::nullopt;
  }
  return ConnectionSlot(*this, std::move(key));
}

void ServerContext::uncount_connection(const std::string& key) {
  const std::lock_guard lock(per_address_mutex_);
  per_address_.remove(key);
}

void ServerContext::tick() {
  hub_.on_tick(now_ms());
  if (cluster_ && !stopped_) {
    effects_.clear();
    cluster_->tick(now_ms(), effects_);
    apply(effects_);
  }
}

void ServerContext::start_cluster() {
  if (!cluster_) return;
  auto io = signaling_;
  cluster_->start(
      [this, io](std::string payload) {
        boost::asio::post(io, [this, payload = std::move(payload)] {
          if (stopped_) return;
          effects_.clear();
          cluster_->handle(payload, effects_);
          apply(effects_);
        });
      },
      [this, io](bool up) {
        boost::asio::post(io, [this, up] {
          if (stopped_ || !cluster_->on_link(up)) return;
          // Redis may have restarted empty and messages were missed: rooms are put back and
          // every page in one joins again, so nobody keeps a view that silently went stale.
          cluster_->restore_rooms();
          effects_.clear();
          hub_.close_joined(signaling::close_service_restart, "signaling state lost; join again",
                            effects_);
          apply(effects_);
        });
      });
}

void ServerContext::sweep_liveness() {
  const auto now = now_ms();
  while (const auto due = liveness_.pop_due(now)) {
    const auto it = sessions_.find(due->conn);
    if (it == sessions_.end()) continue;  // gone since
    const auto session = it->second.lock();
    // A session expects one time; another entry of it has been superseded by an earlier one.
    if (session && session->next_check_ms() == due->at_ms) session->check_alive(now);
  }
}

void ServerContext::begin_shutdown() {
  if (shutting_down_.exchange(true)) return;
  log_event(LogLevel::info, "shutdown-begin", {{"ws_connections", sessions_.size()}});
  if (cluster_) cluster_->stop();
  effects_.clear();
  hub_.on_shutdown(effects_);
  apply(effects_);
}

std::string ServerContext::render_metrics() const {
  Gauges g;
  g.ws_connections = sessions_.size();
  g.http_connections = http_connections_.load();
  g.rooms = hub_.room_count();
  g.peers = hub_.peer_count();
  return metrics_.render(g);
}

void ServerContext::start_blocking_work(boost::asio::any_io_executor signaling) {
  signaling_ = signaling;
  auto io = signaling;
  // Two threads: the work is a key fetch now and then and small SQLite reads and writes; the
  // queue bound answers 503 under a flood instead of growing.
  pool_ = std::make_unique<BlockingPool>(io, 2, 256);
  start_cluster();
  if (config_.accounts.enabled()) {
    accounts_ = accounts::AccountService::from_config(config_);
    services_.accounts = accounts_.get();
    hub_.set_accounts_enabled(true);
    // A deletion (on a pool thread) closes the person's signaling connections on their thread.
    accounts_->on_account_deleted([this, io](const std::string& uid) {
      boost::asio::post(io, [this, uid] {
        if (stopped_) return;
        effects_.clear();
        hub_.on_account_deleted(uid, effects_);
        apply(effects_);
      });
    });
  }
}

void ServerContext::check_sign_in(signaling::SignInCheck check) {
  using Outcome = signaling::SignInResult::Outcome;
  auto deliver = [this, conn = check.conn, attempt = check.attempt](signaling::SignInResult r) {
    if (stopped_) return;
    effects_.clear();
    hub_.on_sign_in_result(conn, attempt, r, effects_);
    apply(effects_);
  };
  auto* accounts = accounts_.get();
  // Sign-ins take at most a quarter of the pool's queue: the account pages keep room.
  if (accounts == nullptr || !pool_ || sign_ins_in_flight_ >= max_sign_ins_in_flight)
    return deliver({Outcome::try_again_later, {}, false});
  ++sign_ins_in_flight_;
  const auto submitted = pool_->submit(
      [accounts, token = std::move(check.token)] { return accounts->plan_of(token); },
      [this, deliver](auto result) {
        --sign_ins_in_flight_;
        signaling::SignInResult r;
        if (!result) {
          r.outcome = Outcome::try_again_later;
        } else if (auto* who = std::get_if<accounts::AccountService::PlanOf>(&*result)) {
          r = {Outcome::signed_in, std::move(who->uid), who->plan == accounts::Plan::pro};
        } else {
          const auto error = std::get<accounts::AuthError>(*result);
          r.outcome = error == accounts::AuthError::invalid_token ||
                              error == accounts::AuthError::account_deleted
                          ? Outcome::invalid_token
                          : Outcome::try_again_later;
        }
        deliver(std::move(r));
      });
  // A full queue answers at once; the page may try again later.
  if (submitted != SubmitResult::accepted) {
    --sign_ins_in_flight_;
    deliver({Outcome::try_again_later, {}, false});
  }
}

void ServerContext::stop_blocking_work() {
  if (pool_) pool_->shutdown();
  // The subscriber posts to the signaling io_context, which goes next: its thread stops first.
  if (cluster_) cluster_->stop_threads();
}

}  // namespace cieloweb::server
