#!/usr/bin/env bash
# ytexa benchmark: GET /healthz, POST /api/v1/auth/login and an authenticated GET /api/v1/me with
# wrk, plus start-up time and resident memory. Builds nothing: it runs the binary in YTEXA_BIN.
#
# The server is pinned to CPU 0 and wrk to CPU 1, so on a 2-core machine each has a core of its
# own (the server's event loop and its worker threads all share CPU 0). Traffic goes only to
# 127.0.0.1; every wait is bounded by a count or a time, every wrk run by BENCH_SECONDS.
#
#   YTEXA_BIN           the server binary (build/ytexa, relative to the repository root)
#   BENCH_SECONDS       length of each wrk run (10)
#   UV_THREADPOOL_SIZE  passed through to the server (libuv's default is 4)
#   BENCH_PATIENTS      when set (e.g. 1300000), generate that many patients over 1,000 facilities
#                       (BENCH_BIG_REGISTRY of them, default 150000, at demo.doctor's hospital) and
#                       measure GET a patient, search and registration as demo.doctor
#   BENCH_WARMUP        seconds of the same load, not measured, before each patient and search run
#                       (2): the first half second after the data set is copied, the WAL is being
#                       created and every commit grows it (tens of ms at p99 that a running server
#                       never shows again)
#   BENCH_SERVER_LOG    where the server's stderr (its access log, a line a request) goes
#                       (a file in the temporary data folder; /dev/null to measure its cost)
#
# Exits non-zero when the server does not come up, an answer is not 2xx, a socket errs, or the
# server does not exit 0 on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${YTEXA_BIN:-build/ytexa}
SECS=${BENCH_SECONDS:-10}
[[ -x $BIN ]] || { echo "bench: no server binary at $BIN (build first, or set YTEXA_BIN)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk is not installed" >&2; exit 1; }

