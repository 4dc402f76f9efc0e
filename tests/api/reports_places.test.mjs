// Provinces before and after the 2025 reform in every report (docs/reports.md, "Provinces"): a
// commune of a pre-2025 province is counted under its new province by default and under its old one
// with as=pre2025, once in either; a facility still filed under an abolished province belongs to
// its successor; old provinces as places, for the ministry and for the province administrator whose
// province they were merged into; bad `as`; other places answer like absent ones, old ones too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { otherPlacesAnswerLikeAbsent, badQueriesNameTheirField } from './lib/reports.mjs';

let srv;
const S = {};
const get = (who, report, query = '') => api(srv, 'GET', `/api/v1/reports/${report}${query}`, { token: who && S[who].token });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const U = {};
const at = (iso) => Date.parse(iso);
const SEED = 'TYT-PHUONGDO';

// The demo network (src/facility/demo_network.c) and the seed. Today's Tuyên Quang (2025-08) is
// old Hà Giang (02) and old Tuyên Quang (08); today's Lào Cai (2025-15) is old Lào Cai (10) and
// old Yên Bái (15). Visits started in November 2026, each booked at the moment it started:
//   TYT-PHUONGDO  seeded: the old commune Xã Phương Độ (00946) of old Hà Giang, and still filed
//                 under old Hà Giang, abolished on 2025-07-01                       3 visits
//   TYT-LUNGCU    a commune of 2025 in Tuyên Quang, before the reform in Hà Giang  2 visits
//   SYT-TUYENQUANG filed at today's Tuyên Quang itself, which has the old name    1 visit
//   TYT-YTY       a commune of 2025 in Lào Cai, before the reform in Lào Cai      4 visits
//   TTYT-MUCANGCHAI a commune of 2025 in Lào Cai, before the reform in Yên Bái    1 visit
// By hand: today Tuyên Quang 3 + 2 + 1 = 6, Lào Cai 4 + 1 = 5; before the reform Hà Giang 3 + 2 = 5,
// Tuyên Quang 1, Lào Cai 4, Yên Bái 1; 11 in all either way.
const VISITS = { [SEED]: 3, 'TYT-LUNGCU': 2, 'SYT-TUYENQUANG': 1, 'TYT-YTY': 4, 'TTYT-MUCANGCHAI': 1 };

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['02', '08', '10', '15', '2025-08', '2025-15', '00946'])
    U[code] = Number(one(`SELECT id FROM admin_units WHERE code = '${code}'`));
  srv.sql(`INSERT INTO facilities (code, name, name_folded, level, unit_id, province_id, created_at, updated_at) VALUES ` +
    `('${SEED}', 'Trạm Y tế xã Phương Độ', 'tram y te xa phuong do', 'commune', ${U['00946']}, ${U['02']}, 0, 0);`);
  for (const code of Object.keys(VISITS)) F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const patient = one('SELECT MIN(id) FROM patients');
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [];
  let n = 0;
  for (const [code, count] of Object.entries(VISITS))
    for (let i = 0; i < count; i++) {
      const t = at('2026-11-10T03:00:00Z') + 60000 * n++;
      sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
        `started_at, created_at, updated_at) VALUES (${patient}, ${F[code]}, ${doctor}, ${F[code]}, ${doctor}, 'video', ` +
        `'in_progress', 'seed ${code} ${i}', ${t}, ${t}, ${t});`);
    }
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

const NOV = '?period=month:2026-11';
const rows = (body) => Object.fromEntries(body.rows.map((x) => [x.key.id, [x.key.name, x.values.started]]));

test('a commune of a pre-2025 province is counted under its new province by default and its old one with as=pre2025', async () => {
  const today = await get('demo.ministry-admin', 'visits', `${NOV}&by=province`);
  assert.equal(today.status, 200, JSON.stringify(today.body));
  assert.equal(today.body.as, '2025');
  assert.deepEqual(rows(today.body), { [U['2025-08']]: ['Tuyên Quang', 6], [U['2025-15']]: ['Lào Cai', 5] });
  assert.equal(today.body.totals.started, 11);
  const old = await get('demo.ministry-admin', 'visits', `${NOV}&by=province&as=pre2025`);
  assert.equal(old.status, 200, JSON.stringify(old.body));
  assert.equal(old.body.as, 'pre2025');
  assert.deepEqual(rows(old.body), {
    [U['02']]: ['Hà Giang', 5], [U['08']]: ['Tuyên Quang', 1], [U['10']]: ['Lào Cai', 4], [U['15']]: ['Yên Bái', 1],
  });
  assert.equal(old.body.totals.started, 11);
  // as=2025 is the default said aloud.
  assert.deepEqual((await get('demo.ministry-admin', 'visits', `${NOV}&by=province&as=2025`)).body.rows, today.body.rows);
});

