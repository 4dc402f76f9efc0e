// The consultation report (docs/reports.md): a known set of cases is written straight into the
// database with controlled times (the API stamps every time with "now", and a report is about
// periods that have passed), then every figure is checked against numbers worked out by hand from
// the seed list below — never by the report's own SQL: counts, the median and 90th percentile
// (nearest rank) of the time to acceptance and to conclusion, the share accepted within the
// urgency's deadline, the month boundary in Vietnam time, the empty period, rows that add up to
// the totals, who may read which place, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { otherPlacesAnswerLikeAbsent, badQueriesNameTheirField } from './lib/reports.mjs';

let srv;
const S = {};
const REPORT = '/api/v1/reports/consultations';
const get = (who, query = '') => api(srv, 'GET', REPORT + query, { token: who && S[who].token });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {}; // facility ids by code
const MIN = 60 * 1000;
const at = (iso) => Date.parse(iso);

// The seed: who asked, the hub that has the case, urgency, specialty, kind, when it was requested,
// accepted and concluded (minutes after the request), the recommendation, and its state. The
// deadlines are the defaults: emergency 15, urgent 120, routine 1,440 minutes.
const CASES = [
  { name: 'c1', from: 'TYT-LUNGCU', hub: 'TTYT-DONGVAN', urgency: 'urgent', specialty: 'internal', kind: 'general', req: '2026-11-02T01:00:00Z', acc: 30, con: 300, rec: 'treat_locally', state: 'concluded' },
  { name: 'c2', from: 'TYT-LUNGCU', hub: 'BVDK-HAGIANG', urgency: 'emergency', specialty: 'cardiology', kind: 'ecg', req: '2026-11-05T02:00:00Z', acc: 10, con: 120, rec: 'transfer', state: 'concluded' },
  { name: 'c3', from: 'TYT-MEOVAC', hub: 'TTYT-DONGVAN', urgency: 'routine', specialty: 'internal', kind: 'imaging', req: '2026-11-10T03:00:00Z', acc: 1500, con: 3000, rec: 'more_tests', state: 'concluded' },
  { name: 'c4', from: 'TYT-MEOVAC', hub: 'BVDK-HAGIANG', urgency: 'urgent', specialty: 'cardiology', kind: 'general', req: '2026-11-12T04:00:00Z', acc: 200, state: 'accepted' },
  { name: 'c5', from: 'TTYT-DONGVAN', hub: 'BVDK-HAGIANG', urgency: 'urgent', specialty: 'internal', kind: 'general', req: '2026-11-15T05:00:00Z', acc: 60, con: 600, rec: 'another_consult', state: 'concluded' },
  { name: 'c6', from: 'TYT-LUNGCU', hub: 'TTYT-DONGVAN', urgency: 'routine', specialty: 'internal', kind: 'general', req: '2026-11-20T06:00:00Z', cancelled: '2026-11-21T06:00:00Z', state: 'cancelled' },
  { name: 'c7', from: 'TYT-YTY', hub: 'BVDK-LAOCAI', urgency: 'routine', specialty: 'internal', kind: 'general', req: '2026-11-03T07:00:00Z', acc: 20, con: 90, rec: 'treat_locally', state: 'concluded' },
  // The month boundary: 23:59 on 30 November in Vietnam is November; midnight is December.
  { name: 'c8', from: 'TYT-LUNGCU', hub: 'TTYT-DONGVAN', urgency: 'routine', specialty: 'internal', kind: 'general', req: '2026-11-30T16:59:00Z', state: 'requested' },
  { name: 'c9', from: 'TYT-LUNGCU', hub: 'TTYT-DONGVAN', urgency: 'routine', specialty: 'internal', kind: 'general', req: '2026-11-30T17:00:00Z', state: 'requested' },
  // Requested and accepted in October, concluded at 07:00 on 1 November in Vietnam.
  { name: 'c10', from: 'TYT-LUNGCU', hub: 'TTYT-DONGVAN', urgency: 'routine', specialty: 'internal', kind: 'general', req: '2026-10-20T00:00:00Z', acc: 60, con: 12 * 1440, rec: 'transfer', state: 'concluded' },
  // Escalated from Đồng Văn to Hà Giang after 15 minutes, declined by Hà Giang to Bạch Mai, which
  // accepted it 40 minutes after the request.
  { name: 'c11', from: 'TYT-LUNGCU', hub: 'BV-BACHMAI', urgency: 'emergency', specialty: 'cardiology', kind: 'ecg', req: '2026-11-25T00:00:00Z', acc: 40, state: 'accepted',
    events: [['escalated', 'TTYT-DONGVAN', 'BVDK-HAGIANG', 15], ['declined', 'BVDK-HAGIANG', 'BV-BACHMAI', 20]] },
  { name: 'c12', from: 'TYT-LUNGCU', hub: null, urgency: 'routine', specialty: 'internal', kind: 'general', req: null, state: 'draft' },
  { name: 'c13', from: 'BVDK-HAGIANG', hub: 'BV-BACHMAI', urgency: 'routine', specialty: 'cardiology', kind: 'imaging', req: '2026-11-18T08:00:00Z', state: 'requested' },
];

