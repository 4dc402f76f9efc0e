#!/usr/bin/env bash
# Adds a province's two years of activity to a ytexa database that already holds its patients
# (bench/gen_patients.c, or any registry): the rows the reports read, at the scale issue 19 names.
#
#   bash bench/gen_events.sh DB [scale]
#
# DB is a SQLite file or a postgres:// URL (the same rows on both: every value is integer
# arithmetic on the row's number, no random()). scale 1 (the default) makes 20,000 staff,
# 5,000,000 remote visits (3,000,000 diagnoses, 1,500,000 signed prescriptions), 500,000
# consultations (about 1,550,000 events, 100,000 rooms), 500 courses, 20,000 training sessions,
# 2,000,000 attendance rows, 300,000 credits (150,000 certificates) and a consent for 7 patients
# in 10; scale 0.01 makes a hundredth, for trying it. Times are spread over 2025-01-01 to
# 2026-12-31 (Vietnam time). Run once per database: it adds, it does not replace.
set -euo pipefail
db=${1:?usage: gen_events.sh DB [scale]}
scale=${2:-1}
n() { awk -v s="$scale" -v n="$1" 'BEGIN { v = int(n * s); print (v < 1 ? 1 : v) }'; }
USERS=$(n 20000) VISITS=$(n 5000000) CONSULTS=$(n 500000) COURSES=$(n 500) SESSIONS=$(n 20000) CREDITS=$(n 300000)
# 100 attendees a session: USERS must be at least 10,100 for the pairs to stay distinct.
ATTEND_PER=100
[ "$USERS" -ge 10100 ] || ATTEND_PER=$((USERS / 101))
[ "$ATTEND_PER" -ge 1 ] || { echo "scale too small" >&2; exit 2; }

case $db in
postgres://* | postgresql://*) engine=postgres ;;
*) engine=sqlite ;;
esac
# The rows 1..N: a generate_series on PostgreSQL, a recursive query on SQLite (its library has no
# generate_series).
series() {
    if [ $engine = postgres ]; then
        echo "generate_series(1::bigint, $1) AS s(g)"
    else
        echo "(WITH RECURSIVE r(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM r WHERE g < $1) SELECT g FROM r) AS s"
    fi
}
T0=1735664400000  # 2025-01-01 00:00 in Vietnam (UTC+7)
SPAN=63158400000  # 731 days in ms
MIN=60000 HOUR=3600000 DAY=86400000

# PostgreSQL plans a join with a temporary table it has no statistics for as if it were tiny: a
# nested loop over 5 M visits. Each list is analyzed as soon as it is made.
# Each list is looked up by its row number n: an index on it makes every pick one seek, whatever
# plan the engine chooses.
an() {
    case $1 in gen_k | gen_k2) ;; *) echo "CREATE INDEX $1_n ON $1(n);" ;; esac
    if [ $engine = postgres ]; then echo "ANALYZE $1;"; fi
}

sql=$(cat <<SQL
-- Numbered lists to pick from by arithmetic: patients, hubs, specialties, ICD-10 codes.
CREATE TEMP TABLE gen_pat AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id, facility_id FROM patients;
$(an gen_pat)
CREATE TEMP TABLE gen_hub AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM facilities WHERE level <> 'commune';
$(an gen_hub)
CREATE TEMP TABLE gen_fac AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM facilities;
$(an gen_fac)
CREATE TEMP TABLE gen_spec AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS n, code FROM specialties;
$(an gen_spec)
CREATE TEMP TABLE gen_icd AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS n, code FROM icd10;
$(an gen_icd)
CREATE TEMP TABLE gen_k AS SELECT (SELECT COUNT(*) FROM gen_pat) AS np, (SELECT COUNT(*) FROM gen_hub) AS nh,
  (SELECT COUNT(*) FROM gen_fac) AS nf, (SELECT COUNT(*) FROM gen_spec) AS ns, (SELECT COUNT(*) FROM gen_icd) AS ni,
  (SELECT MIN(id) FROM users) AS admin;
$(an gen_k)

-- Staff: 6 in 10 health workers, 3 doctors, 1 specialist, each at a facility. The hash is not a
-- password hash: these accounts cannot log in.
INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, active, created_at, updated_at)
SELECT 'bench.u.' || s.g, 'Nhân viên ' || s.g, 'nhan vien ' || s.g, 'x',
  CASE WHEN s.g % 10 < 6 THEN 'health_worker' WHEN s.g % 10 < 9 THEN 'doctor' ELSE 'specialist' END,
  f.id, 1, $T0, $T0
