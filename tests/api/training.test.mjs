// Online training as a hub and its stations live it, on a real Janus (tests/media/janus/): Bạch
// Mai's trainer makes a course for commune health workers with a PDF lecture, publishes it, enrols
// the Lũng Cú station and a doctor by name; the station reads the material, another facility
// does not; a live session is started (its room exists on Janus), joined as presenter and
// viewer, and ended: attendance is computed from the stays in the session's channel (written
// here as the hub will write them) and from a site's confirmed list. Notices before a session,
// a case session's de-identified consultation, who may not, and bad input writing nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSignedIn, api, login, assertError, refuser, freePort } from './lib/server.mjs';
import { png, tusUpload } from './lib/files.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs } from './lib/ws.mjs';
import { startJanus, janusVideoroom } from '../media/servers.mjs';

let srv, janus;
const S = {};
const PW = 'Đào tạo 2026 mật khẩu';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const ADMIN_KEY = randomBytes(16).toString('hex');
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const facilityId = (code) => Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));
const TABLES = ['courses', 'course_trainers', 'course_materials', 'course_sessions', 'enrolments', 'attendance_spans',
  'site_attendance', 'site_attendees', 'attendance', 'credits', 'notifications'];
// One query (one psql or sqlite3 process) a snapshot: the test takes two for each of ~100 refusals.
const counts = () => srv.sql(`SELECT ${[
  ...TABLES.map((t) => `(SELECT COUNT(*) FROM ${t})`),
  '(SELECT MAX(updated_at) FROM courses)',
  ...['planned', 'live', 'ended', 'cancelled'].map((st) => `(SELECT COUNT(*) FROM course_sessions WHERE state = '${st}')`),
  '(SELECT COUNT(*) FROM enrolments WHERE withdrawn_at IS NULL)',
  '(SELECT COUNT(*) FROM site_attendance WHERE confirmed_at IS NOT NULL)',
  "(SELECT COUNT(*) FROM notifications WHERE status = 'not_needed')",
].join(', ')}`);
const refused = refuser(counts);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function newUser(username, fullName, role, code) {
  const r = await as('demo.ministry-admin', 'POST', '/api/v1/users', { username, full_name: fullName, password: PW, role, facility_id: facilityId(code) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  S[username] = await login(srv, username, PW);
}

const COURSE = {
  title: 'Xử trí ban đầu sốt xuất huyết Dengue tại trạm y tế xã',
  description: 'Nhận biết dấu hiệu cảnh báo, bù dịch đường uống, khi nào chuyển tuyến.',
  specialty: 'infectious', target_roles: ['health_worker'], target_levels: ['commune'], credit_hours: 1.5,
};
let course, pdfId, live;

before(async () => {
  const port = await freePort();
  janus = await startJanus({ port, tokenSecret: TOKEN_SECRET, adminKey: ADMIN_KEY, rtpPort: 44000 });
  srv = await startSignedIn(S, {
    extraArgs: ['--janus-url', janus.url, '--janus-public-url', janus.url, '--janus-token-secret', TOKEN_SECRET, '--janus-admin-key', ADMIN_KEY],
  });
  await newUser('lungcu.nurse', 'Giàng Thị Súa', 'health_worker', 'TYT-LUNGCU');
  await newUser('lungcu.admin', 'Lù Văn Pháng', 'facility_admin', 'TYT-LUNGCU');
  await newUser('meovac.hw', 'Sùng Mí Lử', 'health_worker', 'TYT-MEOVAC');
  await newUser('dongvan.doctor', 'Vàng Mí Chứ', 'doctor', 'TTYT-DONGVAN');
  await newUser('laocai.trainer', 'Đỗ Thị Hằng', 'trainer', 'BVDK-LAOCAI');
});
after(async () => {
  await srv?.close();
  await janus?.stop();
});

test('a course with a PDF lecture, published, enrolled: the station reads it, another facility does not', async () => {
  const c = await as('demo.trainer', 'POST', '/api/v1/courses', COURSE);
  assert.equal(c.status, 201, JSON.stringify(c.body));
  course = c.body;
  assert.equal(course.state, 'draft');
  assert.equal(course.credit_hours, 1.5);
  assert.equal(course.attendance_pass_pct, 80);
  assert.equal(course.quiz_pass_pct, 70);
  assert.equal(course.quiz_max_attempts, 3);
  assert.deepEqual(course.facility, { id: facilityId('BV-BACHMAI'), name: 'Bệnh viện Bạch Mai' });
  assert.deepEqual(course.trainers, [{ id: userId('demo.trainer'), full_name: 'Phạm Quốc Hùng' }]);
  assert.deepEqual(course.my, { trainer: true, admin: false, enrolled: false, eligible: false, site: false, site_admin: false });
  assert.equal(course.quiz, null);
  assert.equal(srv.sql(`SELECT credit_minutes FROM courses WHERE id = ${course.id}`), '90');
  // A draft is its makers' business.
  assertError(await as('demo.commune', 'GET', `/api/v1/courses/${course.id}`), 404);

  pdfId = await tusUpload(srv, S['demo.trainer'].token, PDF, 'Bài giảng sốt xuất huyết.pdf', { purpose: 'course_material' });
  const m = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/materials`, { title: 'Bài giảng (PDF)', file_id: pdfId });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  assert.deepEqual(m.body, { id: m.body.id, title: 'Bài giảng (PDF)', file_id: pdfId, url: null, download_url: `/api/v1/files/${pdfId}` });
  const link = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/materials`, { title: 'Hướng dẫn của Bộ Y tế', url: 'https://kcb.vn/huong-dan-dengue' });
  assert.equal(link.status, 201, JSON.stringify(link.body));
  assert.equal(link.body.download_url, 'https://kcb.vn/huong-dan-dengue');

  const p = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/publish`, {});
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.state, 'published');
  assert.equal(p.body.materials.length, 2);
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/publish`, {}), 409), 409, 'course_state');

  const f = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/enrolments`, { facility_id: facilityId('TYT-LUNGCU') });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  assert.deepEqual(f.body.facility, { id: facilityId('TYT-LUNGCU'), name: 'Trạm Y tế xã Lũng Cú' });
  assert.ok(f.body.enrolled_at);
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/enrolments`, { facility_id: facilityId('TYT-LUNGCU') }), 409), 409, 'already_enrolled');
  const d = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/enrolments`, { user_id: userId('demo.doctor') });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.equal(d.body.user.full_name, 'Nguyễn Văn An');
  // Already in through the station.
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/enrolments`, { user_id: userId('demo.commune') }), 409), 409, 'already_enrolled');
  const list = await as('demo.trainer', 'GET', `/api/v1/courses/${course.id}/enrolments`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((e) => e.facility?.name ?? e.user.full_name), ['Trạm Y tế xã Lũng Cú', 'Nguyễn Văn An']);

  // The station's health worker has it among hers, and reads the lecture.
  const mine = await as('demo.commune', 'GET', '/api/v1/courses?scope=mine');
  assert.equal(mine.status, 200);
  const seen = mine.body.items.find((x) => x.id === course.id);
  assert.equal(seen.my.enrolled, true);
  assert.equal(seen.sessions.length, 0);
  for (const who of ['demo.commune', 'demo.doctor']) {
    const dl = await api(srv, 'GET', `/api/v1/files/${pdfId}`, { token: S[who].token });
    assert.equal(dl.status, 200, who);
    assert.equal(dl.headers.get('content-type'), 'application/pdf');
    assert.match(dl.body, /^%PDF-1\.4/);
  }
  // The station's administrator sees it (its site), a nurse there too.
  assert.equal((await as('lungcu.admin', 'GET', `/api/v1/courses/${course.id}`)).body.my.site, true);
  assert.equal((await as('lungcu.nurse', 'GET', `/api/v1/courses/${course.id}`)).body.my.enrolled, true);
  // Another commune's health worker may enrol (available), but reads nothing before.
  const av = await as('meovac.hw', 'GET', '/api/v1/courses?scope=available');
  assert.deepEqual(av.body.items.map((x) => x.id), [course.id]);
  assert.deepEqual((await as('meovac.hw', 'GET', '/api/v1/courses?scope=mine')).body.items, []);
  assert.equal((await as('meovac.hw', 'GET', `/api/v1/courses/${course.id}`)).body.my.eligible, true);
  assertError(await as('meovac.hw', 'GET', `/api/v1/files/${pdfId}`), 404);
  assert.deepEqual((await as('demo.commune', 'GET', '/api/v1/courses?scope=available')).body.items, [], 'already enrolled');
  // Another facility's doctor, a patient: nothing.
  for (const who of ['dongvan.doctor', 'demo.patient', 'laocai.trainer']) {
    const status = who === 'demo.patient' ? 403 : 404;
    assertError(await as(who, 'GET', `/api/v1/courses/${course.id}`), status);
    assertError(await as(who, 'GET', `/api/v1/files/${pdfId}`), status);
  }
  assertError(await as('demo.patient', 'GET', '/api/v1/courses?scope=available'), 403);

  // A material removed, and the course changed.
  const del = await as('demo.trainer', 'DELETE', `/api/v1/courses/${course.id}/materials/${link.body.id}`);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  const ch = await as('demo.trainer', 'PATCH', `/api/v1/courses/${course.id}`, { credit_hours: 2, trainer_ids: [userId('demo.trainer'), userId('demo.specialist')] });
  assert.equal(ch.status, 200, JSON.stringify(ch.body));
  assert.equal(ch.body.credit_hours, 2);
  assert.equal(ch.body.title, COURSE.title);
  const named = [['demo.trainer', 'Phạm Quốc Hùng'], ['demo.specialist', 'Trần Thị Bích Ngọc']].sort((a, b) => userId(a[0]) - userId(b[0]));
  assert.deepEqual(ch.body.trainers.map((t) => t.full_name), named.map((x) => x[1]));
  assert.deepEqual(ch.body.materials.map((x) => x.title), ['Bài giảng (PDF)']);
  course = ch.body;
});

