#include "client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace cieloweb::server {
namespace {

// Header values are at most a few KiB (the HTTP header limit), but a hop list is still capped so
// the walk's cost never depends on what a client sends.
constexpr std::size_t max_hops = 64;

constexpr std::string_view whitespace = " \t";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(whitespace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(whitespace);
  return text.substr(first, last - first + 1);
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

unsigned address_bits(const IpAddress& address) {
  return address.v4 ? 32 : 128;
}

// Splits on every `separator`, quoted or not. Addresses never contain commas or semicolons, and a
// quote-aware split would let a client's unbalanced quote swallow the hops proxies append after it.
std::vector<std::string_view> split_all(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (auto at = text.find(separator); at != std::string_view::npos;
       at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

// A token or a quoted-string; nullopt when a quote is unbalanced.
std::optional<std::string> unquote(std::string_view value) {
  if (value.empty() || value.front() != '"') return std::string(value);
  if (value.size() < 2 || value.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\\') {
      if (i + 2 >= value.size()) return std::nullopt;
      ++i;
    }
    out.push_back(value[i]);
  }
  return out;
}

}  // namespace

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);  // inet_pton needs a terminated string
  IpAddress out;
  if (inet_pton(AF_INET, copy.c_str(), out.bytes.data()) == 1) {
    out.v4 = true;
    return out;
  }
  if (inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) != 1) return std::nullopt;
  const bool v4_mapped = std::all_of(out.bytes.begin(), out.bytes.begin() + 10,
                                     [](std::uint8_t b) { return b == 0; }) &&
                         out.bytes[10] == 0xff && out.bytes[11] == 0xff;
  if (v4_mapped) {
    IpAddress v4;
    std::copy(out.bytes.begin() + 12, out.bytes.end(), v4.bytes.begin());
    v4.v4 = true;
    return v4;
  }
  return out;
}

std::optional<IpAddress> parse_forwarded_node(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return std::nullopt;
    auto address = parse_ip(text.substr(1, close - 1));
    // Brackets are for IPv6 only; "[192.0.2.1]" is not a form any proxy writes.
    if (address && address->v4 && text.substr(1, close - 1).find(':') == std::string_view::npos)
      return std::nullopt;
    return address;
  }
  if (auto address = parse_ip(text)) return address;
  // "a.b.c.d:port": one colon, so it cannot be a bare IPv6 address.
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
    return std::nullopt;
  if (!all_digits(text.substr(colon + 1))) return std::nullopt;
  auto address = parse_ip(text.substr(0, colon));
  if (address && !address->v4) return std::nullopt;
  return address;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  auto address = parse_ip(text.substr(0, slash));
  if (!address) return std::nullopt;
  // An IPv4-mapped network with a /96+ prefix is an IPv4 network: its prefix counts from bit 96.
  const bool mapped = address->v4 && text.substr(0, slash).find(':') != std::string_view::npos;
  unsigned prefix = address_bits(*address);
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
    if (mapped) {
      if (prefix < 96 || prefix > 128) return std::nullopt;
      prefix -= 96;
    }
    if (prefix > address_bits(*address)) return std::nullopt;
  }
  for (unsigned bit = prefix; bit < address_bits(*address); ++bit) {
    if (address->bytes[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
  }
  return Cidr{*address, prefix};
}

bool cidr_contains(const Cidr& range, const IpAddress& address) {
  if (range.network.v4 != address.v4) return false;
  const unsigned whole = range.prefix_bits / 8;
  if (!std::equal(range.network.bytes.begin(), range.network.bytes.begin() + whole,
                  address.bytes.begin()))
    return false;
  const unsigned rest = range.prefix_bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
  return (range.network.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

bool any_contains(std::span<const Cidr> ranges, const IpAddress& address) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const Cidr& range) { return cidr_contains(range, address); });
}

std::variant<std::vector<Cidr>, std::string> parse_cidr_list(std::string_view text) {
  std::vector<Cidr> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of(", ", start);
    if (end == std::string_view::npos) end = text.size();
    const auto item = text.substr(start, end - start);
    if (!item.empty()) {
      auto range = parse_cidr(item);
      if (!range) return std::string(item);
      out.push_back(*range);
    }
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> x_forwarded_for_hops(std::span<const std::string_view> values) {
  std::vector<std::string_view> hops;
  for (const auto value : values) {
    for (const auto part : split_all(value, ',')) {
      // An empty line or ", ," is a client's doing, not a proxy's: keep it, so it stops the walk.
      hops.push_back(trim(part));
      if (hops.size() > max_hops) hops.erase(hops.begin());
    }
  }
  return hops;
}

std::vector<std::string> forwarded_for_hops(std::span<const std::string_view> values) {
  std::vector<std::string> hops;
  for (const auto value : values) {
    for (const auto element : split_all(value, ',')) {
      std::string hop;
      for (const auto pair : split_all(element, ';')) {
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (!ieq(trim(pair.substr(0, eq)), "for")) continue;
        hop = unquote(trim(pair.substr(eq + 1))).value_or("");
        break;
      }
      hops.push_back(std::move(hop));
      if (hops.size() > max_hops) hops.erase(hops.begin());
    }
  }
  return hops;
}

IpAddress resolve_client_address(const IpAddress& peer,
                                 std::span<const std::string_view> header_values,
                                 ProxyHeader header, std::span<const Cidr> trusted) {
  if (!any_contains(trusted, peer)) return peer;
  std::vector<std::string> owned;
  std::vector<std::string_view> hops;
  if (header == ProxyHeader::x_forwarded_for) {
    hops = x_forwarded_for_hops(header_values);
  } else {
    owned = forwarded_for_hops(header_values);
    hops.assign(owned.begin(), owned.end());
  }
  IpAddress client = peer;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = parse_forwarded_node(*hop);
    if (!address) break;
    client = *address;
    if (!any_contains(trusted, client)) break;
  }
  return client;
}

std::string limit_key(const IpAddress& address) {
  if (address.v4) return address.to_string();
  IpAddress prefix = address;
  std::fill(prefix.bytes.begin() + 8, prefix.bytes.end(), std::uint8_t{0});
  return prefix.to_string() + "/64";
}

}  // namespace cieloweb::server
