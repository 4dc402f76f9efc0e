// The consultation report's rollups (migration 0025, docs/reports.md "Rollups"): the figures follow
// every write the triggers see — a case written straight into the database, its events, the
// updates that accept, route and conclude it — as a user of the report sees them. Each case is
// written in months that hold nothing else (2025), and every figure is worked out by hand below,
// waits in the bucket rule (whole minutes below 2 h, 10 minutes below a day, an hour below a week).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';

let srv;
const S = {};
const get = (query) => api(srv, 'GET', '/api/v1/reports/consultations' + query, { token: S['demo.ministry-admin'].token });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const at = (iso) => Date.parse(iso);
const MIN = 60 * 1000;
let patient, user;
const id = (name) => `(SELECT id FROM consults WHERE summary = 'roll ${name}')`;
const insertCase = (name, urgency, hub, requested) =>
  srv.sql(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
    `assigned_facility_id, requested_at, created_at, updated_at) VALUES (${patient}, ${F['TYT-LUNGCU']}, ${user}, 'roll ${name}', ` +
    `'${urgency}', 'internal', 'general', 'requested', ${F[hub]}, ${at(requested)}, ${at(requested)}, ${at(requested)});`);
const event = (name, action, when) =>
  srv.sql(`INSERT INTO consult_events (consult_id, action, from_state, to_state, at) VALUES (${id(name)}, '${action}', ` +
    `'requested', '${action === 'cancelled' ? 'cancelled' : 'requested'}', ${at(when)});`);

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TTYT-DONGVAN', 'BVDK-HAGIANG'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  patient = one('SELECT MIN(id) FROM patients');
  user = one("SELECT id FROM users WHERE username = 'demo.commune'");
});

after(() => srv?.close());

test('the empty period: zeros, no rows, waits null', async () => {
  const r = await get('?period=month:2025-05&by=facility');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rows, []);
  assert.equal(r.body.totals.requested, 0);
  assert.equal(r.body.totals.accept_median_min, null);
});

test('an acceptance at 23:59 Vietnam time on a month\'s last day is that month\'s, its wait in its bucket', async () => {
  // Requested 17:00 on 30 September in Vietnam (10:00 UTC), accepted at 23:59:30 (16:59:30 UTC):
  // 6 h 59 min 30 s = 419.5 minutes, in the ten-minute bucket 410. Routine: within 1,440 minutes.
  insertCase('late', 'routine', 'TTYT-DONGVAN', '2025-09-30T10:00:00Z');
  srv.sql(`UPDATE consults SET state = 'accepted', accepted_at = ${at('2025-09-30T16:59:30Z')} WHERE id = ${id('late')};`);
  const sep = (await get('?period=month:2025-09')).body.totals;
  assert.deepEqual([sep.requested, sep.accepted, sep.accepted_in_time, sep.accept_median_min, sep.accept_p90_min], [1, 1, 1, 410, 410]);
  const lastDay = (await get('?period=day:2025-09-30')).body.totals;
  assert.deepEqual([lastDay.accepted, lastDay.accept_median_min], [1, 410]);
  // Midnight in Vietnam (17:00 UTC on 30 September) is already 1 October.
  insertCase('midnight', 'routine', 'TTYT-DONGVAN', '2025-09-30T17:00:00Z');
  const oct1 = (await get('?period=day:2025-10-01')).body.totals;
  assert.deepEqual([oct1.requested, oct1.accepted], [1, 0]);
  assert.equal((await get('?period=month:2025-09')).body.totals.requested, 1);
  // Concluded 03:25 UTC on 5 October: 4 days 17 h 25 min after the request = 6,805 minutes, in the
  // hour bucket 6,780 (113 h); the hub recommends a transfer in a second update, as the API does.
  srv.sql(`UPDATE consults SET state = 'concluded', concluded_at = ${at('2025-10-05T03:25:00Z')} WHERE id = ${id('late')};`);
  srv.sql(`UPDATE consults SET recommendation = 'transfer' WHERE id = ${id('late')};`);
  const oct = (await get('?period=month:2025-10')).body.totals;
  assert.deepEqual([oct.requested, oct.accepted, oct.concluded, oct.conclude_median_min, oct.outcome_transfer, oct.outcome_treat_locally],
    [1, 0, 1, 6780, 1, 0]);
  // The year holds each moment once, and both requests.
  const year = (await get('?period=year:2025')).body.totals;
  assert.deepEqual([year.requested, year.accepted, year.concluded, year.accept_median_min, year.conclude_median_min], [2, 1, 1, 410, 6780]);
});