const ZERO = {
  requested: 0, accepted: 0, concluded: 0, cancelled: 0, declined: 0, escalated: 0, accepted_in_time: 0,
  outcome_treat_locally: 0, outcome_transfer: 0, outcome_more_tests: 0, outcome_another_consult: 0,
  accepted_in_time_pct: null, accept_median_min: null, accept_p90_min: null, conclude_median_min: null, conclude_p90_min: null,
};
const COUNTS = Object.keys(ZERO).filter((k) => ZERO[k] === 0);

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC', 'TTYT-DONGVAN', 'BVDK-HAGIANG', 'TYT-YTY', 'BVDK-LAOCAI', 'BV-BACHMAI'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const patient = one('SELECT MIN(id) FROM patients');
  const user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  const ms = (c, minutes) => (minutes === undefined ? 'NULL' : at(c.req) + minutes * MIN);
  const sql = [];
  for (const c of CASES) {
    const created = c.req ? at(c.req) : at('2026-11-10T00:00:00Z');
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `assigned_facility_id, requested_at, accepted_at, concluded_at, recommendation, created_at, updated_at) VALUES (${patient}, ` +
      `${F[c.from]}, ${user}, 'seed ${c.name}', '${c.urgency}', '${c.specialty}', '${c.kind}', '${c.state}', ${c.hub ? F[c.hub] : 'NULL'}, ` +
      `${c.req ? at(c.req) : 'NULL'}, ${ms(c, c.acc)}, ${ms(c, c.con)}, ${c.rec ? `'${c.rec}'` : 'NULL'}, ${created}, ${created});`);
    const id = `(SELECT id FROM consults WHERE summary = 'seed ${c.name}')`;
    if (c.cancelled)
      sql.push(`INSERT INTO consult_events (consult_id, action, from_state, to_state, at) VALUES (${id}, 'cancelled', 'requested', 'cancelled', ${at(c.cancelled)});`);
    for (const [action, from, to, minutes] of c.events || [])
      sql.push(`INSERT INTO consult_events (consult_id, action, from_state, to_state, from_facility_id, to_facility_id, at) ` +
        `VALUES (${id}, '${action}', 'requested', 'requested', ${F[from]}, ${F[to]}, ${at(c.req) + minutes * MIN});`);
  }
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

