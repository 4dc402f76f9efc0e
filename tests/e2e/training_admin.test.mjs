// The training screens of those who run and oversee it, in a real browser against the real server
// (no Janus: the lecture is made "ended" in the database, as tests/api/training_records.test.mjs
// does). Bạch Mai's trainer has a published course with the whole Lũng Cú station and a Mèo Vạc
// health worker enrolled, a lecture that ended, one still planned, and a URL material. In the
// browser: the trainer renames the course, cancels the planned session, withdraws the Mèo Vạc
// enrolment, adds a case session from a concluded consultation and a self-paced one; a Lũng Cú
// health worker opens the case (no patient name in it) and the self-study; she records who
// watched the lecture together at the station, the station's administrator confirms it, and the
// trainer reads 100 % "site" attendance; the trainer revokes a certificate, which verification
// then calls revoked with the reason; Tuyên Quang's administrator reads the hours of Lũng Cú;
// Lào Cai's administrator sees none of it and is told so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';

const PW = 'Đào tạo 2026 mật khẩu';
const TITLE = 'Xử trí ban đầu sốt xuất huyết Dengue tại trạm y tế xã';
const RENAMED = 'Sốt xuất huyết Dengue: xử trí tại tuyến xã (cập nhật 2026)';
const PATIENT = 'Thào Thị Dợ';
const REASON = 'Cấp nhầm người, điểm danh đã được sửa lại';
const MIN = 60e3;

let env;
const S = {};
const F = {}; // the fixtures' ids
const as = (who, method, path, body) => api(env.srv, method, path, { token: S[who].token, body });
const one = (q) => env.srv.sql(q).split('\n')[0];
const userId = (u) => Number(one(`SELECT id FROM users WHERE username = '${u}'`));
const facilityId = (code) => Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
const ok = (r, status = 201) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body; };
const pages = [];
async function open(who, hash, opts = {}) {
  const { p } = await session(env.chrome, env.srv.url, who, { password: S[who].password, ...opts });
  pages.push(p);
  await p.goto(`${env.srv.url}/#${hash}`);
  return p;
}

async function newUser(username, fullName, role, code) {
  ok(await as('demo.ministry-admin', 'POST', '/api/v1/users', { username, full_name: fullName, password: PW, role, facility_id: facilityId(code) }));
  S[username] = { ...(await login(env.srv, username, PW)), password: PW };
}

