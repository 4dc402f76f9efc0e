-- ytexa 0018: PostgreSQL's integers are all BIGINT, as SQLite's are all 64 bits (issue 17). The
-- PostgreSQL migrations used to be written by hand beside the SQLite ones, and five columns were
-- declared INTEGER or INT there, 32 bits: consult_deadlines.accept_minutes,
-- consults.escalation_level and consult_questions.position (0011), rtc_rooms.recording (0014)
-- and audit_head.one (0001). The PostgreSQL scripts are now written from the SQLite ones by rules
-- that make every integer BIGINT, so a database made since has BIGINT there already and this
-- changes nothing in it; one made before gets its five columns changed here. SQLite has nothing
-- to do.
-- @postgres
ALTER TABLE consult_deadlines ALTER COLUMN accept_minutes TYPE BIGINT;
ALTER TABLE consults ALTER COLUMN escalation_level TYPE BIGINT;
ALTER TABLE consult_questions ALTER COLUMN position TYPE BIGINT;
ALTER TABLE rtc_rooms ALTER COLUMN recording TYPE BIGINT;
ALTER TABLE audit_head ALTER COLUMN one TYPE BIGINT;
-- @end
