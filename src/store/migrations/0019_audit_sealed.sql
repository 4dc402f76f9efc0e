-- ytexa 0019: the audit chain sealed off the request path (issue 18). Until now every event got
-- its place in the chain (its id, the hash of the event before it, its own hash) inside the
-- transaction of the write it records, under one lock: on PostgreSQL all writes of all instances
-- committed one at a time behind it. An event is now recorded with `seq` NULL and empty hashes,
-- and a sealer (src/audit/seal.c) gives it its place later in batches: `seq`, its position in the
-- chain (1, 2, 3 … without gaps), and the hashes. The chain is walked by `seq`; `id` is the
-- row's number only (PostgreSQL may leave gaps in it). Events sealed before this migration keep
-- their hashes: their position is their id. The head records the last position sealed.
ALTER TABLE audit_events ADD COLUMN seq INTEGER;
UPDATE audit_events SET seq = id;
CREATE UNIQUE INDEX audit_events_seq ON audit_events(seq);
CREATE INDEX audit_events_unsealed ON audit_events(id) WHERE seq IS NULL;
ALTER TABLE audit_head RENAME COLUMN last_id TO last_seq;
-- The ids were given by the code until now, so PostgreSQL's own numbering has not moved past them.
-- @postgres
SELECT setval(pg_get_serial_sequence('audit_events', 'id'), COALESCE((SELECT MAX(id) FROM audit_events), 0) + 1, false);
-- @end
