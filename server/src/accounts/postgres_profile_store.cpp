#include "accounts/postgres_profile_store.hpp"

#include <stdexcept>

#include "accounts/postgres_schema.hpp"
#include "log.hpp"

namespace cieloweb::server::accounts {

namespace {

// Advisory lock keys: (namespace, hashtext(value)). A hash collision only makes two unrelated
// writes wait for each other. Every write takes its uid lock before its username lock, so two
// writes never wait on each other in a circle.
constexpr const char* lock_uid = "SELECT pg_advisory_xact_lock(1129775106, hashtext($1))";
constexpr const char* lock_username =
    "SELECT pg_advisory_xact_lock(1129775107, hashtext(lower($1)))";

constexpr const char* select_by_uid =
    "SELECT uid, name, username, email, plan, company, created_at, updated_at, age_gate_at, "
    "policy_version FROM profiles WHERE uid = $1";

Profile read_profile(const PgResult& rows, int row) {
  Profile p;
  p.uid = rows.text(row, 0);
  p.name = rows.text(row, 1);
  p.username = rows.text(row, 2);
  p.email = rows.text(row, 3);
  p.plan = parse_plan(rows.text(row, 4)).value_or(Plan::free);
  p.company = rows.text(row, 5);
  p.created_at = rows.integer(row, 6);
  p.updated_at = rows.integer(row, 7);
  p.age_gate_at = rows.integer(row, 8);
  p.policy_version = rows.text(row, 9);
  return p;
}

// What a failed statement means to the caller. Logged by SQLSTATE only: a query error's message
// may quote a value (a username, an email).
StoreError failed(const PgResult& result, const char* operation) {
  switch (result.failure()) {
    case PgFailure::unstorable_value:
      return StoreError::not_found;  // no row can hold such a value
    case PgFailure::unique_violation: {
      const auto constraint = result.constraint();
      if (constraint == "profiles_username") return StoreError::username_taken;
      if (constraint == "profiles_pkey") return StoreError::exists;
      break;
    }
    case PgFailure::connection:
      log_event(LogLevel::warn, "profile-store-unavailable",
                {{"operation", operation}, {"reason", "connection lost"}});
      return StoreError::unavailable;
    case PgFailure::none:
    case PgFailure::other:
      break;
  }
  log_event(LogLevel::error, "profile-store-failed",
            {{"operation", operation}, {"sqlstate", result.sqlstate()}});
  return StoreError::unavailable;
}

bool yes(const PgResult& rows, int column) {
  return rows.rows() == 1 && rows.text(0, column) == "t";
}

}  // namespace

int PostgresProfileStore::schema_version() {
  return postgres_schema_version();
}

PostgresProfileStore::PostgresProfileStore(const std::string& url, Open mode,
                                           std::size_t connections)
    : connections_(url, connections) {
  std::string error;
  auto first = PgConnection::open(url, &error);
  if (!first) throw std::runtime_error("profile database (PostgreSQL): " + error);
  if (auto refused = migrate_postgres_schema(*first, mode == Open::existing))
    throw std::runtime_error("profile database (PostgreSQL): " + *refused);
  connections_.adopt(std::move(first));
}

template <class Work>
auto PostgresProfileStore::with_connection(bool read_only, Work work)
    -> decltype(work(std::declval<PgConnection&>())) {
  for (int attempt = 0;; ++attempt) {
    auto lease = connections_.acquire();
    if (!lease) return StoreError::unavailable;
    auto outcome = work(*lease);
    // A write is never repeated: its first try may have been done before the connection broke.
    if (read_only && attempt == 0 && (*lease).broken()) continue;
    return outcome;
  }
}

StoreResult<Profile> PostgresProfileStore::get(std::string_view uid) {
  return with_connection(true, [&](PgConnection& db) -> StoreResult<Profile> {
    const auto rows = db.run(select_by_uid, {uid});
    if (!rows.ok()) return failed(rows, "get");
    if (rows.rows() == 0) return StoreError::not_found;
    return read_profile(rows, 0);
  });
}

StoreResult<Profile> PostgresProfileStore::find_by_email(std::string_view email) {
  return with_connection(true, [&](PgConnection& db) -> StoreResult<Profile> {
    const auto rows = db.run(
        "SELECT uid, name, username, email, plan, company, created_at, updated_at, age_gate_at, "
        "policy_version FROM profiles WHERE lower(email) = lower($1) LIMIT 2",
        {email});
    if (!rows.ok()) return failed(rows, "find-by-email");
    if (rows.rows() == 0) return StoreError::not_found;
    // Emails are not unique (a person may change theirs to anyone's): an operator acting by
    // email must not hit whichever came first.
    if (rows.rows() > 1) return StoreError::ambiguous;
    return read_profile(rows, 0);
  });
}

StoreResult<bool> PostgresProfileStore::is_deleted(std::string_view uid) {
  return with_connection(true, [&](PgConnection& db) -> StoreResult<bool> {
    const auto rows = db.run("SELECT 1 FROM deleted_uids WHERE uid = $1", {uid});
    if (rows.failure() == PgFailure::unstorable_value)
      return false;  // never stored, so never deleted
    if (!rows.ok()) return failed(rows, "is-deleted");
    return rows.rows() > 0;
  });
}

std::optional<StoreError> PostgresProfileStore::create(const Profile& p) {
  return with_connection(false, [&](PgConnection& db) -> std::optional<StoreError> {
    PgTransaction tx(db);
    if (!tx.begun().ok()) return failed(tx.begun(), "create");
    for (const auto& [sql, value] : {std::pair{lock_uid, std::string_view(p.uid)},
                                     std::pair{lock_username, std::string_view(p.username)}}) {
      const auto locked = db.run(sql, {value});
      if (!locked.ok()) return failed(locked, "create");
    }
    // Under the locks nobody can delete this uid or take this username before we commit.
    const auto found = db.run(
        "SELECT EXISTS (SELECT 1 FROM deleted_uids WHERE uid = $1), "
        "EXISTS (SELECT 1 FROM profiles WHERE uid = $1), "
        "EXISTS (SELECT 1 FROM profiles WHERE lower(username) = lower($2))",
        {p.uid, p.username});
    if (!found.ok()) return failed(found, "create");
    if (yes(found, 0)) return StoreError::deleted;
    if (yes(found, 1)) return StoreError::exists;
    if (yes(found, 2)) return StoreError::username_taken;
    const auto inserted = db.run(
        "INSERT INTO profiles (uid, name, username, email, plan, company, created_at, "
        "updated_at, age_gate_at, policy_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {p.uid, p.name, p.username, p.email, plan_name(p.plan), p.company,
         std::to_string(p.created_at), std::to_string(p.updated_at), std::to_string(p.age_gate_at),
         p.policy_version});
    if (!inserted.ok()) return failed(inserted, "create");
    const auto committed = tx.commit();
    if (!committed.ok()) return failed(committed, "create");
    return std::nullopt;
  });
}