before(async () => {
  env = await startWithBrowser();
  for (const u of ['demo.trainer', 'demo.ministry-admin', 'demo.commune', 'demo.province-admin']) S[u] = await login(env.srv, u);
  await newUser('lungcu.nurse', 'Giàng Thị Súa', 'health_worker', 'TYT-LUNGCU');
  await newUser('lungcu.admin', 'Lù Văn Pháng', 'facility_admin', 'TYT-LUNGCU');
  await newUser('meovac.hw', 'Sùng Mí Lử', 'health_worker', 'TYT-MEOVAC');
  await newUser('laocai.admin', 'Đỗ Văn Quý', 'province_admin', 'BVDK-LAOCAI');

  const c = ok(await as('demo.trainer', 'POST', '/api/v1/courses', {
    title: TITLE, description: 'Nhận biết dấu hiệu cảnh báo, bù dịch đường uống, khi nào chuyển tuyến.',
    target_roles: ['health_worker', 'doctor'], target_levels: ['commune', 'district'], credit_hours: 1.5,
  }));
  F.course = c.id;
  const at = new Date(Date.now() + 48 * 3600e3).toISOString();
  F.lecture = ok(await as('demo.trainer', 'POST', `/api/v1/courses/${c.id}/sessions`, { kind: 'live', title: 'Buổi 1: phân độ', starts_at: at, minutes: 60 })).id;
  F.later = ok(await as('demo.trainer', 'POST', `/api/v1/courses/${c.id}/sessions`, { kind: 'live', title: 'Buổi 2: bù dịch', starts_at: at, minutes: 45 })).id;
  ok(await as('demo.trainer', 'POST', `/api/v1/courses/${c.id}/materials`, { title: 'Hướng dẫn chẩn đoán, điều trị Dengue', url: 'https://kcb.vn/dengue' }));
  ok(await as('demo.trainer', 'POST', `/api/v1/courses/${c.id}/publish`, {}), 200);
  ok(await as('demo.trainer', 'POST', `/api/v1/courses/${c.id}/enrolments`, { facility_id: facilityId('TYT-LUNGCU') }));
  F.meovac = ok(await as('demo.trainer', 'POST', `/api/v1/courses/${c.id}/enrolments`, { user_id: userId('meovac.hw') })).id;

  // The first lecture happened (Janus-free): started 90 minutes ago, an hour long; Lò Thị Mai
  // watched 24 minutes of it online on her own before the station gathered.
  const start = Date.now() - 90 * MIN;
  env.srv.sql(`UPDATE course_sessions SET state = 'ended', started_at = ${start}, ended_at = ${start + 60 * MIN} WHERE id = ${F.lecture}`);
  env.srv.sql(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES
    (${F.lecture}, ${userId('demo.commune')}, 1440, 40, 'online', 0, ${Date.now()})`);

  // A consultation Lũng Cú asked and Bạch Mai concluded (the whole flow is tests/api/consult.test.mjs).
  const pt = await registerPatient(env.srv, S['demo.commune'].token, { full_name: PATIENT, birth_year: 1990, sex: 'female' });
  const k = ok(await as('demo.commune', 'POST', '/api/v1/consults', {
    patient_id: pt.id, summary: `Sốt cao ngày thứ 4, chấm xuất huyết dưới da, ${PATIENT} đau bụng vùng gan, nôn 3 lần.`,
    questions: ['Có cần chuyển tuyến không?'], urgency: 'urgent', specialty: 'internal', kind: 'general',
  }));
  F.consult = k.id;
  const now = Date.now();
  env.srv.sql(`UPDATE consults SET state = 'concluded', assigned_facility_id = ${facilityId('BV-BACHMAI')}, requested_at = ${now - 86400e3},
    accepted_at = ${now - 80000e3}, concluded_at = ${now - 3600e3}, recommendation = 'transfer',
    recommendation_note = 'Bù dịch đường uống trên đường chuyển; theo dõi mạch, huyết áp mỗi giờ.' WHERE id = ${k.id}`);
  env.srv.sql(`UPDATE consult_questions SET conclusion = 'Có: sốt xuất huyết có dấu hiệu cảnh báo, chuyển tuyến huyện.' WHERE consult_id = ${k.id}`);
});
after(async () => closeAll(env || {}));

// On failure, what each page showed.
async function showing(fn) {
  try { await fn(); } catch (e) {
    for (const p of pages) console.error('page:', p.url(), '\n', await p.locator('main').innerText().catch(() => '?'));
    throw e;
  } finally {
    for (const p of pages.splice(0)) await p.context().close().catch(() => {});
  }
}

test('the trainer renames the course, cancels a planned session, withdraws an enrolment, adds a case and a self-paced session', () => showing(async () => {
  const p = await open('demo.trainer', `/training/${F.course}`);
  await p.getByRole('heading', { name: TITLE }).waitFor();

  await p.locator('summary', { hasText: 'Sửa khóa học' }).click();
  const edit = p.locator('details.course-edit');
  await edit.getByLabel('Tên khóa học').fill(RENAMED);
  await edit.getByLabel('Số giờ tín chỉ').fill('1.5');
  await edit.getByRole('button', { name: 'Lưu khóa học' }).click();
  await p.getByRole('heading', { name: RENAMED }).waitFor();
  assert.equal(ok(await as('demo.trainer', 'GET', `/api/v1/courses/${F.course}`), 200).title, RENAMED);

  const sessions = p.locator('section.sessions');
  const later = sessions.locator(`li[data-session="${F.later}"]`);
  await later.getByRole('button', { name: 'Hủy buổi học: Buổi 2: bù dịch' }).click();
  await later.getByRole('button', { name: 'Đồng ý' }).click();
  await later.getByText('Đã hủy').waitFor();
  assert.equal(one(`SELECT state FROM course_sessions WHERE id = ${F.later}`), 'cancelled');
  assert.equal(await later.getByRole('button', { name: /Hủy buổi học/ }).count(), 0);

  const enrolled = p.locator('section.enrolments');
  await enrolled.locator('li strong', { hasText: 'Sùng Mí Lử' }).waitFor();
  await enrolled.getByRole('button', { name: 'Rút tên: Sùng Mí Lử' }).click();
  await enrolled.getByRole('button', { name: 'Đồng ý' }).click();
  await enrolled.locator('li strong', { hasText: 'Sùng Mí Lử' }).waitFor({ state: 'detached' });
  await enrolled.locator('li strong', { hasText: 'Trạm Y tế xã Lũng Cú' }).waitFor();
  assert.notEqual(one(`SELECT withdrawn_at FROM enrolments WHERE id = ${F.meovac}`), '');

  await sessions.locator('summary', { hasText: 'Thêm buổi học' }).click();
  await sessions.getByLabel('Loại buổi học').selectOption('case');
  await sessions.getByLabel('Tên buổi học').fill('Ca bệnh: sốt xuất huyết có dấu hiệu cảnh báo');
  // The case is picked from the facility's concluded consultations, shown without the patient's name.
  const pick = sessions.getByLabel('Ca hội chẩn', { exact: true });
  const option = pick.locator(`option[value="${F.consult}"]`);
  assert.match(await option.textContent(), new RegExp(`^#${F.consult} · Nội.* · Khẩn · đã kết luận .* · Nữ, \\d+–\\d+ tuổi$`));
  for (const o of await pick.locator('option').allTextContents()) assert.ok(!o.includes(PATIENT), o);
  await pick.selectOption(String(F.consult));
  await sessions.getByLabel('Thời lượng (phút)').fill('45');
  await sessions.getByRole('button', { name: 'Thêm buổi học' }).click();
  const caseItem = sessions.locator('li', { hasText: 'Ca bệnh: sốt xuất huyết có dấu hiệu cảnh báo' });
  await caseItem.getByText('Ca bệnh ·', { exact: false }).waitFor();
  await sessions.getByLabel('Loại buổi học').selectOption('self_paced');
  assert.equal(await sessions.getByLabel('Ngày giờ bắt đầu').count(), 0, 'a self-paced session has no start');
  await sessions.getByLabel('Tên buổi học').fill('Tự học: bù dịch đường uống');
  await sessions.getByLabel('Thời lượng (phút)').fill('30');
  await sessions.getByRole('button', { name: 'Thêm buổi học' }).click();
  await sessions.locator('li', { hasText: 'Tự học: bù dịch đường uống' }).waitFor();

  const stored = ok(await as('demo.trainer', 'GET', `/api/v1/courses/${F.course}`), 200).sessions;
  const kase = stored.find((s) => s.kind === 'case');
  assert.equal(kase.consult_id, F.consult);
  assert.equal(kase.minutes, 45);
  F.case = kase.id;
  assert.deepEqual(stored.filter((s) => s.kind === 'self_paced').map((s) => [s.title, s.minutes, s.starts_at]), [['Tự học: bù dịch đường uống', 30, null]]);
  F.self = stored.find((s) => s.kind === 'self_paced').id;

  // The trainer sees the case too, as the learners will.
  await caseItem.getByRole('button', { name: 'Xem ca bệnh' }).click();
  await caseItem.getByLabel('Ca bệnh (đã ẩn danh)').getByText('Có: sốt xuất huyết có dấu hiệu cảnh báo').waitFor();
}));

