// A live lecture from the web app on a real Janus, in a private network namespace (tests/tests.cmake;
// Janus gets a veth address, as in rooms.netns.test.mjs). Bạch Mai's trainer has a published course
// with a live session and a two-question quiz; three health workers of other facilities (two
// communes and a district, one on a phone) are enrolled. They open the lecture before it starts
// and wait; the trainer starts it from the course page and presents with a fake camera; each
// viewer decodes the trainer's video without a camera of their own. A hand goes up and a question
// comes in, and the trainer sees both; one viewer leaves early. The trainer ends the session and
// reads the attendance: the early leaver under 80 %, the two others passed. The phone viewer takes
// the quiz, passes, sees her credit hours; the trainer issues her certificate, she downloads the
// PDF, which names her with her diacritics and carries a verification code that checks out.
// A second test makes a course through the trainer's screens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { api, login, freePort } from '../api/lib/server.mjs';
import { startJanus } from '../media/servers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const IP = '10.77.0.1';
const PW = 'Đào tạo 2026 mật khẩu';
const TITLE = 'Xử trí ban đầu sốt xuất huyết Dengue tại trạm y tế xã';
const VIEWERS = [
  { username: 'meovac.hw', full_name: 'Sùng Thị Dở', code: 'TYT-MEOVAC', phone: true },
  { username: 'yty.hw', full_name: 'Lý Văn Páo', code: 'TYT-YTY' },
  { username: 'dongvan.hw', full_name: 'Đặng Thị Hạnh', code: 'TTYT-DONGVAN' },
];
const QUIZ = {
  questions: [
    { question: 'Dấu hiệu cảnh báo nào cần chuyển tuyến ngay?', choices: ['Sốt nhẹ', 'Đau bụng nhiều, nôn liên tục', 'Ho khan'], correct: 1 },
    { question: 'Hạ sốt cho người bệnh Dengue bằng thuốc nào?', choices: ['Paracetamol', 'Aspirin'], correct: 0 },
  ],
};

let env, janus, S = {};
const as = (who, method, path, body) => api(env.srv, method, path, { token: S[who].token, body });
const userId = (u) => Number(env.srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const facilityId = (code) => Number(env.srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));

// What a viewer's lecture page decodes: frames per subscribed feed.
const decoded = (p) => p.evaluate(async () => {
  const out = {};
  for (const [feed, pc] of window.__ytexaLecture?.subs || []) {
    const st = await pc.getStats();
    st.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') out[feed] = s.framesDecoded || 0; });
  }
  return out;
});
async function untilDecoding(p, what) {
  let last = {};
  for (let i = 0; i < 60; i++) {
    last = await decoded(p);
    if (Object.keys(last).length >= 1 && Object.values(last).every((n) => n > 0)) return last;
    await sleep(500);
  }
  throw new Error(`${what}: decoding ${JSON.stringify(last)}`);
}