StoreResult<Profile> PostgresProfileStore::edit(std::string_view uid, const ProfileEdit& edit,
                                                std::int64_t now_s) {
  return with_connection(false, [&](PgConnection& db) -> StoreResult<Profile> {
    PgTransaction tx(db);
    if (!tx.begun().ok()) return failed(tx.begun(), "edit");
    if (edit.username) {
      const auto locked = db.run(lock_username, {*edit.username});
      if (!locked.ok()) return failed(locked, "edit");
    }
    // FOR UPDATE: two edits of one profile apply one after the other, neither undoing the other.
    const auto current = db.run((std::string(select_by_uid) + " FOR UPDATE").c_str(), {uid});
    if (!current.ok()) return failed(current, "edit");
    if (current.rows() == 0) return StoreError::not_found;
    auto p = read_profile(current, 0);
    if (edit.name) p.name = *edit.name;
    if (edit.username) p.username = *edit.username;
    if (edit.company) p.company = *edit.company;
    if (edit.email) p.email = *edit.email;
    p.updated_at = now_s;
    if (edit.username) {
      const auto taken = db.run(
          "SELECT EXISTS (SELECT 1 FROM profiles WHERE lower(username) = lower($1) AND uid <> $2)",
          {p.username, p.uid});
      if (!taken.ok()) return failed(taken, "edit");
      if (yes(taken, 0)) return StoreError::username_taken;
    }
    const auto updated = db.run(
        "UPDATE profiles SET name = $2, username = $3, company = $4, email = $5, updated_at = $6 "
        "WHERE uid = $1",
        {p.uid, p.name, p.username, p.company, p.email, std::to_string(now_s)});
    if (!updated.ok()) return failed(updated, "edit");
    const auto committed = tx.commit();
    if (!committed.ok()) return failed(committed, "edit");
    return p;
  });
}

std::optional<StoreError> PostgresProfileStore::set_plan(std::string_view uid, Plan plan,
                                                         std::int64_t now_s) {
  return with_connection(false, [&](PgConnection& db) -> std::optional<StoreError> {
    const auto updated = db.run("UPDATE profiles SET plan = $2, updated_at = $3 WHERE uid = $1",
                                {uid, plan_name(plan), std::to_string(now_s)});
    if (!updated.ok()) return failed(updated, "set-plan");
    return updated.affected() == 1 ? std::nullopt : std::optional(StoreError::not_found);
  });
}

std::optional<StoreError> PostgresProfileStore::remove(std::string_view uid) {
  return with_connection(false, [&](PgConnection& db) -> std::optional<StoreError> {
    // One transaction: the row goes and the uid is recorded, or neither.
    PgTransaction tx(db);
    if (!tx.begun().ok()) return failed(tx.begun(), "remove");
    for (const char* sql :
         {lock_uid, "INSERT INTO deleted_uids (uid) VALUES ($1) ON CONFLICT DO NOTHING",
          "DELETE FROM profiles WHERE uid = $1"}) {
      const auto done = db.run(sql, {uid});
      // A uid PostgreSQL cannot hold (a NUL byte: only a forged emulator token has one) has no
      // profile here to remove; failing would leave it in the journal, failing every start.
      if (done.failure() == PgFailure::unstorable_value) return std::nullopt;
      if (!done.ok()) return failed(done, "remove");
    }
    const auto committed = tx.commit();
    if (!committed.ok()) return failed(committed, "remove");
    return std::nullopt;
  });
}

StoreResult<std::vector<std::string>> PostgresProfileStore::deletion_ledger() {
  return with_connection(true, [&](PgConnection& db) -> StoreResult<std::vector<std::string>> {
    const auto rows = db.run("SELECT uid FROM deleted_uids ORDER BY uid");
    if (!rows.ok()) return failed(rows, "deletion-ledger");
    std::vector<std::string> uids;
    uids.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) uids.push_back(rows.text(row, 0));
    return uids;
  });
}

std::optional<StoreError> PostgresProfileStore::replay_ledger(
    const std::vector<std::string>& ledger) {
  // One transaction per uid: a long replay holds no more than one uid's lock at a time.
  for (const auto& uid : ledger) {
    if (auto error = remove(uid)) return error;
  }
  return std::nullopt;
}

}  // namespace cieloweb::server::accounts
