// The remote visit report and the CSV of every report (docs/reports.md): a known set of visits,
// diagnoses and prescriptions is written straight into the database with controlled times (the
// API stamps every time with "now"), then every figure is checked against numbers worked out by
// hand from the seed list below: counts, the median and 90th percentile (nearest rank) of the
// wait from booking to start, the ICD-10 chapters and the top codes, the month boundary in Vietnam
// time, the empty period, rows that add up to the totals, who may read which place, bad input —
// and the CSV, parsed and compared with the JSON, small cells written "<5".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { otherPlacesAnswerLikeAbsent, badQueriesNameTheirField } from './lib/reports.mjs';

let srv;
const S = {};
const REPORT = '/api/v1/reports/visits';
const get = (who, query = '', headers = {}) => api(srv, 'GET', REPORT + query, { token: who && S[who].token, headers });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const MIN = 60 * 1000;
const at = (iso) => Date.parse(iso);

// The seed: the patient's facility, the mode, when it was booked, started and ended (minutes
// after booking), how it ended, its diagnoses (code, minutes after booking) and its prescriptions
// (status, minutes after booking).
const VISITS = [
  { name: 'v1', fac: 'TYT-LUNGCU', mode: 'video', booked: '2026-11-02T01:00:00Z', start: 30, end: 50, state: 'finished', dx: [['I10', 40], ['E11.9', 41]], rx: [['signed', 45]] },
  { name: 'v2', fac: 'TYT-LUNGCU', mode: 'audio', booked: '2026-11-03T02:00:00Z', start: 10, end: 20, state: 'finished', dx: [['J06', 15]], rx: [['signed', 18]] },
  { name: 'v3', fac: 'TYT-LUNGCU', mode: 'chat', booked: '2026-11-04T03:00:00Z', end: 60, state: 'no_show' },
  { name: 'v4', fac: 'TYT-MEOVAC', mode: 'assisted', booked: '2026-11-05T04:00:00Z', start: 120, end: 150, state: 'finished', dx: [['I10', 130]], rx: [['signed', 140], ['draft', 141]] },
  { name: 'v5', fac: 'TYT-MEOVAC', mode: 'video', booked: '2026-11-06T05:00:00Z', end: 1440, state: 'cancelled' },
  { name: 'v6', fac: 'TYT-YTY', mode: 'video', booked: '2026-11-07T06:00:00Z', start: 5, end: 25, state: 'finished', dx: [['K29', 10], ['Z00', 11]] },
  // The month boundary: 23:59 on 30 November in Vietnam is November; midnight is December.
  { name: 'v7', fac: 'TYT-LUNGCU', mode: 'video', booked: '2026-11-30T16:59:00Z', state: 'planned' },
  { name: 'v8', fac: 'TYT-LUNGCU', mode: 'video', booked: '2026-11-30T17:00:00Z', state: 'planned' },
  // Booked on 20 October, started at 00:30 on 1 November in Vietnam (17:30 UTC on 31 October):
  // a November start that waited 11 days 17½ hours = 16,890 minutes.
  { name: 'v9', fac: 'TYT-LUNGCU', mode: 'video', booked: '2026-10-20T00:00:00Z', start: 16890, end: 16900, state: 'finished', dx: [['A09', 16895]] },
  { name: 'v10', fac: 'TYT-LUNGCU', mode: 'audio', booked: '2026-11-10T07:00:00Z', start: 45, end: 60, state: 'finished', dx: [['I10', 50]], rx: [['signed', 55]] },
  // June: the edges of the ICD-10 chapters, and codes in the gaps between WHO's ranges.
  { name: 'v11', fac: 'TYT-YTY', mode: 'chat', booked: '2026-06-10T03:00:00Z', state: 'planned',
    dx: [['B99', 1], ['C00', 1], ['D48', 1], ['D49', 1], ['D50', 1], ['H59', 1], ['H60', 1], ['H96', 1], ['T98', 1], ['U07.1', 1], ['V01', 1], ['Y98', 1], ['Z99', 1]] },
  // March: waits shared by several visits (10, 50, 50, 50, 50 minutes), and a visit booked and
  // started in February whose only March figure is a diagnosis.
  { name: 'v12', fac: 'TYT-LUNGCU', mode: 'video', booked: '2026-03-02T01:00:00Z', start: 10, end: 20, state: 'finished' },
  { name: 'v13', fac: 'TYT-LUNGCU', mode: 'video', booked: '2026-03-03T01:00:00Z', start: 50, end: 60, state: 'finished' },
  { name: 'v14', fac: 'TYT-LUNGCU', mode: 'audio', booked: '2026-03-04T01:00:00Z', start: 50, end: 60, state: 'finished' },
  { name: 'v15', fac: 'TYT-MEOVAC', mode: 'video', booked: '2026-03-05T01:00:00Z', start: 50, end: 60, state: 'finished' },
  { name: 'v16', fac: 'TYT-MEOVAC', mode: 'video', booked: '2026-03-06T01:00:00Z', start: 50, end: 60, state: 'finished' },
  { name: 'v17', fac: 'TYT-YTY', mode: 'chat', booked: '2026-02-20T01:00:00Z', start: 5, end: 15, state: 'finished', dx: [['J06', 14 * 24 * 60]] },
];

