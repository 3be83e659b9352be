// Who a client is, for per-address limits: IP addresses, CIDR ranges, and the client address a
// request stands for when it arrives through a trusted reverse proxy (X-Forwarded-For, or the
// RFC 7239 Forwarded header). Pure functions: no sockets, so every edge case is unit-tested.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cieloweb::server {

// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket
// reports for an IPv4 client) is stored as the IPv4 address, so both spellings are one client.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
  bool v4 = false;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  std::string to_string() const;
};

// A bare address: "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1". Nothing else (no brackets,
// ports, zones or spaces): @return nullopt.
std::optional<IpAddress> parse_ip(std::string_view text);

// One hop as proxies write it in a forwarding header: a bare address, "[v6]", "[v6]:port" or
// "v4:port". @return nullopt for anything else, including RFC 7239's "unknown" and obfuscated
// "_identifiers": such a hop names no address.
std::optional<IpAddress> parse_forwarded_node(std::string_view text);

struct Cidr {
  IpAddress network;  // host bits cleared
  unsigned prefix_bits = 0;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (one host). Host bits set in the network part
// are refused ("10.0.0.1/8" is more likely a typo than a wish). @return nullopt when invalid.
std::optional<Cidr> parse_cidr(std::string_view text);
bool cidr_contains(const Cidr& range, const IpAddress& address);
bool any_contains(std::span<const Cidr> ranges, const IpAddress& address);

// A comma- or space-separated list of CIDRs. @return the list (possibly empty), or the first
// item that is not a CIDR.
std::variant<std::vector<Cidr>, std::string> parse_cidr_list(std::string_view text);

// Which header a trusted proxy appends the client address to. Only that one is read: the other
// came from the client untouched (a proxy that appends X-Forwarded-For passes a client's own
// Forwarded header through), so reading it would let clients pick their address.
enum class ProxyHeader { x_forwarded_for, forwarded };

// The hops of X-Forwarded-For, left (the original client) to right (the nearest proxy's peer),
// over every header line in order. Entries are trimmed, not validated.
std::vector<std::string_view> x_forwarded_for_hops(std::span<const std::string_view> values);

// The `for=` value of each RFC 7239 Forwarded element, left to right, unquoted; an element
// without `for` (or one that cannot be parsed) gives an empty hop.
std::vector<std::string> forwarded_for_hops(std::span<const std::string_view> values);

// The client a request stands for. A TCP `peer` outside `trusted` is the client, whatever its
// headers say. A trusted peer is a proxy: the hops of `header` are read from the right, each hop
// being what a trusted proxy saw connecting to it; the first hop that is not itself trusted is the
// client. A hop that names no address stops the walk at the last trusted address, so what a
// client writes in the header can never choose its address: at worst it shares its proxy's.
IpAddress resolve_client_address(const IpAddress& peer,
                                 std::span<const std::string_view> header_values,
                                 ProxyHeader header, std::span<const Cidr> trusted);

// The key per-address limits count under: an IPv4 address, or an IPv6 /64 (one subscriber usually
// holds a whole /64, so counting single IPv6 addresses would let one client be many).
std::string limit_key(const IpAddress& address);

}  // namespace cieloweb::server
