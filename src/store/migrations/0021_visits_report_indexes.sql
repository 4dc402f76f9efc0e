-- ytexa 0021: the indexes of the remote visit report (src/reports/visits.c, issue 19). The report
-- counts each figure on the range of its own moment in the period, and adds it up by the visit's
-- facility and mode before joining the facilities; these let each range be read from an index
-- alone (covering: the facility and mode, and what the figure needs besides, are in it), where it
-- read every visit before. On a database with millions of visits each is built when the server
-- upgrades, which takes a while (about a minute each for 5 M visits); the server answers once done.

-- Booked in the period.
CREATE INDEX visits_created ON visits(created_at, facility_id, mode);
-- Started in the period, with the booking time for the wait.
CREATE INDEX visits_started ON visits(started_at, facility_id, mode, created_at);
-- Ended in the period: finished, missed or cancelled by state.
CREATE INDEX visits_ended ON visits(ended_at, facility_id, mode, state);
-- Prescriptions signed in the period, and the visit each belongs to.
CREATE INDEX prescriptions_signed ON prescriptions(signed_at, status, visit_id);
-- Diagnoses recorded in the period, their visit and their code.
CREATE INDEX visit_diagnoses_created ON visit_diagnoses(created_at, visit_id, code);
