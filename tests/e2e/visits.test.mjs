// A remote visit in real browsers, three people at three places: the commune health worker
// registers a patient, records her consent, makes her app account, plans a chat visit and starts
// it, taking vitals at the station; the doctor at the provincial hospital writes notes, picks an
// ICD-10 diagnosis, prescribes, signs and prints (the PDF read back with pdftotext); the patient
// logs in on her phone and reads the summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startWithBrowser, closeAll, session as signIn, OUT } from './lib.mjs';

let srv, chrome;

before(async () => ({ srv, chrome } = await startWithBrowser()));
after(() => closeAll({ srv, chrome }));

const session = (username, viewport) => signIn(chrome, srv.url, username, { viewport });

test('a station registers a patient, records consent, gives her an account, plans and starts a chat visit; the doctor diagnoses, prescribes and signs; the patient reads the summary', async () => {
  let visitId;
  const station = await session('demo.commune');
  try {
    const p = station.p;
    // Registration with a Vietnamese name, verbal consent with a witness, her own app account.
    await p.goto(`${srv.url}/#/patients/new`);
    await p.getByLabel('Họ và tên').fill('Hoàng Thị Ngọc Diệp');
    await p.getByLabel('hoặc chỉ năm sinh').fill('1988');
    await p.getByLabel('Nữ', { exact: true }).check();
    await p.getByLabel('Dân tộc').selectOption({ label: 'Tày' });
    await p.getByLabel('Số điện thoại', { exact: true }).fill('0987 111 222');
    await p.getByRole('button', { name: 'Lưu' }).click();
    await p.getByRole('heading', { name: 'Hoàng Thị Ngọc Diệp' }).waitFor();
    await p.getByLabel('Tên người làm chứng').fill('Lò Văn Sử');
    await p.getByRole('button', { name: 'Lưu đồng ý' }).click();
    await p.getByText('Đã đồng ý khám từ xa và xử lý dữ liệu.').waitFor();
    await p.locator('#acc_user').fill('ngocdiep88');
    await p.locator('#acc_pass').fill('mat-khau-cua-diep');
    await p.getByRole('button', { name: 'Tạo tài khoản cho người bệnh' }).click();
    await p.getByText('Người bệnh đã có tài khoản ứng dụng.').waitFor();
    // A chat visit with the provincial hospital's doctor, started at once.
    await p.getByRole('link', { name: 'Lên lịch khám từ xa' }).click();
    await p.getByLabel('Bác sĩ').locator('option', { hasText: 'Nguyễn Văn An' }).waitFor({ state: 'attached' });
    await p.getByLabel('Nhắn tin').check();
    await p.getByLabel('Lý do khám').fill('Đau đầu, chóng mặt, huyết áp đo ở trạm 160/100');
    await p.getByRole('button', { name: 'Lên lịch khám từ xa' }).click();
    await p.getByText('Đã lên lịch').waitFor();
    visitId = Number(/#\/visits\/(\d+)/.exec(p.url())[1]);
    await p.getByRole('button', { name: 'Bắt đầu khám' }).click();
    await p.getByText('Đang khám', { exact: true }).waitFor();
    await p.getByLabel('HA tâm thu (mmHg)').fill('158');
    await p.getByLabel('HA tâm trương (mmHg)').fill('96');
    await p.getByLabel('Mạch (/ph)').fill('84');
    await p.getByLabel('Nhiệt độ (°C)').fill('37.2');
    await p.getByRole('button', { name: 'Lưu chỉ số' }).click();
    await p.getByText('HA tâm thu 158 mmHg').waitFor();
    // A station cannot write the doctor's part.
    assert.equal(await p.getByRole('button', { name: 'Ký đơn thuốc' }).count(), 0);
    assert.equal(await p.getByLabel('Hướng xử trí, lời dặn (P)').count(), 0);
    await p.screenshot({ path: `${OUT}visit-station.png`, fullPage: true });
  } finally { await station.ctx.close(); }

  const doctor = await session('demo.doctor');
  try {
    const p = doctor.p;
    await p.getByRole('link', { name: /Khám từ xa/ }).click();
    await p.getByRole('link', { name: /Hoàng Thị Ngọc Diệp/ }).first().click();
    await p.getByText('HA tâm thu 158 mmHg').waitFor();
    await p.getByLabel('Hướng xử trí, lời dặn (P)').fill('Uống thuốc đều mỗi sáng, ăn nhạt, đo huyết áp ở trạm mỗi tuần');
    await p.getByRole('button', { name: 'Lưu ghi chép' }).click();
    await p.getByText('Đã lưu.').waitFor();
    await p.getByLabel('Tìm mã hoặc tên bệnh (có dấu hoặc không dấu)').fill('tang huyet ap');
    await p.getByRole('button', { name: /^I10 — Tăng huyết áp vô căn/ }).click();
    await p.locator('.links li', { hasText: 'I10' }).getByText('chính').waitFor();
    const fill = (k, v) => p.locator(`#rx_0_${k}`).fill(v);
    await fill('medicine', 'Amlodipin');
    await fill('strength', '5 mg');
    await fill('dose', '1 viên');
    await fill('frequency', '1 lần/ngày, buổi sáng');
    await fill('duration_days', '30');
    await fill('quantity', '30');
    await fill('instructions', 'Uống sau ăn sáng');
    await p.getByRole('button', { name: 'Lưu đơn nháp' }).click();
    await p.getByRole('button', { name: 'Ký đơn thuốc' }).click();
    // Signing asks first, in the page, with the medicines of the draft.
    await p.getByRole('dialog', { name: 'Ký đơn thuốc này?' }).getByText(/Amlodipin 5 mg/).waitFor();
    await p.getByRole('button', { name: 'Xác nhận ký' }).click();
    const link = p.getByRole('link', { name: 'Tải đơn thuốc (PDF)' });
    await link.waitFor();
    // The PDF as the browser downloads it, with the session cookie, read back as text.
    const res = await p.request.get(srv.url + (await link.getAttribute('href')));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'ytexa-e2e-pdf-'));
    writeFileSync(join(dir, 'rx.pdf'), await res.body());
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'rx.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const want of ['ĐƠN THUỐC', 'Hoàng Thị Ngọc Diệp', 'Amlodipin 5 mg', 'Uống sau ăn sáng', 'Nguyễn Văn An', 'Tăng huyết áp'])
      assert.ok(text.includes(want), `the PDF says "${want}": ${text}`);
    await p.screenshot({ path: `${OUT}visit-doctor.png`, fullPage: true });
    await p.getByRole('button', { name: 'Kết thúc khám' }).click();
    await p.getByText('Đã khám xong').waitFor();
  } finally { await doctor.ctx.close(); }

  // The patient herself, on her phone, with the account the station made.
  const ctx = await chrome.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  try {
    const p = await ctx.newPage();
    await p.goto(srv.url + '/');
    await p.getByLabel('Tên đăng nhập').fill('ngocdiep88');
    await p.getByLabel('Mật khẩu').fill('mat-khau-cua-diep');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByRole('link', { name: /Lịch khám của tôi/ }).click();
    const card = p.locator('section.card', { hasText: 'Nguyễn Văn An' }).first();
    await card.getByRole('button', { name: 'Xem tóm tắt lượt khám' }).click();
    const summary = card.locator('pre.summary');
    await summary.waitFor();
    const text = await summary.textContent();
    for (const want of ['Xin chào Hoàng Thị Ngọc Diệp', 'Tăng huyết áp vô căn', 'Amlodipin 5 mg', 'ăn nhạt'])
      assert.ok(text.includes(want), `the summary says "${want}": ${text}`);
    await card.getByRole('link', { name: /Tải đơn thuốc/ }).waitFor();
    await p.screenshot({ path: `${OUT}visit-patient.png`, fullPage: true });
  } finally { await ctx.close(); }
  assert.equal(srv.sql(`SELECT state FROM visits WHERE id = ${visitId}`), 'finished');
});