const CHAPTERS = Array.from({ length: 22 }, (_, i) => `icd_ch${String(i + 1).padStart(2, '0')}`);
const ZERO = {
  booked: 0, started: 0, completed: 0, no_show: 0, cancelled: 0, prescriptions_signed: 0, diagnoses: 0,
  ...Object.fromEntries(CHAPTERS.map((k) => [k, 0])), wait_median_min: null, wait_p90_min: null,
  prescriptions_refused: 0, refused_pct: null,
};
const COUNTS = Object.keys(ZERO).filter((k) => ZERO[k] === 0);

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC', 'TYT-YTY', 'BVDK-HAGIANG'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const patient = one('SELECT MIN(id) FROM patients');
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const doctorFacility = one(`SELECT facility_id FROM users WHERE id = ${doctor}`);
  const sql = [];
  for (const v of VISITS) {
    const t = (m) => (m === undefined ? 'NULL' : at(v.booked) + m * MIN);
    sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
      `started_at, ended_at, created_at, updated_at) VALUES (${patient}, ${F[v.fac]}, ${doctor}, ${doctorFacility}, ${doctor}, ` +
      `'${v.mode}', '${v.state}', 'seed ${v.name}', ${t(v.start)}, ${t(v.end)}, ${at(v.booked)}, ${at(v.booked)});`);
    const id = `(SELECT id FROM visits WHERE reason = 'seed ${v.name}')`;
    for (const [code, m] of v.dx || [])
      sql.push(`INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, created_at) VALUES (${id}, '${code}', 0, ${doctor}, ${t(m)});`);
    for (const [status, m] of v.rx || [])
      sql.push(`INSERT INTO prescriptions (visit_id, patient_id, status, items, created_by, created_at, updated_at, signed_at) ` +
        `VALUES (${id}, ${patient}, '${status}', '[]', ${doctor}, ${t(m)}, ${t(m)}, ${status === 'signed' ? t(m) : 'NULL'});`);
  }
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

// November 2026 for the country, by hand from VISITS:
// booked: v1 v2 v3 v4 v5 v6 v7 v10 = 8 (v8: December; v9: October)
// started: v1 30, v2 10, v4 120, v6 5, v9 16890, v10 45 = 6. Waits are kept in buckets named by
//   their first minute (docs/reports.md): below 2 h the minute itself (5 10 30 45); 120 min is
//   under a day, in 10-minute buckets: 120; 16 890 min (11 d 17 h 30 min) is over a week, in days:
//   11 × 1440 = 15 840. Sorted 5 10 30 45 120 15840: median = rank ceil(3) = 3rd = 30;
//   p90 = rank ceil(5.4) = 6th = 15840
// completed: v1 v2 v4 v6 v9 v10 = 6; no-show v3; cancelled v5
// signed: v1 v2 v4 v10 = 4 (v4's draft is not signed)
// diagnoses: I10 ×3 (IX), E11.9 (IV), J06 (X), K29 (XI), Z00 (XXI), A09 (I) = 8
const NOVEMBER = {
  ...ZERO, booked: 8, started: 6, completed: 6, no_show: 1, cancelled: 1, prescriptions_signed: 4, refused_pct: 0, diagnoses: 8,
  icd_ch09: 3, icd_ch04: 1, icd_ch10: 1, icd_ch11: 1, icd_ch21: 1, icd_ch01: 1, wait_median_min: 30, wait_p90_min: 15840,
};

