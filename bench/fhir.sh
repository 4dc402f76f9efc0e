#!/usr/bin/env bash
# ytexa's FHIR Patient API beside the FHIR peer (../shared/peer-fhir: node-fhir-server-core 2.2.5
# on a PostgreSQL of its own, 1.3 M patients), in one run on one machine, rounds alternating:
# read, search by family, create — wrk -t1 -cCONN, 2 s warm-up then SECS s each. ytexa runs on
# SQLite (its database made once with the demo and ytexa_benchgen's 1.3 M patients) and answers
# as demo.doctor (BVDK-HAGIANG, the generator's 150,000-patient registry); every read and search
# is audited. bench/README.md "Session 17: FHIR beside the peer" has the figures.
#
#   bash bench/fhir.sh            sets up what is missing, then measures
#   YTEXA_BUILD  the build folder (build; ytexa and ytexa_benchgen, RelWithDebInfo)
#   WORK         a scratch folder kept between runs (/tmp/ytexa-fhir-bench): ytexa/ (the SQLite
#                database), peer/pg (the peer's PostgreSQL), peer/nfsc (the peer's node server)
#   PGPORT       the peer's PostgreSQL port (55471)   PORT  ytexa's port (18191; the peer's is 3000)
#   ROUNDS (3), SECS (8), CONN (32)
#   BENCH_PATIENTS (1300000), BENCH_BIG (150000): ytexa's patients, and those of them in the big
#                registry the bench reads (the rest are spread over 1,000 stations)
# Loopback only. Setting up the first time: npm install of the peer (~1 min), its 1.3 M rows
# (~1 min), ytexa's 1.3 M (~2 min on an idle machine).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${YTEXA_BUILD:-$ROOT/build}" && pwd)
WORK=${WORK:-/tmp/ytexa-fhir-bench}
PEERSRC=$ROOT/../shared/peer-fhir
[[ -d $PEERSRC ]] || PEERSRC=/work/shared/peer-fhir
export PGPORT=${PGPORT:-55471}
PORT=${PORT:-18191}
ROUNDS=${ROUNDS:-3} SECS=${SECS:-8} C=${CONN:-32}
mkdir -p "$WORK/ytexa" "$WORK/peer"
chmod 755 "$WORK" "$WORK/peer"
DB=$WORK/ytexa/ytexa.db
q() { sqlite3 "$DB" "$1"; }

