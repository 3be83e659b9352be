// A few threads for work that blocks (SQLite, fetching signing keys), so the I/O threads never
// do. Each job's result is posted back to the executor of the thread that submitted it (the
// signaling thread or the HTTP thread), where it is handled like any other event: state owned by
// that thread stays lock-free. The queue is bounded: past it a submit is refused at once
// (overloaded) instead of letting latency and memory grow. Signaling messages never go through
// here; they must never wait on a slow disk or a remote server.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace cieloweb::server {

enum class SubmitResult {
  accepted,
  overloaded,  // the queue is full: answer the client with 503, do not retry in a loop
  stopped,     // the pool is shutting down
};
std::string_view submit_result_name(SubmitResult result);

class BlockingPool {
 public:
  // How much lower the workers' scheduling priority is than the signaling thread's (nice levels).
  static constexpr int worker_niceness = 5;
  // `threads` workers (at least 1); at most `max_queued` jobs waiting for a worker. `io`: where
  // on_done runs unless submit_to() names another executor (one thread each, so it acts as a
  // strand).
  BlockingPool(boost::asio::any_io_executor io, std::size_t threads, std::size_t max_queued);
  // Shuts down (see shutdown()).
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `work()` on a worker, then posts `on_done(std::optional<R>)` to the pool's executor with
  // its result, or with nullopt when the work threw or was cancelled by shutdown. on_done is called
  // exactly once for an accepted job and never for a refused one. The executor must outlive the
  // pool's shutdown.
  template <class Work, class Done>
  SubmitResult submit(Work work, Done on_done) {
    return submit_to(io_, std::move(work), std::move(on_done));
  }

  // submit(), with on_done posted to `io` instead (the thread that owns what on_done touches).
  template <class Work, class Done>
  SubmitResult submit_to(boost::asio::any_io_executor io, Work work, Done on_done) {
    using R = std::invoke_result_t<Work&>;
    auto done = std::make_shared<Done>(std::move(on_done));
    return enqueue(
        [work = std::move(work), done, io]() mutable {
          std::optional<R> result;
          try {
            result.emplace(work());
          } catch (const std::exception&) {
            // Reported as nullopt: the caller answers with an error, the worker lives on.
          }
          boost::asio::post(
              io, [done, result = std::move(result)]() mutable { (*done)(std::move(result)); });
        },
        [done, io] { boost::asio::post(io, [done] { (*done)(std::optional<R>{}); }); });
  }

  // Stops taking work, cancels the jobs still queued (their on_done gets nullopt), lets running
  // jobs finish and joins the workers. Idempotent; blocks only as long as the running jobs.
  void shutdown();

  std::size_t queued() const;

 private:
  struct Job {
    std::function<void()> run;
    std::function<void()> cancel;
  };
  SubmitResult enqueue(std::function<void()> run, std::function<void()> cancel);
  void worker();

  boost::asio::any_io_executor io_;
  std::size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cieloweb::server
