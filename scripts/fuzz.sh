#!/usr/bin/env bash
# Runs every built libFuzzer target for SECONDS each (build them first:
# `cmake --preset fuzz && cmake --build --preset fuzz`). Each fuzzer works on a copy of its committed
# seed corpus under build/fuzz/corpus-work/<name>, so the committed corpus never changes; crash
# reproducers land in build/fuzz/artifacts/. Exits non-zero if any fuzzer finds a crash, a leak, an
# out-of-memory or a timeout.
#
#   scripts/fuzz.sh 60
#   FUZZ_BUILD_DIR=path/to/build scripts/fuzz.sh 300
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build/fuzz}"
work="$build/corpus-work"
artifacts="$build/artifacts"
mkdir -p "$work" "$artifacts"

# Committed seeds of a fuzzer: tests/fuzz/corpus/<name> for the core, server/fuzz/corpus_<name without
# fuzz_> for the server's, server/fuzz/corpus for the signaling fuzzer.
seed_dir() {
  local name="$1"
  for dir in "$root/tests/fuzz/corpus/$name" "$root/server/fuzz/corpus_${name#fuzz_}" \
             "$root/server/fuzz/corpus"; do
    if [[ -d "$dir" ]]; then
      case "$dir" in
        */server/fuzz/corpus) [[ "$name" == *signaling* || "$name" == fuzz_server* ]] || continue ;;
      esac
      echo "$dir"
      return
    fi
  done
}

shopt -s nullglob
fuzzers=()
for bin in "$build"/tests/fuzz/fuzz_* "$build"/server/fuzz_*; do
  [[ -f "$bin" && -x "$bin" ]] && fuzzers+=("$bin")
done
if [[ ${#fuzzers[@]} -eq 0 ]]; then
  echo "no fuzzers in $build (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
  exit 2
fi

failed=()
for bin in "${fuzzers[@]}"; do
  name="$(basename "$bin")"
  corpus="$work/$name"
  mkdir -p "$corpus"
  seeds="$(seed_dir "$name")"
  if [[ -n "$seeds" ]]; then
    # Files only (no subdirectories); new seeds never overwrite what the work corpus already has.
    find "$seeds" -maxdepth 1 -type f -exec cp -n {} "$corpus/" \;
  fi
  echo "== $name: ${seconds}s, corpus $corpus"
  if "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$name-" "$corpus"; then
    echo "== $name: ok"
  else
    echo "== $name: FAILED (reproducers: $artifacts/$name-*)" >&2
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzers that found problems: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#fuzzers[@]} fuzzers ran ${seconds}s without findings"
