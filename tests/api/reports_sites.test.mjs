// The connection sites report (docs/reports.md, "Connection sites"): remote visits started,
// consultation video rooms opened and training sessions attended are written straight into the
// database at controlled times, then the facilities active in a period and those never active up
// to its end are checked against the list worked out by hand below: every facility of the place
// (in service) is a site; the month boundary in Vietnam time; the empty period; rows that add up;
// who may read which place; bad input; and the CSV compared with the JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { otherPlacesAnswerLikeAbsent, badQueriesNameTheirField } from './lib/reports.mjs';

let srv;
const S = {};
const REPORT = '/api/v1/reports/sites';
const get = (who, query = '', headers = {}) => api(srv, 'GET', REPORT + query, { token: who && S[who].token, headers });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const at = (iso) => Date.parse(iso);
const CODES = ['TYT-LUNGCU', 'TYT-MEOVAC', 'TYT-YTY', 'TYT-MUONGTE', 'TYT-DONGDANG', 'TYT-BATRI', 'TTYT-DONGVAN',
  'TTYT-MUCANGCHAI', 'BVDK-HAGIANG', 'BVDK-LAOCAI', 'BV-BACHMAI'];

// The seed, and which facility each event makes active (docs/reports.md):
//  v1  visit started 2026-11-05 at Lũng Cú, doctor of BVĐK Hà Giang        → Lũng Cú, Hà Giang (Nov)
//  v2  visit started 2026-10-10 at Mèo Vạc, the same doctor                 → Mèo Vạc, Hà Giang (Oct)
//  v3  visit booked in November, never started                             → nothing
//  r1  room opened 2026-11-30T16:59Z (23:59 VN): asked by TTYT Đồng Văn, hub Bạch Mai, site Y Tý → Nov
//  r2  room opened 2026-11-30T17:00Z (00:00 VN, 1 Dec): asked by BVĐK Lào Cai, no hub → December
//  a1  live session started 2026-11-20, a trainee of TTYT Mù Cang Chải present 30 min → Nov
//  a2  the same session, a trainee of Đồng Đăng with 0 seconds present      → nothing
//  a3  self-paced session, attendance worked out 2026-09-01, a trainee of Mường Tè → Sep
//  v4  visit started 2026-11-12 at Ba Tri, a facility out of service today   → not a site at all
const ACTIVE_NOV = ['TYT-LUNGCU', 'BVDK-HAGIANG', 'TTYT-DONGVAN', 'BV-BACHMAI', 'TYT-YTY', 'TTYT-MUCANGCHAI'];
const EVER_BY_NOV_END = [...ACTIVE_NOV, 'TYT-MEOVAC', 'TYT-MUONGTE'];
const ACTIVE_OCT = ['TYT-MEOVAC', 'BVDK-HAGIANG'];