test('November for the country: every figure as worked out by hand, the chapters and the top codes', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2026-11');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'visits');
  assert.deepEqual(r.body.period, { from: '2026-11-01', to: '2026-11-30', tz: 'Asia/Ho_Chi_Minh' });
  assert.deepEqual(r.body.scope, { kind: 'country', id: null, name: 'Việt Nam' });
  assert.deepEqual(r.body.columns.map((c) => c.key).sort(), Object.keys(ZERO).sort());
  for (const c of r.body.columns) assert.ok(c.label_vi && c.label_en, c.key);
  assert.deepEqual(r.body.totals, NOVEMBER);
  // I10 three times, then the codes seen once in code order.
  assert.deepEqual(r.body.top_icd10.map((x) => [x.code, x.count]), [['I10', 3], ['A09', 1], ['E11.9', 1], ['J06', 1], ['K29', 1], ['Z00', 1]]);
  assert.equal(r.body.top_icd10[0].name_vi, one("SELECT name_vi FROM icd10 WHERE code = 'I10'"));
});

test('ICD-10 chapters (WHO 2019): the edges, and codes in the gaps fall in the chapter before them', async () => {
  const june = (await get('demo.ministry-admin', '?period=month:2026-06')).body.totals;
  // B99 I; C00 D48 D49 II; D50 III; H59 VII; H60 H96 VIII; T98 XIX; U07.1 XXII; V01 Y98 XX; Z99 XXI.
  assert.deepEqual(Object.fromEntries(CHAPTERS.map((k) => [k, june[k]]).filter(([, n]) => n)),
    { icd_ch01: 1, icd_ch02: 3, icd_ch03: 1, icd_ch07: 1, icd_ch08: 2, icd_ch19: 1, icd_ch20: 2, icd_ch21: 1, icd_ch22: 1 });
  assert.equal(june.diagnoses, 13);
});

test('the month boundary is Vietnam midnight, and the empty period is zeros and nulls', async () => {
  assert.equal((await get('demo.ministry-admin', '?period=month:2026-12')).body.totals.booked, 1); // v8
  assert.equal((await get('demo.ministry-admin', '?period=day:2026-11-30')).body.totals.booked, 1); // v7
  assert.equal((await get('demo.ministry-admin', '?period=day:2026-12-01')).body.totals.booked, 1); // v8
  // v9: booked in October, started (00:30 on 1 November, Vietnam) in November.
  const oct = (await get('demo.ministry-admin', '?period=month:2026-10')).body.totals;
  assert.deepEqual([oct.booked, oct.started, oct.wait_median_min], [1, 0, null]);
  const empty = await get('demo.ministry-admin', '?period=month:2025-01&by=mode');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.rows, []);
  assert.deepEqual(empty.body.totals, ZERO);
  assert.deepEqual(empty.body.top_icd10, []);
});

test('by facility, province and mode: rows add up to the totals, waits over each row', async () => {
  const r = (await get('demo.ministry-admin', '?period=month:2026-11&by=facility')).body;
  assert.deepEqual(r.totals, NOVEMBER);
  const row = (code) => r.rows.find((x) => x.key.id === F[code]).values;
  assert.equal(r.rows.length, 3);
  // Lũng Cú: booked v1 v2 v3 v7 v10; started v1 30, v2 10, v9 16890 (bucket 15840), v10 45 (median
  // 2nd = 30, p90 rank ceil(3.6) = 4th = 15840); signed v1 v2 v10; diagnoses I10 E11.9 J06 A09 I10.
  assert.deepEqual(row('TYT-LUNGCU'), { ...ZERO, booked: 5, started: 4, completed: 4, no_show: 1, prescriptions_signed: 3, refused_pct: 0, diagnoses: 5,
    icd_ch09: 2, icd_ch04: 1, icd_ch10: 1, icd_ch01: 1, wait_median_min: 30, wait_p90_min: 15840 });
  assert.deepEqual(row('TYT-MEOVAC'), { ...ZERO, booked: 2, started: 1, completed: 1, cancelled: 1, prescriptions_signed: 1, refused_pct: 0, diagnoses: 1,
    icd_ch09: 1, wait_median_min: 120, wait_p90_min: 120 });
  assert.deepEqual(row('TYT-YTY'), { ...ZERO, booked: 1, started: 1, completed: 1, diagnoses: 2, icd_ch11: 1, icd_ch21: 1, wait_median_min: 5, wait_p90_min: 5 });
  for (const by of ['facility', 'province', 'mode']) {
    const b = (await get('demo.ministry-admin', `?period=month:2026-11&by=${by}`)).body;
    assert.deepEqual(b.totals, NOVEMBER, by);
    for (const k of COUNTS) assert.equal(b.rows.reduce((s, x) => s + x.values[k], 0), NOVEMBER[k], `${by}: sum of ${k}`);
  }
  // A whole calendar year by facility reads the waits' year rows (migration 0033); a range from 2
  // January to 31 December reads days and months. Nothing started on 1 January 2026 (the demo's and
  // the seed's visits are later), so both are the same visits and must agree row by row — the
  // year's waits kept by the year rows' trigger against the months'.
  const year = (await get('demo.ministry-admin', '?period=year:2026&by=facility')).body;
  const range = (await get('demo.ministry-admin', '?from=2026-01-02&to=2026-12-31&by=facility')).body;
  assert.ok(year.rows.some((x) => x.values.started > 1), 'a facility with several waits');
  assert.deepEqual(year.rows, range.rows);
  assert.deepEqual(year.totals, range.totals);
  const modes = (await get('demo.ministry-admin', '?period=month:2026-11&by=mode')).body.rows;
  assert.deepEqual(Object.fromEntries(modes.map((x) => [x.key.id, x.values.booked])), { video: 4, audio: 2, chat: 1, assisted: 1 });
  assert.match(modes.find((x) => x.key.id === 'assisted').key.name, /^Tại trạm/);
});

