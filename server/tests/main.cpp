#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "log.hpp"

int main(int argc, char** argv) {
  // The hub logs every join and refusal; test output should show only test results.
  cieloweb::server::set_log_level(cieloweb::server::LogLevel::off);
  doctest::Context context(argc, argv);
  return context.run();
}
