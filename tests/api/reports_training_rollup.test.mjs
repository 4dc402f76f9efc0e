// The training report's rollups (migration 0025, docs/reports.md "Rollups"): sessions that start
// later, attendance rewritten by a trainer's correction or deleted, people trained once however
// many credits over months, as a user of the report sees them. Everything is written in 2025,
// which holds nothing else; every figure is worked out by hand below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';

let srv;
const S = {};
const get = (query) => api(srv, 'GET', '/api/v1/reports/training' + query, { token: S['demo.ministry-admin'].token });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const at = (iso) => Date.parse(iso);
const user = (u) => `(SELECT id FROM users WHERE username = 'roll.${u}')`;
const course = (c) => `(SELECT id FROM courses WHERE title = 'Roll ${c}')`;
const session = (s) => `(SELECT id FROM course_sessions WHERE title = 'roll ${s}')`;
// What a trainer's correction writes: the attendance upsert of src/training/attendance.c.
const attend = (u, s, seconds, computed) =>
  srv.sql(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES (${session(s)}, ` +
    `${user(u)}, ${seconds}, 50, 'online', 0, ${at(computed)}) ON CONFLICT (session_id, user_id) DO UPDATE SET seconds = ` +
    `excluded.seconds, pct = excluded.pct, source = excluded.source, passed = excluded.passed, computed_at = excluded.computed_at;`);
const figures = (v) => [v.sessions_live, v.attendances, v.trained, v.credit_hours, v.certificates];

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC', 'BV-BACHMAI'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const admin = one("SELECT id FROM users WHERE username = 'demo.ministry-admin'");
  const sql = [];
  for (const [u, role, fac] of [['t1', 'health_worker', 'TYT-LUNGCU'], ['t2', 'doctor', 'TYT-MEOVAC']])
    sql.push(`INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, created_at, updated_at) ` +
      `VALUES ('roll.${u}', 'Roll ${u}', 'roll ${u}', 'x', '${role}', ${F[fac]}, 0, 0);`);
  for (const c of ['k1', 'k2'])
    sql.push(`INSERT INTO courses (title, credit_minutes, facility_id, state, created_by, created_at, updated_at) VALUES ` +
      `('Roll ${c}', 60, ${F['BV-BACHMAI']}, 'published', ${admin}, ${at('2025-06-01T00:00:00Z')}, 0);`);
  sql.push(`INSERT INTO course_sessions (course_id, kind, title, minutes, state, created_by, created_at) VALUES ` +
    `(${course('k1')}, 'live', 'roll s1', 60, 'planned', ${admin}, ${at('2025-06-01T00:00:00Z')}), ` +
    `(${course('k2')}, 'live', 'roll s2', 60, 'planned', ${admin}, ${at('2025-06-01T00:00:00Z')});`);
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

test('a session counts when it starts: 23:59 on 30 September in Vietnam is September', async () => {
  assert.deepEqual(figures((await get('?period=year:2025')).body.totals), [0, 0, 0, 0, 0]);
  srv.sql(`UPDATE course_sessions SET state = 'live', started_at = ${at('2025-09-30T16:59:00Z')} WHERE id = ${session('s1')};`);
  srv.sql(`UPDATE course_sessions SET state = 'ended', ended_at = ${at('2025-09-30T17:30:00Z')} WHERE id = ${session('s1')};`);
  assert.equal((await get('?period=month:2025-09')).body.totals.sessions_live, 1);
  assert.equal((await get('?period=month:2025-10')).body.totals.sessions_live, 0);
  // s2 starts at midnight on 1 November in Vietnam (17:00 UTC on 31 October): November's.
  srv.sql(`UPDATE course_sessions SET state = 'live', started_at = ${at('2025-10-31T17:00:00Z')} WHERE id = ${session('s2')};`);
  assert.equal((await get('?period=month:2025-10')).body.totals.sessions_live, 0);
  assert.equal((await get('?period=month:2025-11')).body.totals.sessions_live, 1);
});

test('an attendance corrected by a trainer moves the count; a deleted one leaves it', async () => {
  // Worked out on 1 October with t1 absent (0 s): counted at the session's start, September, as none.
  attend('t1', 's1', 0, '2025-10-01T00:00:00Z');
  attend('t2', 's1', 900, '2025-10-01T00:00:00Z');
  const sep = async () => (await get('?period=month:2025-09&by=role')).body;
  let r = await sep();
  assert.deepEqual([r.totals.attendances, r.rows.map((x) => [x.key.id, x.values.attendances])], [1, [['doctor', 1]]]);
  // The trainer corrects t1 to 20 minutes present: one more, in health workers' row.
  attend('t1', 's1', 1200, '2025-10-02T00:00:00Z');
  r = await sep();
  assert.deepEqual([r.totals.attendances, r.rows.map((x) => [x.key.id, x.values.attendances])], [2, [['doctor', 1], ['health_worker', 1]]]);
  // Corrected again to 25 minutes: still one attendance, not two.
  attend('t1', 's1', 1500, '2025-10-03T00:00:00Z');
  r = await sep();
  assert.deepEqual([r.totals.attendances, r.rows.map((x) => [x.key.id, x.values.attendances])], [2, [['doctor', 1], ['health_worker', 1]]]);
  // t2's attendance is deleted: doctors' row goes, since nothing else of theirs happened.
  srv.sql(`DELETE FROM attendance WHERE user_id = ${user('t2')};`);
  r = await sep();
  assert.deepEqual([r.totals.attendances, r.rows.map((x) => [x.key.id, x.values.attendances])], [1, [['health_worker', 1]]]);
  assert.equal((await get('?period=month:2025-10')).body.totals.attendances, 0);
});

test('a person trained in two months is one person trained in the year, with both credits\' hours', async () => {
  srv.sql(`INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at) VALUES (${course('k1')}, ${user('t1')}, 60, 90, ` +
    `${at('2025-09-10T03:00:00Z')});`);
  srv.sql(`INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at) VALUES (${course('k2')}, ${user('t1')}, 90, 90, ` +
    `${at('2025-10-10T03:00:00Z')});`);
  srv.sql(`INSERT INTO certificates (credit_id, verify_code, holder_name, course_title, minutes, issuer_facility_id, issuer_name, ` +
    `issued_by, issued_at, content_hash) VALUES ((SELECT id FROM credits WHERE course_id = ${course('k1')}), 'ROLL-1', 'Roll t1', ` +
    `'Roll k1', 60, ${F['BV-BACHMAI']}, 'BV Bạch Mai', ${user('t1')}, ${at('2025-09-12T03:00:00Z')}, 'h');`);
  // September: s1, t1 present, t1 trained 1 h, one certificate; October: t1 trained 1.5 h.
  assert.deepEqual(figures((await get('?period=month:2025-09')).body.totals), [1, 1, 1, 1, 1]);
  assert.deepEqual(figures((await get('?period=month:2025-10')).body.totals), [0, 0, 1, 1.5, 0]);
  // The year (s1 and s2), the quarter (s2), and a range of days over both months (lead days, a month, tail days):
  // t1 once, 2.5 h.
  assert.deepEqual(figures((await get('?period=year:2025')).body.totals), [2, 1, 1, 2.5, 1]);
  assert.deepEqual(figures((await get('?period=quarter:2025-Q4')).body.totals), [1, 0, 1, 1.5, 0]);
  const range = (await get('?from=2025-08-15&to=2025-10-20&by=facility')).body;
  assert.deepEqual(figures(range.totals), [1, 1, 1, 2.5, 1]);
  assert.deepEqual(range.rows.map((x) => [x.key.id, x.values.trained, x.values.credit_hours]),
    [[F['TYT-LUNGCU'], 1, 2.5], [F['BV-BACHMAI'], 0, 0]].sort((a, b) => a[0] - b[0]));
  // The certificate deleted (as a test's cleanup would): September has none.
  srv.sql("DELETE FROM certificates WHERE verify_code = 'ROLL-1';");
  assert.equal((await get('?period=month:2025-09')).body.totals.certificates, 0);
});