test('who may not: a health worker makes no course, another facility changes nothing, the logged-out, a patient', async () => {
  const id = course.id;
  assertError(await refused(as('demo.commune', 'POST', '/api/v1/courses', COURSE), 403), 403, 'forbidden');
  assertError(await refused(as('demo.doctor', 'POST', '/api/v1/courses', COURSE), 403), 403, 'forbidden');
  assertError(await refused(as('demo.patient', 'POST', '/api/v1/courses', COURSE), 403), 403, 'forbidden');
  // Another facility's trainer does not even see it.
  // (A patient's role takes no part in training at all: refused whatever the course.)
  for (const who of ['laocai.trainer', 'dongvan.doctor', 'demo.patient']) {
    const st = who === 'demo.patient' ? 403 : 404;
    await refused(as(who, 'PATCH', `/api/v1/courses/${id}`, { title: 'Khoá học của tôi' }), st);
    await refused(as(who, 'POST', `/api/v1/courses/${id}/archive`, {}), st);
    await refused(as(who, 'POST', `/api/v1/courses/${id}/materials`, { title: 'x', url: 'https://example.org/x' }), st);
    await refused(as(who, 'POST', `/api/v1/courses/${id}/sessions`, { kind: 'self_paced', title: 'Tự học', minutes: 30 }), st);
    await refused(as(who, 'POST', `/api/v1/courses/${id}/enrolments`, {}), st);
    await refused(as(who, 'GET', `/api/v1/courses/${id}/enrolments`), st);
  }
  // The enrolled see it, and change nothing.
  for (const [method, path, body] of [['PATCH', '', { title: 'Đổi tên' }], ['POST', '/publish', {}], ['POST', '/archive', {}],
    ['POST', '/materials', { title: 'x', url: 'https://example.org/x' }], ['POST', '/sessions', { kind: 'self_paced', title: 'Tự học', minutes: 30 }],
    ['GET', '/enrolments'], ['DELETE', `/materials/${course.materials[0].id}`]]) {
    // A health worker's role makes no course: refused before the course is looked at.
    assertError(await refused(as('demo.commune', method, `/api/v1/courses/${id}${path}`, body), 403), 403, 'forbidden');
  }
  // A health worker enrols herself only; a site's administrator only her own site.
  assertError(await refused(as('meovac.hw', 'POST', `/api/v1/courses/${id}/enrolments`, { facility_id: facilityId('TYT-MEOVAC') }), 403), 403, 'not_your_part');
  assertError(await refused(as('meovac.hw', 'POST', `/api/v1/courses/${id}/enrolments`, { user_id: userId('demo.commune') }), 403), 403, 'not_your_part');
  assertError(await refused(as('lungcu.admin', 'POST', `/api/v1/courses/${id}/enrolments`, { facility_id: facilityId('TYT-MEOVAC') }), 403), 403, 'not_your_part');
  assertError(await refused(as('lungcu.admin', 'POST', `/api/v1/courses/${id}/enrolments`, { user_id: userId('meovac.hw') }), 403), 403, 'not_your_part');
  // A provincial hospital's administrator: the course is for communes.
  await refused(as('demo.facility-admin', 'POST', `/api/v1/courses/${id}/enrolments`, {}), 404);
  for (const [method, path] of [['GET', '/api/v1/courses'], ['POST', '/api/v1/courses'], ['GET', `/api/v1/courses/${id}`], ['PATCH', `/api/v1/courses/${id}`],
    ['POST', `/api/v1/courses/${id}/enrolments`], ['POST', '/api/v1/sessions/1/start'], ['POST', '/api/v1/sessions/1/join'], ['GET', '/api/v1/sessions/1/attendance']]) {
    await refused(api(srv, method, path, method === 'GET' ? {} : { body: {} }), 401);
  }
});

