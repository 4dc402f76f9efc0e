#!/usr/bin/env bash
# The visits and consultations reports' answers of two builds, compared (issue 19, session 15:
# the rollups by facility alone must not change an answer). `save` asks one build every request
# below and keeps each JSON body in OUT; `diff` compares two such folders, file by file, and
# prints the requests whose answers differ (and their first differing lines).
#
#   BUILD=/work/bench-main bash bench/reports_diff.sh save /tmp/old DATA_DIR [DB_URL]
#   BUILD=build bash bench/reports_diff.sh save /tmp/new DATA_DIR [DB_URL]
#   bash bench/reports_diff.sh diff /tmp/old /tmp/new
#
# The requests: month, two quarters, two years, months that are not whole quarters and a range
# with days, each by nothing, facility, province and the report's own grouping, for the country,
# today's view and as=pre2025; a facility's own report, one of today's provinces and an old one;
# the level filter and, for consultations, the specialty filter. PERIODS (space-separated, as the
# query writes them: "period=year:2026 from=2026-02-01&to=2026-11-30") narrows the periods.
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
diff)
  A=${2:?usage: reports_diff.sh diff A B} B=${3:?usage: reports_diff.sh diff A B}
  same=0 differ=0
  for f in "$A"/*.json; do
    g=$B/$(basename "$f")
    if cmp -s "$f" "$g"; then same=$((same + 1)); continue; fi
    differ=$((differ + 1))
    echo "DIFFERS: $(head -c 300 "${f%.json}.url")"
    diff <(jq -S . "$f") <(jq -S . "$g") | head -20 || true
  done
  echo "$same answers identical, $differ differ"
  [[ $differ == 0 ]]
  exit
  ;;
save) ;;
*)
  echo "usage: reports_diff.sh save OUT DATA_DIR [DB_URL] | diff A B" >&2
  exit 2
  ;;
esac
OUT=${2:?usage: reports_diff.sh save OUT DATA_DIR [DB_URL]}
DIR=${3:?usage: reports_diff.sh save OUT DATA_DIR [DB_URL]}
DB=${4:-$DIR/ytexa.db}
B=${BUILD:-build}
PORT=${PORT:-18193}
. bench/lib.sh
# The demo doctor's facility, its province today and before the 2025 reform.
H=$(q "SELECT facility_id FROM users WHERE username = 'demo.doctor'")
P=$(q "SELECT province_id FROM facility_places WHERE facility_id = $H")
OLD=$(q "SELECT old_province_id FROM facility_places WHERE facility_id = $H")
mkdir -p "$OUT"
bench_serve reports-diff.log
TOKEN=$(login demo.ministry-admin)
[[ -n $TOKEN ]] || { echo "reports_diff: login failed" >&2; exit 1; }
n=0
ask() {
  n=$((n + 1))
  local f
  f=$OUT/$(printf '%03d' $n)
  echo "$1" >"$f.url"
  local code
  code=$(curl -s -o "$f.json" -w '%{http_code}' -H "authorization: Bearer $TOKEN" "$URL/api/v1/reports/$1")
  [[ $code == 200 ]] || echo "reports_diff: $1 answered $code" >&2
}
periods=${PERIODS:-"period=month:2026-11 period=quarter:2026-Q4 period=quarter:2026-Q1 period=year:2026 period=year:2025
from=2026-02-01&to=2026-11-30 from=2026-01-15&to=2026-03-31"}
for r in visits consultations; do
  own=mode
  [[ $r == consultations ]] && own=level_pair
  for p in $periods; do
    for by in "" facility province $own; do
      for as in "" "&as=pre2025"; do ask "$r?$p${by:+&by=$by}$as"; done
    done
    ask "$r?$p&facility=$H"
    ask "$r?$p&province=$P&by=facility"
    ask "$r?$p&province=$OLD&by=facility"
    ask "$r?$p&province=$OLD"
    ask "$r?$p&by=facility&level=commune"
  done
done
# The specialty filter reads the rollups with every key on both builds; on PostgreSQL its plan
# takes minutes a request at province scale (main's too), so SPECIALTY=0 leaves it out there.
[[ ${SPECIALTY:-1} == 1 ]] && for p in $periods; do
  ask "consultations?$p&by=facility&specialty=cardiology"
  ask "consultations?$p&specialty=cardiology&as=pre2025"
  ask "consultations?$p&facility=$H&specialty=cardiology"
done
echo "reports_diff: $n answers of $(basename "$B") in $OUT"