test('a case cancelled twice counts once, at its first cancellation, whichever is written first', async () => {
  // Cancelled on 10 August, then an earlier cancellation at 23:59 on 31 July in Vietnam is written.
  insertCase('twice', 'routine', 'TTYT-DONGVAN', '2025-07-20T01:00:00Z');
  event('twice', 'cancelled', '2025-08-10T01:00:00Z');
  assert.equal((await get('?period=month:2025-08')).body.totals.cancelled, 1);
  event('twice', 'cancelled', '2025-07-31T16:59:00Z');
  const jul = (await get('?period=month:2025-07&by=facility')).body;
  assert.deepEqual([jul.totals.requested, jul.totals.cancelled], [1, 1]);
  assert.deepEqual(jul.rows.map((r) => [r.key.id, r.values.cancelled]), [[F['TYT-LUNGCU'], 1]]);
  // August now holds nothing: no row, no cancellation; the quarter counts the case once.
  const aug = (await get('?period=month:2025-08&by=facility')).body;
  assert.deepEqual([aug.totals.cancelled, aug.rows], [0, []]);
  assert.equal((await get('?period=quarter:2025-Q3')).body.totals.cancelled, 1);
});

test('an escalation moves the case, its request and its events to the new hub\'s level pair', async () => {
  // Urgent, requested 09:00 on 3 November in Vietnam at the district hub, escalated 2 h later to
  // the provincial hospital, which accepts it 125.5 minutes after the request (the ten-minute
  // bucket 120; late: over 120) and concludes it 200.25 minutes after it (bucket 200).
  insertCase('moved', 'urgent', 'TTYT-DONGVAN', '2025-11-03T02:00:00Z');
  const pairs = async () => (await get('?period=month:2025-11&by=level_pair')).body.rows
    .map((r) => [r.key.id, r.values.requested, r.values.escalated, r.values.accepted, r.values.accepted_in_time, r.values.concluded]);
  assert.deepEqual(await pairs(), [['commune>district', 1, 0, 0, 0, 0]]);
  event('moved', 'escalated', '2025-11-03T04:00:00Z');
  srv.sql(`UPDATE consults SET assigned_facility_id = ${F['BVDK-HAGIANG']} WHERE id = ${id('moved')};`);
  assert.deepEqual(await pairs(), [['commune>provincial', 1, 1, 0, 0, 0]]);
  srv.sql(`UPDATE consults SET state = 'accepted', accepted_at = ${at('2025-11-03T02:00:00Z') + 125.5 * MIN} WHERE id = ${id('moved')};`);
  srv.sql(`UPDATE consults SET state = 'concluded', concluded_at = ${at('2025-11-03T02:00:00Z') + 200.25 * MIN}, ` +
    `recommendation = 'treat_locally' WHERE id = ${id('moved')};`);
  assert.deepEqual(await pairs(), [['commune>provincial', 1, 1, 1, 0, 1]]);
  const nov = (await get('?period=month:2025-11')).body.totals;
  assert.deepEqual([nov.accept_median_min, nov.conclude_median_min, nov.outcome_treat_locally, nov.accepted_in_time_pct], [120, 200, 1, 0]);
  // An unrelated edit (the summary) changes nothing.
  srv.sql(`UPDATE consults SET summary = 'roll moved' WHERE id = ${id('moved')};`);
  assert.deepEqual(await pairs(), [['commune>provincial', 1, 1, 1, 0, 1]]);
});
