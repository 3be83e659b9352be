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

# Real Chromium against the real server and the built page.
add_test(NAME browser_page COMMAND node --test --test-concurrency=1 ${CIELO_ROOT}/tests/browser/
  WORKING_DIRECTORY ${CIELO_ROOT})
set_tests_properties(browser_page PROPERTIES TIMEOUT 600)
include(${PROJECT_SOURCE_DIR}/tests/fuzz/smoke.cmake)