test('who reads which place: own facility and province yes; another is 404 like an absent one; others 403; logged out 401', async () => {
  const tq = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`));
  const laocai = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`));
  const absentFacility = Number(one('SELECT MAX(id) FROM facilities')) + 1000;
  const absentProvince = Number(one('SELECT MAX(id) FROM admin_units')) + 1000;
  const province = await get('demo.province-admin', '?period=month:2026-11');
  assert.equal(province.status, 200);
  assert.equal(province.body.scope.id, tq);
  assert.equal(province.body.totals.booked, 7); // v6 of Lào Cai left out
  assert.equal((await get('demo.province-admin', `?period=month:2026-11&facility=${F['TYT-MEOVAC']}`)).body.totals.booked, 2);
  const own = await get('demo.facility-admin', '?period=month:2026-11');
  assert.equal(own.status, 200);
  assert.deepEqual(own.body.scope.id, F['BVDK-HAGIANG']);
  assert.equal(own.body.totals.booked, 0);
  await otherPlacesAnswerLikeAbsent(get, { F, tq, laocai, absentFacility, absentProvince });
  for (const who of ['demo.doctor', 'demo.commune', 'demo.patient'])
    assertError(await get(who, '?period=month:2026-11'), 403);
  assertError(await get(null, '?period=month:2026-11'), 401);
});

test('bad input: 400 naming the parameter, for each', async () => {
  await badQueriesNameTheirField(get, [
    ['?period=month:2026-13', 'period'], ['?from=2026-11-01', 'to'], ['?from=2026-01-01&to=2027-01-02', 'to'],
    ['?by=urgency', 'by'], ['?by=patient', 'by'], ['?facility=abc', 'facility'], ['?province=-1', 'province'],
    ['?format=xml', 'format'], ['?format=', 'format'],
  ]);
  assertError(await get('demo.ministry-admin', '?format=xml', { accept: 'text/csv' }), 400);
});

// A CSV parser for what the report writes: quoted text, plain numbers, CRLF lines.
function parseCsv(text) {
  const lines = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); lines.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  assert.equal(cell + row.join(''), '', 'the CSV ends with a line break');
  return lines;
}

// What a figure of the visit report becomes in the CSV: a count of 1 to 4 is "<5", and so is a
// wait measured over 1 to 4 started visits; null is an empty cell.
function shown(values, column) {
  const base = column.key.endsWith('_min') ? values.started : values[column.key];
  if (base >= 1 && base <= 4) return '<5';
  return values[column.key] === null ? '' : String(values[column.key]);
}

