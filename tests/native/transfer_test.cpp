// End-to-end transfers over the simulated channel: every transfer case of RELIABILITY.md.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

#include "cieloweb/blake3.hpp"
#include "cieloweb/frame.hpp"
#include "sim_network.hpp"
#include "sim_peers.hpp"

using namespace cieloweb;
using namespace cieloweb::sim_peers;

namespace {

std::uint64_t total_block_deliveries(const sim::PeerOutcome& p) {
  return std::accumulate(p.block_deliveries.begin(), p.block_deliveries.end(), std::uint64_t{0},
                         [](std::uint64_t acc, const auto& kv) { return acc + kv.second; });
}

// Transfers `data` to one peer and checks the bytes and the root hash arrived intact.
sim::Outcome transfer_ok(const std::vector<std::uint8_t>& data, sim::Faults faults = {},
                         sim::LinkConfig link = {}, SenderConfig config = small_blocks()) {
  sim::MemorySource source(data);
  sim::MemorySink sink;
  auto out = sim::run(source, FileInfo{"dir/file.bin", data.size(), 1700000000000, ""}, config,
                      {peer(sink, std::move(faults), link)});
  const auto& p = out.peers.at(0);
  REQUIRE_FALSE(out.timed_out);
  if (p.receiver_error) FAIL("receiver: " << p.receiver_error->detail);
  if (p.sender_error) FAIL("sender: " << p.sender_error->detail);
  CHECK(p.completed);
  CHECK(p.sender_finished);
  CHECK(sink.bytes() == data);
  REQUIRE(p.root);
  CHECK(*p.root == blake3::hash(data));
  return out;
}

// A reloaded receiver: `state` cut down to its first `blocks` verified blocks, whose bytes (taken
// from `on_disk`) are already in the sink; the sender then serves `source`.
sim::PeerOutcome resume_after_reload(const std::vector<std::uint8_t>& source_bytes,
                                     const std::vector<std::uint8_t>& on_disk, ResumeState state,
                                     std::uint32_t blocks, sim::MemorySink& sink) {
  state.verified.clear();
  state.verified.insert_range(0, blocks);
  state.checks.resize(blocks);
  sim::MemorySource source(source_bytes);
  sink.write(0, std::span(on_disk).subspan(0, std::size_t{blocks} * block));
  sim::Faults f;
  f.resume_from = state;
  auto out = sim::run(source, FileInfo{"dir/file.bin", source_bytes.size(), 1700000000000, ""},
                      small_blocks(), {peer(sink, f)});
  return out.peers.at(0);
}

}  // namespace

TEST_CASE("transfer: edge sizes arrive byte-exact with the b3sum root") {
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{block - 1}, std::size_t{block},
        std::size_t{block + 1}, std::size_t{3 * block + 5}, std::size_t{2 * block}}) {
    CAPTURE(size);
    auto out = transfer_ok(sim::random_bytes(size, size));
    // Read (and hashed) exactly once per block.
    CHECK(out.blocks_read == (size + block - 1) / block);
  }
}

TEST_CASE("transfer: default 1 MiB blocks, text compresses and random does not") {
  SenderConfig config;  // 1 MiB blocks
  auto text = sim::text_bytes(5 * 1024 * 1024 + 3, 9);
  auto out = transfer_ok(text, {}, {}, config);
  CHECK(out.peers[0].frame_bytes_delivered < text.size() / 3);

  auto random = sim::random_bytes(3 * 1024 * 1024 + 11, 4);
  out = transfer_ok(random, {}, {}, config);
  CHECK(out.peers[0].frame_bytes_delivered >= random.size());
  CHECK(out.peers[0].frame_bytes_delivered < random.size() + random.size() / 100);
}

TEST_CASE("transfer: a flipped byte is detected, the block re-requested, nothing corrupt written") {
  auto data = sim::random_bytes(6 * block + 77, 2);
  for (std::uint64_t frame_index : {0u, 3u, 12u}) {
    for (std::size_t offset : {std::size_t{10}, std::size_t{30}, std::size_t{5000}}) {
      CAPTURE(frame_index);
      CAPTURE(offset);
      sim::Faults f;
      f.flip_frame = frame_index;
      f.flip_offset = offset;
      auto out = transfer_ok(data, f);
      CHECK(out.peers[0].progress.blocks_resent >= 1);
    }
  }
}

