// WebSocket framing for the server side (RFC 6455 section 5), without sockets: FrameReader turns
// the bytes a client sends into messages and control frames and enforces what the RFC asks of a
// client; append_frame() frames what the server sends. WsSession feeds the one and writes out the
// other. No extensions are negotiated (no permessage-deflate), so every RSV bit must be clear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "utf8.hpp"

namespace cieloweb::server {

// Close codes (RFC 6455 section 7.4.1) the transport itself answers with.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_unsupported_data = 1003;
inline constexpr std::uint16_t close_invalid_payload = 1007;
inline constexpr std::uint16_t close_too_big = 1009;

// Opcodes (RFC 6455 section 5.2).
enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

struct FrameEvent {
  enum class Kind {
    need_more,  // every input byte was consumed and no event is complete yet
    text,       // a whole text message, valid UTF-8
    binary,     // a whole binary message
    ping,
    pong,
    close,  // the client's close frame: `code` (0 when it sent none), `payload` = reason
    error,  // the client broke the protocol: answer with close `code`; the reader stays failed
  };
  Kind kind = Kind::need_more;
  // The message, control payload or close reason. Points into the caller's input or into the
  // reader, and stays valid until the next call to next().
  std::string_view payload;
  std::uint16_t code = 0;
  const char* what = "";  // error: what was wrong, for logs
};

// Incremental reader of client frames. Frames may arrive split anywhere across reads; a data frame
// that is whole in the input is unmasked in place and returned without a copy, the rest is
// gathered. Enforced, each failing the connection with the close code in brackets: masked frames,
// clear RSV bits, known opcodes, final control frames of at most 125 bytes, minimal length
// encodings, continuation frames only inside a fragmented message [1002]; text that is UTF-8 and
// close reasons that are [1007]; messages of at most `max_message_bytes`, checked from the frame
// headers before the payload is read [1009].
class FrameReader {
 public:
  explicit FrameReader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Consumes bytes from the front of `input` (unmasking them in place) up to the end of the next
  // complete event and returns it; need_more once `input` is used up. After an error, or after
  // the close frame, every further byte is consumed and ignored.
  FrameEvent next(std::span<char>& input);

  // A fragmented or partly received message holds memory between reads; connections are many, so
  // the buffer is given back once it has grown past what a typical signaling message needs.
  void trim_memory();

 private:
  enum class Stage { header, payload, done };

  bool parse_header(const std::uint8_t* h, std::size_t have, std::size_t& header_bytes,
                    FrameEvent& error);
  FrameEvent fail(std::uint16_t code, const char* what);
  FrameEvent complete_frame(std::string_view payload);

  std::size_t max_message_bytes_;
  Stage stage_ = Stage::header;
  std::uint8_t header_[14] = {};  // a header split across reads is gathered here
  std::size_t header_have_ = 0;
  Opcode opcode_ = Opcode::continuation;  // of the current frame
  bool fin_ = false;
  std::uint8_t mask_[4] = {};
  std::uint64_t remaining_ = 0;  // payload bytes of the current frame not yet consumed
  std::uint64_t consumed_ = 0;   // payload bytes of the current frame already consumed
  bool in_message_ = false;      // a fragmented message has started and not finished
  Opcode message_opcode_ = Opcode::text;
  std::size_t message_bytes_ = 0;  // payload so far of the message being received
  std::string message_;            // a message gathered across frames or reads
  std::string control_;            // a control frame's payload gathered across reads
};

// Appends one unfragmented, unmasked server frame (RFC 6455 section 5.2) to `out`.
void append_frame(std::string& out, Opcode opcode, std::string_view payload);
// The most append_frame adds before the payload (2 bytes, 8 of extended length, no mask).
inline constexpr std::size_t max_frame_header_bytes = 10;
// Appends a close frame with `code` and a reason (cut to fit a control frame).
void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason);

// XORs `data` with the 4-byte masking key, starting at key byte `phase` (RFC 6455 section 5.3).
void unmask(char* data, std::size_t size, const std::uint8_t key[4], std::size_t phase);

// Whether a close code may appear in a close frame (RFC 6455 section 7.4).
bool valid_close_code(std::uint16_t code);

}  // namespace cieloweb::server
