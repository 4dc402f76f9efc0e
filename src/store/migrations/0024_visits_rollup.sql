-- ytexa 0024: the remote visits report from rollup tables (issue 19, docs/reports.md "How it is
-- computed, and its bound"). Counting a year of a province's visits on their index ranges took
-- 22-28 s on SQLite; the report now reads these three tables, each keyed by (grain, span, the
-- visit's facility, its mode, …): grain 1 is a Vietnam day (span: the day number, (ms + 7 h) / 1
-- day), grain 2 a Vietnam month (span: y * 12 + m - 1), so a year reads 12 month rows a key and a
-- week 7 day rows (src/reports/report.h, yx_report_spans). Each event adds to its day's row and its
-- month's row, in the transaction that writes it, through the triggers below: whatever writes the
-- row (the API, an import, the bench generator), the rollup follows.
--
-- visit_rollup: visits booked (created_at), started (started_at), completed, no-shows and
-- cancelled (ended_at, by state), and prescriptions signed (a prescription's signed_at, status
-- signed; a correction is a new signed row and counts again), all by the visit's facility and mode.
CREATE TABLE visit_rollup (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  mode TEXT NOT NULL,
  booked INTEGER NOT NULL DEFAULT 0,
  started INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  no_show INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  signed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, span, facility_id, mode)
);
-- visit_rollup_dx: diagnoses recorded (visit_diagnoses.created_at) by code; the report adds the
-- codes up by ICD-10 chapter in C and takes its top ten codes from here.
CREATE TABLE visit_rollup_dx (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  mode TEXT NOT NULL,
  code TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (grain, span, facility_id, mode, code)
);
-- visit_rollup_wait: the waits from booking to start of the visits started (started_at), as a
-- histogram of buckets (minutes: the bucket's first minute, yx_report_wait_bucket) and how many.
CREATE TABLE visit_rollup_wait (
  grain INTEGER NOT NULL,
  span INTEGER NOT NULL,
  facility_id INTEGER NOT NULL,
  mode TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (grain, span, facility_id, mode, minutes)
);

-- The backfill, so that an upgraded database answers as before: the days from the rows already
-- there, then the months from the days. On the bench copy (5 M visits, bench/README.md "Session
-- 14: visits") it took 2 min 47 s on SQLite (56 s of CPU, the
-- machine shared with other work); the server answers once it is done.
INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
  SELECT 1, day, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled),
         SUM(signed) FROM (
    SELECT (created_at + 25200000) / 86400000 AS day, facility_id, mode, COUNT(*) AS booked, 0 AS started,
           0 AS completed, 0 AS no_show, 0 AS cancelled, 0 AS signed
      FROM visits GROUP BY 1, 2, 3
    UNION ALL SELECT (started_at + 25200000) / 86400000, facility_id, mode, 0, COUNT(*), 0, 0, 0, 0
      FROM visits WHERE started_at IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL SELECT (ended_at + 25200000) / 86400000, facility_id, mode, 0, 0,
           SUM(CASE WHEN state = 'finished' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'no_show' THEN 1 ELSE 0 END),
           SUM(CASE WHEN state = 'cancelled' THEN 1 ELSE 0 END), 0
      FROM visits WHERE ended_at IS NOT NULL GROUP BY 1, 2, 3
    UNION ALL SELECT (s.signed_at + 25200000) / 86400000, v.facility_id, v.mode, 0, 0, 0, 0, 0, COUNT(*)
      FROM prescriptions s JOIN visits v ON v.id = s.visit_id
      WHERE s.status = 'signed' AND s.signed_at IS NOT NULL GROUP BY 1, 2, 3
  ) m GROUP BY day, facility_id, mode;
INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
  SELECT 1, (d.created_at + 25200000) / 86400000, v.facility_id, v.mode, d.code, COUNT(*)
    FROM visit_diagnoses d JOIN visits v ON v.id = d.visit_id GROUP BY 2, 3, 4, 5;
INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
  SELECT 1, day, facility_id, mode, minutes, COUNT(*) FROM (
    SELECT (started_at + 25200000) / 86400000 AS day, facility_id, mode,
           CASE WHEN (started_at - created_at) < 0 THEN 0 WHEN (started_at - created_at) < 7200000 THEN (started_at - created_at) / 60000 WHEN (started_at - created_at) < 86400000 THEN (started_at - created_at) / 600000 * 10 WHEN (started_at - created_at) < 604800000 THEN (started_at - created_at) / 3600000 * 60 ELSE (started_at - created_at) / 86400000 * 1440 END AS minutes
      FROM visits WHERE started_at IS NOT NULL
  ) w GROUP BY day, facility_id, mode, minutes;

-- The months, from the days just written (a month row is the sum of its days' rows).
-- @sqlite
INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
  SELECT 2, CAST(strftime('%Y', span * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', span * 86400, 'unixepoch') AS INTEGER) - 1, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), SUM(signed) FROM visit_rollup WHERE grain = 1
  GROUP BY 2, 3, 4;
INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
  SELECT 2, CAST(strftime('%Y', span * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', span * 86400, 'unixepoch') AS INTEGER) - 1, facility_id, mode, code, SUM(n) FROM visit_rollup_dx WHERE grain = 1
  GROUP BY 2, 3, 4, 5;
INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
  SELECT 2, CAST(strftime('%Y', span * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', span * 86400, 'unixepoch') AS INTEGER) - 1, facility_id, mode, minutes, SUM(n) FROM visit_rollup_wait WHERE grain = 1
  GROUP BY 2, 3, 4, 5;
-- @postgres
INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
  SELECT 2, CAST(extract(year FROM to_timestamp(span * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(span * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), SUM(signed) FROM visit_rollup WHERE grain = 1
  GROUP BY 2, 3, 4;
INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
  SELECT 2, CAST(extract(year FROM to_timestamp(span * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(span * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, facility_id, mode, code, SUM(n) FROM visit_rollup_dx WHERE grain = 1
  GROUP BY 2, 3, 4, 5;
INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
  SELECT 2, CAST(extract(year FROM to_timestamp(span * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(span * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, facility_id, mode, minutes, SUM(n) FROM visit_rollup_wait WHERE grain = 1
  GROUP BY 2, 3, 4, 5;
-- @end

-- The triggers. Each takes the old row's contribution out and puts the new one's in (an insert
-- only puts in, a delete only takes out), adding up by key so that a change that leaves a row's
-- key where it was writes nothing; an update fires only when a column the rollups read changed.
-- A diagnosis and a prescription count under their visit's facility and mode, as the report always
-- read them: a visit whose facility or mode changes (a planned visit rescheduled to another mode,
-- src/schedule/appointments.c) moves its signed prescriptions and diagnoses along.
-- SQLite's triggers and PostgreSQL's functions run the same statements; only the month's
-- arithmetic differs (the calendar month of the Vietnam day, from its midnight in UTC).
-- @sqlite
CREATE TRIGGER visits_rollup_insert AFTER INSERT ON visits BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), 0 FROM (
      SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(strftime('%Y', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (NEW.started_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 1, (NEW.ended_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(booked) <> 0 OR SUM(started) <> 0 OR SUM(completed) <> 0 OR SUM(no_show) <> 0 OR SUM(cancelled) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET booked = visit_rollup.booked + excluded.booked, started = visit_rollup.started + excluded.started, completed = visit_rollup.completed + excluded.completed, no_show = visit_rollup.no_show + excluded.no_show, cancelled = visit_rollup.cancelled + excluded.cancelled;
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
    SELECT grain, span, facility_id, mode, minutes, SUM(n) FROM (
      SELECT 1 AS grain, (NEW.started_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END AS minutes, 1 AS n WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END, 1 WHERE NEW.started_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, minutes HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
END;
CREATE TRIGGER visits_rollup_update AFTER UPDATE OF facility_id, mode, state, created_at, started_at, ended_at ON visits
  WHEN OLD.facility_id IS NOT NEW.facility_id OR OLD.mode IS NOT NEW.mode OR OLD.state IS NOT NEW.state OR OLD.created_at IS NOT NEW.created_at OR OLD.started_at IS NOT NEW.started_at OR OLD.ended_at IS NOT NEW.ended_at BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), 0 FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(strftime('%Y', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (OLD.started_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 1, (OLD.ended_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
      UNION ALL SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(strftime('%Y', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (NEW.started_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 1, (NEW.ended_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(booked) <> 0 OR SUM(started) <> 0 OR SUM(completed) <> 0 OR SUM(no_show) <> 0 OR SUM(cancelled) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET booked = visit_rollup.booked + excluded.booked, started = visit_rollup.started + excluded.started, completed = visit_rollup.completed + excluded.completed, no_show = visit_rollup.no_show + excluded.no_show, cancelled = visit_rollup.cancelled + excluded.cancelled;
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
    SELECT grain, span, facility_id, mode, minutes, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.started_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END AS minutes, -1 AS n WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END, -1 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 1 AS grain, (NEW.started_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END AS minutes, 1 AS n WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END, 1 WHERE NEW.started_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, minutes HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
END;
CREATE TRIGGER visits_rollup_delete AFTER DELETE ON visits BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), 0 FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(strftime('%Y', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (OLD.started_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 1, (OLD.ended_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.ended_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(booked) <> 0 OR SUM(started) <> 0 OR SUM(completed) <> 0 OR SUM(no_show) <> 0 OR SUM(cancelled) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET booked = visit_rollup.booked + excluded.booked, started = visit_rollup.started + excluded.started, completed = visit_rollup.completed + excluded.completed, no_show = visit_rollup.no_show + excluded.no_show, cancelled = visit_rollup.cancelled + excluded.cancelled;
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
    SELECT grain, span, facility_id, mode, minutes, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.started_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END AS minutes, -1 AS n WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.started_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END, -1 WHERE OLD.started_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, minutes HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
END;
CREATE TRIGGER prescriptions_rollup_insert AFTER INSERT ON prescriptions BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (NEW.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, 1 AS signed FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, 1 FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
END;
CREATE TRIGGER prescriptions_rollup_update AFTER UPDATE OF visit_id, status, signed_at ON prescriptions
  WHEN OLD.visit_id IS NOT NEW.visit_id OR OLD.status IS NOT NEW.status OR OLD.signed_at IS NOT NEW.signed_at BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (OLD.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, -1 AS signed FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, -1 FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
      UNION ALL SELECT 1 AS grain, (NEW.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, 1 AS signed FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, 1 FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
END;
CREATE TRIGGER prescriptions_rollup_delete AFTER DELETE ON prescriptions BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (OLD.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, -1 AS signed FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, -1 FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
END;
CREATE TRIGGER visit_diagnoses_rollup_insert AFTER INSERT ON visit_diagnoses BEGIN
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, NEW.code AS code, 1 AS n FROM visits v WHERE v.id = NEW.visit_id
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, NEW.code, 1 FROM visits v WHERE v.id = NEW.visit_id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
END;
CREATE TRIGGER visit_diagnoses_rollup_update AFTER UPDATE OF visit_id, code, created_at ON visit_diagnoses
  WHEN OLD.visit_id IS NOT NEW.visit_id OR OLD.code IS NOT NEW.code OR OLD.created_at IS NOT NEW.created_at BEGIN
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, OLD.code AS code, -1 AS n FROM visits v WHERE v.id = OLD.visit_id
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, OLD.code, -1 FROM visits v WHERE v.id = OLD.visit_id
      UNION ALL SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, NEW.code AS code, 1 AS n FROM visits v WHERE v.id = NEW.visit_id
      UNION ALL SELECT 2, CAST(strftime('%Y', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((NEW.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, NEW.code, 1 FROM visits v WHERE v.id = NEW.visit_id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
END;
CREATE TRIGGER visit_diagnoses_rollup_delete AFTER DELETE ON visit_diagnoses BEGIN
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, OLD.code AS code, -1 AS n FROM visits v WHERE v.id = OLD.visit_id
      UNION ALL SELECT 2, CAST(strftime('%Y', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((OLD.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, v.facility_id, v.mode, OLD.code, -1 FROM visits v WHERE v.id = OLD.visit_id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
END;
CREATE TRIGGER visits_rollup_move AFTER UPDATE OF facility_id, mode ON visits
  WHEN OLD.facility_id IS NOT NEW.facility_id OR OLD.mode IS NOT NEW.mode BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (s.signed_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS signed FROM prescriptions s WHERE s.visit_id = OLD.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((s.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((s.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, -1 FROM prescriptions s WHERE s.visit_id = OLD.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
      UNION ALL SELECT 1, (s.signed_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 1 FROM prescriptions s WHERE s.visit_id = NEW.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(strftime('%Y', ((s.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((s.signed_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, 1 FROM prescriptions s WHERE s.visit_id = NEW.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (d.created_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, d.code AS code, -1 AS n FROM visit_diagnoses d WHERE d.visit_id = OLD.id
      UNION ALL SELECT 2, CAST(strftime('%Y', ((d.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((d.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, OLD.facility_id, OLD.mode, d.code, -1 FROM visit_diagnoses d WHERE d.visit_id = OLD.id
      UNION ALL SELECT 1, (d.created_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, d.code, 1 FROM visit_diagnoses d WHERE d.visit_id = NEW.id
      UNION ALL SELECT 2, CAST(strftime('%Y', ((d.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', ((d.created_at + 25200000) / 86400000) * 86400, 'unixepoch') AS INTEGER) - 1, NEW.facility_id, NEW.mode, d.code, 1 FROM visit_diagnoses d WHERE d.visit_id = NEW.id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
END;
-- @postgres
CREATE FUNCTION visits_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
IF TG_OP = 'INSERT' THEN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), 0 FROM (
      SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(extract(year FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (NEW.started_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 1, (NEW.ended_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(booked) <> 0 OR SUM(started) <> 0 OR SUM(completed) <> 0 OR SUM(no_show) <> 0 OR SUM(cancelled) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET booked = visit_rollup.booked + excluded.booked, started = visit_rollup.started + excluded.started, completed = visit_rollup.completed + excluded.completed, no_show = visit_rollup.no_show + excluded.no_show, cancelled = visit_rollup.cancelled + excluded.cancelled;
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
    SELECT grain, span, facility_id, mode, minutes, SUM(n) FROM (
      SELECT 1 AS grain, (NEW.started_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END AS minutes, 1 AS n WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END, 1 WHERE NEW.started_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, minutes HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
ELSIF TG_OP = 'UPDATE' THEN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), 0 FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(extract(year FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (OLD.started_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 1, (OLD.ended_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
      UNION ALL SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(extract(year FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, 1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (NEW.started_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, 0, 1, 0, 0, 0 WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 1, (NEW.ended_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, 0, 0, CASE WHEN NEW.state = 'finished' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'no_show' THEN 1 ELSE 0 END, CASE WHEN NEW.state = 'cancelled' THEN 1 ELSE 0 END WHERE NEW.ended_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(booked) <> 0 OR SUM(started) <> 0 OR SUM(completed) <> 0 OR SUM(no_show) <> 0 OR SUM(cancelled) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET booked = visit_rollup.booked + excluded.booked, started = visit_rollup.started + excluded.started, completed = visit_rollup.completed + excluded.completed, no_show = visit_rollup.no_show + excluded.no_show, cancelled = visit_rollup.cancelled + excluded.cancelled;
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
    SELECT grain, span, facility_id, mode, minutes, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.started_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END AS minutes, -1 AS n WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END, -1 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 1 AS grain, (NEW.started_at + 25200000) / 86400000 AS span, NEW.facility_id AS facility_id, NEW.mode AS mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END AS minutes, 1 AS n WHERE NEW.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, CASE WHEN (NEW.started_at - NEW.created_at) < 0 THEN 0 WHEN (NEW.started_at - NEW.created_at) < 7200000 THEN (NEW.started_at - NEW.created_at) / 60000 WHEN (NEW.started_at - NEW.created_at) < 86400000 THEN (NEW.started_at - NEW.created_at) / 600000 * 10 WHEN (NEW.started_at - NEW.created_at) < 604800000 THEN (NEW.started_at - NEW.created_at) / 3600000 * 60 ELSE (NEW.started_at - NEW.created_at) / 86400000 * 1440 END, 1 WHERE NEW.started_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, minutes HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
ELSE
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, SUM(booked), SUM(started), SUM(completed), SUM(no_show), SUM(cancelled), 0 FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 2 AS grain, CAST(extract(year FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS booked, 0 AS started, 0 AS completed, 0 AS no_show, 0 AS cancelled
      UNION ALL SELECT 1, (OLD.started_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, 0, -1, 0, 0, 0 WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 1, (OLD.ended_at + 25200000) / 86400000, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.ended_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, 0, 0, CASE WHEN OLD.state = 'finished' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'no_show' THEN -1 ELSE 0 END, CASE WHEN OLD.state = 'cancelled' THEN -1 ELSE 0 END WHERE OLD.ended_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(booked) <> 0 OR SUM(started) <> 0 OR SUM(completed) <> 0 OR SUM(no_show) <> 0 OR SUM(cancelled) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET booked = visit_rollup.booked + excluded.booked, started = visit_rollup.started + excluded.started, completed = visit_rollup.completed + excluded.completed, no_show = visit_rollup.no_show + excluded.no_show, cancelled = visit_rollup.cancelled + excluded.cancelled;
  INSERT INTO visit_rollup_wait (grain, span, facility_id, mode, minutes, n)
    SELECT grain, span, facility_id, mode, minutes, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.started_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END AS minutes, -1 AS n WHERE OLD.started_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.started_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, CASE WHEN (OLD.started_at - OLD.created_at) < 0 THEN 0 WHEN (OLD.started_at - OLD.created_at) < 7200000 THEN (OLD.started_at - OLD.created_at) / 60000 WHEN (OLD.started_at - OLD.created_at) < 86400000 THEN (OLD.started_at - OLD.created_at) / 600000 * 10 WHEN (OLD.started_at - OLD.created_at) < 604800000 THEN (OLD.started_at - OLD.created_at) / 3600000 * 60 ELSE (OLD.started_at - OLD.created_at) / 86400000 * 1440 END, -1 WHERE OLD.started_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, minutes HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, minutes) DO UPDATE SET n = visit_rollup_wait.n + excluded.n;
END IF;
RETURN NULL;
END;
$$;
CREATE TRIGGER visits_rollup_insert_delete AFTER INSERT OR DELETE ON visits
  FOR EACH ROW EXECUTE FUNCTION visits_rollup();
CREATE TRIGGER visits_rollup_update AFTER UPDATE OF facility_id, mode, state, created_at, started_at, ended_at ON visits
  FOR EACH ROW WHEN (OLD.facility_id IS DISTINCT FROM NEW.facility_id OR OLD.mode IS DISTINCT FROM NEW.mode OR OLD.state IS DISTINCT FROM NEW.state OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.ended_at IS DISTINCT FROM NEW.ended_at) EXECUTE FUNCTION visits_rollup();
CREATE FUNCTION prescriptions_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
IF TG_OP = 'INSERT' THEN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (NEW.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, 1 AS signed FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, 1 FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
ELSIF TG_OP = 'UPDATE' THEN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (OLD.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, -1 AS signed FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, -1 FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
      UNION ALL SELECT 1 AS grain, (NEW.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, 1 AS signed FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, 1 FROM visits v WHERE v.id = NEW.visit_id AND NEW.status = 'signed' AND NEW.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
ELSE
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (OLD.signed_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, -1 AS signed FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, -1 FROM visits v WHERE v.id = OLD.visit_id AND OLD.status = 'signed' AND OLD.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
END IF;
RETURN NULL;
END;
$$;
CREATE TRIGGER prescriptions_rollup_insert_delete AFTER INSERT OR DELETE ON prescriptions
  FOR EACH ROW EXECUTE FUNCTION prescriptions_rollup();
CREATE TRIGGER prescriptions_rollup_update AFTER UPDATE OF visit_id, status, signed_at ON prescriptions
  FOR EACH ROW WHEN (OLD.visit_id IS DISTINCT FROM NEW.visit_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.signed_at IS DISTINCT FROM NEW.signed_at) EXECUTE FUNCTION prescriptions_rollup();
CREATE FUNCTION visit_diagnoses_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
IF TG_OP = 'INSERT' THEN
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, NEW.code AS code, 1 AS n FROM visits v WHERE v.id = NEW.visit_id
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, NEW.code, 1 FROM visits v WHERE v.id = NEW.visit_id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
ELSIF TG_OP = 'UPDATE' THEN
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, OLD.code AS code, -1 AS n FROM visits v WHERE v.id = OLD.visit_id
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, OLD.code, -1 FROM visits v WHERE v.id = OLD.visit_id
      UNION ALL SELECT 1 AS grain, (NEW.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, NEW.code AS code, 1 AS n FROM visits v WHERE v.id = NEW.visit_id
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((NEW.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, NEW.code, 1 FROM visits v WHERE v.id = NEW.visit_id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
ELSE
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (OLD.created_at + 25200000) / 86400000 AS span, v.facility_id AS facility_id, v.mode AS mode, OLD.code AS code, -1 AS n FROM visits v WHERE v.id = OLD.visit_id
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((OLD.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, v.facility_id, v.mode, OLD.code, -1 FROM visits v WHERE v.id = OLD.visit_id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
END IF;
RETURN NULL;
END;
$$;
CREATE TRIGGER visit_diagnoses_rollup_insert_delete AFTER INSERT OR DELETE ON visit_diagnoses
  FOR EACH ROW EXECUTE FUNCTION visit_diagnoses_rollup();
CREATE TRIGGER visit_diagnoses_rollup_update AFTER UPDATE OF visit_id, code, created_at ON visit_diagnoses
  FOR EACH ROW WHEN (OLD.visit_id IS DISTINCT FROM NEW.visit_id OR OLD.code IS DISTINCT FROM NEW.code OR OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION visit_diagnoses_rollup();
CREATE FUNCTION visits_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO visit_rollup (grain, span, facility_id, mode, booked, started, completed, no_show, cancelled, signed)
    SELECT grain, span, facility_id, mode, 0, 0, 0, 0, 0, SUM(signed) FROM (
      SELECT 1 AS grain, (s.signed_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, -1 AS signed FROM prescriptions s WHERE s.visit_id = OLD.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((s.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((s.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, -1 FROM prescriptions s WHERE s.visit_id = OLD.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
      UNION ALL SELECT 1, (s.signed_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, 1 FROM prescriptions s WHERE s.visit_id = NEW.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((s.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((s.signed_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, 1 FROM prescriptions s WHERE s.visit_id = NEW.id AND s.status = 'signed' AND s.signed_at IS NOT NULL
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode HAVING SUM(signed) <> 0
    ON CONFLICT (grain, span, facility_id, mode) DO UPDATE SET signed = visit_rollup.signed + excluded.signed;
  INSERT INTO visit_rollup_dx (grain, span, facility_id, mode, code, n)
    SELECT grain, span, facility_id, mode, code, SUM(n) FROM (
      SELECT 1 AS grain, (d.created_at + 25200000) / 86400000 AS span, OLD.facility_id AS facility_id, OLD.mode AS mode, d.code AS code, -1 AS n FROM visit_diagnoses d WHERE d.visit_id = OLD.id
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((d.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((d.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, OLD.facility_id, OLD.mode, d.code, -1 FROM visit_diagnoses d WHERE d.visit_id = OLD.id
      UNION ALL SELECT 1, (d.created_at + 25200000) / 86400000, NEW.facility_id, NEW.mode, d.code, 1 FROM visit_diagnoses d WHERE d.visit_id = NEW.id
      UNION ALL SELECT 2, CAST(extract(year FROM to_timestamp(((d.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) * 12 + CAST(extract(month FROM to_timestamp(((d.created_at + 25200000) / 86400000) * 86400) AT TIME ZONE 'UTC') AS BIGINT) - 1, NEW.facility_id, NEW.mode, d.code, 1 FROM visit_diagnoses d WHERE d.visit_id = NEW.id
    ) m WHERE true
    GROUP BY grain, span, facility_id, mode, code HAVING SUM(n) <> 0
    ON CONFLICT (grain, span, facility_id, mode, code) DO UPDATE SET n = visit_rollup_dx.n + excluded.n;
RETURN NULL;
END;
$$;
CREATE TRIGGER visits_rollup_move AFTER UPDATE OF facility_id, mode ON visits
  FOR EACH ROW WHEN (OLD.facility_id IS DISTINCT FROM NEW.facility_id OR OLD.mode IS DISTINCT FROM NEW.mode) EXECUTE FUNCTION visits_rollup_move();
-- @end

-- The indexes of migration 0021 served only the visits report's live ranges, which it no longer
-- reads (the hub's visits use visits_doctor_facility_started, the sites report visits(facility_id,
-- started_at), reach visits_patient_started): dropped, so that a visit's write keeps the three
-- rollup rows up to date instead of three index entries nobody reads.
DROP INDEX visits_created;
DROP INDEX visits_started;
DROP INDEX visits_ended;
DROP INDEX prescriptions_signed;
DROP INDEX visit_diagnoses_created;
