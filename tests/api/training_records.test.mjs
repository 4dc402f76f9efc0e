// Quiz, credits, training records and certificates (docs/training.md), on a course of Bạch Mai made
// directly in the database (published, three learners enrolled, one live session that has ended
// with its attendance computed): the trainer sets the quiz, learners fail and pass it, the credit
// goes on the record when attendance and quiz both passed, a certificate is issued whose PDF names
// the learner with her diacritics and carries a QR code anyone can verify, then it is revoked.
// Every role that may not act is refused, bad input refused, and nothing is written then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, api, assertError, refuser } from './lib/server.mjs';

let srv;
const S = {};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const one = (q) => srv.sql(q).split('\n')[0];
const facilityId = (code) => Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
const userId = (username) => Number(one(`SELECT id FROM users WHERE username = '${username}'`));
const MIN = 60 * 1000;
const TITLE = 'Cấp cứu ngừng tuần hoàn cơ bản cho tuyến xã';

const counts = () => srv.counts(['quiz_questions', 'quiz_attempts', 'credits', 'certificates', 'certificates WHERE revoked_at IS NOT NULL']);
const refused = refuser(counts);

let course, session;
const QUIZ = {
  questions: [
    { question: 'Tần số ép tim ở người lớn là bao nhiêu lần mỗi phút?', choices: ['60–80', '100–120', '140–160'], correct: 1 },
    { question: 'Tỉ lệ ép tim / thổi ngạt khi có một người cấp cứu?', choices: ['15:2', '30:2', '5:1', '30:1'], correct: 1 },
    { question: 'Độ sâu ép ngực ở người lớn?', choices: ['2–3 cm', '5–6 cm'], correct: 1 },
  ],
};

before(async () => {
  srv = await startSignedIn(S);
  const now = Date.now();
  const trainer = userId('demo.trainer');
  course = Number(one(`INSERT INTO courses (title, description, target_roles, target_levels, credit_minutes,
    attendance_pass_pct, quiz_pass_pct, quiz_max_attempts, facility_id, state, created_by, created_at, updated_at)
    VALUES ('${TITLE}', 'Khoá học thực hành', '["health_worker","doctor","specialist"]', '[]', 90, 80, 70, 3,
    ${facilityId('BV-BACHMAI')}, 'published', ${trainer}, ${now}, ${now}) RETURNING id`));
  for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist'])
    srv.sql(`INSERT INTO enrolments (course_id, user_id, enrolled_by, enrolled_at) VALUES (${course}, ${userId(u)}, ${trainer}, ${now})`);
  const start = now - 90 * MIN;
  session = Number(one(`INSERT INTO course_sessions (course_id, kind, title, starts_at, minutes, state, started_at,
    ended_at, created_by, created_at) VALUES (${course}, 'live', 'Bài giảng trực tuyến', ${start}, 60, 'ended', ${start},
    ${start + 60 * MIN}, ${trainer}, ${start}) RETURNING id`));
  // Lò Thị Mai watched 55 of 60 minutes; Nguyễn Văn An 20; the specialist never came.
  srv.sql(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES
    (${session}, ${userId('demo.commune')}, 3300, 91, 'online', 1, ${now}),
    (${session}, ${userId('demo.doctor')}, 1200, 33, 'online', 0, ${now})`);
});
after(() => srv.close());

test('the trainer sets the quiz; learners never see the answers; bad quizzes and other roles refused', async () => {
  const path = `/api/v1/courses/${course}/quiz`;
  await refused(as('demo.commune', 'PUT', path, QUIZ), 403, null, 'a learner');
  await refused(as('demo.doctor', 'PUT', path, QUIZ), 403, null, 'a learner');
  assertError(await as('demo.patient', 'PUT', path, QUIZ), 403);
  assertError(await as('demo.patient', 'GET', path), 403);
  await refused(as('demo.trainer', 'PUT', '/api/v1/courses/999999/quiz', QUIZ), 404);
  const q0 = QUIZ.questions[0];
  for (const [body, field, what] of [
    [{}, 'questions', 'no questions'],
    [{ questions: [] }, 'questions', 'empty'],
    [{ questions: 'ba câu' }, 'questions', 'not an array'],
    [{ questions: [q0], extra: 1 }, 'extra', 'unknown field'],
    [{ questions: [7] }, 'questions', 'not an object'],
    // The member at fault is named, so the editor shows the error beside it.
    [{ questions: [{ ...q0, choices: ['chỉ một'] }] }, 'questions[0].choices', 'one choice'],
    [{ questions: [{ ...q0, choices: ['1', '2', '3', '4', '5', '6', '7'] }] }, 'questions[0].choices', 'seven choices'],
    [{ questions: [q0, { ...q0, choices: ['a', 2] }] }, 'questions[1].choices[1]', 'a choice not a text'],
    [{ questions: [{ ...q0, choices: ['', 'b'] }] }, 'questions[0].choices[0]', 'an empty choice'],
    [{ questions: [{ ...q0, correct: 3 }] }, 'questions[0].correct', 'correct out of range'],
    [{ questions: [{ ...q0, correct: -1 }] }, 'questions[0].correct', 'negative correct'],
    [{ questions: [q0, q0, { ...q0, question: 'ab' }] }, 'questions[2].question', 'question too short'],
    [{ questions: [{ ...q0, hint: 'x' }] }, 'questions[0].hint', 'unknown member'],
    [{ questions: Array(51).fill(q0) }, 'questions', '51 questions'],
  ]) await refused(as('demo.trainer', 'PUT', path, body), 400, field, what);

  const set = await as('demo.trainer', 'PUT', path, QUIZ);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.questions.length, 3);
  assert.equal(set.body.questions[1].correct, 1, 'the trainer sees the answers');
  assert.equal(set.body.pass_pct, 70);
  assert.equal(set.body.max_attempts, 3);
  // Set again (before anyone attempted it): replaced, not added.
  assert.equal((await as('demo.trainer', 'PUT', path, QUIZ)).status, 200);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM quiz_questions WHERE course_id = ${course}`), '3');

  const seen = await as('demo.commune', 'GET', path);
  assert.equal(seen.status, 200, JSON.stringify(seen.body));
  assert.deepEqual(seen.body.questions.map((q) => q.question), QUIZ.questions.map((q) => q.question));
  assert.deepEqual(seen.body.questions[0].choices, QUIZ.questions[0].choices);
  assert.ok(!JSON.stringify(seen.body).includes('"correct"'), 'a learner never sees the answers');
  assert.deepEqual(seen.body.my_attempts, []);
  // The province's administrator oversees the course's facility? No: Hà Nội is not Tuyên Quang.
  assertError(await as('demo.province-admin', 'GET', path), 404);
  assert.equal((await as('demo.ministry-admin', 'GET', path)).body.questions[0].correct, 1);
});

