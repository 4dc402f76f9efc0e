#!/usr/bin/env bash
# Reads and creates at once on one generated SQLite database: patient reads (READ_CONN, 32) and
# creates (WRITE_CONN, 16) by two wrk on CPU 1 for BENCH_SECONDS (10), the server on CPU 0, each
# binary on a fresh copy, rounds alternating the binaries.
#   bash bench/mix.sh BIN...     AB_DB  the generated database (bench/ab_read.sh makes one)
#                                ROUNDS (2)
# Loopback only; every run bounded by BENCH_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${AB_DB:-/tmp/ytexa-ab/ytexa.db}; SECS=${BENCH_SECONDS:-10}; ROUNDS=${ROUNDS:-2}
(($# > 0)) || { echo "usage: $0 BIN..." >&2; exit 2; }
[[ -f $DB ]] || { echo "no database at $DB (run bench/ab_read.sh once)" >&2; exit 2; }
PEER_WRK=${PEER_WRK:-../shared/peer-fhir/wrk}
CREATE=$PEER_WRK/ytexa_create.lua; [[ -f $CREATE ]] || CREATE=bench/patient_create.lua
export BENCH_FIRST_ID=$(sqlite3 "$DB" "SELECT MIN(id) FROM patients WHERE facility_id = (SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG')")
export BENCH_LAST_ID=$(sqlite3 "$DB" "SELECT MAX(id) FROM patients WHERE facility_id = (SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG')")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
W=; P=
trap '[[ -z $P ]] || kill -KILL $P 2>/dev/null; [[ -z $W ]] || rm -rf "$W"' EXIT
fig() { awk '/Requests\/sec/{r=$2} $1=="99%"{p=$2} /Non-2xx|Socket errors/{e=e" "$0} END{printf "%7.0f req/s p99 %8s%s", r, p, e}' "$1"; }
for r in $(seq "$ROUNDS"); do
  for b in "$@"; do
    W=$(mktemp -d /tmp/ytexa-mix.XXXXXX); cp "$DB" "$W/ytexa.db"
    taskset -c 0 "$b" serve --data "$W" --db "$W/ytexa.db" --port "$PORT" --log-level warn --web "$W/none" 2>/dev/null & P=$!
    for i in $(seq 100); do curl -fs "localhost:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    export YTEXA_TOKEN=$(curl -s -X POST "localhost:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"username":"demo.doctor","password":"demo-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    taskset -c 1 wrk -t1 -c${READ_CONN:-32} -d${SECS}s --latency -s bench/patient_get.lua "http://127.0.0.1:$PORT" >"$W/read" 2>&1 & RP=$!
    taskset -c 1 wrk -t1 -c${WRITE_CONN:-16} -d${SECS}s --latency -s "$CREATE" "http://127.0.0.1:$PORT" >"$W/create" 2>&1
    wait $RP || true
    printf "round %s %-28s read %s   create %s\n" "$r" "$b" "$(fig "$W/read")" "$(fig "$W/create")"
    kill $P; wait $P 2>/dev/null || true; P=; rm -rf "$W"; W=
  done
done
