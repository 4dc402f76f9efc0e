-- ytexa 0039: what FHIR $import has written, by the id the record has in the system it comes from
-- (issue 20; docs/fhir.md "Bulk import"). A file of Encounters, Observations and Conditions refers
-- to its patients and visits by that system's ids; each line the import writes (and each Patient
-- line it creates or finds) leaves its source id and ytexa's id here, so that a later line or a
-- later file finds them, and so that importing the same file again writes nothing new. source is
-- the line's meta.source when it names one, else the importing account ('user:<id>'); the ids are
-- kept per facility written into, as the registry matches patients per facility. An Encounter's
-- primary_condition is the source id of the Condition its diagnosis list ranks first: that
-- Condition, when its line comes, is the visit's primary diagnosis (a Condition has no rank).
CREATE TABLE fhir_imported (
  facility_id INTEGER NOT NULL REFERENCES facilities(id),
  source TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('Patient', 'Encounter', 'Observation', 'Condition')),
  source_id TEXT NOT NULL,
  local_id INTEGER NOT NULL,
  primary_condition TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (facility_id, source, type, source_id)
);
