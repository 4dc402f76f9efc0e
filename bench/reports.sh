#!/usr/bin/env bash
# The reports at province scale (issue 19): every dashboard request's p50/p99 warm, and the
# patient read's rate alone and while an administrator's dashboard keeps asking, in one run.
#
#   bash bench/reports.sh DATA_DIR [DB_URL]
#
# DATA_DIR holds a ytexa.db (or, with DB_URL=postgres://…, only the server's files) that already
# has the demo, the patients (bench/gen_patients.c) and the events (bench/gen_events.sh).
# ROUNDS (20) times each request; READ_SECONDS (10) per patient-read run; BUILD (build).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: reports.sh DATA_DIR [DB_URL]}
DB=${2:-$DIR/ytexa.db}
B=${BUILD:-build}
PORT=${PORT:-18191}
. bench/lib.sh
H=$(q "SELECT facility_id FROM users WHERE username = 'demo.doctor'")
export BENCH_FIRST_ID=$(q "SELECT MIN(id) FROM patients WHERE facility_id = $H")
export BENCH_LAST_ID=$(q "SELECT MAX(id) FROM patients WHERE facility_id = $H")
echo "reports bench on ${DB%%:*}: patients $(q 'SELECT COUNT(*) FROM patients'), visits $(q 'SELECT COUNT(*) FROM visits'),"\
  "consultations $(q 'SELECT COUNT(*) FROM consults'), attendance $(q 'SELECT COUNT(*) FROM attendance'); commit $(git rev-parse --short HEAD)"
bench_serve reports-bench.log
ADMIN=$(login demo.ministry-admin)
export YTEXA_TOKEN=$(login demo.doctor)
[[ -n $ADMIN && -n $YTEXA_TOKEN ]] || { echo "bench: login failed" >&2; exit 1; }
read_rate() { wrk -t1 -c32 -d"${READ_SECONDS:-10}s" -s bench/patient_get.lua "$URL" | awk '/Requests\/sec/ {printf "%.0f", $2}'; }
wrk -t1 -c32 -d2s -s bench/patient_get.lua "$URL" >/dev/null
echo "patient read alone: $(read_rate) req/s"
node bench/reports.mjs "$URL" "$ADMIN"
# The read again while one administrator's dashboard asks without pause.
( while kill -0 $PID 2>/dev/null; do ROUNDS=1 PERIODS=month:2026-11 BYS=,province node bench/reports.mjs "$URL" "$ADMIN" >/dev/null 2>&1 || break; done ) &
LOOP=$!
sleep 1
echo "patient read with a dashboard asking: $(read_rate) req/s"
kill $LOOP 2>/dev/null || true
