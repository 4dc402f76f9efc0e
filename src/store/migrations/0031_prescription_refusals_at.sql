-- ytexa 0031: the visits report reads the Circular 30 refusals of a period (docs/reports.md,
-- "Refused prescriptions") by when they were refused. Without an index on refused_at SQLite walked
-- every facility's visits to find the period's refusals: 0.45 s a request at province scale (5 M
-- visits) although the bench holds no refusal (bench/README.md, "Session 14: all five reports").
CREATE INDEX prescription_refusals_at ON prescription_refusals(refused_at, visit_id);
