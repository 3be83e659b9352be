#include "sim_network.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "cieloweb/flow.hpp"

namespace cieloweb::sim {

void MemorySource::read(std::uint64_t offset, std::span<std::uint8_t> out) {
  std::memcpy(out.data(), bytes_.data() + offset, out.size());
}

void MemorySink::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  if (bytes_.size() < offset + bytes.size()) bytes_.resize(offset + bytes.size());
  std::memcpy(bytes_.data() + offset, bytes.data(), bytes.size());
}

std::vector<std::uint8_t> text_bytes(std::size_t n, std::uint64_t seed) {
  static const char* words[] = {"peer",     "block", "verified", "channel",
                                "offer",    "room",  "{\"id\":", "\"level\":\"info\"",
                                "transfer", "42",    "\n"};
  std::vector<std::uint8_t> v;
  v.reserve(n);
  std::uint64_t x = seed + 7;
  while (v.size() < n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const char* w = words[(x >> 33) % 11];
    for (const char* c = w; *c && v.size() < n; ++c) v.push_back(static_cast<std::uint8_t>(*c));
    if (v.size() < n) v.push_back(' ');
  }
  return v;
}

namespace {

struct Message {
  bool binary = false;
  std::vector<std::uint8_t> bytes;
  std::uint64_t arrive_at = 0;
};

// One direction of one peer connection.
struct Link {
  LinkConfig config;
  std::deque<Message> buffered;  // queued by the sender, not yet on the wire
  std::uint64_t buffered_bytes = 0;
  std::size_t front_sent = 0;  // bytes of buffered.front() already on the wire
  double budget = 0;
  std::deque<Message> in_transit;

  void push(bool binary, std::vector<std::uint8_t> bytes) {
    buffered_bytes += bytes.size();
    buffered.push_back(Message{binary, std::move(bytes), 0});
  }
  void tick(std::uint64_t now) {
    if (config.paused_at(now)) return;
    // Unused bandwidth carries over for a few ticks only, like a real link's small burst allowance.
    budget = std::min(budget + config.bandwidth_bytes_per_ms, config.bandwidth_bytes_per_ms * 4);
    while (!buffered.empty()) {
      Message& m = buffered.front();
      const double need = static_cast<double>(m.bytes.size() - front_sent);
      if (budget < need) {
        front_sent += static_cast<std::size_t>(budget);
        buffered_bytes -= static_cast<std::size_t>(budget);
        budget = 0;
        break;
      }
      budget -= need;
      buffered_bytes -= m.bytes.size() - front_sent;
      front_sent = 0;
      m.arrive_at = now + config.latency_ms;
      in_transit.push_back(std::move(m));
      buffered.pop_front();
    }
  }
  void cut() {
    buffered.clear();
    in_transit.clear();
    buffered_bytes = 0;
    front_sent = 0;
  }
};

struct PeerRun {
  PeerSetup setup;
  Link to_receiver;
  Link to_sender;
  FlowGate gate;
  std::optional<Receiver> receiver;
  PeerOutcome out;
  bool receiver_done = false;
  bool sender_done = false;
  bool connected = true;
  std::optional<std::uint64_t> reconnect_at;
  bool dropped_once = false;
  bool cancelled = false;
  std::uint64_t binary_seen = 0;
  std::optional<std::uint32_t> cursed_block;  // flip_every_time: the block index being corrupted
  std::multimap<std::uint64_t, std::uint32_t> writes_due;  // tick -> block
};

}  // namespace

