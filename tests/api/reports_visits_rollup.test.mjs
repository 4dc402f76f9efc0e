// The remote visits report reads rollup tables kept by triggers (migration 0024, docs/reports.md
// "How it is computed, and its bound"). reports_visits.test.mjs checks every figure of rows
// inserted once; these tests drive the other ways a row changes and check that the report follows
// each, with figures worked out by hand: a visit booked, started, finished, cancelled and missed
// and a prescription signed then superseded by a new signed version, all through the API as
// the station and the doctor do it; then, written straight into the database with controlled times
// (whatever writes a row, the triggers follow): a visit booked at 23:59 on a month's last day in
// Vietnam and started after midnight, a visit whose facility and mode change (its diagnoses and
// prescriptions move with it), a diagnosis whose code changes, rows deleted, and the empty period
// that is left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';

let srv;
const S = {};
const F = {};
const REPORT = '/api/v1/reports/visits';
const report = async (query) => {
  const r = await api(srv, 'GET', REPORT + query, { token: S['demo.ministry-admin'].token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, csrf: S[who].csrf, body });
const one = (q) => srv.sql(q).split('\n')[0];
const MIN = 60 * 1000;
const at = (iso) => Date.parse(iso);
let patient, doctor, doctorFacility;

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  patient = one('SELECT MIN(id) FROM patients');
  doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  doctorFacility = one(`SELECT facility_id FROM users WHERE id = ${doctor}`);
});

after(() => srv?.close());

// A visit written straight into the database: its facility, mode and state, booked at an ISO
// time, started and ended that many minutes later (or never). Returns its id.
let seq = 0;
function insertVisit({ fac, mode, state = 'planned', booked, start, end }) {
  const t = (m) => (m === undefined ? 'NULL' : at(booked) + m * MIN);
  const reason = `rollup ${seq++}`;
  srv.sql(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
    `started_at, ended_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${doctor}, ${doctorFacility}, ${doctor}, ` +
    `'${mode}', '${state}', '${reason}', ${t(start)}, ${t(end)}, ${at(booked)}, ${at(booked)});`);
  return Number(one(`SELECT id FROM visits WHERE reason = '${reason}'`));
}
const insertDiagnosis = (visit, code, ms) => srv.sql(`INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, created_at) ` +
  `VALUES (${visit}, '${code}', 0, ${doctor}, ${ms});`);
const insertSigned = (visit, ms) => srv.sql(`INSERT INTO prescriptions (visit_id, patient_id, status, items, created_by, created_at, updated_at, signed_at) ` +
  `VALUES (${visit}, ${patient}, 'signed', '[]', ${doctor}, ${ms}, ${ms}, ${ms});`);
const pick = (values, keys) => Object.fromEntries(keys.map((k) => [k, values[k]]));
const COUNTS = ['booked', 'started', 'completed', 'no_show', 'cancelled', 'prescriptions_signed', 'diagnoses'];
const delta = (a, b) => Object.fromEntries(COUNTS.map((k) => [k, b[k] - a[k]]));

