# zstd for WASM, compiled from Debian's libzstd source package (fetched by scripts/setup.sh into
# third_party/libzstd). Same version as the native libzstd-dev, so both builds speak the same format.
set(CIELO_ZSTD_SOURCE_DIR ${PROJECT_SOURCE_DIR}/third_party/libzstd CACHE PATH "zstd source tree")
if(NOT EXISTS ${CIELO_ZSTD_SOURCE_DIR}/lib/zstd.h)
  message(FATAL_ERROR "zstd source not found in ${CIELO_ZSTD_SOURCE_DIR}: run scripts/setup.sh")
endif()
file(GLOB CIELO_ZSTD_SOURCES
  ${CIELO_ZSTD_SOURCE_DIR}/lib/common/*.c
  ${CIELO_ZSTD_SOURCE_DIR}/lib/compress/*.c
  ${CIELO_ZSTD_SOURCE_DIR}/lib/decompress/*.c)
add_library(zstd_wasm STATIC ${CIELO_ZSTD_SOURCES})
target_include_directories(zstd_wasm SYSTEM PUBLIC ${CIELO_ZSTD_SOURCE_DIR}/lib)
target_compile_definitions(zstd_wasm PRIVATE ZSTD_MULTITHREAD=0 ZSTD_LEGACY_SUPPORT=0 ZSTD_DISABLE_ASM
  ZSTD_NO_TRACE XXH_NAMESPACE=ZSTD_)
target_compile_options(zstd_wasm PRIVATE -O3 -msimd128 -w)