// November 2026 for the whole country, worked out by hand from CASES:
// requested: c1 c2 c3 c4 c5 c6 c7 c8 c11 c13 (not c9: December; c10: October; c12: a draft) = 10
// accepted: c1 c2 c3 c4 c5 c7 c11 = 7, waiting 30 10 1500 200 60 20 40 minutes; sorted
//   10 20 30 40 60 200 1500: median = rank ceil(0.5·7) = 4th = 40, p90 = rank ceil(0.9·7) = 7th = 1500
// within the deadline: c1 (30 ≤ 120), c2 (10 ≤ 15), c5 (60 ≤ 120), c7 (20 ≤ 1440) = 4 of 7 = 57.1 %
//   (late: c3 1500 > 1440, c4 200 > 120, c11 40 > 15)
// concluded: c1 c2 c3 c5 c7 c10 = 6, taking 300 120 3000 600 90 17280 minutes from the request;
//   sorted 90 120 300 600 3000 17280: median = 3rd = 300, p90 = rank ceil(5.4) = 6th = 17280
// recommendations of those: treat locally c1 c7, transfer c2 c10, more tests c3, another consult c5
const NOVEMBER = {
  requested: 10, accepted: 7, concluded: 6, cancelled: 1, declined: 1, escalated: 1, accepted_in_time: 4,
  outcome_treat_locally: 2, outcome_transfer: 2, outcome_more_tests: 1, outcome_another_consult: 1,
  accepted_in_time_pct: 57.1, accept_median_min: 40, accept_p90_min: 1500, conclude_median_min: 300, conclude_p90_min: 17280,
};

test('November for the country: every figure as worked out by hand, in the one report shape', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2026-11');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'consultations');
  assert.deepEqual(r.body.period, { from: '2026-11-01', to: '2026-11-30', tz: 'Asia/Ho_Chi_Minh' });
  assert.deepEqual(r.body.scope, { kind: 'country', id: null, name: 'Việt Nam' });
  assert.equal(r.body.by, null);
  assert.deepEqual(r.body.rows, []);
  assert.deepEqual(r.body.columns.map((c) => c.key).sort(), Object.keys(ZERO).sort());
  for (const c of r.body.columns) assert.ok(c.label_vi && c.label_en, c.key);
  assert.deepEqual(r.body.totals, NOVEMBER);
  // The same month as a range of days, and as a quarter that holds only these cases and c10's
  // October (its request and acceptance): one more request, one more acceptance (60 minutes).
  assert.deepEqual((await get('demo.ministry-admin', '?from=2026-11-01&to=2026-11-30')).body.totals, NOVEMBER);
  const q4 = (await get('demo.ministry-admin', '?period=quarter:2026-Q4')).body;
  assert.deepEqual(q4.period, { from: '2026-10-01', to: '2026-12-31', tz: 'Asia/Ho_Chi_Minh' });
  assert.equal(q4.totals.requested, 12); // + c9 (December) + c10 (October)
  assert.equal(q4.totals.accepted, 8);
  // 10 20 30 40 60 60 200 1500: median = 4th = 40, p90 = rank ceil(7.2) = 8th = 1500
  assert.equal(q4.totals.accept_median_min, 40);
  assert.equal(q4.totals.accepted_in_time, 5); // c10: 60 ≤ 1440
});

test('the month boundary is Vietnam midnight: 16:59 UTC on 30 November is November, 17:00 is December', async () => {
  const dec = (await get('demo.ministry-admin', '?period=month:2026-12')).body;
  assert.equal(dec.totals.requested, 1); // c9 alone
  const lastDay = (await get('demo.ministry-admin', '?period=day:2026-11-30')).body;
  assert.deepEqual(lastDay.period, { from: '2026-11-30', to: '2026-11-30', tz: 'Asia/Ho_Chi_Minh' });
  assert.equal(lastDay.totals.requested, 1); // c8
  assert.equal((await get('demo.ministry-admin', '?period=day:2026-12-01')).body.totals.requested, 1); // c9
  // c10 concluded at 00:00 UTC on 1 November, 07:00 in Vietnam: in November, not in October.
  const oct = (await get('demo.ministry-admin', '?period=month:2026-10')).body.totals;
  assert.equal(oct.requested, 1);
  assert.equal(oct.concluded, 0);
  // ISO weeks: week 48 of 2026 is Monday 23 to Sunday 29 November; 2026 has a week 53.
  const w48 = (await get('demo.ministry-admin', '?period=week:2026-W48')).body;
  assert.deepEqual(w48.period, { from: '2026-11-23', to: '2026-11-29', tz: 'Asia/Ho_Chi_Minh' });
  assert.equal(w48.totals.requested, 1); // c11
  assert.equal(w48.totals.escalated, 1);
  assert.equal(w48.totals.declined, 1);
  assert.deepEqual((await get('demo.ministry-admin', '?period=week:2026-W53')).body.period,
    { from: '2026-12-28', to: '2027-01-03', tz: 'Asia/Ho_Chi_Minh' });
  assert.deepEqual((await get('demo.ministry-admin', '?period=year:2026')).body.period,
    { from: '2026-01-01', to: '2026-12-31', tz: 'Asia/Ho_Chi_Minh' });
});

