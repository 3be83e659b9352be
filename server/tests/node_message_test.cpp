// The messages nodes exchange over Redis (cluster/node_message.hpp): what is encoded parses back,
// and what is malformed is refused instead of reaching a peer.
#include <doctest/doctest.h>

#include "cluster/node_message.hpp"
#include "cluster/redis_link.hpp"

using namespace cieloweb::server::cluster;

TEST_CASE("node messages round-trip") {
  const std::string text = R"({"v":1,"type":"signal","from":"abc","data":"line1\nline2"})";
  const std::string deliver_wire = encode_deliver("room_Id-1", "peer-2", text);
  const auto deliver = parse_node_message(deliver_wire);  // views into the wire text
  REQUIRE(deliver);
  CHECK(deliver->kind == NodeMessage::Kind::deliver);
  CHECK(deliver->room == "room_Id-1");
  CHECK(deliver->peer == "peer-2");
  CHECK(deliver->text == text);  // a newline inside the text is the text's own

  const std::string broadcast_wire = encode_broadcast("r", "{}");
  const auto broadcast = parse_node_message(broadcast_wire);
  REQUIRE(broadcast);
  CHECK(broadcast->kind == NodeMessage::Kind::broadcast);
  CHECK(broadcast->text == "{}");

  const std::string joined_wire = encode_joined("r", "p", "0a1b");
  const auto joined = parse_node_message(joined_wire);
  REQUIRE(joined);
  CHECK(joined->kind == NodeMessage::Kind::joined);
  CHECK(joined->node == "0a1b");

  const std::string left_wire = encode_left("r", "p");
  const auto left = parse_node_message(left_wire);
  REQUIRE(left);
  CHECK(left->kind == NodeMessage::Kind::left);
  CHECK(left->peer == "p");
}

TEST_CASE("malformed node messages are refused") {
  for (const char* bad :
       {"", "X r p", "D r\n{}", "D r p", "B\n{}", "B r p\n{}", "J r p", "J r p n\nx", "L r",
        "L r p q", "D r  p\n{}", "D r p/x\n{}", "B r\xc3\xa9\n{}", "D  \n"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_node_message(bad));
  }
  const std::string long_id(65, 'a');
  CHECK_FALSE(parse_node_message("L r " + long_id));
}

TEST_CASE("Redis URLs") {
  std::string error;
  const auto plain = parse_redis_url("redis://10.0.0.5:6380/2", error);
  REQUIRE(plain);
  CHECK(plain->host == "10.0.0.5");
  CHECK(plain->port == 6380);
  CHECK(plain->db == 2);
  const auto defaults = parse_redis_url("redis://cache", error);
  REQUIRE(defaults);
  CHECK(defaults->port == 6379);
  CHECK(defaults->db == 0);
  for (const char* bad : {"http://x:1", "redis://", "redis://:6379", "redis://u:pw@host:6379",
                          "redis://h:0", "redis://h:70000", "redis://h:1/16", "redis://h:1/x"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_redis_url(bad, error));
  }
}

TEST_CASE("framed batches of node messages") {
  std::string payload;
  append_framed(payload, "L r p");
  append_framed(payload, "");
  append_framed(payload, "B r\n12\nnot a frame");
  const auto messages = split_framed(payload);
  REQUIRE(messages);
  REQUIRE(messages->size() == 3);
  CHECK((*messages)[0] == "L r p");
  CHECK((*messages)[1].empty());
  CHECK((*messages)[2] == "B r\n12\nnot a frame");
  for (const char* bad : {"5\nabc", "x\nabc", "\nabc", "3abc", "99999999999\n", "-1\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(split_framed(bad));
  }
}
