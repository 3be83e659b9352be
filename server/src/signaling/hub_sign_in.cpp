// The hub's side of accounts: a connection's sign-in (checked by the transport off the I/O thread,
// then applied here) and the closing of a deleted account's connections. The hub never sees a
// token's contents; it keeps only the uid (to find the connections) and whether the plan is pro.
#include <nlohmann/json.hpp>

#include "log.hpp"
#include "signaling/hub.hpp"

namespace cieloweb::signaling {

using server::log_event;
using server::LogLevel;

void Hub::sign_in(ConnId id, Conn& conn, SignIn&& msg, Effects& out) {
  if (!accounts_enabled_) {
    send_error(id, ErrorCode::accounts_off, "this server has no accounts", out);
    return;
  }
  // The message rate already bounds how often a connection may ask.
  out.sign_ins.push_back({id, ++conn.sign_in_attempt, std::move(msg.token)});
}

void Hub::on_sign_in_result(ConnId id, std::uint64_t attempt, const SignInResult& result,
                            Effects& out) {
  const auto it = conns_.find(id);
  if (it == conns_.end() || it->second.closing || it->second.sign_in_attempt != attempt) return;
  Conn& conn = it->second;
  switch (result.outcome) {
    case SignInResult::Outcome::signed_in:
      conn.uid = result.uid;
      conn.pro = result.pro;
      send(id,
           make_signed_in(result.pro ? "pro" : "free",
                          result.pro ? limits_.room_capacity_pro : limits_.room_capacity),
           out);
      return;
    case SignInResult::Outcome::invalid_token:
      // Anonymous from now on, whatever an earlier sign-in said.
      conn.uid.clear();
      conn.pro = false;
      send_error(id, ErrorCode::invalid_token, "the sign-in was refused; continuing anonymously",
                 out);
      return;
    case SignInResult::Outcome::try_again_later:
      send_error(id, ErrorCode::try_again_later, "the sign-in could not be checked now", out);
      return;
  }
}

void Hub::on_account_deleted(std::string_view uid, Effects& out) {
  if (uid.empty()) return;
  std::size_t closed = 0;
  for (auto& [id, conn] : conns_) {
    if (conn.uid != uid || conn.closing) continue;
    order_close(id, conn, close_policy_violation, "account deleted", out);
    ++closed;
  }
  if (closed > 0) log_event(LogLevel::info, "deleted-account-closed", {{"connections", closed}});
}

}  // namespace cieloweb::signaling