test('an empty period: every count zero, every median, percentile and share null', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2025-01&by=facility');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.rows, []);
  assert.deepEqual(r.body.totals, ZERO);
});

// The expected figures of a set of cases, in plain JS over CASES (counts only: the medians of the
// rows are checked below against hand-worked numbers).
function counted(cases, from, until) {
  const inside = (t) => t !== null && t >= at(from) && t < at(until);
  const out = Object.fromEntries(COUNTS.map((k) => [k, 0]));
  for (const c of cases) {
    if (!c.req) continue;
    const req = at(c.req);
    if (inside(req)) out.requested++;
    if (c.acc !== undefined && inside(req + c.acc * MIN)) {
      out.accepted++;
      if (c.acc <= { emergency: 15, urgent: 120, routine: 1440 }[c.urgency]) out.accepted_in_time++;
    }
    if (c.con !== undefined && inside(req + c.con * MIN)) {
      out.concluded++;
      out[`outcome_${c.rec}`]++;
    }
    if (c.cancelled && inside(at(c.cancelled))) out.cancelled++;
    for (const [action, , , minutes] of c.events || []) if (inside(req + minutes * MIN)) out[action]++;
  }
  return out;
}
const NOV = ['2026-10-31T17:00:00Z', '2026-11-30T17:00:00Z'];

test('by facility: one row per asking facility, rows add up to the totals, medians over the whole set', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2026-11&by=facility');
  assert.equal(r.status, 200);
  assert.equal(r.body.by, 'facility');
  assert.deepEqual(r.body.totals, NOVEMBER);
  const codes = ['TYT-LUNGCU', 'TYT-MEOVAC', 'TTYT-DONGVAN', 'BVDK-HAGIANG', 'TYT-YTY'];
  assert.deepEqual(r.body.rows.map((x) => x.key.id).sort((a, b) => a - b), codes.map((c) => F[c]).sort((a, b) => a - b));
  for (const row of r.body.rows) {
    const code = codes.find((c) => F[c] === row.key.id);
    assert.equal(row.key.name, one(`SELECT name FROM facilities WHERE id = ${row.key.id}`));
    const mine = counted(CASES.filter((c) => c.from === code), ...NOV);
    for (const k of COUNTS) assert.equal(row.values[k], mine[k], `${code} ${k}`);
  }
  for (const k of COUNTS) assert.equal(r.body.rows.reduce((s, x) => s + x.values[k], 0), NOVEMBER[k], `sum of ${k}`);
  // Lũng Cú accepted c1 (30), c2 (10), c11 (40): median 30, p90 40; concluded c1 (300), c2 (120),
  // c10 (17280): median 300, p90 17280. Mèo Vạc accepted c3 (1500), c4 (200): median 200.
  const lungcu = r.body.rows.find((x) => x.key.id === F['TYT-LUNGCU']).values;
  assert.deepEqual([lungcu.accept_median_min, lungcu.accept_p90_min, lungcu.conclude_median_min, lungcu.conclude_p90_min], [30, 40, 300, 17280]);
  assert.equal(lungcu.accepted_in_time_pct, 66.7); // c1, c2 of 3
  const meovac = r.body.rows.find((x) => x.key.id === F['TYT-MEOVAC']).values;
  assert.deepEqual([meovac.accept_median_min, meovac.accept_p90_min, meovac.accepted_in_time_pct], [200, 1500, 0]);
  // Hà Giang only asked (c13, not accepted): nothing to measure.
  const hagiang = r.body.rows.find((x) => x.key.id === F['BVDK-HAGIANG']).values;
  assert.deepEqual([hagiang.requested, hagiang.accept_median_min, hagiang.accepted_in_time_pct], [1, null, null]);
  // A whole calendar year by facility reads the waits' year rows (migration 0033); 2 January to 31
  // December reads days and months. No case of 2026 moved on 1 January, so both must agree.
  const year = (await get('demo.ministry-admin', '?period=year:2026&by=facility')).body;
  const range = (await get('demo.ministry-admin', '?from=2026-01-02&to=2026-12-31&by=facility')).body;
  assert.ok(year.rows.some((x) => x.values.accepted > 1), 'a facility with several waits');
  assert.deepEqual(year.rows, range.rows);
  assert.deepEqual(year.totals, range.totals);
});