before(async () => {
  srv = await startSignedIn(S);
  for (const code of CODES) F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const patient = one('SELECT MIN(id) FROM patients');
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [`UPDATE facilities SET active = 0 WHERE id = ${F['TYT-BATRI']};`];
  const visit = (name, fac, started) => sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, ` +
    `created_by, mode, state, reason, started_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${doctor}, ` +
    `${F['BVDK-HAGIANG']}, ${doctor}, 'video', '${started ? 'in_progress' : 'planned'}', 'seed ${name}', ` +
    `${started ? at(started) : 'NULL'}, ${at('2026-11-01T03:00:00Z')}, ${at('2026-11-01T03:00:00Z')});`);
  visit('v1', 'TYT-LUNGCU', '2026-11-05T03:00:00Z');
  visit('v2', 'TYT-MEOVAC', '2026-10-10T03:00:00Z');
  visit('v3', 'TYT-DONGDANG', null);
  visit('v4', 'TYT-BATRI', '2026-11-12T03:00:00Z');
  const room = (name, fac, hub, site, opened, janus) => {
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, assigned_facility_id, created_by, summary, urgency, ` +
      `specialty, kind, state, requested_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${hub ? F[hub] : 'NULL'}, ` +
      `${doctor}, 'seed ${name}', 'routine', 'internal', 'general', 'requested', ${at('2026-11-01T03:00:00Z')}, ` +
      `${at('2026-11-01T03:00:00Z')}, ${at('2026-11-01T03:00:00Z')});`);
    const id = `(SELECT id FROM consults WHERE summary = 'seed ${name}')`;
    if (site)
      sql.push(`INSERT INTO consult_participants (consult_id, user_id, facility_id, role, added_by, added_at) VALUES (${id}, NULL, ` +
        `${F[site]}, 'site', ${doctor}, ${at('2026-11-01T03:00:00Z')});`);
    sql.push(`INSERT INTO rtc_rooms (consult_id, janus_room, pin, secret, created_by, created_at) VALUES (${id}, ${janus}, '1', ` +
      `'s', ${doctor}, ${at(opened)});`);
  };
  room('r1', 'TTYT-DONGVAN', 'BV-BACHMAI', 'TYT-YTY', '2026-11-30T16:59:00Z', 990001);
  room('r2', 'BVDK-LAOCAI', null, null, '2026-11-30T17:00:00Z', 990002);
  for (const [name, fac] of [['t1', 'TTYT-MUCANGCHAI'], ['t2', 'TYT-DONGDANG'], ['t3', 'TYT-MUONGTE']])
    sql.push(`INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, created_at, updated_at) ` +
      `VALUES ('seed.${name}', 'Seed ${name}', 'seed ${name}', 'x', 'health_worker', ${F[fac]}, 0, 0);`);
  sql.push(`INSERT INTO courses (title, credit_minutes, facility_id, state, created_by, created_at, updated_at) VALUES ` +
    `('Seed course', 60, ${F['BV-BACHMAI']}, 'published', ${doctor}, 0, 0);`);
  const course = "(SELECT id FROM courses WHERE title = 'Seed course')";
  for (const [title, kind, started] of [['s1', 'live', '2026-11-20T02:00:00Z'], ['s2', 'self_paced', null]])
    sql.push(`INSERT INTO course_sessions (course_id, kind, title, minutes, state, started_at, created_by, created_at) VALUES ` +
      `(${course}, '${kind}', 'seed ${title}', 60, '${started ? 'ended' : 'planned'}', ${started ? at(started) : 'NULL'}, ${doctor}, 0);`);
  for (const [user, session, seconds, computed] of [['t1', 's1', 1800, '2026-11-20T03:00:00Z'], ['t2', 's1', 0, '2026-11-20T03:00:00Z'],
    ['t3', 's2', 3600, '2026-09-01T03:00:00Z']])
    sql.push(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES ((SELECT id FROM ` +
      `course_sessions WHERE title = 'seed ${session}'), (SELECT id FROM users WHERE username = 'seed.${user}'), ${seconds}, ` +
      `${seconds ? 50 : 0}, 'online', 0, ${at(computed)});`);
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

// The facilities of a place in service today, read from the demo network (what a site is).
const sitesOf = (where = '1 = 1') => srv.sql(`SELECT id FROM facilities WHERE active = 1 AND ${where}`).split('\n').filter(Boolean).map(Number);
const fig = (ids, active, ever) => {
  const a = ids.filter((id) => active.some((c) => F[c] === id)).length;
  const e = ids.filter((id) => ever.some((c) => F[c] === id)).length;
  return { sites: ids.length, active: a, never_active: ids.length - e, active_pct: ids.length ? Math.round((1000 * a) / ids.length) / 10 : null };
};

test('November for the country: every site, the active ones and the never active ones, as worked out by hand', async () => {
  const all = sitesOf();
  assert.ok(!all.includes(F['TYT-BATRI']));
  const r = await get('demo.ministry-admin', '?period=month:2026-11');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'sites');
  assert.deepEqual(r.body.columns.map((c) => c.key), ['sites', 'active', 'never_active', 'active_pct']);
  assert.deepEqual(r.body.totals, fig(all, ACTIVE_NOV, EVER_BY_NOV_END));
  assert.equal(r.body.totals.active, 6);
  assert.equal(r.body.totals.never_active, all.length - 8);
  assert.deepEqual(r.body.rows, []);
  assert.deepEqual((await get('demo.ministry-admin', '?period=month:2026-10')).body.totals, fig(all, ACTIVE_OCT, ['TYT-MEOVAC', 'BVDK-HAGIANG', 'TYT-MUONGTE']));
});

test('by facility: a row for every site of the place, active 0 or 1, summing to the totals', async () => {
  const r = (await get('demo.ministry-admin', '?period=month:2026-11&by=facility')).body;
  const all = sitesOf();
  assert.deepEqual(r.rows.map((x) => x.key.id).sort((a, b) => a - b), [...all].sort((a, b) => a - b));
  for (const row of r.rows) {
    const active = ACTIVE_NOV.some((c) => F[c] === row.key.id) ? 1 : 0;
    const never = EVER_BY_NOV_END.some((c) => F[c] === row.key.id) ? 0 : 1;
    assert.deepEqual(row.values, { sites: 1, active, never_active: never, active_pct: active * 100 }, row.key.name);
  }
  for (const k of ['sites', 'active', 'never_active']) assert.equal(r.rows.reduce((s, x) => s + x.values[k], 0), r.totals[k], k);
});

test('by level and province: rows add up; a province administrator reads its own province', async () => {
  for (const by of ['level', 'province']) {
    const r = (await get('demo.ministry-admin', `?period=month:2026-11&by=${by}`)).body;
    for (const k of ['sites', 'active', 'never_active']) assert.equal(r.rows.reduce((s, x) => s + x.values[k], 0), r.totals[k], `${by} ${k}`);
  }
  const levels = (await get('demo.ministry-admin', '?period=month:2026-11&by=level')).body.rows;
  const level = (l) => levels.find((x) => x.key.id === l).values;
  assert.deepEqual(level('commune'), fig(sitesOf("level = 'commune'"), ACTIVE_NOV, EVER_BY_NOV_END));
  assert.equal(level('commune').active, 2); // Lũng Cú, Y Tý
  assert.equal(level('district').active, 2); // Đồng Văn, Mù Cang Chải
  assert.equal(levels.find((x) => x.key.id === 'commune').key.name, 'Xã / commune');
  const tq = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`));
  const province = await get('demo.province-admin', '?period=month:2026-11&by=facility');
  assert.equal(province.status, 200);
  assert.equal(province.body.scope.id, tq);
  assert.deepEqual(province.body.totals, fig(sitesOf(`province_id = ${tq}`), ACTIVE_NOV, EVER_BY_NOV_END));
  assert.equal(province.body.totals.active, 3); // Lũng Cú, Hà Giang, Đồng Văn
  const own = await get('demo.facility-admin', '?period=month:2026-10');
  assert.deepEqual(own.body.totals, { sites: 1, active: 1, never_active: 0, active_pct: 100 }); // BVĐK Hà Giang, v2's doctor
});

