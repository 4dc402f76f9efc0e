-- ytexa 0006: a patient record has at most one app account (the station creates it for the
-- patient); two stations clicking at once cannot make two.
CREATE UNIQUE INDEX users_patient ON users(patient_id) WHERE patient_id IS NOT NULL;
