#!/usr/bin/env bash
# `make run`: the server with accounts and nothing to configure. Starts the Firebase Auth emulator
# (tools/auth-emulator, installed by scripts/setup.sh) in the background on the demo-cieloweb
# project, waits until it answers, then runs the server given as arguments in the foreground with
# the emulator's flags added. The emulator stops when the server exits, on Ctrl-C and on SIGTERM.
# One already answering on its port (a second `make run`, or one started by hand) is reused and
# left running.
#   usage: scripts/run_with_auth_emulator.sh <server binary> [server flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 <server binary> [server flags...]" >&2; exit 2; }

PROJECT=demo-cieloweb
HOST=127.0.0.1
PORT=9099 # tools/auth-emulator/firebase.json
CLI=tools/auth-emulator/node_modules/firebase-tools/lib/bin/firebase.js
LOG=build/auth-emulator.log

answers() { [[ "$(curl -fsS --max-time 2 "http://$HOST:$PORT/" 2>/dev/null)" == *'"authEmulator"'* ]]; }
port_taken() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

emulator=""
stop_emulator() {
  [ -n "$emulator" ] || return 0
  # Its own process group: everything the CLI started goes with it.
  kill -TERM -- "-$emulator" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 -- "-$emulator" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$emulator" 2>/dev/null || true
  emulator=""
}
trap stop_emulator EXIT

if answers; then
  echo "run: reusing the Auth emulator already on $HOST:$PORT"
elif port_taken; then
  echo "run: port $PORT is taken by something that is not the Firebase Auth emulator" >&2
  exit 1
else
  [ -f "$CLI" ] || { echo "run: missing $CLI: run scripts/setup.sh" >&2; exit 1; }
  mkdir -p "$(dirname "$LOG")"
  echo "run: starting the Auth emulator on $HOST:$PORT (takes 12-24 s; log in $LOG)"
  # setsid: a process group of its own, out of the terminal's reach, stopped by stop_emulator.
  (cd tools/auth-emulator && exec setsid node "../../$CLI" emulators:start --only auth --project "$PROJECT") \
    >"$LOG" 2>&1 </dev/null &
  emulator=$!
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  for ((waited = 0; ; waited++)); do
    answers && break
    if ! kill -0 "$emulator" 2>/dev/null || [ "$waited" -ge 180 ]; then
      echo "run: the Auth emulator did not start; the end of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "run: Auth emulator ready"
fi

# The default profiles database lives in data/ (git-ignored).
mkdir -p data
# A process group of its own too, so that a signal reaches it once, from here: Ctrl-C, SIGTERM
# or a closed terminal make it shut down gracefully, and the emulator is stopped once it has.
setsid "$@" --firebase-project "$PROJECT" --firebase-emulator "$HOST:$PORT" --third-parties sign-in &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM HUP
status=0
while kill -0 "$server" 2>/dev/null; do
  wait "$server" && status=0 || status=$?
done
exit "$status"
