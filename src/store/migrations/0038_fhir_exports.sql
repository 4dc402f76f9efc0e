-- ytexa 0038: FHIR Bulk Data exports (issue 20, `$export`; docs/fhir.md "Bulk Data"). A kick-off
-- writes a job here and answers at once; the exporter thread (src/fhir/export.c) takes the job,
-- writes one NDJSON file a type under the data folder and marks it complete only once the files
-- are durable. The row is what survives a restart: a job left running by a server that stopped
-- has a lease that runs out (lease_until), and the next exporter takes it again from the start.
-- client names who asked ('system:<id>' or 'user:<id>'): only it reads the job and its files,
-- and it has one job queued or running at a time (the partial unique index: ended_at is set when
-- a job completes, fails or is cancelled).
CREATE TABLE fhir_exports (
  id INTEGER PRIMARY KEY,
  client TEXT NOT NULL,
  system_id INTEGER REFERENCES systems(id),
  user_id INTEGER REFERENCES users(id),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'complete', 'failed', 'cancelled')),
  request TEXT NOT NULL,
  types TEXT NOT NULL,
  facility_ids TEXT,
  since INTEGER,
  transaction_time INTEGER,
  progress TEXT,
  output TEXT,
  error TEXT,
  error_code TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER,
  expires_at INTEGER
);
CREATE UNIQUE INDEX fhir_exports_one_running ON fhir_exports(client) WHERE ended_at IS NULL;
CREATE INDEX fhir_exports_state ON fhir_exports(state, lease_until);
CREATE INDEX fhir_exports_expires ON fhir_exports(expires_at);

-- A MedicationRequest is "stopped" when a signed revision replaces its prescription: the mapping
-- asks that of every prescription it writes (EXISTS … WHERE n.replaces_id = p.id), which without
-- this index read every prescription each time — a page of an export of 1.5 M prescriptions did
-- not finish in 7 minutes, and each search page read them 20 times. (On the bench copy: 1.5 M
-- prescriptions, the index made in 0.5 s.)
CREATE INDEX prescriptions_replaces ON prescriptions(replaces_id);
