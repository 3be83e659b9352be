#include "signaling/protocol.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "cieloweb/json_text.hpp"
#include "signaling/json_scan.hpp"

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
    case ErrorCode::too_many_rooms_created:
      return "too-many-rooms-created";
    case ErrorCode::invalid_token:
      return "invalid-token";
    case ErrorCode::try_again_later:
      return "try-again-later";
    case ErrorCode::accounts_off:
      return "accounts-off";
  }
  return "unknown";
}

std::size_t json_depth(std::string_view text, std::size_t cap) {
  return json_nesting_depth(text, cap);
}

namespace {

// Collects the top-level members the protocol reads while the scanner validates the whole text
// (syntax, UTF-8). Nothing is copied but the strings a message type needs, and "data" is relayed
// as the span of text it was sent as. Duplicate keys: the last one wins, as with a DOM.
class TopLevel final : public JsonScanner {
 public:
  struct Field {
    bool present = false;
    JsonKind kind = JsonKind::literal;
    std::string_view raw;  // the value's text; a string's contents between the quotes
    bool escaped = false;
    bool is_string() const { return present && kind == JsonKind::string; }
    std::string text() const { return escaped ? decode_json_string(raw) : std::string(raw); }
  };
  Field type, v, room, name, to, data, token;

 private:
  void on_top_member(const JsonMember& member) override {
    Field* field = nullptr;
    if (member.key_escaped) {
      field = field_named(decode_json_string(member.key));  // rare: "t\u0079pe" is "type"
    } else {
      field = field_named(member.key);
    }
    if (field != nullptr) *field = {true, member.kind, member.value, member.value_escaped};
  }

  Field* field_named(std::string_view key) {
    return key == "type"    ? &type
           : key == "v"     ? &v
           : key == "room"  ? &room
           : key == "name"  ? &name
           : key == "to"    ? &to
           : key == "data"  ? &data
           : key == "token" ? &token
                            : nullptr;
  }
};

}  // namespace

ParseResult parse_client_message(std::string_view text, const ParseLimits& limits) {
  if (json_depth(text, limits.max_depth) > limits.max_depth) {
    return fail(ErrorCode::too_deep, "nesting deeper than " + std::to_string(limits.max_depth));
  }
  TopLevel msg;
  if (!msg.scan(text)) return fail(ErrorCode::bad_json, "not valid JSON text");
  if (!msg.top_is_object()) return fail(ErrorCode::bad_message, "a message is a JSON object");
  // "1" is the only JSON spelling of the integer 1 ("1.0" and "1e0" are not integers).
  if (msg.v.present && !(msg.v.kind == JsonKind::number && msg.v.raw == "1")) {
    return fail(ErrorCode::unsupported_version, "this server speaks version 1");
  }
  if (!msg.type.is_string()) return fail(ErrorCode::bad_message, "a message needs a string 'type'");
  const std::string type = msg.type.text();
  if (type == "signal") {
    if (!msg.to.is_string()) return fail(ErrorCode::bad_message, "signal needs a string 'to'");
    if (!msg.data.present || msg.data.kind != JsonKind::object)
      return fail(ErrorCode::bad_message, "signal needs an object 'data'");
    return ClientMessage{Signal{msg.to.text(), std::string(msg.data.raw)}};
  }
  if (type == "join") {
    if (!msg.room.is_string()) return fail(ErrorCode::bad_message, "join needs a string 'room'");
    if (!msg.name.is_string()) return fail(ErrorCode::bad_message, "join needs a string 'name'");
    std::string name = msg.name.text();
    if (!valid_display_name(name, limits.max_name_bytes)) {
      return fail(
          ErrorCode::invalid_name,
          "name must be 1-" + std::to_string(limits.max_name_bytes) + " bytes of printable UTF-8");
    }
    return ClientMessage{Join{msg.room.text(), std::move(name)}};
  }
  if (type == "sign-in") {
    // A JWT is base64url and dots: a token with escapes is not one.
    if (!msg.token.is_string() || msg.token.escaped || msg.token.raw.empty() ||
        msg.token.raw.size() > max_sign_in_token_bytes)
      return fail(ErrorCode::bad_message, "sign-in needs a string 'token'");
    return ClientMessage{SignIn{std::string(msg.token.raw)}};
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

std::string make_signed_in(std::string_view plan, std::size_t room_capacity) {
  return json{{"v", protocol_version},
              {"type", "signed-in"},
              {"plan", plan},
              {"roomCapacity", room_capacity}}
      .dump();
}

std::string make_room_created(std::string_view room) {
  return json{{"v", protocol_version}, {"type", "room-created"}, {"room", room}}.dump();
}

std::string make_joined(std::string_view room, const PeerInfo& self,
                        const std::vector<PeerInfo>& peers, std::size_t capacity, const json* ice) {
  json list = json::array();
  for (const auto& p : peers) list.push_back({{"id", p.id}, {"name", p.name}});
  json joined{{"v", protocol_version},
              {"type", "joined"},
              {"room", room},
              {"self", {{"id", self.id}, {"name", self.name}}},
              {"peers", std::move(list)},
              {"capacity", capacity}};
  if (ice != nullptr) joined["ice"] = *ice;
  return joined.dump();
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
