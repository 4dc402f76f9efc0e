// The numbers of each role's home page (GET /api/v1/me/today; docs/reports.md, "Numbers on the
// home page"). The server's clock is moved to a Wednesday at 10:00 in Vietnam; queue entries,
// visits, consultations, their acceptances and training sessions are written straight into the
// database at times around it, and every figure is checked against the list worked out by hand
// below: the day's edge in Vietnam time (23:50 yesterday is not today), the oldest wait, the median
// of an even count (nearest rank: the lower middle), another facility's records left out, the ISO
// week, the empty day before anything is seeded, and who may ask.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';

const MIN = 60000, HOUR = 60 * MIN, DAY = 24 * HOUR, VN = 7 * HOUR;
// Midnight in Vietnam of the first Wednesday at least two days ahead (the clock only moves forward),
// and 10:00 that day: the server's "now".
const vnDay = (ms) => Math.floor((ms + VN) / DAY);
let day0 = vnDay(Date.now()) + 2;
while (new Date(day0 * DAY).getUTCDay() !== 3) day0++;
const MIDNIGHT = day0 * DAY - VN, NOW = MIDNIGHT + 10 * HOUR;
const TODAY = new Date(day0 * DAY).toISOString().slice(0, 10), YESTERDAY = new Date((day0 - 1) * DAY).toISOString().slice(0, 10);
const MONDAY = MIDNIGHT - 2 * DAY, NEXT_MONDAY = MONDAY + 7 * DAY;
// The ISO week of a Wednesday: its Thursday is the next day; week 1 holds the year's first Thursday.
const thursday = new Date((day0 + 1) * DAY), jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
const WEEK = `${thursday.getUTCFullYear()}-W${String(Math.floor((thursday - jan1) / DAY / 7) + 1).padStart(2, '0')}`;

let srv;
const S = {};
const get = (who) => api(srv, 'GET', '/api/v1/me/today', { token: who && S[who].token });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};

before(async () => {
  srv = await startSignedIn(S, { env: { YTEXA_CLOCK_OFFSET_MS: String(NOW - Date.now()) } });
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC', 'BVDK-HAGIANG', 'BV-BACHMAI'])
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
});
after(() => srv?.close());

test('the empty day: every figure zero, the waits and the median null', async () => {
  const hw = await get('demo.commune');
  assert.equal(hw.status, 200, JSON.stringify(hw.body));
  assert.deepEqual(hw.body, {
    day: TODAY, tz: 'Asia/Ho_Chi_Minh',
    station: { queue_waiting: 0, queue_in_progress: 0, visits_booked: 0, visits_completed: 0, consults_waiting: 0, consults_oldest_wait_min: null },
  });
  assert.deepEqual((await get('demo.doctor')).body.hub, {
    inbox: { emergency: 0, urgent: 0, routine: 0, total: 0 }, inbox_oldest_wait_min: null, accepted_open: 0,
    turnaround_median_min: null, turnaround_cases: 0, turnaround_days: 30, visits_booked: 0, visits_completed: 0,
  });
  assert.deepEqual((await get('demo.trainer')).body.training, { week: WEEK, sessions: 0, attendances: 0 });
});

test('who may ask: 401 signed out, 403 a patient, an empty object for every administrator', async () => {
  assertError(await get(null), 401);
  assertError(await get('demo.patient'), 403);
  for (const who of ['demo.facility-admin', 'demo.province-admin', 'demo.ministry-admin']) {
    const r = await get(who);
    assert.equal(r.status, 200, who);
    assert.deepEqual(r.body, {}, who);
  }
});