test('the station\'s day: a walk-in gets a number and is called; a visit is booked into a doctor\'s free slot', async () => {
  const doctor = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'demo-password' } });
  const day = new Date(Date.now() + 7 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  const pub = await api(srv, 'POST', '/api/v1/schedules', { token: doctor.body.token, body: { start: `${day}T09:00:00+07:00`, end: `${day}T10:00:00+07:00`, slot_minutes: 20, mode: 'video' } });
  assert.equal(pub.status, 201);
  const mai = Number(srv.sql("SELECT id FROM patients WHERE full_name = 'Sùng Thị Mai'"));
  const { p, ctx } = await session('demo.commune', { width: 360, height: 740 });
  try {
    await p.goto(`${srv.url}/#/patients/${mai}`);
    await p.getByRole('heading', { name: 'Sùng Thị Mai' }).waitFor();
    assert.equal(await p.getByLabel('Ưu tiên').inputValue(), 'pregnant');
    await p.getByLabel('Lý do khám', { exact: true }).first().fill('Khám thai, đau lưng');
    await p.getByRole('button', { name: 'Lấy số thứ tự' }).click();
    const token = await p.locator('[role=status] .token').textContent();
    assert.ok(Number(token) >= 1);
    await p.goto(`${srv.url}/#/queue`);
    const row = p.locator('.queue li', { hasText: 'Sùng Thị Mai' });
    await row.waitFor();
    assert.match(await row.textContent(), /Phụ nữ mang thai · Đang chờ/);
    await row.getByRole('button', { name: 'Gọi' }).click();
    await row.getByText('Đã gọi').waitFor();
    await p.screenshot({ path: `${OUT}queue.png`, fullPage: true });
    await row.getByRole('button', { name: 'Xong' }).click();
    await row.getByText('Xong', { exact: false }).first().waitFor();

    await p.goto(`${srv.url}/#/visits/new/${mai}`);
    await p.getByLabel('Ngày', { exact: true }).fill(day);
    await p.getByLabel(/09:20 · Gọi video/).check();
    await p.getByLabel('Lý do khám').fill('Tư vấn dinh dưỡng khi mang thai');
    await p.screenshot({ path: `${OUT}visit-book.png`, fullPage: true });
    await p.getByRole('button', { name: 'Lên lịch khám từ xa' }).click();
    await p.getByText('Đã lên lịch').waitFor();
    const visit = Number(/#\/visits\/(\d+)/.exec(p.url())[1]);
    assert.equal(srv.sql(`SELECT COUNT(*) FROM appointments WHERE visit_id = ${visit} AND status = 'booked'`), '1');
    assert.equal(srv.sql(`SELECT scheduled_at FROM visits WHERE id = ${visit}`), String(Date.parse(`${day}T09:20:00+07:00`)));
  } finally { await ctx.close(); }
});

