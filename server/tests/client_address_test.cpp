// Address parsing, CIDR matching and forwarding headers: the pure logic behind --trusted-proxies.
#include "client_address.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace cieloweb::server;

namespace {

IpAddress ip(std::string_view text) {
  const auto parsed = parse_ip(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::vector<Cidr> cidrs(std::string_view text) {
  auto parsed = parse_cidr_list(text);
  REQUIRE(std::holds_alternative<std::vector<Cidr>>(parsed));
  return std::get<std::vector<Cidr>>(parsed);
}

std::string resolve(std::string_view peer, std::vector<std::string_view> values,
                    std::string_view trusted, ProxyHeader header = ProxyHeader::x_forwarded_for) {
  const auto ranges = cidrs(trusted);
  return resolve_client_address(ip(peer), values, header, ranges).to_string();
}

}  // namespace

TEST_CASE("addresses: IPv4, IPv6, and IPv4-mapped IPv6 as IPv4") {
  CHECK(ip("192.0.2.1").v4);
  CHECK(ip("192.0.2.1").to_string() == "192.0.2.1");
  CHECK(ip("::ffff:192.0.2.1") == ip("192.0.2.1"));
  CHECK(ip("::FFFF:c000:0201") == ip("192.0.2.1"));
  CHECK_FALSE(ip("2001:db8::1").v4);
  CHECK(ip("2001:DB8:0:0::1").to_string() == "2001:db8::1");
  CHECK(ip("::1").to_string() == "::1");
  CHECK_FALSE(ip("::192.0.2.1") == ip("192.0.2.1"));  // IPv4-compatible is not IPv4-mapped
  for (const char* bad : {"", " 192.0.2.1", "192.0.2.1 ", "192.0.2", "192.0.2.256", "1.2.3.4.5",
                          "[::1]", "::1%lo", "2001:db8::1::2", "::ffff:1.2.3", "unknown",
                          "192.0.2.1:80", "0x7f.0.0.1", "12345:db8::1"}) {
    CHECK_MESSAGE(!parse_ip(bad), bad);
  }
}

TEST_CASE("forwarding-header hops: brackets and ports as proxies write them") {
  const auto node = [](std::string_view text) {
    const auto parsed = parse_forwarded_node(text);
    return parsed ? parsed->to_string() : std::string("-");
  };
  CHECK(node("192.0.2.60") == "192.0.2.60");
  CHECK(node(" 192.0.2.60\t") == "192.0.2.60");
  CHECK(node("192.0.2.60:4711") == "192.0.2.60");
  CHECK(node("[2001:db8:cafe::17]") == "2001:db8:cafe::17");
  CHECK(node("[2001:db8:cafe::17]:4711") == "2001:db8:cafe::17");
  CHECK(node("2001:db8:cafe::17") == "2001:db8:cafe::17");
  CHECK(node("[::ffff:192.0.2.9]:1") == "192.0.2.9");
  for (const char* bad :
       {"", "unknown", "_hidden", "_SEVKISEK", "[2001:db8::1", "[2001:db8::1]x",
        "[2001:db8::1]:", "[2001:db8::1]:123456", "[192.0.2.1]", "192.0.2.1:", "192.0.2.1:http",
        "192.0.2.1:80:80", "2001:db8::1:80x", "\"192.0.2.1\"", "[]", "[:80"}) {
    CHECK_MESSAGE(node(bad) == "-", bad);
  }
}

TEST_CASE("CIDR ranges: parsing, prefixes at and between byte boundaries, families kept apart") {
  const auto range = [](std::string_view text) {
    const auto parsed = parse_cidr(text);
    REQUIRE(parsed.has_value());
    return *parsed;
  };
  CHECK(cidr_contains(range("10.0.0.0/8"), ip("10.255.1.2")));
  CHECK_FALSE(cidr_contains(range("10.0.0.0/8"), ip("11.0.0.0")));
  CHECK(cidr_contains(range("192.0.2.128/25"), ip("192.0.2.200")));
  CHECK_FALSE(cidr_contains(range("192.0.2.128/25"), ip("192.0.2.127")));
  CHECK(cidr_contains(range("0.0.0.0/0"), ip("203.0.113.1")));
  CHECK_FALSE(cidr_contains(range("0.0.0.0/0"), ip("2001:db8::1")));  // /0 of one family only
  CHECK(cidr_contains(range("127.0.0.1"), ip("127.0.0.1")));
  CHECK_FALSE(cidr_contains(range("127.0.0.1"), ip("127.0.0.2")));
  CHECK(cidr_contains(range("2001:db8::/32"), ip("2001:db8:ffff::1")));
  CHECK_FALSE(cidr_contains(range("2001:db8::/33"), ip("2001:db8:8000::1")));
  CHECK(cidr_contains(range("2001:db8::/33"), ip("2001:db8:7fff::1")));
  CHECK(cidr_contains(range("::/0"), ip("::1")));
  CHECK_FALSE(cidr_contains(range("::/0"), ip("127.0.0.1")));
  CHECK(cidr_contains(range("::ffff:10.0.0.0/104"), ip("10.1.2.3")));  // a mapped network is IPv4
  CHECK(cidr_contains(range("::1"), ip("::1")));
  for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.1/8", "10.0.0.0/-1",
                          "10.0.0.0/8/8", "2001:db8::/129", "2001:db8::1/64", "::ffff:10.0.0.0/95",
                          "10/8", "10.0.0.0/ 8", "10.0.0.0/0008", "fe80::/10x", "localhost"}) {
    CHECK_MESSAGE(!parse_cidr(bad), bad);
  }
  const auto list = cidrs(" 10.0.0.0/8, 192.168.0.0/16 ::1,,");
  CHECK(list.size() == 3);
  CHECK(cidrs("").empty());
  const auto bad = parse_cidr_list("10.0.0.0/8,10.0.0.1/8");
  REQUIRE(std::holds_alternative<std::string>(bad));
  CHECK(std::get<std::string>(bad) == "10.0.0.1/8");
}