before(async () => {
  assert.equal(process.env.YTEXA_NETNS, '1', 'run through ctest, which starts this file in its own network namespace');
  for (const args of [['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], ['addr', 'add', `${IP}/24`, 'dev', 'v0'],
    ['link', 'set', 'v0', 'up'], ['link', 'set', 'v1', 'up']]) execFileSync('ip', args);
  const tokenSecret = randomBytes(16).toString('hex');
  const adminKey = randomBytes(16).toString('hex');
  janus = await startJanus({ ip: IP, port: await freePort(), tokenSecret, adminKey });
  env = await startWithBrowser({
    media: true,
    extraArgs: ['--janus-url', janus.url, '--janus-public-url', janus.url, '--janus-token-secret', tokenSecret, '--janus-admin-key', adminKey],
  });
  for (const u of ['demo.trainer', 'demo.ministry-admin']) S[u] = await login(env.srv, u);
  for (const v of VIEWERS) {
    const r = await as('demo.ministry-admin', 'POST', '/api/v1/users', { username: v.username, full_name: v.full_name, password: PW, role: 'health_worker', facility_id: facilityId(v.code) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
});
after(async () => {
  await closeAll(env || {});
  await janus?.stop();
});

test('a live lecture: three sites watch, a hand goes up, attendance from presence, the quiz, the credit and a certificate that verifies', async () => {
  const { srv, chrome } = env;
  const c = await as('demo.trainer', 'POST', '/api/v1/courses', {
    title: TITLE, description: 'Nhận biết dấu hiệu cảnh báo, bù dịch đường uống, khi nào chuyển tuyến.',
    target_roles: ['health_worker'], target_levels: ['commune', 'district'], credit_hours: 1.5,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const course = c.body.id;
  const s = await as('demo.trainer', 'POST', `/api/v1/courses/${course}/sessions`, {
    kind: 'live', title: 'Buổi 1: phân độ và dấu hiệu cảnh báo', starts_at: new Date(Date.now() + 3600e3).toISOString(), minutes: 60,
  });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const sid = s.body.id;
  assert.equal((await as('demo.trainer', 'PUT', `/api/v1/courses/${course}/quiz`, QUIZ)).status, 200);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${course}/publish`, {})).status, 200);
  for (const v of VIEWERS) {
    const e = await as('demo.trainer', 'POST', `/api/v1/courses/${course}/enrolments`, { user_id: userId(v.username) });
    assert.equal(e.status, 201, JSON.stringify(e.body));
  }

  const pages = [];
  try {
    // The viewers open the lecture before it starts: the page waits for the trainer.
    for (const v of VIEWERS) {
      const { p } = await session(chrome, srv.url, v.username, { password: PW, viewport: v.phone ? { width: 360, height: 740 } : undefined });
      await p.goto(`${srv.url}/#/training/sessions/${sid}/live`);
      await p.locator('.lecture[data-phase="waiting"]').waitFor({ timeout: 10000 });
      pages.push(p);
    }
    const [phone, second, leaver] = pages;
    await phone.getByText('Buổi học chưa bắt đầu').waitFor();

    // The trainer starts it from the course page and presents.
    const { p: trainer } = await session(chrome, srv.url, 'demo.trainer');
    pages.push(trainer);
    await trainer.getByRole('link', { name: /Đào tạo trực tuyến/ }).click();
    await trainer.getByRole('link', { name: new RegExp(TITLE) }).click();
    await trainer.getByRole('heading', { name: TITLE }).waitFor();
    await trainer.getByRole('button', { name: 'Bắt đầu buổi học' }).click();
    await trainer.locator('.lecture[data-phase="live"]').waitFor({ timeout: 15000 });
    await trainer.getByRole('button', { name: 'Kết thúc buổi học' }).waitFor();
    const started = Date.now();

    // Each viewer decodes the trainer's camera, frames keep coming; nobody there has a camera on.
    for (const p of [phone, second, leaver]) await p.locator('.lecture[data-phase="live"]').waitFor({ timeout: 15000 });
    const seen = [];
    for (const p of [phone, second, leaver]) seen.push(await untilDecoding(p, 'a viewer'));
    await sleep(1500);
    for (const [i, p] of [phone, second, leaver].entries()) {
      const now = await decoded(p);
      for (const [feed, n] of Object.entries(seen[i])) assert.ok(now[feed] > n, `frames keep coming (${n} → ${now[feed]})`);
      assert.equal(await p.evaluate(() => !!window.__ytexaLecture.pub), false, 'a viewer publishes nothing');
      await p.locator('.lecture figcaption', { hasText: 'Phạm Quốc Hùng' }).waitFor();
    }

    // A hand goes up on the phone, a question from the district; the trainer sees both.
    await phone.getByRole('button', { name: 'Giơ tay' }).click();
    await phone.getByRole('button', { name: 'Hạ tay' }).waitFor();
    const hands = trainer.getByLabel('Học viên giơ tay');
    await hands.getByText('✋ Sùng Thị Dở').waitFor({ timeout: 10000 });
    // Sending an empty box says what to do, beside the box; a question sent says it was.
    await leaver.getByRole('button', { name: 'Gửi' }).click();
    await leaver.locator('#question-error', { hasText: 'Hãy nhập câu hỏi trước khi gửi.' }).waitFor();
    assert.equal(await leaver.getByLabel('Đặt câu hỏi').getAttribute('aria-invalid'), 'true');
    await leaver.getByLabel('Đặt câu hỏi').fill('Trẻ dưới 1 tuổi có bù dịch đường uống được không ạ?');
    assert.equal(await leaver.locator('#question-error').count(), 0);
    await leaver.getByRole('button', { name: 'Gửi' }).click();
    await leaver.getByRole('status').filter({ hasText: 'Đã gửi câu hỏi cho giảng viên.' }).waitFor();
    await hands.getByText('Trẻ dưới 1 tuổi có bù dịch đường uống được không ạ?').waitFor({ timeout: 10000 });

    // Attendance as it is counted: all three present.
    for (const v of VIEWERS) await trainer.locator(`.attendance tr[data-user="${userId(v.username)}"] .live-dot`).waitFor({ timeout: 10000 });

    // About ten seconds in, one leaves; the two others stay on.
    await sleep(Math.max(0, 10000 - (Date.now() - started)));
    await leaver.getByRole('link', { name: 'Rời buổi học' }).click();
    await leaver.getByRole('heading', { name: TITLE }).waitFor();
    await sleep(20000);
    await trainer.getByRole('button', { name: 'Kết thúc buổi học' }).click();
    await trainer.locator('.lecture[data-phase="ended"]').waitFor({ timeout: 10000 });
    for (const p of [phone, second]) await p.locator('.lecture[data-phase="ended"]').waitFor({ timeout: 10000 });

    // The attendance the trainer reads: the early leaver under 80 %, the others passed.
    const row = (u) => trainer.locator(`.attendance tr[data-user="${userId(u)}"]`);
    await row('dongvan.hw').getByText('Chưa đạt').waitFor({ timeout: 10000 });
    const pct = async (u) => Number((await row(u).locator('td').nth(2).innerText()).replace('%', ''));
    assert.ok(await pct('dongvan.hw') < 80, `the early leaver: ${await pct('dongvan.hw')} %`);
    for (const u of ['meovac.hw', 'yty.hw']) {
      assert.ok(await pct(u) >= 80, `${u}: ${await pct(u)} %`);
      assert.equal(await row(u).locator('td').nth(3).locator('.ok').innerText(), 'Đạt');
    }
    for (const v of VIEWERS) assert.match(await row(v.username).innerText(), new RegExp(v.full_name));
    assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance_spans WHERE session_id = ${sid} AND left_at IS NULL`), '0');

    // The phone viewer takes the quiz and passes: the credit is on her record.
    await phone.goto(`${srv.url}/#/training/${course}`);
    const quiz = phone.getByLabel('Bài kiểm tra');
    await quiz.getByText('Số lần còn lại: 3').waitFor();
    await quiz.getByLabel('Đau bụng nhiều, nôn liên tục').check();
    await quiz.getByLabel('Paracetamol').check();
    await quiz.getByRole('button', { name: 'Nộp bài' }).click();
    await quiz.getByRole('status').filter({ hasText: 'Điểm: 100% · Đạt' }).waitFor();
    await quiz.getByText('Bạn được cộng 1,5 giờ').waitFor();
    const record = phone.getByLabel('Giờ tín chỉ của tôi');
    await record.getByText('Tổng số giờ: 1,5 giờ').waitFor();
    await record.getByText('Chưa cấp giấy chứng nhận').waitFor();

    // The trainer issues her certificate from the attendance list.
    await trainer.getByRole('button', { name: 'Cấp giấy chứng nhận: Sùng Thị Dở' }).click();
    const code = (await row('meovac.hw').locator('.cert code').innerText()).trim();
    assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);

    // She downloads it from her record.
    await phone.goto(`${srv.url}/#/training`);
    await phone.getByLabel('Giờ tín chỉ của tôi').getByText(code).waitFor();
    const [download] = await Promise.all([phone.waitForEvent('download'), phone.getByRole('link', { name: 'Tải giấy chứng nhận (PDF)' }).click()]);
    const dir = mkdtempSync(join(tmpdir(), 'ytexa-cert-'));
    try {
      await download.saveAs(join(dir, 'c.pdf'));
      const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'c.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      for (const want of ['Sùng Thị Dở', TITLE, '1,5 giờ', code]) assert.ok(text.includes(want), `PDF lacks "${want}": ${text}`);
    } finally { rmSync(dir, { recursive: true, force: true }); }
    const v = await api(srv, 'GET', `/api/v1/verify/${code}`);
    assert.equal(v.status, 200, JSON.stringify(v.body));
    assert.equal(v.body.valid, true);
    assert.equal(v.body.holder, 'Sùng Thị Dở');
    assert.equal(v.body.course, TITLE);
  } catch (e) {
    console.error(janus.log().split('\n').slice(-30).join('\n'));
    for (const p of pages) console.error('page:', await p.locator('main').innerText().catch(() => '?'));
    throw e;
  }
});

test('the trainer makes a course through the screens: materials (a link and a PDF), a session, the quiz, published, a site and a person enrolled; a health worker enrols herself', async () => {
  const { srv, chrome } = env;
  const { p } = await session(chrome, srv.url, 'demo.trainer');
  const title = 'Chăm sóc thai sản tại trạm y tế xã';
  await p.goto(`${srv.url}/#/training`);
  await p.getByRole('link', { name: 'Tạo khóa học' }).click();
  await p.getByLabel('Tên khóa học').fill(title);
  await p.getByLabel('Mô tả').fill('Khám thai định kỳ, dấu hiệu nguy hiểm, chuyển tuyến.');
  await p.getByLabel('Bác sĩ', { exact: true }).check();
  await p.getByLabel('Huyện/Khu vực').check();
  await p.getByLabel('Số giờ tín chỉ').fill('2.25');
  await p.getByRole('button', { name: 'Tạo khóa học' }).click();
  await p.getByRole('heading', { name: title }).waitFor();
  const course = Number(/#\/training\/(\d+)/.exec(p.url())[1]);
  await p.getByText('Bản nháp').first().waitFor();

  const materials = p.locator('section', { has: p.getByRole('heading', { name: 'Tài liệu' }) });
  await materials.locator('summary').click();
  await materials.getByLabel('Tên tài liệu').fill('Hướng dẫn quốc gia');
  await materials.getByLabel('Loại tài liệu').selectOption('url');
  await materials.getByLabel('Địa chỉ (https://…)').fill('https://kcb.vn/cham-soc-thai-san');
  await materials.getByRole('button', { name: 'Thêm tài liệu' }).click();
  await materials.getByRole('link', { name: 'Hướng dẫn quốc gia' }).waitFor();
  await materials.getByLabel('Tên tài liệu').fill('Bài giảng (PDF)');
  await materials.getByLabel('Loại tài liệu').selectOption('file');
  await materials.getByLabel('Tệp PDF').setInputFiles({ name: 'bai-giang.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n') });
  await materials.getByRole('button', { name: 'Thêm tài liệu' }).click();
  await materials.getByRole('link', { name: 'Bài giảng (PDF)' }).waitFor();

  const sessions = p.locator('section.sessions');
  await sessions.locator('summary').click();
  await sessions.getByLabel('Tên buổi học').fill('Buổi 1: khám thai');
  await sessions.getByLabel('Ngày giờ bắt đầu').fill('2030-03-02T08:30');
  await sessions.getByLabel('Thời lượng (phút)').fill('90');
  await sessions.getByRole('button', { name: 'Thêm buổi học' }).click();
  await sessions.getByText('Buổi 1: khám thai').waitFor();

  const quiz = p.locator('section.quiz-editor');
  await quiz.locator('summary').click();
  await quiz.getByLabel('Nội dung câu hỏi').fill('Khám thai tối thiểu mấy lần?');
  await quiz.getByLabel('Lựa chọn 1.1').fill('2 lần');
  await quiz.getByLabel('Lựa chọn 1.2').fill('4 lần');
  await quiz.getByRole('button', { name: 'Thêm lựa chọn' }).click();
  await quiz.getByLabel('Lựa chọn 1.3').fill('8 lần');
  await quiz.getByLabel('Đáp án đúng 1.2').check();
  await quiz.getByRole('button', { name: 'Thêm câu hỏi' }).click();
  await quiz.getByLabel('Nội dung câu hỏi').nth(1).fill('Phù, nhức đầu, nhìn mờ gợi ý gì?');
  await quiz.getByLabel('Lựa chọn 2.1').fill('Tiền sản giật');
  // A choice of spaces alone passes the browser's check but not the server's: the error shows
  // under that choice, which is marked and takes the focus.
  await quiz.getByLabel('Lựa chọn 2.2').fill('   ');
  await quiz.getByRole('button', { name: 'Lưu bài kiểm tra' }).click();
  const wrong = quiz.getByLabel('Lựa chọn 2.2');
  await quiz.locator('#qc1_1-error', { hasText: 'Lựa chọn 2 của câu hỏi 2' }).waitFor();
  assert.equal(await wrong.getAttribute('aria-invalid'), 'true');
  await p.waitForFunction(() => document.activeElement?.id === 'qc1_1');
  assert.equal(await quiz.locator('.field-error').count(), 1);
  await wrong.fill('Cảm cúm');
  await quiz.getByRole('button', { name: 'Lưu bài kiểm tra' }).click();
  await quiz.getByText('Đã lưu bài kiểm tra.').waitFor();
  assert.equal(await quiz.locator('.field-error').count(), 0);
  await quiz.getByText('2 câu hỏi').waitFor();

  await p.getByRole('button', { name: 'Công bố khóa học' }).click();
  await p.getByText('Đã công bố').first().waitFor();

  const enrol = p.locator('section.enrolments');
  await enrol.locator('summary', { hasText: 'Ghi danh một cơ sở' }).click();
  await enrol.getByLabel('Cơ sở', { exact: true }).selectOption({ label: 'Trạm Y tế xã Lũng Cú' });
  await enrol.getByRole('button', { name: 'Ghi danh một cơ sở' }).click();
  await enrol.locator('li strong', { hasText: 'Trạm Y tế xã Lũng Cú' }).waitFor();
  await enrol.locator('summary', { hasText: 'Ghi danh một người' }).click();
  await enrol.getByLabel('Mã người dùng').fill(String(userId('demo.doctor')));
  await enrol.getByRole('button', { name: 'Ghi danh một người' }).click();
  await enrol.locator('li strong', { hasText: 'Nguyễn Văn An' }).waitFor();

  const stored = await as('demo.trainer', 'GET', `/api/v1/courses/${course}`);
  assert.equal(stored.body.state, 'published');
  assert.equal(stored.body.credit_hours, 2.25);
  assert.deepEqual(stored.body.target_roles, ['health_worker', 'doctor']);
  assert.deepEqual(stored.body.target_levels, ['commune', 'district']);
  assert.deepEqual(stored.body.materials.map((m) => [m.title, !!m.file_id]), [['Hướng dẫn quốc gia', false], ['Bài giảng (PDF)', true]]);
  assert.deepEqual(stored.body.sessions.map((s) => [s.title, s.minutes, s.kind]), [['Buổi 1: khám thai', 90, 'live']]);
  const q = await as('demo.trainer', 'GET', `/api/v1/courses/${course}/quiz`);
  assert.deepEqual(q.body.questions.map((x) => [x.choices.length, x.correct]), [[3, 1], [2, 0]]);

  // A commune's health worker not yet in it finds it among the courses open to her and enrols.
  const { p: hw } = await session(chrome, srv.url, 'yty.hw', { password: PW, viewport: { width: 360, height: 740 } });
  await hw.goto(`${srv.url}/#/training`);
  await hw.getByRole('button', { name: `Đăng ký: ${title}` }).click();
  await hw.locator('section', { has: hw.getByRole('heading', { name: 'Khóa học của tôi' }) }).getByRole('link', { name: new RegExp(title) }).click();
  await hw.getByText('Đã đăng ký').waitFor();
  await hw.getByRole('link', { name: 'Bài giảng (PDF)' }).waitFor();
  assert.equal(env.srv.sql(`SELECT COUNT(*) FROM enrolments WHERE course_id = ${course} AND user_id = ${userId('yty.hw')}`), '1');
});
