#!/usr/bin/env bash
# Installs everything the build, the service and the tests need on a bare Debian 12 machine.
# Idempotent: a second run checks and returns within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
  emscripten b3sum zstd unzip libzstd-dev nlohmann-json3-dev doctest-dev
  libboost-dev libboost-system-dev libssl-dev libsqlite3-dev
  chromium nodejs npm dpkg-dev xz-utils ca-certificates curl
  coturn haproxy firefox-esr redis-server libhiredis-dev postgresql-15 libpq-dev
)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node is sometimes provided outside apt (a newer build on PATH); only ask apt for it when absent.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

SRC_LIST=/etc/apt/sources.list.d/cieloweb-deb-src.sources
need_src_list=0
[ -f "$SRC_LIST" ] || need_src_list=1
if [ "$need_src_list" = 1 ]; then
  # zstd for WASM is compiled from Debian's own source package (same version as libzstd-dev).
  $SUDO tee "$SRC_LIST" >/dev/null <<'LIST'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
fi
if [ ${#missing[@]} -gt 0 ] || [ "$need_src_list" = 1 ]; then
  echo "setup: apt-get install ${missing[*]:-(source list only)}"
  $SUDO apt-get update -q
  [ ${#missing[@]} -gt 0 ] && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# zstd source tree for the WASM build, fetched into the (git-ignored) third_party folder.
ZSTD_DIR=third_party/libzstd
if [ ! -f "$ZSTD_DIR/lib/zstd.h" ]; then
  echo "setup: fetching Debian's libzstd source package"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source -q --download-only libzstd >/dev/null 2>&1 || { $SUDO apt-get update -q && apt-get source -q --download-only libzstd; })
  (cd "$tmp" && dpkg-source -x --no-check ./*.dsc src >/dev/null)
  mkdir -p third_party && rm -rf "$ZSTD_DIR" && mv "$tmp/src" "$ZSTD_DIR" && rm -rf "$tmp"
fi

# Node packages (test drivers, benchmark anchors, the page's build tool).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm install"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
# Node tools kept apart from the app's packages, each with its own lock and without optional
# dependencies: the Firebase Auth emulator (make run, the account tests) and firebase-admin (the
# anchor of the token verification benchmark).
for dir in tools/auth-emulator bench/firebase-admin; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --omit=optional --no-audit --no-fund)
  fi
done
echo "setup: ok"
