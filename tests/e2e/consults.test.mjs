// A consultation in real browsers: the commune health worker opens an urgent case from her phone
// with a chest X-ray (the upload loses its connection once and goes on where it stopped); the
// provincial hospital's doctor finds it in the inbox, looks at the image, accepts, gives an
// opinion, concludes each question as chair and signs; the minutes PDF downloads and pdftotext
// finds the Vietnamese conclusion; the station reads the answer and records the outcome.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, login } from '../api/lib/server.mjs';
import { png } from '../api/lib/files.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startWithBrowser, closeAll, session as signIn, OUT } from './lib.mjs';

let srv, chrome;
before(async () => ({ srv, chrome } = await startWithBrowser()));
after(() => closeAll({ srv, chrome }));

const session = (username, viewport) => signIn(chrome, srv.url, username, { viewport });
const CONCLUSION = 'Hình ảnh phù hợp viêm phổi thùy dưới phải, chưa thấy tổn thương lao.';

test('an urgent case with an X-ray goes up from the commune, is answered, signed, and its outcome recorded', async () => {
  // The patient is registered with consent already (the registry has its own browser test).
  const hw = await login(srv, 'demo.commune');
  const pt = await registerPatient(srv, hw.token, { full_name: 'Giàng Thị Dợ', birth_year: 1979, sex: 'female' });
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-e2e-consult-'));
  const xray = join(dir, 'x-quang-nguc.png');
  writeFileSync(xray, png(1000, 800, true));

  let caseId;
  const station = await session('demo.commune', { width: 360, height: 740 });
  try {
    const p = station.p;
    // The second chunk of the upload is cut off once, as a mountain link does.
    let cut = 0, fromZero = 0;
    await p.route('**/api/v1/files/**', async (route) => {
      const req = route.request();
      if (req.method() === 'PATCH' && req.headers()['upload-offset'] === '0') fromZero++;
      if (req.method() === 'PATCH' && req.headers()['upload-offset'] !== '0' && !cut) {
        cut++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await p.goto(`${srv.url}/#/patients/${pt.id}`);
    await p.getByRole('link', { name: 'Gửi ca hội chẩn' }).click();
    await p.getByText('Giàng Thị Dợ').waitFor();
    await p.getByLabel('Mức độ khẩn').selectOption('urgent');
    await p.getByLabel('Chuyên khoa').locator('option', { hasText: 'Chẩn đoán hình ảnh' }).waitFor({ state: 'attached' });
    await p.getByLabel('Chuyên khoa').selectOption('imaging');
    await p.getByLabel('Tóm tắt bệnh án').fill('Sốt 39 độ, ho có đờm 5 ngày, đau ngực phải khi hít sâu. SpO2 93%.');
    await p.getByLabel('Câu hỏi 1').fill('Phim có hình ảnh viêm phổi hay lao không?');
    await p.locator('#files').setInputFiles(xray);
    await p.getByText('Đã tải lên').waitFor({ timeout: 60000 });
    assert.equal(cut, 1, 'one chunk was cut off');
    assert.equal(fromZero, 1, 'and the upload went on from where it stopped, not from the start');
    await p.getByRole('button', { name: 'Gửi hội chẩn' }).click();
    await p.getByText('Chờ nhận', { exact: true }).waitFor();
    await p.getByText('Bệnh viện Đa khoa tỉnh Hà Giang').first().waitFor();
    caseId = Number(/#\/consults\/(\d+)/.exec(p.url())[1]);
    await p.screenshot({ path: `${OUT}consult-station.png`, fullPage: true });
  } finally { await station.ctx.close(); }
  const stored = srv.sql(`SELECT f.size, f.kind FROM consult_files cf JOIN files f ON f.id = cf.file_id WHERE cf.consult_id = ${caseId}`);
  assert.match(stored, /^\d+\|image$/);

  // A health worker of the hub reads the case but is offered none of a doctor's acts (the server
  // would refuse them: accepting and opinions are a doctor's).
  const admin = await login(srv, 'demo.ministry-admin');
  const hub = Number(srv.sql("SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'"));
  const nurse = await api(srv, 'POST', '/api/v1/users', { token: admin.token, body: { username: 'hg.dieuduong', full_name: 'Hoàng Thị Nụ', password: 'mat-khau-dai-9', role: 'health_worker', facility_id: hub } });
  assert.equal(nurse.status, 201, JSON.stringify(nurse.body));
  const hw2 = await signIn(chrome, srv.url, 'hg.dieuduong', { password: 'mat-khau-dai-9' });
  try {
    const p = hw2.p;
    await p.goto(`${srv.url}/#/consults/${caseId}`);
    await p.getByText('Chờ nhận', { exact: true }).waitFor();
    await p.getByText('Giàng Thị Dợ').first().waitFor();
    assert.equal(await p.getByRole('button', { name: 'Nhận ca' }).count(), 0, 'a health worker is not offered to accept');
    assert.equal(await p.getByText('Từ chối ca').count(), 0, 'nor to decline');
  } finally { await hw2.ctx.close(); }

  const doctor = await session('demo.doctor');
  try {
    const p = doctor.p;
    await p.getByRole('link', { name: /Hội chẩn từ xa/ }).click();
    const row = p.locator('a.facility', { hasText: 'Giàng Thị Dợ' });
    await row.getByText('đã chờ').waitFor();
    await row.click();
    // The image viewer: a thumbnail that opens the copy made for slow links.
    await p.getByRole('button', { name: /Xem x-quang-nguc\.png/ }).click();
    const big = p.locator('.viewer img');
    await big.waitFor();
    await p.waitForFunction(() => document.querySelector('.viewer img')?.naturalWidth > 0);
    assert.equal(await big.evaluate((i) => i.naturalWidth), 1000, 'the preview keeps a 1000 px image whole');
    await p.getByRole('button', { name: 'Đóng' }).click();
    await p.getByRole('button', { name: 'Nhận ca' }).click();
    await p.getByText('Đã nhận', { exact: true }).waitFor();
    await p.getByLabel('Ý kiến chuyên môn').fill('Đám mờ thùy dưới phổi phải, có hình khí phế quản đồ. Không thấy hang.');
    await p.getByRole('button', { name: 'Ghi ý kiến' }).click();
    await p.getByText('Đã có ý kiến', { exact: true }).waitFor();
    await p.getByLabel('1. Phim có hình ảnh viêm phổi hay lao không?').fill(CONCLUSION);
    await p.getByLabel('Hướng xử trí', { exact: true }).selectOption('treat_locally');
    await p.getByLabel('Dặn dò thêm').fill('Kháng sinh theo phác đồ, khám lại sau 3 ngày, chuyển tuyến nếu SpO2 dưới 92%.');
    await p.getByRole('button', { name: 'Kết luận hội chẩn' }).click();
    await p.getByText('Đã kết luận', { exact: true }).waitFor();
    await p.getByRole('button', { name: 'Ký biên bản' }).click();
    const link = p.getByRole('link', { name: /Biên bản hội chẩn bản 1/ });
    await link.waitFor();
    const code = await p.locator('code').first().textContent();
    const pdf = await p.request.get(srv.url + (await link.getAttribute('href')));
    assert.equal(pdf.status(), 200);
    writeFileSync(join(dir, 'bien-ban.pdf'), await pdf.body());
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'bien-ban.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const want of [CONCLUSION, 'BIÊN BẢN HỘI CHẨN TỪ XA', 'Giàng Thị Dợ', 'Nguyễn Văn An', 'Điều trị tại chỗ', code])
      assert.ok(text.includes(want), `the minutes lack "${want}": ${text.slice(0, 300)}`);
    await p.screenshot({ path: `${OUT}consult-hub.png`, fullPage: true });
  } finally { await doctor.ctx.close(); }

  const back = await session('demo.commune', { width: 360, height: 740 });
  try {
    const p = back.p;
    await p.goto(`${srv.url}/#/consults`);
    await p.getByRole('link', { name: /Giàng Thị Dợ/ }).click();
    await p.getByText(CONCLUSION).waitFor();
    await p.getByLabel('Kết quả điều trị').selectOption('improved');
    await p.getByLabel('Ghi chú').fill('Hết sốt sau 3 ngày, SpO2 97%.');
    await p.getByRole('button', { name: 'Ghi kết quả điều trị' }).click();
    await p.getByText('Đã ghi kết quả', { exact: true }).waitFor();
  } finally { await back.ctx.close(); }
  assert.equal(srv.sql(`SELECT state || '|' || outcome FROM consults WHERE id = ${caseId}`), 'outcome_recorded|improved');
});

test('the hub hands a case to another hospital chosen by name; it leaves the hub\'s inbox', async () => {
  const hw = await login(srv, 'demo.commune');
  const pt = await registerPatient(srv, hw.token, { full_name: 'Sùng A Páo', birth_year: 1955, sex: 'male' });
  const c = await api(srv, 'POST', '/api/v1/consults', { token: hw.token, body: { patient_id: pt.id, summary: 'Đau ngực khi gắng sức, điện tim có ST chênh xuống.',
    questions: ['Có cần chụp mạch vành không?'], urgency: 'routine', specialty: 'imaging', kind: 'ecg', submit: true } });
  assert.equal(c.body.assigned.name, 'Bệnh viện Đa khoa tỉnh Hà Giang');
  const doctor = await session('demo.doctor');
  try {
    const p = doctor.p;
    await p.goto(`${srv.url}/#/consults/${c.body.id}`);
    await p.getByText('Chuyển cho cơ sở khác').first().click();
    await p.getByLabel('Chuyển cho').locator('option', { hasText: 'Bệnh viện Bạch Mai' }).waitFor({ state: 'attached' });
    // Only hospitals with the specialty are offered: not a commune station, not the requester.
    assert.equal(await p.getByLabel('Chuyển cho').locator('option', { hasText: 'Trạm Y tế' }).count(), 0);
    await p.getByLabel('Chuyển cho').selectOption({ label: 'Bệnh viện Bạch Mai' });
    await p.locator('#reassignreason').fill('Cần chuyên gia tim mạch can thiệp');
    await p.getByRole('button', { name: 'Chuyển cho cơ sở khác' }).click();
    await p.locator('.facts dd', { hasText: 'Bệnh viện Bạch Mai' }).waitFor();
    await p.goto(`${srv.url}/#/consults`);
    // The first case is answered and this one has gone: the inbox has nothing open.
    await p.getByText('Chưa có ca nào.').waitFor();
    assert.equal(await p.locator('a.facility', { hasText: 'Sùng A Páo' }).count(), 0);
  } finally { await doctor.ctx.close(); }
  assert.equal(srv.sql(`SELECT f.code FROM consults c JOIN facilities f ON f.id = c.assigned_facility_id WHERE c.id = ${c.body.id}`), 'BV-BACHMAI');
});
