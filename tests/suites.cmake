# Suites beyond the native unit tests, registered in the native build so that one `ctest` (the last
# step of `make test`) runs everything and ends with one summary line. Each needs an artefact that
# `make test` builds first: the sanitizer build, the WASM module, the built page, the fuzz build.
set(CIELO_ROOT ${PROJECT_SOURCE_DIR})

# The whole native unit suite again under ASan + UBSan. The >4 GiB sparse-file transfer is left to
# the release build: instrumented, it would take most of CI's budget for no extra coverage.
add_test(NAME core_unit_sanitized
  COMMAND ${CIELO_ROOT}/build/asan/tests/native/core_tests "--test-case-exclude=*larger than 4 GiB*")

# The server's handler tests under ASan + UBSan too.
if(CIELO_BUILD_SERVER)
  add_test(NAME server_unit_sanitized COMMAND ${CIELO_ROOT}/build/asan/server/server_tests)
endif()

# The WASM build in Node: hashes vs b3sum, codec, full transfers, leak counts.
add_test(NAME wasm_node COMMAND node --test ${CIELO_ROOT}/tests/node/ WORKING_DIRECTORY ${CIELO_ROOT})

# Real Chromium against the real server and the built page, in three suites so that each has its
# own time budget and a failure names its area: rooms and the room proof under attack; transfers;
# hostile peers and storage. Every file of tests/browser/ is in exactly one of them.
set(CIELO_BROWSER_TESTS_LISTED "")
function(cielo_browser_suite name)
  set(CIELO_BROWSER_TESTS_LISTED ${CIELO_BROWSER_TESTS_LISTED} ${ARGN} PARENT_SCOPE)
  list(TRANSFORM ARGN PREPEND ${CIELO_ROOT}/tests/browser/ OUTPUT_VARIABLE files)
  add_test(NAME ${name} COMMAND node --test --test-concurrency=1 ${files} WORKING_DIRECTORY ${CIELO_ROOT})
  set_tests_properties(${name} PROPERTIES TIMEOUT 900)
endfunction()
cielo_browser_suite(browser_page hash_page.test.mjs room.test.mjs room_attacks.test.mjs)
cielo_browser_suite(browser_transfer transfer.test.mjs turn.test.mjs)
cielo_browser_suite(browser_hostile hostile_peer.test.mjs storage.test.mjs)
# A new test file must be given a suite, or it would silently never run.
file(GLOB browser_test_files RELATIVE ${CIELO_ROOT}/tests/browser ${CIELO_ROOT}/tests/browser/*.test.mjs)
list(REMOVE_ITEM browser_test_files ${CIELO_BROWSER_TESTS_LISTED})
if(browser_test_files)
  message(FATAL_ERROR "tests/browser: not in any suite of tests/suites.cmake: ${browser_test_files}")
endif()
include(${PROJECT_SOURCE_DIR}/tests/fuzz/smoke.cmake)
