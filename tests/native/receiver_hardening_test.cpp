// The Receiver against a hostile sender: offers that claim huge files, restarts that would splice
// two files, frames for blocks nobody asked for or larger than their block allows. And the Sender
// against a hostile receiver. Each case is named after the promise it guards.
#include <doctest/doctest.h>

#include <new>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "alloc_probe.hpp"
#include "cieloweb/codec.hpp"
#include "cieloweb/control.hpp"
#include "cieloweb/frame.hpp"
#include "cieloweb/receiver.hpp"
#include "cieloweb/sender.hpp"
#include "test_data.hpp"

using namespace cieloweb;
using test::AllocProbe;

namespace {

constexpr std::uint32_t transfer = 5;
constexpr std::uint32_t small_block = 1u << 14;
// More than any bookkeeping an offer may cost before acceptance, far less than what these offers
// claim (2^26 check values = 2 GiB).
constexpr std::size_t offer_cap_bytes = 64 * 1024;

// A file the harness can serve: its bytes, blocks, check values and root.
struct TestFile {
  std::vector<std::uint8_t> bytes;
  BlockLayout layout;
  std::vector<blake3::Digest> checks;
  control::Offer offer;

  TestFile(std::string name, std::size_t size, std::uint64_t seed,
           std::uint32_t block_size = small_block)
      : bytes(test::random_bytes(size, seed)), layout{size, block_size} {
    for (std::uint32_t b = 0; b < layout.block_count(); ++b)
      checks.push_back(layout.check_of(b, block(b)));
    offer.transfer = transfer;
    offer.file = control::FileIdentity{std::move(name), size, 1700000000000,
                                       checks.empty() ? blake3::hash({}) : checks[0]};
    offer.block_size = block_size;
    offer.mime = "application/octet-stream";
  }
  std::span<const std::uint8_t> block(std::uint32_t b) const {
    return std::span(bytes).subspan(layout.offset_of(b), layout.length_of(b));
  }
  blake3::Digest root() const { return layout.root_of(checks); }
  control::Offer restart_offer() const {
    control::Offer o = offer;
    o.restart = true;
    return o;
  }

  // One uncompressed fragment of block `b`: [offset, offset + length) of its bytes.
  std::vector<std::uint8_t> fragment(std::uint32_t b, std::uint32_t offset,
                                     std::uint32_t length) const {
    frame::Header h;
    h.transfer_id = transfer;
    h.block_index = b;
    h.fragment_offset = offset;
    h.raw_length = layout.length_of(b);
    h.encoded_length = h.raw_length;
    h.block_check = checks[b];
    std::vector<std::uint8_t> out;
    frame::encode(h, block(b).subspan(offset, length), out);
    return out;
  }
  std::vector<std::uint8_t> whole_block(std::uint32_t b) const {
    return fragment(b, 0, layout.length_of(b));
  }
};

control::Offer huge_offer() {
  control::Offer o;
  o.transfer = transfer;
  o.file = control::FileIdentity{"huge.bin", max_file_size_bytes, 1, blake3::hash({})};
  o.block_size = max_block_size_bytes;  // 2^50 / 2^24 = 2^26 blocks
  return o;
}

std::vector<ReceiverAction> drain(Receiver& r) {
  std::vector<ReceiverAction> out;
  while (auto a = r.next_action()) out.push_back(std::move(*a));
  return out;
}

// The control messages among `actions`, decoded.
std::vector<control::Message> sent(const std::vector<ReceiverAction>& actions) {
  std::vector<control::Message> out;
  for (const auto& a : actions) {
    if (const auto* s = std::get_if<receiver_action::SendControl>(&a)) {
      auto m = control::decode(s->text);
      REQUIRE(m);
      out.push_back(m.value());
    }
  }
  return out;
}

template <class T>
std::size_t count_of(const std::vector<ReceiverAction>& actions) {
  std::size_t n = 0;
  for (const auto& a : actions) n += std::holds_alternative<T>(a) ? 1 : 0;
  return n;
}

template <class T>
std::size_t count_sent(const std::vector<ReceiverAction>& actions) {
  std::size_t n = 0;
  for (const auto& m : sent(actions)) n += std::holds_alternative<T>(m) ? 1 : 0;
  return n;
}

// Writes every pending WriteBlock among `actions` (the host's disk is instant here).
void write_all(Receiver& r, const std::vector<ReceiverAction>& actions) {
  for (const auto& a : actions) {
    if (const auto* w = std::get_if<receiver_action::WriteBlock>(&a)) r.on_write_done(w->block);
  }
}

// Feeds every block of `f` and its `done`, writing as it goes: every write must be `f`'s own bytes.
// Returns every action (their WriteBlock spans are no longer valid then).
std::vector<ReceiverAction> receive_all(Receiver& r, const TestFile& f) {
  std::vector<ReceiverAction> all;
  for (std::uint32_t b = 0; b < f.layout.block_count(); ++b) {
    REQUIRE(r.on_frame(f.whole_block(b)));
    auto actions = drain(r);
    for (const auto& a : actions) {
      if (const auto* w = std::get_if<receiver_action::WriteBlock>(&a)) {
        const auto expected = f.block(w->block);
        CHECK(w->offset == f.layout.offset_of(w->block));
        CHECK(std::equal(w->bytes.begin(), w->bytes.end(), expected.begin(), expected.end()));
      }
    }
    write_all(r, actions);
    all.insert(all.end(), actions.begin(), actions.end());
    auto more = drain(r);
    all.insert(all.end(), more.begin(), more.end());
  }
  REQUIRE(r.on_control(control::Done{transfer, f.root()}));
  auto last = drain(r);
  all.insert(all.end(), last.begin(), last.end());
  return all;
}

}  // namespace

