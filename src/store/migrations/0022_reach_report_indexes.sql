-- The reach report (src/reports/reach.c, issue 19) at province scale: for each person of the
-- registry it asks whether they had consent to remote care in force at the period's end, a remote
-- visit started in the period and a consultation requested in it. Without these indexes each
-- question read the person's rows from the table (consents_patient, visits_patient and
-- consults_patient hold no time), and the person's own figures came from the table too. Each index
-- below answers one question with one seek that reads no table row (the plans show "COVERING
-- INDEX"). They are built when a database upgrades: on a province's database (1.3 M people, 5 M
-- visits, 0.5 M consultations, 0.9 M consents) that takes about a minute, once.

-- The registry's side: the place, the registration time and every figure the report groups by.
CREATE INDEX patients_reach ON patients(facility_id, created_at, ethnicity, birth_date, birth_year, pregnant,
  poor_household, near_poor_household, disability);
-- Consent to remote care in force at a moment: given before it, not withdrawn before it.
CREATE INDEX consents_patient_granted ON consents(patient_id, purpose, granted_at, withdrawn_at);
-- A person's remote visits started in the period.
CREATE INDEX visits_patient_started ON visits(patient_id, started_at);
-- A person's consultations requested in the period.
CREATE INDEX consults_patient_requested ON consults(patient_id, requested_at);