test('by level pair, urgency, specialty, kind and province: rows add up to the totals', async () => {
  const pairs = (await get('demo.ministry-admin', '?period=month:2026-11&by=level_pair')).body;
  const requested = Object.fromEntries(pairs.rows.map((x) => [x.key.id, x.values.requested]));
  // c1 c3 c6 c8 to the district; c2 c4 c7 to a province; c11 (ended at Bạch Mai) to the centre;
  // c5 from the district; c13 from the province.
  assert.deepEqual(requested, {
    'commune>district': 4, 'commune>provincial': 3, 'commune>central': 1, 'district>provincial': 1, 'provincial>central': 1,
  });
  assert.equal(pairs.rows.find((x) => x.key.id === 'commune>district').key.name, 'Xã / commune → Huyện / district');
  const urgency = (await get('demo.ministry-admin', '?period=month:2026-11&by=urgency')).body;
  assert.deepEqual(Object.fromEntries(urgency.rows.map((x) => [x.key.id, x.values.requested])), { emergency: 2, urgent: 3, routine: 5 });
  // Emergencies accepted: c2 (10), c11 (40): median 10, p90 40, one of two in time.
  const emergency = urgency.rows.find((x) => x.key.id === 'emergency').values;
  assert.deepEqual([emergency.accept_median_min, emergency.accept_p90_min, emergency.accepted_in_time_pct], [10, 40, 50]);
  for (const by of ['level_pair', 'urgency', 'specialty', 'kind', 'province']) {
    const r = (await get('demo.ministry-admin', `?period=month:2026-11&by=${by}`)).body;
    assert.deepEqual(r.totals, NOVEMBER, by);
    for (const k of COUNTS) assert.equal(r.rows.reduce((s, x) => s + x.values[k], 0), NOVEMBER[k], `${by}: sum of ${k}`);
  }
  const specialty = (await get('demo.ministry-admin', '?period=month:2026-11&by=specialty')).body;
  assert.deepEqual(specialty.rows.find((x) => x.key.id === 'cardiology').key,
    { id: 'cardiology', name: one("SELECT name_vi FROM specialties WHERE code = 'cardiology'") });
});

