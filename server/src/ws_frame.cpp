#include "ws_frame.hpp"

#include <algorithm>
#include <cstring>

namespace cieloweb::server {
namespace {

constexpr std::size_t max_control_payload_bytes = 125;  // RFC 6455 section 5.5

bool is_control(Opcode op) {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

std::uint64_t read_be(const std::uint8_t* p, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

void unmask(char* data, std::size_t size, const std::uint8_t key[4], std::size_t phase) {
  // Eight bytes at a time: the key repeats every 4 bytes, so an 8-byte key lined up with `phase`
  // covers every word.
  std::uint8_t key8[8];
  for (std::size_t i = 0; i < 8; ++i) key8[i] = key[(phase + i) & 3];
  std::uint64_t key64;
  std::memcpy(&key64, key8, 8);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    word ^= key64;
    std::memcpy(data + i, &word, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key8[i & 7]);
}

bool valid_close_code(std::uint16_t code) {
  // 1004-1006 and 1015 are reserved and must never be sent; 1016-2999 are for future RFCs;
  // 3000-4999 belong to libraries and applications.
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload) {
  char header[10];
  std::size_t header_bytes = 2;
  header[0] = static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode));  // FIN, no RSV bits
  const std::uint64_t size = payload.size();
  if (size < 126) {
    header[1] = static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    header[1] = 126;
    header[2] = static_cast<char>(size >> 8);
    header[3] = static_cast<char>(size & 0xFF);
    header_bytes = 4;
  } else {
    header[1] = 127;
    for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<char>(size >> (56 - 8 * i));
    header_bytes = 10;
  }
  out.append(header, header_bytes);
  out.append(payload);
}

void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason) {
  std::size_t keep = std::min(reason.size(), max_control_payload_bytes - 2);
  // Cut on a character boundary: the reason must stay UTF-8.
  while (keep < reason.size() && keep > 0 &&
         (static_cast<std::uint8_t>(reason[keep]) & 0xC0) == 0x80)
    --keep;
  std::string payload;
  payload.reserve(2 + keep);
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, keep));
  append_frame(out, Opcode::close, payload);
}

FrameEvent FrameReader::fail(std::uint16_t code, const char* what) {
  stage_ = Stage::done;
  FrameEvent event;
  event.kind = FrameEvent::Kind::error;
  event.code = code;
  event.what = what;
  return event;
}

bool FrameReader::parse_header(const std::uint8_t* h, std::size_t have, std::size_t& header_bytes,
                               FrameEvent& error) {
  if (have < 2) return false;
  const bool fin = (h[0] & 0x80) != 0;
  const auto op = static_cast<Opcode>(h[0] & 0x0F);
  const bool masked = (h[1] & 0x80) != 0;
  const std::uint8_t len7 = h[1] & 0x7F;
  // Everything the first two bytes can tell is checked before waiting for the rest.
  if ((h[0] & 0x70) != 0) {
    error = fail(close_protocol_error, "reserved bits set (no extension was negotiated)");
    return false;
  }
  switch (op) {
    case Opcode::text:
    case Opcode::binary:
      if (in_message_) {
        error = fail(close_protocol_error, "new message inside a fragmented one");
        return false;
      }
      break;
    case Opcode::continuation:
      if (!in_message_) {
        error = fail(close_protocol_error, "continuation frame without a message");
        return false;
      }
      break;
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      if (!fin) {
        error = fail(close_protocol_error, "fragmented control frame");
        return false;
      }
      if (len7 > max_control_payload_bytes) {
        error = fail(close_protocol_error, "control frame over 125 bytes");
        return false;
      }
      break;
    default:
      error = fail(close_protocol_error, "reserved opcode");
      return false;
  }
  if (!masked) {
    error = fail(close_protocol_error, "unmasked client frame");
    return false;
  }
  const std::size_t length_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  header_bytes = 2 + length_bytes + 4;
  if (have < header_bytes) return false;

  std::uint64_t length = len7;
  if (len7 == 126) {
    length = read_be(h + 2, 2);
    if (length < 126) {
      error = fail(close_protocol_error, "length not in its shortest form");
      return false;
    }
  } else if (len7 == 127) {
    length = read_be(h + 2, 8);
    if (length >> 63) {
      error = fail(close_protocol_error, "length with the top bit set");
      return false;
    }
    if (length <= 0xFFFF) {
      error = fail(close_protocol_error, "length not in its shortest form");
      return false;
    }
  }
  if (!is_control(op)) {
    // Checked on the header, so an oversized message is refused before its payload is read.
    const std::size_t so_far = op == Opcode::continuation ? message_bytes_ : 0;
    if (length > max_message_bytes_ - so_far) {
      error = fail(close_too_big, "message larger than the limit");
      return false;
    }
    if (op != Opcode::continuation) {
      message_opcode_ = op;
      message_.clear();
    }
    message_bytes_ = so_far + static_cast<std::size_t>(length);
    in_message_ = !fin;
  } else {
    control_.clear();
  }
  opcode_ = op;
  fin_ = fin;
  remaining_ = length;
  consumed_ = 0;
  std::memcpy(mask_, h + header_bytes - 4, 4);
  return true;
}

