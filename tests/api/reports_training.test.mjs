// The training report (docs/reports.md, "Training"): courses, sessions, attendances, credits and
// certificates are written straight into the database at controlled times, then every figure is
// checked against numbers worked out by hand from the list below: courses and sessions in the
// place of the hosting facility, the rest in the trainee's; people trained once however many
// credits; the month boundary in Vietnam time; the empty period; rows that add up; who may read
// which place; bad input; and the CSV with its small cells compared with the JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { otherPlacesAnswerLikeAbsent, badQueriesNameTheirField } from './lib/reports.mjs';

let srv;
const S = {};
const REPORT = '/api/v1/reports/training';
const get = (who, query = '', headers = {}) => api(srv, 'GET', REPORT + query, { token: who && S[who].token, headers });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const at = (iso) => Date.parse(iso);
const CODES = ['TYT-LUNGCU', 'TYT-MEOVAC', 'TYT-YTY', 'TTYT-DONGVAN', 'BVDK-HAGIANG', 'BVDK-LAOCAI', 'BV-BACHMAI'];

// The trainees: u1, u2 health workers of Lũng Cú and Mèo Vạc, u3 a doctor of TTYT Đồng Văn (all
// Tuyên Quang); u4 a doctor of Y Tý, u5 a specialist of BVĐK Lào Cai (Lào Cai).
const USERS = [['u1', 'health_worker', 'TYT-LUNGCU'], ['u2', 'health_worker', 'TYT-MEOVAC'], ['u3', 'doctor', 'TTYT-DONGVAN'],
  ['u4', 'doctor', 'TYT-YTY'], ['u5', 'specialist', 'BVDK-LAOCAI']];
// Courses, by their host: published c1 (Bạch Mai, October), c2 (BVĐK Hà Giang, 15 November),
// c4 (Bạch Mai, created at 00:00 on 1 December in Vietnam); c3 a draft, c5 archived.
const COURSES = [['c1', 'BV-BACHMAI', 'published', '2026-10-01T00:00:00Z'], ['c2', 'BVDK-HAGIANG', 'published', '2026-11-15T00:00:00Z'],
  ['c3', 'BVDK-HAGIANG', 'draft', '2026-10-01T00:00:00Z'], ['c4', 'BV-BACHMAI', 'published', '2026-11-30T17:00:00Z'],
  ['c5', 'BVDK-HAGIANG', 'archived', '2026-10-01T00:00:00Z']];
// Sessions: course, kind, state, started (live, case), created (self-paced).
const SESSIONS = [['s1', 'c1', 'live', 'ended', '2026-11-10T02:00:00Z'], ['s2', 'c1', 'live', 'ended', '2026-10-20T02:00:00Z'],
  ['s3', 'c2', 'case', 'ended', '2026-11-30T16:59:00Z'], ['s4', 'c2', 'self_paced', 'planned', null, '2026-11-05T00:00:00Z'],
  ['s5', 'c1', 'live', 'cancelled', null], ['s6', 'c2', 'live', 'ended', '2026-11-30T17:00:00Z']];
// Attendance: who, session, seconds present, when worked out (the moment only for self-paced s4).
const ATTENDANCE = [['u1', 's1', 3000], ['u2', 's1', 3000], ['u3', 's1', 0], ['u4', 's1', 3000], ['u1', 's3', 1200],
  ['u5', 's6', 1200], ['u3', 's4', 1800, '2026-11-07T00:00:00Z'], ['u2', 's2', 3000]];
// Credits: who, course, minutes, earned; certificates: of which credit, issued, revoked.
const CREDITS = [['u1', 'c1', 60, '2026-11-12T03:00:00Z'], ['u1', 'c2', 90, '2026-11-30T16:59:00Z'], ['u2', 'c1', 60, '2026-10-25T03:00:00Z'],
  ['u4', 'c1', 60, '2026-11-15T03:00:00Z'], ['u5', 'c2', 90, '2026-11-30T17:00:00Z']];
const CERTIFICATES = [['x1', 'u1', 'c1', '2026-11-12T03:00:00Z'], ['x2', 'u4', 'c1', '2026-11-16T03:00:00Z', '2026-11-20T03:00:00Z'],
  ['x3', 'u2', 'c1', '2026-10-25T03:00:00Z']];

