#!/usr/bin/env bash
# A/B of the patient read and search: several server binaries on one generated SQLite database,
# each run on a fresh copy of it, server on CPU 0 and wrk on CPU 1, 2 s of the same load first,
# then BENCH_SECONDS; rounds alternate the binaries so the machine's drift hits them alike.
#   bash bench/ab_read.sh BIN...      AB_DB  the generated database (made once when missing:
#                                     the demo plus ytexa_benchgen's 1.3 M patients, from the
#                                     first binary's folder)      ROUNDS (2), BENCH_SECONDS (6)
# Loopback only; every run bounded by BENCH_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${AB_DB:-/tmp/ytexa-ab/ytexa.db}; SECS=${BENCH_SECONDS:-6}; ROUNDS=${ROUNDS:-2}
(($# > 0)) || { echo "usage: $0 BIN..." >&2; exit 2; }
if [[ ! -f $DB ]]; then
  mkdir -p "$(dirname "$DB")"
  "$1" demo --data "$(dirname "$DB")" --db "$DB" >/dev/null 2>&1
  "$(dirname "$1")/ytexa_benchgen" "$DB" 1300000 150000 2>/dev/null | tail -n 1
fi
export BENCH_FIRST_ID=$(sqlite3 "$DB" "SELECT MIN(id) FROM patients WHERE facility_id = (SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG')")
export BENCH_LAST_ID=$(sqlite3 "$DB" "SELECT MAX(id) FROM patients WHERE facility_id = (SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG')")
export BENCH_CCCD=$(sqlite3 "$DB" "SELECT cccd FROM patients WHERE id >= $BENCH_FIRST_ID AND cccd IS NOT NULL LIMIT 1")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
W=; P=
trap '[[ -z $P ]] || kill -KILL $P 2>/dev/null; [[ -z $W ]] || rm -rf "$W"' EXIT
for r in $(seq "$ROUNDS"); do
  for b in "$@"; do
    W=$(mktemp -d /tmp/ytexa-ab.XXXXXX); cp "$DB" "$W/"
    taskset -c 0 "$b" serve --data "$W" --db "$W/ytexa.db" --port "$PORT" --log-level warn --web "$W/none" 2>/dev/null & P=$!
    for i in $(seq 100); do curl -fs "localhost:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    export YTEXA_TOKEN=$(curl -s -X POST "localhost:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
      -d '{"username":"demo.doctor","password":"demo-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    for what in patient_get patient_search; do
      taskset -c 1 wrk -t1 -c64 -d2s -s "bench/$what.lua" "http://127.0.0.1:$PORT" >/dev/null 2>&1
      res=$(taskset -c 1 wrk -t1 -c64 -d"${SECS}"s --latency -s "bench/$what.lua" "http://127.0.0.1:$PORT" 2>&1 |
        awk '/Requests\/sec/{r=$2} $1=="99%"{p=$2} /Non-2xx|Socket errors/{e=e" "$0} END{printf "%8.0f req/s p99 %s%s", r, p, e}')
      echo "round $r  $what  $b  $res"
    done
    kill "$P"; wait "$P" 2>/dev/null || true; P=; rm -rf "$W"; W=
  done
done
