// One WebSocket connection on /ws, after the opening handshake (ws_upgrade.hpp). Reads text
// messages into the hub; writes what the hub sends through a bounded buffer: a client that does
// not read fast enough to keep it under --write-queue-bytes is dropped rather than allowed to grow
// server memory.
//
// The session owns the socket and frames by itself (ws_frame.hpp) instead of using Beast's
// websocket stream, for throughput: every frame that arrived in one read is handled in that turn,
// and everything queued for the client by then leaves in one write. Beast writes each message,
// pong and ping with a syscall of its own, which was about half of the server's CPU when relaying.
// Being the only writer also means messages, pongs, pings and the close frame never need to take
// turns: they are appended to one buffer in the order they are decided.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "connection_slot.hpp"
#include "signaling/hub.hpp"
#include "ws_frame.hpp"

namespace cieloweb::server {

class ServerContext;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, std::string client_address,
            ConnectionSlot slot);
  ~WsSession();

  // The handshake is done: sends the welcome (through the hub) and starts reading. `early_bytes`
  // arrived behind the upgrade request and are read first.
  void start(std::string_view early_bytes);

  // Queues a text message; it leaves with whatever else is queued this turn. Overflowing the
  // buffer drops the connection.
  void send(std::string_view text);
  // Sends a close frame with `code` after the messages already queued, then waits (at most the
  // handshake timeout) for the client's close frame.
  void close(std::uint16_t code, std::string_view reason);
  // Liveness, driven by one server-wide sweep rather than a timer per connection: pings a
  // connection silent for half to three quarters of the timeout, drops one silent for the whole
  // timeout, and drops one whose write has not completed within --write-timeout-ms (a client that
  // keeps sending but never reads would otherwise hold its queue until the queue overflows).
  // The sweep calls it when next_check_ms() is due (liveness_schedule.hpp); it schedules the next.
  void check_alive(std::int64_t now_ms);
  // When this session expects its next check; max() when it expects none.
  std::int64_t next_check_ms() const { return next_check_ms_; }
  // How long a quiet connection waits for its keepalive ping (see the definition).
  std::int64_t ping_after_ms(std::int64_t timeout_ms) const;

 private:
  void do_read();
  void on_readable(boost::system::error_code ec);
  void handle_bytes(std::span<char> bytes);
  void handle_close_frame(std::uint16_t code);
  void fail(std::uint16_t code, const char* what);
  // Queues our close frame, starts the wait for the client's answer, and flushes.
  void queue_close_frame(std::uint16_t code, std::string_view reason);
  void append(Opcode opcode, std::string_view payload);
  // Whether `frame_bytes` more fit in the bounded write queue; if not, the client is dropped
  // (it does not read) and false is returned. Pongs pass here like messages: a client that pings
  // without reading must not grow server memory either.
  bool queue_has_room(std::size_t frame_bytes);
  void schedule_flush();
  void flush();
  void on_written(boost::system::error_code ec, std::size_t bytes);
  void after_close_sent();
  void start_close_timer();
  void drop_later();
  void finish();
  // Asks the sweep to look at this session by `due_ms`, if that is earlier than it would anyway.
  void check_by(std::int64_t due_ms);

  boost::asio::ip::tcp::socket socket_;
  ServerContext& ctx_;
  std::string client_address_;
  ConnectionSlot slot_;  // counts this socket against its address until the session is gone
  signaling::ConnId id_ = 0;
  FrameReader reader_;
  std::string out_;      // frames queued and not yet handed to the socket
  std::string sending_;  // the part of a write the socket did not take at once, in flight
  std::unique_ptr<boost::asio::steady_timer> close_timer_;  // only while closing
  std::int64_t last_seen_ms_ = 0;
  std::int64_t write_started_ms_ = 0;  // when the write in flight (writing_) began
  std::int64_t next_check_ms_ = std::numeric_limits<std::int64_t>::max();
  bool flush_scheduled_ = false;
  bool writing_ = false;
  bool close_queued_ = false;      // our close frame is in out_ or sent: nothing else may follow
  bool close_received_ = false;    // the client closed, or broke the protocol: read nothing more
  bool shutdown_sent_ = false;     // our half of the TCP connection is closed: waiting for theirs
  bool dropping_ = false;          // leaving without a close frame (slow, timed out)
  bool ping_outstanding_ = false;  // a ping went out and nothing has been heard since
  bool finished_ = false;
};

}  // namespace cieloweb::server