test('a learner opens the case without the patient\'s name, and the self-study with its materials', () => showing(async () => {
  const p = await open('demo.commune', `/training/${F.course}`, { viewport: { width: 360, height: 740 } });
  await p.getByRole('heading', { name: RENAMED }).waitFor();
  const item = p.locator(`li[data-session="${F.case}"]`);
  await item.getByRole('button', { name: 'Xem ca bệnh' }).click();
  const kase = item.getByLabel('Ca bệnh (đã ẩn danh)');
  await kase.getByText('chấm xuất huyết dưới da').waitFor();
  const text = await kase.innerText();
  for (const want of ['[người bệnh]', 'Có cần chuyển tuyến không?', 'chuyển tuyến huyện', 'Chuyển tuyến', 'theo dõi mạch, huyết áp', 'Nữ', 'Khẩn'])
    assert.ok(text.includes(want), `the case lacks "${want}": ${text}`);
  assert.doesNotMatch(await p.locator('main').innerText(), /Thào|Dợ/, 'no patient identity on the page');

  const self = p.locator('li', { hasText: 'Tự học: bù dịch đường uống' });
  await self.getByRole('button', { name: 'Mở bài tự học' }).click();
  await self.locator('.self-paced').getByText('30 phút').waitFor();
  await self.getByRole('link', { name: 'Hướng dẫn chẩn đoán, điều trị Dengue' }).waitFor();
}));

