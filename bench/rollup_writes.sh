#!/usr/bin/env bash
# What the rollup triggers cost a write, inside the database (issue 19, session 15): N visits
# started and N consultations requested then accepted — spread over the facilities, in November
# 2026 — written in one transaction that is rolled back, first with every trigger, then with the
# named triggers dropped inside the same transaction (so the database keeps them). The difference
# is what those triggers cost. SQLite's figures include the CPU time of the sqlite3 process, which
# a machine shared with other work changes less than the wall time. Run twice and read both.
#
#   bash bench/rollup_writes.sh DB [N]       DB: a SQLite file or a postgres:// URL
#   TRIGGERS="visit_waits_fac_insert …"       the triggers to drop (default: migration 0034's)
set -euo pipefail
DB=${1:?usage: rollup_writes.sh DB [N]}
N=${2:-2000}
if [[ $DB == postgres* ]]; then
  PG=1
  DROP=${TRIGGERS:-"visit_waits_fac ON visit_rollup_wait;consult_waits_fac ON consult_waits;consult_rollup_fac ON consult_rollup"}
else
  PG=0
  DROP=${TRIGGERS:-"visit_waits_fac_insert;visit_waits_fac_update;consult_waits_fac_insert;consult_waits_fac_update;consult_rollup_fac_insert;consult_rollup_fac_update"}
fi
# November 2026 in Vietnam begins at 2026-10-31T17:00Z (1793466000000 ms).
T0=1793466000000
WRITES="
INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, started_at, created_at, updated_at)
SELECT 1, f.id, 2, 2, 2, CASE c.x % 4 WHEN 0 THEN 'video' WHEN 1 THEN 'audio' WHEN 2 THEN 'chat' ELSE 'assisted' END,
  'in_progress', 'bench rollup', $T0 + (c.x * 7919 % 2592000) * 1000 + (c.x * 104729 % 240) * 60000,
  $T0 + (c.x * 7919 % 2592000) * 1000, $T0 + (c.x * 7919 % 2592000) * 1000
FROM c JOIN facilities f ON f.id = 1 + c.x * 31 % 1000;
INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, assigned_facility_id, requested_at, created_at, updated_at)
SELECT 1, f.id, 2, 'bench rollup', CASE c.x % 3 WHEN 0 THEN 'routine' WHEN 1 THEN 'urgent' ELSE 'emergency' END, 'internal',
  'general', 'requested', 2, $T0 + (c.x * 7919 % 2592000) * 1000, $T0 + (c.x * 7919 % 2592000) * 1000, $T0 + (c.x * 7919 % 2592000) * 1000
FROM c JOIN facilities f ON f.id = 1 + c.x * 37 % 1000;
UPDATE consults SET state = 'accepted', accepted_at = requested_at + (id * 104729 % 600) * 60000 WHERE summary = 'bench rollup' AND id > (SELECT MAX(id) - $N FROM consults);
"
CTE="WITH RECURSIVE c(x) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < $N)"
WRITES=${WRITES//FROM c JOIN/FROM ($CTE SELECT x FROM c) c JOIN}
run() { # $1: with or without
  local drops=""
  if [[ $1 == without ]]; then
    IFS=';' read -ra ts <<<"$DROP"
    for t in "${ts[@]}"; do drops+="DROP TRIGGER $t;"; done
  fi
  if ((PG)); then
    psql -qtA "$DB" -v ON_ERROR_STOP=1 <<SQL | grep -o 'Time: [0-9.]* ms' | awk -v w="$1" '{s += $2} END {printf "%s the triggers: %.0f ms\n", w, s}'
BEGIN;
$drops
\\timing on
$WRITES
\\timing off
ROLLBACK;
SQL
  else
    sqlite3 "$DB" <<SQL | awk -v w="$1" '/Run Time/ {s += $4; c += $6 + $8; each = each sprintf(" %.0f", ($6 + $8) * 1000)} END {printf "%s the triggers: %.0f ms wall, %.0f ms CPU (CPU of each statement:%s)\n", w, s * 1000, c * 1000, each}'
BEGIN;
$drops
.timer on
$WRITES
.timer off
ROLLBACK;
SQL
  fi
}
echo "$N visits started, $N consultations requested and accepted, one transaction (rolled back):"
run with
run without
run with
run without
