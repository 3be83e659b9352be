// The pool for blocking work: results come back on the I/O thread, overflow is refused, shutdown
// cancels what has not started.
#include "blocking_pool.hpp"

#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>

using cieloweb::server::BlockingPool;
using cieloweb::server::SubmitResult;

TEST_CASE("work runs on a worker; its result arrives on the I/O thread") {
  boost::asio::io_context io;
  // Without work of its own the io_context would stop as soon as it is empty.
  auto guard = boost::asio::make_work_guard(io);
  BlockingPool pool(io.get_executor(), 2, 8);
  const auto io_thread = std::this_thread::get_id();
  std::thread::id worked_on;
  std::thread::id done_on;
  std::optional<int> got;
  REQUIRE(pool.submit(
              [&] {
                worked_on = std::this_thread::get_id();
                return 42;
              },
              [&](std::optional<int> result) {
                done_on = std::this_thread::get_id();
                got = result;
              }) == SubmitResult::accepted);
  while (!got) io.run_one();
  CHECK(*got == 42);
  CHECK(worked_on != io_thread);
  CHECK(done_on == io_thread);
}

TEST_CASE("a full queue refuses at once; shutdown cancels what is queued") {
  boost::asio::io_context io;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  std::vector<std::optional<int>> results;
  {
    BlockingPool pool(io.get_executor(), 1, 1);
    // The one worker is held by the first job; the second waits; the third finds the queue full.
    REQUIRE(pool.submit(
                [&] {
                  started.set_value();
                  released.wait();
                  return 1;
                },
                [&](std::optional<int> r) { results.push_back(r); }) == SubmitResult::accepted);
    started.get_future().wait();
    REQUIRE(pool.submit([] { return 2; }, [&](std::optional<int> r) { results.push_back(r); }) ==
            SubmitResult::accepted);
    CHECK(pool.submit([] { return 3; }, [&](std::optional<int>) { FAIL("refused job ran"); }) ==
          SubmitResult::overloaded);
    release.set_value();
    pool.shutdown();
    CHECK(pool.submit([] { return 4; }, [](std::optional<int>) {}) == SubmitResult::stopped);
  }
  io.run();
  // The first ran to the end; the second was cancelled, or ran if the worker took it first.
  REQUIRE(results.size() == 2);
  CHECK(results[0] == std::optional<int>(1));
  CHECK((!results[1].has_value() || *results[1] == 2));
}

TEST_CASE("work that throws reports nullopt and the worker lives on") {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  BlockingPool pool(io.get_executor(), 1, 4);
  std::vector<std::optional<int>> results;
  pool.submit([]() -> int { throw std::runtime_error("disk"); },
              [&](std::optional<int> r) { results.push_back(r); });
  pool.submit([] { return 7; }, [&](std::optional<int> r) { results.push_back(r); });
  while (results.size() < 2) io.run_one();
  CHECK_FALSE(results[0].has_value());
  CHECK(results[1] == std::optional<int>(7));
}