test('a certificate asked for too early says what still holds the credit back', () => showing(async () => {
  // Lò Thị Mai watched 40 % of the lecture; the case session has not taken place; the self-study
  // has no quiz to check it. The trainer is told each of these, and nothing is stored.
  const p = await open('demo.trainer', `/training/${F.course}`);
  const t = p.locator(`li[data-session="${F.lecture}"]`);
  await t.getByRole('button', { name: 'Điểm danh', exact: true }).click();
  const row = t.locator(`.attendance tr[data-user="${userId('demo.commune')}"]`);
  await row.getByRole('button', { name: 'Cấp giấy chứng nhận: Lò Thị Mai' }).click();
  await row.locator('.error').filter({ hasText: 'Chưa đủ điều kiện' }).waitFor();
  assert.equal((await row.locator('.error').innerText()).trim(), 'Chưa đủ điều kiện: “Buổi 1: phân độ”: chưa đạt điểm danh (40%); '
    + '“Ca bệnh: sốt xuất huyết có dấu hiệu cảnh báo”: chưa diễn ra; '
    + '“Tự học: bù dịch đường uống”: tự học chỉ được tính qua bài kiểm tra, khóa học chưa có bài kiểm tra.');
  assert.equal(one(`SELECT COUNT(*) FROM credits WHERE course_id = ${F.course}`), '0');
}));

test('the station records who watched together, its lead confirms, and the trainer reads 100 % on site', () => showing(async () => {
  // The credit earned below is the lecture's alone: the case session and the self-study added above
  // would hold it back (a session neither ended nor cancelled is not done yet, and self-study is
  // checked by a quiz, which this course has not), so the trainer cancels them first.
  for (const sid of [F.case, F.self]) ok(await as('demo.trainer', 'POST', `/api/v1/sessions/${sid}/cancel`, {}), 200);
  const p = await open('demo.commune', `/training/${F.course}`, { viewport: { width: 360, height: 740 } });
  const item = p.locator(`li[data-session="${F.lecture}"]`);
  await item.getByRole('button', { name: 'Điểm danh tại điểm cầu' }).click();
  const site = item.getByLabel('Điểm danh tại điểm cầu');
  await site.getByLabel(/Giàng Thị Súa/).check();
  await site.getByLabel(/Lò Thị Mai/).check();
  assert.equal(await site.getByLabel(/Sùng Mí Lử/).count(), 0, 'only the people of her own facility');
  assert.equal(await site.getByLabel(/Lù Văn Pháng/).count(), 0, 'and of them, only those the course counts');
  assert.equal(await site.getByRole('button', { name: /Xác nhận/ }).count(), 0, 'a health worker does not confirm');
  await site.getByRole('button', { name: 'Ghi danh sách có mặt' }).click();
  await site.getByRole('status').filter({ hasText: 'Đã ghi danh sách · Lò Thị Mai' }).waitFor();
  assert.equal(one(`SELECT COUNT(*) FROM site_attendance WHERE session_id = ${F.lecture} AND confirmed_at IS NULL`), '1');

  const lead = await open('lungcu.admin', `/training/${F.course}`);
  const li = lead.locator(`li[data-session="${F.lecture}"]`);
  await li.getByRole('button', { name: 'Điểm danh tại điểm cầu' }).click();
  await li.getByRole('button', { name: 'Xác nhận danh sách (trưởng điểm cầu)' }).click();
  const status = li.getByRole('status');
  await status.filter({ hasText: 'Đã xác nhận · Lù Văn Pháng' }).waitFor();
  assert.match(await status.innerText(), /Lò Thị Mai, Giàng Thị Súa|Giàng Thị Súa, Lò Thị Mai/);
  assert.equal(await li.getByRole('button', { name: /Xác nhận danh sách/ }).count(), 0);

  const trainer = await open('demo.trainer', `/training/${F.course}`);
  const t = trainer.locator(`li[data-session="${F.lecture}"]`);
  await t.getByRole('button', { name: 'Điểm danh', exact: true }).click();
  for (const u of ['demo.commune', 'lungcu.nurse']) {
    const row = t.locator(`.attendance tr[data-user="${userId(u)}"]`);
    await row.getByText('điểm cầu xác nhận').waitFor();
    assert.equal(await row.locator('td').nth(2).innerText(), '100%');
    assert.equal(await row.locator('td').nth(3).locator('.ok').innerText(), 'Đạt');
  }
  assert.equal(one(`SELECT source || ' ' || pct FROM attendance WHERE session_id = ${F.lecture} AND user_id = ${userId('demo.commune')}`), 'site 100');
}));

