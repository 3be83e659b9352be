// The hub's side of accounts: a connection's sign-in (checked by the transport off the signaling
// thread, then applied here) and the closing of a deleted account's connections. The hub never sees
// a token's contents; it keeps only the uid (to find the connections) and whether the plan is pro.
#include <nlohmann/json.hpp>

#include "log.hpp"
#include "signaling/hub.hpp"

namespace cieloweb::signaling {

using server::log_event;
using server::LogLevel;

void Hub::sign_in(ConnId id, Conn& conn, SignIn&& msg, std::int64_t now_ms, Effects& out) {
  if (!accounts_enabled_) {
    send_error(id, ErrorCode::accounts_off, "this server has no accounts", out);
    return;
  }
  // Each check is a job on the server's small blocking pool: a page signs in once and again
  // when its token is refreshed (hourly), so a few a minute is plenty.
  if (!conn.sign_ins.take(sign_ins_per_min / 60000.0, sign_ins_burst, now_ms)) {
    send_error(id, ErrorCode::rate_limited, "too many sign-ins; wait a minute", out);
    return;
  }
  ++conn.sign_in_attempt;
  if (conn.sign_in_pending) {
    conn.queued_token = std::move(msg.token);  // checked once the pending one is answered
    return;
  }
  conn.sign_in_pending = true;
  out.sign_ins.push_back({id, conn.sign_in_attempt, std::move(msg.token)});
}

void Hub::on_sign_in_result(ConnId id, std::uint64_t attempt, const SignInResult& result,
                            Effects& out) {
  const auto it = conns_.find(id);
  if (it == conns_.end() || it->second.closing) return;
  Conn& conn = it->second;
  conn.sign_in_pending = false;
  if (!conn.queued_token.empty()) {
    // A newer token arrived meanwhile: this answer is moot, check that one.
    conn.sign_in_pending = true;
    out.sign_ins.push_back({id, conn.sign_in_attempt, std::move(conn.queued_token)});
    conn.queued_token.clear();
    return;
  }
  if (conn.sign_in_attempt != attempt) return;
  auto outcome = result.outcome;
  // Checked just before a deletion, answered just after it: the person is gone.
  if (outcome == SignInResult::Outcome::signed_in && recently_deleted_.contains(result.uid))
    outcome = SignInResult::Outcome::invalid_token;
  switch (outcome) {
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
  recently_deleted_.insert_or_assign(std::string(uid), now_ms_);
  std::size_t closed = 0;
  for (auto& [id, conn] : conns_) {
    if (conn.uid != uid || conn.closing) continue;
    order_close(id, conn, close_policy_violation, "account deleted", out);
    ++closed;
  }
  if (closed > 0) log_event(LogLevel::info, "deleted-account-closed", {{"connections", closed}});
}

}  // namespace cieloweb::signaling