test('who reads which place: own facility and province yes; another is 404 like an absent one; others 403; logged out 401', async () => {
  const tq = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['BVDK-HAGIANG']}`));
  const laocai = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`));
  const absentFacility = Number(one('SELECT MAX(id) FROM facilities')) + 1000;
  const absentProvince = Number(one('SELECT MAX(id) FROM admin_units')) + 1000;

  // The province administrator (Sở Y tế Tuyên Quang): its province by default, c7 of Lào Cai left out.
  const province = await get('demo.province-admin', '?period=month:2026-11');
  assert.equal(province.status, 200);
  assert.deepEqual(province.body.scope, { kind: 'province', id: tq, name: one(`SELECT name FROM admin_units WHERE id = ${tq}`) });
  assert.deepEqual(Object.fromEntries(COUNTS.map((k) => [k, province.body.totals[k]])),
    counted(CASES.filter((c) => c.from !== 'TYT-YTY'), ...NOV));
  assert.equal(province.body.totals.requested, 9);
  // A facility of its province, drilled into.
  const lungcu = await get('demo.province-admin', `?period=month:2026-11&facility=${F['TYT-LUNGCU']}`);
  assert.equal(lungcu.status, 200);
  assert.equal(lungcu.body.totals.requested, 5); // c1 c2 c6 c8 c11
  // The facility administrator (BVĐK Hà Giang): its own facility.
  const own = await get('demo.facility-admin', `?period=month:2026-11&facility=${F['BVDK-HAGIANG']}`);
  assert.equal(own.status, 200);
  assert.equal(own.body.totals.requested, 1); // c13
  assert.deepEqual((await get('demo.facility-admin', '?period=month:2026-11')).body.totals, own.body.totals);

  // Outside: the same 404, byte for byte, as a place that does not exist.
  await otherPlacesAnswerLikeAbsent(get, { F, tq, laocai, absentFacility, absentProvince });
  // The ministry reads any place.
  assert.equal((await get('demo.ministry-admin', `?province=${laocai}&period=month:2026-11`)).body.totals.requested, 1);
  assertError(await get('demo.ministry-admin', `?province=${absentProvince}`), 404);

  for (const who of ['demo.doctor', 'demo.specialist', 'demo.commune', 'demo.trainer', 'demo.patient'])
    assertError(await get(who, '?period=month:2026-11'), 403);
  assertError(await get(null, '?period=month:2026-11'), 401);
});

test('bad input: 400 naming the parameter, for each', async () => {
  const before = srv.sql('SELECT COUNT(*) FROM consults') + '/' + srv.sql('SELECT COUNT(*) FROM consult_events');
  await badQueriesNameTheirField(get, [
    ['?period=month:2026-13', 'period'], ['?period=month:2026-1', 'period'], ['?period=week:2026-W54', 'period'],
    ['?period=week:2027-W53', 'period'], ['?period=day:2026-02-29', 'period'], ['?period=quarter:2026-Q5', 'period'],
    ['?period=decade:2020', 'period'], ['?period=year:1999', 'period'], ['?period=2026-11', 'period'],
    ['?period=month:2026-11&from=2026-11-01&to=2026-11-30', 'period'],
    ['?from=2026-02-30&to=2026-03-01', 'from'], ['?from=2026-11-01', 'to'], ['?to=2026-11-01', 'from'],
    ['?from=2026-11-02&to=2026-11-01', 'to'], ['?from=2026-01-01&to=2027-01-02', 'to'],
    ['?by=patient', 'by'], ['?by=', 'by'], ['?facility=abc', 'facility'], ['?facility=-3', 'facility'],
    ['?province=1.5', 'province'], [`?facility=${F['TYT-LUNGCU']}&province=1`, 'province'],
  ]);
  // The longest periods pass: 366 days of a leap year, 365 of another.
  assert.equal((await get('demo.ministry-admin', '?from=2028-01-01&to=2028-12-31')).status, 200);
  assert.equal((await get('demo.ministry-admin', '?from=2026-01-01&to=2026-12-31')).status, 200);
  assert.equal(srv.sql('SELECT COUNT(*) FROM consults') + '/' + srv.sql('SELECT COUNT(*) FROM consult_events'), before);
});