TEST_CASE("transfer: a block that never verifies fails the transfer cleanly, never written") {
  auto data = sim::random_bytes(4 * block, 3);
  sim::MemorySource source(data);
  sim::MemorySink sink;
  sim::Faults f;
  f.flip_frame = 0;  // block 0, corrupted every time it is sent
  f.flip_offset = 1000;
  f.flip_every_time = true;
  auto out = sim::run(source, FileInfo{"f", data.size(), 1, ""}, small_blocks(), {peer(sink, f)});
  const auto& p = out.peers[0];
  CHECK_FALSE(out.timed_out);
  CHECK_FALSE(p.completed);
  REQUIRE(p.receiver_error);
  CHECK(p.receiver_error->code == ErrorCode::retries_exhausted);
  REQUIRE(p.sender_error);
  CHECK(p.sender_error->code == ErrorCode::retries_exhausted);
  CHECK_FALSE(p.final_state.verified.contains(0));
  // Block 0 was never written: the sink's first block is either absent or zero-filled by a later
  // write.
  if (sink.bytes().size() >= block) {
    CHECK(std::all_of(sink.bytes().begin(), sink.bytes().begin() + block,
                      [](auto b) { return b == 0; }));
  }
}

TEST_CASE("transfer: a dropped connection resumes and re-sends only missing blocks") {
  auto data = sim::random_bytes(40 * block + 9, 5);
  const std::uint32_t blocks = 41;
  const std::uint64_t window = ReceiverConfig{}.window;
  for (std::uint64_t drop_at : {std::uint64_t{0}, std::uint64_t{block / 2},
                                std::uint64_t{20 * block}, std::uint64_t{40 * block - 1000}}) {
    CAPTURE(drop_at);
    sim::Faults f;
    f.drop_after_bytes = drop_at;
    auto out = transfer_ok(data, f);
    const auto& p = out.peers[0];
    CHECK(p.drops == 1);
    // Only what was in flight at the cut can come twice.
    CHECK(total_block_deliveries(p) <= blocks + window + 1);
  }
}

TEST_CASE("transfer: resume after a reload asks only for the missing blocks") {
  auto data = sim::random_bytes(16 * block + 3, 6);
  auto full = transfer_ok(data);
  REQUIRE(full.peers[0].final_state.verified.count() == 17);
  sim::MemorySink sink;
  // The reloaded page still has blocks 0..8 on disk.
  const auto p = resume_after_reload(data, data, full.peers[0].final_state, 9, sink);
  REQUIRE(p.completed);
  CHECK(sink.bytes() == data);
  CHECK(*p.root == blake3::hash(data));
  for (std::uint32_t b = 0; b < 9; ++b) CHECK(p.block_deliveries.count(b) == 0);
  CHECK(p.block_deliveries.size() == 8);
}

TEST_CASE("transfer: resume against a changed file restarts cleanly instead of mixing versions") {
  auto data = sim::random_bytes(8 * block, 7);
  auto full = transfer_ok(data);
  auto changed = data;
  changed[10] ^= 1;  // same name, size and mtime: only the first block's hash tells
  sim::MemorySink sink;
  const auto p = resume_after_reload(changed, data, full.peers[0].final_state, 4, sink);
  REQUIRE(p.completed);
  CHECK(p.discards == 1);
  CHECK(sink.bytes() == changed);
  CHECK(*p.root == blake3::hash(changed));
  CHECK(p.block_deliveries.size() == 8);
}

