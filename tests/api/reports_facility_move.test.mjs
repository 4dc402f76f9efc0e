// A facility that moves keeps its past with it (migration 0035, docs/reports.md "Rollups"): the
// rollups without the facility key each event by the province and level its facility had, so when
// an administrator moves a facility to a commune of another province and changes its level, its
// visits' waits and diagnoses and its consultations must move to the new key — else the old
// province keeps them, the new one lacks them, and a country read by=province no longer adds up to
// the facilities it is made of. Every figure is worked out by hand below, in March and April 2022,
// months that hold nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSignedIn, api, BIN } from './lib/server.mjs';

let srv;
const S = {};
const U = {};
const one = (q) => srv.sql(q).split('\n')[0];
const at = (iso) => Date.parse(iso);
const MIN = 60 * 1000;
const PERIOD = '?from=2022-03-01&to=2022-04-30';
const get = async (report, query) => {
  const r = await api(srv, 'GET', `/api/v1/reports/${report}${PERIOD}${query}`, { token: S['demo.ministry-admin'].token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, csrf: S[who].csrf, body });
let fac, hub, patient, doctor, user;

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['2025-08', '2025-96', '2025-00733', '2025-32248'])
    U[code] = Number(one(`SELECT id FROM admin_units WHERE code = '${code}'`));
  patient = one('SELECT MIN(id) FROM patients');
  doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  // A new commune station in Sà Phìn (Tuyên Quang, 2025-08).
  const r = await as('demo.ministry-admin', 'POST', '/api/v1/facilities',
    { code: 'TYT-DICHUYEN', name: 'Trạm Y tế xã Sà Phìn (di chuyển)', level: 'commune', unit_id: U['2025-00733'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  fac = r.body.id;
  hub = one("SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'");
  const sql = [];
  // Visits, video: booked 02:00Z, started 30, 50 and 70 minutes later, each with one diagnosis.
  [['2022-03-10', 30, 'J06'], ['2022-03-11', 50, 'J06'], ['2022-04-05', 70, 'I10']].forEach(([day, wait, icd], i) => {
    const t = at(`${day}T02:00:00Z`);
    sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
      `started_at, created_at, updated_at) VALUES (${patient}, ${fac}, ${doctor}, ${fac}, ${doctor}, 'video', 'in_progress', ` +
      `'move ${i}', ${t + wait * MIN}, ${t}, ${t});`);
    sql.push(`INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, created_at) SELECT id, '${icd}', 1, ` +
      `${doctor}, ${t + wait * MIN} FROM visits WHERE reason = 'move ${i}';`);
  });
  // Consultations requested by it, routine: one in March, two in April, the last accepted 45
  // minutes after its request.
  ['2022-03-15', '2022-04-02', '2022-04-20'].forEach((day, i) => {
    const t = at(`${day}T02:00:00Z`);
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `assigned_facility_id, requested_at, created_at, updated_at) VALUES (${patient}, ${fac}, ${user}, 'move ${i}', 'routine', ` +
      `'internal', 'general', 'requested', ${hub}, ${t}, ${t}, ${t});`);
  });
  sql.push(`UPDATE consults SET state = 'accepted', accepted_at = ${at('2022-04-20T02:45:00Z')} WHERE summary = 'move 2';`);
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

// The figures a user reads: per province of the country by=province, and the place's totals.
const visits = (b) => ({ started: b.totals.started, median: b.totals.wait_median_min, p90: b.totals.wait_p90_min, top: b.top_icd10.map((c) => [c.code, c.count]) });
const byProvince = (b, f) => Object.fromEntries(b.rows.map((x) => [x.key.id, f(x.values)]));
const sum = (b, k) => b.rows.reduce((s, x) => s + x.values[k], 0);

async function readAll() {
  const TQ = U['2025-08'], CM = U['2025-96'];
  return {
    consCountry: await get('consultations', '&by=province'),
    consTQ: await get('consultations', `&province=${TQ}`),
    consCM: await get('consultations', `&province=${CM}`),
    consCommune: await get('consultations', '&level=commune'),
    consDistrict: await get('consultations', '&level=district'),
    visCountry: await get('visits', '&by=province'),
    visTQ: await get('visits', `&province=${TQ}`),
    visCM: await get('visits', `&province=${CM}`),
    visCommune: await get('visits', '&level=commune'),
    visDistrict: await get('visits', '&level=district'),
  };
}

test('moved to another province and another level, its visits and consultations go with it', async () => {
  const TQ = U['2025-08'], CM = U['2025-96'];
  const none = { started: 0, median: null, p90: null, top: [] };
  // Three waits 30, 50, 70: the median is the 2nd (50), the 90th percentile the 3rd (70).
  const all = { started: 3, median: 50, p90: 70, top: [['J06', 2], ['I10', 1]] };
  const check = (r, here, there, level, other) => {
    // Consultations: 3 requested, 1 accepted in 45 minutes, all in the facility's province today.
    assert.deepEqual(byProvince(r.consCountry, (v) => [v.requested, v.accepted, v.accept_median_min]), { [here]: [3, 1, 45] });
    assert.equal(sum(r.consCountry, 'requested'), r.consCountry.totals.requested);
    assert.deepEqual([r.consCountry.totals.requested, r.consCountry.totals.accept_median_min], [3, 45]);
    const cons = { [here]: r[here === TQ ? 'consTQ' : 'consCM'], [there]: r[there === TQ ? 'consTQ' : 'consCM'] };
    assert.deepEqual([cons[here].totals.requested, cons[here].totals.accepted, cons[here].totals.accept_median_min], [3, 1, 45]);
    assert.deepEqual([cons[there].totals.requested, cons[there].totals.accepted, cons[there].totals.accept_median_min], [0, 0, null]);
    const lv = { commune: [r.consCommune, r.visCommune], district: [r.consDistrict, r.visDistrict] };
    assert.deepEqual([lv[level][0].totals.requested, lv[level][0].totals.accept_median_min], [3, 45]);
    assert.deepEqual([lv[other][0].totals.requested, lv[other][0].totals.accept_median_min], [0, null]);
    // Visits: waits and diagnoses in the province and level the facility has today.
    assert.deepEqual(byProvince(r.visCountry, (v) => [v.started, v.wait_median_min, v.wait_p90_min]), { [here]: [3, 50, 70] });
    assert.deepEqual(visits(r.visCountry), all);
    const vis = { [TQ]: r.visTQ, [CM]: r.visCM };
    assert.deepEqual(visits(vis[here]), all);
    assert.deepEqual(visits(vis[there]), none);
    assert.deepEqual(visits(lv[level][1]), all);
    assert.deepEqual(visits(lv[other][1]), none);
  };
  check(await readAll(), TQ, CM, 'commune', 'district');
  // The ministry moves it to Đất Mũi (Cà Mau, 2025-96) and makes it a district centre.
  const m = await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${fac}`, { unit_id: U['2025-32248'], level: 'district' });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.equal(m.body.province.id, CM);
  check(await readAll(), CM, TQ, 'district', 'commune');
  // Back to Tuyên Quang, level unchanged: the province alone moves; then the level alone.
  assert.equal((await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${fac}`, { unit_id: U['2025-00733'] })).status, 200);
  const back = await readAll();
  assert.deepEqual(visits(back.visTQ), all);
  assert.deepEqual(visits(back.visDistrict), all);
  assert.equal(back.consTQ.totals.requested, 3);
  assert.equal(back.consDistrict.totals.requested, 3);
  assert.equal((await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${fac}`, { level: 'commune' })).status, 200);
  check(await readAll(), TQ, CM, 'commune', 'district');
  // An edit of anything else moves nothing.
  assert.equal((await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${fac}`, { phone: '0219 388 0001' })).status, 200);
  check(await readAll(), TQ, CM, 'commune', 'district');
});

