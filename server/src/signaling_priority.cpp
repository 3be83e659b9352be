#include "signaling_priority.hpp"

#include <sched.h>

#include <cerrno>
#include <cstring>

namespace cieloweb::server {

std::optional<SignalingPriority> parse_signaling_priority(std::string_view text) {
  if (text == "auto") return SignalingPriority::automatic;
  if (text == "realtime") return SignalingPriority::realtime;
  if (text == "normal") return SignalingPriority::normal;
  return std::nullopt;
}

bool realtime_worth_trying(int usable_cpus) {
  return usable_cpus >= 2;
}

static int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return CPU_COUNT(&set);
}

PriorityOutcome apply_signaling_priority(SignalingPriority wanted) {
  if (wanted == SignalingPriority::normal) return {false, "configured normal", false};
  const int cpus = usable_cpus();
  if (wanted == SignalingPriority::automatic && !realtime_worth_trying(cpus))
    return {false, "one usable CPU: real-time signaling could starve HTTP", false};
  sched_param param{};
  param.sched_priority = sched_get_priority_min(SCHED_FIFO);
  // pthread_setschedparam cannot set SCHED_RESET_ON_FORK; sched_setscheduler with 0 is this thread.
  if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &param) == 0)
    return {true, "SCHED_FIFO " + std::to_string(param.sched_priority), false};
  const std::string why = std::strerror(errno);
  if (wanted == SignalingPriority::realtime)
    return {false, "real-time scheduling refused (" + why + "): needs CAP_SYS_NICE", true};
  return {false, "real-time scheduling refused (" + why + ")", false};
}

}  // namespace cieloweb::server