TEST_CASE("X-Forwarded-For: hops over every header line, in order") {
  std::vector<std::string_view> values = {"203.0.113.1, 198.51.100.2", " 10.0.0.1 ,", "x"};
  const auto hops = x_forwarded_for_hops(values);
  REQUIRE(hops.size() == 5);
  CHECK(hops[0] == "203.0.113.1");
  CHECK(hops[2] == "10.0.0.1");
  CHECK(hops[3].empty());
  CHECK(hops[4] == "x");
}

TEST_CASE("Forwarded (RFC 7239): the for= of each element, quoted or not, any case") {
  std::vector<std::string_view> values = {
      "for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\"",
      "proto=https;for=unknown", "by=10.0.0.1", "for=\"_hidden\", for=\"\\\"x\""};
  const auto hops = forwarded_for_hops(values);
  REQUIRE(hops.size() == 6);
  CHECK(hops[0] == "192.0.2.60");
  CHECK(hops[1] == "[2001:db8:cafe::17]:4711");
  CHECK(hops[2] == "unknown");
  CHECK(hops[3].empty());  // no for= in that element
  CHECK(hops[4] == "_hidden");
  CHECK(hops[5] == "\"x");
  // An unbalanced quote from a client cannot swallow the hop its proxy appended after it.
  std::vector<std::string_view> swallow = {"for=\"198.51.100.9, for=192.0.2.77"};
  const auto kept = forwarded_for_hops(swallow);
  REQUIRE(kept.size() == 2);
  CHECK(kept[1] == "192.0.2.77");
}