test('CSV: the same figures as the JSON, small cells "<5", decimals with a dot, its own file name', async () => {
  const json = (await get('demo.ministry-admin', '?period=month:2026-11&by=urgency')).body;
  const r = await get('demo.ministry-admin', '?period=month:2026-11&by=urgency&format=csv');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="bao-cao-hoi-chan-2026-11.csv"');
  assert.equal(r.body.charCodeAt(0), 0xfeff, 'the BOM');
  const lines = r.body.slice(1).split('\r\n');
  assert.equal(lines.pop(), '');
  const cells = lines.map((l) => l.split(',').map((c) => c.replace(/^"(.*)"$/, '$1')));
  assert.deepEqual(cells[0], ['Nhóm', ...json.columns.map((c) => c.label_vi)]);
  assert.equal(cells.length, 1 + json.rows.length + 1);
  const col = (key) => 1 + json.columns.findIndex((c) => c.key === key);
  // Totals by hand (NOVEMBER): requested 10, accepted 7, concluded 6; accepted in time 4 → "<5";
  // 57.1 % of 7 would give the 4 back (0.571 × 7), so it is masked "x"; the medians over 7 and 6
  // cases are shown; cancelled 1 → "<5".
  const total = cells.at(-1);
  assert.equal(total[0], 'Tổng cộng');
  assert.deepEqual(['requested', 'accepted', 'concluded', 'accepted_in_time', 'cancelled', 'accepted_in_time_pct', 'accept_median_min', 'conclude_p90_min'].map((k) => total[col(k)]),
    ['10', '7', '6', '<5', '<5', 'x', '40', '17280']);
  // Urgent: requested c1 c4 c5 = 3 → "<5", accepted 3 → its median and share "<5" too; routine
  // requested 5 stays 5; emergencies declined 1 → "<5"; outcomes of urgent: none of more tests → 0.
  const row = (id) => cells[1 + json.rows.findIndex((x) => x.key.id === id)];
  assert.deepEqual([row('urgent')[col('requested')], row('urgent')[col('accept_median_min')], row('urgent')[col('accepted_in_time_pct')], row('urgent')[col('outcome_more_tests')]], ['<5', '<5', '<5', '0']);
  assert.equal(row('routine')[col('requested')], '5');
  assertError(await get('demo.ministry-admin', '?format=xml'), 400);
  assert.equal((await get('demo.ministry-admin', '?format=xml')).body.error.field, 'format');
});

