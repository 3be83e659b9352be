// libFuzzer target for the message parser and the hub's dispatcher: the input is a script of events
// (open, text message, close, time passing) over a few connections. Room and peer ids the hub hands
// out are captured, and "@R" / "@P" in fuzzed text are replaced by them, so the fuzzer reaches
// joins, relays and leaves instead of stopping at room-not-found. After every event the hub's
// indexes must agree with each other, and every message the hub sends must be valid JSON.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "log.hpp"
#include "signaling/hub.hpp"

using namespace cieloweb::signaling;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::string substitute(std::string text, const std::vector<std::string>& rooms,
                       const std::vector<std::string>& peers) {
  for (std::size_t at = text.find('@'); at != std::string::npos && at + 1 < text.size();
       at = text.find('@', at + 1)) {
    const auto& pool = text[at + 1] == 'R' ? rooms : text[at + 1] == 'P' ? peers : rooms;
    if ((text[at + 1] == 'R' || text[at + 1] == 'P') && !pool.empty()) {
      const auto& id = pool[(text.size() + at) % pool.size()];
      text.replace(at, 2, id);
      at += id.size() - 1;
    }
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    cieloweb::server::set_log_level(cieloweb::server::LogLevel::off);
    return true;
  }();
  (void)quiet;

  FuzzedDataProvider input(data, size);
  cieloweb::server::Metrics metrics;
  HubLimits limits;
  limits.room_capacity = 3;
  limits.rate_burst = 64;
  limits.max_rooms = 16;
  limits.guess_burst = 4;
  std::uint64_t counter = 0;
  Hub hub(limits, metrics, [&counter](std::span<std::uint8_t> out) {
    for (auto& b : out) b = static_cast<std::uint8_t>(counter++);
  });
  std::vector<std::string> rooms;
  std::vector<std::string> peers;
  std::int64_t now = 0;
  Effects fx;

  while (input.remaining_bytes() > 0) {
    fx.clear();
    const auto conn = input.ConsumeIntegralInRange<ConnId>(1, 6);
    switch (input.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
        hub.on_open(conn, input.ConsumeBool() ? "192.0.2.1" : "2001:db8::1", now, fx);
        break;
      case 1:
        hub.on_close(conn, fx);
        break;
      case 2:
        now += input.ConsumeIntegralInRange<std::int64_t>(0, 700'000);
        hub.on_tick(now);
        break;
      case 3:
        hub.on_shutdown(fx);
        break;
      default: {
        const auto text = substitute(input.ConsumeRandomLengthString(4096), rooms, peers);
        // The parser alone first, checked against a DOM parse: the scanner must accept exactly
        // what nlohmann accepts, and relay the same "data" value.
        const auto parsed =
            parse_client_message(text, {limits.max_json_depth, limits.max_name_bytes});
        const auto dom = nlohmann::json::parse(text, nullptr, false);
        // nlohmann takes a NUL byte for the end of the text ("{}\0junk" passes); we refuse it.
        const bool has_nul = text.find('\0') != std::string::npos;
        if (has_nul) check(std::holds_alternative<ProtocolError>(parsed));
        if (const auto* error = std::get_if<ProtocolError>(&parsed)) {
          // bad-json exactly when nlohmann refuses the text (unless the depth check came first).
          if (error->code == ErrorCode::bad_json && !has_nul) check(dom.is_discarded());
          if (error->code != ErrorCode::bad_json && error->code != ErrorCode::too_deep)
            check(!dom.is_discarded());
        } else {
          check(!dom.is_discarded() && dom.is_object());
          if (const auto* signal = std::get_if<Signal>(&std::get<ClientMessage>(parsed))) {
            check(nlohmann::json::parse(signal->data_json) == dom.at("data"));
            check(signal->to == dom.at("to").get<std::string>());
          }
        }
        hub.on_text(conn, text, now, fx);
        break;
      }
    }
    check(hub.check_invariants());
    for (const auto& send : fx.sends) {
      const auto msg = nlohmann::json::parse(*send.text, nullptr, false);
      check(!msg.is_discarded() && msg.is_object() && msg.contains("type"));
      if (msg["type"] == "room-created") rooms.push_back(msg["room"]);
      if (msg["type"] == "joined") peers.push_back(msg["self"]["id"]);
    }
  }
  return 0;
}