TEST_CASE("receiver: declining an offer of 2^50 bytes in 16 MiB blocks allocates nothing for it") {
  const control::Offer offer = huge_offer();
  for (const bool cancel : {false, true}) {
    std::vector<ReceiverAction> actions;
    {
      AllocProbe probe(offer_cap_bytes);
      CHECK_NOTHROW({
        Receiver r(offer);
        if (cancel)
          r.cancel("no");
        else
          r.reject("no thanks");
        actions = drain(r);
      });
      CHECK(probe.refused() == 0);
      CHECK(probe.total_bytes() < offer_cap_bytes);
    }
    // The sender hears the decline; the host sees the transfer end.
    const auto messages = sent(actions);
    REQUIRE(messages.size() == 1);
    if (cancel)
      CHECK(std::holds_alternative<control::Cancel>(messages[0]));
    else
      CHECK(std::holds_alternative<control::Reject>(messages[0]));
    CHECK(count_of<receiver_action::Failed>(actions) == 1);
  }
}

TEST_CASE("receiver: accepting an offer past the bookkeeping cap fails with too_large, told") {
  const control::Offer offer = huge_offer();
  for (const bool resume : {false, true}) {
    std::vector<ReceiverAction> actions;
    {
      AllocProbe probe(offer_cap_bytes);
      CHECK_NOTHROW({
        Receiver r(offer);
        CHECK(r.offer_status().error().code == ErrorCode::too_large);
        if (resume)
          r.accept_resume(ResumeState{});
        else
          r.accept();
        actions = drain(r);
        CHECK(r.progress().failed);
      });
      CHECK(probe.refused() == 0);
    }
    REQUIRE(count_of<receiver_action::Failed>(actions) == 1);
    for (const auto& a : actions) {
      if (const auto* f = std::get_if<receiver_action::Failed>(&a))
        CHECK(f->error.code == ErrorCode::too_large);
    }
    // The sender is told why, with the same code, and no accept went out.
    const auto messages = sent(actions);
    REQUIRE(messages.size() == 1);
    const auto* error = std::get_if<control::ErrorMessage>(&messages[0]);
    REQUIRE(error);
    CHECK(error->code == ErrorCode::too_large);
  }
}

