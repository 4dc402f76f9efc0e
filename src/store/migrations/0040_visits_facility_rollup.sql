-- ytexa 0040: the reports by facility on PostgreSQL, toward issue 19's 300 ms (session 16;
-- docs/reports.md, "How it is computed, and its bound"; bench/README.md, "Session 16: reports by
-- facility on PostgreSQL"). Measured there (1.3 M patients, EXPLAIN ANALYZE): a year of visits by
-- facility summed 48 k visit_rollup month rows (one a facility and mode) into 4 k, then again into
-- 1 k facilities, thirty figures each, and its waits read 124 k rows of visit_waits_fac through a
-- bitmap of the heap (19 k pages, the rows of a span scattered by the triggers' updates); a month
-- cost nearly as much (4 k counts rows, 61 k wait rows).
--
-- visit_rollup_fac keeps visit_rollup's figures by the facility alone (no mode) by month (grain 2),
-- calendar quarter (grain 4, span y * 4 + q - 1) and calendar year (grain 3, span y), as 0034 keeps
-- consult_rollup_fac: from visit_rollup's month rows, by a trigger that adds each change of a figure
-- (NEW - OLD) to the month's, quarter's and year's row. Month rows of visit_rollup are only ever
-- inserted or have their figures changed (never deleted or re-keyed), so the three stay the sums of
-- the month rows. A year by facility then reads 1 k rows, a month 1 k. Read by
-- yx_report_facility_alone()'s requests (no grouping, by=facility, by=province; whole months).
CREATE TABLE visit_rollup_fac (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  booked INTEGER NOT NULL DEFAULT 0,
  started INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  no_show INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  signed INTEGER NOT NULL DEFAULT 0,
  diagnoses INTEGER NOT NULL DEFAULT 0,
  ch01 INTEGER NOT NULL DEFAULT 0,
  ch02 INTEGER NOT NULL DEFAULT 0,
  ch03 INTEGER NOT NULL DEFAULT 0,
  ch04 INTEGER NOT NULL DEFAULT 0,
  ch05 INTEGER NOT NULL DEFAULT 0,
  ch06 INTEGER NOT NULL DEFAULT 0,
  ch07 INTEGER NOT NULL DEFAULT 0,
  ch08 INTEGER NOT NULL DEFAULT 0,
  ch09 INTEGER NOT NULL DEFAULT 0,
  ch10 INTEGER NOT NULL DEFAULT 0,
  ch11 INTEGER NOT NULL DEFAULT 0,
  ch12 INTEGER NOT NULL DEFAULT 0,
  ch13 INTEGER NOT NULL DEFAULT 0,
  ch14 INTEGER NOT NULL DEFAULT 0,
  ch15 INTEGER NOT NULL DEFAULT 0,
  ch16 INTEGER NOT NULL DEFAULT 0,
  ch17 INTEGER NOT NULL DEFAULT 0,
  ch18 INTEGER NOT NULL DEFAULT 0,
  ch19 INTEGER NOT NULL DEFAULT 0,
  ch20 INTEGER NOT NULL DEFAULT 0,
  ch21 INTEGER NOT NULL DEFAULT 0,
  ch22 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, span, facility_id)
);
-- The backfill from the month rows already there (99 k of the bench copy's 2.4 M visit_rollup rows):
-- 1.3 s on SQLite (/work/rb-fast), 5.8 s on PostgreSQL (/work/peer/pgy), on the shared machine
-- under load (bench/README.md, "Session 16: reports by facility on PostgreSQL").
INSERT INTO visit_rollup_fac (grain, span, facility_id, booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22)
SELECT g.grain, CASE g.grain WHEN 2 THEN t.span WHEN 4 THEN t.span / 3 ELSE t.span / 12 END, t.facility_id,
  SUM(t.booked), SUM(t.started), SUM(t.completed), SUM(t.no_show), SUM(t.cancelled), SUM(t.signed), SUM(t.diagnoses), SUM(t.ch01), SUM(t.ch02), SUM(t.ch03), SUM(t.ch04), SUM(t.ch05), SUM(t.ch06), SUM(t.ch07), SUM(t.ch08), SUM(t.ch09), SUM(t.ch10), SUM(t.ch11), SUM(t.ch12), SUM(t.ch13), SUM(t.ch14), SUM(t.ch15), SUM(t.ch16), SUM(t.ch17), SUM(t.ch18), SUM(t.ch19), SUM(t.ch20), SUM(t.ch21), SUM(t.ch22)
FROM visit_rollup t CROSS JOIN (SELECT 2 AS grain UNION ALL SELECT 4 UNION ALL SELECT 3) g
WHERE t.grain = 2 GROUP BY 1, 2, 3;
-- The wait histograms by facility alone are read a span at a time, each of its rows for its n: with
-- n in an index of the key, both engines read the span from the index alone (PostgreSQL an
-- index-only scan, once the visibility map is set; SQLite a covering index) instead of fetching
-- each row from the table. The reports ask for each span as its own range (a UNION ALL,
-- YX_REPORT_QUARTERS_FROM), which PostgreSQL serves from the index where an OR of the ranges made
-- it a bitmap of heap pages. It costs one more index entry on each change of a bucket's count.
-- On the bench copies (2.6 M and 1.1 M rows) the two indexes took 4.0 s and 2.1 s on SQLite, 15 s
-- and 8.6 s on PostgreSQL (load 12), each holding off writes to its table meanwhile.
CREATE INDEX visit_waits_fac_n ON visit_waits_fac (grain, span, facility_id, minutes, n);
CREATE INDEX consult_waits_fac_n ON consult_waits_fac (grain, span, facility_id, what, minutes, n);
-- @sqlite
CREATE TRIGGER visit_rollup_fac_insert AFTER INSERT ON visit_rollup WHEN NEW.grain = 2 BEGIN
  INSERT INTO visit_rollup_fac (grain, span, facility_id, booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22)
  VALUES (2, NEW.span, NEW.facility_id, NEW.booked, NEW.started, NEW.completed, NEW.no_show, NEW.cancelled, NEW.signed, NEW.diagnoses, NEW.ch01, NEW.ch02, NEW.ch03, NEW.ch04, NEW.ch05, NEW.ch06, NEW.ch07, NEW.ch08, NEW.ch09, NEW.ch10, NEW.ch11, NEW.ch12, NEW.ch13, NEW.ch14, NEW.ch15, NEW.ch16, NEW.ch17, NEW.ch18, NEW.ch19, NEW.ch20, NEW.ch21, NEW.ch22),
    (4, NEW.span / 3, NEW.facility_id, NEW.booked, NEW.started, NEW.completed, NEW.no_show, NEW.cancelled, NEW.signed, NEW.diagnoses, NEW.ch01, NEW.ch02, NEW.ch03, NEW.ch04, NEW.ch05, NEW.ch06, NEW.ch07, NEW.ch08, NEW.ch09, NEW.ch10, NEW.ch11, NEW.ch12, NEW.ch13, NEW.ch14, NEW.ch15, NEW.ch16, NEW.ch17, NEW.ch18, NEW.ch19, NEW.ch20, NEW.ch21, NEW.ch22),
    (3, NEW.span / 12, NEW.facility_id, NEW.booked, NEW.started, NEW.completed, NEW.no_show, NEW.cancelled, NEW.signed, NEW.diagnoses, NEW.ch01, NEW.ch02, NEW.ch03, NEW.ch04, NEW.ch05, NEW.ch06, NEW.ch07, NEW.ch08, NEW.ch09, NEW.ch10, NEW.ch11, NEW.ch12, NEW.ch13, NEW.ch14, NEW.ch15, NEW.ch16, NEW.ch17, NEW.ch18, NEW.ch19, NEW.ch20, NEW.ch21, NEW.ch22)
  ON CONFLICT (grain, span, facility_id) DO UPDATE SET booked = visit_rollup_fac.booked + excluded.booked, started = visit_rollup_fac.started + excluded.started, completed = visit_rollup_fac.completed + excluded.completed, no_show = visit_rollup_fac.no_show + excluded.no_show, cancelled = visit_rollup_fac.cancelled + excluded.cancelled, signed = visit_rollup_fac.signed + excluded.signed, diagnoses = visit_rollup_fac.diagnoses + excluded.diagnoses, ch01 = visit_rollup_fac.ch01 + excluded.ch01, ch02 = visit_rollup_fac.ch02 + excluded.ch02, ch03 = visit_rollup_fac.ch03 + excluded.ch03, ch04 = visit_rollup_fac.ch04 + excluded.ch04, ch05 = visit_rollup_fac.ch05 + excluded.ch05, ch06 = visit_rollup_fac.ch06 + excluded.ch06, ch07 = visit_rollup_fac.ch07 + excluded.ch07, ch08 = visit_rollup_fac.ch08 + excluded.ch08, ch09 = visit_rollup_fac.ch09 + excluded.ch09, ch10 = visit_rollup_fac.ch10 + excluded.ch10, ch11 = visit_rollup_fac.ch11 + excluded.ch11, ch12 = visit_rollup_fac.ch12 + excluded.ch12, ch13 = visit_rollup_fac.ch13 + excluded.ch13, ch14 = visit_rollup_fac.ch14 + excluded.ch14, ch15 = visit_rollup_fac.ch15 + excluded.ch15, ch16 = visit_rollup_fac.ch16 + excluded.ch16, ch17 = visit_rollup_fac.ch17 + excluded.ch17, ch18 = visit_rollup_fac.ch18 + excluded.ch18, ch19 = visit_rollup_fac.ch19 + excluded.ch19, ch20 = visit_rollup_fac.ch20 + excluded.ch20, ch21 = visit_rollup_fac.ch21 + excluded.ch21, ch22 = visit_rollup_fac.ch22 + excluded.ch22;
END;
CREATE TRIGGER visit_rollup_fac_update AFTER UPDATE OF booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22 ON visit_rollup
WHEN NEW.grain = 2 BEGIN
  INSERT INTO visit_rollup_fac (grain, span, facility_id, booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22)
  VALUES (2, NEW.span, NEW.facility_id, NEW.booked - OLD.booked, NEW.started - OLD.started, NEW.completed - OLD.completed, NEW.no_show - OLD.no_show, NEW.cancelled - OLD.cancelled, NEW.signed - OLD.signed, NEW.diagnoses - OLD.diagnoses, NEW.ch01 - OLD.ch01, NEW.ch02 - OLD.ch02, NEW.ch03 - OLD.ch03, NEW.ch04 - OLD.ch04, NEW.ch05 - OLD.ch05, NEW.ch06 - OLD.ch06, NEW.ch07 - OLD.ch07, NEW.ch08 - OLD.ch08, NEW.ch09 - OLD.ch09, NEW.ch10 - OLD.ch10, NEW.ch11 - OLD.ch11, NEW.ch12 - OLD.ch12, NEW.ch13 - OLD.ch13, NEW.ch14 - OLD.ch14, NEW.ch15 - OLD.ch15, NEW.ch16 - OLD.ch16, NEW.ch17 - OLD.ch17, NEW.ch18 - OLD.ch18, NEW.ch19 - OLD.ch19, NEW.ch20 - OLD.ch20, NEW.ch21 - OLD.ch21, NEW.ch22 - OLD.ch22),
    (4, NEW.span / 3, NEW.facility_id, NEW.booked - OLD.booked, NEW.started - OLD.started, NEW.completed - OLD.completed, NEW.no_show - OLD.no_show, NEW.cancelled - OLD.cancelled, NEW.signed - OLD.signed, NEW.diagnoses - OLD.diagnoses, NEW.ch01 - OLD.ch01, NEW.ch02 - OLD.ch02, NEW.ch03 - OLD.ch03, NEW.ch04 - OLD.ch04, NEW.ch05 - OLD.ch05, NEW.ch06 - OLD.ch06, NEW.ch07 - OLD.ch07, NEW.ch08 - OLD.ch08, NEW.ch09 - OLD.ch09, NEW.ch10 - OLD.ch10, NEW.ch11 - OLD.ch11, NEW.ch12 - OLD.ch12, NEW.ch13 - OLD.ch13, NEW.ch14 - OLD.ch14, NEW.ch15 - OLD.ch15, NEW.ch16 - OLD.ch16, NEW.ch17 - OLD.ch17, NEW.ch18 - OLD.ch18, NEW.ch19 - OLD.ch19, NEW.ch20 - OLD.ch20, NEW.ch21 - OLD.ch21, NEW.ch22 - OLD.ch22),
    (3, NEW.span / 12, NEW.facility_id, NEW.booked - OLD.booked, NEW.started - OLD.started, NEW.completed - OLD.completed, NEW.no_show - OLD.no_show, NEW.cancelled - OLD.cancelled, NEW.signed - OLD.signed, NEW.diagnoses - OLD.diagnoses, NEW.ch01 - OLD.ch01, NEW.ch02 - OLD.ch02, NEW.ch03 - OLD.ch03, NEW.ch04 - OLD.ch04, NEW.ch05 - OLD.ch05, NEW.ch06 - OLD.ch06, NEW.ch07 - OLD.ch07, NEW.ch08 - OLD.ch08, NEW.ch09 - OLD.ch09, NEW.ch10 - OLD.ch10, NEW.ch11 - OLD.ch11, NEW.ch12 - OLD.ch12, NEW.ch13 - OLD.ch13, NEW.ch14 - OLD.ch14, NEW.ch15 - OLD.ch15, NEW.ch16 - OLD.ch16, NEW.ch17 - OLD.ch17, NEW.ch18 - OLD.ch18, NEW.ch19 - OLD.ch19, NEW.ch20 - OLD.ch20, NEW.ch21 - OLD.ch21, NEW.ch22 - OLD.ch22)
  ON CONFLICT (grain, span, facility_id) DO UPDATE SET booked = visit_rollup_fac.booked + excluded.booked, started = visit_rollup_fac.started + excluded.started, completed = visit_rollup_fac.completed + excluded.completed, no_show = visit_rollup_fac.no_show + excluded.no_show, cancelled = visit_rollup_fac.cancelled + excluded.cancelled, signed = visit_rollup_fac.signed + excluded.signed, diagnoses = visit_rollup_fac.diagnoses + excluded.diagnoses, ch01 = visit_rollup_fac.ch01 + excluded.ch01, ch02 = visit_rollup_fac.ch02 + excluded.ch02, ch03 = visit_rollup_fac.ch03 + excluded.ch03, ch04 = visit_rollup_fac.ch04 + excluded.ch04, ch05 = visit_rollup_fac.ch05 + excluded.ch05, ch06 = visit_rollup_fac.ch06 + excluded.ch06, ch07 = visit_rollup_fac.ch07 + excluded.ch07, ch08 = visit_rollup_fac.ch08 + excluded.ch08, ch09 = visit_rollup_fac.ch09 + excluded.ch09, ch10 = visit_rollup_fac.ch10 + excluded.ch10, ch11 = visit_rollup_fac.ch11 + excluded.ch11, ch12 = visit_rollup_fac.ch12 + excluded.ch12, ch13 = visit_rollup_fac.ch13 + excluded.ch13, ch14 = visit_rollup_fac.ch14 + excluded.ch14, ch15 = visit_rollup_fac.ch15 + excluded.ch15, ch16 = visit_rollup_fac.ch16 + excluded.ch16, ch17 = visit_rollup_fac.ch17 + excluded.ch17, ch18 = visit_rollup_fac.ch18 + excluded.ch18, ch19 = visit_rollup_fac.ch19 + excluded.ch19, ch20 = visit_rollup_fac.ch20 + excluded.ch20, ch21 = visit_rollup_fac.ch21 + excluded.ch21, ch22 = visit_rollup_fac.ch22 + excluded.ch22;
END;
-- @postgres
-- The planner's estimate of a span's rows multiplies the selectivities of grain and span as if they
-- were independent, when a span's number says its grain (a year 2026, a month 24 322): it estimated
-- a tenth of the rows and chose sorts and hashes that spill to disk. Statistics on the pair correct it.
CREATE STATISTICS visit_rollup_grain_span (dependencies, mcv) ON grain, span FROM visit_rollup;
CREATE STATISTICS visit_rollup_fac_grain_span (dependencies, mcv) ON grain, span FROM visit_rollup_fac;
CREATE STATISTICS visit_waits_fac_grain_span (dependencies, mcv) ON grain, span FROM visit_waits_fac;
CREATE STATISTICS consult_waits_fac_grain_span (dependencies, mcv) ON grain, span FROM consult_waits_fac;
CREATE STATISTICS consult_rollup_fac_grain_span (dependencies, mcv) ON grain, span FROM consult_rollup_fac;
-- Gathered now rather than at autovacuum's next pass, so that the first reports are planned with them.
ANALYZE visit_rollup, visit_rollup_fac, visit_waits_fac, consult_waits_fac, consult_rollup_fac;
-- An index-only scan reads the table's page after all for a row on a page the visibility map does not
-- mark all-visible, and a change of n is no longer a HOT update: each visit started rewrites three
-- rows of visit_waits_fac (its month, quarter and year), the current ones. Autovacuum waits by
-- default for a fifth of a table's rows to be dead (500 k of visit_waits_fac's 2.6 M at the bench's
-- scale, weeks of visits); at 1 % it passes about daily and keeps the current period's pages visible.
ALTER TABLE visit_waits_fac SET (autovacuum_vacuum_scale_factor = 0.01);
ALTER TABLE consult_waits_fac SET (autovacuum_vacuum_scale_factor = 0.01);
CREATE FUNCTION visit_rollup_fac() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO visit_rollup_fac (grain, span, facility_id, booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22)
  VALUES (2, NEW.span, NEW.facility_id, NEW.booked - CASE WHEN TG_OP = 'UPDATE' THEN OLD.booked ELSE 0 END, NEW.started - CASE WHEN TG_OP = 'UPDATE' THEN OLD.started ELSE 0 END, NEW.completed - CASE WHEN TG_OP = 'UPDATE' THEN OLD.completed ELSE 0 END, NEW.no_show - CASE WHEN TG_OP = 'UPDATE' THEN OLD.no_show ELSE 0 END, NEW.cancelled - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cancelled ELSE 0 END, NEW.signed - CASE WHEN TG_OP = 'UPDATE' THEN OLD.signed ELSE 0 END, NEW.diagnoses - CASE WHEN TG_OP = 'UPDATE' THEN OLD.diagnoses ELSE 0 END, NEW.ch01 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch01 ELSE 0 END, NEW.ch02 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch02 ELSE 0 END, NEW.ch03 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch03 ELSE 0 END, NEW.ch04 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch04 ELSE 0 END, NEW.ch05 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch05 ELSE 0 END, NEW.ch06 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch06 ELSE 0 END, NEW.ch07 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch07 ELSE 0 END, NEW.ch08 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch08 ELSE 0 END, NEW.ch09 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch09 ELSE 0 END, NEW.ch10 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch10 ELSE 0 END, NEW.ch11 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch11 ELSE 0 END, NEW.ch12 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch12 ELSE 0 END, NEW.ch13 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch13 ELSE 0 END, NEW.ch14 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch14 ELSE 0 END, NEW.ch15 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch15 ELSE 0 END, NEW.ch16 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch16 ELSE 0 END, NEW.ch17 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch17 ELSE 0 END, NEW.ch18 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch18 ELSE 0 END, NEW.ch19 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch19 ELSE 0 END, NEW.ch20 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch20 ELSE 0 END, NEW.ch21 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch21 ELSE 0 END, NEW.ch22 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch22 ELSE 0 END),
    (4, NEW.span / 3, NEW.facility_id, NEW.booked - CASE WHEN TG_OP = 'UPDATE' THEN OLD.booked ELSE 0 END, NEW.started - CASE WHEN TG_OP = 'UPDATE' THEN OLD.started ELSE 0 END, NEW.completed - CASE WHEN TG_OP = 'UPDATE' THEN OLD.completed ELSE 0 END, NEW.no_show - CASE WHEN TG_OP = 'UPDATE' THEN OLD.no_show ELSE 0 END, NEW.cancelled - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cancelled ELSE 0 END, NEW.signed - CASE WHEN TG_OP = 'UPDATE' THEN OLD.signed ELSE 0 END, NEW.diagnoses - CASE WHEN TG_OP = 'UPDATE' THEN OLD.diagnoses ELSE 0 END, NEW.ch01 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch01 ELSE 0 END, NEW.ch02 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch02 ELSE 0 END, NEW.ch03 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch03 ELSE 0 END, NEW.ch04 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch04 ELSE 0 END, NEW.ch05 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch05 ELSE 0 END, NEW.ch06 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch06 ELSE 0 END, NEW.ch07 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch07 ELSE 0 END, NEW.ch08 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch08 ELSE 0 END, NEW.ch09 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch09 ELSE 0 END, NEW.ch10 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch10 ELSE 0 END, NEW.ch11 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch11 ELSE 0 END, NEW.ch12 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch12 ELSE 0 END, NEW.ch13 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch13 ELSE 0 END, NEW.ch14 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch14 ELSE 0 END, NEW.ch15 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch15 ELSE 0 END, NEW.ch16 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch16 ELSE 0 END, NEW.ch17 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch17 ELSE 0 END, NEW.ch18 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch18 ELSE 0 END, NEW.ch19 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch19 ELSE 0 END, NEW.ch20 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch20 ELSE 0 END, NEW.ch21 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch21 ELSE 0 END, NEW.ch22 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch22 ELSE 0 END),
    (3, NEW.span / 12, NEW.facility_id, NEW.booked - CASE WHEN TG_OP = 'UPDATE' THEN OLD.booked ELSE 0 END, NEW.started - CASE WHEN TG_OP = 'UPDATE' THEN OLD.started ELSE 0 END, NEW.completed - CASE WHEN TG_OP = 'UPDATE' THEN OLD.completed ELSE 0 END, NEW.no_show - CASE WHEN TG_OP = 'UPDATE' THEN OLD.no_show ELSE 0 END, NEW.cancelled - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cancelled ELSE 0 END, NEW.signed - CASE WHEN TG_OP = 'UPDATE' THEN OLD.signed ELSE 0 END, NEW.diagnoses - CASE WHEN TG_OP = 'UPDATE' THEN OLD.diagnoses ELSE 0 END, NEW.ch01 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch01 ELSE 0 END, NEW.ch02 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch02 ELSE 0 END, NEW.ch03 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch03 ELSE 0 END, NEW.ch04 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch04 ELSE 0 END, NEW.ch05 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch05 ELSE 0 END, NEW.ch06 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch06 ELSE 0 END, NEW.ch07 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch07 ELSE 0 END, NEW.ch08 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch08 ELSE 0 END, NEW.ch09 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch09 ELSE 0 END, NEW.ch10 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch10 ELSE 0 END, NEW.ch11 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch11 ELSE 0 END, NEW.ch12 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch12 ELSE 0 END, NEW.ch13 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch13 ELSE 0 END, NEW.ch14 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch14 ELSE 0 END, NEW.ch15 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch15 ELSE 0 END, NEW.ch16 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch16 ELSE 0 END, NEW.ch17 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch17 ELSE 0 END, NEW.ch18 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch18 ELSE 0 END, NEW.ch19 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch19 ELSE 0 END, NEW.ch20 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch20 ELSE 0 END, NEW.ch21 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch21 ELSE 0 END, NEW.ch22 - CASE WHEN TG_OP = 'UPDATE' THEN OLD.ch22 ELSE 0 END)
  ON CONFLICT (grain, span, facility_id) DO UPDATE SET booked = visit_rollup_fac.booked + excluded.booked, started = visit_rollup_fac.started + excluded.started, completed = visit_rollup_fac.completed + excluded.completed, no_show = visit_rollup_fac.no_show + excluded.no_show, cancelled = visit_rollup_fac.cancelled + excluded.cancelled, signed = visit_rollup_fac.signed + excluded.signed, diagnoses = visit_rollup_fac.diagnoses + excluded.diagnoses, ch01 = visit_rollup_fac.ch01 + excluded.ch01, ch02 = visit_rollup_fac.ch02 + excluded.ch02, ch03 = visit_rollup_fac.ch03 + excluded.ch03, ch04 = visit_rollup_fac.ch04 + excluded.ch04, ch05 = visit_rollup_fac.ch05 + excluded.ch05, ch06 = visit_rollup_fac.ch06 + excluded.ch06, ch07 = visit_rollup_fac.ch07 + excluded.ch07, ch08 = visit_rollup_fac.ch08 + excluded.ch08, ch09 = visit_rollup_fac.ch09 + excluded.ch09, ch10 = visit_rollup_fac.ch10 + excluded.ch10, ch11 = visit_rollup_fac.ch11 + excluded.ch11, ch12 = visit_rollup_fac.ch12 + excluded.ch12, ch13 = visit_rollup_fac.ch13 + excluded.ch13, ch14 = visit_rollup_fac.ch14 + excluded.ch14, ch15 = visit_rollup_fac.ch15 + excluded.ch15, ch16 = visit_rollup_fac.ch16 + excluded.ch16, ch17 = visit_rollup_fac.ch17 + excluded.ch17, ch18 = visit_rollup_fac.ch18 + excluded.ch18, ch19 = visit_rollup_fac.ch19 + excluded.ch19, ch20 = visit_rollup_fac.ch20 + excluded.ch20, ch21 = visit_rollup_fac.ch21 + excluded.ch21, ch22 = visit_rollup_fac.ch22 + excluded.ch22;
  RETURN NULL;
END $$;
CREATE TRIGGER visit_rollup_fac AFTER INSERT OR UPDATE OF booked, started, completed, no_show, cancelled, signed, diagnoses, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13, ch14, ch15, ch16, ch17, ch18, ch19, ch20, ch21, ch22 ON visit_rollup
FOR EACH ROW WHEN (NEW.grain = 2) EXECUTE FUNCTION visit_rollup_fac();
-- @end
