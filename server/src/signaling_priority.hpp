#pragma once
// The signaling thread's place in the CPU scheduler (docs/signaling.md, "Signaling before
// accounts").
//
// A join is answered by the signaling thread alone, in well under a millisecond of its own work; on
// a machine whose cores are full of HTTP and accounts work, it used to wait milliseconds for a core
// (p99 0.4 ms alone, 3.7 ms beside 200 looping /api/me clients on two cores). At the lowest
// real-time priority it runs as soon as it has work and everything else takes the rest.
#include <optional>
#include <string>
#include <string_view>

namespace cieloweb::server {

enum class SignalingPriority {
  automatic,  // real-time where the process may and there are two CPUs or more, else normal
  realtime,   // real-time, or the server does not start
  normal,     // the ordinary time-shared scheduling, like every other thread
};

std::optional<SignalingPriority> parse_signaling_priority(std::string_view text);

struct PriorityOutcome {
  bool realtime = false;
  std::string reason;   // why, in words for the log
  bool failed = false;  // `realtime` was asked for and refused: the server stops
};

// Whether `automatic` should try real-time: only with CPUs to spare, since a real-time thread that
// stays busy (a flood of joins) would otherwise hold the only core the HTTP thread has.
bool realtime_worth_trying(int usable_cpus);

// Puts the calling thread (signaling) at SCHED_FIFO's lowest priority, with SCHED_RESET_ON_FORK so
// no thread started later inherits it. Call once every other long-lived thread has been started.
PriorityOutcome apply_signaling_priority(SignalingPriority wanted);

}  // namespace cieloweb::server
