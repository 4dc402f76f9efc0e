#!/usr/bin/env bash
# ytexa on PostgreSQL with worker pools of several sizes: read a patient and create a patient
# (wrk -t1 -c32, BENCH_SECONDS after 2 s of the same load), to choose the `workers` default.
#   YTEXA_DB      a postgres:// URL with the demo and ytexa_benchgen's patients loaded
#   YTEXA_BIN     the server (build/ytexa)      WORKERS  the sizes to try ("4 8 16 32")
# Loopback only; the server is stopped after each size.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${YTEXA_BIN:-build/ytexa}; DB=${YTEXA_DB:?a loaded postgres:// URL}; SECS=${BENCH_SECONDS:-8}
PEER_WRK=${PEER_WRK:-../shared/peer-fhir/wrk}
W=$(mktemp -d /tmp/ytexa-pgw.XXXXXX); PID=
trap '[[ -z $PID ]] || kill -KILL $PID 2>/dev/null; rm -rf "$W"' EXIT
q() { psql -tA "$DB" -c "$1"; }
H=$(q "SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'")
export BENCH_FIRST_ID=$(q "SELECT MIN(id) FROM patients WHERE facility_id = $H")
export BENCH_LAST_ID=$(q "SELECT MAX(id) FROM patients WHERE facility_id = $H AND full_name NOT LIKE 'Tải Thử%'")
one() { wrk -t1 -c32 -d2s "$@" >/dev/null 2>&1; wrk -t1 -c32 -d${SECS}s --latency "$@" 2>&1 |
  awk '/Requests\/sec/{r=$2} $1=="99%"{p=$2} /Non-2xx|Socket errors/{e=e" "$0} END{printf "%8.0f req/s p99 %8s%s", r, p, e}'; }
for n in ${WORKERS:-4 8 16 32}; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" serve --data "$W" --db "$DB" --port "$PORT" --workers "$n" --log-level warn --web "$W/none" 2>"$W/log" & PID=$!
  for i in $(seq 100); do curl -fs "localhost:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  export YTEXA_TOKEN=$(curl -s -X POST "localhost:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"demo.doctor","password":"demo-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  printf "workers %-3s read   %s\n" "$n" "$(one -s bench/patient_get.lua "http://127.0.0.1:$PORT")"
  printf "workers %-3s create %s\n" "$n" "$(one -s "$PEER_WRK/ytexa_create.lua" "http://127.0.0.1:$PORT")"
  kill -TERM $PID; wait $PID || true; PID=
done