test('bad input to every endpoint is refused and writes nothing', async () => {
  const id = course.id;
  const post = (body) => as('demo.trainer', 'POST', '/api/v1/courses', body);
  for (const [body, field] of [
    [{ ...COURSE, title: undefined }, 'title'], [{ ...COURSE, title: 'ab' }, 'title'], [{ ...COURSE, title: 5 }, 'title'],
    [{ ...COURSE, state: 'published' }, 'state'], [{ ...COURSE, target_roles: ['nurse'] }, 'target_roles'],
    [{ ...COURSE, target_roles: [] }, 'target_roles'], [{ ...COURSE, target_roles: ['doctor', 'doctor'] }, 'target_roles'],
    [{ ...COURSE, target_roles: 'doctor' }, 'target_roles'], [{ ...COURSE, target_levels: ['ward'] }, 'target_levels'],
    [{ ...COURSE, credit_hours: 0.1 }, 'credit_hours'], [{ ...COURSE, credit_hours: 0 }, 'credit_hours'],
    [{ ...COURSE, credit_hours: 100.25 }, 'credit_hours'], [{ ...COURSE, credit_hours: '1.5' }, 'credit_hours'],
    [{ ...COURSE, credit_hours: undefined }, 'credit_hours'], [{ ...COURSE, attendance_pass_pct: 0 }, 'attendance_pass_pct'],
    [{ ...COURSE, attendance_pass_pct: 101 }, 'attendance_pass_pct'], [{ ...COURSE, quiz_pass_pct: 50.5 }, 'quiz_pass_pct'],
    [{ ...COURSE, quiz_max_attempts: 21 }, 'quiz_max_attempts'], [{ ...COURSE, trainer_ids: [userId('demo.commune')] }, 'trainer_ids'],
    [{ ...COURSE, trainer_ids: ['x'] }, 'trainer_ids'], [{ ...COURSE, trainer_ids: [userId('laocai.trainer')] }, 'trainer_ids'],
    [{ ...COURSE, specialty: 'astrology' }, 'specialty'], [{ ...COURSE, description: 'x'.repeat(8001) }, 'description'],
  ]) await refused(post(body), 400, field, JSON.stringify(body).slice(0, 80));
  await refused(api(srv, 'POST', '/api/v1/courses', { token: S['demo.trainer'].token, raw: '[1]', headers: { 'content-type': 'application/json' } }), 400);
  await refused(api(srv, 'POST', '/api/v1/courses', { token: S['demo.trainer'].token, raw: '{"title": ', headers: { 'content-type': 'application/json' } }), 400);
  await refused(as('demo.trainer', 'GET', '/api/v1/courses?scope=all'), 400, 'scope');
  await refused(as('demo.trainer', 'GET', '/api/v1/courses?limit=0'), 400);
  const patch = (body) => as('demo.trainer', 'PATCH', `/api/v1/courses/${id}`, body);
  await refused(patch({ credit_hours: 0.3 }), 400, 'credit_hours');
  await refused(patch({ state: 'archived' }), 400, 'state');
  await refused(patch({ title: '' }), 400, 'title');
  await refused(patch({ target_levels: ['commune', 'ward'] }), 400, 'target_levels');
  await refused(as('demo.trainer', 'PATCH', '/api/v1/courses/99999999', { title: 'Không có' }), 404);
  await refused(as('demo.trainer', 'PATCH', '/api/v1/courses/abc', { title: 'Không có' }), 404);
  await refused(as('demo.trainer', 'POST', `/api/v1/courses/${id}/archive`, { now: true }), 400);

  const mat = (body) => as('demo.trainer', 'POST', `/api/v1/courses/${id}/materials`, body);
  const theirs = await tusUpload(srv, S['demo.commune'].token, png(16, 16), 'anh.png');
  await refused(mat({ title: 'Không có gì' }), 400, 'file_id');
  await refused(mat({ title: 'Cả hai', file_id: pdfId, url: 'https://example.org/a' }), 400, 'url');
  await refused(mat({ title: 'http', url: 'http://example.org/a' }), 400, 'url');
  await refused(mat({ title: 'space', url: 'https://example.org/a b' }), 400, 'url');
  await refused(mat({ title: 'Của trạm', file_id: theirs }), 400, 'file_id');
  await refused(mat({ title: 'Không có', file_id: 99999999 }), 400, 'file_id');
  await refused(mat({ title: '', file_id: pdfId }), 400, 'title');
  await refused(mat({ title: 'x', file_id: '1' }), 400, 'file_id');
  await refused(as('demo.trainer', 'DELETE', `/api/v1/courses/${id}/materials/99999999`), 404);
  await refused(as('demo.trainer', 'DELETE', `/api/v1/courses/${id}/materials/x`), 404);

  const enrol = (body) => as('demo.trainer', 'POST', `/api/v1/courses/${id}/enrolments`, body);
  await refused(enrol({ user_id: 'x' }), 400, 'user_id');
  await refused(enrol({ user_id: 0 }), 400, 'user_id');
  await refused(enrol({ user_id: 99999999 }), 400, 'user_id');
  await refused(enrol({ user_id: userId('demo.patient') }), 400, 'user_id');
  await refused(enrol({ facility_id: 99999999 }), 400, 'facility_id');
  await refused(enrol({ user_id: userId('meovac.hw'), facility_id: facilityId('TYT-MEOVAC') }), 400, 'facility_id');
  await refused(enrol({ role: 'viewer' }), 400, 'role');
  await refused(as('demo.trainer', 'DELETE', `/api/v1/courses/${id}/enrolments/99999999`), 404);

  const sess = (body) => as('demo.trainer', 'POST', `/api/v1/courses/${id}/sessions`, body);
  const at = new Date(Date.now() + 3600e3).toISOString();
  for (const [body, field] of [
    [{ kind: 'webinar', title: 'Buổi 1', starts_at: at, minutes: 60 }, 'kind'],
    [{ kind: 'live', title: 'Buổi 1', minutes: 60 }, 'starts_at'],
    [{ kind: 'live', title: 'Buổi 1', starts_at: 'ngày mai', minutes: 60 }, 'starts_at'],
    [{ kind: 'live', title: 'Buổi 1', starts_at: at, minutes: 4 }, 'minutes'],
    [{ kind: 'live', title: 'Buổi 1', starts_at: at, minutes: 601 }, 'minutes'],
    [{ kind: 'live', title: 'Buổi 1', starts_at: at, minutes: '60' }, 'minutes'],
    [{ kind: 'live', title: 'ab', starts_at: at, minutes: 60 }, 'title'],
    [{ kind: 'self_paced', title: 'Tự học', starts_at: at, minutes: 60 }, 'starts_at'],
    [{ kind: 'case', title: 'Ca bệnh', starts_at: at, minutes: 60 }, 'consult_id'],
    [{ kind: 'case', title: 'Ca bệnh', starts_at: at, minutes: 60, consult_id: 99999999 }, 'consult_id'],
    [{ kind: 'live', title: 'Buổi 1', starts_at: at, minutes: 60, consult_id: 1 }, 'consult_id'],
    [{ kind: 'live', title: 'Buổi 1', starts_at: at, minutes: 60, room: 5 }, 'room'],
  ]) await refused(sess(body), 400, field, JSON.stringify(body));
  for (const path of ['start', 'join', 'end', 'cancel', 'attendance', 'case', 'site-attendance']) {
    const method = path === 'attendance' || path === 'case' ? 'GET' : 'POST';
    // A trainer records no site attendance at all (a site's clinicians do): refused whatever the session.
    await refused(as('demo.trainer', method, `/api/v1/sessions/99999999/${path}`, method === 'GET' ? undefined : {}), path === 'site-attendance' ? 403 : 404);
    await refused(as('demo.trainer', method, `/api/v1/sessions/x/${path}`, method === 'GET' ? undefined : {}), path === 'site-attendance' ? 403 : 404);
  }
});

