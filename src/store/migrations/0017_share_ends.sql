-- ytexa 0017: a share ends when its reason ends (issue 16). A visit shares its patient with the
-- doctor's facility while it is planned, arrived or in progress; a consultation with the hubs and
-- sites that have it until it is closed or cancelled; a referral with the receiving facility for a
-- fixed time (expires_at). Shares whose reason has already ended are removed here, and referral
-- shares, recorded as 'visit' shares before, get a reason of their own.
-- SQLite cannot change a CHECK: it rebuilds the table and keeps the shares that still hold;
-- PostgreSQL changes the CHECK and deletes the others. 90 days are 7,776,000,000 ms, past
-- PostgreSQL's 32-bit integers, hence its cast.
-- @sqlite
CREATE TABLE patient_shares_new (
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  reason TEXT NOT NULL CHECK (reason IN ('visit', 'consult', 'referral')),
  ref_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (patient_id, facility_id, reason, ref_id)
);
INSERT INTO patient_shares_new (patient_id, facility_id, reason, ref_id, created_at)
  SELECT s.patient_id, s.facility_id, s.reason, s.ref_id, s.created_at FROM patient_shares s
  WHERE (s.reason = 'visit' AND EXISTS (SELECT 1 FROM visits v WHERE v.id = s.ref_id
           AND v.doctor_facility_id = s.facility_id AND v.state IN ('planned', 'arrived', 'in_progress')))
     OR (s.reason = 'consult' AND EXISTS (SELECT 1 FROM consults c WHERE c.id = s.ref_id
           AND c.state NOT IN ('closed', 'cancelled')));
INSERT OR IGNORE INTO patient_shares_new (patient_id, facility_id, reason, ref_id, created_at, expires_at)
  SELECT v.patient_id, r.to_facility_id, 'referral', r.id, r.created_at, r.created_at + 90 * 86400000
  FROM referrals r JOIN visits v ON v.id = r.visit_id;
DROP TABLE patient_shares;
ALTER TABLE patient_shares_new RENAME TO patient_shares;
-- @postgres
ALTER TABLE patient_shares DROP CONSTRAINT patient_shares_reason_check;
ALTER TABLE patient_shares ADD CONSTRAINT patient_shares_reason_check
  CHECK (reason IN ('visit', 'consult', 'referral'));
ALTER TABLE patient_shares ADD COLUMN expires_at BIGINT;
DELETE FROM patient_shares s
  WHERE (s.reason = 'visit' AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = s.ref_id
           AND v.doctor_facility_id = s.facility_id AND v.state IN ('planned', 'arrived', 'in_progress')))
     OR (s.reason = 'consult' AND NOT EXISTS (SELECT 1 FROM consults c WHERE c.id = s.ref_id
           AND c.state NOT IN ('closed', 'cancelled')));
INSERT INTO patient_shares (patient_id, facility_id, reason, ref_id, created_at, expires_at)
  SELECT v.patient_id, r.to_facility_id, 'referral', r.id, r.created_at, r.created_at + 90 * 86400000::bigint
  FROM referrals r JOIN visits v ON v.id = r.visit_id
  ON CONFLICT DO NOTHING;
-- @end
CREATE INDEX patient_shares_ref ON patient_shares(reason, ref_id);