TEST_CASE("client address: headers count only from trusted peers") {
  // An untrusted peer is the client, whatever it claims.
  CHECK(resolve("203.0.113.5", {"198.51.100.1"}, "10.0.0.0/8") == "203.0.113.5");
  CHECK(resolve("203.0.113.5", {"198.51.100.1"}, "") == "203.0.113.5");
  // One trusted proxy: the hop it appended is the client.
  CHECK(resolve("10.0.0.2", {"198.51.100.1"}, "10.0.0.0/8") == "198.51.100.1");
  // A client's own forged entries are left of its proxy's hop and never read.
  CHECK(resolve("10.0.0.2", {"1.2.3.4, 10.9.9.9, 198.51.100.1"}, "10.0.0.0/8") == "198.51.100.1");
  // A chain of trusted proxies is walked through; the first untrusted hop is the client.
  CHECK(resolve("10.0.0.2", {"198.51.100.1, 10.0.0.3"}, "10.0.0.0/8") == "198.51.100.1");
  CHECK(resolve("10.0.0.2", {"198.51.100.1", "10.0.0.3"}, "10.0.0.0/8") == "198.51.100.1");
  // Every hop trusted: the leftmost (an internal client, a health check).
  CHECK(resolve("10.0.0.2", {"10.0.0.7, 10.0.0.3"}, "10.0.0.0/8") == "10.0.0.7");
  // No header, an empty one, or a hop that names no address: the last trusted address.
  CHECK(resolve("10.0.0.2", {}, "10.0.0.0/8") == "10.0.0.2");
  CHECK(resolve("10.0.0.2", {""}, "10.0.0.0/8") == "10.0.0.2");
  CHECK(resolve("10.0.0.2", {"198.51.100.1, garbage"}, "10.0.0.0/8") == "10.0.0.2");
  CHECK(resolve("10.0.0.2", {"198.51.100.1, garbage, 10.0.0.3"}, "10.0.0.0/8") == "10.0.0.3");
  // IPv6 and IPv4-mapped peers and hops.
  CHECK(resolve("::ffff:10.0.0.2", {"2001:db8::5"}, "10.0.0.0/8") == "2001:db8::5");
  CHECK(resolve("fd00::1", {"[2001:db8::5]:443"}, "fd00::/8") == "2001:db8::5");
  CHECK(resolve("fd00::1", {"::ffff:192.0.2.1"}, "fd00::/8") == "192.0.2.1");
  // Forwarded is read only when it is the configured header, and the other is then ignored.
  CHECK(resolve("10.0.0.2", {"for=198.51.100.1"}, "10.0.0.0/8", ProxyHeader::forwarded) ==
        "198.51.100.1");
  CHECK(resolve("10.0.0.2", {"for=\"[2001:db8::9]:1\";proto=https"}, "10.0.0.0/8",
                ProxyHeader::forwarded) == "2001:db8::9");
  CHECK(resolve("10.0.0.2", {"for=unknown"}, "10.0.0.0/8", ProxyHeader::forwarded) == "10.0.0.2");
}

TEST_CASE("client address: random header bytes never crash and never leave trusted ground") {
  // Whatever a client sends after a trusted proxy's hop, the answer is that hop or a proxy.
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789abcdef:.,;[]\"= \t_forFORunknown";
  const auto trusted = cidrs("10.0.0.0/8");
  for (int round = 0; round < 5000; ++round) {
    std::string junk;
    const auto length = rng() % 40;
    for (unsigned i = 0; i < length; ++i) junk.push_back(alphabet[rng() % alphabet.size()]);
    const std::string xff = junk + ", 198.51.100.1";
    const std::string forwarded = junk + ", for=198.51.100.1";
    for (const auto& [value, header] : {std::pair{xff, ProxyHeader::x_forwarded_for},
                                        std::pair{forwarded, ProxyHeader::forwarded}}) {
      std::vector<std::string_view> values = {value};
      const auto client = resolve_client_address(ip("10.0.0.2"), values, header, trusted);
      CHECK(client.to_string() == "198.51.100.1");
    }
  }
}

TEST_CASE("limit keys: an IPv4 address, or an IPv6 /64") {
  CHECK(limit_key(ip("192.0.2.1")) == "192.0.2.1");
  CHECK(limit_key(ip("::ffff:192.0.2.1")) == "192.0.2.1");
  CHECK(limit_key(ip("2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::/64");
  CHECK(limit_key(ip("2001:db8:1:2:ffff::1")) == limit_key(ip("2001:db8:1:2::9")));
  CHECK(limit_key(ip("2001:db8:1:3::1")) != limit_key(ip("2001:db8:1:2::1")));
}