test('the trainer revokes a certificate with a reason; verification says revoked, and why', () => showing(async () => {
  const p = await open('demo.trainer', `/training/${F.course}`);
  const t = p.locator(`li[data-session="${F.lecture}"]`);
  await t.getByRole('button', { name: 'Điểm danh', exact: true }).click();
  const row = t.locator(`.attendance tr[data-user="${userId('lungcu.nurse')}"]`);
  await row.getByRole('button', { name: 'Cấp giấy chứng nhận: Giàng Thị Súa' }).click();
  const code = (await row.locator('.cert code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  assert.equal(ok(await api(env.srv, 'GET', `/api/v1/verify/${code}`), 200).valid, true);

  await row.getByRole('button', { name: 'Thu hồi giấy chứng nhận: Giàng Thị Súa' }).click();
  await row.getByLabel('Lý do thu hồi').fill(REASON);
  await row.getByRole('button', { name: 'Thu hồi giấy chứng nhận' }).click();
  await row.getByText(`đã thu hồi: ${REASON}`).waitFor();
  const v = ok(await api(env.srv, 'GET', `/api/v1/verify/${code}`), 200);
  assert.equal(v.valid, false);
  assert.equal(v.revoke_reason, REASON);
  assert.ok(v.revoked_at);
  assert.equal(v.holder, 'Giàng Thị Súa');
}));

test("the province's administrator reads the hours; another province's sees none of it and is told so", () => showing(async () => {
  const p = await open('demo.province-admin', '/home');
  await p.getByRole('link', { name: /Giờ đào tạo/ }).click();
  const card = p.getByLabel('Giờ đào tạo', { exact: true });
  const row = card.locator(`tr[data-unit="${facilityId('TYT-LUNGCU')}"]`);
  await row.waitFor();
  assert.deepEqual((await row.locator('td').allInnerTexts()).map((x) => x.trim()), ['Trạm Y tế xã Lũng Cú', '2', '2', '3 giờ']);
  const rec = p.getByLabel('Hồ sơ đào tạo của một người');
  await rec.getByLabel('Mã người dùng').fill(String(userId('demo.commune')));
  await rec.getByRole('button', { name: 'Xem' }).click();
  await rec.getByText('Tổng số giờ: 1,5 giờ').waitFor();
  await rec.getByText(RENAMED).waitFor();
  // A period before any of it: nothing, for the place and for the person.
  await card.getByLabel('Từ ngày').fill('2024-01-01');
  await card.getByLabel('Đến ngày').fill('2024-12-31');
  await card.getByRole('button', { name: 'Xem' }).click();
  await card.getByText('Chưa có giờ tín chỉ nào trong khoảng thời gian này.').waitFor();
  await rec.getByRole('button', { name: 'Xem' }).click();
  await rec.getByText('Tổng số giờ: 0 giờ').waitFor();

  const other = await open('laocai.admin', '/training/hours');
  const ocard = other.getByLabel('Giờ đào tạo', { exact: true });
  await ocard.getByText('Chưa có giờ tín chỉ nào trong khoảng thời gian này.').waitFor();
  await ocard.getByLabel('Cơ sở').selectOption({ label: 'Trạm Y tế xã Lũng Cú' });
  await ocard.getByRole('button', { name: 'Xem' }).click();
  await ocard.getByRole('alert').filter({ hasText: 'Ngoài phạm vi quản lý của bạn' }).waitFor();
  assert.equal(await ocard.locator('table').count(), 0);
  const orec = other.getByLabel('Hồ sơ đào tạo của một người');
  await orec.getByLabel('Mã người dùng').fill(String(userId('demo.commune')));
  await orec.getByRole('button', { name: 'Xem' }).click();
  await orec.getByRole('alert').filter({ hasText: 'không thuộc phạm vi quản lý của bạn' }).waitFor();
  assert.doesNotMatch(await other.locator('main').innerText(), /Lò Thị Mai|Lũng Cú.*giờ/);
}));

test('the trainer archives the course: no more changes offered', () => showing(async () => {
  const p = await open('demo.trainer', `/training/${F.course}`);
  await p.getByRole('heading', { name: RENAMED }).waitFor();
  await p.getByRole('button', { name: 'Lưu trữ khóa học' }).click();
  await p.getByRole('button', { name: 'Đồng ý' }).click();
  await p.getByText('Đã lưu trữ').first().waitFor();
  assert.equal(await p.locator('summary', { hasText: 'Sửa khóa học' }).count(), 0);
  assert.equal(await p.locator('summary', { hasText: 'Thêm buổi học' }).count(), 0);
  assert.equal(one(`SELECT state FROM courses WHERE id = ${F.course}`), 'archived');
}));
