// libFuzzer target for the client-address decoders (client_address.hpp): IP and CIDR parsing and
// the forwarding headers a trusted proxy sends (X-Forwarded-For, RFC 7239 Forwarded). Besides
// memory safety it checks what the limits rely on: a parsed address prints and parses back to
// itself, a range contains its own network, a peer outside the trusted ranges is always its own
// client whatever its headers say, and a resolved client is the peer or an address some hop named.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "client_address.hpp"

using namespace cieloweb::server;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_address_text(std::string_view text) {
  const auto address = parse_ip(text);
  if (!address) return;
  const auto again = parse_ip(address->to_string());
  check(again.has_value() && *again == *address);
  check(!limit_key(*address).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const std::string peer_text = input.ConsumeRandomLengthString(64);
  const std::string trusted_text = input.ConsumeRandomLengthString(256);
  const ProxyHeader header =
      input.ConsumeBool() ? ProxyHeader::forwarded : ProxyHeader::x_forwarded_for;
  std::vector<std::string> lines;
  while (input.remaining_bytes() > 0 && lines.size() < 8)
    lines.push_back(input.ConsumeRandomLengthString(512));
  std::vector<std::string_view> values(lines.begin(), lines.end());

  check_address_text(peer_text);
  for (const auto& hop : x_forwarded_for_hops(values)) check_address_text(hop);
  for (const auto& hop : forwarded_for_hops(values)) {
    if (const auto node = parse_forwarded_node(hop)) check_address_text(node->to_string());
  }

  std::vector<Cidr> trusted;
  const auto parsed = parse_cidr_list(trusted_text);
  if (const auto* list = std::get_if<std::vector<Cidr>>(&parsed)) trusted = *list;
  for (const auto& range : trusted) check(cidr_contains(range, range.network));

  const auto peer = parse_ip(peer_text);
  if (!peer) return 0;
  const IpAddress client = resolve_client_address(*peer, values, header, trusted);
  if (!any_contains(trusted, *peer)) {
    check(client == *peer);
    return 0;
  }
  // A trusted peer: the client is the peer itself or an address one of the hops named.
  bool named = client == *peer;
  if (header == ProxyHeader::x_forwarded_for) {
    for (const auto& hop : x_forwarded_for_hops(values)) {
      const auto node = parse_forwarded_node(hop);
      named = named || (node && *node == client);
    }
  } else {
    for (const auto& hop : forwarded_for_hops(values)) {
      const auto node = parse_forwarded_node(hop);
      named = named || (node && *node == client);
    }
  }
  check(named);
  return 0;
}