test('the month boundary is Vietnam midnight; the empty period has every site inactive', async () => {
  const last = (await get('demo.ministry-admin', '?period=day:2026-11-30&by=facility')).body.rows;
  const actives = last.filter((x) => x.values.active).map((x) => x.key.id).sort();
  assert.deepEqual(actives, [F['TTYT-DONGVAN'], F['BV-BACHMAI'], F['TYT-YTY']].sort()); // r1 at 23:59
  const first = (await get('demo.ministry-admin', '?period=day:2026-12-01&by=facility')).body.rows;
  assert.deepEqual(first.filter((x) => x.values.active).map((x) => x.key.id), [F['BVDK-LAOCAI']]); // r2 at 00:00
  const all = sitesOf();
  const empty = await get('demo.ministry-admin', '?period=month:2025-01');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.totals, { sites: all.length, active: 0, never_active: all.length, active_pct: 0 });
});

test('who reads which place, and bad input', async () => {
  const tq = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`));
  const laocai = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`));
  const absentFacility = Number(one('SELECT MAX(id) FROM facilities')) + 1000;
  const absentProvince = Number(one('SELECT MAX(id) FROM admin_units')) + 1000;
  await otherPlacesAnswerLikeAbsent(get, { F, tq, laocai, absentFacility, absentProvince });
  for (const who of ['demo.doctor', 'demo.commune', 'demo.patient']) assertError(await get(who, '?period=month:2026-11'), 403);
  assertError(await get(null, '?period=month:2026-11'), 401);
  await badQueriesNameTheirField(get, [['?period=month:2026-13', 'period'], ['?from=2026-01-01&to=2027-06-01', 'to'],
    ['?by=urgency', 'by'], ['?province=x', 'province'], ['?facility=1.5', 'facility'], ['?format=xls', 'format']]);
});

test('CSV: the same figures as the JSON; sites are facilities, never small cells', async () => {
  const json = (await get('demo.ministry-admin', '?period=month:2026-11&by=level')).body;
  const r = await get('demo.ministry-admin', '?period=month:2026-11&by=level&format=csv', { 'accept-language': 'en' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="bao-cao-diem-ket-noi-2026-11.csv"');
  const lines = r.body.replace(/^\ufeff/, '').split('\r\n').filter(Boolean).map((l) => l.split(',').map((c) => c.replace(/^"(.*)"$/, '$1')));
  assert.deepEqual(lines[0], ['level', ...json.columns.map((c) => c.label_en)]);
  const cell = (v) => (v === null ? '' : String(v));
  assert.deepEqual(lines.slice(1), [...json.rows.map((x) => [x.key.name, ...json.columns.map((c) => cell(x.values[c.key]))]),
    ['Total', ...json.columns.map((c) => cell(json.totals[c.key]))]]);
  assert.ok(lines.some((l) => l[2] === '2'), 'an active count of 2 is written as 2');
});

test('level: only the sites of that level, the same figures as its by=level row; 400 off the list', async () => {
  const commune = await get('demo.ministry-admin', '?period=month:2026-11&level=commune');
  assert.equal(commune.status, 200);
  assert.deepEqual(commune.body.totals, fig(sitesOf("level = 'commune'"), ACTIVE_NOV, EVER_BY_NOV_END));
  assert.equal(commune.body.totals.active, 2); // Lũng Cú, Y Tý
  const byFacility = (await get('demo.ministry-admin', '?period=month:2026-11&level=district&by=facility')).body;
  assert.deepEqual(byFacility.rows.map((x) => x.key.id).sort((a, b) => a - b), sitesOf("level = 'district'").sort((a, b) => a - b));
  assert.equal(byFacility.totals.active, 2); // Đồng Văn, Mù Cang Chải
  // The province administrator's district sites: Đồng Văn only is active.
  assert.equal((await get('demo.province-admin', '?period=month:2026-11&level=district')).body.totals.active, 1);
  await badQueriesNameTheirField(get, [['?level=village', 'level'], ['?specialty=cardiology', 'specialty']]);
});