FrameEvent FrameReader::complete_frame(std::string_view payload) {
  stage_ = Stage::header;
  FrameEvent event;
  event.payload = payload;
  switch (opcode_) {
    case Opcode::ping:
      event.kind = FrameEvent::Kind::ping;
      return event;
    case Opcode::pong:
      event.kind = FrameEvent::Kind::pong;
      return event;
    case Opcode::close:
      if (payload.size() == 1) return fail(close_protocol_error, "close frame of one byte");
      if (payload.size() >= 2) {
        event.code = static_cast<std::uint16_t>(
            read_be(reinterpret_cast<const std::uint8_t*>(payload.data()), 2));
        if (!valid_close_code(event.code)) return fail(close_protocol_error, "invalid close code");
        event.payload = payload.substr(2);
        if (!valid_utf8(event.payload))
          return fail(close_invalid_payload, "close reason not UTF-8");
      }
      stage_ = Stage::done;  // nothing may follow a close frame
      event.kind = FrameEvent::Kind::close;
      return event;
    default:
      break;
  }
  if (message_opcode_ == Opcode::text) {
    if (!valid_utf8(payload)) return fail(close_invalid_payload, "text message not UTF-8");
    event.kind = FrameEvent::Kind::text;
  } else {
    event.kind = FrameEvent::Kind::binary;
  }
  return event;
}

FrameEvent FrameReader::next(std::span<char>& input) {
  for (;;) {
    if (stage_ == Stage::done) {
      input = input.subspan(input.size());
      return {};
    }

    if (stage_ == Stage::header) {
      std::size_t header_bytes = 0;
      FrameEvent error;
      if (header_have_ == 0) {
        // Usual case: the whole header is in the input; parse it where it lies.
        const auto* h = reinterpret_cast<const std::uint8_t*>(input.data());
        if (parse_header(h, input.size(), header_bytes, error)) {
          input = input.subspan(header_bytes);
        } else if (error.kind == FrameEvent::Kind::error) {
          return error;
        } else {
          // Cut short by the end of this read: keep what there is (under 14 bytes).
          std::memcpy(header_, input.data(), input.size());
          header_have_ = input.size();
          input = input.subspan(input.size());
          return {};
        }
      } else {
        const std::size_t before = header_have_;
        const std::size_t take = std::min(sizeof header_ - before, input.size());
        std::memcpy(header_ + before, input.data(), take);
        if (parse_header(header_, before + take, header_bytes, error)) {
          input = input.subspan(header_bytes - before);
          header_have_ = 0;
        } else if (error.kind == FrameEvent::Kind::error) {
          return error;
        } else {
          header_have_ = before + take;
          input = input.subspan(take);
          return {};
        }
      }
      stage_ = Stage::payload;
    }

    // Payload.
    const bool whole_frame_here = consumed_ == 0 && remaining_ <= input.size();
    const bool single_frame_message = fin_ && opcode_ != Opcode::continuation;
    if (whole_frame_here && (single_frame_message || is_control(opcode_))) {
      // The common case: no copy, unmask where the bytes lie.
      const auto size = static_cast<std::size_t>(remaining_);
      unmask(input.data(), size, mask_, 0);
      const std::string_view payload(input.data(), size);
      input = input.subspan(size);
      remaining_ = 0;
      return complete_frame(payload);
    }
    std::string& gathered = is_control(opcode_) ? control_ : message_;
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
    const std::size_t at = gathered.size();
    gathered.append(input.data(), take);
    unmask(gathered.data() + at, take, mask_, static_cast<std::size_t>(consumed_ & 3));
    input = input.subspan(take);
    remaining_ -= take;
    consumed_ += take;
    if (remaining_ > 0) return {};  // the input is used up
    if (!fin_) {
      stage_ = Stage::header;  // the next fragment follows
      continue;
    }
    return complete_frame(gathered);
  }
}

void FrameReader::trim_memory() {
  if (stage_ != Stage::header || in_message_) return;
  if (message_.capacity() > 4096) {
    std::string().swap(message_);
  } else {
    message_.clear();
  }
}

}  // namespace cieloweb::server