test('a live session on Janus: started, joined as presenter and viewer, attendance from the stays and a site list, ended', async () => {
  const starts = new Date(Date.now() + 3600e3).toISOString();
  const c = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, { kind: 'live', title: 'Buổi 1: dấu hiệu cảnh báo', starts_at: starts, minutes: 60 });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  live = c.body;
  assert.equal(live.state, 'planned');
  assert.equal(live.starts_at, starts);
  const sid = live.id;
  const p = (x) => `/api/v1/sessions/${sid}/${x}`;
  // Not yet: no joining, no ending, no site list.
  assertError(await refused(as('demo.commune', 'POST', p('join'), {}), 409), 409, 'session_state');
  assertError(await refused(as('demo.trainer', 'POST', p('end'), {}), 409), 409, 'session_state');
  assertError(await refused(as('demo.trainer', 'GET', p('attendance')), 409), 409, 'session_state');
  assertError(await refused(as('demo.commune', 'POST', p('site-attendance'), { user_ids: [userId('lungcu.nurse')] }), 409), 409, 'session_state');
  assertError(await refused(as('demo.commune', 'POST', p('start'), {}), 403), 403, 'forbidden');
  await refused(as('dongvan.doctor', 'POST', p('start'), {}), 404);
  await refused(as('demo.trainer', 'POST', p('start'), { room: 1 }), 400);

  const s = await as('demo.trainer', 'POST', p('start'), {});
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.equal(s.body.state, 'live');
  assert.ok(s.body.started_at);
  assertError(await refused(as('demo.trainer', 'POST', p('start'), {}), 409), 409, 'session_state');

  const presenter = await as('demo.trainer', 'POST', p('join'), {});
  assert.equal(presenter.status, 200, JSON.stringify(presenter.body));
  assert.equal(presenter.body.role, 'presenter');
  assert.equal(presenter.body.channel, `session:${sid}`);
  assert.equal(presenter.body.display, 'Phạm Quốc Hùng');
  assert.equal(presenter.body.janus.url, janus.url);
  assert.ok(presenter.body.pin.length >= 20);
  assert.ok(presenter.body.max_bitrate_kbps > 0);
  assert.ok(Date.parse(presenter.body.janus.expires_at) > Date.now() + 3600e3);
  const viewer = await as('demo.commune', 'POST', p('join'), {});
  assert.equal(viewer.status, 200, JSON.stringify(viewer.body));
  assert.equal(viewer.body.role, 'viewer');
  assert.equal(viewer.body.janus_room, presenter.body.janus_room);
  assert.equal(viewer.body.pin, presenter.body.pin);
  assert.equal(viewer.body.channel, `session:${sid}`);
  assert.equal(srv.sql(`SELECT janus_room FROM course_sessions WHERE id = ${sid}`), String(presenter.body.janus_room));
  // Only the enrolled and the trainers.
  assertError(await refused(as('meovac.hw', 'POST', p('join'), {}), 403), 403, 'not_your_part');
  assertError(await refused(as('lungcu.admin', 'POST', p('join'), {}), 403), 403, 'not_your_part');
  await refused(as('dongvan.doctor', 'POST', p('join'), {}), 404);
  await refused(as('demo.patient', 'POST', p('join'), {}), 403);
  await refused(as('demo.commune', 'POST', p('join'), { role: 'presenter' }), 400);

  // Janus has the room, private; the presenter's pin lets a browser in.
  const jr = await janusVideoroom(janus.url, presenter.body.janus.token);
  assert.equal((await jr.sync({ request: 'exists', room: presenter.body.janus_room })).exists, true);
  // Only a presenter may publish: the presenter's pass carries the token Janus's "allowed" list
  // wants from a publisher; a viewer's pass has none, and the pin alone does not make one.
  assert.match(presenter.body.publisher_token, /^[0-9a-f]{64}$/);
  assert.equal(viewer.body.publisher_token, undefined);
  const joined = await jr.async({ request: 'join', ptype: 'publisher', room: presenter.body.janus_room, pin: presenter.body.pin, display: presenter.body.display, token: presenter.body.publisher_token });
  assert.equal(joined.videoroom, 'joined', JSON.stringify(joined));
  const jv = await janusVideoroom(janus.url, viewer.body.janus.token);
  const wrong = await jv.async({ request: 'join', ptype: 'publisher', room: viewer.body.janus_room, pin: 'đoán-bừa', display: 'x' });
  assert.equal(wrong.error_code, 433, JSON.stringify(wrong));
  await jv.close();
  const jv2 = await janusVideoroom(janus.url, viewer.body.janus.token);
  const stage = await jv2.async({ request: 'join', ptype: 'publisher', room: viewer.body.janus_room, pin: viewer.body.pin, display: 'Lò Thị Mai' });
  assert.equal(stage.error_code, 433, `a viewer with the pin cannot publish: ${JSON.stringify(stage)}`);
  // ...but sees who is in the room: the presenter, still there (an empty list would prove nothing).
  const inRoom = (await jv2.sync({ request: 'listparticipants', room: viewer.body.janus_room })).participants;
  assert.deepEqual(inRoom.map((x) => x.display), [presenter.body.display], JSON.stringify(inRoom));
  await jv2.close();
  await jr.close();

  // The station watched together too: the nurse was in front of its screen.
  const site = (who, body) => as(who, 'POST', p('site-attendance'), body);
  await refused(site('demo.commune', { user_ids: [] }), 400, 'user_ids');
  await refused(site('demo.commune', { user_ids: ['x'] }), 400, 'user_ids');
  await refused(site('demo.commune', { user_ids: 5 }), 400, 'user_ids');
  await refused(site('demo.commune', { user_ids: [userId('meovac.hw')] }), 400, 'user_ids');
  await refused(site('demo.commune', { user_ids: [userId('lungcu.admin')] }), 400, 'user_ids');
  await refused(site('demo.commune', { user_ids: [userId('lungcu.nurse')], note: 'x' }), 400, 'note');
  assertError(await refused(site('meovac.hw', { user_ids: [userId('meovac.hw')] }), 403), 403, 'not_your_part');
  await refused(site('dongvan.doctor', { user_ids: [userId('dongvan.doctor')] }), 404);
  await refused(site('demo.patient', { user_ids: [userId('demo.patient')] }), 403);
  assertError(await refused(as('lungcu.admin', 'POST', p('site-attendance/confirm'), {}), 404), 404);
  const rec = await site('demo.commune', { user_ids: [userId('lungcu.nurse')] });
  assert.equal(rec.status, 201, JSON.stringify(rec.body));
  assert.deepEqual(rec.body.people, [{ id: userId('lungcu.nurse'), full_name: 'Giàng Thị Súa' }]);
  assert.equal(rec.body.recorded_by.full_name, 'Lò Thị Mai');
  assert.equal(rec.body.confirmed_at, null);
  // The station's lead reads what was recorded before confirming; another site has no record.
  const before = await as('lungcu.admin', 'GET', p('site-attendance'));
  assert.equal(before.status, 200, JSON.stringify(before.body));
  assert.deepEqual(before.body.record.people.map((x) => x.full_name), ['Giàng Thị Súa']);
  // Whom the site may name: its people the course counts — the health workers, not its administrator.
  const may = before.body.people;
  assert.deepEqual(may.filter((x) => x.id === userId('demo.commune') || x.id === userId('lungcu.nurse')).map((x) => [x.full_name, x.role]).sort(),
    [['Giàng Thị Súa', 'health_worker'], ['Lò Thị Mai', 'health_worker']]);
  assert.ok(may.every((x) => x.role === 'health_worker'), JSON.stringify(may));
  assert.ok(!may.some((x) => x.id === userId('lungcu.admin')));
  // A doctor enrolled by name, whose hospital is not: only himself.
  const named = await as('demo.doctor', 'GET', p('site-attendance'));
  assert.equal(named.status, 200, JSON.stringify(named.body));
  assert.deepEqual(named.body, { record: null, people: [{ id: userId('demo.doctor'), full_name: named.body.people[0]?.full_name, role: 'doctor' }] });
  assert.equal(before.body.record.confirmed_at, null);
  assertError(await as('dongvan.doctor', 'GET', p('site-attendance')), 404);
  // Not by who recorded it, nor a health worker; by the station's lead.
  assertError(await refused(as('demo.commune', 'POST', p('site-attendance/confirm'), {}), 403), 403, 'forbidden');
  assertError(await refused(as('lungcu.nurse', 'POST', p('site-attendance/confirm'), {}), 403), 403, 'forbidden');
  assertError(await refused(as('meovac.hw', 'POST', p('site-attendance/confirm'), {}), 403), 403, 'forbidden');
  await refused(as('lungcu.admin', 'POST', p('site-attendance/confirm'), { ok: true }), 400);
  const conf = await as('lungcu.admin', 'POST', p('site-attendance/confirm'), {});
  assert.equal(conf.status, 200, JSON.stringify(conf.body));
  assert.equal(conf.body.confirmed_by.full_name, 'Lù Văn Pháng');
  assertError(await refused(as('lungcu.admin', 'POST', p('site-attendance/confirm'), {}), 409), 409, 'already_confirmed');
  assertError(await refused(site('lungcu.nurse', { user_ids: [userId('demo.commune')] }), 409), 409, 'already_confirmed');

  // The stays the hub writes as sockets join and leave the channel. The session began 100 s ago.
  srv.sql(`UPDATE course_sessions SET started_at = ${Date.now() - 100000} WHERE id = ${sid}`);
  const S0 = Number(srv.sql(`SELECT started_at FROM course_sessions WHERE id = ${sid}`));
  const span = (who, from, to) => srv.sql(`INSERT INTO attendance_spans (session_id, user_id, joined_at, left_at) VALUES (${sid}, ${userId(who)}, ${S0 + from}, ${to === null ? 'NULL' : S0 + to})`);
  // Lò Thị Mai: a bad link (in and out), a second tab overlapping, and back in till the end.
  span('demo.commune', 0, 30000);
  span('demo.commune', 25000, 60000);
  span('demo.commune', 65000, 90000);
  span('demo.commune', 85000, null);
  // The doctor: in before the start (cut off) and for the first half; also a stay long before.
  span('demo.doctor', -60000, -30000);
  span('demo.doctor', -10000, 50000);
  // Someone not enrolled (the trainer presenting) is not counted.
  span('demo.trainer', 0, null);

  const during = await as('demo.trainer', 'GET', p('attendance'));
  assert.equal(during.status, 200, JSON.stringify(during.body));
  const mai = during.body.items.find((x) => x.user.id === userId('demo.commune'));
  assert.equal(mai.present, true);
  assert.equal(mai.source, 'online');
  assert.ok(mai.seconds >= 95 && mai.seconds <= 110, JSON.stringify(mai));
  assert.equal(mai.user.facility.name, 'Trạm Y tế xã Lũng Cú');
  assert.equal(during.body.items.find((x) => x.user.id === userId('demo.doctor')).present, false);
  assertError(await refused(as('demo.commune', 'GET', p('attendance')), 403), 403, 'forbidden');

  assertError(await refused(as('demo.commune', 'POST', p('end'), {}), 403), 403, 'forbidden');
  await refused(as('dongvan.doctor', 'POST', p('end'), {}), 404);
  await refused(api(srv, 'POST', p('end'), { body: {} }), 401);
  await refused(as('demo.trainer', 'POST', p('end'), { x: 1 }), 400);
  const e = await as('demo.trainer', 'POST', p('end'), {});
  assert.equal(e.status, 200, JSON.stringify(e.body));
  assert.equal(e.body.state, 'ended');
  assertError(await refused(as('demo.trainer', 'POST', p('end'), {}), 409), 409, 'session_state');
  assertError(await refused(as('demo.commune', 'POST', p('join'), {}), 409), 409, 'session_state');
  assertError(await refused(as('demo.trainer', 'POST', p('start'), {}), 409), 409, 'session_state');
  // The room is gone from Janus; the stays left open were closed at the end.
  const jr2 = await janusVideoroom(janus.url, presenter.body.janus.token);
  assert.equal((await jr2.sync({ request: 'exists', room: presenter.body.janus_room })).exists, false);
  await jr2.close();
  const S1 = Number(srv.sql(`SELECT ended_at FROM course_sessions WHERE id = ${sid}`));
  assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance_spans WHERE session_id = ${sid} AND left_at IS NULL`), '0');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance_spans WHERE session_id = ${sid} AND left_at = ${S1}`), '2');

  // Everyone enrolled has their attendance: the union of their stays within [start, end].
  const D = S1 - S0;
  const expect = (ms) => ({ seconds: Math.floor(ms / 1000), pct: Math.floor((ms * 100) / D) });
  const got = await as('demo.trainer', 'GET', p('attendance'));
  assert.equal(got.status, 200, JSON.stringify(got.body));
  const byUser = Object.fromEntries(got.body.items.map((x) => [x.user.id, x]));
  assert.deepEqual(Object.keys(byUser).map(Number).sort((a, b) => a - b),
    ['demo.commune', 'demo.doctor', 'lungcu.nurse'].map(userId).sort((a, b) => a - b), 'the enrolled, not the trainer');
  const maiMs = 60000 + (D - 65000);
  assert.deepEqual(byUser[userId('demo.commune')], { ...byUser[userId('demo.commune')], ...expect(maiMs), passed: true, source: 'online', present: false });
  const doc = byUser[userId('demo.doctor')];
  assert.deepEqual(doc, { ...doc, ...expect(50000), passed: false, source: 'online' });
  assert.ok(doc.pct >= 45 && doc.pct <= 50, `about half the session: ${doc.pct}`);
  assert.deepEqual(byUser[userId('lungcu.nurse')], { ...byUser[userId('lungcu.nurse')], seconds: Math.floor(D / 1000), pct: 100, passed: true, source: 'site' });
  assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance WHERE session_id = ${sid}`), '3');
  // Credits where due: the course has no quiz, and this was its one lecture.
  const credited = srv.sql(`SELECT user_id FROM credits WHERE course_id = ${course.id} ORDER BY user_id`).split('\n').filter(Boolean).map(Number);
  assert.deepEqual(credited, ['demo.commune', 'lungcu.nurse'].map(userId).sort((a, b) => a - b));
  // Each credit carries the course's hours, the attendance that earned it, no quiz score.
  assert.equal(srv.sql(`SELECT user_id, minutes, attendance_pct, COALESCE(quiz_score_pct, -1), COALESCE(awarded_by, 0) FROM credits WHERE course_id = ${course.id} ORDER BY user_id`),
    [[userId('demo.commune'), byUser[userId('demo.commune')].pct], [userId('lungcu.nurse'), 100]]
      .sort((a, b) => a[0] - b[0]).map(([u, pct]) => `${u}|120|${pct}|-1|0`).join('\n'));
  const seen = await as('demo.commune', 'GET', `/api/v1/courses/${course.id}`);
  assert.equal(seen.body.sessions.find((x) => x.id === sid).state, 'ended');
});

test('enrolled people are told 15 minutes before a live session; later enrolments too; a cancelled session is not announced', async () => {
  const ws = await openWs(srv, S['demo.commune']);
  const soon = new Date(Date.now() + 15 * 60e3 + 2000).toISOString();
  const c = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, { kind: 'live', title: 'Buổi 2: bù dịch', starts_at: soon, minutes: 45 });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const n = await ws.next((m) => m.type === 'notification' && m.kind === 'session_starting', 'the session_starting notice', 10000);
  assert.match(n.text, /Buổi 2: bù dịch/);
  assert.match(n.text_en, /^Session "Buổi 2: bù dịch" \(course ".+"\) starts at \d\d:\d\d on \d\d\/\d\d\.$/);
  assert.equal(n.session_id, c.body.id, 'the notice says which session');
  await ws.close();
  const told = (sid) => srv.sql(`SELECT user_id FROM notifications WHERE session_id = ${sid} AND kind = 'session_starting' ORDER BY user_id`).split('\n').filter(Boolean).map(Number);
  assert.deepEqual(told(c.body.id), ['demo.commune', 'demo.doctor', 'lungcu.nurse'].map(userId).sort((a, b) => a - b));

  const later = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, { kind: 'live', title: 'Buổi 3: chuyển tuyến', starts_at: new Date(Date.now() + 7200e3).toISOString(), minutes: 45 });
  assert.equal(later.status, 201);
  // Another commune's health worker enrols herself now: she is told of both sessions to come.
  const me = await as('meovac.hw', 'POST', `/api/v1/courses/${course.id}/enrolments`, {});
  assert.equal(me.status, 201, JSON.stringify(me.body));
  assert.equal(me.body.user.full_name, 'Sùng Mí Lử');
  assertError(await refused(as('meovac.hw', 'POST', `/api/v1/courses/${course.id}/enrolments`, {}), 409), 409, 'already_enrolled');
  assert.ok(told(c.body.id).includes(userId('meovac.hw')));
  assert.ok(told(later.body.id).includes(userId('meovac.hw')));
  assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE session_id = ${live.id} AND user_id = ${userId('meovac.hw')}`), '0', 'not of a session already held');
  // The first lecture's notices, due in an hour when it ended, were never sent.
  assert.equal(srv.sql(`SELECT status || ' ' || COUNT(*) FROM notifications WHERE session_id = ${live.id} GROUP BY status`), 'not_needed 3');
  assert.equal(srv.sql(`SELECT due_at FROM notifications WHERE session_id = ${later.body.id} LIMIT 1`),
    String(Date.parse(later.body.starts_at) - 15 * 60e3));

  // She withdraws: not called any more.
  const w = await as('meovac.hw', 'DELETE', `/api/v1/courses/${course.id}/enrolments/${me.body.id}`);
  assert.equal(w.status, 200, JSON.stringify(w.body));
  assert.equal(srv.sql(`SELECT status FROM notifications WHERE session_id = ${later.body.id} AND user_id = ${userId('meovac.hw')}`), 'not_needed');
  await refused(as('meovac.hw', 'DELETE', `/api/v1/courses/${course.id}/enrolments/${me.body.id}`), 404);
  // Nobody else withdraws a person: not another learner, not another facility, not the logged-out.
  const doctorsEnrolment = (await as('demo.trainer', 'GET', `/api/v1/courses/${course.id}/enrolments?limit=200`)).body.items
    .find((x) => x.user && x.user.id === userId('demo.doctor'));
  assertError(await refused(as('demo.commune', 'DELETE', `/api/v1/courses/${course.id}/enrolments/${doctorsEnrolment.id}`), 403), 403, 'not_your_part');
  await refused(as('dongvan.doctor', 'DELETE', `/api/v1/courses/${course.id}/enrolments/${doctorsEnrolment.id}`), 404);
  await refused(api(srv, 'DELETE', `/api/v1/courses/${course.id}/enrolments/${doctorsEnrolment.id}`), 401);
  await refused(as('demo.trainer', 'DELETE', `/api/v1/courses/${course.id}/enrolments/abc`), 404);
  // The whole Lũng Cú station is withdrawn: its people enrolled only with it are not called any
  // more; the nurse, also enrolled by name (from before the station was — the API refuses a name
  // the station already covers, so the row is written here), still is.
  srv.sql(`INSERT INTO enrolments (course_id, user_id, enrolled_by, enrolled_at) VALUES (${course.id}, ${userId('lungcu.nurse')}, ${userId('demo.trainer')}, ${Date.now()})`);
  const list = (await as('demo.trainer', 'GET', `/api/v1/courses/${course.id}/enrolments?limit=200`)).body.items;
  const station = list.find((x) => x.facility && x.facility.id === facilityId('TYT-LUNGCU'));
  assert.ok(station, JSON.stringify(list));
  assert.equal((await as('demo.trainer', 'DELETE', `/api/v1/courses/${course.id}/enrolments/${station.id}`)).status, 200);
  const statusOf = (u) => srv.sql(`SELECT status FROM notifications WHERE session_id = ${later.body.id} AND user_id = ${userId(u)}`);
  assert.equal(statusOf('lungcu.nurse'), 'delivered');
  assert.equal(statusOf('demo.commune'), 'not_needed');
  // Enrolled again (the tests after this one need the station).
  const again = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/enrolments`, { facility_id: facilityId('TYT-LUNGCU') });
  assert.equal(again.status, 201, JSON.stringify(again.body));

  // Cancelled: nobody is told.
  assertError(await refused(as('demo.commune', 'POST', `/api/v1/sessions/${later.body.id}/cancel`, {}), 403), 403, 'forbidden');
  await refused(as('dongvan.doctor', 'POST', `/api/v1/sessions/${later.body.id}/cancel`, {}), 404);
  await refused(api(srv, 'POST', `/api/v1/sessions/${later.body.id}/cancel`, { body: {} }), 401);
  await refused(as('demo.trainer', 'POST', `/api/v1/sessions/${later.body.id}/cancel`, { x: 1 }), 400);
  const x = await as('demo.trainer', 'POST', `/api/v1/sessions/${later.body.id}/cancel`, {});
  assert.equal(x.status, 200, JSON.stringify(x.body));
  assert.equal(x.body.state, 'cancelled');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE session_id = ${later.body.id} AND status <> 'not_needed'`), '0');
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/sessions/${later.body.id}/start`, {}), 409), 409, 'session_state');
  // Ended: the notices not yet sent are not sent.
  const s = await as('demo.trainer', 'POST', `/api/v1/sessions/${c.body.id}/start`, {});
  assert.equal(s.status, 200);
  const e = await as('demo.trainer', 'POST', `/api/v1/sessions/${c.body.id}/end`, {});
  assert.equal(e.status, 200, JSON.stringify(e.body));
});

test('a case session shows a concluded consultation de-identified to the course, not to others', async () => {
  const pt = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Thào Thị Dợ', birth_year: 1990, sex: 'female' });
  const k = await as('demo.commune', 'POST', '/api/v1/consults', {
    patient_id: pt.id, summary: 'Sốt cao ngày thứ 4, chấm xuất huyết, Thào Thị Dợ đau bụng vùng gan.', questions: ['Có cần chuyển tuyến không?'],
    urgency: 'urgent', specialty: 'internal', kind: 'general',
  });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  const body = { kind: 'case', title: 'Ca bệnh: sốt xuất huyết có dấu hiệu cảnh báo', minutes: 45, consult_id: k.body.id };
  // A draft, and not one of Bạch Mai's.
  await refused(as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, body), 400, 'consult_id');
  const now = Date.now();
  srv.sql(`UPDATE consults SET state = 'concluded', assigned_facility_id = ${facilityId('BV-BACHMAI')}, requested_at = ${now - 86400e3}, accepted_at = ${now - 80000e3}, concluded_at = ${now - 3600e3} WHERE id = ${k.body.id}`);
  const c = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, body);
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.consult_id, k.body.id);
  assert.equal(c.body.starts_at, null);
  const r = await as('demo.commune', 'GET', `/api/v1/sessions/${c.body.id}/case`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.patient.sex, 'female');
  assert.match(r.body.patient.age_band, /^\d+-\d+$/);
  assert.doesNotMatch(JSON.stringify(r.body), /Thào|Dợ/);
  assert.match(r.body.summary, /\[người bệnh\]/);
  assert.equal((await as('demo.trainer', 'GET', `/api/v1/sessions/${c.body.id}/case`)).status, 200);
  assertError(await refused(as('lungcu.admin', 'GET', `/api/v1/sessions/${c.body.id}/case`), 403), 403, 'not_your_part');
  await refused(as('dongvan.doctor', 'GET', `/api/v1/sessions/${c.body.id}/case`), 404);
  await refused(as('demo.patient', 'GET', `/api/v1/sessions/${c.body.id}/case`), 403);
  assertError(await refused(as('demo.commune', 'GET', `/api/v1/sessions/${live.id}/case`), 409), 409, 'session_kind');
  // The trail names the patient whose record the export was made from.
  assert.ok(Number(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'training.session_case' AND patient_id = ${pt.id}`)) >= 1);
});