test('places: today\'s province holds the facility filed under an abolished one; an old province is a place', async () => {
  const tq = await get('demo.ministry-admin', 'visits', `${NOV}&province=${U['2025-08']}&by=facility`);
  assert.equal(tq.body.totals.started, 6);
  assert.deepEqual(tq.body.rows.find((x) => x.key.id === F[SEED]).values.started, 3);
  const hg = await get('demo.ministry-admin', 'visits', `${NOV}&province=${U['02']}`);
  assert.equal(hg.status, 200);
  assert.deepEqual(hg.body.scope, { kind: 'province', id: U['02'], name: 'Hà Giang' });
  assert.equal(hg.body.totals.started, 5);
  assert.equal((await get('demo.ministry-admin', 'visits', `${NOV}&province=${U['08']}&as=pre2025`)).body.totals.started, 1);
  // The same in another report: the sites of old Hà Giang are Lũng Cú, Mèo Vạc, Đồng Văn, BVĐK Hà
  // Giang and the seed; two of them had a visit in November.
  const sites = await get('demo.ministry-admin', 'sites', `${NOV}&province=${U['02']}&by=facility`);
  assert.equal(sites.status, 200);
  assert.deepEqual(sites.body.rows.map((x) => x.key.id).sort((a, b) => a - b),
    ['TYT-LUNGCU', 'TYT-MEOVAC', 'TTYT-DONGVAN', 'BVDK-HAGIANG', SEED].map((c) => F[c] ?? Number(one(`SELECT id FROM facilities WHERE code = '${c}'`))).sort((a, b) => a - b));
  assert.equal(sites.body.totals.active, 2);
  const sitesToday = await get('demo.ministry-admin', 'sites', `${NOV}&by=province`);
  assert.equal(sitesToday.body.rows.find((x) => x.key.id === U['2025-08']).values.sites,
    Number(one(`SELECT COUNT(*) FROM facilities WHERE active = 1 AND province_id IN (${U['2025-08']}, ${U['02']}, ${U['08']})`)));
  assert.ok(!sitesToday.body.rows.some((x) => x.key.id === U['02']), 'an abolished province is no row of today\'s view');
});

// Consultations read rollups without the facility for a province or the country (by the requesting
// facility's filed province, counted as its successor today): the seed, filed under abolished Hà
// Giang, must land in today's Tuyên Quang there too, and in old Hà Giang before the reform (read
// from the rollups by facility). Seeded: 2 cases asked by the seed, 1 by Yên Tỵ (Lào Cai), in
// November. By hand: today Tuyên Quang 2, Lào Cai 1; before the reform Hà Giang 2, Lào Cai 1.
test('consultations: a case of a facility filed under an abolished province is today\'s successor\'s, and the old province\'s with as=pre2025', async () => {
  const patient = one('SELECT MIN(id) FROM patients');
  const user = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [];
  [[SEED, 0], [SEED, 1], ['TYT-YTY', 2]].forEach(([code, i]) => {
    const t = at('2026-11-12T03:00:00Z') + 60000 * i;
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `requested_at, created_at, updated_at) VALUES (${patient}, ${F[code]}, ${user}, 'places ${i}', 'routine', 'internal', ` +
      `'general', 'requested', ${t}, ${t}, ${t});`);
  });
  srv.sql(sql.join('\n'));
  const req = (body) => Object.fromEntries(body.rows.map((x) => [x.key.id, x.values.requested]));
  const today = await get('demo.ministry-admin', 'consultations', `${NOV}&by=province`);
  assert.equal(today.status, 200, JSON.stringify(today.body));
  assert.deepEqual(req(today.body), { [U['2025-08']]: 2, [U['2025-15']]: 1 });
  assert.deepEqual(today.body.rows.map((x) => x.key.name).sort(), ['Lào Cai', 'Tuyên Quang']);
  const old = await get('demo.ministry-admin', 'consultations', `${NOV}&by=province&as=pre2025`);
  assert.deepEqual(req(old.body), { [U['02']]: 2, [U['10']]: 1 });
  // Today's Tuyên Quang as a place (no facility), by urgency: the same 2; old Hà Giang as a place: 2.
  const tq = await get('demo.ministry-admin', 'consultations', `${NOV}&province=${U['2025-08']}&by=urgency`);
  assert.equal(tq.body.totals.requested, 2);
  assert.equal(tq.body.rows.find((x) => x.key.id === 'routine').values.requested, 2);
  assert.equal((await get('demo.ministry-admin', 'consultations', `${NOV}&province=${U['02']}`)).body.totals.requested, 2);
  assert.equal((await get('demo.ministry-admin', 'consultations', `${NOV}&province=${U['15']}&as=pre2025`)).body.totals.requested, 0);
});

