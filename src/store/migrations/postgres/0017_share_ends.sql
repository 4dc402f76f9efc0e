-- ytexa 0017: a share ends when its reason ends (issue 16). A visit shares its patient with the
-- doctor's facility while it is planned, arrived or in progress; a consultation with the hubs and
-- sites that have it until it is closed or cancelled; a referral with the receiving facility for a
-- fixed time (expires_at). Shares whose reason has already ended are removed here, and referral
-- shares, recorded as 'visit' shares before, get a reason of their own.
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
CREATE INDEX patient_shares_ref ON patient_shares(reason, ref_id);