before(async () => {
  srv = await startSignedIn(S);
  for (const code of CODES) F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const admin = one("SELECT id FROM users WHERE username = 'demo.ministry-admin'");
  const sql = [];
  const user = (u) => `(SELECT id FROM users WHERE username = 'seed.${u}')`;
  const course = (c) => `(SELECT id FROM courses WHERE title = 'Seed ${c}')`;
  const session = (s) => `(SELECT id FROM course_sessions WHERE title = 'seed ${s}')`;
  for (const [u, role, fac] of USERS)
    sql.push(`INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, created_at, updated_at) ` +
      `VALUES ('seed.${u}', 'Seed ${u}', 'seed ${u}', 'x', '${role}', ${F[fac]}, 0, 0);`);
  for (const [c, fac, state, created] of COURSES)
    sql.push(`INSERT INTO courses (title, credit_minutes, facility_id, state, created_by, created_at, updated_at) VALUES ` +
      `('Seed ${c}', 60, ${F[fac]}, '${state}', ${admin}, ${at(created)}, ${at(created)});`);
  for (const [s, c, kind, state, started, created] of SESSIONS)
    sql.push(`INSERT INTO course_sessions (course_id, kind, title, minutes, state, started_at, created_by, created_at) VALUES ` +
      `(${course(c)}, '${kind}', 'seed ${s}', 60, '${state}', ${started ? at(started) : 'NULL'}, ${admin}, ` +
      `${at(created ?? '2026-09-01T00:00:00Z')});`);
  for (const [u, s, seconds, computed] of ATTENDANCE)
    sql.push(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES (${session(s)}, ` +
      `${user(u)}, ${seconds}, 50, 'online', 0, ${at(computed ?? '2026-12-05T00:00:00Z')});`);
  for (const [u, c, minutes, earned] of CREDITS)
    sql.push(`INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at) VALUES (${course(c)}, ${user(u)}, ` +
      `${minutes}, 90, ${at(earned)});`);
  for (const [x, u, c, issued, revoked] of CERTIFICATES)
    sql.push(`INSERT INTO certificates (credit_id, verify_code, holder_name, course_title, minutes, issuer_facility_id, ` +
      `issuer_name, issued_by, issued_at, content_hash, revoked_at) VALUES ((SELECT id FROM credits WHERE user_id = ${user(u)} ` +
      `AND course_id = ${course(c)}), 'SEED-${x}', 'Seed ${u}', 'Seed ${c}', 60, ${F['BV-BACHMAI']}, 'BV Bạch Mai', ${admin}, ` +
      `${at(issued)}, 'h', ${revoked ? at(revoked) : 'NULL'});`);
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

const KEYS = ['courses', 'sessions_live', 'sessions_self_paced', 'sessions_case', 'attendances', 'trained', 'credit_hours', 'certificates'];
const fig = (courses, live, self, kase, attendances, trained, hours, certificates) => ({
  courses, sessions_live: live, sessions_self_paced: self, sessions_case: kase, attendances, trained, credit_hours: hours, certificates });
const noCourses = (v) => ({ ...v, courses: null, sessions_live: null, sessions_self_paced: null, sessions_case: null });

// November 2026, the country, by hand:
// courses published by its end: c1, c2 = 2 (c3 draft, c4 December, c5 archived)
// sessions held: live s1 (s2 October, s5 cancelled, s6 December) = 1; self-paced s4 = 1; case s3 (23:59 VN) = 1
// attendances present: u1 s1, u2 s1, u4 s1, u1 s3, u3 s4 = 5 (u3 s1 0 seconds; u5 s6 December; u2 s2 October)
// trained: u1 (two credits, once), u4 = 2; credit hours (60 + 90 + 60) / 60 = 3.5; certificates x1, x2 (revoked later) = 2
const NOVEMBER = fig(2, 1, 1, 1, 5, 2, 3.5, 2);

test('November for the country: every figure as worked out by hand', async () => {
  const r = await get('demo.ministry-admin', '?period=month:2026-11');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'training');
  assert.deepEqual(r.body.columns.map((c) => c.key), KEYS);
  assert.deepEqual(r.body.totals, NOVEMBER);
  assert.deepEqual(r.body.rows, []);
  // October: c1 (c3 is a draft, c5 archived now), s2; u2 s2; u2's credit and x3.
  assert.deepEqual((await get('demo.ministry-admin', '?period=month:2026-10')).body.totals, fig(1, 1, 0, 0, 1, 1, 1, 1));
});

test('by role, level, facility and province: rows add up to the totals; courses by host, the rest by trainee', async () => {
  const role = (await get('demo.ministry-admin', '?period=month:2026-11&by=role')).body;
  assert.deepEqual(role.totals, NOVEMBER);
  assert.deepEqual(Object.fromEntries(role.rows.map((x) => [x.key.id, x.values])), {
    health_worker: noCourses(fig(0, 0, 0, 0, 3, 1, 2.5, 1)), // u1 s1, u2 s1, u1 s3; u1: 60 + 90 min; x1
    doctor: noCourses(fig(0, 0, 0, 0, 2, 1, 1, 1)), // u4 s1, u3 s4; u4; x2
  });
  assert.equal(role.rows[1].key.name, 'Nhân viên y tế / health worker');
  const level = (await get('demo.ministry-admin', '?period=month:2026-11&by=level')).body;
  assert.deepEqual(Object.fromEntries(level.rows.map((x) => [x.key.id, x.values])), {
    central: fig(1, 1, 0, 0, 0, 0, 0, 0), // Bạch Mai hosts c1 and s1
    provincial: fig(1, 0, 1, 1, 0, 0, 0, 0), // BVĐK Hà Giang hosts c2, s4, s3
    district: fig(0, 0, 0, 0, 1, 0, 0, 0), // u3 s4
    commune: fig(0, 0, 0, 0, 4, 2, 3.5, 2), // u1 ×2, u2, u4; u1, u4
  });
  for (const by of ['level', 'facility', 'province']) {
    const r = (await get('demo.ministry-admin', `?period=month:2026-11&by=${by}`)).body;
    assert.deepEqual(r.totals, NOVEMBER, by);
    for (const k of KEYS) assert.equal(r.rows.reduce((s, x) => s + x.values[k], 0), NOVEMBER[k], `${by}: sum of ${k}`);
  }
  const facility = (await get('demo.ministry-admin', '?period=month:2026-11&by=facility')).body.rows;
  assert.deepEqual(facility.find((x) => x.key.id === F['TYT-LUNGCU']).values, fig(0, 0, 0, 0, 2, 1, 2.5, 1));
  // Tuyên Quang: c2 and its sessions (hosted by BVĐK Hà Giang); u1 ×2, u2, u3; u1's credits and x1.
  const province = await get('demo.province-admin', '?period=month:2026-11');
  assert.deepEqual(province.body.totals, fig(1, 0, 1, 1, 4, 1, 2.5, 1));
  const own = await get('demo.facility-admin', '?period=month:2026-11');
  assert.deepEqual(own.body.totals, fig(1, 0, 1, 1, 0, 0, 0, 0)); // BVĐK Hà Giang hosts, trains no one here
});

test('the month boundary is Vietnam midnight, and the empty period is zeros', async () => {
  // 30 November: s3, u1 at s3, u1's c2 credit (90 min) at 23:59; c1 and c2 published.
  assert.deepEqual((await get('demo.ministry-admin', '?period=day:2026-11-30')).body.totals, fig(2, 0, 0, 1, 1, 1, 1.5, 0));
  // 1 December: c4 at 00:00 joins c1, c2; s6, u5 at s6, u5's credit.
  assert.deepEqual((await get('demo.ministry-admin', '?period=day:2026-12-01')).body.totals, fig(3, 1, 0, 0, 1, 1, 1.5, 0));
  const empty = await get('demo.ministry-admin', '?period=month:2025-01&by=role');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.rows, []);
  assert.deepEqual(empty.body.totals, fig(0, 0, 0, 0, 0, 0, 0, 0));
});

test('an attendance counts at its session\'s start, never when it was worked out', async () => {
  // December by hand: courses c1, c2, c4 = 3; live s6 (1 December) = 1; attendances: u5 at s6 = 1 —
  // u1, u2, u4 at s1, u1 at s3 and u2 at s2 were worked out on 5 December too, but their sessions
  // started in October and November; trained u5 (90 min) = 1, 1.5 h; no certificate.
  assert.deepEqual((await get('demo.ministry-admin', '?period=month:2026-12')).body.totals, fig(3, 1, 0, 0, 1, 1, 1.5, 0));
  // A self-paced session has no start: u3's attendance at s4 counts when it was worked out (7 November),
  // not when s4 was made available (5 November).
  assert.equal((await get('demo.ministry-admin', '?period=day:2026-11-07')).body.totals.attendances, 1);
  assert.equal((await get('demo.ministry-admin', '?period=day:2026-11-05')).body.totals.attendances, 0);
});

test('who reads which place, and bad input', async () => {
  const tq = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`));
  const laocai = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`));
  const absentFacility = Number(one('SELECT MAX(id) FROM facilities')) + 1000;
  const absentProvince = Number(one('SELECT MAX(id) FROM admin_units')) + 1000;
  await otherPlacesAnswerLikeAbsent(get, { F, tq, laocai, absentFacility, absentProvince });
  for (const who of ['demo.doctor', 'demo.commune', 'demo.trainer', 'demo.patient']) assertError(await get(who, '?period=month:2026-11'), 403);
  assertError(await get(null, '?period=month:2026-11'), 401);
  await badQueriesNameTheirField(get, [['?period=quarter:2026-Q5', 'period'], ['?from=2026-11-30&to=2026-11-01', 'to'], ['?by=mode', 'by'],
    ['?province=-1', 'province'], ['?facility=abc', 'facility'], ['?format=pdf', 'format']]);
});

test('CSV: the figures of the JSON; people counted 1 to 4 and their hours are "<5", courses and sessions never', async () => {
  const json = (await get('demo.ministry-admin', '?period=month:2026-11&by=role')).body;
  const r = await get('demo.ministry-admin', '?period=month:2026-11&by=role&format=csv');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="bao-cao-dao-tao-2026-11.csv"');
  const lines = r.body.replace(/^\ufeff/, '').split('\r\n').filter(Boolean).map((l) => l.split(',').map((c) => c.replace(/^"(.*)"$/, '$1')));
  assert.deepEqual(lines[0], ['Nhóm', ...json.columns.map((c) => c.label_vi)]);
  const small = (v, base) => (base >= 1 && base <= 4 ? '<5' : v === null ? '' : String(v));
  const line = (name, v) => [name, ...json.columns.map((c) => (['courses', 'sessions_live', 'sessions_self_paced', 'sessions_case'].includes(c.key)
    ? (v[c.key] === null ? '' : String(v[c.key])) : small(v[c.key], c.key === 'credit_hours' ? v.trained : v[c.key])))];
  assert.deepEqual(lines.slice(1), [...json.rows.map((x) => line(x.key.name, x.values)), line('Tổng cộng', json.totals)]);
  // Totals by hand: 2 courses, 1, 1, 1 sessions as they are; 5 attendances; 2 trained, their hours, 2 certificates "<5".
  assert.deepEqual(lines.at(-1), ['Tổng cộng', '2', '1', '1', '1', '5', '<5', '<5', '<5']);
});

test('level: courses and sessions by the host\'s level, the rest by the trainee\'s; 400 off the list', async () => {
  const totals = async (level) => (await get('demo.ministry-admin', `?period=month:2026-11&level=${level}`)).body.totals;
  // Commune: no course is hosted by a commune station; trainees u1 (Lũng Cú), u2 (Mèo Vạc), u4 (Y Tý):
  // attendances u1 s1, u2 s1, u4 s1, u1 s3 = 4; trained u1, u4 = 2; hours (60 + 90 + 60) / 60 = 3.5;
  // certificates x1, x2 = 2.
  assert.deepEqual(await totals('commune'), { courses: 0, sessions_live: 0, sessions_self_paced: 0, sessions_case: 0,
    attendances: 4, trained: 2, credit_hours: 3.5, certificates: 2 });
  // Central: Bạch Mai hosts c1 and held s1 (live); no central trainee.
  assert.deepEqual(await totals('central'), { courses: 1, sessions_live: 1, sessions_self_paced: 0, sessions_case: 0,
    attendances: 0, trained: 0, credit_hours: 0, certificates: 0 });
  // District: u3 (Đồng Văn) present in self-paced s4 = 1 attendance, no credit.
  assert.deepEqual(await totals('district'), { courses: 0, sessions_live: 0, sessions_self_paced: 0, sessions_case: 0,
    attendances: 1, trained: 0, credit_hours: 0, certificates: 0 });
  await badQueriesNameTheirField(get, [['?level=ward', 'level'], ['?specialty=cardiology', 'specialty']]);
});
