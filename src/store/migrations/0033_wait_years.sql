-- ytexa 0033: the per-facility wait histograms of the visits and consultations reports (0024,
-- 0025) also by calendar year (grain 3, span the year), so that a year by facility reads a year's
-- row a bucket instead of twelve months' (docs/reports.md, "How it is computed, and its bound": a
-- year by facility of visits read 1.25 M month rows, 1.2–1.9 s). The year rows follow the month
-- rows: whatever adds to a month row (the triggers of 0024/0025, in the write's transaction) adds
-- the same to its year's row, through a trigger on the histogram itself; month rows are only ever
-- inserted or have n changed (never deleted or re-keyed), so following n is enough.
INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
SELECT 3, span / 12, facility_id, mode, minutes, SUM(n) FROM visit_rollup_wait WHERE grain = 2
GROUP BY span / 12, facility_id, mode, minutes;
INSERT INTO consult_waits (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes, n)
SELECT 3, span / 12, facility_id, hub_level, urgency, specialty, kind, what, minutes, SUM(n) FROM consult_waits
WHERE grain = 2 GROUP BY span / 12, facility_id, hub_level, urgency, specialty, kind, what, minutes;
-- @sqlite
CREATE TRIGGER visit_rollup_wait_year_insert AFTER INSERT ON visit_rollup_wait WHEN NEW.grain = 2 BEGIN
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
  VALUES (3, NEW.span / 12, NEW.facility_id, NEW.mode, NEW.minutes, NEW.n)
  ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
END;
CREATE TRIGGER visit_rollup_wait_year_update AFTER UPDATE OF n ON visit_rollup_wait WHEN NEW.grain = 2 BEGIN
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
  VALUES (3, NEW.span / 12, NEW.facility_id, NEW.mode, NEW.minutes, NEW.n - OLD.n)
  ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
END;
CREATE TRIGGER consult_waits_year_insert AFTER INSERT ON consult_waits WHEN NEW.grain = 2 BEGIN
  INSERT INTO consult_waits (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes, n)
  VALUES (3, NEW.span / 12, NEW.facility_id, NEW.hub_level, NEW.urgency, NEW.specialty, NEW.kind, NEW.what,
    NEW.minutes, NEW.n)
  ON CONFLICT (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes)
  DO UPDATE SET n = consult_waits.n + excluded.n;
END;
CREATE TRIGGER consult_waits_year_update AFTER UPDATE OF n ON consult_waits WHEN NEW.grain = 2 BEGIN
  INSERT INTO consult_waits (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes, n)
  VALUES (3, NEW.span / 12, NEW.facility_id, NEW.hub_level, NEW.urgency, NEW.specialty, NEW.kind, NEW.what,
    NEW.minutes, NEW.n - OLD.n)
  ON CONFLICT (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes)
  DO UPDATE SET n = consult_waits.n + excluded.n;
END;
-- @postgres
CREATE FUNCTION visit_rollup_wait_year() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
  VALUES (3, NEW.span / 12, NEW.facility_id, NEW.mode, NEW.minutes,
    NEW.n - CASE WHEN TG_OP = 'UPDATE' THEN OLD.n ELSE 0 END)
  ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER visit_rollup_wait_year AFTER INSERT OR UPDATE OF n ON visit_rollup_wait
FOR EACH ROW WHEN (NEW.grain = 2) EXECUTE FUNCTION visit_rollup_wait_year();
CREATE FUNCTION consult_waits_year() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO consult_waits (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes, n)
  VALUES (3, NEW.span / 12, NEW.facility_id, NEW.hub_level, NEW.urgency, NEW.specialty, NEW.kind, NEW.what,
    NEW.minutes, NEW.n - CASE WHEN TG_OP = 'UPDATE' THEN OLD.n ELSE 0 END)
  ON CONFLICT (grain, span, facility_id, hub_level, urgency, specialty, kind, what, minutes)
  DO UPDATE SET n = consult_waits.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER consult_waits_year AFTER INSERT OR UPDATE OF n ON consult_waits
FOR EACH ROW WHEN (NEW.grain = 2) EXECUTE FUNCTION consult_waits_year();
-- @end
