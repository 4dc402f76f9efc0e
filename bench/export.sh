#!/usr/bin/env bash
# $export of a province on a copy of the bench database (bench/README.md, "Session 15: $export"):
# kicks an export off as the ministry administrator, polls its status until it is complete, and
# prints the time (and the server's CPU time: other work shares the machine), the manifest's counts, the files' sizes and the server's peak RSS (VmHWM: the
# server's whole life, so start a fresh server for each measurement).
#   PORT=<the server's port> PID=<its pid> DATA=<its --data folder> bash bench/export.sh '/fhir/Group/province-64/$export?_type=Patient'
set -euo pipefail
: "${PORT:?}" "${PID:?}" "${DATA:?}"
path=${1:-'/fhir/Group/province-64/$export'}
pw=${DEMO_PASSWORD:-$(grep -o "DEMO_PASSWORD = '[^']*'" "$(dirname "$0")/../tests/api/lib/server.mjs" | cut -d"'" -f2)}
token=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"demo.ministry-admin\",\"password\":\"$pw\"}" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$PID/stat"; }
grep VmHWM "/proc/$PID/status" | sed 's/^/before: /'
cpu0=$(cpu)
start=$(date +%s.%N)
loc=$(curl -sf -D - -o /dev/null "http://127.0.0.1:$PORT$path" -H "authorization: Bearer $token" \
  -H 'prefer: respond-async' -H 'accept: application/fhir+json' | tr -d '\r' | sed -n 's/^content-location: //Ip')
while :; do
  code=$(curl -s -o /tmp/export-manifest.$$ -w '%{http_code}' "$loc" -H "authorization: Bearer $token")
  [ "$code" = 202 ] || break
  sleep 0.2
done
end=$(date +%s.%N)
echo "status $code after $(python3 -c "print(round($end - $start, 2))") s, the server's CPU $(python3 -c "print(round($(cpu) - $cpu0, 2))") s; load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c 'import json,sys;m=json.load(open(sys.argv[1]));print({o["type"]:o["count"] for o in m["output"]})' /tmp/export-manifest.$$ || cat /tmp/export-manifest.$$
du -sh "$DATA/exports/${loc##*/}" 2>/dev/null || true
grep VmHWM "/proc/$PID/status" | sed 's/^/after: /'
rm -f /tmp/export-manifest.$$
