// What one node tells another over its Redis channel (one channel per node, see
// docs/scale-out.md). A message is one header line and, for deliveries, the text to hand on as
// is: the sending node already serialised it, so the receiver never parses client JSON.
//   D <room> <peer>\n<text>   deliver <text> to <peer> of <room>, if it is still here
//   B <room>\n<text>          deliver <text> to every member of <room> on this node
//   J <room> <peer> <node>    <peer> joined <room> through <node>
//   L <room> <peer>           <peer> left <room>
// Ids are base64url (rooms, peers) or hex (nodes): never a space or a newline.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cieloweb::server::cluster {

struct NodeMessage {
  enum class Kind { deliver, broadcast, joined, left } kind = Kind::deliver;
  std::string_view room;
  std::string_view peer;  // deliver, joined, left
  std::string_view node;  // joined
  std::string_view text;  // deliver, broadcast
};

std::string encode_deliver(std::string_view room, std::string_view peer, std::string_view text);
std::string encode_broadcast(std::string_view room, std::string_view text);
std::string encode_joined(std::string_view room, std::string_view peer, std::string_view node);
std::string encode_left(std::string_view room, std::string_view peer);

// Several messages for one node travel as one publish (the publisher batches what queued up while
// Redis answered the last batch): each framed as its length in decimal, a newline, its bytes.
void append_framed(std::string& payload, std::string_view message);
// The messages of a framed payload; nullopt when the framing is broken (nothing is delivered).
std::optional<std::vector<std::string_view>> split_framed(std::string_view payload);

// Views into `payload`; nullopt for anything malformed (Redis is trusted, but a bug or a stray
// publisher must not crash a node).
std::optional<NodeMessage> parse_node_message(std::string_view payload);

}  // namespace cieloweb::server::cluster
