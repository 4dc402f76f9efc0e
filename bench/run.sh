#!/usr/bin/env bash
# ytexa benchmark: /healthz, login and an authenticated GET /api/v1/me with wrk, plus idle memory
# and start-up time. The server is pinned to CPU 0 and wrk to CPU 1 so they do not share a core.
# Traffic goes only to 127.0.0.1; every run is bounded by BENCH_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${YTEXA_BIN:-build/ytexa}
SECS=${BENCH_SECONDS:-10}
DIR=$(mktemp -d /tmp/ytexa-bench.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
URL=http://127.0.0.1:$PORT
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT

"$BIN" demo --data "$DIR" >/dev/null
start=$(date +%s%N)
taskset -c 0 "$BIN" serve --data "$DIR" --port "$PORT" --log-level warn --web "$DIR/none" 2>"$DIR/log" &
PID=$!
for _ in $(seq 1 2000); do
  curl -sf "$URL/healthz" >/dev/null 2>&1 && break
  sleep 0.001
done
first_ms=$((($(date +%s%N) - start) / 1000000))
sleep 1
rss_idle=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)

TOKEN=$(curl -s -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo.doctor","password":"demo-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
export YTEXA_TOKEN=$TOKEN

run() { # name, connections, extra wrk args
  local name=$1 c=$2; shift 2
  taskset -c 1 wrk -t1 -c"$c" -d"${SECS}s" --latency "$@" >"$DIR/$name.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$DIR/$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$DIR/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$DIR/$name.txt")
  printf '%-28s %6s conn %12s req/s   p50 %9s   p99 %9s\n' "$name" "$c" "$rps" "$p50" "$p99"
  eval "RPS_$name=$rps"
}

echo "ytexa benchmark, $(nproc) cores, ${SECS}s per run, UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-4}"
run healthz 64 "$URL/healthz"
run me 64 -s bench/me.lua "$URL/api/v1/me"
run me_1conn 1 -s bench/me.lua "$URL/api/v1/me"
run login 8 -s bench/login.lua "$URL/api/v1/auth/login"
rss_after=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
errors=$(grep -h "Non-2xx" "$DIR"/*.txt || true)

echo
printf 'start to first answer           %6d ms\n' "$first_ms"
printf 'RSS idle / after the runs       %6d KiB / %d KiB\n' "$rss_idle" "$rss_after"
awk -v a="$RPS_me" -v b="$RPS_healthz" 'BEGIN { printf "authenticated /me ÷ /healthz     %6.2f\n", a / b }'
[[ -z $errors ]] || echo "non-2xx answers: $errors"
kill -TERM "$PID"
wait "$PID" && echo "server stopped cleanly"
