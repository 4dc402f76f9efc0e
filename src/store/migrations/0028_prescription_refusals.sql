-- ytexa 0028: prescriptions refused because the visit's primary diagnosis is not on Circular 30's
-- list of conditions treatable remotely (not_remote_treatable, 409), kept although the request
-- writes nothing else (yx_keep_on_failure), so that the visits report can show the share refused
-- (issue 19, "Remote visits"; docs/reports.md "Refused prescriptions"). One row a visit, code and
-- diagnosis: a doctor who tries again on the same visit and diagnosis is one refusal, not several;
-- refused_at is the first attempt. The report reads the period's rows by refused_at.
CREATE TABLE prescription_refusals (
  id INTEGER PRIMARY KEY,
  visit_id INTEGER NOT NULL REFERENCES visits(id),
  code TEXT NOT NULL,
  icd10 TEXT NOT NULL,
  refused_at INTEGER NOT NULL,
  by_user INTEGER NOT NULL REFERENCES users(id),
  UNIQUE (visit_id, code, icd10)
);
CREATE INDEX prescription_refusals_refused ON prescription_refusals(refused_at, visit_id);