// The seed, with what each item counts for (LC = Lũng Cú, the demo health worker's station; MV =
// Mèo Vạc, another station; HG = BVĐK Hà Giang, the demo doctor's hub; BM = Bạch Mai):
//  queue LC today: waiting ×2, called ×1, done ×1, skipped ×1; LC yesterday waiting ×1; MV today waiting ×1
//     → LC waiting 2, in progress 1
//  visits (doctor: demo.doctor): LC today 08:00 planned; LC today finished; LC no appointment, made
//     today 09:00, finished; LC today cancelled; LC yesterday 23:50 planned; LC tomorrow 00:10
//     planned; MV today planned
//     → LC booked 3, completed 2; the doctor's: booked 4, completed 2
//  cases: c1 LC→HG urgent, requested 45.5 min ago; c2 LC→HG routine, requested yesterday 23:50
//     (10 h 10 min = 610 min ago); c4 MV→HG emergency, 20.5 min ago; c5 MV→BM emergency
//     → LC waiting 2, oldest 610; HG inbox 1/1/1, oldest 610; BM inbox emergency 1
//  accepted by demo.doctor within 30 days, waits 10, 20, 30, 40 min (two accepted, one scheduled,
//     one concluded); one accepted 31 days ago (5 min, closed); one accepted at HG by another
//     doctor (1 min, accepted)
//     → median 20 (the lower of the middle two), over 4; open 3
//  sessions: s1 live BM Monday 00:30, 2 people present + 1 with 0 s; s2 case, an HG course the
//     trainer teaches, Sunday 23:00; s3 live BM last Sunday 23:59 (1 present); s4 live BM cancelled;
//     s5 self-paced BM; s6 live, an HG course the trainer does not teach
//     → sessions 2, attendances 2
test('seeded day: every figure as worked out by hand', async () => {
  const patient = one('SELECT MIN(id) FROM patients');
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const trainer = one("SELECT id FROM users WHERE username = 'demo.trainer'");
  const people = srv.sql("SELECT id FROM users WHERE username IN ('demo.commune', 'demo.specialist', 'demo.facility-admin') ORDER BY id").split('\n').filter(Boolean);
  const sql = ["INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, created_at, updated_at) " +
    `VALUES ('seed.other', 'Bác sĩ Khác', 'bac si khac', 'x', 'doctor', ${F['BVDK-HAGIANG']}, 0, 0);`];
  const other = "(SELECT id FROM users WHERE username = 'seed.other')";
  let token = 0;
  const queue = (fac, day, status) => sql.push('INSERT INTO queue_entries (facility_id, day, token, patient_id, reason, priority, status, ' +
    `created_by, created_at) VALUES (${F[fac]}, '${day}', ${++token}, ${patient}, 'seed', 'normal', '${status}', ${doctor}, ${MIDNIGHT});`);
  for (const s of ['waiting', 'waiting', 'called', 'done', 'skipped']) queue('TYT-LUNGCU', TODAY, s);
  queue('TYT-LUNGCU', YESTERDAY, 'waiting');
  queue('TYT-MEOVAC', TODAY, 'waiting');
  const visit = (fac, state, scheduled, created = MIDNIGHT - 3 * DAY) => sql.push('INSERT INTO visits (patient_id, facility_id, ' +
    'doctor_id, doctor_facility_id, created_by, mode, state, reason, scheduled_at, created_at, updated_at) VALUES ' +
    `(${patient}, ${F[fac]}, ${doctor}, ${F['BVDK-HAGIANG']}, ${doctor}, 'video', '${state}', 'seed', ${scheduled ?? 'NULL'}, ${created}, ${created});`);
  visit('TYT-LUNGCU', 'planned', MIDNIGHT + 8 * HOUR);
  visit('TYT-LUNGCU', 'finished', MIDNIGHT + 7 * HOUR);
  visit('TYT-LUNGCU', 'finished', null, MIDNIGHT + 9 * HOUR);
  visit('TYT-LUNGCU', 'cancelled', MIDNIGHT + 9 * HOUR);
  visit('TYT-LUNGCU', 'planned', MIDNIGHT - 10 * MIN);
  visit('TYT-LUNGCU', 'planned', MIDNIGHT + DAY + 10 * MIN);
  visit('TYT-MEOVAC', 'planned', MIDNIGHT + 9 * HOUR);
  let n = 0;
  const consult = (from, to, urgency, state, requested, accepted = null, by = null) => {
    const name = `seed c${++n}`;
    sql.push('INSERT INTO consults (patient_id, requester_facility_id, assigned_facility_id, created_by, summary, urgency, specialty, kind, ' +
      `state, requested_at, accepted_at, created_at, updated_at) VALUES (${patient}, ${F[from]}, ${F[to]}, ${doctor}, '${name}', ` +
      `'${urgency}', 'internal', 'general', '${state}', ${requested}, ${accepted ?? 'NULL'}, ${requested}, ${requested});`);
    if (accepted) sql.push('INSERT INTO consult_events (consult_id, action, from_state, to_state, at, by_user) VALUES ' +
      `((SELECT id FROM consults WHERE summary = '${name}'), 'accepted', 'requested', 'accepted', ${accepted}, ${by});`);
  };
  consult('TYT-LUNGCU', 'BVDK-HAGIANG', 'urgent', 'requested', NOW - 45.5 * MIN);
  consult('TYT-LUNGCU', 'BVDK-HAGIANG', 'routine', 'requested', MIDNIGHT - 10 * MIN);
  consult('TYT-MEOVAC', 'BVDK-HAGIANG', 'emergency', 'requested', NOW - 20.5 * MIN);
  consult('TYT-MEOVAC', 'BV-BACHMAI', 'emergency', 'requested', NOW - 5.5 * MIN);
  for (const [wait, state, ago] of [[30, 'accepted', 2 * DAY], [10, 'scheduled', 3 * HOUR], [40, 'concluded', 20 * DAY], [20, 'accepted', 29 * DAY]])
    consult('TYT-LUNGCU', 'BVDK-HAGIANG', 'routine', state, NOW - ago - wait * MIN, NOW - ago, doctor);
  consult('TYT-LUNGCU', 'BVDK-HAGIANG', 'routine', 'closed', NOW - 31 * DAY - 5 * MIN, NOW - 31 * DAY, doctor);
  consult('TYT-MEOVAC', 'BVDK-HAGIANG', 'routine', 'accepted', NOW - HOUR - MIN, NOW - HOUR, other);
  const course = (title, fac, teaches) => {
    sql.push('INSERT INTO courses (title, credit_minutes, facility_id, state, created_by, created_at, updated_at) VALUES ' +
      `('${title}', 60, ${F[fac]}, 'published', ${doctor}, 0, 0);`);
    if (teaches) sql.push(`INSERT INTO course_trainers (course_id, user_id) VALUES ((SELECT id FROM courses WHERE title = '${title}'), ${trainer});`);
  };
  course('Seed BM', 'BV-BACHMAI', false);
  course('Seed HG taught', 'BVDK-HAGIANG', true);
  course('Seed HG other', 'BVDK-HAGIANG', false);
  const session = (title, courseTitle, kind, state, starts) => sql.push('INSERT INTO course_sessions (course_id, kind, title, ' +
    `starts_at, minutes, state, created_by, created_at) VALUES ((SELECT id FROM courses WHERE title = '${courseTitle}'), '${kind}', ` +
    `'${title}', ${starts ?? 'NULL'}, 60, '${state}', ${doctor}, 0);`);
  session('s1', 'Seed BM', 'live', 'ended', MONDAY + 30 * MIN);
  session('s2', 'Seed HG taught', 'case', 'planned', NEXT_MONDAY - HOUR);
  session('s3', 'Seed BM', 'live', 'ended', MONDAY - MIN);
  session('s4', 'Seed BM', 'live', 'cancelled', MONDAY + DAY);
  session('s5', 'Seed BM', 'self_paced', 'planned', null);
  session('s6', 'Seed HG other', 'live', 'planned', MONDAY + DAY);
  const attend = (title, user, seconds) => sql.push('INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) ' +
    `VALUES ((SELECT id FROM course_sessions WHERE title = '${title}'), ${user}, ${seconds}, 50, 'online', 0, ${MONDAY + 2 * HOUR});`);
  attend('s1', people[0], 1800);
  attend('s1', people[1], 600);
  attend('s1', people[2], 0);
  attend('s3', people[0], 1800);
  srv.sql(sql.join('\n'));

  const hw = await get('demo.commune');
  assert.equal(hw.status, 200, JSON.stringify(hw.body));
  assert.deepEqual(hw.body, {
    day: TODAY, tz: 'Asia/Ho_Chi_Minh',
    station: { queue_waiting: 2, queue_in_progress: 1, visits_booked: 3, visits_completed: 2, consults_waiting: 2, consults_oldest_wait_min: 610 },
  });
  const doc = await get('demo.doctor');
  assert.deepEqual(doc.body, {
    day: TODAY, tz: 'Asia/Ho_Chi_Minh',
    hub: {
      inbox: { emergency: 1, urgent: 1, routine: 1, total: 3 }, inbox_oldest_wait_min: 610, accepted_open: 3,
      turnaround_median_min: 20, turnaround_cases: 4, turnaround_days: 30, visits_booked: 4, visits_completed: 2,
    },
  });
  const sp = (await get('demo.specialist')).body.hub;
  assert.deepEqual(sp.inbox, { emergency: 1, urgent: 0, routine: 0, total: 1 });
  assert.equal(sp.inbox_oldest_wait_min, 5);
  assert.equal(sp.accepted_open, 0);
  assert.deepEqual((await get('demo.trainer')).body, { day: TODAY, tz: 'Asia/Ho_Chi_Minh', training: { week: WEEK, sessions: 2, attendances: 2 } });
  // Nothing a patient is named by: the whole answer is numbers, codes and the day.
  assert.doesNotMatch(JSON.stringify([hw.body, doc.body]), /Giàng|patient/);
});
