#!/usr/bin/env bash
# `make cluster` / `make cluster-stop`: the service as several nodes on this one machine, from
# Debian packages and with nothing to configure: Redis (rooms shared by the nodes), PostgreSQL
# (profiles; its own data folder), coturn (the shipped deploy/coturn/turnserver.conf), the Firebase
# Auth emulator, three cieloweb-server nodes and HAProxy in front, serving the app on one port.
# Everything lives under build/cluster (git-ignored): data, logs, pid files. docs/scale-out.md.
#   usage: scripts/cluster.sh start|stop|status
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8080}                 # the balancer: the app's one address
NODE_PORTS=(18081 18082 18083)
REDIS_PORT=${REDIS_PORT:-16379}
PG_PORT=${PG_PORT:-15432}
TURN_PORT=${TURN_PORT:-13478}
EMULATOR=127.0.0.1:9099           # tools/auth-emulator/firebase.json
PROJECT=demo-cieloweb
DIR=build/cluster
SERVER=build/native/server/cieloweb-server
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

say() { echo "cluster: $*"; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_port() { # host port what
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.1; done
  say "$3 did not open $1:$2 (logs in $DIR)"; return 1
}
# PostgreSQL refuses to run as root: under root it runs as the `postgres` system user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }

start_redis() {
  pid_alive $DIR/redis.pid && return 0
  mkdir -p $DIR/redis
  # Signaling state only, rebuilt by the nodes after a restart: no persistence.
  redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$PWD/$DIR/redis" --pidfile "$PWD/$DIR/redis.pid" --logfile "$PWD/$DIR/redis.log"
  wait_port 127.0.0.1 $REDIS_PORT redis
}

start_postgres() {
  [ -n "$PG_BIN" ] || { say "PostgreSQL missing: run scripts/setup.sh"; exit 1; }
  if [ ! -f $DIR/pg/PG_VERSION ]; then
    mkdir -p $DIR/pg && chmod 700 $DIR/pg
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres $DIR/pg
    as_pg "$PG_BIN/initdb" -D $DIR/pg -U postgres --auth=trust -E UTF8 >$DIR/pg-init.log
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D $DIR/pg status >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] && touch $DIR/pg.log && chown postgres $DIR/pg.log
    as_pg "$PG_BIN/pg_ctl" -D $DIR/pg -l $DIR/pg.log -w start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PWD/$DIR/pg" >/dev/null
  fi
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p $PG_PORT -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='cieloweb'" | grep -q 1 ||
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p $PG_PORT -U postgres cieloweb
}

