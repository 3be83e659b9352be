#include "accounts/postgres_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

#include "log.hpp"

namespace cieloweb::server::accounts {

namespace {

// SQLSTATE classes and codes we act on (PostgreSQL's errcodes table).
bool connection_class(std::string_view state) {
  // 08: connection exception; 57P01-57P03: the server is shutting down or not accepting yet.
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

PgFailure classify(PGresult* result, bool connection_lost) {
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgFailure::none;
  if (connection_lost || result == nullptr) return PgFailure::connection;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string_view code = state ? state : "";
  if (code == "23505") return PgFailure::unique_violation;
  // 22021: invalid UTF-8; 22P05: a character the database's encoding cannot hold.
  if (code == "22021" || code == "22P05") return PgFailure::unstorable_value;
  return connection_class(code) ? PgFailure::connection : PgFailure::other;
}

// libpq prints notices (e.g. "relation already exists, skipping") to stderr by default, which
// would break our one-JSON-object-per-line log.
void ignore_notice(void*, const char*) {}

// libpq's messages end in a line break and may span lines: one line for the log.
std::string one_line(const char* message) {
  std::string line = message ? message : "";
  for (auto& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

PgResult::PgResult(pg_result* result, bool connection_lost)
    : result_(result), failure_(classify(result, connection_lost)) {}

PgResult PgResult::unstorable() {
  PgResult refused;
  refused.failure_ = PgFailure::unstorable_value;
  return refused;
}

PgResult::~PgResult() {
  PQclear(result_);
}

PgResult::PgResult(PgResult&& other) noexcept : result_(other.result_), failure_(other.failure_) {
  other.result_ = nullptr;
}

std::string PgResult::sqlstate() const {
  const char* state = result_ ? PQresultErrorField(result_, PG_DIAG_SQLSTATE) : nullptr;
  return state ? state : "";
}

std::string PgResult::constraint() const {
  const char* name = result_ ? PQresultErrorField(result_, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  return name ? name : "";
}

std::string PgResult::message() const {
  return result_ ? one_line(PQresultErrorMessage(result_)) : "not sent";
}

int PgResult::rows() const {
  return ok() ? PQntuples(result_) : 0;
}

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t PgResult::integer(int row, int column) const {
  const char* begin = PQgetvalue(result_, row, column);
  std::int64_t value = 0;
  std::from_chars(begin, begin + PQgetlength(result_, row, column), value);
  return value;
}

std::int64_t PgResult::affected() const {
  const char* count = result_ ? PQcmdTuples(result_) : "";
  std::int64_t value = 0;
  std::from_chars(count, count + std::strlen(count), value);
  return value;
}

std::unique_ptr<PgConnection> PgConnection::open(const std::string& url, std::string* error) {
  // Our defaults come first: the URL (the last, expanded "dbname") overrides any of them. A call
  // holds a pool thread, so neither connecting nor a statement (waiting on a lock, say) may take
  // long; text goes both ways as UTF-8 whatever the server's locale.
  const char* keys[] = {"connect_timeout", "options", "application_name",
                        "client_encoding", "dbname",  nullptr};
  const char* values[] = {"5",
                          "-c statement_timeout=10000 -c client_min_messages=warning",
                          "cieloweb-server",
                          "UTF8",
                          url.c_str(),
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    if (error) *error = conn ? one_line(PQerrorMessage(conn)) : "out of memory";
    PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

PgResult PgConnection::run(const char* sql, std::initializer_list<std::string_view> params) {
  // Text parameters travel as C strings: a NUL byte would cut the value short (a uid "a\0b" would
  // be read as "a"), so such a value is refused before anything is sent.
  std::vector<std::string> owned;
  owned.reserve(params.size());
  for (const auto param : params) {
    if (param.find('\0') != std::string_view::npos) return PgResult::unstorable();
    owned.emplace_back(param);
  }
  std::vector<const char*> pointers;
  pointers.reserve(owned.size());
  for (const auto& value : owned) pointers.push_back(value.c_str());
  PGresult* result = PQexecParams(conn_, sql, static_cast<int>(pointers.size()), nullptr,
                                  pointers.data(), nullptr, nullptr, 0);
  return PgResult(result, broken());
}

PgResult PgConnection::run_script(const char* sql) {
  return PgResult(PQexec(conn_, sql), broken());
}

bool PgConnection::alive() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  // libpq's socket is non-blocking: this only takes what has already arrived.
  PQconsumeInput(conn_);
  while (PGresult* stray = PQgetResult(conn_)) PQclear(stray);
  return PQstatus(conn_) == CONNECTION_OK;
}

bool PgConnection::broken() const {
  return PQstatus(conn_) != CONNECTION_OK;
}

PgTransaction::PgTransaction(PgConnection& db) : db_(db), begun_(db.run("BEGIN")) {
  open_ = begun_.ok();
}

PgTransaction::~PgTransaction() {
  if (open_ && !db_.broken()) db_.run("ROLLBACK");
}

PgResult PgTransaction::commit() {
  open_ = false;
  return db_.run("COMMIT");
}

PgConnections::PgConnections(std::string url, std::size_t size)
    : url_(std::move(url)), size_(size == 0 ? 1 : size) {}

PgConnections::~PgConnections() = default;

PgConnections::Lease::~Lease() {
  if (conn_) owner_.give_back(std::move(conn_));
}

void PgConnections::adopt(std::unique_ptr<PgConnection> conn) {
  std::lock_guard lock(mutex_);
  if (idle_.size() + leased_ < size_) idle_.push_back(std::move(conn));
}

PgConnections::Lease PgConnections::acquire() {
  std::unique_ptr<PgConnection> conn;
  {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [this] { return !idle_.empty() || idle_.size() + leased_ < size_; });
    ++leased_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (conn && !conn->alive()) conn.reset();  // it broke while idle: make a new one
  if (!conn) {
    std::string error;
    conn = PgConnection::open(url_, &error);
    if (!conn) log_event(LogLevel::error, "profile-store-unavailable", {{"reason", error}});
  }
  if (!conn) {
    std::lock_guard lock(mutex_);
    --leased_;
    freed_.notify_one();
  }
  return Lease(*this, std::move(conn));
}

void PgConnections::give_back(std::unique_ptr<PgConnection> conn) {
  std::lock_guard lock(mutex_);
  --leased_;
  // A broken connection is dropped; the next acquire() opens a new one in its place.
  if (!conn->broken()) idle_.push_back(std::move(conn));
  freed_.notify_one();
}

}  // namespace cieloweb::server::accounts
