-- The consultations report at province scale (issue 19, docs/reports.md "Consultations"): it counts
-- the cases requested, accepted and concluded in a period as three ranges, one per moment, and the
-- cancellations, declines and escalations of the period as a range of events by action. Without
-- these each request read every case and every event (10-25 s, and minutes on a loaded machine, on
-- the bench database).
--
-- The three indexes of the moments hold every column the counts, the groupings and the durations
-- read from a case, so that a year's range (about 250 000 cases) never visits the table: four times
-- less work than an index on the time alone, for about 30 MB each on the bench database.
--
-- On a database that already holds many cases these indexes are built when it is upgraded: on the
-- bench database (0.5 M cases, 1.55 M events) a few seconds each, during which the server does not
-- start. consult_events_action_at has IF NOT EXISTS because the bench databases of issue 19 were
-- given it by hand, with the same name and columns.
CREATE INDEX consults_report_requested ON consults(requested_at, requester_facility_id, urgency, specialty, kind,
                                                   assigned_facility_id);
CREATE INDEX consults_report_accepted ON consults(accepted_at, requested_at, requester_facility_id, urgency, specialty,
                                                  kind, assigned_facility_id);
CREATE INDEX consults_report_concluded ON consults(concluded_at, requested_at, recommendation, requester_facility_id,
                                                   urgency, specialty, kind, assigned_facility_id);
CREATE INDEX IF NOT EXISTS consult_events_action_at ON consult_events(action, at);
-- Whether a cancellation is the case's first: without it SQLite answered that from the index above,
-- reading every earlier cancellation of every case (minutes for a year).
CREATE INDEX IF NOT EXISTS consult_events_consult_action ON consult_events(consult_id, action, at);