Outcome run(Source& source, const FileInfo& info, const SenderConfig& sender_config,
            std::vector<PeerSetup> setups, std::uint64_t max_ticks) {
  Sender sender(info, sender_config);
  std::vector<PeerRun> peers(setups.size());
  for (std::size_t i = 0; i < setups.size(); ++i) {
    PeerRun& p = peers[i];
    p.setup = setups[i];
    p.to_receiver.config = p.setup.link;
    p.to_sender.config = p.setup.link;
    p.gate = FlowGate(p.setup.link.high_watermark_bytes, p.setup.link.low_watermark_bytes);
    const Status added =
        sender.add_peer(static_cast<PeerId>(i), static_cast<std::uint32_t>(100 + i),
                        p.setup.link.max_message_bytes);
    if (!added) throw std::runtime_error("add_peer: " + added.error().detail);
  }
  Outcome outcome;
  std::vector<std::uint8_t> read_buffer;

  auto drain_receiver = [&](PeerRun& p, std::uint64_t now) {
    while (auto action = p.receiver->next_action()) {
      if (auto* send = std::get_if<receiver_action::SendControl>(&*action)) {
        if (p.connected) p.to_sender.push(false, {send->text.begin(), send->text.end()});
      } else if (auto* write = std::get_if<receiver_action::WriteBlock>(&*action)) {
        p.setup.sink->write(write->offset, write->bytes);
        p.writes_due.emplace(now + p.setup.faults.write_delay_ms, write->block);
      } else if (std::get_if<receiver_action::DiscardPartial>(&*action)) {
        p.setup.sink->discard();
        ++p.out.discards;
      } else if (std::get_if<receiver_action::Reoffered>(&*action)) {
        // The person is asked again and says yes (tests of refusing drive a Receiver directly).
        ++p.out.reoffers;
        p.receiver->accept();
      } else if (auto* done = std::get_if<receiver_action::Completed>(&*action)) {
        p.out.completed = true;
        p.out.completed_size = done->size;
        p.out.completed_at_tick = now;
        p.out.root = done->root;
        p.receiver_done = true;
      } else if (auto* failed = std::get_if<receiver_action::Failed>(&*action)) {
        p.out.receiver_error = failed->error;
        p.receiver_done = true;
      }
    }
    p.out.max_pending_writes = std::max(p.out.max_pending_writes, p.writes_due.size());
  };

  auto deliver_to_receiver = [&](PeerRun& p, Message& m, std::uint64_t now) {
    if (!m.binary) {
      auto msg = control::decode(
          std::string_view(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size()));
      if (!msg) throw std::runtime_error("receiver got bad control: " + msg.error().detail);
      if (!p.receiver) {
        const auto* offer = std::get_if<control::Offer>(&msg.value());
        if (!offer) throw std::runtime_error("first message is not an offer");
        p.receiver.emplace(*offer, p.setup.receiver);
        if (p.setup.faults.never_answer)
          ;  // stays offered
        else if (p.setup.faults.reject)
          p.receiver->reject("no thanks");
        else if (p.setup.faults.resume_from)
          p.receiver->accept_resume(*p.setup.faults.resume_from);
        else
          p.receiver->accept();
      } else {
        (void)p.receiver->on_control(msg.value());
      }
    } else {
      const std::uint64_t index = p.binary_seen++;
      auto decoded = frame::decode(m.bytes);
      if (decoded && decoded.value().header.fragment_offset == 0) {
        ++p.out.block_deliveries[decoded.value().header.block_index];
      }
      const bool flip_now = p.setup.faults.flip_frame && index == *p.setup.faults.flip_frame;
      if (flip_now && p.setup.faults.flip_every_time && decoded) {
        p.cursed_block = decoded.value().header.block_index;
      }
      const bool cursed = p.cursed_block && decoded &&
                          decoded.value().header.block_index == *p.cursed_block &&
                          decoded.value().header.fragment_offset == 0;
      if (flip_now || cursed) m.bytes[p.setup.faults.flip_offset % m.bytes.size()] ^= 0x10;
      p.out.frame_bytes_delivered += m.bytes.size();
      ++p.out.frames_delivered;
      if (p.receiver) (void)p.receiver->on_frame(m.bytes);
    }
    drain_receiver(p, now);
  };

  // A drop loses everything buffered or in transit, both ways; the receiver reconnects later.
  auto maybe_drop = [&](PeerRun& p, std::size_t i, std::uint64_t now) {
    const Faults& f = p.setup.faults;
    if (!p.connected || !f.drop_after_bytes || p.dropped_once || !p.receiver || p.receiver_done ||
        p.out.frame_bytes_delivered < *f.drop_after_bytes) {
      return;
    }
    p.dropped_once = true;
    p.connected = false;
    ++p.out.drops;
    p.to_receiver.cut();
    p.to_sender.cut();
    sender.pause_peer(static_cast<PeerId>(i));
    p.receiver->on_disconnected();
    p.reconnect_at = now + f.reconnect_after_ms;
  };

  std::uint64_t now = 0;
  for (; now < max_ticks; ++now) {
    sender.set_now(now);  // a tick is a millisecond
    // Sender decisions: reads are answered at once, control goes on the link.
    bool progressed = true;
    while (progressed) {
      progressed = false;
      while (auto action = sender.next_action()) {
        progressed = true;
        if (auto* read = std::get_if<sender_action::ReadBlock>(&*action)) {
          read_buffer.resize(read->length);
          source.read(read->offset, read_buffer);
          sender.on_read(read->block, read_buffer);
          outcome.max_sender_cache_memory =
              std::max(outcome.max_sender_cache_memory, sender.cache_memory_bytes());
        } else if (auto* send = std::get_if<sender_action::SendControl>(&*action)) {
          PeerRun& p = peers[send->peer];
          if (p.connected) p.to_receiver.push(false, {send->text.begin(), send->text.end()});
        } else if (auto* fin = std::get_if<sender_action::PeerFinished>(&*action)) {
          peers[fin->peer].out.sender_finished = true;
          peers[fin->peer].sender_done = true;
        } else if (auto* failed = std::get_if<sender_action::PeerFailed>(&*action)) {
          peers[failed->peer].out.sender_error = failed->error;
          peers[failed->peer].sender_done = true;
        }
      }
      // Pump frames while each channel is below its high watermark.
      for (std::size_t i = 0; i < peers.size(); ++i) {
        PeerRun& p = peers[i];
        if (!p.connected) continue;
        while (p.gate.may_send(p.to_receiver.buffered_bytes)) {
          auto f = sender.next_frame(static_cast<PeerId>(i));
          if (f.empty()) break;
          progressed = true;
          p.out.max_frame_bytes = std::max(p.out.max_frame_bytes, f.size());
          if (f.size() > p.setup.link.max_message_bytes)
            throw std::runtime_error("frame over max message size");
          p.to_receiver.push(true, {f.begin(), f.end()});
          p.out.max_buffered_bytes =
              std::max(p.out.max_buffered_bytes, p.to_receiver.buffered_bytes);
          if (p.to_receiver.buffered_bytes > p.setup.link.send_buffer_limit_bytes) {
            throw std::runtime_error("send buffer limit exceeded");
          }
        }
      }
    }

    bool all_done = true;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      PeerRun& p = peers[i];
      const Faults& f = p.setup.faults;
      maybe_drop(p, i, now);
      if (!p.connected && p.reconnect_at && now >= *p.reconnect_at) {
        p.connected = true;
        p.reconnect_at.reset();
        p.gate = FlowGate(p.setup.link.high_watermark_bytes, p.setup.link.low_watermark_bytes);
        p.receiver->on_reconnected();
        drain_receiver(p, now);
      }
      if (p.receiver && f.cancel_after_bytes && !p.cancelled &&
          p.out.frame_bytes_delivered >= *f.cancel_after_bytes) {
        p.cancelled = true;
        p.receiver->cancel("changed my mind");
        drain_receiver(p, now);
      }
      p.to_receiver.tick(now);
      p.to_sender.tick(now);
      while (p.connected && !p.to_receiver.in_transit.empty() &&
             p.to_receiver.in_transit.front().arrive_at <= now) {
        Message m = std::move(p.to_receiver.in_transit.front());
        p.to_receiver.in_transit.pop_front();
        deliver_to_receiver(p, m, now);
        maybe_drop(p, i, now);
      }
      while (!p.to_sender.in_transit.empty() && p.to_sender.in_transit.front().arrive_at <= now) {
        Message m = std::move(p.to_sender.in_transit.front());
        p.to_sender.in_transit.pop_front();
        auto msg = control::decode(
            std::string_view(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size()));
        if (!msg) throw std::runtime_error("sender got bad control: " + msg.error().detail);
        (void)sender.on_control(static_cast<PeerId>(i), msg.value());
      }
      while (p.receiver && !p.writes_due.empty() && p.writes_due.begin()->first <= now) {
        const std::uint32_t block = p.writes_due.begin()->second;
        p.writes_due.erase(p.writes_due.begin());
        p.receiver->on_write_done(block);
        drain_receiver(p, now);
      }
      all_done = all_done && p.receiver_done && p.sender_done && p.writes_due.empty();
    }
    if (all_done) break;
  }
  outcome.ticks = now;
  outcome.timed_out = now >= max_ticks;
  outcome.blocks_read = sender.blocks_read();
  for (auto& p : peers) {
    if (p.receiver) {
      p.out.progress = p.receiver->progress();
      p.out.final_state = p.receiver->resume_state();
    }
    outcome.peers.push_back(std::move(p.out));
  }
  return outcome;
}

}  // namespace cieloweb::sim