test('filters: level (of the asking facility) and specialty narrow every figure; together they meet', async () => {
  // November by the asking facility's level (Lũng Cú, Mèo Vạc, Y Tý are commune stations, Đồng Văn
  // a district centre, BVĐK Hà Giang a provincial hospital, Bạch Mai central):
  // commune requested c1 c2 c3 c4 c6 c7 c8 c11 = 8; district c5 = 1; provincial c13 = 1; central 0.
  const requested = async (q) => (await get('demo.ministry-admin', `?period=month:2026-11${q}`)).body.totals.requested;
  assert.equal(await requested('&level=commune'), 8);
  assert.equal(await requested('&level=district'), 1);
  assert.equal(await requested('&level=provincial'), 1);
  const central = await get('demo.ministry-admin', '?period=month:2026-11&level=central&by=facility');
  assert.equal(central.status, 200);
  assert.deepEqual(central.body.rows, []);
  assert.deepEqual(central.body.totals, ZERO);
  // Cardiology: c2 c4 c11 c13 requested = 4; accepted c2 (10), c4 (200), c11 (40): median 40;
  // concluded c2 alone (120 minutes). From commune stations: c2 c4 c11 = 3.
  const cardio = (await get('demo.ministry-admin', '?period=month:2026-11&specialty=cardiology')).body.totals;
  assert.deepEqual([cardio.requested, cardio.accepted, cardio.accept_median_min, cardio.concluded, cardio.conclude_median_min],
    [4, 3, 40, 1, 120]);
  assert.equal(await requested('&specialty=cardiology&level=commune'), 3);
  // Grouped by facility, the commune rows are the three stations only, and add up.
  const communes = (await get('demo.ministry-admin', '?period=month:2026-11&level=commune&by=facility')).body;
  assert.deepEqual(communes.rows.map((x) => x.key.id).sort((a, b) => a - b),
    [F['TYT-LUNGCU'], F['TYT-MEOVAC'], F['TYT-YTY']].sort((a, b) => a - b));
  // A province administrator's filter stays inside its province: Y Tý (Lào Cai) drops out, 8 - 1 = 7.
  assert.equal((await get('demo.province-admin', '?period=month:2026-11&level=commune')).body.totals.requested, 7);
  // The CSV carries the filter too: 4 cardiology cases → "<5".
  const csv = await get('demo.ministry-admin', '?period=month:2026-11&specialty=cardiology&format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.body, /"Tổng cộng",<5,/);
});

test('filters: a value off the list, or empty, is 400 naming it; nothing else changes', async () => {
  await badQueriesNameTheirField(get, [
    ['?level=hamlet', 'level'], ['?level=', 'level'], ['?level=Commune', 'level'],
    ['?specialty=astrology', 'specialty'], ['?specialty=', 'specialty'], [`?specialty=${'x'.repeat(500)}`, 'specialty'],
    ["?specialty=cardiology'--", 'specialty'], ['?level=commune&specialty=nope', 'specialty'],
  ]);
});

// The counts come from one range a moment (requested, accepted, concluded) and one of the events,
// so a case's events in the period must still count as before: a case is cancelled in the period of
// its first cancellation, once however many follow, while each decline counts. Seeded in 2025,
// away from the other tests' months:
// x1 requested 3 March 2025, cancelled 4 and 5 March → March: requested 1, cancelled 1 (not 2)
// x2 requested 20 February, cancelled 25 February and again 2 March → cancelled in February only
// x3 requested 10 March, declined twice on 11 March → declined 2
test('a case cancelled twice counts once, in the month of its first cancellation; each decline counts', async () => {
  const patient = one('SELECT MIN(id) FROM patients');
  const user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  const seed = [
    ['x1', '2025-03-03T01:00:00Z', [['cancelled', '2025-03-04T01:00:00Z'], ['cancelled', '2025-03-05T01:00:00Z']]],
    ['x2', '2025-02-20T01:00:00Z', [['cancelled', '2025-02-25T01:00:00Z'], ['cancelled', '2025-03-02T01:00:00Z']]],
    ['x3', '2025-03-10T01:00:00Z', [['declined', '2025-03-11T01:00:00Z'], ['declined', '2025-03-11T02:00:00Z']]],
  ];
  const sql = [];
  for (const [name, req, events] of seed) {
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `assigned_facility_id, requested_at, created_at, updated_at) VALUES (${patient}, ${F['TYT-LUNGCU']}, ${user}, 'seed ${name}', ` +
      `'routine', 'internal', 'general', 'cancelled', ${F['TTYT-DONGVAN']}, ${at(req)}, ${at(req)}, ${at(req)});`);
    for (const [action, when] of events)
      sql.push(`INSERT INTO consult_events (consult_id, action, from_state, to_state, at) VALUES ` +
        `((SELECT id FROM consults WHERE summary = 'seed ${name}'), '${action}', 'requested', 'cancelled', ${at(when)});`);
  }
  srv.sql(sql.join('\n'));
  const march = (await get('demo.ministry-admin', '?period=month:2025-03&by=facility')).body;
  assert.deepEqual([march.totals.requested, march.totals.cancelled, march.totals.declined], [2, 1, 2]);
  assert.deepEqual(march.rows.map((r) => [r.key.id, r.values.cancelled, r.values.declined]), [[F['TYT-LUNGCU'], 1, 2]]);
  const feb = (await get('demo.ministry-admin', '?period=month:2025-02')).body.totals;
  assert.deepEqual([feb.requested, feb.cancelled, feb.declined], [1, 1, 0]);
});
