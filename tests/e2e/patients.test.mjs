// The patient registry in a real browser: a commune health worker registers a patient with a
// Vietnamese name, meets the duplicate warning, records consent, finds the patient again without
// diacritics; the patient reads their own record and consents in the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithBrowser, closeAll, session as signIn, OUT } from './lib.mjs';

let srv, chrome;

before(async () => ({ srv, chrome } = await startWithBrowser()));
after(() => closeAll({ srv, chrome }));

const session = (username, viewport) => signIn(chrome, srv.url, username, { viewport });

async function fillPatient(p, name) {
  await p.getByLabel('Họ và tên').fill(name);
  await p.getByLabel('hoặc chỉ năm sinh').fill('1992');
  await p.getByLabel('Nữ', { exact: true }).check();
  await p.getByLabel('Dân tộc').selectOption({ label: 'Thái' });
  await p.getByLabel('Số điện thoại', { exact: true }).fill('0915 246 810');
  await p.getByLabel('Hộ nghèo', { exact: true }).check();
  await p.getByLabel('Tiếng Thái').check();
  await p.getByLabel('Tiếng Việt').uncheck();
}

test('a health worker registers a patient, is warned of a duplicate, records consent and finds her again', async () => {
  const { p, ctx } = await session('demo.commune', { width: 360, height: 740 });
  try {
    await p.getByRole('link', { name: /Người bệnh/ }).click();
    await p.getByRole('link', { name: 'Đăng ký người bệnh' }).click();
    await fillPatient(p, 'Lò Thị Ánh Tuyết');
    await p.getByRole('button', { name: 'Lưu' }).click();
    await p.getByRole('heading', { name: 'Lò Thị Ánh Tuyết' }).waitFor();
    const id = Number(/#\/patients\/(\d+)/.exec(p.url())[1]);
    assert.ok(id > 0);
    const card = await p.locator('section.card').first().textContent();
    for (const want of ['1992', 'Nữ', 'Thái', '0915246810', 'Hộ nghèo', 'Dân tộc thiểu số', 'Tiếng Thái', 'cần phiên dịch', 'Chưa đủ đồng ý'])
      assert.ok(card.includes(want), `the record shows "${want}": ${card}`);

    // The same person again: the station is shown the record it already has.
    await p.goto(srv.url + '/#/patients/new');
    await fillPatient(p, 'LO THI ANH TUYET');
    await p.getByRole('button', { name: 'Lưu' }).click();
    await p.getByRole('heading', { name: 'Người này có thể đã có trong sổ' }).waitFor();
    await p.screenshot({ path: `${OUT}patient-duplicate.png`, fullPage: true });
    await p.getByRole('link', { name: /Lò Thị Ánh Tuyết/ }).click();
    await p.getByRole('heading', { name: 'Lò Thị Ánh Tuyết' }).waitFor();
    assert.equal(Number(/#\/patients\/(\d+)/.exec(p.url())[1]), id);
    assert.equal(srv.sql("SELECT COUNT(*) FROM patients WHERE name_folded = 'lo thi anh tuyet'"), '1');

    // Verbal consent with a witness, both purposes.
    await p.getByLabel('Tên người làm chứng').fill('Lò Văn Sử');
    await p.getByRole('button', { name: 'Lưu đồng ý' }).click();
    await p.getByText('Đã đồng ý khám từ xa và xử lý dữ liệu.').waitFor();
    await p.locator('.consents li').nth(1).waitFor();
    assert.equal(await p.locator('.consents li', { hasText: 'Còn hiệu lực' }).count(), 2);
    assert.equal(srv.sql(`SELECT COUNT(*) FROM consents WHERE patient_id = ${id} AND witness_name = 'Lò Văn Sử' AND withdrawn_at IS NULL`), '2');
    await p.screenshot({ path: `${OUT}patient-record.png`, fullPage: true });

    // Found again without diacritics, and by phone.
    await p.goto(srv.url + '/#/patients');
    await p.getByLabel('Tìm theo tên, CCCD, số BHYT hoặc số điện thoại').fill('anh tuyet');
    await p.waitForFunction(() => document.querySelectorAll('.patients a.facility').length === 1);
    assert.match(await p.locator('.patients a.facility').textContent(), /Lò Thị Ánh Tuyết.*1992/);
    await p.getByLabel('Tìm theo tên, CCCD, số BHYT hoặc số điện thoại').fill('0915246810');
    await p.getByRole('link', { name: /Lò Thị Ánh Tuyết/ }).waitFor();
    await p.screenshot({ path: `${OUT}patient-search.png`, fullPage: true });
  } finally { await ctx.close(); }
});

test('a refused registration says why, in Vietnamese, and names the field', async () => {
  const { p, ctx } = await session('demo.commune');
  try {
    await p.goto(srv.url + '/#/patients/new');
    await p.getByLabel('Họ và tên').fill('Quàng Văn Pọm');
    await p.getByLabel('hoặc chỉ năm sinh').fill('1985');
    await p.getByLabel('Nam', { exact: true }).check();
    await p.getByLabel('CCCD').fill('002185123456');
    await p.getByRole('button', { name: 'Lưu' }).click();
    // Next to the field, under its label, with the server's reason; no raw field name.
    const alert = p.locator('#cccd-error');
    await alert.waitFor();
    assert.match(await alert.textContent(), /^CCCD: Số CCCD không khớp giới tính/);
    assert.doesNotMatch(await p.locator('main').textContent(), /\bcccd\b/);
    assert.equal(srv.sql("SELECT COUNT(*) FROM patients WHERE name_folded = 'quang van pom'"), '0');
  } finally { await ctx.close(); }
});

test('the patient reads their own record and withdraws, then gives, consent in the app', async () => {
  const { p, ctx } = await session('demo.patient', { width: 360, height: 740 });
  try {
    await p.getByRole('link', { name: /Hồ sơ của tôi/ }).click();
    await p.getByRole('heading', { name: 'Giàng Seo Páo' }).waitFor();
    await p.getByText('Đã đồng ý khám từ xa và xử lý dữ liệu.').waitFor();
    // The reason is asked in a form under the consent, not the browser's prompt; too short a reason
    // is said next to its field, by its label, and withdraws nothing.
    const item = p.locator('.consents li', { hasText: 'Đồng ý xử lý dữ liệu sức khỏe' });
    await item.getByRole('button', { name: 'Rút đồng ý' }).click();
    const reason = item.getByLabel('Lý do rút đồng ý');
    await reason.fill('x');
    await item.getByRole('button', { name: 'Rút đồng ý' }).click();
    const err = item.locator('.field-error');
    await err.waitFor();
    assert.equal((await err.textContent()).trim(), 'Lý do rút đồng ý phải có từ 2 đến 500 ký tự');
    await p.waitForFunction(() => document.activeElement?.id?.startsWith('withdraw_reason_'));
    assert.equal(srv.sql("SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NOT NULL"), '0', 'nothing withdrawn');
    await reason.fill('Tôi muốn hỏi lại gia đình');
    await item.getByRole('button', { name: 'Rút đồng ý' }).click();
    await p.getByText('Chưa đủ đồng ý: chưa thể bắt đầu khám từ xa.').waitFor();
    await p.getByText('Tôi muốn hỏi lại gia đình').waitFor();
    await p.getByRole('button', { name: 'Tôi đồng ý' }).click();
    await p.getByText('Đã đồng ý khám từ xa và xử lý dữ liệu.').waitFor();
    await p.locator('.consents li', { hasText: 'Trong ứng dụng' }).first().waitFor();
    await p.screenshot({ path: `${OUT}patient-own-record.png`, fullPage: true });
    // Nothing of the registry is open to a patient.
    await p.goto(srv.url + '/#/patients/2');
    await p.getByRole('alert').waitFor();
  } finally { await ctx.close(); }
});
