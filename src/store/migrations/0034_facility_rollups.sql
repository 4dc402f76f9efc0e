-- ytexa 0034: the wait histograms of the visits and consultations reports, and the consultations'
-- counts, by the facility alone — by month (grain 2), calendar quarter (grain 4, span y * 4 + q - 1)
-- and calendar year (grain 3, span y) — for what asks for nothing finer than the facility: by=facility,
-- by=province with as=pre2025 (or a place read by facility: a facility, an old province), and the
-- totals there, with no specialty filter (issue 19, session 15; docs/reports.md, "How it is computed,
-- and its bound"). The tables by facility of 0024, 0025 and 0033 keep every key a grouping or filter
-- may ask for (visits: mode; consultations: hub level, urgency, specialty, kind), so a year by
-- facility read 150 k–270 k rows and grouped them again by facility: 0.5–0.8 s a request on SQLite,
-- 1.2 s on PostgreSQL. Without those keys a year is one row a facility (the counts) and a facility's
-- buckets (the waits), a quarter a few more, and the rows come in the key's order.
--
-- They follow the month rows of the tables by facility (visit_rollup_wait, consult_waits,
-- consult_rollup), through triggers on those tables, rather than the events: the events' triggers
-- (0024, 0025) already worked out each event's month row, its bucket and — for a consultation —
-- what it moves between keys, and a month row changes once an event where a new trigger on the
-- events would repeat that work. Month rows are only ever inserted or have their figures changed
-- (never deleted or re-keyed), so adding the change of each figure (NEW − OLD) to the month's,
-- quarter's and year's row keeps them equal to the sums of the month rows. Day rows are not kept:
-- a period with days besides whole months reads the tables of 0024 and 0025 as before.
CREATE TABLE visit_waits_fac (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  minutes INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (grain, span, facility_id, minutes)
);
CREATE TABLE consult_waits_fac (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  what INTEGER NOT NULL,
  minutes INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (grain, span, facility_id, what, minutes)
);
CREATE TABLE consult_rollup_fac (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  requested INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  in_time INTEGER NOT NULL,
  concluded INTEGER NOT NULL,
  treat_locally INTEGER NOT NULL,
  transfer INTEGER NOT NULL,
  more_tests INTEGER NOT NULL,
  another_consult INTEGER NOT NULL,
  cancelled INTEGER NOT NULL,
  declined INTEGER NOT NULL,
  escalated INTEGER NOT NULL,
  PRIMARY KEY (grain, span, facility_id)
);

-- The backfill from the month rows already there, so that an upgraded database answers as before:
-- on the bench copy (5 M visits, 0.5 M consultations) it took 35 s on SQLite (11 s of CPU) and
-- 3 min 1 s on PostgreSQL, on the shared 2-core machine under load.
INSERT INTO visit_waits_fac (grain, span, facility_id, minutes, n)
SELECT g.grain, CASE g.grain WHEN 2 THEN w.span WHEN 4 THEN w.span / 3 ELSE w.span / 12 END, w.facility_id,
  w.minutes, SUM(w.n)
FROM visit_rollup_wait w CROSS JOIN (SELECT 2 AS grain UNION ALL SELECT 4 UNION ALL SELECT 3) g
WHERE w.grain = 2 GROUP BY 1, 2, 3, 4;
INSERT INTO consult_waits_fac (grain, span, facility_id, what, minutes, n)
SELECT g.grain, CASE g.grain WHEN 2 THEN w.span WHEN 4 THEN w.span / 3 ELSE w.span / 12 END, w.facility_id,
  w.what, w.minutes, SUM(w.n)
FROM consult_waits w CROSS JOIN (SELECT 2 AS grain UNION ALL SELECT 4 UNION ALL SELECT 3) g
WHERE w.grain = 2 GROUP BY 1, 2, 3, 4, 5;
INSERT INTO consult_rollup_fac (grain, span, facility_id, requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, cancelled, declined, escalated)
SELECT g.grain, CASE g.grain WHEN 2 THEN t.span WHEN 4 THEN t.span / 3 ELSE t.span / 12 END, t.facility_id,
  SUM(t.requested), SUM(t.accepted), SUM(t.in_time), SUM(t.concluded), SUM(t.treat_locally), SUM(t.transfer), SUM(t.more_tests), SUM(t.another_consult), SUM(t.cancelled), SUM(t.declined), SUM(t.escalated)
FROM consult_rollup t CROSS JOIN (SELECT 2 AS grain UNION ALL SELECT 4 UNION ALL SELECT 3) g
WHERE t.grain = 2 GROUP BY 1, 2, 3;
-- @sqlite
CREATE TRIGGER visit_waits_fac_insert AFTER INSERT ON visit_rollup_wait WHEN NEW.grain = 2 BEGIN
  INSERT INTO visit_waits_fac (grain, span, facility_id, minutes, n)
  VALUES (2, NEW.span, NEW.facility_id, NEW.minutes, NEW.n), (4, NEW.span / 3, NEW.facility_id, NEW.minutes, NEW.n),
    (3, NEW.span / 12, NEW.facility_id, NEW.minutes, NEW.n)
  ON CONFLICT (grain, span, facility_id, minutes) DO UPDATE SET n = visit_waits_fac.n + excluded.n;
END;
CREATE TRIGGER visit_waits_fac_update AFTER UPDATE OF n ON visit_rollup_wait WHEN NEW.grain = 2 BEGIN
  INSERT INTO visit_waits_fac (grain, span, facility_id, minutes, n)
  VALUES (2, NEW.span, NEW.facility_id, NEW.minutes, NEW.n - OLD.n),
    (4, NEW.span / 3, NEW.facility_id, NEW.minutes, NEW.n - OLD.n),
    (3, NEW.span / 12, NEW.facility_id, NEW.minutes, NEW.n - OLD.n)
  ON CONFLICT (grain, span, facility_id, minutes) DO UPDATE SET n = visit_waits_fac.n + excluded.n;
END;
CREATE TRIGGER consult_waits_fac_insert AFTER INSERT ON consult_waits WHEN NEW.grain = 2 BEGIN
  INSERT INTO consult_waits_fac (grain, span, facility_id, what, minutes, n)
  VALUES (2, NEW.span, NEW.facility_id, NEW.what, NEW.minutes, NEW.n),
    (4, NEW.span / 3, NEW.facility_id, NEW.what, NEW.minutes, NEW.n),
    (3, NEW.span / 12, NEW.facility_id, NEW.what, NEW.minutes, NEW.n)
  ON CONFLICT (grain, span, facility_id, what, minutes) DO UPDATE SET n = consult_waits_fac.n + excluded.n;
END;
CREATE TRIGGER consult_waits_fac_update AFTER UPDATE OF n ON consult_waits WHEN NEW.grain = 2 BEGIN
  INSERT INTO consult_waits_fac (grain, span, facility_id, what, minutes, n)
  VALUES (2, NEW.span, NEW.facility_id, NEW.what, NEW.minutes, NEW.n - OLD.n),
    (4, NEW.span / 3, NEW.facility_id, NEW.what, NEW.minutes, NEW.n - OLD.n),
    (3, NEW.span / 12, NEW.facility_id, NEW.what, NEW.minutes, NEW.n - OLD.n)
  ON CONFLICT (grain, span, facility_id, what, minutes) DO UPDATE SET n = consult_waits_fac.n + excluded.n;
END;
CREATE TRIGGER consult_rollup_fac_insert AFTER INSERT ON consult_rollup WHEN NEW.grain = 2 BEGIN
  INSERT INTO consult_rollup_fac (grain, span, facility_id, requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, cancelled, declined, escalated)
  VALUES (2, NEW.span, NEW.facility_id, NEW.requested, NEW.accepted, NEW.in_time, NEW.concluded, NEW.treat_locally, NEW.transfer, NEW.more_tests, NEW.another_consult, NEW.cancelled, NEW.declined, NEW.escalated),
    (4, NEW.span / 3, NEW.facility_id, NEW.requested, NEW.accepted, NEW.in_time, NEW.concluded, NEW.treat_locally, NEW.transfer, NEW.more_tests, NEW.another_consult, NEW.cancelled, NEW.declined, NEW.escalated),
    (3, NEW.span / 12, NEW.facility_id, NEW.requested, NEW.accepted, NEW.in_time, NEW.concluded, NEW.treat_locally, NEW.transfer, NEW.more_tests, NEW.another_consult, NEW.cancelled, NEW.declined, NEW.escalated)
  ON CONFLICT (grain, span, facility_id) DO UPDATE SET requested = consult_rollup_fac.requested + excluded.requested, accepted = consult_rollup_fac.accepted + excluded.accepted, in_time = consult_rollup_fac.in_time + excluded.in_time, concluded = consult_rollup_fac.concluded + excluded.concluded, treat_locally = consult_rollup_fac.treat_locally + excluded.treat_locally, transfer = consult_rollup_fac.transfer + excluded.transfer, more_tests = consult_rollup_fac.more_tests + excluded.more_tests, another_consult = consult_rollup_fac.another_consult + excluded.another_consult, cancelled = consult_rollup_fac.cancelled + excluded.cancelled, declined = consult_rollup_fac.declined + excluded.declined, escalated = consult_rollup_fac.escalated + excluded.escalated;
END;
CREATE TRIGGER consult_rollup_fac_update AFTER UPDATE OF requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, cancelled, declined, escalated ON consult_rollup
WHEN NEW.grain = 2 BEGIN
  INSERT INTO consult_rollup_fac (grain, span, facility_id, requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, cancelled, declined, escalated)
  VALUES (2, NEW.span, NEW.facility_id, NEW.requested - OLD.requested, NEW.accepted - OLD.accepted, NEW.in_time - OLD.in_time, NEW.concluded - OLD.concluded, NEW.treat_locally - OLD.treat_locally, NEW.transfer - OLD.transfer, NEW.more_tests - OLD.more_tests, NEW.another_consult - OLD.another_consult, NEW.cancelled - OLD.cancelled, NEW.declined - OLD.declined, NEW.escalated - OLD.escalated),
    (4, NEW.span / 3, NEW.facility_id, NEW.requested - OLD.requested, NEW.accepted - OLD.accepted, NEW.in_time - OLD.in_time, NEW.concluded - OLD.concluded, NEW.treat_locally - OLD.treat_locally, NEW.transfer - OLD.transfer, NEW.more_tests - OLD.more_tests, NEW.another_consult - OLD.another_consult, NEW.cancelled - OLD.cancelled, NEW.declined - OLD.declined, NEW.escalated - OLD.escalated),
    (3, NEW.span / 12, NEW.facility_id, NEW.requested - OLD.requested, NEW.accepted - OLD.accepted, NEW.in_time - OLD.in_time, NEW.concluded - OLD.concluded, NEW.treat_locally - OLD.treat_locally, NEW.transfer - OLD.transfer, NEW.more_tests - OLD.more_tests, NEW.another_consult - OLD.another_consult, NEW.cancelled - OLD.cancelled, NEW.declined - OLD.declined, NEW.escalated - OLD.escalated)
  ON CONFLICT (grain, span, facility_id) DO UPDATE SET requested = consult_rollup_fac.requested + excluded.requested, accepted = consult_rollup_fac.accepted + excluded.accepted, in_time = consult_rollup_fac.in_time + excluded.in_time, concluded = consult_rollup_fac.concluded + excluded.concluded, treat_locally = consult_rollup_fac.treat_locally + excluded.treat_locally, transfer = consult_rollup_fac.transfer + excluded.transfer, more_tests = consult_rollup_fac.more_tests + excluded.more_tests, another_consult = consult_rollup_fac.another_consult + excluded.another_consult, cancelled = consult_rollup_fac.cancelled + excluded.cancelled, declined = consult_rollup_fac.declined + excluded.declined, escalated = consult_rollup_fac.escalated + excluded.escalated;
END;
-- @postgres
CREATE FUNCTION visit_waits_fac() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d BIGINT := NEW.n - CASE WHEN TG_OP = 'UPDATE' THEN OLD.n ELSE 0 END;
BEGIN
  INSERT INTO visit_waits_fac (grain, span, facility_id, minutes, n)
  VALUES (2, NEW.span, NEW.facility_id, NEW.minutes, d), (4, NEW.span / 3, NEW.facility_id, NEW.minutes, d),
    (3, NEW.span / 12, NEW.facility_id, NEW.minutes, d)
  ON CONFLICT (grain, span, facility_id, minutes) DO UPDATE SET n = visit_waits_fac.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER visit_waits_fac AFTER INSERT OR UPDATE OF n ON visit_rollup_wait
FOR EACH ROW WHEN (NEW.grain = 2) EXECUTE FUNCTION visit_waits_fac();
CREATE FUNCTION consult_waits_fac() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d BIGINT := NEW.n - CASE WHEN TG_OP = 'UPDATE' THEN OLD.n ELSE 0 END;
BEGIN
  INSERT INTO consult_waits_fac (grain, span, facility_id, what, minutes, n)
  VALUES (2, NEW.span, NEW.facility_id, NEW.what, NEW.minutes, d),
    (4, NEW.span / 3, NEW.facility_id, NEW.what, NEW.minutes, d),
    (3, NEW.span / 12, NEW.facility_id, NEW.what, NEW.minutes, d)
  ON CONFLICT (grain, span, facility_id, what, minutes) DO UPDATE SET n = consult_waits_fac.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER consult_waits_fac AFTER INSERT OR UPDATE OF n ON consult_waits
FOR EACH ROW WHEN (NEW.grain = 2) EXECUTE FUNCTION consult_waits_fac();
CREATE FUNCTION consult_rollup_fac() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO consult_rollup_fac (grain, span, facility_id, requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, cancelled, declined, escalated)
  VALUES (2, NEW.span, NEW.facility_id, NEW.requested - CASE WHEN TG_OP = 'UPDATE' THEN OLD.requested ELSE 0 END, NEW.accepted - CASE WHEN TG_OP = 'UPDATE' THEN OLD.accepted ELSE 0 END, NEW.in_time - CASE WHEN TG_OP = 'UPDATE' THEN OLD.in_time ELSE 0 END, NEW.concluded - CASE WHEN TG_OP = 'UPDATE' THEN OLD.concluded ELSE 0 END, NEW.treat_locally - CASE WHEN TG_OP = 'UPDATE' THEN OLD.treat_locally ELSE 0 END, NEW.transfer - CASE WHEN TG_OP = 'UPDATE' THEN OLD.transfer ELSE 0 END, NEW.more_tests - CASE WHEN TG_OP = 'UPDATE' THEN OLD.more_tests ELSE 0 END, NEW.another_consult - CASE WHEN TG_OP = 'UPDATE' THEN OLD.another_consult ELSE 0 END, NEW.cancelled - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cancelled ELSE 0 END, NEW.declined - CASE WHEN TG_OP = 'UPDATE' THEN OLD.declined ELSE 0 END, NEW.escalated - CASE WHEN TG_OP = 'UPDATE' THEN OLD.escalated ELSE 0 END),
    (4, NEW.span / 3, NEW.facility_id, NEW.requested - CASE WHEN TG_OP = 'UPDATE' THEN OLD.requested ELSE 0 END, NEW.accepted - CASE WHEN TG_OP = 'UPDATE' THEN OLD.accepted ELSE 0 END, NEW.in_time - CASE WHEN TG_OP = 'UPDATE' THEN OLD.in_time ELSE 0 END, NEW.concluded - CASE WHEN TG_OP = 'UPDATE' THEN OLD.concluded ELSE 0 END, NEW.treat_locally - CASE WHEN TG_OP = 'UPDATE' THEN OLD.treat_locally ELSE 0 END, NEW.transfer - CASE WHEN TG_OP = 'UPDATE' THEN OLD.transfer ELSE 0 END, NEW.more_tests - CASE WHEN TG_OP = 'UPDATE' THEN OLD.more_tests ELSE 0 END, NEW.another_consult - CASE WHEN TG_OP = 'UPDATE' THEN OLD.another_consult ELSE 0 END, NEW.cancelled - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cancelled ELSE 0 END, NEW.declined - CASE WHEN TG_OP = 'UPDATE' THEN OLD.declined ELSE 0 END, NEW.escalated - CASE WHEN TG_OP = 'UPDATE' THEN OLD.escalated ELSE 0 END),
    (3, NEW.span / 12, NEW.facility_id, NEW.requested - CASE WHEN TG_OP = 'UPDATE' THEN OLD.requested ELSE 0 END, NEW.accepted - CASE WHEN TG_OP = 'UPDATE' THEN OLD.accepted ELSE 0 END, NEW.in_time - CASE WHEN TG_OP = 'UPDATE' THEN OLD.in_time ELSE 0 END, NEW.concluded - CASE WHEN TG_OP = 'UPDATE' THEN OLD.concluded ELSE 0 END, NEW.treat_locally - CASE WHEN TG_OP = 'UPDATE' THEN OLD.treat_locally ELSE 0 END, NEW.transfer - CASE WHEN TG_OP = 'UPDATE' THEN OLD.transfer ELSE 0 END, NEW.more_tests - CASE WHEN TG_OP = 'UPDATE' THEN OLD.more_tests ELSE 0 END, NEW.another_consult - CASE WHEN TG_OP = 'UPDATE' THEN OLD.another_consult ELSE 0 END, NEW.cancelled - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cancelled ELSE 0 END, NEW.declined - CASE WHEN TG_OP = 'UPDATE' THEN OLD.declined ELSE 0 END, NEW.escalated - CASE WHEN TG_OP = 'UPDATE' THEN OLD.escalated ELSE 0 END)
  ON CONFLICT (grain, span, facility_id) DO UPDATE SET requested = consult_rollup_fac.requested + excluded.requested, accepted = consult_rollup_fac.accepted + excluded.accepted, in_time = consult_rollup_fac.in_time + excluded.in_time, concluded = consult_rollup_fac.concluded + excluded.concluded, treat_locally = consult_rollup_fac.treat_locally + excluded.treat_locally, transfer = consult_rollup_fac.transfer + excluded.transfer, more_tests = consult_rollup_fac.more_tests + excluded.more_tests, another_consult = consult_rollup_fac.another_consult + excluded.another_consult, cancelled = consult_rollup_fac.cancelled + excluded.cancelled, declined = consult_rollup_fac.declined + excluded.declined, escalated = consult_rollup_fac.escalated + excluded.escalated;
  RETURN NULL;
END $$;
CREATE TRIGGER consult_rollup_fac AFTER INSERT OR UPDATE OF requested, accepted, in_time, concluded, treat_locally, transfer, more_tests, another_consult, cancelled, declined, escalated ON consult_rollup
FOR EACH ROW WHEN (NEW.grain = 2) EXECUTE FUNCTION consult_rollup_fac();
-- @end