test('the province administrator: its province today, the old provinces merged into it, nothing of others', async () => {
  const own = await get('demo.province-admin', 'visits', `${NOV}&by=province&as=pre2025`);
  assert.equal(own.status, 200, JSON.stringify(own.body));
  assert.equal(own.body.scope.id, U['2025-08']);
  assert.deepEqual(rows(own.body), { [U['02']]: ['Hà Giang', 5], [U['08']]: ['Tuyên Quang', 1] });
  assert.equal((await get('demo.province-admin', 'visits', NOV)).body.totals.started, 6);
  assert.equal((await get('demo.province-admin', 'visits', `${NOV}&province=${U['02']}`)).body.totals.started, 5);
  const seed = await get('demo.province-admin', 'visits', `${NOV}&facility=${F[SEED]}`);
  assert.equal(seed.status, 200, 'a facility filed under an abolished province of theirs');
  assert.equal(seed.body.totals.started, 3);
  const tq = U['2025-08'], laocai = U['2025-15'];
  const absentFacility = Number(one('SELECT MAX(id) FROM facilities')) + 1000;
  const absentProvince = Number(one('SELECT MAX(id) FROM admin_units')) + 1000;
  for (const report of ['visits', 'sites']) {
    const g = (who, query) => get(who, report, query);
    const F2 = { 'TYT-LUNGCU': Number(one("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'")), 'TYT-YTY': F['TYT-YTY'] };
    await otherPlacesAnswerLikeAbsent(g, { F: F2, tq, laocai, absentFacility, absentProvince });
    // Old provinces: Yên Bái and old Lào Cai went to today's Lào Cai, not to the administrator's province.
    for (const query of [`?province=${U['15']}`, `?province=${U['10']}&as=pre2025`, `?province=${laocai}&as=pre2025`]) {
      const other = await g('demo.province-admin', query), none = await g('demo.province-admin', `?province=${absentProvince}`);
      assertError(other, 404);
      assert.deepEqual(other.body, none.body, query);
    }
    // A facility administrator reads no province, old or new.
    assertError(await g('demo.facility-admin', `?province=${U['02']}&as=pre2025`), 404);
  }
});

test('as on every report: 400 naming it when it is neither 2025 nor pre2025; an empty period in both views', async () => {
  for (const report of ['consultations', 'visits', 'reach', 'sites', 'training']) {
    const g = (who, query) => get(who, report, query);
    await badQueriesNameTheirField(g, [['?as=1990', 'as'], ['?as=', 'as'], ['?as=PRE2025', 'as']]);
    const r = await g('demo.ministry-admin', `?period=month:2025-01&by=province&as=pre2025`);
    assert.equal(r.status, 200, `${report} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.as, 'pre2025');
  }
  const empty = await get('demo.ministry-admin', 'visits', '?period=month:2025-01&by=province&as=pre2025');
  assert.deepEqual(empty.body.rows, []);
  assert.equal(empty.body.totals.started, 0);
});

test('the copy follows its facility: a facility moved to an old commune of Yên Bái is counted there and in today\'s Lào Cai', async () => {
  const commune = one(`SELECT MIN(id) FROM admin_units WHERE level = 'commune' AND parent_id = ${U['15']}`);
  srv.sql(`UPDATE facilities SET unit_id = ${commune}, province_id = ${U['15']} WHERE id = ${F[SEED]};`);
  const today = await get('demo.ministry-admin', 'visits', `${NOV}&by=province`);
  assert.deepEqual(rows(today.body), { [U['2025-08']]: ['Tuyên Quang', 3], [U['2025-15']]: ['Lào Cai', 8] });
  const old = await get('demo.ministry-admin', 'visits', `${NOV}&by=province&as=pre2025`);
  assert.deepEqual(rows(old.body), {
    [U['02']]: ['Hà Giang', 2], [U['08']]: ['Tuyên Quang', 1], [U['10']]: ['Lào Cai', 4], [U['15']]: ['Yên Bái', 4],
  });
  // A unit renamed: the name every report shows follows it.
  srv.sql(`UPDATE admin_units SET name = 'Yên Bái (cũ)' WHERE id = ${U['15']};`);
  const renamed = await get('demo.ministry-admin', 'visits', `${NOV}&by=province&as=pre2025`);
  assert.deepEqual(rows(renamed.body)[U['15']], ['Yên Bái (cũ)', 4]);
});