start_coturn() {
  pid_alive $DIR/coturn.pid && return 0
  mkdir -p $DIR/coturn
  [ -f $DIR/turn-secret ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' >$DIR/turn-secret)
  # The shipped file, with only what a one-machine run needs changed: addresses, ports, paths.
  turnadmin -s "$(cat $DIR/turn-secret)" -r cieloweb.local -b $DIR/coturn/turndb >/dev/null 2>&1
  setsid turnserver -c deploy/coturn/turnserver.conf --realm cieloweb.local \
    --userdb "$PWD/$DIR/coturn/turndb" --listening-ip 127.0.0.1 --listening-port $TURN_PORT \
    --relay-ip 127.0.0.1 --min-port 49400 --max-port 49600 --pidfile "$PWD/$DIR/coturn.pid" \
    --log-file "$PWD/$DIR/coturn.log" --simple-log --no-stdout-log </dev/null >/dev/null 2>&1 &
  echo $! >$DIR/coturn.pid
}

start_emulator() {
  curl -fsS --max-time 2 "http://$EMULATOR/" 2>/dev/null | grep -q authEmulator && return 0
  local cli=tools/auth-emulator/node_modules/firebase-tools/lib/bin/firebase.js
  [ -f "$cli" ] || { say "missing $cli: run scripts/setup.sh"; exit 1; }
  say "starting the Auth emulator (12-24 s)"
  (cd tools/auth-emulator && exec setsid node "../../$cli" emulators:start --only auth --project $PROJECT) \
    >$DIR/auth-emulator.log 2>&1 </dev/null &
  echo $! >$DIR/emulator.pid
  for _ in $(seq 180); do
    curl -fsS --max-time 2 "http://$EMULATOR/" 2>/dev/null | grep -q authEmulator && return 0
    sleep 0.5
  done
  say "the Auth emulator did not start: $DIR/auth-emulator.log"; exit 1
}

start_nodes() {
  local i=0
  for port in "${NODE_PORTS[@]}"; do
    i=$((i + 1))
    pid_alive $DIR/node$i.pid && continue
    setsid "$SERVER" --address 127.0.0.1 --port "$port" --web-root web/dist \
      --allowed-origins "http://localhost:$PORT,http://127.0.0.1:$PORT" \
      --trusted-proxies 127.0.0.1/32 --redis "redis://127.0.0.1:$REDIS_PORT" \
      --postgres "postgresql://postgres@127.0.0.1:$PG_PORT/cieloweb" --deletion-journal "$DIR/node$i.deleted-uids" \
      --stun-urls "stun:127.0.0.1:$TURN_PORT" --turn-urls "turn:127.0.0.1:$TURN_PORT?transport=udp" \
      --turn-secret-file "$DIR/turn-secret" \
      --firebase-project $PROJECT --firebase-emulator $EMULATOR --third-parties sign-in \
      </dev/null >>$DIR/node$i.log 2>&1 &
    echo $! >$DIR/node$i.pid
  done
  for port in "${NODE_PORTS[@]}"; do wait_port 127.0.0.1 "$port" "node on $port"; done
}

start_haproxy() {
  pid_alive $DIR/haproxy.pid && return 0
  # Two descriptors per proxied connection: as many as this shell may give (root may raise it).
  ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  local maxconn=$((($(ulimit -n) - 200) / 2))
  [ $maxconn -gt 50000 ] && maxconn=50000
  {
    echo "global"
    echo "  maxconn $maxconn"
    echo "defaults"
    echo "  mode http"
    echo "  option forwardfor"   # the nodes trust 127.0.0.1 to name the client (per-address limits)
    echo "  timeout connect 2s"
    echo "  timeout client 60s"
    echo "  timeout server 60s"
    echo "  timeout tunnel 1h"   # an open WebSocket; the nodes ping every 15 s
    echo "  timeout check 1s"    # a busy node answers /healthz in 0.1-0.2 s; a dead one refuses
    echo "frontend app"
    echo "  bind 127.0.0.1:$PORT"
    echo "  default_backend nodes"
    echo "backend nodes"
    echo "  balance leastconn"
    echo "  option httpchk GET /healthz"
    local i=0
    for port in "${NODE_PORTS[@]}"; do
      i=$((i + 1))
      echo "  server node$i 127.0.0.1:$port check inter 1s fall 2 rise 2"
    done
  } >$DIR/haproxy.cfg
  haproxy -D -p "$PWD/$DIR/haproxy.pid" -f $DIR/haproxy.cfg
  wait_port 127.0.0.1 "$PORT" haproxy
}

stop_pidfile() { # file
  pid_alive "$1" || { rm -f "$1"; return 0; }
  local pid; pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1"
}

case "${1:-}" in
  start)
    [ -x "$SERVER" ] && [ -f web/dist/index.html ] || { say "build first (make native web)"; exit 1; }
    mkdir -p $DIR
    start_redis
    start_postgres
    start_coturn
    start_emulator
    start_nodes
    start_haproxy
    say "up: http://127.0.0.1:$PORT (3 nodes, Redis :$REDIS_PORT, PostgreSQL :$PG_PORT, coturn :$TURN_PORT); make cluster-stop ends it"
    ;;
  stop)
    stop_pidfile $DIR/haproxy.pid
    for i in 1 2 3; do stop_pidfile $DIR/node$i.pid; done
    if [ -f $DIR/emulator.pid ]; then
      kill -TERM -- "-$(cat $DIR/emulator.pid)" 2>/dev/null || true
      rm -f $DIR/emulator.pid
    fi
    stop_pidfile $DIR/coturn.pid
    [ -n "$PG_BIN" ] && [ -f $DIR/pg/PG_VERSION ] && as_pg "$PG_BIN/pg_ctl" -D $DIR/pg -m fast stop >/dev/null 2>&1 || true
    stop_pidfile $DIR/redis.pid
    say "stopped (data kept in $DIR; delete it for a fresh start)"
    ;;
  status)
    for f in redis coturn emulator node1 node2 node3 haproxy; do
      pid_alive $DIR/$f.pid && echo "$f: running" || echo "$f: stopped"
    done
    [ -n "$PG_BIN" ] && as_pg "$PG_BIN/pg_ctl" -D $DIR/pg status >/dev/null 2>&1 && echo "postgres: running" || echo "postgres: stopped"
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
