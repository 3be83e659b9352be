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

# The server's Node tests that need the Firebase Auth emulator (every tests/server file that
# imports tests/support/auth_emulator.mjs) run in one suite, under one emulator for all of them:
# it costs 12-24 s of CPU to start. server_e2e (server/CMakeLists.txt) runs the other files, named
# by CIELO_SERVER_PLAIN_TESTS.
if(CIELO_BUILD_SERVER)
  file(GLOB server_test_files CONFIGURE_DEPENDS ${CIELO_ROOT}/tests/server/*.test.mjs)
  set(server_emulator_tests "")
  set(server_plain_tests "")
  foreach(file ${server_test_files})
    file(STRINGS ${file} uses_emulator REGEX "support/auth_emulator\\.mjs")
    # tests/server/postgres_*.test.mjs (the store's own PostgreSQL checks) run in
    # server_accounts_postgres only.
    get_filename_component(name ${file} NAME)
    string(REGEX MATCH "^postgres_" own_postgres ${name})
    if(uses_emulator)
      list(APPEND server_emulator_tests ${file})
    elseif(NOT own_postgres)
      list(APPEND server_plain_tests ${file})
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY CIELO_SERVER_PLAIN_TESTS ${server_plain_tests})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${server_test_files})
  if(server_emulator_tests)
    add_test(NAME server_accounts
      COMMAND node ${CIELO_ROOT}/tests/support/with_auth_emulator.mjs
              node --test --test-concurrency=1 ${server_emulator_tests}
      WORKING_DIRECTORY ${CIELO_ROOT})
    set_tests_properties(server_accounts PROPERTIES
      ENVIRONMENT "CIELO_SERVER_BIN=$<TARGET_FILE:cieloweb-server>" TIMEOUT 420)
  endif()
  # The account tests again with the profiles in PostgreSQL (issue 18): every tests/server file
  # whose store comes from the harness (testProfiles, unopenableProfiles), same assertions, under
  # one PostgreSQL started for the run (tests/support/with_postgres.mjs) and one Auth emulator;
  # and postgres_*.test.mjs, which start a PostgreSQL of their own (restarts, migrations).
  set(server_profile_tests "")
  foreach(file ${server_test_files})
    file(STRINGS ${file} uses_profiles REGEX "testProfiles|unopenableProfiles")
    get_filename_component(name ${file} NAME)
    if(uses_profiles OR name MATCHES "^postgres_")
      list(APPEND server_profile_tests ${file})
    endif()
  endforeach()
  if(server_profile_tests)
    add_test(NAME server_accounts_postgres
      COMMAND node ${CIELO_ROOT}/tests/support/with_postgres.mjs
              node ${CIELO_ROOT}/tests/support/with_auth_emulator.mjs
              node --test --test-concurrency=1 ${server_profile_tests}
      WORKING_DIRECTORY ${CIELO_ROOT})
    set_tests_properties(server_accounts_postgres PROPERTIES
      ENVIRONMENT "CIELO_SERVER_BIN=$<TARGET_FILE:cieloweb-server>;CIELO_TEST_PROFILES=postgres"
      TIMEOUT 420)
  endif()
endif()

# The WASM build in Node: hashes vs b3sum, codec, full transfers, leak counts.
add_test(NAME wasm_node COMMAND node --test ${CIELO_ROOT}/tests/node/ WORKING_DIRECTORY ${CIELO_ROOT})

# Real Chromium against the real server and the built page, in three suites so that each has its
# own time budget and a failure names its area: rooms and the room proof under attack; transfers;
# hostile peers and storage. Every file of tests/browser/ is in exactly one of them.
# A suite with a file that imports tests/support/auth_emulator.mjs runs under one Auth emulator
# shared by its files (tests/support/with_auth_emulator.mjs).
set(CIELO_BROWSER_TESTS_LISTED "")
function(cielo_browser_suite name)
  set(CIELO_BROWSER_TESTS_LISTED ${CIELO_BROWSER_TESTS_LISTED} ${ARGN} PARENT_SCOPE)
  list(TRANSFORM ARGN PREPEND ${CIELO_ROOT}/tests/browser/ OUTPUT_VARIABLE files)
  set(runner "")
  foreach(file ${files})
    file(STRINGS ${file} uses_emulator REGEX "support/auth_emulator\\.mjs")
    if(uses_emulator)
      set(runner node ${CIELO_ROOT}/tests/support/with_auth_emulator.mjs)
    endif()
  endforeach()
  add_test(NAME ${name} COMMAND ${runner} node --test --test-concurrency=1 ${files} WORKING_DIRECTORY ${CIELO_ROOT})
  set_tests_properties(${name} PROPERTIES TIMEOUT 900)
endfunction()
cielo_browser_suite(browser_page hash_page.test.mjs install.test.mjs page_weight.test.mjs phone.test.mjs room.test.mjs room_attacks.test.mjs)
cielo_browser_suite(browser_transfer transfer.test.mjs turn.test.mjs firefox_files.test.mjs save_all.test.mjs cluster.test.mjs)
cielo_browser_suite(browser_hostile hostile_peer.test.mjs storage.test.mjs a11y.test.mjs keyboard.test.mjs)
cielo_browser_suite(browser_accounts accounts.test.mjs ads.test.mjs)
cielo_browser_suite(browser_calls call.test.mjs call_attacks.test.mjs firefox_call.test.mjs)
# A new test file must be given a suite, or it would silently never run.
file(GLOB browser_test_files RELATIVE ${CIELO_ROOT}/tests/browser ${CIELO_ROOT}/tests/browser/*.test.mjs)
list(REMOVE_ITEM browser_test_files ${CIELO_BROWSER_TESTS_LISTED})
if(browser_test_files)
  message(FATAL_ERROR "tests/browser: not in any suite of tests/suites.cmake: ${browser_test_files}")
endif()
include(${PROJECT_SOURCE_DIR}/tests/fuzz/smoke.cmake)
