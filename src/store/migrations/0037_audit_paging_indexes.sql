-- ytexa 0037: the audit trail paged by id within an actor, a patient or a facility (FHIR
-- AuditEvent's search, docs/fhir.md; GET /api/v1/audit too). The indexes on actor_id and
-- patient_id alone gave each page, on PostgreSQL, every event of that actor or patient sorted by
-- id (SQLite's index rows end with the rowid, so it already read a range); with id in the index
-- both engines read only the page. A facility administrator's search without either filter read
-- the whole trail from the cursor, skipping other facilities' events: (actor_facility_id, id)
-- serves it. One index more on the trail's inserts.
DROP INDEX audit_events_actor;
DROP INDEX audit_events_patient;
CREATE INDEX audit_events_actor ON audit_events(actor_id, id);
CREATE INDEX audit_events_patient ON audit_events(patient_id, id);
CREATE INDEX audit_events_facility ON audit_events(actor_facility_id, id);