# --- the peer: its PostgreSQL, the rows, the node server
bash "$ROOT/scripts/pg-test-server.sh" start "$WORK/peer/pg" "$PGPORT" >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -qtA)
if [[ $("${PSQL[@]}" -U ytexa -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'fhir'") != 1 ]]; then
  "${PSQL[@]}" -U ytexa -d postgres -c "CREATE USER fhir PASSWORD 'fhir'" -c "CREATE DATABASE fhir OWNER fhir"
  "${PSQL[@]}" -U ytexa -d fhir -c 'CREATE EXTENSION unaccent'
fi
if [[ ! -d $WORK/peer/nfsc/node_modules/@asymmetrik/node-fhir-server-core ]]; then
  mkdir -p "$WORK/peer/nfsc"
  (cd "$WORK/peer/nfsc" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund @asymmetrik/node-fhir-server-core@2.2.5 pg@8 >/dev/null)
fi
cp "$PEERSRC"/{server.js,patient.service.js,schema.sql} "$WORK/peer/nfsc/"
if [[ $(PGPASSWORD=fhir "${PSQL[@]}" -U fhir -d fhir -c "SELECT to_regclass('patient') IS NOT NULL AND
      EXISTS (SELECT 1 FROM patient WHERE id = 'vn-1300000')" 2>/dev/null) != t ]]; then
  echo "peer: loading 1.3 M patients"
  PGPASSWORD=fhir "${PSQL[@]}" -U fhir -d fhir -f "$WORK/peer/nfsc/schema.sql" >/dev/null
fi

# --- ytexa: the demo and 1.3 M patients, once
N=${BENCH_PATIENTS:-1300000} BIG=${BENCH_BIG:-150000}
if [[ $(q "SELECT COUNT(*) >= $N FROM patients" 2>/dev/null) != 1 ]]; then
  rm -f "$DB"*
  "$B/ytexa" demo --data "$WORK/ytexa" --db "$DB" >/dev/null 2>&1
  [[ -x $B/ytexa_benchgen ]] || cmake --build "$B" --target ytexa_benchgen >/dev/null
  echo "ytexa data: $("$B/ytexa_benchgen" "$DB" "$N" "$BIG" 2>/dev/null | tail -n 1)"
fi
H=$(q "SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'")
export BENCH_FIRST_ID BENCH_LAST_ID
BENCH_FIRST_ID=$(q "SELECT MIN(id) FROM patients WHERE facility_id = $H")
# the generator's block only: patients created by an earlier run (family name Tải) come after it
BENCH_LAST_ID=$(q "SELECT MAX(id) FROM patients WHERE facility_id = $H AND full_name NOT LIKE 'Tải Thử%'")
echo "ytexa on SQLite: $(q 'SELECT COUNT(*) FROM patients') patients, read range $BENCH_FIRST_ID-$BENCH_LAST_ID;" \
  "peer: $(PGPASSWORD=fhir "${PSQL[@]}" -U fhir -d fhir -c 'SELECT COUNT(*) FROM patient') patients"

# --- both servers up for the whole run, neither pinned
! curl -s -o /dev/null 127.0.0.1:3000 || { echo "fhir.sh: port 3000 (the peer's) is taken" >&2; exit 1; }
"$B/ytexa" serve --data "$WORK/ytexa" --db "$DB" --port "$PORT" --log-level warn --web "$WORK/none" \
  2>"$WORK/ytexa.log" &
YP=$!
(cd "$WORK/peer/nfsc" && NODE_ENV=production exec node server.js 2>"$WORK/peer.log") &
NP=$!
trap 'kill $YP $NP 2>/dev/null; wait $YP $NP 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -fs "127.0.0.1:$PORT/healthz" >/dev/null && curl -fs 127.0.0.1:3000/4_0_0/Patient/vn-77 >/dev/null && break
  sleep 0.5
done
export YTEXA_TOKEN
YTEXA_TOKEN=$(curl -s -X POST "127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo.doctor","password":"demo-password"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n $YTEXA_TOKEN ]] || { echo "fhir.sh: demo.doctor could not sign in" >&2; exit 1; }
# Each side answers the searches right before it is measured (a wrong answer would be fast).
n=$(curl -s -H "Authorization: Bearer $YTEXA_TOKEN" "127.0.0.1:$PORT/fhir/Patient?family=nguyen&_count=10" |
  grep -o '"fullUrl"' | wc -l)
[[ $n == 10 ]] || { echo "fhir.sh: ytexa's search gave $n entries, not 10" >&2; exit 1; }

one() {
  wrk -t1 -c"$C" -d2s "$@" >/dev/null 2>&1
  wrk -t1 -c"$C" -d"${SECS}"s --latency "$@" 2>&1 | awk '/Requests\/sec/{r=$2} $1=="99%"{p=$2}
    /Non-2xx|Socket errors/{e=e" "$0} END{printf "%8.0f req/s p99 %8s%s", r, p, e}'
}
printf '%-7s %-6s %-36s %-36s %s\n' what round peer "ytexa /fhir" "load (1 min)"
for r in $(seq "$ROUNDS"); do
  for what in read search create; do
    case $what in
    read) peer=(-s "$PEERSRC/wrk/read.lua" http://127.0.0.1:3000) ours=(-s "$ROOT/bench/fhir_read.lua") ;;
    search) peer=(-s "$PEERSRC/wrk/search.lua" http://127.0.0.1:3000) ours=(-s "$ROOT/bench/fhir_search.lua") ;;
    create) peer=(-s "$PEERSRC/wrk/create.lua" http://127.0.0.1:3000/4_0_0/Patient)
      ours=(-s "$ROOT/bench/fhir_create.lua") ;;
    esac
    a=$(one "${peer[@]}")
    b=$(one "${ours[@]}" "http://127.0.0.1:$PORT")
    printf '%-7s %-6s %-36s %-36s %s\n' "$what" "$r" "$a" "$b" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