FROM $(series "$USERS") JOIN gen_k k ON 1 = 1 JOIN gen_fac f ON f.n = (s.g * 7919) % k.nf;
CREATE TEMP TABLE gen_user AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id, role, facility_id FROM users
  WHERE username LIKE 'bench.u.%';
$(an gen_user)
CREATE TEMP TABLE gen_doc AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id, facility_id FROM gen_user
  WHERE role <> 'health_worker';
$(an gen_doc)
CREATE TEMP TABLE gen_hw AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id, facility_id FROM gen_user
  WHERE role = 'health_worker';
$(an gen_hw)
CREATE TEMP TABLE gen_k2 AS SELECT (SELECT COUNT(*) FROM gen_user) AS nu, (SELECT COUNT(*) FROM gen_doc) AS nd,
  (SELECT COUNT(*) FROM gen_hw) AS nw;
$(an gen_k2)

-- Remote visits: 8 in 10 finished, 1 cancelled, 1 missed (a few still planned when their time is
-- ahead); modes 4 video, 2 audio, 1 chat, 3 at a station.
INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason,
  scheduled_at, started_at, ended_at, created_at, updated_at)
SELECT p.id, p.facility_id, d.id, d.facility_id, d.id,
  CASE WHEN s.g % 10 < 4 THEN 'video' WHEN s.g % 10 < 6 THEN 'audio' WHEN s.g % 10 = 6 THEN 'chat' ELSE 'assisted' END,
  CASE WHEN (s.g * 37) % 100 < 80 THEN 'finished' WHEN (s.g * 37) % 100 < 90 THEN 'cancelled' ELSE 'no_show' END,
  'bench',
  $T0 + (s.g * 11400714819) % $SPAN + ((s.g * 13) % 72) * $HOUR,
  CASE WHEN (s.g * 37) % 100 < 80 THEN $T0 + (s.g * 11400714819) % $SPAN + ((s.g * 13) % 72) * $HOUR + ((s.g * 17) % 30) * $MIN END,
  CASE WHEN (s.g * 37) % 100 < 80 THEN $T0 + (s.g * 11400714819) % $SPAN + ((s.g * 13) % 72) * $HOUR + ((s.g * 17) % 30 + 15) * $MIN END,
  $T0 + (s.g * 11400714819) % $SPAN, $T0 + (s.g * 11400714819) % $SPAN
FROM $(series "$VISITS") JOIN gen_k k ON 1 = 1 JOIN gen_k2 k2 ON 1 = 1
  JOIN gen_pat p ON p.n = (s.g * 2654435761) % k.np JOIN gen_doc d ON d.n = (s.g * 40503) % k2.nd;
INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, created_at)
SELECT v.id, i.code, 1, v.doctor_id, v.ended_at FROM visits v JOIN gen_k k ON 1 = 1 JOIN gen_icd i ON i.n = (v.id * 31) % k.ni
WHERE v.reason = 'bench' AND v.state = 'finished' AND v.id % 8 < 6;
INSERT INTO prescriptions (visit_id, patient_id, status, items, created_by, created_at, updated_at, signed_by,
  signer_name, signed_at)
SELECT v.id, v.patient_id, 'signed', '[]', v.doctor_id, v.ended_at, v.ended_at, v.doctor_id, 'Bác sĩ', v.ended_at
FROM visits v WHERE v.reason = 'bench' AND v.state = 'finished' AND v.id % 8 >= 5;

-- Consultations: 7 in 10 concluded, 1 accepted, 1 waiting, half of the rest cancelled; urgency 7
-- routine, 2 urgent, 1 emergency; every 20th escalated once, every 33rd declined once.
INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state,
  assigned_facility_id, escalation_level, accept_due_at, requested_at, accepted_at, concluded_at, recommendation,
  created_at, updated_at)