test("a course's makers pick a case from the concluded consultations of its facility, newest first, without names", async () => {
  const bm = facilityId('BV-BACHMAI');
  const ask = async (full_name, birth_year, sex) => {
    const pt = await registerPatient(srv, S['demo.commune'].token, { full_name, birth_year, sex });
    const k = await as('demo.commune', 'POST', '/api/v1/consults', {
      patient_id: pt.id, summary: `Ho kéo dài ba tuần, sút cân; ${full_name} sống cùng người mắc lao.`, questions: ['Có cần chụp X-quang phổi không?'],
      urgency: 'routine', specialty: 'internal', kind: 'general',
    });
    assert.equal(k.status, 201, JSON.stringify(k.body));
    return k.body.id;
  };
  const now = Date.now();
  const conclude = (id, hub) => srv.sql(`UPDATE consults SET state = 'concluded', assigned_facility_id = ${hub}, requested_at = ${now - 86400e3}, accepted_at = ${now - 80000e3}, concluded_at = ${now - 3600e3} WHERE id = ${id}`);
  const ours = await ask('Hờ Thị Mỷ', 1961, 'female');
  const ours2 = await ask('Lò Văn Đức', 2008, 'male');
  const elsewhere = await ask('Sình Thị Dế', 1975, 'female');
  const open = await ask('Cứ Seo Páo', 1980, 'male');
  conclude(ours, bm);
  conclude(ours2, bm);
  conclude(elsewhere, facilityId('BVDK-LAOCAI'));
  // What the list should hold: every concluded consultation Bạch Mai asked or answered, newest first.
  const expected = srv.sql(`SELECT id FROM consults WHERE (requester_facility_id = ${bm} OR assigned_facility_id = ${bm}) AND state IN ('concluded', 'outcome_recorded', 'closed') ORDER BY id DESC`)
    .split('\n').filter(Boolean).map(Number);
  const seen = [];
  let cursor = null;
  do {
    const r = await as('demo.trainer', 'GET', `/api/v1/courses/${course.id}/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.items.length <= 2);
    assert.doesNotMatch(JSON.stringify(r.body), /Hờ|Mỷ|Lò Văn|Đức|lao|X-quang/);
    seen.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen.map((k) => k.id), expected);
  assert.ok(!seen.some((k) => k.id === elsewhere || k.id === open));
  const mine = seen.find((k) => k.id === ours);
  const age = new Date(now - 86400e3).getUTCFullYear() - 1961;
  const { concluded_at: at, specialty_name: sname, ...rest } = mine;
  assert.deepEqual(rest, {
    id: ours, specialty: 'internal', urgency: 'routine', kind: 'general',
    patient: { sex: 'female', age_band: `${Math.floor(age / 5) * 5}-${Math.floor(age / 5) * 5 + 4}` }, in_course: false,
  });
  assert.ok(Math.abs(Date.parse(at) - (now - 3600e3)) < 1000, at);
  assert.match(sname, /Nội/);
  assert.equal(seen.find((k) => k.id === ours2).patient.sex, 'male');
  // Once a session of the course presents it, the list says so; a cancelled one does not count.
  const sess = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, { kind: 'case', title: 'Ca bệnh: ho kéo dài ở người cao tuổi', minutes: 30, consult_id: ours });
  assert.equal(sess.status, 201, JSON.stringify(sess.body));
  const after1 = await as('demo.trainer', 'GET', `/api/v1/courses/${course.id}/cases?limit=200`);
  assert.equal(after1.body.items.find((k) => k.id === ours).in_course, true);
  assert.equal(after1.body.items.find((k) => k.id === ours2).in_course, false);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/sessions/${sess.body.id}/cancel`, {})).status, 200);
  assert.equal((await as('demo.trainer', 'GET', `/api/v1/courses/${course.id}/cases?limit=200`)).body.items.find((k) => k.id === ours).in_course, false);
  // Bad input, and who may not: the enrolled station, another hub's trainer, a patient, no one.
  const path = `/api/v1/courses/${course.id}/cases`;
  for (const q of ['limit=0', 'limit=201', 'limit=abc', 'cursor=-1', 'cursor=x']) {
    assertError(await refused(as('demo.trainer', 'GET', `${path}?${q}`), 400), 400, 'invalid_input');
  }
  await refused(as('demo.trainer', 'GET', '/api/v1/courses/99999999/cases'), 404);
  assertError(await refused(as('demo.commune', 'GET', path), 403), 403, 'forbidden');
  await refused(as('laocai.trainer', 'GET', path), 404);
  await refused(as('demo.patient', 'GET', path), 403);
  await refused(api(srv, 'GET', path), 401);
});