TEST_CASE(
    "transfer: a sender whose file changed since the receiver's partial data offers a restart") {
  auto data = sim::random_bytes(4 * block, 13);
  Sender sender(FileInfo{"f.bin", data.size(), 7, ""}, small_blocks());
  REQUIRE(sender.add_peer(1, 9, 64 * 1024));
  auto read = sender.next_action();
  REQUIRE(read);
  const auto& r = std::get<sender_action::ReadBlock>(*read);
  sender.on_read(r.block, std::span(data).subspan(r.offset, r.length));
  std::optional<control::Offer> offer;
  while (auto a = sender.next_action()) {
    if (auto* send = std::get_if<sender_action::SendControl>(&*a)) {
      auto m = control::decode(send->text);
      REQUIRE(m);
      if (auto* o = std::get_if<control::Offer>(&m.value())) offer = *o;
    }
  }
  REQUIRE(offer);
  CHECK_FALSE(offer->restart);

  control::Accept resume;
  resume.transfer = 9;
  resume.window = 4;
  resume.resume = true;
  resume.have.insert_range(0, 2);
  resume.file = offer->file;
  resume.file.first_block[0] ^= 1;  // the receiver's data came from an older version
  REQUIRE(sender.on_control(1, resume));
  std::optional<control::Offer> restart;
  while (auto a = sender.next_action()) {
    if (auto* send = std::get_if<sender_action::SendControl>(&*a)) {
      auto m = control::decode(send->text);
      if (auto* o = std::get_if<control::Offer>(&m.value())) restart = *o;
    }
  }
  REQUIRE(restart);
  CHECK(restart->restart);
  CHECK(restart->file == offer->file);
  CHECK(sender.next_frame(1).empty());  // nothing is sent until a fresh accept

  // The receiver that gets the restart throws its partial data away and accepts afresh.
  Receiver receiver(*offer);
  receiver.accept();
  while (receiver.next_action()) {
  }
  REQUIRE(receiver.on_control(*restart));
  bool discarded = false, reoffered = false, accepted_fresh = false;
  auto take_actions = [&] {
    while (auto a = receiver.next_action()) {
      if (std::get_if<receiver_action::DiscardPartial>(&*a)) discarded = true;
      if (auto* again = std::get_if<receiver_action::Reoffered>(&*a))
        reoffered = again->offer.file == restart->file;
      if (auto* send = std::get_if<receiver_action::SendControl>(&*a)) {
        auto m = control::decode(send->text);
        if (auto* acc = std::get_if<control::Accept>(&m.value()))
          accepted_fresh = !acc->resume && acc->have.empty();
      }
    }
  };
  take_actions();
  CHECK(discarded);
  CHECK(reoffered);
  CHECK_FALSE(accepted_fresh);  // the person is asked again first
  receiver.accept();
  take_actions();
  CHECK(accepted_fresh);
}

TEST_CASE("transfer: the Sender's cache holds no more memory than its budget, text or random") {
  // The budget counts the memory a block holds: a compressed block of text once kept zstd's whole
  // worst-case bound (~1 MiB) while the cache counted its ~100 KiB, so 16 MiB held 60 MiB here.
  SenderConfig config;  // 1 MiB blocks, a 16 MiB cache
  for (const bool text : {true, false}) {
    CAPTURE(text);
    const std::size_t size = 60 * std::size_t{config.block_size};
    auto data = text ? sim::text_bytes(size, 21) : sim::random_bytes(size, 21);
    auto out = transfer_ok(data, {}, {}, config);
    CHECK(out.max_sender_cache_memory > 0);
    CHECK(out.max_sender_cache_memory <= config.cache_bytes);
  }
}

TEST_CASE("transfer: a slow receiver bounds memory and the send buffer, nothing dropped") {
  auto data = sim::random_bytes(64 * block, 8);
  sim::Faults f;
  f.write_delay_ms = 40;  // a disk far slower than the channel
  sim::LinkConfig link;
  link.bandwidth_bytes_per_ms = 200'000;
  auto out = transfer_ok(data, f, link);
  const auto& p = out.peers[0];
  CHECK(p.max_pending_writes <= ReceiverConfig{}.window);
  CHECK(p.max_buffered_bytes <= link.high_watermark_bytes + link.max_message_bytes);
  CHECK(total_block_deliveries(p) == 64);
}

TEST_CASE("transfer: frames respect a small advertised maximum message size") {
  auto data = sim::random_bytes(3 * block + 1, 10);
  sim::LinkConfig link;
  link.max_message_bytes = 1200;
  auto out = transfer_ok(data, {}, link);
  CHECK(out.peers[0].max_frame_bytes <= 1200);
  CHECK(out.peers[0].max_frame_bytes > 1000);
}

// Shaped like the browser: the cache holds as many blocks as the receiver's window, and the send
// buffer half of them. While the window is full nobody waits for a block; the sender must not
// spend that time reading ahead blocks the peer will read anyway (each was read twice before).
TEST_CASE("transfer: one peer with a window as large as the cache reads each block once") {
  auto data = sim::random_bytes(64 * block + 5, 13);
  SenderConfig config = small_blocks();
  config.cache_bytes = 16 * block;
  sim::LinkConfig link;
  link.high_watermark_bytes = 8 * block;
  link.low_watermark_bytes = 4 * block;
  sim::MemorySource source(data);
  sim::MemorySink sink;
  sim::PeerSetup setup = peer(sink, {}, link);
  setup.receiver.window = 16;
  auto out = sim::run(source, FileInfo{"big.bin", data.size(), 1, ""}, config, {setup});
  REQUIRE_FALSE(out.timed_out);
  CHECK(out.peers[0].completed);
  CHECK(out.peers[0].sender_finished);
  CHECK(sink.bytes() == data);
  CHECK(out.blocks_read == 65);
}

