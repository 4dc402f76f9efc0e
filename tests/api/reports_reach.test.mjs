// The reach report (docs/reports.md, "Reach"): a known set of people — their birth, ethnicity,
// household and other flags, when they were registered, their consent to remote care and their
// visits and consultations — is written straight into the database with controlled times, then
// every figure is checked against numbers worked out by hand from the list below: registered at
// the period's end, new, consented, reached (once however many visits) and per 1,000, for everyone
// and for each group; the ages at the period's end; the month boundary in Vietnam time; the empty
// period; rows that add up (by place) or overlap (by group); who may read which place; bad input;
// and the CSV with its small cells.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { badQueriesNameTheirField } from './lib/reports.mjs';

let srv;
const S = {};
const REPORT = '/api/v1/reports/reach';
const get = (who, query = '', headers = {}) => api(srv, 'GET', REPORT + query, { token: who && S[who].token, headers });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const at = (iso) => Date.parse(iso);

// The seed. November 2026 ends on the 30th: 60 or over means born on or before 1966-11-30; under 6,
// born after 2020-11-30; with only a birth year, born on 1 January of it.
const PEOPLE = [
  { name: 'p1', fac: 'TYT-LUNGCU', born: '1960-05-01', eth: '01', created: '2026-01-10T00:00:00Z', consent: ['2026-02-01T00:00:00Z'], visits: ['2026-11-05T03:00:00Z'] },
  { name: 'p2', fac: 'TYT-LUNGCU', born: '1966-11-30', eth: '08', created: '2026-11-03T00:00:00Z', consent: ['2026-11-03T00:00:00Z', '2026-11-20T00:00:00Z'], visits: ['2026-11-04T03:00:00Z', '2026-11-12T03:00:00Z'] },
  { name: 'p3', fac: 'TYT-LUNGCU', born: '1966-12-01', eth: '08', poor: 1, created: '2025-06-01T00:00:00Z', consults: ['2026-11-10T03:00:00Z'] },
  { name: 'p4', fac: 'TYT-LUNGCU', born: '2020-12-01', eth: '02', created: '2026-11-15T00:00:00Z', consent: ['2026-11-15T00:00:00Z'] },
  { name: 'p5', fac: 'TYT-LUNGCU', born: '2020-11-30', eth: '01', nearPoor: 1, created: '2026-05-01T00:00:00Z', visits: ['2026-10-20T03:00:00Z'] },
  { name: 'p6', fac: 'TYT-LUNGCU', year: 1966, eth: null, disability: 1, created: '2026-03-01T00:00:00Z', consent: ['2026-12-01T00:00:00Z'] },
  // The month boundary: registered and seen at 23:59 on 30 November in Vietnam; p8 at midnight.
  { name: 'p7', fac: 'TYT-LUNGCU', born: '1995-01-01', eth: '01', pregnant: 1, created: '2026-11-30T16:59:00Z', visits: ['2026-11-30T16:59:00Z'] },
  { name: 'p8', fac: 'TYT-LUNGCU', born: '1990-01-01', eth: '01', created: '2026-11-30T17:00:00Z' },
  { name: 'p9', fac: 'TYT-YTY', born: '1980-01-01', eth: '09', created: '2026-01-01T00:00:00Z', consent: ['2026-01-01T00:00:00Z'], visits: ['2026-11-08T03:00:00Z'] },
  { name: 'p10', fac: 'TYT-LUNGCU', year: 2021, eth: '01', created: '2026-02-01T00:00:00Z', consults: ['2026-10-30T03:00:00Z'] },
  // Born in 2020, year only: 6 on 1 January 2026, so not under 6 at the end of November.
  { name: 'p11', fac: 'TYT-YTY', year: 2020, eth: '01', created: '2026-01-01T00:00:00Z' },
];

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-YTY', 'BVDK-HAGIANG'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const doctorFacility = one(`SELECT facility_id FROM users WHERE id = ${doctor}`);
  const sql = [];
  for (const p of PEOPLE) {
    const year = p.year ?? Number(p.born.slice(0, 4));
    sql.push(`INSERT INTO patients (facility_id, full_name, name_folded, birth_date, birth_year, sex, ethnicity, poor_household, ` +
      `near_poor_household, disability, pregnant, created_by, created_at, updated_at) VALUES (${F[p.fac]}, 'Seed ${p.name}', 'seed ${p.name}', ` +
      `${p.born ? `'${p.born}'` : 'NULL'}, ${year}, '${p.pregnant ? 'female' : 'male'}', ${p.eth ? `'${p.eth}'` : 'NULL'}, ${p.poor ?? 0}, ` +
      `${p.nearPoor ?? 0}, ${p.disability ?? 0}, ${p.pregnant ?? 0}, ${doctor}, ${at(p.created)}, ${at(p.created)});`);
    const id = `(SELECT id FROM patients WHERE full_name = 'Seed ${p.name}')`;
    if (p.consent)
      sql.push(`INSERT INTO consents (patient_id, purpose, method, given_by, recorded_by, granted_at, withdrawn_at) VALUES ` +
        `(${id}, 'remote_care', 'paper_signed', 'patient', ${doctor}, ${at(p.consent[0])}, ${p.consent[1] ? at(p.consent[1]) : 'NULL'});`);
    for (const v of p.visits || [])
      sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, started_at, ` +
        `created_at, updated_at) VALUES (${id}, ${F[p.fac]}, ${doctor}, ${doctorFacility}, ${doctor}, 'video', 'in_progress', 'seed', ${at(v)}, ${at(v)}, ${at(v)});`);
    for (const c of p.consults || [])
      sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, requested_at, ` +
        `created_at, updated_at) VALUES (${id}, ${F[p.fac]}, ${doctor}, 'seed', 'routine', 'internal', 'general', 'requested', ${at(c)}, ${at(c)}, ${at(c)});`);
  }
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