test('attempts: scored rounded down, numbered without gaps when sent at once, limited, locked after a pass', async () => {
  const path = `/api/v1/courses/${course}/quiz/attempts`;
  // Bad answers, and people not enrolled, are refused without a trace.
  for (const [answers, what] of [[[1, 1], 'too few'], [[1, 1, 1, 1], 'too many'], [[1, 4, 1], 'no such choice'], [[1, 1, 2], 'no such choice in a two-choice question'],
    [[1, -1, 1], 'negative'], [['b', 1, 1], 'not an index'], [[1.5, 1, 1], 'not an integer']])
    await refused(as('demo.commune', 'POST', path, { answers }), 400, 'answers', what);
  await refused(as('demo.commune', 'POST', path, {}), 400, 'answers');
  await refused(as('demo.commune', 'POST', path, { answers: [1, 1, 1], score: 100 }), 400, 'score');
  await refused(as('demo.trainer', 'POST', path, { answers: [1, 1, 1] }), 403, null, 'the trainer is not enrolled');
  assertError(await as('demo.patient', 'POST', path, { answers: [1, 1, 1] }), 403);

  const a1 = await as('demo.commune', 'POST', path, { answers: [1, 0, 0] });
  assert.equal(a1.status, 201, JSON.stringify(a1.body));
  assert.deepEqual(a1.body, { attempt: 1, score_pct: 33, passed: false, attempts_left: 2 });
  // Someone attempted it: the quiz no longer changes.
  await refused(as('demo.trainer', 'PUT', `/api/v1/courses/${course}/quiz`, QUIZ), 409, null, 'locked');
  const locked = await as('demo.trainer', 'PUT', `/api/v1/courses/${course}/quiz`, QUIZ);
  assert.equal(locked.body.error.code, 'quiz_locked');
  const a2 = await as('demo.commune', 'POST', path, { answers: [1, 1, 0] });
  assert.deepEqual({ ...a2.body }, { attempt: 2, score_pct: 66, passed: false, attempts_left: 1 }, '2 of 3 is 66 %, under 70');
  const a3 = await as('demo.commune', 'POST', path, { answers: [1, 1, 1] });
  assert.equal(a3.status, 201);
  assert.equal(a3.body.passed, true);
  assert.equal(a3.body.score_pct, 100);
  assert.equal(a3.body.attempts_left, 0);
  // Attendance passed (91 %) and the quiz now: the credit is on her record.
  assert.ok(a3.body.credit, 'the credit awarded by the rules: ' + JSON.stringify(a3.body));
  assert.equal(a3.body.credit.minutes, 90);
  assert.equal(a3.body.credit.hours, 1.5);
  assert.equal(a3.body.credit.attendance_pct, 91);
  assert.equal(a3.body.credit.quiz_score_pct, 100);
  assert.equal(a3.body.credit.awarded_by, null);
  assert.equal(a3.body.credit.user.full_name, 'Lò Thị Mai');
  const passed = await as('demo.commune', 'POST', path, { answers: [1, 1, 1] });
  assertError(passed, 409, 'already_passed');
  const mine = await as('demo.commune', 'GET', `/api/v1/courses/${course}/quiz`);
  assert.deepEqual(mine.body.my_attempts.map((a) => [a.attempt, a.score_pct, a.passed]), [[1, 33, false], [2, 66, false], [3, 100, true]]);

  // The doctor passes the quiz, but his attendance (33 %) did not: no credit.
  const d = await as('demo.doctor', 'POST', path, { answers: [1, 1, 1] });
  assert.equal(d.status, 201);
  assert.equal(d.body.passed, true);
  assert.equal(d.body.credit, undefined, 'attendance failed: no credit');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM credits WHERE user_id = ${userId('demo.doctor')}`), '0');

  // Three attempts sent at once are numbered 1, 2, 3; the fourth finds none left.
  const many = await Promise.all([0, 1, 2].map(() => as('demo.specialist', 'POST', path, { answers: [0, 0, 0] })));
  assert.deepEqual(many.map((r) => r.status), [201, 201, 201], JSON.stringify(many.map((r) => r.body)));
  assert.deepEqual(many.map((r) => r.body.attempt).sort(), [1, 2, 3]);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM quiz_attempts WHERE user_id = ${userId('demo.specialist')}`), '3');
  const none = await refused(as('demo.specialist', 'POST', path, { answers: [1, 1, 1] }), 409, null, 'no attempts left');
  assert.equal(none.body.error.code, 'no_attempts_left');
});