// What `ytexa reports check` says of the rollups: its summary line (docs/operations.md).
const check = () => execFileSync(BIN, ['reports', 'check', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' }).trim().split('\n').at(-1);

test('a hub whose level changes takes its cases to the new level pair; the rollups agree with the events after every move', async () => {
  assert.match(check(), / 0 differ$/);
  const pairs = async () => Object.fromEntries((await get('consultations', '&by=level_pair')).rows.map((x) => [x.key.id, x.values.requested]));
  // The station is a commune one again (the test above moved it back); the hub is provincial.
  assert.equal(one(`SELECT level FROM facilities WHERE id = ${hub}`), 'provincial');
  assert.deepEqual(await pairs(), { 'commune>provincial': 3 });
  const m = await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${hub}`, { level: 'central' });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.deepEqual(await pairs(), { 'commune>central': 3 });
  // By facility (the rollups by facility) the same, and the accepted case's wait under the new pair.
  const byFacility = await get('consultations', '&by=facility');
  assert.deepEqual(byFacility.rows.map((x) => [x.key.id, x.values.requested, x.values.accept_median_min]), [[fac, 3, 45]]);
  assert.equal((await get('consultations', '&by=level_pair')).rows[0].values.accept_median_min, 45);
  assert.match(check(), / 0 differ$/);
  // The station moved once more, province and level at once, with the hub as it is now.
  assert.equal((await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${fac}`, { unit_id: U['2025-32248'], level: 'district' })).status, 200);
  assert.deepEqual(await pairs(), { 'district>central': 3 });
  assert.equal((await get('consultations', `&province=${U['2025-96']}`)).totals.requested, 3);
  assert.match(check(), / 0 differ$/);
});