const ZERO = { registered: 0, new: 0, consented: 0, reached: 0, reached_per_1000: null };
const COUNTS = ['registered', 'new', 'consented', 'reached'];
const fig = (registered, nw, consented, reached, per) => ({ registered, new: nw, consented, reached, reached_per_1000: per });

// November 2026, the country, by hand:
// registered by its end: p1–p7, p9, p10, p11 = 10 (p8: December); new: p2 p4 p7 = 3
// consented at its end: p1 p4 p9 = 3 (p2 withdrew on the 20th; p6 consented in December)
// reached: p1, p2 (two visits, once), p3 (a consultation), p7, p9 = 5 (p5, p10: October) → 5 × 1000 / 10 = 500
const NOVEMBER = fig(10, 3, 3, 5, 500);

test('November for the country: every figure as worked out by hand', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2026-11');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'reach');
  assert.deepEqual(r.body.period, { from: '2026-11-01', to: '2026-11-30', tz: 'Asia/Ho_Chi_Minh' });
  assert.deepEqual(r.body.columns.map((c) => c.key), Object.keys(ZERO));
  assert.deepEqual(r.body.totals, NOVEMBER);
  assert.deepEqual(r.body.rows, []);
});

test('by group: minorities and each ethnicity, ages at the period end, households, pregnancy, disability', async () => {
  const r = (await get('demo.ministry-admin', '?period=month:2026-11&by=group')).body;
  assert.deepEqual(r.totals, NOVEMBER);
  assert.deepEqual(Object.fromEntries(r.rows.map((x) => [x.key.id, x.values])), {
    ethnic_minority: fig(4, 2, 2, 3, 750), // p2 p3 (Mông), p4 (Tày), p9 (Dao)
    'ethnicity:02': fig(1, 1, 1, 0, 0), // p4
    'ethnicity:08': fig(2, 1, 0, 2, 1000), // p2 p3
    'ethnicity:09': fig(1, 0, 1, 1, 1000), // p9
    age_60_plus: fig(3, 1, 1, 2, 666.7), // p1 (66), p2 (60 on the last day), p6 (born 1966, year only); not p3 (59)
    under_6: fig(2, 1, 1, 0, 0), // p4 (5), p10 (born 2021, year only); not p5 (6 on the last day), nor p11 (2020)
    pregnant: fig(1, 1, 0, 1, 1000), // p7
    poor: fig(1, 0, 0, 1, 1000), // p3
    near_poor: fig(1, 0, 0, 0, 0), // p5
    disability: fig(1, 0, 0, 0, 0), // p6
  });
  assert.equal(r.rows.find((x) => x.key.id === 'ethnicity:08').key.name, `${one("SELECT name_vi FROM ethnicities WHERE code = '08'")} / Hmong`);
});

