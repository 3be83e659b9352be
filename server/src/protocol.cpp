#include "protocol.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

namespace cieloweb::signaling {
namespace {

using nlohmann::json;

ProtocolError fail(ErrorCode code, std::string detail) {
  return {code, std::move(detail)};
}

}  // namespace

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_json:
      return "bad-json";
    case ErrorCode::bad_message:
      return "bad-message";
    case ErrorCode::too_deep:
      return "too-deep";
    case ErrorCode::unknown_type:
      return "unknown-type";
    case ErrorCode::unsupported_version:
      return "unsupported-version";
    case ErrorCode::rate_limited:
      return "rate-limited";
    case ErrorCode::room_not_found:
      return "room-not-found";
    case ErrorCode::room_full:
      return "room-full";
    case ErrorCode::already_in_room:
      return "already-in-room";
    case ErrorCode::not_in_room:
      return "not-in-room";
    case ErrorCode::invalid_name:
      return "invalid-name";
    case ErrorCode::peer_not_found:
      return "peer-not-found";
    case ErrorCode::too_many_guesses:
      return "too-many-guesses";
    case ErrorCode::too_many_rooms:
      return "too-many-rooms";
  }
  return "unknown";
}

std::size_t json_depth(std::string_view text, std::size_t cap) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > cap) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {

// Collects the top-level members the protocol reads while nlohmann's SAX parser validates the
// whole text (syntax, UTF-8): no DOM is built, nothing below the top level is stored. Duplicate
// keys: the last one wins, as with a DOM.
class TopLevel final : public nlohmann::json_sax<json> {
 public:
  enum class Kind { absent, string, integer, object, other };
  struct Field {
    Kind kind = Kind::absent;
    std::string text;
    std::int64_t number = 0;
    std::size_t ordinal = 0;  // which top-level member (0-based)
  };
  Field type, v, room, name, to, data;
  bool top_is_object = false;

  bool null() override { return scalar(Kind::other); }
  bool boolean(bool) override { return scalar(Kind::other); }
  bool number_integer(number_integer_t n) override { return integer(n); }
  bool number_unsigned(number_unsigned_t n) override {
    return n <= static_cast<number_unsigned_t>(INT64_MAX) ? integer(static_cast<std::int64_t>(n))
                                                          : scalar(Kind::other);
  }
  bool number_float(number_float_t, const string_t&) override { return scalar(Kind::other); }
  bool string(string_t& value) override {
    if (depth_ == 1 && current_ != nullptr) {
      current_->kind = Kind::string;
      current_->text = std::move(value);
    }
    return true;
  }
  bool binary(binary_t&) override { return scalar(Kind::other); }
  bool start_object(std::size_t) override { return open(Kind::object); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Kind::other); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    if (depth_ != 1) return true;
    ++members_;
    current_ = key == "type"   ? &type
               : key == "v"    ? &v
               : key == "room" ? &room
               : key == "name" ? &name
               : key == "to"   ? &to
               : key == "data" ? &data
                               : nullptr;
    if (current_ != nullptr) {
      *current_ = Field{};
      current_->ordinal = members_ - 1;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool scalar(Kind kind) {
    if (depth_ == 1 && current_ != nullptr) current_->kind = kind;
    return true;
  }
  bool integer(std::int64_t n) {
    if (depth_ == 1 && current_ != nullptr) {
      current_->kind = Kind::integer;
      current_->number = n;
    }
    return true;
  }
  bool open(Kind kind) {
    if (depth_ == 0) top_is_object = kind == Kind::object;
    if (depth_ == 1 && current_ != nullptr) current_->kind = kind;
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  std::size_t depth_ = 0;
  std::size_t members_ = 0;
  Field* current_ = nullptr;
};

std::size_t skip_ws(std::string_view t, std::size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
  return i;
}

// End of the JSON value starting at `i` in text already known to be valid.
std::size_t skip_value(std::string_view t, std::size_t i) {
  if (t[i] == '"') {
    for (++i; t[i] != '"'; ++i) {
      if (t[i] == '\\') ++i;
    }
    return i + 1;
  }
  if (t[i] == '{' || t[i] == '[') {
    std::size_t depth = 0;
    bool in_string = false;
    for (; i < t.size(); ++i) {
      const char c = t[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return t.size();
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\t' &&
         t[i] != '\n' && t[i] != '\r') {
    ++i;
  }
  return i;
}

// The raw text of the top-level object's member number `ordinal`, in valid JSON text. Relaying
// this span verbatim avoids re-serialising what the recipient will parse anyway.
std::string_view member_value(std::string_view t, std::size_t ordinal) {
  std::size_t i = skip_ws(t, 0) + 1;  // past '{'
  for (std::size_t n = 0;; ++n) {
    i = skip_ws(t, i);
    i = skip_value(t, i);   // the key
    i = skip_ws(t, i) + 1;  // past ':'
    i = skip_ws(t, i);
    const std::size_t end = skip_value(t, i);
    if (n == ordinal) return t.substr(i, end - i);
    i = skip_ws(t, end) + 1;  // past ','
  }
}

}  // namespace

ParseResult parse_client_message(std::string_view text, const ParseLimits& limits) {
  if (json_depth(text, limits.max_depth) > limits.max_depth) {
    return fail(ErrorCode::too_deep, "nesting deeper than " + std::to_string(limits.max_depth));
  }
  TopLevel msg;
  if (!json::sax_parse(text.begin(), text.end(), &msg, nlohmann::detail::input_format_t::json,
                       /*strict=*/true)) {
    return fail(ErrorCode::bad_json, "not valid JSON text");
  }
  using Kind = TopLevel::Kind;
  if (!msg.top_is_object) return fail(ErrorCode::bad_message, "a message is a JSON object");
  if (msg.v.kind != Kind::absent &&
      (msg.v.kind != Kind::integer || msg.v.number != protocol_version)) {
    return fail(ErrorCode::unsupported_version, "this server speaks version 1");
  }
  if (msg.type.kind != Kind::string)
    return fail(ErrorCode::bad_message, "a message needs a string 'type'");
  const auto& type = msg.type.text;
  if (type == "signal") {
    if (msg.to.kind != Kind::string)
      return fail(ErrorCode::bad_message, "signal needs a string 'to'");
    if (msg.data.kind != Kind::object)
      return fail(ErrorCode::bad_message, "signal needs an object 'data'");
    return ClientMessage{
        Signal{std::move(msg.to.text), std::string(member_value(text, msg.data.ordinal))}};
  }
  if (type == "join") {
    if (msg.room.kind != Kind::string)
      return fail(ErrorCode::bad_message, "join needs a string 'room'");
    if (msg.name.kind != Kind::string)
      return fail(ErrorCode::bad_message, "join needs a string 'name'");
    if (!valid_display_name(msg.name.text, limits.max_name_bytes)) {
      return fail(
          ErrorCode::invalid_name,
          "name must be 1-" + std::to_string(limits.max_name_bytes) + " bytes of printable UTF-8");
    }
    return ClientMessage{Join{std::move(msg.room.text), std::move(msg.name.text)}};
  }
  if (type == "create-room") return ClientMessage{CreateRoom{}};
  if (type == "leave") return ClientMessage{Leave{}};
  if (type == "ping") return ClientMessage{Ping{}};
  return fail(ErrorCode::unknown_type, "unknown message type");
}

bool valid_display_name(std::string_view name, std::size_t max_bytes) {
  if (name.empty() || name.size() > max_bytes) return false;
  bool has_visible = false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
    if (c != ' ') has_visible = true;
  }
  // Also refuse C1 controls (U+0080..U+009F, encoded C2 80..C2 9F) and bidi overrides (U+202A..E,
  // U+2066..9): they let one name disguise itself as another in the peer list.
  for (std::size_t i = 0; i + 1 < name.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(name[i]);
    const auto b1 = static_cast<unsigned char>(name[i + 1]);
    if (b0 == 0xC2 && b1 >= 0x80 && b1 <= 0x9F) return false;
    if (i + 2 < name.size() && b0 == 0xE2) {
      const auto b2 = static_cast<unsigned char>(name[i + 2]);
      if (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) return false;
      if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return false;
    }
  }
  return has_visible;
}

bool valid_id_syntax(std::string_view id, std::size_t min_len, std::size_t max_len) {
  if (id.size() < min_len || id.size() > max_len) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string base64url(const std::uint8_t* bytes, std::size_t size) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    acc = (acc << 8) | bytes[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::string make_welcome(std::size_t max_message_bytes, std::size_t room_capacity,
                         double rate_per_s) {
  return json{{"v", protocol_version},
              {"type", "welcome"},
              {"limits",
               {{"maxMessageBytes", max_message_bytes},
                {"roomCapacity", room_capacity},
                {"messagesPerSecond", rate_per_s}}}}
      .dump();
}

std::string make_room_created(std::string_view room) {
  return json{{"v", protocol_version}, {"type", "room-created"}, {"room", room}}.dump();
}

std::string make_joined(std::string_view room, const PeerInfo& self,
                        const std::vector<PeerInfo>& peers) {
  json list = json::array();
  for (const auto& p : peers) list.push_back({{"id", p.id}, {"name", p.name}});
  return json{{"v", protocol_version},
              {"type", "joined"},
              {"room", room},
              {"self", {{"id", self.id}, {"name", self.name}}},
              {"peers", std::move(list)}}
      .dump();
}

std::string make_peer_joined(const PeerInfo& peer) {
  return json{{"v", protocol_version},
              {"type", "peer-joined"},
              {"peer", {{"id", peer.id}, {"name", peer.name}}}}
      .dump();
}

std::string make_peer_left(std::string_view peer_id) {
  return json{{"v", protocol_version}, {"type", "peer-left"}, {"peer", peer_id}}.dump();
}

std::string make_left(std::string_view room) {
  return json{{"v", protocol_version}, {"type", "left"}, {"room", room}}.dump();
}

std::string make_signal(std::string_view from, std::string_view data_json) {
  // The hot path: `from` is a server-made base64url id and `data_json` came out of the JSON
  // serialiser, so concatenation yields valid JSON without another DOM round trip.
  std::string out;
  out.reserve(40 + from.size() + data_json.size());
  out.append(R"({"v":1,"type":"signal","from":")");
  out.append(from);
  out.append(R"(","data":)");
  out.append(data_json);
  out.push_back('}');
  return out;
}

std::string make_pong() {
  return json{{"v", protocol_version}, {"type", "pong"}}.dump();
}

std::string make_error(ErrorCode code, std::string_view detail) {
  return json{{"v", protocol_version},
              {"type", "error"},
              {"code", error_code_name(code)},
              {"message", detail}}
      .dump();
}

std::string make_shutdown() {
  return json{{"v", protocol_version}, {"type", "shutdown"}}.dump();
}

}  // namespace cieloweb::signaling
