#include "cluster/room_scripts.hpp"

namespace cieloweb::server::cluster {

RoomKeys room_keys(std::string_view room) {
  const std::string tag = "cw:{" + std::string(room) + "}:";
  return {tag + "r", tag + "m", tag + "p"};
}

std::string node_key(std::string_view node) {
  return std::string(node_key_prefix) + std::string(node);
}

std::string node_channel(std::string_view node) {
  return "cw:to:" + std::string(node);
}

const std::string_view create_room_script = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'cap', ARGV[1], 'seq', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua";

const std::string_view join_room_script = R"lua(
local cap = redis.call('HGET', KEYS[1], 'cap')
if not cap then return {'not_found'} end
local live = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local info = redis.call('HGET', KEYS[3], id)
  local node = info and string.match(info, '^([^|]*)|')
  if node and redis.call('EXISTS', ARGV[4] .. node) == 1 then
    live[#live + 1] = id
    live[#live + 1] = info
  else
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
  end
end
if #live / 2 >= tonumber(cap) then return {'full', cap} end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
local reply = {'joined', cap}
for i = 1, #live do reply[#reply + 1] = live[i] end
return reply
)lua";

const std::string_view leave_room_script = R"lua(
local removed = redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if removed == 0 then return -1 end
local left = redis.call('ZCARD', KEYS[2])
if left == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return left
)lua";

const std::string_view room_members_script = R"lua(
local reply = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  reply[#reply + 1] = id
  reply[#reply + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return reply
)lua";

const std::string_view refresh_room_script = R"lua(
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
return 1
)lua";

}  // namespace cieloweb::server::cluster
