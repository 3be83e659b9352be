#include "blocking_pool.hpp"

#include <sys/resource.h>

#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>

namespace cieloweb::server {

std::string_view submit_result_name(SubmitResult result) {
  static constexpr std::string_view names[] = {"accepted", "overloaded", "stopped"};
  return names[static_cast<std::size_t>(result)];
}

BlockingPool::BlockingPool(boost::asio::any_io_executor io, std::size_t threads,
                           std::size_t max_queued)
    : io_(std::move(io)), max_queued_(max_queued) {
  const std::size_t count = threads == 0 ? 1 : threads;
  threads_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) threads_.emplace_back([this] { worker(); });
}

BlockingPool::~BlockingPool() {
  shutdown();
}

SubmitResult BlockingPool::enqueue(std::function<void()> run, std::function<void()> cancel) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return SubmitResult::stopped;
    if (queue_.size() >= max_queued_) return SubmitResult::overloaded;
    queue_.push_back({std::move(run), std::move(cancel)});
  }
  wake_.notify_one();
  return SubmitResult::accepted;
}

std::size_t BlockingPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void BlockingPool::worker() {
  // Signaling is the latency that matters (a join, a relayed offer); account requests can wait a
  // little. So the scheduler prefers the signaling and HTTP threads over these workers when the
  // cores are busy. Best effort: where it is refused, the workers run at the ordinary priority.
  const auto self = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int nice_now = getpriority(PRIO_PROCESS, self);
  if (errno == 0) setpriority(PRIO_PROCESS, self, nice_now + worker_niceness);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;  // what is still queued is cancelled by shutdown()
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.run();
  }
}

void BlockingPool::shutdown() {
  std::deque<Job> cancelled;
  std::vector<std::thread> threads;
  {
    // The threads are taken out under the lock, so a second shutdown() (the destructor after an
    // explicit one, or two callers) finds none to join.
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cancelled.swap(queue_);
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  for (auto& job : cancelled) job.cancel();
}

}  // namespace cieloweb::server