test('a doctor publishes weekly availability on screen; the patient books, moves and cancels from the phone; the station sees it', async () => {
  const day = new Date(Date.now() + 7 * 3600e3 + 3 * 86400e3).toISOString().slice(0, 10);
  const doc = await session('demo.doctor');
  try {
    const p = doc.p;
    await p.getByRole('link', { name: /Lịch làm việc của tôi/ }).click();
    await p.getByLabel('Ngày', { exact: true }).fill(day);
    await p.getByLabel('Từ', { exact: true }).fill('14:00');
    await p.getByLabel('Đến', { exact: true }).fill('15:00');
    await p.getByLabel('Mỗi lượt (phút)').fill('30');
    await p.getByLabel('Hình thức khám').selectOption('audio');
    await p.getByLabel('Lặp lại hằng tuần').selectOption('2');
    await p.getByRole('button', { name: 'Đăng lịch' }).click();
    await p.getByText('Đã đăng, số lượt: 4').waitFor();
    await p.locator('.slot-list li', { hasText: '14:30' }).waitFor();
  } finally { await doc.ctx.close(); }
  const pat = await session('demo.patient', { width: 360, height: 740 });
  try {
    const p = pat.p;
    await p.getByRole('link', { name: /Lịch khám của tôi/ }).click();
    await p.locator('#bdoctor option', { hasText: 'Nguyễn Văn An' }).waitFor({ state: 'attached' });
    await p.locator('#bday').fill(day);
    await p.getByLabel(/14:30 · Gọi thoại/).check();
    await p.locator('#breason').fill('Hỏi về thuốc huyết áp');
    await p.getByRole('button', { name: 'Đặt lịch khám từ xa' }).click();
    // The notification shows in the list (and for a moment as a toast too).
    await p.getByRole('region', { name: 'Thông báo' }).getByText(/Lịch khám từ xa \(gọi thoại\) lúc 14:30/).waitFor();
    // Shown in Vietnam time as every screen writes it (dd/MM/yyyy HH:mm), and the slot is no longer offered.
    await p.locator('section.card h2', { hasText: new RegExp(`^${day.split('-').reverse().join('/')} 14:30 .*Đã lên lịch`) }).first().waitFor();
    // (the list of free slots is read again after the booking: wait for it rather than count at once)
    await p.getByLabel(/14:30 · Gọi thoại/).waitFor({ state: 'detached' });
    await p.screenshot({ path: `${OUT}patient-booking.png`, fullPage: true });
  } finally { await pat.ctx.close(); }
  const patientId = Number(srv.sql("SELECT patient_id FROM users WHERE username = 'demo.patient'"));
  const bookedAt = (at) => srv.sql(`SELECT COUNT(*) FROM appointments a JOIN slots s ON s.id = a.slot_id WHERE a.patient_id = ${patientId} AND a.status = 'booked' AND s.start_at = ${Date.parse(at)}`);
  assert.equal(bookedAt(`${day}T14:30:00+07:00`), '1');
  const nextWeek = new Date(Date.parse(`${day}T00:00:00Z`) + 7 * 86400e3).toISOString().slice(0, 10);

  // The station sees the appointment on the patient's record and moves it a week later.
  const hw = await session('demo.commune');
  try {
    const p = hw.p;
    await p.goto(`${srv.url}/#/patients/${patientId}`);
    const appt = p.locator('li.appt', { hasText: 'Hỏi về thuốc huyết áp' });
    await appt.getByRole('button', { name: 'Dời lịch' }).click();
    await appt.locator('input[type=date]').fill(nextWeek);
    await appt.getByLabel(/14:00 · Gọi thoại/).check();
    await appt.getByRole('button', { name: 'Dời sang giờ này' }).click();
    await p.getByText('Đã dời lịch hẹn.').waitFor();
  } finally { await hw.ctx.close(); }
  assert.equal(bookedAt(`${day}T14:30:00+07:00`), '0');
  assert.equal(bookedAt(`${nextWeek}T14:00:00+07:00`), '1');

  // The patient cancels it from the phone, with a reason.
  const pat2 = await session('demo.patient', { width: 360, height: 740 });
  try {
    const p = pat2.p;
    await p.getByRole('link', { name: /Lịch khám của tôi/ }).click();
    const appt = p.locator('li.appt', { hasText: 'Hỏi về thuốc huyết áp' });
    await appt.getByRole('button', { name: 'Hủy hẹn' }).click();
    await appt.getByLabel('Lý do hủy').fill('Đã đỡ, đi làm nương');
    await appt.getByRole('button', { name: 'Xác nhận hủy' }).click();
    await p.getByText('Đã hủy lịch hẹn.').waitFor();
    // The list reloads after the message: the cancelled appointment leaves it.
    await p.locator('li.appt', { hasText: 'Hỏi về thuốc huyết áp' }).waitFor({ state: 'detached', timeout: 5000 });
    await p.screenshot({ path: `${OUT}patient-cancelled.png`, fullPage: true });
  } finally { await pat2.ctx.close(); }
  assert.equal(bookedAt(`${nextWeek}T14:00:00+07:00`), '0');
  assert.equal(srv.sql(`SELECT cancel_reason FROM appointments WHERE patient_id = ${patientId} AND status = 'cancelled' ORDER BY id DESC LIMIT 1`), 'Đã đỡ, đi làm nương');
});

