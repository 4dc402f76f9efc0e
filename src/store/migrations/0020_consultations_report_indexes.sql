-- The consultations report at province scale (issue 19, docs/reports.md "Consultations"): it counts
-- the cases requested, accepted and concluded in a period as three ranges, one per moment, and the
-- cancellations, declines and escalations of the period as a range of events by action. Without
-- these each request read every case and every event (10-25 s on the bench database).
--
-- On a database that already holds many cases these indexes are built when it is upgraded: on the
-- bench database (0.5 M cases, 1.55 M events) a few seconds each, during which the server does not
-- start. IF NOT EXISTS because the bench databases of issue 19 were given the first four by hand,
-- with the same names and columns.
CREATE INDEX IF NOT EXISTS consults_requested_at ON consults(requested_at);
CREATE INDEX IF NOT EXISTS consults_accepted_at ON consults(accepted_at);
CREATE INDEX IF NOT EXISTS consults_concluded_at ON consults(concluded_at);
CREATE INDEX IF NOT EXISTS consult_events_action_at ON consult_events(action, at);
-- Whether a cancellation is the case's first: without it SQLite answered that from the index above,
-- reading every earlier cancellation of every case (minutes for a year).
CREATE INDEX IF NOT EXISTS consult_events_consult_action ON consult_events(consult_id, action, at);
