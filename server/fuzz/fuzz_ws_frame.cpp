// libFuzzer target for the server's own WebSocket frame reader (ws_frame.hpp): client bytes, cut
// into reads at fuzzed places, go through one FrameReader. ASan catches any read past the input;
// on top: no message longer than the limit, no control payload over 125 bytes, text that is UTF-8,
// nothing after an error or a close, and an unmasked first frame is always refused with 1002.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "utf8.hpp"
#include "ws_frame.hpp"

using namespace cieloweb::server;

namespace {

constexpr std::size_t max_message_bytes = 1024;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto cuts = input.ConsumeIntegralInRange<int>(0, 6);
  std::vector<std::string> reads;
  for (int i = 0; i < cuts; ++i) reads.push_back(input.ConsumeRandomLengthString(256));
  reads.push_back(input.ConsumeRemainingBytesAsString());

  // The first frame's header, when it is whole: a client frame without the mask bit must fail.
  std::string all;
  for (const auto& r : reads) all += r;
  const bool first_unmasked = all.size() >= 2 && (static_cast<std::uint8_t>(all[1]) & 0x80) == 0;

  FrameReader reader(max_message_bytes);
  bool ended = false;  // an error or the close frame: nothing but need_more may follow
  bool first_event = true;
  for (auto& read : reads) {
    // The reader unmasks in place: give it a buffer of exactly this read's size, no slack.
    std::vector<char> buffer(read.begin(), read.end());
    std::span<char> bytes(buffer.data(), buffer.size());
    for (;;) {
      const std::size_t before = bytes.size();
      const FrameEvent event = reader.next(bytes);
      check(bytes.size() <= before);
      if (event.kind == FrameEvent::Kind::need_more) {
        check(bytes.empty());
        reader.trim_memory();
        break;
      }
      check(!ended);
      if (first_event && first_unmasked) {
        check(event.kind == FrameEvent::Kind::error && event.code == close_protocol_error);
      }
      first_event = false;
      switch (event.kind) {
        case FrameEvent::Kind::text:
          check(event.payload.size() <= max_message_bytes);
          check(valid_utf8(event.payload));
          break;
        case FrameEvent::Kind::binary:
          check(event.payload.size() <= max_message_bytes);
          break;
        case FrameEvent::Kind::ping:
        case FrameEvent::Kind::pong:
          check(event.payload.size() <= 125);
          break;
        case FrameEvent::Kind::close:
          check(event.payload.size() <= 123);
          check(event.code == 0 || valid_close_code(event.code));
          ended = true;
          break;
        case FrameEvent::Kind::error:
          check(event.code >= 1000);
          ended = true;
          break;
        case FrameEvent::Kind::need_more:
          break;
      }
    }
  }
  return 0;
}