test('the hospital reads a station\'s patient through a booked visit without planning, booking or consent actions; a colleague of the doctor reads the visit without its chat', async () => {
  // A share lets the doctor's hospital read the patient, never act for the station (docs/api.md);
  // of the hospital, only the visit's doctor takes part in the visit, the others only read it.
  const S = {};
  for (const u of ['demo.commune', 'demo.doctor', 'demo.ministry-admin']) S[u] = await login(srv, u);
  const ok = async (who, method, path, body) => {
    const r = await api(srv, method, path, { token: S[who].token, body });
    assert.ok(r.status === 200 || r.status === 201, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await ok('demo.ministry-admin', 'POST', '/api/v1/users', {
    username: 'hg.doctor2', full_name: 'Vàng Văn Hải', password: 'mat-khau-dai-9', role: 'doctor', licence_no: '000555/HG-CCHN',
    practice_scope: ['general'], facility_id: Number(srv.sql("SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'")),
  });
  const patient = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Lý Thị Pà', birth_year: 1979, sex: 'female' });
  const day = new Date(Date.now() + 7 * 3600e3 + 5 * 86400e3).toISOString().slice(0, 10);
  await ok('demo.doctor', 'POST', '/api/v1/schedules', { start: `${day}T07:00:00+07:00`, end: `${day}T08:00:00+07:00`, slot_minutes: 30, mode: 'video' });
  const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const slot = (await ok('demo.commune', 'GET', `/api/v1/slots?doctor_id=${doctorId}&date=${day}&free=1`)).items[0];
  const booked = await ok('demo.commune', 'POST', '/api/v1/appointments', { slot_id: slot.id, patient_id: patient.id, reason: 'Tái khám tăng huyết áp' });

  const doctor = await session('demo.doctor');
  try {
    const p = doctor.p;
    await p.goto(`${srv.url}/#/patients/${patient.id}`);
    await p.getByRole('heading', { name: 'Lý Thị Pà' }).waitFor();
    // What the record holds is there to read: the appointment and both consents in force.
    await p.locator('li.appt', { hasText: 'Tái khám tăng huyết áp' }).waitFor();
    await p.locator('.consents li', { hasText: 'Còn hiệu lực' }).nth(1).waitFor();
    // What only the station does is not offered.
    for (const [role, name] of [['link', 'Lên lịch khám từ xa'], ['button', 'Rút đồng ý'], ['button', 'Dời lịch'], ['button', 'Hủy hẹn'],
      ['button', 'Lấy số thứ tự'], ['link', 'Gửi ca hội chẩn'], ['button', 'Tạo tài khoản cho người bệnh']])
      assert.equal(await p.getByRole(role, { name }).count(), 0, `the hospital is offered "${name}"`);
    await p.getByText('Hồ sơ của cơ sở khác, được chia sẻ để xem').waitFor();
    // The visit's own doctor takes part in it: its chat is his.
    await p.goto(`${srv.url}/#/visits/${booked.visit_id}`);
    await p.locator('#chat').getByRole('button', { name: 'Gửi' }).waitFor();
  } finally { await doctor.ctx.close(); }

  const colleague = await signIn(chrome, srv.url, 'hg.doctor2', { password: 'mat-khau-dai-9' });
  try {
    const p = colleague.p;
    await p.goto(`${srv.url}/#/visits/${booked.visit_id}`);
    await p.getByRole('heading', { name: 'Lý Thị Pà' }).waitFor();
    assert.equal(await p.locator('#chat').count(), 0, 'a colleague is offered the visit\'s chat');
    for (const name of ['Gửi', 'Bắt đầu khám', 'Người bệnh đã đến', 'Hủy lượt khám', 'Lưu chỉ số'])
      assert.equal(await p.getByRole('button', { name }).count(), 0, `a colleague is offered "${name}"`);
    await p.getByText('Bạn chỉ được xem lượt khám này').waitFor();
  } finally { await colleague.ctx.close(); }
});