// The other side of reading each block once: a resumed peer that lacks only the last blocks must
// not wait for the root until a slow peer has read the whole file; the sender hashes ahead for it.
TEST_CASE("transfer: a resumed peer gets its root without waiting for a slow peer") {
  auto data = sim::random_bytes(40 * block, 14);
  auto full = transfer_ok(data);
  ResumeState state = full.peers[0].final_state;
  state.verified.clear();
  state.verified.insert_range(0, 38);
  state.checks.resize(38);
  sim::MemorySource source(data);
  sim::MemorySink resumed_sink;
  resumed_sink.write(0, std::span(data).subspan(0, std::size_t{38} * block));
  sim::Faults resumed;
  resumed.resume_from = state;
  sim::MemorySink slow_sink;
  sim::LinkConfig slow;
  slow.bandwidth_bytes_per_ms = 500;  // a block every ~130 ms
  auto out = sim::run(source, FileInfo{"dir/file.bin", data.size(), 1700000000000, ""},
                      small_blocks(), {peer(resumed_sink, resumed), peer(slow_sink, {}, slow)});
  REQUIRE_FALSE(out.timed_out);
  const auto& fast = out.peers[0];
  const auto& late = out.peers[1];
  REQUIRE(fast.completed);
  REQUIRE(late.completed);
  CHECK(resumed_sink.bytes() == data);
  CHECK(slow_sink.bytes() == data);
  CHECK(fast.block_deliveries.size() == 2);
  CHECK(fast.completed_at_tick * 4 < late.completed_at_tick);
}

TEST_CASE("transfer: decline and cancel leave both sides cleanly ended") {
  auto data = sim::random_bytes(10 * block, 12);
  {
    sim::MemorySource source(data);
    sim::MemorySink sink;
    sim::Faults f;
    f.reject = true;
    auto out = sim::run(source, FileInfo{"f", data.size(), 1, ""}, small_blocks(), {peer(sink, f)});
    REQUIRE(out.peers[0].sender_error);
    CHECK(out.peers[0].sender_error->code == ErrorCode::rejected);
    CHECK(out.peers[0].frames_delivered == 0);
    CHECK(sink.bytes().empty());
  }
  {
    sim::MemorySource source(data);
    sim::MemorySink sink;
    sim::Faults f;
    f.cancel_after_bytes = 3 * block;
    auto out = sim::run(source, FileInfo{"f", data.size(), 1, ""}, small_blocks(), {peer(sink, f)});
    CHECK_FALSE(out.timed_out);
    REQUIRE(out.peers[0].sender_error);
    CHECK(out.peers[0].sender_error->code == ErrorCode::cancelled);
    REQUIRE(out.peers[0].receiver_error);
    CHECK(out.peers[0].receiver_error->code == ErrorCode::cancelled);
    CHECK_FALSE(out.peers[0].completed);
  }
}

namespace {

// Drains a Sender's actions, answering reads from `data` and keeping control messages per peer.
void serve_actions(Sender& sender, const std::vector<std::uint8_t>& data,
                   std::map<PeerId, std::vector<control::Message>>& inbox) {
  while (auto a = sender.next_action()) {
    if (auto* read = std::get_if<sender_action::ReadBlock>(&*a)) {
      sender.on_read(read->block, std::span(data).subspan(read->offset, read->length));
    } else if (auto* send = std::get_if<sender_action::SendControl>(&*a)) {
      auto m = control::decode(send->text);
      REQUIRE(m);
      inbox[send->peer].push_back(m.value());
    }
  }
}

control::Accept accept_all(std::uint32_t transfer, std::uint32_t window) {
  control::Accept a;
  a.transfer = transfer;
  a.window = window;
  return a;
}

}  // namespace

