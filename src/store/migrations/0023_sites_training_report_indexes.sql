-- ytexa 0023: indexes for the connection sites and training reports at province scale (issue 19,
-- "Benchmark"). Every time these reports filter by had no index, so each request read every
-- visit, room and attendance. Each index below serves one query that src/reports/sites.c or
-- src/reports/training.c runs, named beside it; the plans are in bench/README.md ("Reports at
-- province scale — sites and training").
--
-- The upgrade builds them on tables that may be large (at the benchmark's province scale: 5 M
-- visits twice, 2 M attendances, 300 k credits), so the first start after it takes tens of seconds
-- longer on SQLite, and PostgreSQL locks those tables against writes while it builds them.

-- Sites: whether a facility had a remote visit started in a range, for the patient's facility and
-- for the doctor's — one lookup a facility instead of a scan of every visit.
CREATE INDEX visits_facility_started ON visits(facility_id, started_at);
CREATE INDEX visits_doctor_facility_started ON visits(doctor_facility_id, started_at);

-- Sites: whether any room was opened in a range (asked once a request), and whether a
-- consultation of a facility had its room opened in it.
CREATE INDEX rtc_rooms_created ON rtc_rooms(created_at);
CREATE INDEX rtc_rooms_consult_created ON rtc_rooms(consult_id, created_at);

-- Sites: whether someone of a facility attended a session in a range, through the person.
CREATE INDEX attendance_user ON attendance(user_id, session_id);

-- Training and sites: the sessions started in a range (and those with no start, which count by
-- their attendances' time); the attendances of a session, or of one with no start those worked
-- out in a range, with what training's count needs, so that they are read from the index alone.
CREATE INDEX course_sessions_started ON course_sessions(started_at);
CREATE INDEX attendance_session_computed ON attendance(session_id, computed_at, seconds, user_id);

-- Training: the credits earned and the certificates issued in the period.
CREATE INDEX credits_earned ON credits(earned_at, user_id, minutes);
CREATE INDEX certificates_issued ON certificates(issued_at, credit_id);
