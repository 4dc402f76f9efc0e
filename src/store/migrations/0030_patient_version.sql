-- ytexa 0030: a patient's version, for FHIR's ETag and If-Match (docs/fhir.md, "Versioning").
-- updated_at cannot stand in for it: two corrections in one millisecond would share it. Every
-- UPDATE of the record adds one (src/patient/record.c, write_patient), so a client that read
-- version n and sends If-Match: W/"n" is refused with 412 when someone corrected it meanwhile.
-- Rows already there start at 1.
ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
