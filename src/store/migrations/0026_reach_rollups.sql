-- The reach report (src/reports/reach.c, docs/reports.md "Reach") from rollups kept by triggers,
-- instead of reading the place's whole registry on every request (7-9 s on SQLite, 13-14 s on
-- PostgreSQL at province scale, whatever the period).
--
-- reach_tally holds, per figure (fig), span, facility and ethnicity ('' for Kinh and unknown),
-- how many people and how many of each group (aged 60 and over, under 6, pregnant, poor,
-- near-poor, disability):
--   fig 1, registered: events by Vietnam day (grain 1) and month (grain 2) whose sum up to a day is
--     the people registered by then: +1 on the day of registration (created_at), and for the age
--     groups +1 on the day a registered person turns 60 and -1 on the day they turn 6. A birthday
--     can lie in the future: its rows wait there until a period reaches them.
--   fig 2, new: the people registered on that day or in that month, with their age groups on the
--     day they registered; reach.c corrects the ages to the period's last day with a small live
--     query of the people registered in the period whose 60th or 6th birthday falls after it.
--   fig 3, consented: each consent to remote care is an interval from the day it was given (or the
--     person registered, if later) to the day it was withdrawn: +1 at its start, -1 at its end, the
--     age groups on the interval's part where the person is 60 or over, under 6.
--   fig 4, reached: the distinct people with a remote visit started or a consultation requested in
--     a day (grain 1), month (2), ISO week (3, span the Monday's day number), quarter (4, y * 4 +
--     q - 1) or year (5, y), with their age groups on that span's last day; only people registered
--     by that day count, as the live report counted them. reach_marks holds one row per person and
--     span (insert-or-ignore), and a new mark adds its person once.
-- A patient's facility, ethnicity, flags, birth or registration edited moves every row they
-- contribute (before the update their contribution is taken out, after it put back in); a consent
-- given or withdrawn moves that person's consent rows the same way. Visits and consultations are
-- never deleted and their start and request times never cleared, so a mark is never taken back.
--
-- The backfill below ran on the bench copy (1.3 M people, 0.9 M consents, 4 M started visits,
-- 0.5 M consultations) in 2 min 17 s to 3 min 8 s on SQLite (a machine shared by four builds,
-- about 1.5 min of a core): 18 M marks and 0.25 M rollup rows. A database upgrading answers
-- nothing meanwhile: plan it outside opening hours (docs/operations.md, "Upgrading").
CREATE TABLE reach_tally (
  fig INTEGER NOT NULL,
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  eth TEXT NOT NULL,
  n INTEGER NOT NULL,
  over60 INTEGER NOT NULL,
  under6 INTEGER NOT NULL,
  pregnant INTEGER NOT NULL,
  poor INTEGER NOT NULL,
  near_poor INTEGER NOT NULL,
  disability INTEGER NOT NULL,
  PRIMARY KEY (fig, grain, span, facility_id, eth)
);
CREATE TABLE reach_marks (
  patient_id INTEGER NOT NULL,
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  last_day INTEGER NOT NULL,
  PRIMARY KEY (patient_id, grain, span)
);
-- The people whose 60th or 6th birthday falls in a range, for reach.c's correction of "new".
CREATE INDEX patients_reach_birth ON patients(birth_year, created_at, facility_id, birth_date);
-- @sqlite
-- A person as the rollups key them: the day registered, the days of their 60th and 6th birthdays
-- (with only a birth year, 1 January of it, as the live report took it; a 29 February in a year
-- without one is 1 March, which is when the live report's text comparison changes its answer).
CREATE VIEW reach_person AS SELECT id AS patient_id, facility_id,
  CASE WHEN ethnicity IS NOT NULL AND ethnicity <> '01' THEN ethnicity ELSE '' END AS eth,
  (created_at + 25200000) / 86400000 AS cday, CAST(julianday(printf('%04d', CAST(substr(COALESCE(birth_date, printf('%04d-01-01', birth_year)), 1, 4) AS INTEGER) + 60) || substr(COALESCE(birth_date, printf('%04d-01-01', birth_year)), 5)) - 2440587.5 AS INTEGER) AS t60, CAST(julianday(printf('%04d', CAST(substr(COALESCE(birth_date, printf('%04d-01-01', birth_year)), 1, 4) AS INTEGER) + 6) || substr(COALESCE(birth_date, printf('%04d-01-01', birth_year)), 5)) - 2440587.5 AS INTEGER) AS t6,
  pregnant, poor_household AS poor, near_poor_household AS near_poor, disability FROM patients;
-- Each consent to remote care as days [s, e): from when it was given or the person registered, to
-- when it was withdrawn (NULL: in force). A person counts once however many consents they hold at
-- once (the API refuses a second while one is in force, but imported or generated rows may not):
-- a consent starts only where every earlier one (by start, then id) has ended, which cuts the
-- union of a person's consents into pieces that do not overlap; one after a consent never
-- withdrawn starts at day 1000000000 (never), and reach_events leaves it out.
CREATE VIEW reach_consent_span AS SELECT p.*,
  MAX(MAX((c.granted_at + 25200000) / 86400000, p.cday), COALESCE((SELECT MAX(COALESCE((c2.withdrawn_at + 25200000) /
    86400000, 1000000000)) FROM consents c2 WHERE c2.patient_id = c.patient_id AND c2.purpose = 'remote_care' AND
    (MAX((c2.granted_at + 25200000) / 86400000, p.cday) < MAX((c.granted_at + 25200000) / 86400000, p.cday) OR
    (MAX((c2.granted_at + 25200000) / 86400000, p.cday) = MAX((c.granted_at + 25200000) / 86400000, p.cday) AND
    c2.id < c.id))), 0)) AS s,
  (c.withdrawn_at + 25200000) / 86400000 AS e
  FROM reach_person p JOIN consents c ON c.patient_id = p.patient_id AND c.purpose = 'remote_care';
-- Every event of figures 1-3 (see the top of this file), one row each.
CREATE VIEW reach_events AS
SELECT 1 AS fig, patient_id, cday AS day, facility_id, eth, 1 AS n, CASE WHEN t60 <= cday THEN 1 ELSE 0 END AS over60,
  CASE WHEN t6 > cday THEN 1 ELSE 0 END AS under6, pregnant, poor, near_poor, disability FROM reach_person
UNION ALL SELECT 1, patient_id, t60, facility_id, eth, 0, 1, 0, 0, 0, 0, 0 FROM reach_person WHERE t60 > cday
UNION ALL SELECT 1, patient_id, t6, facility_id, eth, 0, 0, -1, 0, 0, 0, 0 FROM reach_person WHERE t6 > cday
UNION ALL SELECT 2, patient_id, cday, facility_id, eth, 1, CASE WHEN t60 <= cday THEN 1 ELSE 0 END,
  CASE WHEN t6 > cday THEN 1 ELSE 0 END, pregnant, poor, near_poor, disability FROM reach_person
UNION ALL SELECT 3, patient_id, s, facility_id, eth, 1, 0, 0, pregnant, poor, near_poor, disability
  FROM reach_consent_span WHERE s < 1000000000 AND (e IS NULL OR e > s)
UNION ALL SELECT 3, patient_id, e, facility_id, eth, -1, 0, 0, -pregnant, -poor, -near_poor, -disability
  FROM reach_consent_span WHERE s < 1000000000 AND (e > s)
UNION ALL SELECT 3, patient_id, MAX(s, t60), facility_id, eth, 0, 1, 0, 0, 0, 0, 0
  FROM reach_consent_span WHERE s < 1000000000 AND (e IS NULL OR e > MAX(s, t60))
UNION ALL SELECT 3, patient_id, e, facility_id, eth, 0, -1, 0, 0, 0, 0, 0 FROM reach_consent_span WHERE s < 1000000000 AND (e > MAX(s, t60))
UNION ALL SELECT 3, patient_id, s, facility_id, eth, 0, 0, 1, 0, 0, 0, 0
  FROM reach_consent_span WHERE s < 1000000000 AND (t6 > s AND (e IS NULL OR e > s))
UNION ALL SELECT 3, patient_id, CASE WHEN e < t6 THEN e ELSE t6 END, facility_id, eth, 0, 0, -1, 0, 0, 0, 0
  FROM reach_consent_span WHERE s < 1000000000 AND (t6 > s AND (e IS NULL OR e > s));
-- Each mark as the person counts in it: registered by the span's last day, their groups on it.
CREATE VIEW reach_mark_events AS SELECT m.patient_id, m.grain, m.span, p.facility_id, p.eth,
  CASE WHEN p.t60 <= m.last_day THEN 1 ELSE 0 END AS over60, CASE WHEN p.t6 > m.last_day THEN 1 ELSE 0 END AS under6,
  p.pregnant, p.poor, p.near_poor, p.disability
  FROM reach_marks m JOIN reach_person p ON p.patient_id = m.patient_id WHERE p.cday <= m.last_day;
-- The backfill: every figure from the rows already there, then the marks of every started visit
-- and requested consultation, then their counts.
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE true
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE true
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
CREATE TABLE reach_backfill_days AS SELECT patient_id, (started_at + 25200000) / 86400000 AS d FROM visits WHERE started_at IS NOT NULL
  UNION SELECT patient_id, (requested_at + 25200000) / 86400000 FROM consults WHERE requested_at IS NOT NULL;
INSERT OR IGNORE INTO reach_marks (patient_id, grain, span, last_day)
  SELECT * FROM (SELECT patient_id, 1, d, d FROM (SELECT patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 3, d - (d + 3) % 7, d - (d + 3) % 7 + 6 FROM (SELECT patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 2, y * 12 + m - 1, CAST(julianday(date(d * 86400, 'unixepoch', 'start of month', '+1 month', '-1 day')) - 2440587.5 AS INTEGER) FROM (SELECT patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 4, y * 4 + (m - 1) / 3, CAST(julianday(date(d * 86400, 'unixepoch', 'start of month', '+' || (2 - (m - 1) % 3) || ' months', '+1 month', '-1 day')) - 2440587.5 AS INTEGER) FROM (SELECT patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 5, y, CAST(julianday(printf('%04d-12-31', y)) - 2440587.5 AS INTEGER) FROM (SELECT patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM reach_backfill_days) x) q ORDER BY 1, 2, 3;
DROP TABLE reach_backfill_days;
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, COUNT(*), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_mark_events
    WHERE true GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
-- Where a visit starts or a consultation is requested, the person's marks of that day: an insert
-- into this view, which holds nothing, runs the trigger below.
CREATE VIEW reach_hit AS SELECT 0 AS patient_id, 0 AS day WHERE 0;
CREATE TRIGGER reach_hit_marks INSTEAD OF INSERT ON reach_hit
BEGIN
INSERT OR IGNORE INTO reach_marks (patient_id, grain, span, last_day)
  SELECT * FROM (SELECT patient_id, 1, d, d FROM (SELECT NEW.patient_id AS patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM (SELECT NEW.day AS d) d0) x
  UNION ALL SELECT patient_id, 3, d - (d + 3) % 7, d - (d + 3) % 7 + 6 FROM (SELECT NEW.patient_id AS patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM (SELECT NEW.day AS d) d0) x
  UNION ALL SELECT patient_id, 2, y * 12 + m - 1, CAST(julianday(date(d * 86400, 'unixepoch', 'start of month', '+1 month', '-1 day')) - 2440587.5 AS INTEGER) FROM (SELECT NEW.patient_id AS patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM (SELECT NEW.day AS d) d0) x
  UNION ALL SELECT patient_id, 4, y * 4 + (m - 1) / 3, CAST(julianday(date(d * 86400, 'unixepoch', 'start of month', '+' || (2 - (m - 1) % 3) || ' months', '+1 month', '-1 day')) - 2440587.5 AS INTEGER) FROM (SELECT NEW.patient_id AS patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM (SELECT NEW.day AS d) d0) x
  UNION ALL SELECT patient_id, 5, y, CAST(julianday(printf('%04d-12-31', y)) - 2440587.5 AS INTEGER) FROM (SELECT NEW.patient_id AS patient_id, d, CAST(strftime('%Y', d * 86400, 'unixepoch') AS INTEGER) AS y, CAST(strftime('%m', d * 86400, 'unixepoch') AS INTEGER) AS m FROM (SELECT NEW.day AS d) d0) x) q;
END;
CREATE TRIGGER reach_marks_count AFTER INSERT ON reach_marks
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, COUNT(*), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_mark_events
    WHERE patient_id = NEW.patient_id AND grain = NEW.grain AND span = NEW.span GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_patients_insert AFTER INSERT ON patients
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = NEW.id AND fig IN (1, 2)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = NEW.id AND fig IN (1, 2)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_patients_take BEFORE UPDATE OF facility_id, ethnicity, birth_date, birth_year, created_at, pregnant, poor_household, near_poor_household, disability ON patients WHEN OLD.facility_id IS NOT NEW.facility_id OR OLD.ethnicity IS NOT NEW.ethnicity OR OLD.birth_date IS NOT NEW.birth_date OR OLD.birth_year IS NOT NEW.birth_year OR OLD.created_at IS NOT NEW.created_at OR OLD.pregnant IS NOT NEW.pregnant OR OLD.poor_household IS NOT NEW.poor_household OR OLD.near_poor_household IS NOT NEW.near_poor_household OR OLD.disability IS NOT NEW.disability
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, -SUM(n), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_events WHERE patient_id = OLD.id AND fig IN (1, 2, 3)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, -SUM(n), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_events WHERE patient_id = OLD.id AND fig IN (1, 2, 3)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, -COUNT(*), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_mark_events
    WHERE patient_id = OLD.id GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_patients_put AFTER UPDATE OF facility_id, ethnicity, birth_date, birth_year, created_at, pregnant, poor_household, near_poor_household, disability ON patients WHEN OLD.facility_id IS NOT NEW.facility_id OR OLD.ethnicity IS NOT NEW.ethnicity OR OLD.birth_date IS NOT NEW.birth_date OR OLD.birth_year IS NOT NEW.birth_year OR OLD.created_at IS NOT NEW.created_at OR OLD.pregnant IS NOT NEW.pregnant OR OLD.poor_household IS NOT NEW.poor_household OR OLD.near_poor_household IS NOT NEW.near_poor_household OR OLD.disability IS NOT NEW.disability
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = NEW.id AND fig IN (1, 2, 3)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = NEW.id AND fig IN (1, 2, 3)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, COUNT(*), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_mark_events
    WHERE patient_id = NEW.id GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_consents_insert_take BEFORE INSERT ON consents WHEN NEW.purpose = 'remote_care'
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, -SUM(n), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_events WHERE patient_id = NEW.patient_id AND fig IN (3)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, -SUM(n), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_events WHERE patient_id = NEW.patient_id AND fig IN (3)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_consents_insert_put AFTER INSERT ON consents WHEN NEW.purpose = 'remote_care'
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = NEW.patient_id AND fig IN (3)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = NEW.patient_id AND fig IN (3)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_consents_update_take BEFORE UPDATE OF granted_at, withdrawn_at, purpose ON consents WHEN (OLD.purpose = 'remote_care' OR NEW.purpose = 'remote_care') AND (OLD.granted_at IS NOT NEW.granted_at OR OLD.withdrawn_at IS NOT NEW.withdrawn_at OR OLD.purpose IS NOT NEW.purpose)
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, -SUM(n), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_events WHERE patient_id = OLD.patient_id AND fig IN (3)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, -SUM(n), -SUM(over60), -SUM(under6), -SUM(pregnant), -SUM(poor), -SUM(near_poor), -SUM(disability) FROM reach_events WHERE patient_id = OLD.patient_id AND fig IN (3)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_consents_update_put AFTER UPDATE OF granted_at, withdrawn_at, purpose ON consents WHEN (OLD.purpose = 'remote_care' OR NEW.purpose = 'remote_care') AND (OLD.granted_at IS NOT NEW.granted_at OR OLD.withdrawn_at IS NOT NEW.withdrawn_at OR OLD.purpose IS NOT NEW.purpose)
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = OLD.patient_id AND fig IN (3)
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE patient_id = OLD.patient_id AND fig IN (3)
    GROUP BY fig, (CAST(strftime('%Y', (day) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', (day) * 86400, 'unixepoch') AS INTEGER) - 1), facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
CREATE TRIGGER reach_visits_insert AFTER INSERT ON visits WHEN NEW.started_at IS NOT NULL
BEGIN
INSERT INTO reach_hit (patient_id, day) VALUES (NEW.patient_id, (NEW.started_at + 25200000) / 86400000);
END;
CREATE TRIGGER reach_visits_update AFTER UPDATE OF started_at ON visits WHEN NEW.started_at IS NOT NULL AND OLD.started_at IS NOT NEW.started_at
BEGIN
INSERT INTO reach_hit (patient_id, day) VALUES (NEW.patient_id, (NEW.started_at + 25200000) / 86400000);
END;
CREATE TRIGGER reach_consults_insert AFTER INSERT ON consults WHEN NEW.requested_at IS NOT NULL
BEGIN
INSERT INTO reach_hit (patient_id, day) VALUES (NEW.patient_id, (NEW.requested_at + 25200000) / 86400000);
END;
CREATE TRIGGER reach_consults_update AFTER UPDATE OF requested_at ON consults WHEN NEW.requested_at IS NOT NULL AND OLD.requested_at IS NOT NEW.requested_at
BEGIN
INSERT INTO reach_hit (patient_id, day) VALUES (NEW.patient_id, (NEW.requested_at + 25200000) / 86400000);
END;
-- @postgres
-- A person as the rollups key them: the day registered, the days of their 60th and 6th birthdays
-- (with only a birth year, 1 January of it, as the live report took it; a 29 February in a year
-- without one is 1 March, which is when the live report's text comparison changes its answer).
CREATE VIEW reach_person AS SELECT id AS patient_id, facility_id,
  CASE WHEN ethnicity IS NOT NULL AND ethnicity <> '01' THEN ethnicity ELSE '' END AS eth,
  (created_at + 25200000) / 86400000 AS cday, ((make_date(substr(COALESCE(birth_date, lpad(birth_year::text, 4, '0') || '-01-01'), 1, 4)::int + 60, substr(COALESCE(birth_date, lpad(birth_year::text, 4, '0') || '-01-01'), 6, 2)::int, 1) + (substr(COALESCE(birth_date, lpad(birth_year::text, 4, '0') || '-01-01'), 9, 2)::int - 1)) - DATE '1970-01-01')::bigint AS t60, ((make_date(substr(COALESCE(birth_date, lpad(birth_year::text, 4, '0') || '-01-01'), 1, 4)::int + 6, substr(COALESCE(birth_date, lpad(birth_year::text, 4, '0') || '-01-01'), 6, 2)::int, 1) + (substr(COALESCE(birth_date, lpad(birth_year::text, 4, '0') || '-01-01'), 9, 2)::int - 1)) - DATE '1970-01-01')::bigint AS t6,
  pregnant, poor_household AS poor, near_poor_household AS near_poor, disability FROM patients;
-- Each consent to remote care as days [s, e): from when it was given or the person registered, to
-- when it was withdrawn (NULL: in force). A person counts once however many consents they hold at
-- once (the API refuses a second while one is in force, but imported or generated rows may not):
-- a consent starts only where every earlier one (by start, then id) has ended, which cuts the
-- union of a person's consents into pieces that do not overlap; one after a consent never
-- withdrawn starts at day 1000000000 (never), and reach_events leaves it out.
CREATE VIEW reach_consent_span AS SELECT p.*,
  GREATEST(GREATEST((c.granted_at + 25200000) / 86400000, p.cday), COALESCE((SELECT MAX(COALESCE((c2.withdrawn_at + 25200000) /
    86400000, 1000000000)) FROM consents c2 WHERE c2.patient_id = c.patient_id AND c2.purpose = 'remote_care' AND
    (GREATEST((c2.granted_at + 25200000) / 86400000, p.cday) < GREATEST((c.granted_at + 25200000) / 86400000, p.cday) OR
    (GREATEST((c2.granted_at + 25200000) / 86400000, p.cday) = GREATEST((c.granted_at + 25200000) / 86400000, p.cday) AND
    c2.id < c.id))), 0)) AS s,
  (c.withdrawn_at + 25200000) / 86400000 AS e
  FROM reach_person p JOIN consents c ON c.patient_id = p.patient_id AND c.purpose = 'remote_care';
-- Every event of figures 1-3 (see the top of this file), one row each.
CREATE VIEW reach_events AS
SELECT 1 AS fig, patient_id, cday AS day, facility_id, eth, 1 AS n, CASE WHEN t60 <= cday THEN 1 ELSE 0 END AS over60,
  CASE WHEN t6 > cday THEN 1 ELSE 0 END AS under6, pregnant, poor, near_poor, disability FROM reach_person
UNION ALL SELECT 1, patient_id, t60, facility_id, eth, 0, 1, 0, 0, 0, 0, 0 FROM reach_person WHERE t60 > cday
UNION ALL SELECT 1, patient_id, t6, facility_id, eth, 0, 0, -1, 0, 0, 0, 0 FROM reach_person WHERE t6 > cday
UNION ALL SELECT 2, patient_id, cday, facility_id, eth, 1, CASE WHEN t60 <= cday THEN 1 ELSE 0 END,
  CASE WHEN t6 > cday THEN 1 ELSE 0 END, pregnant, poor, near_poor, disability FROM reach_person
UNION ALL SELECT 3, patient_id, s, facility_id, eth, 1, 0, 0, pregnant, poor, near_poor, disability
  FROM reach_consent_span WHERE s < 1000000000 AND (e IS NULL OR e > s)
UNION ALL SELECT 3, patient_id, e, facility_id, eth, -1, 0, 0, -pregnant, -poor, -near_poor, -disability
  FROM reach_consent_span WHERE s < 1000000000 AND (e > s)
UNION ALL SELECT 3, patient_id, GREATEST(s, t60), facility_id, eth, 0, 1, 0, 0, 0, 0, 0
  FROM reach_consent_span WHERE s < 1000000000 AND (e IS NULL OR e > GREATEST(s, t60))
UNION ALL SELECT 3, patient_id, e, facility_id, eth, 0, -1, 0, 0, 0, 0, 0 FROM reach_consent_span WHERE s < 1000000000 AND (e > GREATEST(s, t60))
UNION ALL SELECT 3, patient_id, s, facility_id, eth, 0, 0, 1, 0, 0, 0, 0
  FROM reach_consent_span WHERE s < 1000000000 AND (t6 > s AND (e IS NULL OR e > s))
UNION ALL SELECT 3, patient_id, CASE WHEN e < t6 THEN e ELSE t6 END, facility_id, eth, 0, 0, -1, 0, 0, 0, 0
  FROM reach_consent_span WHERE s < 1000000000 AND (t6 > s AND (e IS NULL OR e > s));
-- Each mark as the person counts in it: registered by the span's last day, their groups on it.
CREATE VIEW reach_mark_events AS SELECT m.patient_id, m.grain, m.span, p.facility_id, p.eth,
  CASE WHEN p.t60 <= m.last_day THEN 1 ELSE 0 END AS over60, CASE WHEN p.t6 > m.last_day THEN 1 ELSE 0 END AS under6,
  p.pregnant, p.poor, p.near_poor, p.disability
  FROM reach_marks m JOIN reach_person p ON p.patient_id = m.patient_id WHERE p.cday <= m.last_day;
-- The backfill: every figure from the rows already there, then the marks of every started visit
-- and requested consultation, then their counts.
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE true
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (EXTRACT(YEAR FROM DATE '1970-01-01' + (day)::int) * 12 + EXTRACT(MONTH FROM DATE '1970-01-01' + (day)::int) - 1)::bigint, facility_id, eth, SUM(n), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_events WHERE true
    GROUP BY fig, (EXTRACT(YEAR FROM DATE '1970-01-01' + (day)::int) * 12 + EXTRACT(MONTH FROM DATE '1970-01-01' + (day)::int) - 1)::bigint, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
CREATE TEMP TABLE reach_backfill_days AS SELECT patient_id, (started_at + 25200000) / 86400000 AS d FROM visits WHERE started_at IS NOT NULL
  UNION SELECT patient_id, (requested_at + 25200000) / 86400000 FROM consults WHERE requested_at IS NOT NULL;
INSERT INTO reach_marks (patient_id, grain, span, last_day)
  SELECT * FROM (SELECT patient_id, 1, d, d FROM (SELECT patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 3, d - (d + 3) % 7, d - (d + 3) % 7 + 6 FROM (SELECT patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 2, y * 12 + m - 1, ((date_trunc('month', (DATE '1970-01-01' + d::int)) + interval '1 month - 1 day')::date - DATE '1970-01-01')::bigint FROM (SELECT patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 4, y * 4 + (m - 1) / 3, ((date_trunc('quarter', (DATE '1970-01-01' + d::int)) + interval '3 months - 1 day')::date - DATE '1970-01-01')::bigint FROM (SELECT patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM reach_backfill_days) x
  UNION ALL SELECT patient_id, 5, y, (make_date(y::int, 12, 31) - DATE '1970-01-01')::bigint FROM (SELECT patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM reach_backfill_days) x) q ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING;
DROP TABLE reach_backfill_days;
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, COUNT(*), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_mark_events
    WHERE true GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
CREATE FUNCTION reach_hit(p bigint, day bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO reach_marks (patient_id, grain, span, last_day)
  SELECT * FROM (SELECT patient_id, 1, d, d FROM (SELECT p AS patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM (SELECT reach_hit.day AS d) d0) x
  UNION ALL SELECT patient_id, 3, d - (d + 3) % 7, d - (d + 3) % 7 + 6 FROM (SELECT p AS patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM (SELECT reach_hit.day AS d) d0) x
  UNION ALL SELECT patient_id, 2, y * 12 + m - 1, ((date_trunc('month', (DATE '1970-01-01' + d::int)) + interval '1 month - 1 day')::date - DATE '1970-01-01')::bigint FROM (SELECT p AS patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM (SELECT reach_hit.day AS d) d0) x
  UNION ALL SELECT patient_id, 4, y * 4 + (m - 1) / 3, ((date_trunc('quarter', (DATE '1970-01-01' + d::int)) + interval '3 months - 1 day')::date - DATE '1970-01-01')::bigint FROM (SELECT p AS patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM (SELECT reach_hit.day AS d) d0) x
  UNION ALL SELECT patient_id, 5, y, (make_date(y::int, 12, 31) - DATE '1970-01-01')::bigint FROM (SELECT p AS patient_id, d, EXTRACT(YEAR FROM (DATE '1970-01-01' + d::int))::bigint AS y, EXTRACT(MONTH FROM (DATE '1970-01-01' + d::int))::bigint AS m FROM (SELECT reach_hit.day AS d) d0) x) q ON CONFLICT DO NOTHING;
END;
$$;
CREATE FUNCTION reach_tally_patient(p bigint, sg bigint, figs bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT fig, 1, day, facility_id, eth, sg * SUM(n), sg * SUM(over60), sg * SUM(under6), sg * SUM(pregnant), sg * SUM(poor), sg * SUM(near_poor), sg * SUM(disability) FROM reach_events WHERE patient_id = p AND fig IN (SELECT unnest(figs))
    GROUP BY fig, day, facility_id, eth
  UNION ALL SELECT fig, 2, (EXTRACT(YEAR FROM DATE '1970-01-01' + (day)::int) * 12 + EXTRACT(MONTH FROM DATE '1970-01-01' + (day)::int) - 1)::bigint, facility_id, eth, sg * SUM(n), sg * SUM(over60), sg * SUM(under6), sg * SUM(pregnant), sg * SUM(poor), sg * SUM(near_poor), sg * SUM(disability) FROM reach_events WHERE patient_id = p AND fig IN (SELECT unnest(figs))
    GROUP BY fig, (EXTRACT(YEAR FROM DATE '1970-01-01' + (day)::int) * 12 + EXTRACT(MONTH FROM DATE '1970-01-01' + (day)::int) - 1)::bigint, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
$$;
CREATE FUNCTION reach_tally_marks(p bigint, sg bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, sg * COUNT(*), sg * SUM(over60), sg * SUM(under6), sg * SUM(pregnant), sg * SUM(poor), sg * SUM(near_poor), sg * SUM(disability) FROM reach_mark_events
    WHERE patient_id = p GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
END;
$$;
CREATE FUNCTION reach_marks_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO reach_tally (fig, grain, span, facility_id, eth, n, over60, under6, pregnant, poor, near_poor, disability)
  SELECT * FROM (SELECT 4, grain, span, facility_id, eth, COUNT(*), SUM(over60), SUM(under6), SUM(pregnant), SUM(poor), SUM(near_poor), SUM(disability) FROM reach_mark_events
    WHERE patient_id = NEW.patient_id AND grain = NEW.grain AND span = NEW.span GROUP BY grain, span, facility_id, eth) q WHERE true
  ON CONFLICT (fig, grain, span, facility_id, eth) DO UPDATE SET n = reach_tally.n + excluded.n, over60 = reach_tally.over60 + excluded.over60, under6 = reach_tally.under6 + excluded.under6, pregnant = reach_tally.pregnant + excluded.pregnant, poor = reach_tally.poor + excluded.poor, near_poor = reach_tally.near_poor + excluded.near_poor, disability = reach_tally.disability + excluded.disability;
RETURN NULL;
END;
$$;
CREATE FUNCTION reach_patients_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_tally_patient(NEW.id, 1, ARRAY[1, 2]);
RETURN NULL;
END;
$$;
CREATE FUNCTION reach_patients_take() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_tally_patient(OLD.id, -1, ARRAY[1, 2, 3]);
PERFORM reach_tally_marks(OLD.id, -1);
RETURN NEW;
END;
$$;
CREATE FUNCTION reach_patients_put() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_tally_patient(NEW.id, 1, ARRAY[1, 2, 3]);
PERFORM reach_tally_marks(NEW.id, 1);
RETURN NULL;
END;
$$;
CREATE FUNCTION reach_consents_take() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_tally_patient(NEW.patient_id, -1, ARRAY[3]);
RETURN NEW;
END;
$$;
CREATE FUNCTION reach_consents_put() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_tally_patient(NEW.patient_id, 1, ARRAY[3]);
RETURN NULL;
END;
$$;
CREATE FUNCTION reach_visits_hit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_hit(NEW.patient_id, (NEW.started_at + 25200000) / 86400000);
RETURN NULL;
END;
$$;
CREATE FUNCTION reach_consults_hit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
PERFORM reach_hit(NEW.patient_id, (NEW.requested_at + 25200000) / 86400000);
RETURN NULL;
END;
$$;
CREATE TRIGGER reach_marks_count AFTER INSERT ON reach_marks FOR EACH ROW EXECUTE FUNCTION reach_marks_count();
CREATE TRIGGER reach_patients_insert AFTER INSERT ON patients FOR EACH ROW EXECUTE FUNCTION reach_patients_insert();
CREATE TRIGGER reach_patients_take BEFORE UPDATE OF facility_id, ethnicity, birth_date, birth_year, created_at, pregnant, poor_household, near_poor_household, disability ON patients FOR EACH ROW WHEN (OLD.facility_id IS DISTINCT FROM NEW.facility_id OR OLD.ethnicity IS DISTINCT FROM NEW.ethnicity OR OLD.birth_date IS DISTINCT FROM NEW.birth_date OR OLD.birth_year IS DISTINCT FROM NEW.birth_year OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.pregnant IS DISTINCT FROM NEW.pregnant OR OLD.poor_household IS DISTINCT FROM NEW.poor_household OR OLD.near_poor_household IS DISTINCT FROM NEW.near_poor_household OR OLD.disability IS DISTINCT FROM NEW.disability) EXECUTE FUNCTION reach_patients_take();
CREATE TRIGGER reach_patients_put AFTER UPDATE OF facility_id, ethnicity, birth_date, birth_year, created_at, pregnant, poor_household, near_poor_household, disability ON patients FOR EACH ROW WHEN (OLD.facility_id IS DISTINCT FROM NEW.facility_id OR OLD.ethnicity IS DISTINCT FROM NEW.ethnicity OR OLD.birth_date IS DISTINCT FROM NEW.birth_date OR OLD.birth_year IS DISTINCT FROM NEW.birth_year OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.pregnant IS DISTINCT FROM NEW.pregnant OR OLD.poor_household IS DISTINCT FROM NEW.poor_household OR OLD.near_poor_household IS DISTINCT FROM NEW.near_poor_household OR OLD.disability IS DISTINCT FROM NEW.disability) EXECUTE FUNCTION reach_patients_put();
CREATE TRIGGER reach_consents_insert_take BEFORE INSERT ON consents FOR EACH ROW WHEN (NEW.purpose = 'remote_care') EXECUTE FUNCTION reach_consents_take();
CREATE TRIGGER reach_consents_insert_put AFTER INSERT ON consents FOR EACH ROW WHEN (NEW.purpose = 'remote_care') EXECUTE FUNCTION reach_consents_put();
CREATE TRIGGER reach_consents_update_take BEFORE UPDATE OF granted_at, withdrawn_at, purpose ON consents FOR EACH ROW WHEN ((OLD.purpose = 'remote_care' OR NEW.purpose = 'remote_care') AND (OLD.granted_at IS DISTINCT FROM NEW.granted_at OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at OR OLD.purpose IS DISTINCT FROM NEW.purpose)) EXECUTE FUNCTION reach_consents_take();
CREATE TRIGGER reach_consents_update_put AFTER UPDATE OF granted_at, withdrawn_at, purpose ON consents FOR EACH ROW WHEN ((OLD.purpose = 'remote_care' OR NEW.purpose = 'remote_care') AND (OLD.granted_at IS DISTINCT FROM NEW.granted_at OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at OR OLD.purpose IS DISTINCT FROM NEW.purpose)) EXECUTE FUNCTION reach_consents_put();
CREATE TRIGGER reach_visits_insert AFTER INSERT ON visits FOR EACH ROW WHEN (NEW.started_at IS NOT NULL) EXECUTE FUNCTION reach_visits_hit();
CREATE TRIGGER reach_visits_update AFTER UPDATE OF started_at ON visits FOR EACH ROW WHEN (NEW.started_at IS NOT NULL AND OLD.started_at IS DISTINCT FROM NEW.started_at) EXECUTE FUNCTION reach_visits_hit();
CREATE TRIGGER reach_consults_insert AFTER INSERT ON consults FOR EACH ROW WHEN (NEW.requested_at IS NOT NULL) EXECUTE FUNCTION reach_consults_hit();
CREATE TRIGGER reach_consults_update AFTER UPDATE OF requested_at ON consults FOR EACH ROW WHEN (NEW.requested_at IS NOT NULL AND OLD.requested_at IS DISTINCT FROM NEW.requested_at) EXECUTE FUNCTION reach_consults_hit();
-- @end