SELECT p.id, p.facility_id, w.id, 'bench',
  CASE WHEN s.g % 10 < 7 THEN 'routine' WHEN s.g % 10 < 9 THEN 'urgent' ELSE 'emergency' END,
  sp.code,
  CASE WHEN s.g % 13 = 0 THEN 'imaging' WHEN s.g % 17 = 0 THEN 'ecg' ELSE 'general' END,
  CASE WHEN (s.g * 37) % 100 < 70 THEN 'concluded' WHEN (s.g * 37) % 100 < 80 THEN 'accepted'
       WHEN (s.g * 37) % 100 < 95 THEN 'requested' ELSE 'cancelled' END,
  h.id, CASE WHEN s.g % 20 = 0 THEN 1 ELSE 0 END,
  $T0 + (s.g * 11400714819) % $SPAN + CASE WHEN s.g % 10 < 7 THEN $DAY WHEN s.g % 10 < 9 THEN 2 * $HOUR ELSE 15 * $MIN END,
  $T0 + (s.g * 11400714819) % $SPAN,
  CASE WHEN (s.g * 37) % 100 < 80 THEN $T0 + (s.g * 11400714819) % $SPAN + ((s.g * 7) % 240) * $MIN END,
  CASE WHEN (s.g * 37) % 100 < 70 THEN $T0 + (s.g * 11400714819) % $SPAN + ((s.g * 7) % 240) * $MIN + ((s.g * 19) % 48) * $HOUR END,
  CASE WHEN (s.g * 37) % 100 < 70 THEN CASE WHEN s.g % 4 = 0 THEN 'transfer' ELSE 'treat_locally' END END,
  $T0 + (s.g * 11400714819) % $SPAN, $T0 + (s.g * 11400714819) % $SPAN
FROM $(series "$CONSULTS") JOIN gen_k k ON 1 = 1 JOIN gen_k2 k2 ON 1 = 1
  JOIN gen_pat p ON p.n = (s.g * 2654435761) % k.np JOIN gen_hw w ON w.n = (s.g * 40503) % k2.nw
  JOIN gen_hub h ON h.n = s.g % k.nh JOIN gen_spec sp ON sp.n = (s.g * 7) % k.ns;
INSERT INTO consult_events (consult_id, action, from_state, to_state, to_facility_id, at, by_user)
SELECT c.id, 'requested', 'draft', 'requested', c.assigned_facility_id, c.requested_at, c.created_by FROM consults c WHERE c.summary = 'bench';
INSERT INTO consult_events (consult_id, action, from_state, to_state, to_facility_id, at, by_user)
SELECT c.id, 'accepted', 'requested', 'accepted', c.assigned_facility_id, c.accepted_at, c.created_by FROM consults c
WHERE c.summary = 'bench' AND c.accepted_at IS NOT NULL;
INSERT INTO consult_events (consult_id, action, from_state, to_state, to_facility_id, at, by_user)
SELECT c.id, 'concluded', 'answered', 'concluded', c.assigned_facility_id, c.concluded_at, c.created_by FROM consults c
WHERE c.summary = 'bench' AND c.concluded_at IS NOT NULL;
INSERT INTO consult_events (consult_id, action, from_state, to_state, from_facility_id, to_facility_id, at, by_user)
SELECT c.id, 'escalated', 'requested', 'requested', c.requester_facility_id, c.assigned_facility_id, c.requested_at + $HOUR,
  c.created_by FROM consults c WHERE c.summary = 'bench' AND c.escalation_level = 1;
INSERT INTO consult_events (consult_id, action, from_state, to_state, from_facility_id, to_facility_id, at, by_user)
SELECT c.id, 'declined', 'requested', 'requested', c.assigned_facility_id, c.assigned_facility_id, c.requested_at + 2 * $MIN,
  c.created_by FROM consults c WHERE c.summary = 'bench' AND c.id % 33 = 0;
INSERT INTO consult_events (consult_id, action, from_state, to_state, to_facility_id, at, by_user)
SELECT c.id, 'cancelled', 'requested', 'cancelled', c.assigned_facility_id, c.requested_at + 3 * $HOUR, c.created_by
FROM consults c WHERE c.summary = 'bench' AND c.state = 'cancelled';
INSERT INTO rtc_rooms (consult_id, janus_room, pin, secret, created_by, created_at)
SELECT c.id, 900000000 + c.id, 'x', 'x', c.created_by, c.accepted_at + $HOUR FROM consults c
WHERE c.summary = 'bench' AND c.accepted_at IS NOT NULL AND c.id % 4 = 0;