test('credits by hand: the same rules, with what is missing; a health worker cannot award', async () => {
  const path = `/api/v1/courses/${course}/credits`;
  const doctor = userId('demo.doctor'), specialist = userId('demo.specialist');
  const missing = await refused(as('demo.trainer', 'POST', path, { user_id: doctor }), 409, null, 'attendance failed');
  assert.equal(missing.body.error.code, 'requirements_not_met');
  assert.deepEqual(missing.body.error.missing, [{ kind: 'session', session: { id: session, title: 'Bài giảng trực tuyến', state: 'ended' }, pct: 33 }]);
  const both = await refused(as('demo.trainer', 'POST', path, { user_id: specialist }), 409);
  assert.deepEqual(both.body.error.missing, [
    { kind: 'session', session: { id: session, title: 'Bài giảng trực tuyến', state: 'ended' }, pct: null },
    { kind: 'quiz', attempts: 3 },
  ]);
  // A health worker's role runs no course: refused before any course is looked at.
  const hw = await refused(as('demo.commune', 'POST', path, { user_id: doctor }), 403, null, 'a health worker');
  assert.equal(hw.body.error.code, 'forbidden');
  await refused(as('demo.doctor', 'POST', path, { user_id: doctor }), 403, null, 'a learner awarding himself');
  assertError(await as('demo.patient', 'POST', path, { user_id: doctor }), 403);
  await refused(as('demo.trainer', 'POST', path, {}), 400, 'user_id');
  await refused(as('demo.trainer', 'POST', path, { user_id: 'An' }), 400, 'user_id');
  await refused(as('demo.trainer', 'POST', path, { user_id: userId('demo.ministry-admin') }), 400, 'user_id', 'not enrolled');
  await refused(as('demo.trainer', 'POST', path, { user_id: doctor, minutes: 600 }), 400, 'minutes');

  // His site confirmed late that he watched on the station's screen: the trainer awards it.
  srv.sql(`UPDATE attendance SET pct = 100, seconds = 3600, source = 'site', passed = 1 WHERE user_id = ${doctor}`);
  const award = await as('demo.trainer', 'POST', path, { user_id: doctor });
  assert.equal(award.status, 201, JSON.stringify(award.body));
  assert.equal(award.body.awarded_by.full_name, 'Phạm Quốc Hùng');
  assert.equal(award.body.attendance_pct, 100);
  assert.equal(award.body.quiz_score_pct, 100);
  assert.equal(award.body.certificate, null);
  const again = await as('demo.trainer', 'POST', path, { user_id: doctor });
  assert.equal(again.status, 200);
  assert.equal(again.body.id, award.body.id, 'once per course and person');
});