test('CSV: BOM, Vietnamese labels (English on request), one line per row and the totals, small cells "<5"', async () => {
  const json = (await get('demo.ministry-admin', '?period=month:2026-11&by=facility')).body;
  const r = await get('demo.ministry-admin', '?period=month:2026-11&by=facility&format=csv');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="bao-cao-kham-tu-xa-2026-11.csv"');
  assert.equal(r.body.charCodeAt(0), 0xfeff, 'the BOM');
  const lines = parseCsv(r.body.slice(1));
  assert.deepEqual(lines[0], ['Nhóm', ...json.columns.map((c) => c.label_vi)]);
  assert.equal(lines[0][1], 'Lượt khám được đặt');
  assert.equal(lines.length, 1 + json.rows.length + 1);
  for (const [i, row] of json.rows.entries())
    assert.deepEqual(lines[1 + i], [row.key.name, ...json.columns.map((c) => shown(row.values, c))], row.key.name);
  assert.deepEqual(lines.at(-1), ['Tổng cộng', ...json.columns.map((c) => shown(json.totals, c))]);
  // By hand: Lũng Cú signed 3 prescriptions — "<5"; booked 5 stays 5; cancelled 0 stays 0; its
  // wait is over 4 started visits — "<5". The totals: 8 booked, 6 started, a median of 30.
  const col = (key) => 1 + json.columns.findIndex((c) => c.key === key);
  const lungcu = lines.find((l) => l[0] === one(`SELECT name FROM facilities WHERE id = ${F['TYT-LUNGCU']}`));
  assert.deepEqual([lungcu[col('prescriptions_signed')], lungcu[col('booked')], lungcu[col('cancelled')], lungcu[col('wait_median_min')]], ['<5', '5', '0', '<5']);
  const total = lines.at(-1);
  assert.deepEqual([total[col('booked')], total[col('started')], total[col('wait_median_min')], total[col('wait_p90_min')], total[col('prescriptions_signed')]], ['8', '6', '30', '15840', '<5']);

  // English labels, and Accept: text/csv without format.
  const en = await get('demo.ministry-admin', '?period=month:2026-11', { accept: 'text/csv', 'accept-language': 'en-GB,en;q=0.9' });
  assert.equal(en.status, 200);
  const enLines = parseCsv(en.body.slice(1));
  assert.deepEqual(enLines[0], ['place', ...json.columns.map((c) => c.label_en)]);
  assert.equal(enLines.length, 2);
  assert.equal(enLines[1][0], 'Total');
  // A range of days names its file by both days.
  const range = await get('demo.ministry-admin', '?from=2026-11-03&to=2026-11-09&format=csv');
  assert.equal(range.headers.get('content-disposition'), 'attachment; filename="bao-cao-kham-tu-xa-2026-11-03_2026-11-09.csv"');
});

test('level: the patient\'s facility\'s level filters the visits, the diagnoses and the top codes; 400 off the list', async () => {
  // Every seeded visit is of a commune station (Lũng Cú, Mèo Vạc, Y Tý): commune is November whole,
  // any other level is empty — the chapters and the top codes too.
  const commune = (await get('demo.ministry-admin', '?period=month:2026-11&level=commune')).body;
  assert.deepEqual(commune.totals, NOVEMBER);
  assert.equal(commune.top_icd10[0].code, 'I10');
  const district = await get('demo.ministry-admin', '?period=month:2026-11&level=district&by=facility');
  assert.equal(district.status, 200);
  assert.deepEqual(district.body.rows, []);
  assert.deepEqual(district.body.totals, ZERO);
  assert.deepEqual(district.body.top_icd10, []);
  await badQueriesNameTheirField(get, [['?level=xa', 'level'], ['?specialty=cardiology', 'specialty']]);
});

// March 2026, by hand from VISITS: started v12 10, v13 50, v14 50, v15 50, v16 50; sorted 10 50 50
// 50 50: median = rank ceil(2.5) = 3rd = 50, p90 = rank ceil(4.5) = 5th = 50. By facility:
// TYT-LUNGCU 10 50 50 → median 2nd = 50, p90 3rd = 50; TYT-MEOVAC 50 50 → 50, 50. v17 was booked,
// started and ended in February; its J06 of 6 March makes TYT-YTY a row with that diagnosis only.
test('March: waits many visits share count once each in the percentiles; a row with only a diagnosis in the period', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2026-03&by=facility');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.totals, { ...ZERO, booked: 5, started: 5, completed: 5, diagnoses: 1, icd_ch10: 1, wait_median_min: 50, wait_p90_min: 50 });
  const row = (code) => r.body.rows.find((x) => x.key.id === F[code])?.values;
  assert.deepEqual(r.body.rows.map((x) => x.key.id), [F['TYT-LUNGCU'], F['TYT-MEOVAC'], F['TYT-YTY']].sort((a, b) => a - b));
  assert.deepEqual(row('TYT-LUNGCU'), { ...ZERO, booked: 3, started: 3, completed: 3, wait_median_min: 50, wait_p90_min: 50 });
  assert.deepEqual(row('TYT-MEOVAC'), { ...ZERO, booked: 2, started: 2, completed: 2, wait_median_min: 50, wait_p90_min: 50 });
  assert.deepEqual(row('TYT-YTY'), { ...ZERO, diagnoses: 1, icd_ch10: 1 });
  const byMode = await get('demo.ministry-admin', '?period=month:2026-03&by=mode');
  assert.deepEqual(byMode.body.rows.map((x) => [x.key.id, x.values.started, x.values.wait_median_min, x.values.diagnoses]),
    [['audio', 1, 50, 0], ['chat', 0, null, 1], ['video', 4, 50, 0]]);
});
