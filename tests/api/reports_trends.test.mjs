// Trends in one request (`by=month`, docs/reports.md "Trends"): the consultations and visits
// reports answer one row a Vietnam month of the period, a month without events a row of zeros, the
// totals the period's, a from/to range of up to 36 months. Every figure is worked out by hand from
// the rows written below, in 2021, a year that holds nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';

let srv;
const S = {};
const one = (q) => srv.sql(q).split('\n')[0];
const at = (iso) => Date.parse(iso);
const MIN = 60 * 1000;
const get = (report, query) => api(srv, 'GET', `/api/v1/reports/${report}${query}`, { token: S['demo.ministry-admin'].token });
const ok = async (report, query) => {
  const r = await get(report, query);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const months = (year, n = 12, from = 1) => Array.from({ length: n }, (_, i) => `${year}-${String(from + i).padStart(2, '0')}`);

before(async () => {
  srv = await startSignedIn(S);
  const fac = one("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'"), hub = one("SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'");
  const patient = one('SELECT MIN(id) FROM patients'), user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [];
  // Consultations: 10 January (accepted 20 minutes later), 20 January, 5 March (accepted after 40
  // minutes); none in February.
  [['2021-01-10T02:00:00Z', 20], ['2021-01-20T02:00:00Z', null], ['2021-03-05T02:00:00Z', 40]].forEach(([when, wait], i) => {
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `assigned_facility_id, requested_at, created_at, updated_at) VALUES (${patient}, ${fac}, ${user}, 'trend ${i}', 'routine', ` +
      `'internal', 'general', 'requested', ${hub}, ${at(when)}, ${at(when)}, ${at(when)});`);
    if (wait) sql.push(`UPDATE consults SET state = 'accepted', accepted_at = ${at(when) + wait * MIN} WHERE summary = 'trend ${i}';`);
  });
  // Visits finished on 12 January, at 23:59 on 31 March in Vietnam (16:59Z) and one minute later,
  // which is already 1 April there.
  ['2021-01-12T03:00:00Z', '2021-03-31T16:59:00Z', '2021-03-31T17:00:00Z'].forEach((end, i) => {
    const t = at(end) - 30 * MIN;
    sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
      `started_at, ended_at, created_at, updated_at) VALUES (${patient}, ${fac}, ${doctor}, ${fac}, ${doctor}, 'video', 'finished', ` +
      `'trend ${i}', ${t + 10 * MIN}, ${at(end)}, ${t}, ${t});`);
  });
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

test('a year by month: twelve rows, February a row of zeros, the totals the year\'s', async () => {
  const r = await ok('consultations', '?period=year:2021&by=month');
  assert.equal(r.by, 'month');
  assert.deepEqual(r.rows.map((x) => x.key), months(2021).map((id) => ({ id, name: `${id.slice(5)}/${id.slice(0, 4)}` })));
  const req = [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  assert.deepEqual(r.rows.map((x) => x.values.requested), req);
  assert.deepEqual(r.rows.map((x) => x.values.accepted), [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(r.rows.slice(0, 3).map((x) => x.values.accept_median_min), [20, null, 40]);
  // The year's median of the two waits (20, 40) is the first: 20; not a median of medians.
  assert.deepEqual([r.totals.requested, r.totals.accepted, r.totals.accept_median_min, r.totals.accept_p90_min], [3, 2, 20, 40]);
  // Visits completed: January, March (23:59 on the 31st), April (midnight); nothing else.
  const v = await ok('visits', '?period=year:2021&by=month');
  assert.deepEqual(v.rows.map((x) => x.values.completed), [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(v.totals.completed, 3);
  // Each row is the month's own report: March asked alone answers the same.
  const march = await ok('visits', '?period=month:2021-03');
  assert.deepEqual(v.rows[2].values, march.totals);
});

test('a from/to range: its first and last months are the parts of them inside the range', async () => {
  const r = await ok('consultations', '?from=2021-01-15&to=2021-03-10&by=month');
  assert.deepEqual(r.rows.map((x) => x.key.id), ['2021-01', '2021-02', '2021-03']);
  // 15–31 January holds the case of the 20th (not accepted), 1–10 March the case of the 5th.
  assert.deepEqual(r.rows.map((x) => [x.values.requested, x.values.accepted, x.values.accept_median_min]),
    [[1, 0, null], [0, 0, null], [1, 1, 40]]);
  assert.deepEqual([r.totals.requested, r.totals.accepted], [2, 1]);
  // One day: one row.
  const day = await ok('visits', '?period=day:2021-03-31&by=month');
  assert.deepEqual(day.rows.map((x) => [x.key.id, x.values.completed]), [['2021-03', 1]]);
});

test('the empty period: a row of zeros a month, null waits', async () => {
  const r = await ok('consultations', '?period=year:2015&by=month');
  assert.equal(r.rows.length, 12);
  for (const x of r.rows) assert.deepEqual([x.values.requested, x.values.accepted, x.values.accept_median_min], [0, 0, null]);
  assert.deepEqual([r.totals.requested, r.totals.accept_median_min], [0, null]);
});

test('36 months at most, named by `by`; a range past a year without by=month stays refused; no DHIS2', async () => {
  const r = await ok('consultations', '?from=2019-01-01&to=2021-12-31&by=month');
  assert.deepEqual(r.rows.map((x) => x.key.id), [...months(2019), ...months(2020), ...months(2021)]);
  assert.equal(r.totals.requested, 3);
  assert.deepEqual(r.rows.slice(24, 27).map((x) => x.values.requested), [2, 0, 1]);
  // 1 February 2019 to 31 January 2022 is 36 months too; a day more is a 37th.
  assert.equal((await ok('visits', '?from=2019-02-01&to=2022-01-31&by=month')).rows.length, 36);
  for (const q of ['?from=2019-01-01&to=2022-01-01&by=month', '?from=2019-01-31&to=2022-01-01&by=month']) {
    const bad = await get('consultations', q);
    assertError(bad, 400);
    assert.equal(bad.body.error.field, 'by', JSON.stringify(bad.body));
  }
  const long = await get('consultations', '?from=2019-01-01&to=2021-12-31');
  assertError(long, 400);
  assert.equal(long.body.error.field, 'to');
  const dhis2 = await get('consultations', '?period=year:2021&by=month&format=dhis2');
  assertError(dhis2, 400);
  assert.equal(dhis2.body.error.field, 'by');
  // Reports that draw no trend do not offer it.
  const sites = await get('sites', '?period=year:2021&by=month');
  assertError(sites, 400);
  assert.equal(sites.body.error.field, 'by');
});

test('the CSV of a trend: a line a month, small cells as everywhere', async () => {
  const r = await api(srv, 'GET', '/api/v1/reports/consultations?period=quarter:2021-Q1&by=month&format=csv', { token: S['demo.ministry-admin'].token });
  assert.equal(r.status, 200);
  const lines = r.body.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines.length, 5, r.body); // the header, three months, the totals
  assert.match(lines[1], /^"01\/2021",<5,/);
  assert.match(lines[2], /^"02\/2021",0,/);
});
