#include "metrics.hpp"

#include <sstream>

namespace cieloweb::server {

void Metrics::count_reject(std::string_view reason) {
  const std::lock_guard lock(rejects_mutex_);
  const auto it = rejects_.find(reason);
  if (it != rejects_.end())
    ++it->second;
  else
    rejects_.emplace(std::string(reason), 1);
}

std::uint64_t Metrics::rejects(std::string_view reason) const {
  const std::lock_guard lock(rejects_mutex_);
  const auto it = rejects_.find(reason);
  return it == rejects_.end() ? 0 : it->second;
}

std::uint64_t Metrics::messages_in(std::string_view type) const {
  const auto it = messages_in_.find(type);
  return it == messages_in_.end() ? 0 : it->second;
}

std::string Metrics::render(const Gauges& gauges) const {
  std::ostringstream out;
  auto gauge = [&](const char* name, const char* help, std::size_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << value << '\n';
  };
  auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << value << '\n';
  };
  gauge("cieloweb_ws_connections", "Open WebSocket connections.", gauges.ws_connections);
  gauge("cieloweb_http_connections", "Open HTTP connections (not upgraded).",
        gauges.http_connections);
  gauge("cieloweb_rooms", "Rooms held (including empty rooms within their TTL).", gauges.rooms);
  gauge("cieloweb_peers", "Peers joined to a room.", gauges.peers);
  counter("cieloweb_ws_connections_total", "WebSocket connections accepted.", ws_accepted_);
  counter("cieloweb_http_requests_total", "HTTP requests served (not upgrades).",
          http_requests_.load(std::memory_order_relaxed));
  counter("cieloweb_signals_relayed_total", "Signal messages delivered to a peer.",
          signals_relayed_);
  counter("cieloweb_messages_sent_total", "Messages queued to clients.", messages_out_);
  out << "# HELP cieloweb_messages_received_total Client messages received, by type.\n"
         "# TYPE cieloweb_messages_received_total counter\n";
  for (const auto& [type, n] : messages_in_) {
    out << "cieloweb_messages_received_total{type=\"" << type << "\"} " << n << '\n';
  }
  out << "# HELP cieloweb_rejects_total Refused messages, connections and handshakes, by reason.\n"
         "# TYPE cieloweb_rejects_total counter\n";
  const std::lock_guard lock(rejects_mutex_);
  for (const auto& [reason, n] : rejects_) {
    out << "cieloweb_rejects_total{reason=\"" << reason << "\"} " << n << '\n';
  }
  return out.str();
}

}  // namespace cieloweb::server