TEST_CASE("transfer: frames cut in place leave cached blocks intact for other peers, resends") {
  // Random bytes go uncompressed, so every fragment after a block's first is cut in place (its
  // header written over the bytes in front of its payload). Two peers with different frame sizes
  // cut the same cached blocks in turns; every payload must still be the file's own bytes.
  auto data = sim::random_bytes(3 * block + 5, 21);
  Sender sender(FileInfo{"f.bin", data.size(), 7, ""}, small_blocks());
  std::map<PeerId, std::vector<control::Message>> inbox;
  REQUIRE(sender.add_peer(1, 11, 4096));
  REQUIRE(sender.add_peer(2, 12, 64 * 1024));
  serve_actions(sender, data, inbox);
  REQUIRE(sender.on_control(1, accept_all(11, 4)));
  REQUIRE(sender.on_control(2, accept_all(12, 4)));
  serve_actions(sender, data, inbox);

  std::map<PeerId, std::vector<std::uint8_t>> received{{1, std::vector<std::uint8_t>(data.size())},
                                                       {2, std::vector<std::uint8_t>(data.size())}};
  std::map<PeerId, std::size_t> frames;
  auto take = [&](PeerId peer) {
    const auto f = sender.next_frame(peer);
    if (f.empty()) return false;
    auto v = frame::decode(f);
    REQUIRE(v);
    const auto& h = v.value().header;
    CHECK(h.transfer_id == (peer == 1 ? 11u : 12u));
    CHECK_FALSE(h.compressed());
    const std::uint64_t at = std::uint64_t{h.block_index} * block + h.fragment_offset;
    REQUIRE(at + v.value().payload.size() <= data.size());
    std::copy(v.value().payload.begin(), v.value().payload.end(), received[peer].begin() + at);
    CHECK(std::equal(v.value().payload.begin(), v.value().payload.end(), data.begin() + at));
    ++frames[peer];
    serve_actions(sender, data, inbox);
    return true;
  };
  for (bool more = true; more;) {
    more = false;
    for (int i = 0; i < 3; ++i) more = take(1) || more;  // the small frames go three at a time
    more = take(2) || more;
  }
  CHECK(received[1] == data);
  CHECK(received[2] == data);
  CHECK(frames[1] > frames[2]);

  // A resend of block 1 to peer 2 cuts the same cached block again, still intact.
  control::Resend again;
  again.transfer = 12;
  again.block = 1;
  again.reason = ErrorCode::hash_mismatch;
  REQUIRE(sender.on_control(2, again));
  serve_actions(sender, data, inbox);
  std::fill(received[2].begin(), received[2].end(), 0);
  while (take(2)) {
  }
  CHECK(std::equal(received[2].begin() + block, received[2].begin() + 2 * block,
                   data.begin() + block));
}

TEST_CASE("transfer: frames taken in two steps arrive; one begun and never ended comes again") {
  auto data = sim::random_bytes(2 * block, 22);
  Sender sender(FileInfo{"f.bin", data.size(), 7, ""}, small_blocks());
  std::map<PeerId, std::vector<control::Message>> inbox;
  REQUIRE(sender.add_peer(1, 5, 16 * 1024));
  serve_actions(sender, data, inbox);
  Receiver receiver(std::get<control::Offer>(inbox[1].at(0)));
  receiver.accept();
  REQUIRE(sender.on_control(1, accept_all(5, 4)));
  serve_actions(sender, data, inbox);
  std::vector<std::vector<std::uint8_t>> wire;
  for (auto f = sender.next_frame(1); !f.empty(); f = sender.next_frame(1)) {
    wire.emplace_back(f.begin(), f.end());
    serve_actions(sender, data, inbox);
  }
  REQUIRE(wire.size() == 10);  // 5 fragments of 16 KiB - 60 per 64 KiB block

  std::vector<std::uint8_t> written(data.size());
  std::vector<std::string> resend_reasons;
  auto drain = [&] {
    while (auto a = receiver.next_action()) {
      if (auto* w = std::get_if<receiver_action::WriteBlock>(&*a)) {
        std::copy(w->bytes.begin(), w->bytes.end(), written.begin() + w->offset);
        receiver.on_write_done(w->block);
      } else if (auto* send = std::get_if<receiver_action::SendControl>(&*a)) {
        auto m = control::decode(send->text);
        if (auto* r = std::get_if<control::Resend>(&m.value())) {
          resend_reasons.push_back(error_name(r->reason));
        }
      }
    }
  };
  // Block 0 in two steps; the first fragment of block 1 begun but never ended (the host lost it).
  for (std::size_t i = 0; i < 6; ++i) {
    const auto& f = wire[i];
    auto slot = receiver.begin_frame(std::span(f).first(frame::header_bytes), f.size());
    REQUIRE(slot);
    REQUIRE(slot.value().size() == f.size() - frame::header_bytes);
    if (i == 5) break;
    std::copy(f.begin() + frame::header_bytes, f.end(), slot.value().begin());
    receiver.end_frame();
    drain();
  }
  // The next fragment of block 1 does not continue anything received: the block is asked again.
  CHECK_FALSE(receiver.on_frame(wire[6]));
  drain();
  CHECK(std::equal(written.begin(), written.begin() + block, data.begin()));
  CHECK(resend_reasons == std::vector<std::string>{"length_mismatch"});
  CHECK(receiver.progress().bytes_verified == block);

  // A header shorter than its frame claims is refused as truncated, never read past.
  auto slot = receiver.begin_frame(std::span(wire[0]).first(10), wire[0].size());
  REQUIRE_FALSE(slot);
  CHECK(slot.error().code == ErrorCode::truncated);
}
