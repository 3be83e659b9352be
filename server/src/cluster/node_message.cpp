#include "cluster/node_message.hpp"

#include <vector>

namespace cieloweb::server::cluster {
namespace {

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!id_char(c)) return false;
  return true;
}

// The header's words after the kind letter, each a valid id.
std::optional<std::vector<std::string_view>> header_ids(std::string_view header) {
  std::vector<std::string_view> ids;
  while (!header.empty()) {
    if (header.front() != ' ') return std::nullopt;
    header.remove_prefix(1);
    const auto end = header.find(' ');
    const auto id = header.substr(0, end);
    if (!valid_id(id)) return std::nullopt;
    ids.push_back(id);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end);
  }
  return ids;
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (auto p : parts) out.append(p);
  return out;
}

}  // namespace

std::string encode_deliver(std::string_view room, std::string_view peer, std::string_view text) {
  return join({"D ", room, " ", peer, "\n", text});
}

std::string encode_broadcast(std::string_view room, std::string_view text) {
  return join({"B ", room, "\n", text});
}

std::string encode_joined(std::string_view room, std::string_view peer, std::string_view node) {
  return join({"J ", room, " ", peer, " ", node});
}

std::string encode_left(std::string_view room, std::string_view peer) {
  return join({"L ", room, " ", peer});
}

void append_framed(std::string& payload, std::string_view message) {
  payload.append(std::to_string(message.size()));
  payload.push_back('\n');
  payload.append(message);
}

std::optional<std::vector<std::string_view>> split_framed(std::string_view payload) {
  std::vector<std::string_view> messages;
  while (!payload.empty()) {
    const auto newline = payload.find('\n');
    if (newline == std::string_view::npos || newline == 0 || newline > 10) return std::nullopt;
    std::size_t size = 0;
    for (char c : payload.substr(0, newline)) {
      if (c < '0' || c > '9') return std::nullopt;
      size = size * 10 + static_cast<std::size_t>(c - '0');
    }
    payload.remove_prefix(newline + 1);
    if (size > payload.size()) return std::nullopt;
    messages.push_back(payload.substr(0, size));
    payload.remove_prefix(size);
  }
  return messages;
}

std::optional<NodeMessage> parse_node_message(std::string_view payload) {
  if (payload.empty()) return std::nullopt;
  const auto newline = payload.find('\n');
  const std::string_view header = payload.substr(0, newline);
  const std::string_view text =
      newline == std::string_view::npos ? std::string_view{} : payload.substr(newline + 1);
  const auto ids = header_ids(header.substr(1));
  if (!ids) return std::nullopt;
  NodeMessage msg;
  const bool has_text = newline != std::string_view::npos;
  switch (header.front()) {
    case 'D':
      if (ids->size() != 2 || !has_text) return std::nullopt;
      msg = {NodeMessage::Kind::deliver, (*ids)[0], (*ids)[1], {}, text};
      break;
    case 'B':
      if (ids->size() != 1 || !has_text) return std::nullopt;
      msg = {NodeMessage::Kind::broadcast, (*ids)[0], {}, {}, text};
      break;
    case 'J':
      if (ids->size() != 3 || has_text) return std::nullopt;
      msg = {NodeMessage::Kind::joined, (*ids)[0], (*ids)[1], (*ids)[2], {}};
      break;
    case 'L':
      if (ids->size() != 2 || has_text) return std::nullopt;
      msg = {NodeMessage::Kind::left, (*ids)[0], (*ids)[1], {}, {}};
      break;
    default:
      return std::nullopt;
  }
  return msg;
}

}  // namespace cieloweb::server::cluster