DIR=$(mktemp -d /tmp/ytexa-bench.XXXXXX)
PID=
cleanup() {
  [[ -z $PID ]] || kill -KILL "$PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

# A free port: the kernel picks one for a listening socket we close at once.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)))
URL=http://127.0.0.1:$PORT
LOG=${BENCH_SERVER_LOG:-$DIR/server.log}
# One core each for the server and for wrk; with a single core they have to share it.
if (($(nproc) >= 2)); then ON_SERVER_CPU=(taskset -c 0) ON_WRK_CPU=(taskset -c 1); else ON_SERVER_CPU=() ON_WRK_CPU=(); fi
failed=0

# One GET /healthz over bash's /dev/tcp (no fork, so the start-up time is not padded by curl's).
healthz_ok() {
  local line
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
  printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  read -r -t 1 line <&3 || line=
  exec 3<&-
  [[ $line == "HTTP/1.1 200"* ]]
}

# A pause without forking sleep(1) (which costs ~5 ms here): wait on a pipe nobody writes to.
exec {napfd}<> <(:)
nap() { read -r -t "$1" -u "$napfd" _ || true; }

# Share of both CPUs busy (including time stolen by the hypervisor) over $1 seconds. Sampled while
# the server is idle, it tells whether something else on the machine is skewing the figures.
cpu_busy_pct() {
  local a b
  a=$(awk '$1 == "cpu" {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  nap "$1"
  b=$(awk '$1 == "cpu" {print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); busy = y[1] - x[1]; idle = y[2] - x[2]
    printf "%.0f", (busy + idle > 0 ? 100 * busy / (busy + idle) : 0) }'
}

rss_kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/status"; }

"$BIN" demo --data "$DIR" >"$DIR/demo.log" 2>&1

# BENCH_PATIENTS=1300000: a province-sized registry (bench/gen_patients.c) before the server starts.
GEN=
if [[ -n ${BENCH_PATIENTS:-} ]]; then
  # A YTEXA_BIN outside a CMake build folder (an older binary to compare) uses the generator beside it.
  [[ ! -f $(dirname "$BIN")/CMakeCache.txt ]] || cmake --build "$(dirname "$BIN")" --target ytexa_benchgen >/dev/null
  GEN=$("$(dirname "$BIN")/ytexa_benchgen" "$DIR/ytexa.db" "$BENCH_PATIENTS" "${BENCH_BIG_REGISTRY:-150000}" 2>/dev/null)
  echo "data set: $GEN"
  export BENCH_FIRST_ID=$(sed -n 's/.*big_first_id=\([0-9]*\).*/\1/p' <<<"$GEN")
  export BENCH_LAST_ID=$(sed -n 's/.*big_last_id=\([0-9]*\).*/\1/p' <<<"$GEN")
  export BENCH_CCCD=$(sqlite3 "$DIR/ytexa.db" "SELECT cccd FROM patients WHERE id >= $BENCH_FIRST_ID AND cccd IS NOT NULL LIMIT 1")
fi

start=$EPOCHREALTIME
"${ON_SERVER_CPU[@]}" "$BIN" serve --data "$DIR" --port "$PORT" --log-level warn --web "$DIR/none" 2>"$LOG" &
PID=$!
up=0
for _ in $(seq 1 5000); do # at most ~6 s
  if healthz_ok 2>/dev/null; then up=1; break; fi
  kill -0 "$PID" 2>/dev/null || break
  nap 0.001
done
first_ms=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
if [[ $up != 1 ]]; then
  echo "bench: the server did not answer /healthz; its log:" >&2
  cat "$LOG" >&2
  exit 1
fi
busy_before=$(cpu_busy_pct 1) # also lets the server settle before its idle memory is read
rss_idle=$(rss_kib VmRSS)

TOKEN=$(curl -s --max-time 10 -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo.doctor","password":"demo-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || { echo "bench: login as demo.doctor failed" >&2; exit 1; }
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/me")
[[ $code == 200 ]] || { echo "bench: GET /api/v1/me answered $code" >&2; exit 1; }
export YTEXA_TOKEN=$TOKEN

# wrk prints latencies as 812.00us, 1.33ms or 1.20s; the summary uses milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf (n < 1 ? "%.3f" : n < 100 ? "%.2f" : "%.0f"), n }'
}

# CPU time, in clock ticks, of the whole machine (all but idle and iowait), of the server (all its
# threads) and of the commands this script has waited for (wrk). What is left over during a run was
# used by something else on the machine, and those figures are then not comparable.
TICKS=$(getconf CLK_TCK)
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
server_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
children_ticks() { # sets CHILD_TICKS; called directly, never in a $(…) subshell, which has its own
  times >"$DIR/times"
  CHILD_TICKS=$(awk -v hz="$TICKS" 'NR == 2 { split($1, u, /[ms]/); split($2, y, /[ms]/)
    printf "%.0f", (u[1] * 60 + u[2] + y[1] * 60 + y[2]) * hz }' "$DIR/times")
}

declare -A RPS P50 P90 P99 OTHERS
KEYS=()
busy_runs=0
warm() { # connections, wrk arguments…: the same load, not measured
  local c=$1
  shift
  "${ON_WRK_CPU[@]}" wrk -t1 -c"$c" -d"${BENCH_WARMUP:-2}s" "$@" >/dev/null
}

run() { # name, connections, wrk arguments…
  local name=$1 c=$2 key=$1/$2 out=$DIR/$1-$2.txt t0 m0 s0 w0
  shift 2
  children_ticks
  t0=$EPOCHREALTIME m0=$(machine_ticks) s0=$(server_ticks) w0=$CHILD_TICKS
  "${ON_WRK_CPU[@]}" wrk -t1 -c"$c" -d"${SECS}s" --latency "$@" >"$out"
  children_ticks
  OTHERS[$key]=$(awk -v t0="$t0" -v t1="$EPOCHREALTIME" -v hz="$TICKS" -v n="$(nproc)" \
    -v m="$(($(machine_ticks) - m0))" -v s="$(($(server_ticks) - s0))" -v w="$((CHILD_TICKS - w0))" \
    'BEGIN { o = 100 * (m - s - w) / ((t1 - t0) * hz * n); printf "%.0f", (o < 0 ? 0 : o) }')
  RPS[$key]=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$out")
  P50[$key]=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  P90[$key]=$(to_ms "$(awk '$1 == "90%" {print $2}' "$out")")
  P99[$key]=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  KEYS+=("$key")
  printf '  %-8s %3s conn  %7s req/s  p50 %7s ms  p90 %7s ms  p99 %7s ms  (others %s %% CPU)\n' \
    "$name" "$c" "${RPS[$key]}" "${P50[$key]}" "${P90[$key]}" "${P99[$key]}" "${OTHERS[$key]}"
  ((OTHERS[$key] <= 5)) || busy_runs=1
  if grep -qE 'Non-2xx|Socket errors' "$out"; then
    echo "  $name: $(grep -hE 'Non-2xx|Socket errors' "$out" | tr -s ' ' | paste -sd ';')" >&2
    failed=1
  fi
}

echo "ytexa benchmark: $(nproc) cores, ${SECS} s per run, wrk -t1 on CPU 1, server on CPU 0," \
  "UV_THREADPOOL_SIZE=${UV_THREADPOOL_SIZE:-4 (default)}"
run healthz 64 "$URL/healthz"
run me 64 -s bench/me.lua "$URL/api/v1/me"
run healthz 1 "$URL/healthz"
run me 1 -s bench/me.lua "$URL/api/v1/me"
if [[ -n $GEN ]]; then
  warm 64 -s bench/patient_get.lua "$URL"
  run patient 64 -s bench/patient_get.lua "$URL"
  run patient 1 -s bench/patient_get.lua "$URL"
  warm 64 -s bench/patient_search.lua "$URL"
  run search 64 -s bench/patient_search.lua "$URL"
  run search 1 -s bench/patient_search.lua "$URL"
  run create 16 -s bench/patient_create.lua "$URL"
fi
rss_reads=$(rss_kib VmRSS)
# Logins queue behind the two hashing slots, so each of 64 waits over a second: a longer timeout.
run login 64 --timeout 30s -s bench/login.lua "$URL/api/v1/auth/login"
# The server finishes the logins still queued when wrk stops (two 19 MiB Argon2 buffers live
# meanwhile); one more login, answered after them, says the queue is empty.
curl -s --max-time 60 -o /dev/null -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo.doctor","password":"demo-password"}' || true
rss_after=$(rss_kib VmRSS)
rss_peak=$(rss_kib VmHWM)
busy_after=$(cpu_busy_pct 1)

kill -TERM "$PID"
exit_code=0
for _ in $(seq 1 100); do # at most ~10 s for a clean exit
  kill -0 "$PID" 2>/dev/null || break
  nap 0.1
done
if kill -0 "$PID" 2>/dev/null; then
  exit_code=timeout
else
  wait "$PID" || exit_code=$?
  PID=
fi

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo
echo "| what | conn | req/s | p50 ms | p90 ms | p99 ms | others' CPU |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for key in "${KEYS[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s | %s %% |\n' \
    "${key%/*}" "${key#*/}" "${RPS[$key]}" "${P50[$key]}" "${P90[$key]}" "${P99[$key]}" "${OTHERS[$key]}"
done
echo
echo "| what | value |"
echo "| --- | --- |"
printf '| start to first 200 on /healthz | %s ms |\n' "$first_ms"
printf '| RSS idle (1 s after the first answer) | %s |\n' "$(mib "$rss_idle")"
printf '| RSS after the /healthz and /me runs | %s |\n' "$(mib "$rss_reads")"
printf '| RSS peak (VmHWM, during the logins) / after all runs | %s / %s |\n' "$(mib "$rss_peak")" "$(mib "$rss_after")"
awk -v a="${RPS[me/64]}" -v b="${RPS[healthz/64]}" \
  'BEGIN { printf "| authenticated /me ÷ /healthz req/s (64 conn) | %.2f |\n", a / b }'
printf '| server exit status after SIGTERM | %s |\n' "$exit_code"
printf '| both CPUs busy while the server idles, before / after (others on the machine) | %s %% / %s %% |\n' \
  "$busy_before" "$busy_after"
if ((busy_before > 5 || busy_after > 5 || busy_runs)); then
  echo "bench: something else kept the CPUs busy; these figures are not comparable with a quiet run" >&2
fi

[[ $exit_code == 0 ]] || { echo "bench: the server did not exit 0 on SIGTERM; its log:" >&2; tail -20 "$LOG" >&2; failed=1; }
exit "$failed"