test('by facility and province: rows add up to the totals; a province administrator reads its own', async () => {
  for (const by of ['facility', 'province']) {
    const r = (await get('demo.ministry-admin', `?period=month:2026-11&by=${by}`)).body;
    assert.deepEqual(r.totals, NOVEMBER, by);
    for (const k of COUNTS) assert.equal(r.rows.reduce((s, x) => s + x.values[k], 0), NOVEMBER[k], `${by}: sum of ${k}`);
  }
  const r = (await get('demo.ministry-admin', '?period=month:2026-11&by=facility')).body;
  assert.deepEqual(r.rows.find((x) => x.key.id === F['TYT-LUNGCU']).values, fig(8, 3, 2, 4, 500));
  assert.deepEqual(r.rows.find((x) => x.key.id === F['TYT-YTY']).values, fig(2, 0, 1, 1, 500)); // p9, p11
  const province = await get('demo.province-admin', '?period=month:2026-11');
  assert.deepEqual(province.body.totals, fig(8, 3, 2, 4, 500)); // Lào Cai's p9 and p11 left out
});

test('the month boundary is Vietnam midnight, and the empty period is zeros and a null rate', async () => {
  const last = (await get('demo.ministry-admin', '?period=day:2026-11-30')).body.totals;
  assert.deepEqual([last.new, last.reached], [1, 1]); // p7
  assert.equal((await get('demo.ministry-admin', '?period=day:2026-12-01')).body.totals.new, 1); // p8
  const empty = await get('demo.ministry-admin', '?period=month:2025-01&by=group');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.rows, []);
  assert.deepEqual(empty.body.totals, ZERO);
});

