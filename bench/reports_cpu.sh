#!/usr/bin/env bash
# The server's CPU time per report request (user + system, from /proc), which a machine shared
# with other work changes much less than the wall time bench/reports.sh measures: each request
# warmed once, then asked ROUNDS times (default 10) one after another; prints the mean CPU ms and
# the median wall ms of each. On PostgreSQL (a server on this machine) the CPU of every child of
# its postmaster is counted too, since the database's work runs in the backends: that is every
# backend of every database and every client, and the autovacuum workers, checkpointer,
# background writer and WAL writer as well, so run it on a quiet PostgreSQL and read the figures
# as an upper bound of the report's own work (a child that exits between two readings drops out).
#
#   BUILD=build REPORTS=visits,consultations PERIODS=year:2026 BYS=,facility bash bench/reports_cpu.sh DATA_DIR [DB_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: reports_cpu.sh DATA_DIR [DB_URL]}
DB=${2:-$DIR/ytexa.db}
B=${BUILD:-build}
PORT=${PORT:-18195}
ROUNDS=${ROUNDS:-10}
. bench/lib.sh
bench_serve reports-cpu.log
TOKEN=$(login demo.ministry-admin)
TICK=$(getconf CLK_TCK)
PM=
if [[ $DB == postgres* ]]; then
  PM=$(head -1 "$(psql -qtA "$DB" -c 'SHOW data_directory')/postmaster.pid")
fi
# The server's CPU ticks, and when PostgreSQL every child of the postmaster's (see above).
cpu() {
  local pids=$PID
  [[ -n $PM ]] && pids+=" $(pgrep -P "$PM" | tr '\n' ' ')"
  for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done | awk '{s += $1} END {print s}'
}
printf '%-58s %8s %8s\n' request 'cpu ms' 'wall ms'
IFS=, read -ra reports <<<"${REPORTS:-visits,consultations}"
IFS=, read -ra periods <<<"${PERIODS:-month:2026-11,quarter:2026-Q4,year:2026}"
IFS=, read -ra bys <<<"${BYS:-,facility,province}"
for r in "${reports[@]}"; do
  for p in "${periods[@]}"; do
    for by in "${bys[@]}"; do
      [[ $by == mode && $r != visits ]] && continue
      [[ $by == level_pair && $r != consultations ]] && continue
      path="$r?period=$p${by:+&by=$by}"
      curl -sf -o /dev/null -H "authorization: Bearer $TOKEN" "$URL/api/v1/reports/$path"
      c0=$(cpu)
      walls=()
      for _ in $(seq "$ROUNDS"); do
        walls+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "authorization: Bearer $TOKEN" "$URL/api/v1/reports/$path")")
      done
      c1=$(cpu)
      med=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] * 1000}')
      printf '%-58s %8.0f %8.0f\n' "$path" "$(echo "($c1 - $c0) * 1000 / $TICK / $ROUNDS" | bc -l)" "$med"
    done
  done
done