test('available courses come in full pages: the ones the caller is in already are left out by the query', async () => {
  const made = [];
  for (const title of ['Tiêm chủng mở rộng: bảo quản vắc xin', 'Chăm sóc bà mẹ sau sinh tại nhà', 'Sàng lọc tăng huyết áp ở người cao tuổi']) {
    const c = await as('demo.trainer', 'POST', '/api/v1/courses', { ...COURSE, title });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const m = await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/materials`, { title: 'Tài liệu', url: 'https://vncdc.gov.vn/tai-lieu' });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/publish`, {})).status, 200);
    made.push(c.body.id);
  }
  // Enrolled in the first two: the one page of one course holds the third, not an empty page.
  for (const id of made.slice(0, 2))
    assert.equal((await as('meovac.hw', 'POST', `/api/v1/courses/${id}/enrolments`, {})).status, 201);
  const all = (await as('meovac.hw', 'GET', '/api/v1/courses?scope=available&limit=100')).body.items.map((x) => x.id);
  assert.ok(all.includes(made[2]) && !all.includes(made[0]) && !all.includes(made[1]), JSON.stringify(all));
  const paged = [];
  for (let cursor = null, n = 0; n < 50; n++) {
    const p = await as('meovac.hw', 'GET', `/api/v1/courses?scope=available&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    cursor = p.body.next_cursor;
    if (cursor) assert.equal(p.body.items.length, 1, 'a page before the last is full');
    paged.push(...p.body.items.map((x) => x.id));
    if (!cursor) break;
  }
  assert.deepEqual(paged, all);
  // The station of Mèo Vạc enrolled as a whole: none of the three is available to its staff any more.
  for (const id of made)
    assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${id}/enrolments`, { facility_id: facilityId('TYT-MEOVAC') })).status, 201);
  const after = (await as('meovac.hw', 'GET', '/api/v1/courses?scope=available&limit=100')).body.items.map((x) => x.id);
  assert.deepEqual(after, all.filter((id) => !made.includes(id)), 'the same list less the three');
  assert.ok(made.every((id) => !after.includes(id)), JSON.stringify(after));
  for (const id of made)
    assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${id}/archive`, {})).status, 200);
});

test('a course in the list is the course itself: the page is read in a few queries, not a few a course', async () => {
  // A published course nobody is in yet, so that the stations' "available" pages are not empty.
  const open = await as('demo.trainer', 'POST', '/api/v1/courses', { ...COURSE, title: 'Phòng chống sốt rét tại thôn bản' });
  assert.equal(open.status, 201, JSON.stringify(open.body));
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${open.body.id}/materials`, { title: 'Tài liệu', url: 'https://vncdc.gov.vn/sot-ret' })).status, 201);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${open.body.id}/publish`, {})).status, 200);
  // Each page that must hold something; the doctor and the trainer may have nothing available.
  const nonEmpty = ['demo.trainer mine', 'demo.commune mine', 'demo.commune available', 'lungcu.nurse mine', 'lungcu.nurse available', 'demo.doctor mine'];
  for (const who of ['demo.trainer', 'demo.commune', 'lungcu.nurse', 'demo.doctor']) {
    for (const scope of ['mine', 'available']) {
      const list = await as(who, 'GET', `/api/v1/courses?scope=${scope}&limit=200`);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      if (nonEmpty.includes(`${who} ${scope}`)) assert.ok(list.body.items.length > 0, `${who} ${scope}: an empty page compares nothing`);
      if (scope === 'available' && who !== 'demo.doctor' && who !== 'demo.trainer')
        assert.ok(list.body.items.some((c) => c.id === open.body.id), `${who}: the open course is available`);
      for (const item of list.body.items) {
        const one = await as(who, 'GET', `/api/v1/courses/${item.id}`);
        assert.equal(one.status, 200);
        assert.deepEqual(item, one.body, `${who} ${scope} course ${item.id}`);
      }
      if (who === 'demo.trainer' && scope === 'mine') {
        assert.ok(list.body.items.length >= 3);
        assert.ok(list.body.items.some((c) => c.sessions.length > 0 && c.materials.length > 0 && c.trainers.length > 0));
      }
    }
  }
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${open.body.id}/archive`, {})).status, 200);
});

