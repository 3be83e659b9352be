# The two commands: `make run` (install what is missing, build, serve on http://localhost:8080)
# and `make test` (build everything, run every suite; ends with ctest's summary).
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
PORT ?= 8080
FUZZ_SECONDS ?= 300

.PHONY: all setup native asan wasm fuzz-build web run cluster cluster-stop test lint bench fuzz format clean

all: native wasm web

setup:
	@scripts/setup.sh

native: setup
	cmake --preset native >/dev/null
	cmake --build --preset native

asan: setup
	cmake --preset asan >/dev/null
	cmake --build --preset asan

wasm: setup
	emcmake cmake --preset wasm >/dev/null
	cmake --build --preset wasm

fuzz-build: setup
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz

web: wasm
	mkdir -p web/public/core
	cp build/wasm/bindings/cieloweb_core.js build/wasm/bindings/cieloweb_core.wasm web/public/core/
	npm run --silent build:web

# Accounts included: the Firebase Auth emulator runs beside the server, and stops with it.
run: native web
	scripts/run_with_auth_emulator.sh build/native/server/cieloweb-server --port $(PORT) --web-root web/dist

# Several nodes behind HAProxy with Redis, PostgreSQL and coturn, all on this machine
# (docs/scale-out.md); `make cluster-stop` ends every part of it.
cluster: native web
	scripts/cluster.sh start

cluster-stop:
	scripts/cluster.sh stop

# Every suite is registered with the native build's ctest (unit, sanitizer, node/WASM, browser, fuzz
# smoke), so one summary line closes the run.
test: lint native asan wasm web fuzz-build
	cd build/native && ctest --output-on-failure --timeout 900

# One tool (Biome, pinned in package.json) formats and lints the JavaScript, CSS and test drivers;
# clang-format checks the C++. Warnings fail too: `make format` fixes what formatting can.
CPP_SOURCES = $$(git ls-files '*.cpp' '*.hpp' '*.h')
lint: setup
	npx --no-install biome ci --error-on-warnings
	clang-format --dry-run -Werror $(CPP_SOURCES)
	@# Small files by concern: none of the page's or the server's sources grows past 400 lines.
	@over=$$(git ls-files 'web/src/*.js' 'server/src/*.cpp' 'server/src/*.hpp' | xargs wc -l | awk '$$2 != "total" && $$1 > 400'); \
	  if [ -n "$$over" ]; then echo "lint: over 400 lines:"; echo "$$over"; exit 1; fi

bench: native wasm web
	node bench/run.mjs

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_SECONDS)

format: setup
	npx --no-install biome check --write
	clang-format -i $(CPP_SOURCES)

clean:
	rm -rf build web/dist