TEST_CASE("receiver: the bookkeeping cap is explicit, configurable downwards, never upwards") {
  TestFile f("a.bin", 5 * small_block, 1);
  ReceiverConfig config;
  CHECK(config.max_blocks == max_tracked_blocks);
  CHECK(Receiver::check_offer(f.offer, config));
  config.max_blocks = 4;  // five blocks: one too many
  const Status refused = Receiver::check_offer(f.offer, config);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::too_large);
  config.max_blocks = 5;
  CHECK(Receiver::check_offer(f.offer, config));
  config.max_file_size = 5 * small_block - 1;
  CHECK(Receiver::check_offer(f.offer, config).error().code == ErrorCode::too_large);

  // One block past the cap is refused even when the config asks for more.
  control::Offer just_over = f.offer;
  just_over.file.size = std::uint64_t{max_tracked_blocks} * small_block + 1;
  ReceiverConfig generous;
  generous.max_blocks = UINT32_MAX;
  CHECK(Receiver::check_offer(just_over, generous).error().code == ErrorCode::too_large);
  Receiver r(just_over, generous);
  CHECK(r.offer_status().error().code == ErrorCode::too_large);
  just_over.file.size -= 1;
  CHECK(Receiver::check_offer(just_over, generous));
}

TEST_CASE("receiver: a restart while receiving discards, asks again, and never splices files") {
  const TestFile first("f.bin", 3 * small_block + 100, 2);
  const TestFile second("x.bin", 2 * small_block + 7, 3);
  Receiver r(first.offer);
  r.accept();
  drain(r);
  // Block 0 written, half of block 1 under way.
  REQUIRE(r.on_frame(first.whole_block(0)));
  write_all(r, drain(r));
  drain(r);
  REQUIRE(r.on_frame(first.fragment(1, 0, small_block / 2)));
  CHECK(drain(r).empty());

  REQUIRE(r.on_control(second.restart_offer()));
  auto actions = drain(r);
  REQUIRE(actions.size() == 2);
  CHECK(std::holds_alternative<receiver_action::DiscardPartial>(actions[0]));
  const auto* reoffer = std::get_if<receiver_action::Reoffered>(&actions[1]);
  REQUIRE(reoffer);
  CHECK(reoffer->offer.file == second.offer.file);
  CHECK(reoffer->offer.block_size == second.offer.block_size);
  CHECK(reoffer->offer.mime == second.offer.mime);
  CHECK(r.file() == second.offer.file);
  CHECK(r.progress().bytes_verified == 0);
  CHECK(r.resume_state().verified.empty());

  // Until the host accepts again, nothing is taken: neither the rest of the old block nor a block
  // of the new file.
  CHECK_FALSE(r.on_frame(first.fragment(1, small_block / 2, small_block / 2)));
  CHECK_FALSE(r.on_frame(second.whole_block(0)));
  CHECK(drain(r).empty());

  r.accept();
  actions = drain(r);
  const auto messages = sent(actions);
  REQUIRE(messages.size() == 1);
  const auto* accept = std::get_if<control::Accept>(&messages[0]);
  REQUIRE(accept);
  CHECK(accept->have.empty());
  CHECK_FALSE(accept->resume);

  // A frame shaped for the old file's blocks does not fit the accepted identity.
  CHECK_FALSE(r.on_frame(first.whole_block(2)));
  drain(r);

  actions = receive_all(r, second);
  REQUIRE(count_of<receiver_action::Completed>(actions) == 1);
  CHECK(count_of<receiver_action::WriteBlock>(actions) == second.layout.block_count());
  for (const auto& a : actions) {
    if (const auto* done = std::get_if<receiver_action::Completed>(&a)) {
      CHECK(done->root == blake3::hash(second.bytes));
      CHECK(done->size == second.bytes.size());
    }
  }
}