test('who reads which place, and bad input', async () => {
  const laocai = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`));
  const absentProvince = Number(one('SELECT MAX(id) FROM admin_units')) + 1000;
  const own = await get('demo.facility-admin', '?period=month:2026-11');
  assert.equal(own.status, 200);
  assert.equal(own.body.scope.id, F['BVDK-HAGIANG']);
  const other = await get('demo.province-admin', `?province=${laocai}`), none = await get('demo.province-admin', `?province=${absentProvince}`);
  assertError(other, 404);
  assert.deepEqual(other.body, none.body);
  assertError(await get('demo.facility-admin', `?facility=${F['TYT-LUNGCU']}`), 404);
  assertError(await get('demo.doctor', '?period=month:2026-11'), 403);
  assertError(await get(null, '?period=month:2026-11'), 401);
  await badQueriesNameTheirField(get, [['?period=month:2026-00', 'period'], ['?by=mode', 'by'], ['?facility=x', 'facility'], ['?format=xml', 'format']]);
});

test('CSV: people counted 1 to 4 are "<5", and so is a rate over 1 to 4 people', async () => {
  const json = (await get('demo.ministry-admin', '?period=month:2026-11&by=group')).body;
  const r = await get('demo.ministry-admin', '?period=month:2026-11&by=group&format=csv');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="bao-cao-tiep-can-2026-11.csv"');
  assert.equal(r.body.charCodeAt(0), 0xfeff);
  const lines = r.body.slice(1).split('\r\n').filter(Boolean).map((l) => l.split(',').map((c) => c.replace(/^"(.*)"$/, '$1')));
  assert.deepEqual(lines[0], ['Nhóm', ...json.columns.map((c) => c.label_vi)]);
  assert.equal(lines.length, json.rows.length + 2);
  // Totals: 10 registered, 3 new → "<5", 3 consented → "<5", 5 reached, 500 per 1,000 over 10.
  assert.deepEqual(lines.at(-1), ['Tổng cộng', '10', '<5', '<5', '5', '500']);
  // Minorities: 4 registered, 2 new, 2 consented, 3 reached: all "<5", the rate over 4 people too.
  assert.deepEqual(lines[1], ['Dân tộc thiểu số / ethnic minorities', '<5', '<5', '<5', '<5', '<5']);
  // Tày: none reached — 0 stays 0; its rate (0 of 1 person) is still a figure over 1 person.
  assert.deepEqual(lines.find((l) => l[0].endsWith('/ Tay')).slice(1), ['<5', '<5', '<5', '0', '<5']);
});

test('level: people by the level of the facility that registered them; 400 off the list', async () => {
  // Everyone seeded is registered at a commune station (Lũng Cú, Y Tý).
  assert.deepEqual((await get('demo.ministry-admin', '?period=month:2026-11&level=commune')).body.totals, NOVEMBER);
  const provincial = await get('demo.ministry-admin', '?period=month:2026-11&level=provincial&by=facility');
  assert.equal(provincial.status, 200);
  assert.deepEqual(provincial.body.rows, []);
  assert.deepEqual(provincial.body.totals, fig(0, 0, 0, 0, null));
  await badQueriesNameTheirField(get, [['?level=thon', 'level'], ['?specialty=cardiology', 'specialty']]);
});

// The database first groups people who are alike — same place, ethnicity and whether new,
// consented and reached — and then adds the groups up (src/reports/reach.c). People alike but for
// one of those flags must land in different groups: March 2027 at TYT-YTY, five new Kinh people.
test('people alike but for consent or reach are each counted in their own figures', async () => {
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const doctorFacility = one(`SELECT facility_id FROM users WHERE id = ${doctor}`);
  const created = at('2027-03-02T00:00:00Z');
  const sql = [];
  const MARCH = [
    { name: 'q1', born: '1950-01-01', consent: '2027-03-03T00:00:00Z', visits: ['2027-03-05T03:00:00Z'] },
    { name: 'q2', born: '1950-01-01', consent: '2027-03-03T00:00:00Z' },
    { name: 'q3', born: '1950-01-01', consults: ['2027-03-10T03:00:00Z'] },
    { name: 'q4', born: '1990-01-01', poor: 1, visits: ['2027-03-06T03:00:00Z'], consults: ['2027-03-07T03:00:00Z'] },
    { name: 'q5', born: '1990-01-01', poor: 1 },
  ];
  for (const p of MARCH) {
    sql.push(`INSERT INTO patients (facility_id, full_name, name_folded, birth_date, birth_year, sex, ethnicity, poor_household, ` +
      `created_by, created_at, updated_at) VALUES (${F['TYT-YTY']}, 'Seed ${p.name}', 'seed ${p.name}', '${p.born}', ` +
      `${p.born.slice(0, 4)}, 'male', '01', ${p.poor ?? 0}, ${doctor}, ${created}, ${created});`);
    const id = `(SELECT id FROM patients WHERE full_name = 'Seed ${p.name}')`;
    if (p.consent)
      sql.push(`INSERT INTO consents (patient_id, purpose, method, given_by, recorded_by, granted_at) VALUES ` +
        `(${id}, 'remote_care', 'paper_signed', 'patient', ${doctor}, ${at(p.consent)});`);
    for (const v of p.visits || [])
      sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, started_at, ` +
        `created_at, updated_at) VALUES (${id}, ${F['TYT-YTY']}, ${doctor}, ${doctorFacility}, ${doctor}, 'video', 'in_progress', 'seed', ${at(v)}, ${at(v)}, ${at(v)});`);
    for (const c of p.consults || [])
      sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, requested_at, ` +
        `created_at, updated_at) VALUES (${id}, ${F['TYT-YTY']}, ${doctor}, 'seed', 'routine', 'internal', 'general', 'requested', ${at(c)}, ${at(c)}, ${at(c)});`);
  }
  srv.sql(sql.join('\n'));
  const r = (await get('demo.ministry-admin', `?period=month:2027-03&by=group&facility=${F['TYT-YTY']}`)).body;
  // TYT-YTY at the end of March 2027: p9, p11, q1–q5 = 7; new: q1–q5 = 5; consented: p9, q1, q2 = 3;
  // reached: q1 (a visit), q3 (a consultation), q4 (both, once) = 3 → 3 × 1000 / 7 = 428.6.
  assert.deepEqual(r.totals, fig(7, 5, 3, 3, 428.6));
  assert.deepEqual(Object.fromEntries(r.rows.map((x) => [x.key.id, x.values])), {
    ethnic_minority: fig(1, 0, 1, 0, 0), // p9 (Dao)
    'ethnicity:09': fig(1, 0, 1, 0, 0),
    age_60_plus: fig(3, 3, 2, 2, 666.7), // q1 q2 q3; consented q1 q2; reached q1 q3
    poor: fig(2, 2, 0, 1, 500), // q4 q5; reached q4
  });
});
