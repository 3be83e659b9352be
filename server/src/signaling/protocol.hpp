// The signaling protocol, version 1 (docs/signaling.md): JSON text messages on /ws. This file
// parses and validates client messages and builds server messages; it knows nothing of rooms or
// sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "signaling/shared_limits.hpp"  // generated from protocol/limits.json

namespace cieloweb::signaling {

inline constexpr int protocol_version = 1;

// Error codes sent to clients in {"type":"error","code":...}. Their spellings are the protocol.
enum class ErrorCode {
  bad_json,             // not JSON, or not UTF-8
  bad_message,          // JSON, but not an object with the fields the type requires
  too_deep,             // nesting deeper than the limit
  unknown_type,         // "type" names no client message
  unsupported_version,  // "v" present and not 1
  rate_limited,         // more messages than the per-connection rate allows
  room_not_found,
  room_full,
  already_in_room,
  not_in_room,
  invalid_name,
  peer_not_found,  // the signal's target is not a peer of the sender's room
  too_many_guesses,
  too_many_rooms,          // the server holds --max-rooms rooms
  too_many_rooms_created,  // this client address created rooms faster than it may
  invalid_token,           // sign-in: the ID token was refused (the connection stays anonymous)
  try_again_later,         // sign-in: it could not be checked now (keys, database, overload)
  accounts_off,            // sign-in: this server has no accounts
};

std::string_view error_code_name(ErrorCode code);

struct CreateRoom {};
struct Join {
  std::string room;
  std::string name;
};
struct Leave {};
struct Signal {
  std::string to;
  std::string data_json;  // the "data" object's text as sent: relayed, never inspected or logged
};
struct Ping {};
// A signed-in page hands over its Firebase ID token (docs/accounts.md): the plan then decides the
// capacity of rooms this connection creates, and the TURN allowance.
struct SignIn {
  std::string token;
};
inline constexpr std::size_t max_sign_in_token_bytes = 8 * 1024;  // as the token reader's cap

using ClientMessage = std::variant<CreateRoom, Join, Leave, Signal, Ping, SignIn>;

struct ProtocolError {
  ErrorCode code;
  std::string detail;  // for the client; never contains the message's content
};

struct ParseLimits {
  std::size_t max_depth = 8;
  std::size_t max_name_bytes = display_name_max_bytes;
};

using ParseResult = std::variant<ClientMessage, ProtocolError>;

// Parses one text message. Checks, in this order: nesting depth (before any parsing, so hostile
// input costs one linear scan), JSON syntax and UTF-8, an object with a string "type", "v" if
// present, then the fields of that type (unknown extra fields are ignored for forward
// compatibility).
ParseResult parse_client_message(std::string_view text, const ParseLimits& limits);

// Deepest [ / { nesting in `text`, counting only outside strings. Stops counting past `cap`. The
// core's json_nesting_depth (cieloweb/json_text.hpp), under the name the protocol uses.
std::size_t json_depth(std::string_view text, std::size_t cap);

// A display name is valid UTF-8 (already checked by the JSON parser), 1..max_bytes bytes, has no
// control characters and is not only whitespace.
bool valid_display_name(std::string_view name, std::size_t max_bytes);

// Room and peer ids are base64url without padding.
bool valid_id_syntax(std::string_view id, std::size_t min_len, std::size_t max_len);
std::string base64url(const std::uint8_t* bytes, std::size_t size);

// A member of a room as every peer sees it.
struct PeerInfo {
  std::string id;
  std::string name;
};

// Server -> client messages, serialised. Every one carries "v":1 and "type".
std::string make_welcome(std::size_t max_message_bytes, std::size_t room_capacity,
                         double rate_per_s);
std::string make_room_created(std::string_view room);
// `ice`: {"iceServers": [...], "iceTransportPolicy": ...} for this peer, or null for none.
// `capacity`: the room's own, so that the page can show it.
std::string make_joined(std::string_view room, const PeerInfo& self,
                        const std::vector<PeerInfo>& peers, std::size_t capacity,
                        const nlohmann::json* ice = nullptr);
// The answer to sign-in: the plan and the capacity of rooms this connection creates from now on.
std::string make_signed_in(std::string_view plan, std::size_t room_capacity);
std::string make_peer_joined(const PeerInfo& peer);
std::string make_peer_left(std::string_view peer_id);
std::string make_left(std::string_view room);
std::string make_signal(std::string_view from, std::string_view data_json);
std::string make_pong();
std::string make_error(ErrorCode code, std::string_view detail);
std::string make_shutdown();

}  // namespace cieloweb::signaling
