// The rollups by facility alone (migration 0034, docs/reports.md "How it is computed, and its
// bound"): the waits of visits and consultations and the consultations' counts by facility, month,
// calendar quarter and calendar year, kept by triggers on the month rows of 0024/0025's tables,
// which the reports read for by=facility, by=province with as=pre2025, a facility's own report and
// its totals over whole months with no specialty filter. Every figure below is worked out by hand
// from rows written straight into the database in years that hold nothing else (2021–2023), so that
// each trigger path shows: a first row of a bucket (insert), a second one (update of n), a row moved
// to another facility, a start written by an update, a deletion, a cancellation, 23:59 on 31
// December and on a quarter's last day in Vietnam, and the empty period. Waits are in
// yx_report_wait_bucket()'s buckets: whole minutes below two hours, ten minutes below a day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';

let srv;
const S = {};
const F = {};
const one = (q) => srv.sql(q).split('\n')[0];
const MIN = 60 * 1000;
const at = (iso) => Date.parse(iso);
let patient, doctor, doctorFacility, user, oldProvince;

const get = async (report, query) => {
  const r = await api(srv, 'GET', `/api/v1/reports/${report}${query}`, { token: S['demo.ministry-admin'].token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC', 'TTYT-DONGVAN'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  patient = one('SELECT MIN(id) FROM patients');
  doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  doctorFacility = one(`SELECT facility_id FROM users WHERE id = ${doctor}`);
  user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  // Hà Giang, the province of both communes before the 2025 reform.
  oldProvince = Number(one(`SELECT old_province_id FROM facility_places WHERE facility_id = ${F['TYT-LUNGCU']}`));
});

after(() => srv?.close());

// ---- Visits: the waits from booking to start, by facility alone.

let seq = 0;
// A visit of facility fac, video, booked at an ISO time and started `start` minutes later (never
// when undefined). Returns its id.
function insertVisit(fac, booked, start) {
  const reason = `facility rollup ${seq++}`;
  const started = start === undefined ? 'NULL' : at(booked) + start * MIN;
  srv.sql(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
    `started_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${doctor}, ${doctorFacility}, ${doctor}, 'video', ` +
    `'${start === undefined ? 'planned' : 'in_progress'}', '${reason}', ${started}, ${at(booked)}, ${at(booked)});`);
  return Number(one(`SELECT id FROM visits WHERE reason = '${reason}'`));
}
const deleteVisit = (v) => srv.sql(`DELETE FROM visit_events WHERE visit_id = ${v}; DELETE FROM visits WHERE id = ${v}`);
// by=facility of a period: {facility id: [started, median, p90]}.
const visitRows = async (query) => Object.fromEntries((await get('visits', `${query}&by=facility`)).rows
  .map((r) => [r.key.id, [r.values.started, r.values.wait_median_min, r.values.wait_p90_min]]));

test('visits: the empty period answers zeros and nulls with no row', async () => {
  for (const period of ['year:2023', 'quarter:2023-Q2', 'month:2023-05']) {
    const r = await get('visits', `?period=${period}&by=facility`);
    assert.deepEqual(r.rows, []);
    assert.deepEqual([r.totals.started, r.totals.wait_median_min, r.totals.wait_p90_min], [0, null, null]);
  }
});

test('visits: a start at 23:59 on 31 December and on 31 March in Vietnam is that year\'s and quarter\'s; a minute later the next', async () => {
  const A = F['TYT-LUNGCU'];
  // 16:59Z is 23:59 in Vietnam, 17:00Z midnight. a: booked 16:00Z on 31 Dec 2022, started 59
  // minutes later (23:59, 2022); b: booked 16:29Z, started 31 minutes later (00:00 on 1 January
  // 2023); c: started 59 minutes after 16:00Z on 31 March 2023 (23:59, Q1); d: booked 16:30Z,
  // started 31 minutes later (00:01 on 1 April, Q2). Each is the first of its bucket and month.
  insertVisit('TYT-LUNGCU', '2022-12-31T16:00:00Z', 59);
  insertVisit('TYT-LUNGCU', '2022-12-31T16:29:00Z', 31);
  insertVisit('TYT-LUNGCU', '2023-03-31T16:00:00Z', 59);
  // d is booked first and started by an update, as the API starts a visit.
  const d = insertVisit('TYT-LUNGCU', '2023-03-31T16:30:00Z');
  srv.sql(`UPDATE visits SET state = 'in_progress', started_at = ${at('2023-03-31T16:30:00Z') + 31 * MIN} WHERE id = ${d}`);
  assert.deepEqual(await visitRows('?period=year:2022'), { [A]: [1, 59, 59] });
  assert.deepEqual(await visitRows('?period=quarter:2022-Q4'), { [A]: [1, 59, 59] });
  assert.deepEqual(await visitRows('?period=month:2022-12'), { [A]: [1, 59, 59] });
  // 2023: b, c and d, waits 31, 59, 31 → sorted 31, 31, 59: the median is rank 2 (31), the 90th
  // percentile rank ceil(2.7) = 3 (59).
  assert.deepEqual(await visitRows('?period=year:2023'), { [A]: [3, 31, 59] });
  // Q1: b and c (31, 59): median rank 1 = 31, p90 rank ceil(1.8) = 2 = 59. Q2: d alone.
  assert.deepEqual(await visitRows('?period=quarter:2023-Q1'), { [A]: [2, 31, 59] });
  assert.deepEqual(await visitRows('?period=quarter:2023-Q2'), { [A]: [1, 31, 31] });
  assert.deepEqual(await visitRows('?period=month:2023-03'), { [A]: [1, 59, 59] });
  // November 2022 to April 2023: two months, a quarter and a month — all four (31, 31, 59, 59):
  // median rank 2 = 31, p90 rank ceil(3.6) = 4 = 59.
  assert.deepEqual(await visitRows('?from=2022-11-01&to=2023-04-30'), { [A]: [4, 31, 59] });
  // The facility's own report and the provinces before the reform read the same rows.
  const own = (await get('visits', `?period=year:2023&facility=${A}`)).totals;
  assert.deepEqual([own.started, own.wait_median_min, own.wait_p90_min], [3, 31, 59]);
  const old = (await get('visits', '?period=quarter:2023-Q1&by=province&as=pre2025')).rows;
  assert.deepEqual(old.map((r) => [r.key.id, r.values.started, r.values.wait_median_min, r.values.wait_p90_min]),
    [[oldProvince, 2, 31, 59]]);
});

test('visits: a second wait in a bucket, a visit moved to another facility, deletions, down to the empty year', async () => {
  const A = F['TYT-LUNGCU'], B = F['TYT-MEOVAC'];
  // 2021 at Lũng Cú: e and f wait 20 minutes in May (f adds to e's bucket: an update of its
  // count), g 90 and h 95 in August. Sorted 20, 20, 90, 95: median rank 2 = 20, p90 rank
  // ceil(3.6) = 4 = 95.
  const e = insertVisit('TYT-LUNGCU', '2021-05-10T02:00:00Z', 20);
  const f = insertVisit('TYT-LUNGCU', '2021-05-20T02:00:00Z', 20);
  const g = insertVisit('TYT-LUNGCU', '2021-08-10T02:00:00Z', 90);
  insertVisit('TYT-LUNGCU', '2021-08-11T02:00:00Z', 95);
  assert.deepEqual(await visitRows('?period=year:2021'), { [A]: [4, 20, 95] });
  assert.deepEqual(await visitRows('?period=quarter:2021-Q2'), { [A]: [2, 20, 20] });
  // f moves to Mèo Vạc: Lũng Cú keeps 20, 90, 95 (median rank 2 = 90, p90 rank 3 = 95).
  srv.sql(`UPDATE visits SET facility_id = ${B} WHERE id = ${f}`);
  assert.deepEqual(await visitRows('?period=year:2021'), { [A]: [3, 90, 95], [B]: [1, 20, 20] });
  assert.deepEqual(await visitRows('?period=quarter:2021-Q2'), { [A]: [1, 20, 20], [B]: [1, 20, 20] });
  // g is deleted: Lũng Cú has 20 and 95 (median rank 1 = 20, p90 rank 2 = 95).
  deleteVisit(g);
  assert.deepEqual(await visitRows('?period=year:2021'), { [A]: [2, 20, 95], [B]: [1, 20, 20] });
  assert.deepEqual(await visitRows('?period=quarter:2021-Q3'), { [A]: [1, 95, 95] });
  // All gone: no row, null waits, in the year, its quarters and its months.
  for (const v of srv.sql("SELECT id FROM visits WHERE created_at >= 1609434000000 AND created_at < 1640970000000").split('\n'))
    if (v) deleteVisit(v);
  assert.ok(e > 0);
  for (const period of ['year:2021', 'quarter:2021-Q2', 'quarter:2021-Q3', 'month:2021-05']) {
    const r = await get('visits', `?period=${period}&by=facility`);
    assert.deepEqual(r.rows, [], period);
    assert.deepEqual([r.totals.started, r.totals.wait_median_min, r.totals.wait_p90_min], [0, null, null], period);
  }
});

// ---- Consultations: the counts and the waits to acceptance, by requesting facility alone.

const cid = (name) => `(SELECT id FROM consults WHERE summary = 'fac ${name}')`;
const insertCase = (name, fac, requested) =>
  srv.sql(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
    `assigned_facility_id, requested_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${user}, 'fac ${name}', ` +
    `'routine', 'internal', 'general', 'requested', ${F['TTYT-DONGVAN']}, ${at(requested)}, ${at(requested)}, ${at(requested)});`);
const accept = (name, when) =>
  srv.sql(`UPDATE consults SET state = 'accepted', accepted_at = ${at(when)} WHERE id = ${cid(name)};`);
// by=facility: {facility id: [requested, accepted, cancelled, accept median, accept p90]}.
const caseRows = async (query) => Object.fromEntries((await get('consultations', `${query}&by=facility`)).rows
  .map((r) => [r.key.id, [r.values.requested, r.values.accepted, r.values.cancelled, r.values.accept_median_min, r.values.accept_p90_min]]));

test('consultations: 23:59 on 31 December, a quarter\'s last minute, a case moved to another facility and a cancellation', async () => {
  const A = F['TYT-LUNGCU'], B = F['TYT-MEOVAC'];
  assert.deepEqual(await caseRows('?period=year:2021'), {});
  // k1: requested 17:00 on 31 December 2021 in Vietnam (10:00Z), accepted 23:59:30 (16:59:30Z):
  // 419.5 minutes, the ten-minute bucket 410, in 2021. k2: requested 23:30 (16:30Z), accepted
  // 00:05 on 1 January (17:05Z): 35 minutes, in 2022.
  insertCase('k1', 'TYT-LUNGCU', '2021-12-31T10:00:00Z');
  accept('k1', '2021-12-31T16:59:30Z');
  insertCase('k2', 'TYT-LUNGCU', '2021-12-31T16:30:00Z');
  accept('k2', '2021-12-31T17:05:00Z');
  assert.deepEqual(await caseRows('?period=year:2021'), { [A]: [2, 1, 0, 410, 410] });
  assert.deepEqual(await caseRows('?period=quarter:2021-Q4'), { [A]: [2, 1, 0, 410, 410] });
  assert.deepEqual(await caseRows('?period=year:2022'), { [A]: [0, 1, 0, 35, 35] });
  // k3 requested at 23:59 on 31 March 2022 in Vietnam (Q1), k4 a minute later (Q2): both at
  // Lũng Cú, each a second request of its month row (an update of the counts) after k5 and k6.
  insertCase('k5', 'TYT-LUNGCU', '2022-03-10T02:00:00Z');
  insertCase('k6', 'TYT-LUNGCU', '2022-04-10T02:00:00Z');
  insertCase('k3', 'TYT-LUNGCU', '2022-03-31T16:59:00Z');
  insertCase('k4', 'TYT-LUNGCU', '2022-03-31T17:00:00Z');
  assert.deepEqual(await caseRows('?period=quarter:2022-Q1'), { [A]: [2, 1, 0, 35, 35] });
  assert.deepEqual(await caseRows('?period=quarter:2022-Q2'), { [A]: [2, 0, 0, null, null] });
  assert.deepEqual(await caseRows('?period=year:2022'), { [A]: [4, 1, 0, 35, 35] });
  // k2 moves to Mèo Vạc (its requesting facility corrected): its request in 2021 and its
  // acceptance in 2022 go along.
  srv.sql(`UPDATE consults SET requester_facility_id = ${B} WHERE id = ${cid('k2')};`);
  assert.deepEqual(await caseRows('?period=year:2021'), { [A]: [1, 1, 0, 410, 410], [B]: [1, 0, 0, null, null] });
  assert.deepEqual(await caseRows('?period=year:2022'), { [A]: [4, 0, 0, null, null], [B]: [0, 1, 0, 35, 35] });
  // k3 is cancelled on 2 April 2022: a cancellation of Q2, counted where k3 belongs.
  srv.sql(`INSERT INTO consult_events (consult_id, action, from_state, to_state, at) VALUES (${cid('k3')}, 'cancelled', ` +
    `'requested', 'cancelled', ${at('2022-04-02T03:00:00Z')});`);
  assert.deepEqual(await caseRows('?period=quarter:2022-Q2'), { [A]: [2, 0, 1, null, null] });
  // April alone: k4 (requested at midnight on 1 April) and k6, and k3's cancellation.
  assert.deepEqual(await caseRows('?period=month:2022-04'), { [A]: [2, 0, 1, null, null] });
  // The same with a specialty filter, which reads the rollups with every key: the same figures.
  const rows = (await get('consultations', '?period=year:2022&by=facility&specialty=internal')).rows;
  assert.deepEqual(rows.map((r) => [r.key.id, r.values.requested, r.values.accepted, r.values.cancelled, r.values.accept_median_min]),
    [[A, 4, 0, 1, null], [B, 0, 1, 0, 35]].sort((x, y) => x[0] - y[0]));
  // The facility's own report and the provinces before the reform.
  const own = (await get('consultations', `?period=year:2021&facility=${A}`)).totals;
  assert.deepEqual([own.requested, own.accepted, own.accept_median_min], [1, 1, 410]);
  const old = (await get('consultations', '?period=year:2022&by=province&as=pre2025')).rows;
  assert.deepEqual(old.map((r) => [r.key.id, r.values.requested, r.values.accepted, r.values.cancelled, r.values.accept_median_min]),
    [[oldProvince, 4, 1, 1, 35]]);
  // A year with nothing.
  const empty = await get('consultations', '?period=year:2020&by=facility');
  assert.deepEqual([empty.rows, empty.totals.requested, empty.totals.accept_median_min], [[], 0, null]);
});

// ---- Visits: the counts by facility alone (migration 0040, visit_rollup_fac), which a whole-month
// period with no grouping, by=facility or by=province reads instead of visit_rollup (by facility
// and mode). 2019 holds nothing else.

// A visit of facility fac in mode, booked at an ISO time; started `start` minutes later unless
// undefined. Returns its id.
function insertModeVisit(fac, mode, booked, start) {
  const reason = `facility counts ${seq++}`;
  const started = start === undefined ? 'NULL' : at(booked) + start * MIN;
  srv.sql(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
    `started_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${doctor}, ${doctorFacility}, ${doctor}, '${mode}', ` +
    `'${start === undefined ? 'planned' : 'in_progress'}', '${reason}', ${started}, ${at(booked)}, ${at(booked)});`);
  return Number(one(`SELECT id FROM visits WHERE reason = '${reason}'`));
}
const diagnose = (v, code, when) => srv.sql(`INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, ` +
  `created_at) VALUES (${v}, '${code}', 1, ${doctor}, ${at(when)});`);
const FIGS = ['booked', 'started', 'completed', 'cancelled', 'diagnoses', 'icd_ch09', 'icd_ch10'];
// {key id: [booked, started, completed, cancelled, diagnoses, chapter IX, chapter X]} of a query.
const countRows = async (query) => Object.fromEntries((await get('visits', query)).rows
  .map((r) => [r.key.id, FIGS.map((k) => r.values[k])]));

test('visits: the counts by facility alone follow inserts, updates, a move to another facility and a deletion', async () => {
  const A = F['TYT-LUNGCU'], B = F['TYT-MEOVAC'];
  assert.deepEqual(await countRows('?period=year:2019&by=facility'), {});
  // February at Lũng Cú: v1 by video, started 10 minutes after booking, diagnosed J06 (chapter X)
  // and finished; v2 by audio, booked and cancelled the next day. May: v3 at Lũng Cú by chat,
  // started, diagnosed I10 (chapter IX); v4 at Mèo Vạc by video, planned. v5 booked at 23:59 on 31
  // December in Vietnam (16:59Z), v6 a minute later, on 1 January 2020.
  const v1 = insertModeVisit('TYT-LUNGCU', 'video', '2019-02-10T02:00:00Z', 10);
  diagnose(v1, 'J06', '2019-02-10T02:15:00Z');
  srv.sql(`UPDATE visits SET state = 'finished', ended_at = ${at('2019-02-10T02:40:00Z')} WHERE id = ${v1}`);
  const v2 = insertModeVisit('TYT-LUNGCU', 'audio', '2019-02-20T02:00:00Z');
  srv.sql(`UPDATE visits SET state = 'cancelled', ended_at = ${at('2019-02-21T02:00:00Z')} WHERE id = ${v2}`);
  const v3 = insertModeVisit('TYT-LUNGCU', 'chat', '2019-05-05T02:00:00Z', 5);
  diagnose(v3, 'I10', '2019-05-05T02:20:00Z');
  insertModeVisit('TYT-MEOVAC', 'video', '2019-05-06T02:00:00Z');
  insertModeVisit('TYT-LUNGCU', 'video', '2019-12-31T16:59:00Z');
  insertModeVisit('TYT-LUNGCU', 'video', '2019-12-31T17:00:00Z');
  // The year: Lũng Cú booked v1, v2, v3, v5 (4), started v1 and v3, finished v1, cancelled v2,
  // two diagnoses (one of each chapter); Mèo Vạc booked v4.
  assert.deepEqual(await countRows('?period=year:2019&by=facility'),
    { [A]: [4, 2, 1, 1, 2, 1, 1], [B]: [1, 0, 0, 0, 0, 0, 0] });
  assert.deepEqual(await countRows('?period=quarter:2019-Q1&by=facility'), { [A]: [2, 1, 1, 1, 1, 0, 1] });
  assert.deepEqual(await countRows('?period=quarter:2019-Q2&by=facility'),
    { [A]: [1, 1, 0, 0, 1, 1, 0], [B]: [1, 0, 0, 0, 0, 0, 0] });
  assert.deepEqual(await countRows('?period=month:2019-12&by=facility'), { [A]: [1, 0, 0, 0, 0, 0, 0] });
  assert.deepEqual(await countRows('?period=month:2020-01&by=facility'), { [A]: [1, 0, 0, 0, 0, 0, 0] });
  // v3 moves to Mèo Vạc with its start and its diagnosis; Lũng Cú's May is left at zero, no row.
  srv.sql(`UPDATE visits SET facility_id = ${B} WHERE id = ${v3}`);
  assert.deepEqual(await countRows('?period=quarter:2019-Q2&by=facility'), { [B]: [2, 1, 0, 0, 1, 1, 0] });
  // v2 is deleted: its booking and cancellation leave February.
  srv.sql(`DELETE FROM visit_events WHERE visit_id = ${v2}; DELETE FROM visits WHERE id = ${v2}`);
  const year = { [A]: [2, 1, 1, 0, 1, 0, 1], [B]: [2, 1, 0, 0, 1, 1, 0] };
  assert.deepEqual(await countRows('?period=year:2019&by=facility'), year);
  assert.deepEqual(await countRows('?period=quarter:2019-Q1&by=facility'), { [A]: [1, 1, 1, 0, 1, 0, 1] });
  // February to November (months and quarters) holds all but v5.
  assert.deepEqual(await countRows('?from=2019-02-01&to=2019-11-30&by=facility'),
    { [A]: [1, 1, 1, 0, 1, 0, 1], [B]: [2, 1, 0, 0, 1, 1, 0] });
  // A period with days besides its months reads visit_rollup by facility and mode: the same.
  assert.deepEqual(await countRows('?from=2019-01-15&to=2019-12-31&by=facility'), year);
  // The totals, the facility's own report and the province before the reform: 4 booked, 2 started.
  const totals = (await get('visits', '?period=year:2019')).totals;
  assert.deepEqual(FIGS.map((k) => totals[k]), [4, 2, 1, 0, 2, 1, 1]);
  const own = (await get('visits', `?period=year:2019&facility=${B}`)).totals;
  assert.deepEqual(FIGS.map((k) => own[k]), [2, 1, 0, 0, 1, 1, 0]);
  assert.deepEqual(await countRows('?period=year:2019&by=province&as=pre2025'), { [oldProvince]: [4, 2, 1, 0, 2, 1, 1] });
  // By mode reads visit_rollup: video v1, v4 and v5; chat v3 (audio, v2, is gone).
  assert.deepEqual(await countRows('?period=year:2019&by=mode'),
    { chat: [1, 1, 0, 0, 1, 1, 0], video: [3, 1, 1, 0, 1, 0, 1] });
  // A year with nothing.
  const empty = await get('visits', '?period=year:2018&by=facility');
  assert.deepEqual([empty.rows, empty.totals.booked, empty.totals.diagnoses], [[], 0, 0]);
});