test('archived: no more enrolments or sessions, still readable by those related to it', async () => {
  const available = async () => (await as('meovac.hw', 'GET', '/api/v1/courses?scope=available')).body.items.map((x) => x.id);
  assert.deepEqual(await available(), [course.id], 'available until it is archived');
  const a = await as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/archive`, {});
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(a.body.state, 'archived');
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/enrolments`, { user_id: userId('dongvan.doctor') }), 409), 409, 'course_state');
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/courses/${course.id}/sessions`, { kind: 'self_paced', title: 'Tự học', minutes: 30 }), 409), 409, 'course_state');
  assertError(await refused(as('demo.trainer', 'PATCH', `/api/v1/courses/${course.id}`, { title: 'Khoá mới' }), 409), 409, 'course_state');
  assert.equal((await as('demo.commune', 'GET', `/api/v1/courses/${course.id}`)).status, 200);
  assert.deepEqual(await available(), []);
});

test('a course material is read by the course\'s people, wherever they work, and by no one else — not even the storing hospital\'s clinicians', async () => {
  const c = await as('demo.trainer', 'POST', '/api/v1/courses', { ...COURSE, title: 'Chăm sóc vết thương tại trạm y tế xã' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const slides = await tusUpload(srv, S['demo.trainer'].token, PDF, 'Chăm sóc vết thương.pdf', { purpose: 'course_material' });
  // Before a course takes it: its uploader only.
  assert.equal((await as('demo.trainer', 'GET', `/api/v1/files/${slides}`)).status, 200);
  assertError(await as('demo.specialist', 'GET', `/api/v1/files/${slides}`), 404);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/materials`, { title: 'Bài giảng', file_id: slides })).status, 201);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/publish`, {})).status, 200);
  // A health worker of another province enrols herself, and then reads it.
  assertError(await as('meovac.hw', 'GET', `/api/v1/files/${slides}`), 404);
  assert.equal((await as('meovac.hw', 'POST', `/api/v1/courses/${c.body.id}/enrolments`, {})).status, 201);
  const dl = await as('meovac.hw', 'GET', `/api/v1/files/${slides}`);
  assert.equal(dl.status, 200);
  assert.match(dl.body, /^%PDF-1\.4/);
  // Not enrolled: another facility's people, and Bạch Mai's own specialist, who stored nothing of it.
  for (const who of ['demo.specialist', 'dongvan.doctor', 'laocai.trainer', 'demo.patient'])
    for (const route of ['', '/meta'])
      assertError(await as(who, 'GET', `/api/v1/files/${slides}${route}`), who === 'demo.patient' ? 403 : 404);
});