test('training records: the person, administrators in scope, the course\'s trainers; others refused', async () => {
  const commune = userId('demo.commune'), doctor = userId('demo.doctor'), specialist = userId('demo.specialist');
  const mine = await as('demo.commune', 'GET', '/api/v1/training/records');
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.equal(mine.body.user.full_name, 'Lò Thị Mai');
  assert.equal(mine.body.items.length, 1);
  assert.equal(mine.body.items[0].course.title, TITLE);
  assert.equal(mine.body.items[0].course.facility.name, 'Bệnh viện Bạch Mai');
  assert.equal(mine.body.items[0].hours, 1.5);
  assert.equal(mine.body.total_hours, 1.5);
  assert.equal(mine.body.next_cursor, null);
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  assert.equal((await as('demo.commune', 'GET', `/api/v1/training/records?from=${today}&to=${today}`)).body.total_hours, 1.5);
  const old = await as('demo.commune', 'GET', '/api/v1/training/records?from=2025-01-01&to=2025-12-31');
  assert.equal(old.body.items.length, 0);
  assert.equal(old.body.total_hours, 0);
  for (const q of ['from=hôm-qua', 'to=2026-13-45', 'from=2026-02-01&to=2026-01-01', 'user_id=abc', 'limit=0', 'cursor=x'])
    assertError(await as('demo.commune', 'GET', `/api/v1/training/records?${q}`), 400);

  for (const [who, user, total] of [['demo.province-admin', commune, 1.5], ['demo.ministry-admin', commune, 1.5],
    ['demo.facility-admin', doctor, 1.5], ['demo.trainer', commune, 1.5], ['demo.trainer', doctor, 1.5], ['demo.specialist', specialist, 0]]) {
    const r = await as(who, 'GET', `/api/v1/training/records?user_id=${user}`);
    assert.equal(r.status, 200, `${who} reads ${user}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.total_hours, total, who);
  }
  // Another province's administrator, another facility's administrator: 403; anyone else: 404.
  const other = await as('demo.province-admin', 'GET', `/api/v1/training/records?user_id=${specialist}`);
  assertError(other, 403, 'not_your_part');
  assertError(await as('demo.facility-admin', 'GET', `/api/v1/training/records?user_id=${commune}`), 403);
  assertError(await as('demo.doctor', 'GET', `/api/v1/training/records?user_id=${commune}`), 404);
  assertError(await as('demo.patient', 'GET', `/api/v1/training/records?user_id=${commune}`), 403);
  assertError(await as('demo.ministry-admin', 'GET', '/api/v1/training/records?user_id=999999'), 404);
});

test('summaries: hours and people per facility for a province, per province for the ministry', async () => {
  const province = await as('demo.province-admin', 'GET', '/api/v1/training/summary');
  assert.equal(province.status, 200, JSON.stringify(province.body));
  assert.equal(province.body.by, 'facility');
  const byName = Object.fromEntries(province.body.items.map((i) => [i.facility.name, i]));
  assert.deepEqual(byName['Trạm Y tế xã Lũng Cú'] && [byName['Trạm Y tế xã Lũng Cú'].people, byName['Trạm Y tế xã Lũng Cú'].hours], [1, 1.5]);
  assert.equal(byName['Bệnh viện Đa khoa tỉnh Hà Giang'].hours, 1.5);
  assert.deepEqual(province.body.total, { people: 2, credits: 2, minutes: 180, hours: 3 });

  const country = await as('demo.ministry-admin', 'GET', '/api/v1/training/summary');
  assert.equal(country.body.by, 'province');
  assert.deepEqual(country.body.items.map((i) => [i.province.name, i.people, i.hours]), [['Tuyên Quang', 2, 3]]);
  const tq = country.body.items[0].province.id;
  const inTq = await as('demo.ministry-admin', 'GET', `/api/v1/training/summary?province_id=${tq}`);
  assert.equal(inTq.body.by, 'facility');
  assert.equal(inTq.body.items.length, 2);
  const lungcu = await as('demo.ministry-admin', 'GET', `/api/v1/training/summary?facility_id=${facilityId('TYT-LUNGCU')}`);
  assert.deepEqual(lungcu.body.items.map((i) => i.facility.name), ['Trạm Y tế xã Lũng Cú']);
  const hagiang = await as('demo.facility-admin', 'GET', '/api/v1/training/summary');
  assert.deepEqual(hagiang.body.items.map((i) => [i.facility.name, i.people]), [['Bệnh viện Đa khoa tỉnh Hà Giang', 1]]);
  assert.equal((await as('demo.ministry-admin', 'GET', '/api/v1/training/summary?from=2025-01-01&to=2025-02-01')).body.items.length, 0);

  const hanoi = one(`SELECT province_id FROM facilities WHERE code = 'BV-BACHMAI'`);
  assertError(await as('demo.province-admin', 'GET', `/api/v1/training/summary?province_id=${hanoi}`), 403, 'not_your_part');
  assertError(await as('demo.province-admin', 'GET', `/api/v1/training/summary?facility_id=${facilityId('BV-BACHMAI')}`), 403);
  assertError(await as('demo.facility-admin', 'GET', `/api/v1/training/summary?facility_id=${facilityId('TYT-LUNGCU')}`), 403);
  for (const who of ['demo.commune', 'demo.doctor', 'demo.trainer', 'demo.patient'])
    assertError(await as(who, 'GET', '/api/v1/training/summary'), 403);
  assertError(await as('demo.ministry-admin', 'GET', `/api/v1/training/summary?facility_id=1&province_id=${tq}`), 400);
  assertError(await as('demo.ministry-admin', 'GET', '/api/v1/training/summary?facility_id=999999'), 404);
  assertError(await as('demo.ministry-admin', 'GET', '/api/v1/training/summary?from=yesterday'), 400);
});

// The PDF's text, and its QR code as a reader sees it (zbarimg on the page rendered at 150 dpi).
async function readPdf(url, who) {
  const r = await fetch(srv.url + url, { headers: { authorization: `Bearer ${S[who].token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-certificate-'));
  writeFileSync(join(dir, 'c.pdf'), Buffer.from(await r.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  const info = execFileSync('pdfinfo', [join(dir, 'c.pdf')], { encoding: 'utf8' });
  execFileSync('pdftoppm', ['-png', '-r', '150', '-singlefile', join(dir, 'c.pdf'), join(dir, 'c')]);
  const qr = execFileSync('zbarimg', ['--raw', '-q', join(dir, 'c.png')], { encoding: 'utf8' }).trim();
  return { text, info, qr };
}

test('certificates: issued once, the PDF in Vietnamese with a QR code, verified by anyone, revoked', async () => {
  const credit = Number(one(`SELECT id FROM credits WHERE user_id = ${userId('demo.commune')}`));
  const path = `/api/v1/credits/${credit}/certificate`;
  const hw = await refused(as('demo.commune', 'POST', path), 403, null, 'the holder herself');
  assert.equal(hw.body.error.code, 'forbidden');
  await refused(as('demo.doctor', 'POST', path), 403, null, 'another learner');
  assertError(await as('demo.patient', 'POST', path), 403);
  await refused(as('demo.trainer', 'POST', '/api/v1/credits/999999/certificate'), 404);
  await refused(as('demo.trainer', 'POST', path, { holder: 'Ai đó' }), 400);

  const issued = await as('demo.trainer', 'POST', path);
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const cert = issued.body;
  assert.match(cert.verify_code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  assert.equal(cert.pdf_url, `/api/v1/certificates/${cert.id}/pdf`);
  assert.equal(cert.holder.full_name, 'Lò Thị Mai');
  assert.equal(cert.hours, 1.5);
  assert.match(cert.content_hash, /^[0-9a-f]{64}$/);
  const again = await as('demo.trainer', 'POST', path);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, cert, 'again: the same certificate');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM certificates WHERE credit_id = ${credit}`), '1');
  // The record shows it.
  const rec = await as('demo.commune', 'GET', '/api/v1/training/records');
  assert.equal(rec.body.items[0].certificate.verify_code, cert.verify_code);

  const { text, info, qr } = await readPdf(cert.pdf_url, 'demo.commune');
  const issuedOn = new Date(Date.parse(cert.issued_at) + 7 * 3600 * 1000).toISOString().slice(0, 10).split('-').reverse().join('/');
  for (const want of ['GIẤY CHỨNG NHẬN', 'Lò Thị Mai', TITLE, '1,5 giờ', 'Bệnh viện Bạch Mai', issuedOn, cert.verify_code])
    assert.ok(text.includes(want), `PDF lacks "${want}": ${text}`);
  assert.match(info, /Page size:\s+841\.\d+ x 595\.\d+ pts/, 'A4 landscape');
  assert.equal(qr, `/api/v1/verify/${cert.verify_code}`, 'the QR code is the verification path');
  // Who else may read it: the course's trainers, the administrators over the holder; not others.
  for (const who of ['demo.trainer', 'demo.province-admin', 'demo.ministry-admin'])
    assert.equal((await as(who, 'GET', cert.pdf_url)).status, 200, who);
  for (const who of ['demo.doctor', 'demo.facility-admin', 'demo.patient', 'demo.specialist'])
    assertError(await as(who, 'GET', cert.pdf_url), who === 'demo.patient' ? 403 : 404);
  assertError(await as('demo.trainer', 'GET', '/api/v1/certificates/999999/pdf'), 404);

  // Anyone holding the paper checks it, without logging in.
  const v = await api(srv, 'GET', `/api/v1/verify/${cert.verify_code.toLowerCase()}?sha256=${cert.content_hash}`);
  assert.equal(v.status, 200, JSON.stringify(v.body));
  assert.deepEqual({ ...v.body, issued_at: undefined }, {
    kind: 'certificate', code: cert.verify_code, holder: 'Lò Thị Mai', course: TITLE, minutes: 90, hours: 1.5,
    issued_at: undefined, issuer: 'Bệnh viện Bạch Mai', valid: true, intact: true, revoked_at: null,
    revoke_reason: null, content_hash: cert.content_hash, matches: true,
  });
  assert.equal(v.body.issued_at, cert.issued_at);
  assertError(await api(srv, 'GET', '/api/v1/verify/AAAAA-AAAAA'), 404);
  assertError(await api(srv, 'GET', '/api/v1/verify/not-a-code'), 404);
  assertError(await api(srv, 'GET', `/api/v1/verify/${cert.verify_code}?sha256=abc`), 400);

  // Revoked: by the course's trainer, with a reason; the verification says so.
  const rpath = `/api/v1/certificates/${cert.id}/revoke`;
  const byHolder = await refused(as('demo.commune', 'POST', rpath, { reason: 'Tự thu hồi' }), 403, null, 'the holder');
  assert.equal(byHolder.body.error.code, 'forbidden');
  await refused(as('demo.province-admin', 'POST', rpath, { reason: 'Sai sót' }), 403, null, 'an administrator over the holder');
  assertError(await as('demo.doctor', 'POST', rpath, { reason: 'Sai sót' }), 404);
  await refused(as('demo.trainer', 'POST', rpath, {}), 400, 'reason');
  await refused(as('demo.trainer', 'POST', rpath, { reason: 'x' }), 400, 'reason');
  await refused(as('demo.trainer', 'POST', rpath, { reason: 'Sai sót', at: 1 }), 400, 'at');
  const REASON = 'Điểm danh ghi nhầm người học';
  const revoked = await as('demo.trainer', 'POST', rpath, { reason: REASON });
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  assert.equal(revoked.body.revoke_reason, REASON);
  assert.ok(revoked.body.revoked_at);
  await refused(as('demo.trainer', 'POST', rpath, { reason: REASON }), 409, null, 'revoked twice');
  const after = await api(srv, 'GET', `/api/v1/verify/${cert.verify_code}`);
  assert.equal(after.body.valid, false);
  assert.equal(after.body.intact, true);
  assert.equal(after.body.revoked_at, revoked.body.revoked_at);
  assert.equal(after.body.revoke_reason, REASON);
  assert.equal((await as('demo.trainer', 'POST', path)).body.revoked_at, revoked.body.revoked_at, 'issuing again: the same, revoked');
  assert.ok((await readPdf(cert.pdf_url, 'demo.commune')).text.includes('ĐÃ THU HỒI'));

  // A stored certificate changed behind ytexa's back no longer hashes to what was printed.
  const dcredit = Number(one(`SELECT id FROM credits WHERE user_id = ${userId('demo.doctor')}`));
  // Another facility's administrator (who may enrol their staff in the course) does not issue it.
  assertError(await as('demo.facility-admin', 'POST', `/api/v1/credits/${dcredit}/certificate`), 403, 'not_your_part');
  const d = await as('demo.ministry-admin', 'POST', `/api/v1/credits/${dcredit}/certificate`);
  assert.equal(d.status, 201, 'an administrator over the course\'s facility issues it: ' + JSON.stringify(d.body));
  srv.sql(`UPDATE certificates SET minutes = 900 WHERE id = ${d.body.id}`);
  const tampered = await api(srv, 'GET', `/api/v1/verify/${d.body.verify_code}`);
  assert.equal(tampered.body.intact, false);
  assert.equal(tampered.body.valid, false);
});

// Hole 11: a rule that held over an empty set. The rule looked only at sessions that had ended, so
// with none ended (or none at all) everyone qualified: a trainer could award the full hours and a
// certificate before anything of the course took place. Each course below is made directly in the
// database, published, by Bạch Mai, with Lò Thị Mai enrolled.
let seq = 0;
function newCourse(what) {
  const now = Date.now();
  const id = Number(one(`INSERT INTO courses (title, description, target_roles, target_levels, credit_minutes,
    attendance_pass_pct, quiz_pass_pct, quiz_max_attempts, facility_id, state, created_by, created_at, updated_at)
    VALUES ('Khoá ${++seq}: ${what}', '', '["health_worker","doctor","specialist"]', '[]', 120, 80, 70, 3,
    ${facilityId('BV-BACHMAI')}, 'published', ${userId('demo.trainer')}, ${now}, ${now}) RETURNING id`));
  enrol(id, 'demo.commune');
  return id;
}
function enrol(course, who) {
  return Number(one(`INSERT INTO enrolments (course_id, user_id, enrolled_by, enrolled_at)
    VALUES (${course}, ${userId(who)}, ${userId('demo.trainer')}, ${Date.now()}) RETURNING id`));
}
// A session in a state: planned (tomorrow), live (since an hour), ended (an hour, two hours ago) or
// cancelled; self-paced ones have no start.
function addSession(course, kind, state, title) {
  const now = Date.now(), H = 3600e3;
  const starts = kind === 'self_paced' ? 'NULL' : state === 'planned' || state === 'cancelled' ? now + 24 * H : now - 2 * H;
  const started = state === 'live' || state === 'ended' ? now - 2 * H : 'NULL';
  const ended = state === 'ended' ? now - H : 'NULL';
  return Number(one(`INSERT INTO course_sessions (course_id, kind, title, starts_at, minutes, state, started_at, ended_at,
    created_by, created_at) VALUES (${course}, '${kind}', '${title}', ${starts}, 60, '${state}', ${started}, ${ended},
    ${userId('demo.trainer')}, ${now}) RETURNING id`));
}
function attended(session, who, pct) {
  srv.sql(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at)
    VALUES (${session}, ${userId(who)}, ${pct * 36}, ${pct}, 'online', ${pct >= 80 ? 1 : 0}, ${Date.now()})`);
}
const byHand = (course, who = 'demo.commune') => as('demo.trainer', 'POST', `/api/v1/courses/${course}/credits`, { user_id: userId(who) });
const creditsOf = (course) => srv.sql(`SELECT COUNT(*) FROM credits WHERE course_id = ${course}`);

test('hole 11: a lecture planned or still live is not done yet — no credit by hand; once ended and passed, the credit', async () => {
  const course = newCourse('bài giảng chưa diễn ra');
  const lecture = addSession(course, 'live', 'planned', 'Bài giảng 1');
  const planned = await refused(byHand(course), 409, null, 'nothing has taken place');
  assert.equal(planned.body.error.code, 'requirements_not_met');
  assert.deepEqual(planned.body.error.missing, [{ kind: 'session', session: { id: lecture, title: 'Bài giảng 1', state: 'planned' }, pct: null }]);
  assert.ok(!planned.body.error.message.includes(' / '), 'one language');
  // A case session counts like a lecture; live is not ended.
  const kase = addSession(course, 'case', 'live', 'Ca bệnh 1');
  const live = await refused(byHand(course), 409, null, 'a session still live');
  assert.deepEqual(live.body.error.missing.map((m) => [m.kind, m.session.id, m.session.state]), [['session', lecture, 'planned'], ['session', kase, 'live']]);
  // Both take place and she passes both: now the rule holds.
  srv.sql(`UPDATE course_sessions SET state = 'ended', started_at = ${Date.now() - 7200e3}, ended_at = ${Date.now() - 3600e3} WHERE course_id = ${course}`);
  attended(lecture, 'demo.commune', 95);
  attended(kase, 'demo.commune', 85);
  const ok = await byHand(course);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.attendance_pct, 85);
  assert.equal(creditsOf(course), '1');
});

test('hole 11: a course with nothing to complete — no session, or only cancelled ones, and no quiz — gives no credit', async () => {
  const course = newCourse('không có gì để học');
  const none = await refused(byHand(course), 409, null, 'an empty course');
  assert.equal(none.body.error.code, 'nothing_to_complete');
  assert.match(none.body.error.message, /^Khoá học chưa có [^/]*$/);
  addSession(course, 'live', 'cancelled', 'Buổi đã huỷ');
  assertError(await refused(byHand(course), 409, null, 'only a cancelled session'), 409, 'nothing_to_complete');
  // Nor by the rules: a passed quiz is what would award it, and there is none to pass.
  const attempt = await refused(as('demo.commune', 'POST', `/api/v1/courses/${course}/quiz/attempts`, { answers: [] }), 409, null, 'no quiz');
  assert.equal(attempt.body.error.code, 'no_quiz');
  assert.equal(creditsOf(course), '0');
});

test('hole 11: self-paced work is checked by the quiz — without one it is never done; with one, passing it earns the credit', async () => {
  const course = newCourse('tự học');
  const self = addSession(course, 'self_paced', 'planned', 'Tự học: tài liệu');
  const noQuiz = await refused(byHand(course), 409, null, 'self-paced, no quiz');
  assert.equal(noQuiz.body.error.code, 'requirements_not_met');
  assert.deepEqual(noQuiz.body.error.missing, [{ kind: 'self_paced', session: { id: self, title: 'Tự học: tài liệu', state: 'planned' } }]);
  const quiz = { questions: [{ question: 'Bù dịch đường uống bằng gì?', choices: ['Oresol', 'Nước ngọt'], correct: 0 }] };
  assert.equal((await as('demo.trainer', 'PUT', `/api/v1/courses/${course}/quiz`, quiz)).status, 200);
  const notYet = await refused(byHand(course), 409, null, 'quiz not passed');
  assert.deepEqual(notYet.body.error.missing, [{ kind: 'quiz', attempts: 0 }]);
  const pass = await as('demo.commune', 'POST', `/api/v1/courses/${course}/quiz/attempts`, { answers: [0] });
  assert.equal(pass.status, 201, JSON.stringify(pass.body));
  assert.equal(pass.body.credit?.minutes, 120, 'the rules award it on the pass: ' + JSON.stringify(pass.body));
  assert.equal(pass.body.credit.attendance_pct, 100, 'no lecture: nothing to have missed');
});

test('hole 11: a cancelled session is not required — cancelling the one left awards what it held back, by the rules', async () => {
  const course = newCourse('một buổi bị huỷ');
  const first = addSession(course, 'live', 'ended', 'Buổi 1');
  attended(first, 'demo.commune', 90);
  const second = addSession(course, 'live', 'planned', 'Buổi 2');
  const held = await refused(byHand(course), 409, null, 'the second lecture has not taken place');
  assert.deepEqual(held.body.error.missing.map((m) => m.session.id), [second]);
  const cancel = await as('demo.trainer', 'POST', `/api/v1/sessions/${second}/cancel`, {});
  assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
  assert.equal(srv.sql(`SELECT minutes || '|' || attendance_pct || '|' || COALESCE(awarded_by, 0) FROM credits WHERE course_id = ${course}`), '120|90|0',
    'awarded by the rules when the session was cancelled');
});

test('hole 11: a certificate only for a credit the rule holds for — not one given over a course where nothing took place', async () => {
  const course = newCourse('chứng nhận sớm');
  addSession(course, 'live', 'planned', 'Bài giảng chưa diễn ra');
  // The credit the old rule gave (nothing ended, so nothing missing), as an older version stored it.
  const credit = Number(one(`INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at, awarded_by)
    VALUES (${course}, ${userId('demo.commune')}, 120, 100, ${Date.now()}, ${userId('demo.trainer')}) RETURNING id`));
  const cert = await refused(as('demo.trainer', 'POST', `/api/v1/credits/${credit}/certificate`), 409, null, 'early certificate');
  assert.equal(cert.body.error.code, 'requirements_not_met');
  assert.equal(cert.body.error.missing[0].session.state, 'planned');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM certificates WHERE credit_id = ${credit}`), '0');
  // And with nothing at all to complete.
  const empty = newCourse('chứng nhận khoá rỗng');
  const c2 = Number(one(`INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at, awarded_by)
    VALUES (${empty}, ${userId('demo.commune')}, 120, 100, ${Date.now()}, ${userId('demo.trainer')}) RETURNING id`));
  assertError(await refused(as('demo.trainer', 'POST', `/api/v1/credits/${c2}/certificate`), 409, null, 'empty course'), 409, 'nothing_to_complete');
});

test('hole 11: a site list whose people are no longer enrolled confirms nobody; those still enrolled count', async () => {
  // Hà Giang's hospital watched two ended lectures together: the doctor recorded the lists, its
  // administrator (enrolled too) confirms them — after the doctor was withdrawn from the course.
  const course = newCourse('điểm danh tại chỗ');
  const one1 = addSession(course, 'live', 'ended', 'Bài giảng A');
  const two = addSession(course, 'live', 'ended', 'Bài giảng B');
  const doctor = enrol(course, 'demo.doctor');
  enrol(course, 'demo.facility-admin');
  const list = (sid, who) => as('demo.doctor', 'POST', `/api/v1/sessions/${sid}/site-attendance`, { user_ids: who.map(userId) });
  assert.equal((await list(one1, ['demo.doctor'])).status, 201);
  assert.equal((await list(two, ['demo.doctor', 'demo.facility-admin'])).status, 201);
  assert.equal((await as('demo.trainer', 'DELETE', `/api/v1/courses/${course}/enrolments/${doctor}`)).status, 200);
  const state = (sid) => srv.sql(`SELECT COUNT(*) FROM site_attendance WHERE session_id = ${sid} AND confirmed_at IS NOT NULL`) +
    '/' + srv.sql(`SELECT COUNT(*) FROM attendance WHERE session_id = ${sid}`);

  const nobody = await refused(as('demo.facility-admin', 'POST', `/api/v1/sessions/${one1}/site-attendance/confirm`, {}), 409, null, 'nobody left on the list');
  assert.equal(nobody.body.error.code, 'no_attendees');
  assert.ok(!nobody.body.error.message.includes(' / '), 'one language');
  assert.equal(state(one1), '0/0', 'not confirmed, no attendance stored');

  const some = await as('demo.facility-admin', 'POST', `/api/v1/sessions/${two}/site-attendance/confirm`, {});
  assert.equal(some.status, 200, JSON.stringify(some.body));
  assert.equal(state(two), '1/1', 'confirmed; attendance only for the one still enrolled');
  assert.equal(srv.sql(`SELECT user_id || ' ' || pct || ' ' || source FROM attendance WHERE session_id = ${two}`), `${userId('demo.facility-admin')} 100 site`);
  assert.equal(creditsOf(course), '0', 'lecture A is not done by anyone');
});

test('the QR reader is installed (scripts/setup.sh)', () => {
  assert.ok(existsSync('/usr/bin/zbarimg'), 'zbar-tools');
});
