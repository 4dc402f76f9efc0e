-- ytexa 0036: the bookings of a visit, for FHIR's Encounter.appointment (docs/fhir.md,
-- "Appointment"): every Encounter answered looks up the appointments its visit came from, which
-- without this index is a scan of every appointment for each visit of a search's page.
CREATE INDEX appointments_visit ON appointments(visit_id);
