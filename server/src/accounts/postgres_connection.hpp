// libpq, the little of it the PostgreSQL profile store needs: a connection that sends SQL only as
// PQexecParams with text parameters (values never become part of the SQL text), its results, and
// a small set of connections shared by the blocking pool's threads.
//
// Errors are sorted so that the store can answer without reading a message: a broken connection
// (the server went away: 503, and the next call reconnects), a unique violation (which constraint),
// a value PostgreSQL cannot hold (text with a NUL byte or invalid UTF-8: no stored row can match
// it), anything else. Messages of query errors are never logged: they may quote a value.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace cieloweb::server::accounts {

enum class PgFailure { none, connection, unique_violation, unstorable_value, other };

class PgResult {
 public:
  explicit PgResult(pg_result* result, bool connection_lost);
  // A statement that was not sent: one of its values cannot be a PostgreSQL text.
  static PgResult unstorable();
  ~PgResult();
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;

  bool ok() const { return failure_ == PgFailure::none; }
  PgFailure failure() const { return failure_; }
  std::string sqlstate() const;    // "" when the server sent none
  std::string constraint() const;  // the violated constraint's name, for unique violations
  // The server's message. Only for statements without values (a migration): any other may quote
  // one, so it is never logged.
  std::string message() const;
  int rows() const;
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::int64_t affected() const;  // rows an INSERT, UPDATE or DELETE touched

 private:
  PgResult() = default;
  pg_result* result_ = nullptr;
  PgFailure failure_ = PgFailure::other;
};

class PgConnection {
 public:
  // Connects to `url` (a postgresql:// URL; PG* variables and ~/.pgpass fill what it leaves out).
  // Null on failure, with libpq's reason (server, port, role or database: never a password) in
  // `error`.
  static std::unique_ptr<PgConnection> open(const std::string& url, std::string* error);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PgResult run(const char* sql, std::initializer_list<std::string_view> params = {});
  // A constant script of several statements (a migration): no values, so no parameters.
  PgResult run_script(const char* sql);
  // Reads what the server sent while the connection sat idle: a server that shut down or dropped
  // us has said so (or closed the socket), and the connection is then known broken.
  bool alive();
  bool broken() const;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

// A transaction on one connection: rolled back unless committed (and the connection still up).
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& db);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  const PgResult& begun() const { return begun_; }
  PgResult commit();

 private:
  PgConnection& db_;
  PgResult begun_;
  bool open_ = false;
};

// Up to `size` connections, made when first needed and again after one broke. The blocking pool
// has few threads and each call holds a connection for one operation, so `size` as large as the
// pool means no thread ever waits for another's.
class PgConnections {
 public:
  PgConnections(std::string url, std::size_t size);
  ~PgConnections();
  PgConnections(const PgConnections&) = delete;
  PgConnections& operator=(const PgConnections&) = delete;

  class Lease {
   public:
    Lease(PgConnections& owner, std::unique_ptr<PgConnection> conn)
        : owner_(owner), conn_(std::move(conn)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    explicit operator bool() const { return conn_ != nullptr; }
    PgConnection& operator*() const { return *conn_; }

   private:
    PgConnections& owner_;
    std::unique_ptr<PgConnection> conn_;
  };

  // A live connection, reconnected first when the one at hand broke; empty (and the reason
  // logged) when the server cannot be reached.
  Lease acquire();
  // Hands over one already open (the store's first, which ran the migrations).
  void adopt(std::unique_ptr<PgConnection> conn);

 private:
  void give_back(std::unique_ptr<PgConnection> conn);

  const std::string url_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t leased_ = 0;
};

}  // namespace cieloweb::server::accounts