-- Training: courses at the hubs, sessions 6 live, 2 self-paced, 2 case, 100 attendees each, credits
-- and certificates.
INSERT INTO courses (title, description, credit_minutes, facility_id, state, created_by, created_at, updated_at)
SELECT 'Khoá học ' || s.g, 'bench', 60, h.id, 'published', k.admin, $((T0 - 30 * DAY)), $((T0 - 30 * DAY))
FROM $(series "$COURSES") JOIN gen_k k ON 1 = 1 JOIN gen_hub h ON h.n = s.g % k.nh;
CREATE TEMP TABLE gen_course AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM courses WHERE description = 'bench';
$(an gen_course)
INSERT INTO course_sessions (course_id, kind, title, starts_at, minutes, state, started_at, ended_at, created_by, created_at)
SELECT c.id, CASE WHEN s.g % 10 < 6 THEN 'live' WHEN s.g % 10 < 8 THEN 'self_paced' ELSE 'case' END, 'bench',
  $T0 + (s.g * 11400714819) % $SPAN, 60, 'ended',
  CASE WHEN s.g % 10 < 6 OR s.g % 10 >= 8 THEN $T0 + (s.g * 11400714819) % $SPAN END,
  CASE WHEN s.g % 10 < 6 OR s.g % 10 >= 8 THEN $T0 + (s.g * 11400714819) % $SPAN + $HOUR END,
  k.admin, $T0 + (s.g * 11400714819) % $SPAN - $DAY
FROM $(series "$SESSIONS") JOIN gen_k k ON 1 = 1 JOIN gen_course c ON c.n = s.g % $COURSES;
CREATE TEMP TABLE gen_session AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id, COALESCE(started_at, starts_at) AS at
  FROM course_sessions WHERE title = 'bench';
$(an gen_session)
INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at)
SELECT se.id, u.id, 36 * (50 + (s.g * 7) % 51), 50 + (s.g * 7) % 51, 'online',
  CASE WHEN 50 + (s.g * 7) % 51 >= 80 THEN 1 ELSE 0 END, se.at + 2 * $HOUR
FROM $(series $((SESSIONS * ATTEND_PER))) JOIN gen_k2 k2 ON 1 = 1
  JOIN gen_session se ON se.n = (s.g - 1) / $ATTEND_PER
  JOIN gen_user u ON u.n = (((s.g - 1) / $ATTEND_PER) * 37 + ((s.g - 1) % $ATTEND_PER) * 101) % k2.nu;
INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at)
SELECT c.id, u.id, 60, 90, $T0 + (s.g * 11400714819) % $SPAN
FROM $(series "$CREDITS") JOIN gen_k2 k2 ON 1 = 1 JOIN gen_course c ON c.n = s.g % $COURSES
  JOIN gen_user u ON u.n = (s.g / $COURSES + (s.g % $COURSES) * 7) % k2.nu;
INSERT INTO certificates (credit_id, verify_code, holder_name, course_title, minutes, issuer_facility_id, issuer_name,
  issued_by, issued_at, content_hash)
SELECT r.id, 'BENCH' || r.id, 'Nhân viên', 'Khoá học', 60, c.facility_id, 'Cơ sở', c.created_by, r.earned_at, 'x'
FROM credits r JOIN courses c ON c.id = r.course_id WHERE c.description = 'bench' AND r.id % 2 = 0;

-- Consent for remote care from 7 patients in 10, given before the period.
INSERT INTO consents (patient_id, purpose, method, given_by, recorded_by, facility_id, granted_at)
SELECT p.id, 'remote_care', 'paper_signed', 'patient', k.admin, p.facility_id, $T0 - $DAY
FROM gen_pat p JOIN gen_k k ON 1 = 1 WHERE p.n % 10 < 7;
SQL
)
start=$(date +%s)
if [ $engine = postgres ]; then
    { echo "BEGIN;"; echo "$sql"; echo "COMMIT; ANALYZE;"; } | psql -q -v ON_ERROR_STOP=1 "$db"
else
    { echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; BEGIN;"
      echo "$sql"; echo "COMMIT; ANALYZE;"; } | sqlite3 -bail "$db"
fi
echo "gen_events: $VISITS visits, $CONSULTS consultations, $((SESSIONS * ATTEND_PER)) attendance rows in $(( $(date +%s) - start )) s ($engine)"
