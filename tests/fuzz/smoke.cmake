# Short libFuzzer runs registered in the native ctest (included from tests/native/CMakeLists.txt).
# The fuzzers come from the fuzz preset's build tree (cmake --preset fuzz && cmake --build --preset
# fuzz); when one is not built, its test is reported as skipped rather than failed. Each run works on
# a copy of the committed seeds in this build tree: the fuzzer adds inputs to its corpus directory,
# and the committed corpus must not change.
set(CIELO_FUZZ_SMOKE_BIN_DIR ${PROJECT_SOURCE_DIR}/build/fuzz/tests/fuzz)
set(CIELO_FUZZ_SMOKE_WORK_DIR ${CMAKE_CURRENT_BINARY_DIR}/fuzz-smoke)

foreach(target fuzz_frame fuzz_control fuzz_receiver fuzz_sdp)
  set(bin ${CIELO_FUZZ_SMOKE_BIN_DIR}/${target})
  set(corpus ${CIELO_FUZZ_SMOKE_WORK_DIR}/${target})
  add_test(NAME fuzz_smoke_${target}_corpus
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${target}
            ${corpus})
  set_tests_properties(fuzz_smoke_${target}_corpus PROPERTIES FIXTURES_SETUP fuzz_corpus_${target})
  # Exit code 77 = skipped: the fuzz preset was not built.
  add_test(NAME fuzz_smoke_${target}
    COMMAND sh -c "test -x \"$0\" || exit 77; exec \"$0\" \"$@\"" ${bin}
            -max_total_time=15 -rss_limit_mb=2048 -timeout=25
            -artifact_prefix=${CIELO_FUZZ_SMOKE_WORK_DIR}/${target}- ${corpus}
    WORKING_DIRECTORY ${CIELO_FUZZ_SMOKE_WORK_DIR})
  set_tests_properties(fuzz_smoke_${target} PROPERTIES
    FIXTURES_REQUIRED fuzz_corpus_${target}
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    LABELS fuzz)
endforeach()