TEST_CASE(
    "receiver: a restart before acceptance refreshes the offer; after completion it is "
    "ignored") {
  const TestFile first("f.bin", 2 * small_block, 4);
  const TestFile second("x.bin", small_block + 1, 5);
  {
    Receiver r(first.offer);
    REQUIRE(r.on_control(second.restart_offer()));
    auto actions = drain(r);
    REQUIRE(actions.size() == 1);  // nothing was written: nothing to discard
    const auto* reoffer = std::get_if<receiver_action::Reoffered>(&actions[0]);
    REQUIRE(reoffer);
    CHECK(reoffer->offer.file == second.offer.file);
    // The same offer again changes nothing.
    REQUIRE(r.on_control(second.offer));
    CHECK(drain(r).empty());
    r.accept();
    actions = receive_all(r, second);
    REQUIRE(count_of<receiver_action::Completed>(actions) == 1);
    for (const auto& a : actions) {
      if (const auto* done = std::get_if<receiver_action::Completed>(&a))
        CHECK(done->size == second.bytes.size());
    }
  }
  {
    // The file is whole and verified: a restart must not make the host throw it away.
    Receiver r(first.offer);
    r.accept();
    drain(r);
    receive_all(r, first);
    REQUIRE(r.progress().completed);
    const Status ignored = r.on_control(second.restart_offer());
    REQUIRE_FALSE(ignored);
    CHECK(ignored.error().code == ErrorCode::bad_state);
    CHECK(drain(r).empty());
    CHECK(r.progress().completed);
    CHECK(r.file() == first.offer.file);
  }
}

TEST_CASE("receiver: a repeated offer for another file without restart does not switch files") {
  const TestFile first("f.bin", 2 * small_block, 6);
  const TestFile second("x.bin", 2 * small_block, 7);
  Receiver r(first.offer);
  r.accept();
  drain(r);
  REQUIRE(r.on_control(second.offer));  // restart = false
  CHECK(drain(r).empty());
  CHECK(r.file() == first.offer.file);
}

TEST_CASE("receiver: frames for blocks not asked for allocate nothing") {
  const TestFile f("f.bin", 4 * small_block, 8);
  {
    // Not accepted yet (or back to offered after a restart): nothing asked for at all.
    Receiver r(f.offer);
    const auto frame = f.whole_block(0);
    AllocProbe probe(small_block / 2);
    CHECK_NOTHROW(CHECK_FALSE(r.on_frame(frame)));
    CHECK(probe.refused() == 0);
  }
  {
    // After `done`, only the blocks asked for again: `window` (here 1) at a time.
    ReceiverConfig config;
    config.window = 1;
    Receiver r(f.offer, config);
    r.accept();
    drain(r);
    REQUIRE(r.on_control(control::Done{transfer, f.root()}));
    const auto asked = sent(drain(r));
    REQUIRE(asked.size() == 1);
    CHECK(std::get<control::Resend>(asked[0]).block == 0);
    {
      const auto frame = f.whole_block(2);
      AllocProbe probe(small_block / 2);
      CHECK_NOTHROW(CHECK_FALSE(r.on_frame(frame)));
      CHECK(probe.refused() == 0);
      CHECK(probe.total_bytes() < small_block / 2);
    }
    // The block asked for is taken, and its write makes room for the next request.
    REQUIRE(r.on_frame(f.whole_block(0)));
    auto actions = drain(r);
    REQUIRE(count_of<receiver_action::WriteBlock>(actions) == 1);
    write_all(r, actions);
    const auto next = sent(drain(r));
    REQUIRE(next.size() == 2);  // ack 0, resend 1
    CHECK(std::get<control::Resend>(next[1]).block == 1);
  }
  {
    // A sender that keeps sending what nobody asked for fails, and is told.
    ReceiverConfig config;
    config.window = 1;
    config.max_bad_frames = 3;
    Receiver r(f.offer, config);
    r.accept();
    REQUIRE(r.on_control(control::Done{transfer, f.root()}));
    drain(r);
    for (int i = 0; i < 4; ++i) (void)r.on_frame(f.whole_block(3));
    CHECK(r.progress().failed);
  }
}