test('through the API: booked, started, finished, cancelled, missed; a prescription signed, then superseded by a new signed version', async () => {
  // The API stamps every time with now: read the three days around today in Vietnam before and
  // after, and compare.
  const vnDay = (offset) => new Date(Date.now() + 7 * 3600 * 1000 + offset * 86400 * 1000).toISOString().slice(0, 10);
  const query = `?from=${vnDay(-1)}&to=${vnDay(1)}`;
  const was = (await report(query)).totals;
  const p = await as('demo.commune', 'POST', '/api/v1/patients', { full_name: 'Sùng Thị Mỷ', birth_year: 1980, sex: 'female' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  for (const purpose of ['remote_care', 'data_processing'])
    assert.equal((await as('demo.commune', 'POST', `/api/v1/patients/${p.body.id}/consents`,
      { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' })).status, 201);
  const book = async () => {
    const r = await as('demo.commune', 'POST', '/api/v1/visits', { patient_id: p.body.id, doctor_id: Number(doctor), mode: 'video', reason: 'Đau đầu' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const move = async (id, to, reason, who = 'demo.commune') =>
    assert.equal((await as(who, 'POST', `/api/v1/visits/${id}/transitions`, reason ? { to, reason } : { to })).status, 200);
  const now = async () => delta(was, (await report(query)).totals);
  const Z = Object.fromEntries(COUNTS.map((k) => [k, 0]));

  const v1 = await book(), v2 = await book(), v3 = await book(), v4 = await book();
  assert.deepEqual(await now(), { ...Z, booked: 4 });
  await move(v1, 'in_progress');
  await move(v2, 'cancelled', 'Bệnh nhân bận');
  await move(v3, 'no_show', 'Không liên lạc được');
  assert.deepEqual(await now(), { ...Z, booked: 4, started: 1, cancelled: 1, no_show: 1 });
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${v1}/diagnoses`, { icd10: 'I10', primary: true })).status, 201);
  const items = [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30, unit: 'viên' }];
  const draft = (await as('demo.doctor', 'POST', `/api/v1/visits/${v1}/prescriptions`, { items })).body;
  // A draft is not signed.
  assert.deepEqual(await now(), { ...Z, booked: 4, started: 1, cancelled: 1, no_show: 1, diagnoses: 1 });
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${draft.id}/sign`)).status, 200);
  assert.equal((await now()).prescriptions_signed, 1);
  // The correction: a new draft version (not counted), then signed — it counts again.
  const revised = (await as('demo.doctor', 'POST', `/api/v1/prescriptions/${draft.id}/revise`, { items: [{ ...items[0], quantity: 60 }] })).body;
  assert.equal((await now()).prescriptions_signed, 1);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${revised.id}/sign`)).status, 200);
  await move(v1, 'finished', null, 'demo.doctor');
  assert.deepEqual(await now(), { ...Z, booked: 4, started: 1, completed: 1, cancelled: 1, no_show: 1, prescriptions_signed: 2, diagnoses: 1 });
  const totals = (await report(query)).totals;
  assert.equal(totals.icd_ch09 - was.icd_ch09, 1);
  // v1 started seconds after it was booked: bucket 0 (the only start of these days but others'
  // seeds, which are in other years).
  if (was.started === 0) assert.deepEqual([totals.wait_median_min, totals.wait_p90_min], [0, 0]);
  assert.ok(v4 > 0);
});

test('booked at 23:59 on the last day of May in Vietnam and started after midnight: booked in May, started in June', async () => {
  // 2025-05-31T16:59Z is 23:59 on 31 May in Vietnam; it starts 31 minutes later, 00:30 on 1 June.
  const v = insertVisit({ fac: 'TYT-LUNGCU', mode: 'video', booked: '2025-05-31T16:59:00Z' });
  // Started through an update, as the API does it (planned → in progress).
  srv.sql(`UPDATE visits SET state = 'in_progress', started_at = ${at('2025-05-31T16:59:00Z') + 31 * MIN} WHERE id = ${v}`);
  const may = (await report('?period=month:2025-05')).totals, june = (await report('?period=month:2025-06')).totals;
  assert.deepEqual(pick(may, ['booked', 'started', 'wait_median_min']), { booked: 1, started: 0, wait_median_min: null });
  assert.deepEqual(pick(june, ['booked', 'started', 'wait_median_min', 'wait_p90_min']), { booked: 0, started: 1, wait_median_min: 31, wait_p90_min: 31 });
  assert.deepEqual(pick((await report('?period=day:2025-05-31')).totals, ['booked', 'started']), { booked: 1, started: 0 });
  assert.deepEqual(pick((await report('?period=day:2025-06-01')).totals, ['booked', 'started']), { booked: 0, started: 1 });
  // A day before May, the whole of May and a day after: lead day, month and tail day together.
  assert.deepEqual(pick((await report('?from=2025-04-30&to=2025-06-01')).totals, ['booked', 'started', 'wait_median_min']),
    { booked: 1, started: 1, wait_median_min: 31 });
  // A week across the two months (days only) and the year (months only).
  assert.deepEqual(pick((await report('?period=week:2025-W22')).totals, ['booked', 'started']), { booked: 1, started: 1 });
  assert.deepEqual(pick((await report('?period=year:2025')).totals, ['booked', 'started', 'wait_median_min']), { booked: 1, started: 1, wait_median_min: 31 });
  // It finishes on 2 June at 10:00 in Vietnam (03:00Z): completed in June, nothing else moves.
  srv.sql(`UPDATE visits SET state = 'finished', ended_at = ${at('2025-06-02T03:00:00Z')} WHERE id = ${v}`);
  assert.deepEqual(pick((await report('?period=month:2025-06')).totals, ['booked', 'started', 'completed', 'wait_median_min']),
    { booked: 0, started: 1, completed: 1, wait_median_min: 31 });
  assert.equal((await report('?period=month:2025-05')).totals.completed, 0);
});

test('a visit whose facility and mode change takes its counts, waits, diagnoses and prescriptions along', async () => {
  // March 2024: Lũng Cú, video, booked 10 March 02:00Z, started 90 minutes later, finished, with a
  // diagnosis J06 and a signed prescription; and a planned visit rescheduled from video to audio
  // (what a rescheduled appointment does to its visit, src/schedule/appointments.c).
  const v = insertVisit({ fac: 'TYT-LUNGCU', mode: 'video', state: 'finished', booked: '2024-03-10T02:00:00Z', start: 90, end: 100 });
  insertDiagnosis(v, 'J06', at('2024-03-10T02:00:00Z') + 95 * MIN);
  insertSigned(v, at('2024-03-10T02:00:00Z') + 99 * MIN);
  const planned = insertVisit({ fac: 'TYT-LUNGCU', mode: 'video', booked: '2024-03-12T02:00:00Z' });
  const rows = async (by) => Object.fromEntries((await report(`?period=month:2024-03&by=${by}`)).rows
    .map((r) => [r.key.code ?? r.key.id, pick(r.values, [...COUNTS, 'icd_ch10', 'wait_median_min'])]));
  const all = { booked: 1, started: 1, completed: 1, no_show: 0, cancelled: 0, prescriptions_signed: 1, diagnoses: 1, icd_ch10: 1, wait_median_min: 90 };
  const plannedOnly = { booked: 1, started: 0, completed: 0, no_show: 0, cancelled: 0, prescriptions_signed: 0, diagnoses: 0, icd_ch10: 0, wait_median_min: null };
  assert.deepEqual(await rows('mode'), { video: { ...all, booked: 2 } });
  srv.sql(`UPDATE visits SET mode = 'audio' WHERE id = ${planned}`);
  assert.deepEqual(await rows('mode'), { video: all, audio: plannedOnly });
  // The finished visit is moved to Mèo Vạc and to chat: Lũng Cú keeps only the planned one, and
  // video, left with zeros, is no longer a row.
  srv.sql(`UPDATE visits SET facility_id = ${F['TYT-MEOVAC']}, mode = 'chat' WHERE id = ${v}`);
  assert.deepEqual(await rows('mode'), { chat: all, audio: plannedOnly });
  assert.deepEqual(await rows('facility'), { [F['TYT-LUNGCU']]: plannedOnly, [F['TYT-MEOVAC']]: all });
  const meovac = await report(`?period=month:2024-03&facility=${F['TYT-MEOVAC']}`);
  assert.deepEqual(meovac.top_icd10.map((c) => [c.code, c.count]), [['J06', 1]]);
  assert.deepEqual((await report(`?period=month:2024-03&facility=${F['TYT-LUNGCU']}`)).top_icd10, []);
  // An edit the rollups do not read (the notes) changes nothing.
  srv.sql(`UPDATE visits SET assessment = 'Viêm họng', updated_at = updated_at + 1 WHERE id = ${v}`);
  assert.deepEqual(await rows('facility'), { [F['TYT-LUNGCU']]: plannedOnly, [F['TYT-MEOVAC']]: all });
});

test('a diagnosis recoded or deleted, a prescription and a visit deleted: the figures follow, down to the empty period', async () => {
  // July 2024: one visit of Lũng Cú with I10 and K29 and a signed prescription.
  const b = at('2024-07-05T01:00:00Z');
  const v = insertVisit({ fac: 'TYT-LUNGCU', mode: 'chat', state: 'finished', booked: '2024-07-05T01:00:00Z', start: 10, end: 20 });
  insertDiagnosis(v, 'I10', b + 12 * MIN);
  insertDiagnosis(v, 'K29', b + 13 * MIN);
  insertSigned(v, b + 15 * MIN);
  const july = async () => report('?period=month:2024-07&by=mode');
  let r = await july();
  assert.deepEqual(pick(r.totals, ['diagnoses', 'icd_ch09', 'icd_ch10', 'icd_ch11', 'prescriptions_signed']),
    { diagnoses: 2, icd_ch09: 1, icd_ch10: 0, icd_ch11: 1, prescriptions_signed: 1 });
  assert.deepEqual(r.top_icd10.map((c) => [c.code, c.count]), [['I10', 1], ['K29', 1]]);
  // K29 corrected to J06: chapter XI → X.
  srv.sql(`UPDATE visit_diagnoses SET code = 'J06' WHERE visit_id = ${v} AND code = 'K29'`);
  r = await july();
  assert.deepEqual(pick(r.totals, ['diagnoses', 'icd_ch09', 'icd_ch10', 'icd_ch11']), { diagnoses: 2, icd_ch09: 1, icd_ch10: 1, icd_ch11: 0 });
  assert.deepEqual(r.top_icd10.map((c) => [c.code, c.count]), [['I10', 1], ['J06', 1]]);
  // The API removes nothing, but whatever deletes a row, the rollups follow.
  srv.sql(`DELETE FROM visit_diagnoses WHERE visit_id = ${v} AND code = 'I10'`);
  srv.sql(`DELETE FROM prescriptions WHERE visit_id = ${v}`);
  r = await july();
  assert.deepEqual(pick(r.totals, ['booked', 'diagnoses', 'icd_ch09', 'icd_ch10', 'prescriptions_signed', 'wait_median_min']),
    { booked: 1, diagnoses: 1, icd_ch09: 0, icd_ch10: 1, prescriptions_signed: 0, wait_median_min: 10 });
  assert.deepEqual(r.top_icd10.map((c) => [c.code, c.count]), [['J06', 1]]);
  srv.sql(`DELETE FROM visit_diagnoses WHERE visit_id = ${v}; DELETE FROM visit_events WHERE visit_id = ${v}; DELETE FROM visits WHERE id = ${v}`);
  // Nothing left: zeros and nulls, no row (the rollup rows left at 0 list no group), no code.
  r = await july();
  assert.deepEqual(r.rows, []);
  assert.deepEqual(r.top_icd10, []);
  assert.ok(COUNTS.every((k) => r.totals[k] === 0), JSON.stringify(r.totals));
  assert.deepEqual([r.totals.wait_median_min, r.totals.wait_p90_min], [null, null]);
});