TEST_CASE("receiver: an early done asks for a window of blocks, not for the whole file") {
  // 2^20 blocks: the most bookkeeping a receiver keeps. A `done` before any frame must not queue a
  // request for each (about 100 MiB of control text) nor scan them all.
  control::Offer offer = huge_offer();
  offer.block_size = small_block;
  offer.file.size = std::uint64_t{max_tracked_blocks} * small_block;
  Receiver r(offer);
  r.accept();
  drain(r);
  REQUIRE(r.on_control(control::Done{transfer, blake3::hash({})}));
  const auto actions = drain(r);
  CHECK(count_sent<control::Resend>(actions) == ReceiverConfig{}.window);
}

TEST_CASE("receiver: a huge encoded_length for the short last block is refused before allocating") {
  // 16 MiB + 1 byte in 16 MiB blocks: the last block is 1 byte, so its encoded form is at most
  // compress_bound(1), not compress_bound(16 MiB) as the frame decoder's limit would allow.
  control::Offer offer = huge_offer();
  offer.file.size = std::uint64_t{max_block_size_bytes} + 1;
  Receiver r(offer);
  r.accept();
  drain(r);
  frame::Header h;
  h.flags = frame::flag_compressed;
  h.transfer_id = transfer;
  h.block_index = 1;
  h.raw_length = 1;
  h.encoded_length = static_cast<std::uint32_t>(codec::compress_bound(max_block_size_bytes));
  const std::vector<std::uint8_t> payload(100, 0x28);
  std::vector<std::uint8_t> bytes;
  frame::encode(h, payload, bytes);
  REQUIRE(frame::decode(bytes, {max_block_size_bytes, h.encoded_length}));  // the decoder allows it
  Status status = Ok{};
  {
    AllocProbe probe(1u << 20);
    CHECK_NOTHROW(status = r.on_frame(bytes));
    CHECK(probe.refused() == 0);
  }
  REQUIRE_FALSE(status);
  CHECK(status.error().code == ErrorCode::too_large);
  CHECK_FALSE(r.progress().failed);  // one bad frame is counted, not fatal
}

TEST_CASE("receiver: completion reports the verified size") {
  const TestFile f("f.bin", 3 * small_block + 9, 9);
  Receiver r(f.offer);
  r.accept();
  drain(r);
  const auto actions = receive_all(r, f);
  REQUIRE(count_of<receiver_action::Completed>(actions) == 1);
  for (const auto& a : actions) {
    if (const auto* done = std::get_if<receiver_action::Completed>(&a)) {
      CHECK(done->size == f.bytes.size());
      CHECK(done->root == blake3::hash(f.bytes));
    }
  }
}

TEST_CASE("sender: a resend for a block never sent is ignored, not queued") {
  const auto data = test::random_bytes(4 * small_block, 10);
  SenderConfig config;
  config.block_size = small_block;
  Sender sender(FileInfo{"f.bin", data.size(), 1, ""}, config);
  REQUIRE(sender.add_peer(1, transfer, 64 * 1024));
  auto serve = [&] {
    while (auto a = sender.next_action()) {
      if (auto* read = std::get_if<sender_action::ReadBlock>(&*a))
        sender.on_read(read->block, std::span(data).subspan(read->offset, read->length));
    }
  };
  serve();
  control::Accept accept;
  accept.transfer = transfer;
  accept.window = 1;
  REQUIRE(sender.on_control(1, accept));
  serve();
  auto first = sender.next_frame(1);
  REQUIRE_FALSE(first.empty());
  CHECK(frame::decode(first).value().header.block_index == 0);
  // Block 3 was never sent: a hostile receiver cannot make the sender queue (and read, and send)
  // blocks at will by asking for them.
  REQUIRE(sender.on_control(1, control::Resend{transfer, 3, ErrorCode::hash_mismatch}));
  serve();
  REQUIRE(sender.on_control(1, control::Ack{transfer, {0}}));
  serve();
  auto next = sender.next_frame(1);
  REQUIRE_FALSE(next.empty());
  CHECK(frame::decode(next).value().header.block_index == 1);
}
