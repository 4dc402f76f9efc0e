// Plain words in a real browser on a 360 px phone (issue 21): a wrong field is named next to itself
// as the form labels it, in Vietnamese and in English, and the focus goes to it; "36,8" typed in a
// measurement is 36.8, an ambiguous number is refused next to its field (never 368); the time a
// measurement was taken is shown in Vietnam time as dd/MM/yyyy HH:mm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startWithBrowser, closeAll, session as signIn, OUT } from './lib.mjs';

let srv, chrome;
before(async () => ({ srv, chrome } = await startWithBrowser()));
after(() => closeAll({ srv, chrome }));

const PHONE = { width: 360, height: 740 };
// The focus moves on the frame after the error is drawn (and a second refusal finds the first's
// error already there): wait for it, failing if it never comes.
const focusOn = (p, id) =>
  p.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 5000 }).catch(async () => {
    assert.fail(`the focus is on "${await p.evaluate(() => document.activeElement?.id)}", not on ${id}`);
  });
const patients = () => srv.sql('SELECT COUNT(*) FROM patients');
// The text the page shows: no raw field name or code of the API may be in it.
const RAW = /full_name|too_long|out_of_range|temperature|invalid_input|bad_format/;

for (const [lang, want] of [
  ['vi', { label: 'Họ và tên', sentence: 'Họ và tên phải có từ 2 đến 160 ký tự', year: 'hoặc chỉ năm sinh', female: 'Nữ', save: 'Lưu' }],
  ['en', { label: 'Full name', sentence: 'Full name must have 2 to 160 characters', year: 'or year of birth only', female: 'Female', save: 'Save' }],
]) {
  test(`a name too long is named next to its field, in ${lang}, and takes the focus`, async () => {
    const { p, ctx } = await signIn(chrome, srv.url, 'demo.commune', { viewport: PHONE });
    try {
      // English is chosen before the form's page is loaded (the app reads the choice as it starts).
      if (lang === 'en') await p.evaluate(() => localStorage.setItem('ytexa.lang', 'en'));
      await p.goto(`${srv.url}/#/patients/new`);
      if (lang === 'en') await p.reload();
      const before = patients();
      assert.equal((await p.locator('label[for=full_name]').textContent()).trim(), want.label);
      await p.locator('#full_name').fill('Lò'.repeat(81)); // 162 characters
      await p.getByLabel(want.year).fill('1990');
      await p.getByLabel(want.female, { exact: true }).check();
      await p.getByRole('button', { name: want.save, exact: true }).click();
      const err = p.locator('#full_name-error');
      await err.waitFor();
      assert.equal((await err.textContent()).trim(), want.sentence);
      const input = p.locator('#full_name');
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      assert.ok((await input.getAttribute('aria-describedby')).split(' ').includes('full_name-error'));
      await focusOn(p, 'full_name');
      // Next to the field: the error is drawn just below its input, inside the phone's width.
      const [a, b] = [await input.boundingBox(), await err.boundingBox()];
      assert.ok(b.y >= a.y + a.height - 1 && b.y - (a.y + a.height) < 40 && b.x + b.width <= PHONE.width, JSON.stringify({ a, b }));
      assert.doesNotMatch(await p.locator('main').textContent(), RAW);
      assert.equal(patients(), before, 'nothing was registered');
      await p.screenshot({ path: `${OUT}words-field-error-${lang}.png`, fullPage: true });
    } finally { await ctx.close(); }
  });
}

test('a measurement typed with a decimal comma is read as such; an ambiguous one is refused next to its field', async () => {
  const token = (await login(srv, 'demo.commune')).token;
  const pt = await registerPatient(srv, token, { full_name: 'Lầu Thị Mai', birth_year: 1984, sex: 'female' });
  const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const v = await api(srv, 'POST', '/api/v1/visits', { token, body: { patient_id: pt.id, doctor_id: doctorId, mode: 'chat', reason: 'Sốt' } });
  assert.equal((await api(srv, 'POST', `/api/v1/visits/${v.body.id}/transitions`, { token, body: { to: 'in_progress' } })).status, 200);
  const vitals = () => srv.sql(`SELECT COUNT(*) FROM vitals WHERE visit_id = ${v.body.id}`);

  const { p, ctx } = await signIn(chrome, srv.url, 'demo.commune', { viewport: PHONE });
  try {
    await p.goto(`${srv.url}/#/visits/${v.body.id}`);
    const temp = p.getByLabel('Nhiệt độ (°C)');
    const save = p.getByRole('button', { name: 'Lưu chỉ số' });
    // Ambiguous: refused in the browser, next to the field, nothing sent.
    for (const typed of ['36,8,1', '1.234,5', '1.234']) {
      await temp.fill(typed);
      await save.click();
      const err = p.locator('#v_temperature-error');
      await err.waitFor();
      assert.match(await err.textContent(), /^Nhiệt độ \(°C\): không đọc được số này/, typed);
      await focusOn(p, 'v_temperature');
      assert.equal(vitals(), '0', `"${typed}" wrote nothing`);
    }
    // 368 (a comma lost): the server's range, said as a sentence next to the field.
    await temp.fill('368');
    await save.click();
    await p.locator('#v_temperature-error', { hasText: 'Nhiệt độ (°C) phải từ 30 đến 45' }).waitFor();
    assert.equal(vitals(), '0');
    // "36,8" is 36.8 and "52.5" is 52.5.
    await temp.fill('36,8');
    await p.getByLabel('Cân nặng (kg)').fill('52.5');
    await save.click();
    await p.getByText('Nhiệt độ 36,8 °C').waitFor();
    assert.equal(srv.sql(`SELECT temperature || ' ' || weight FROM vitals WHERE visit_id = ${v.body.id}`), '36.8 52.5');
    assert.equal(await p.locator('#v_temperature-error').count(), 0, 'the error is gone once the value is right');
    // When it was taken: Vietnam time, dd/MM/yyyy HH:mm, worked out here from the stored instant.
    const at = Number(srv.sql(`SELECT at FROM vitals WHERE visit_id = ${v.body.id}`));
    const vn = new Date(at + 7 * 3600e3);
    const two = (n) => String(n).padStart(2, '0');
    const shown = `${two(vn.getUTCDate())}/${two(vn.getUTCMonth() + 1)}/${vn.getUTCFullYear()} ${two(vn.getUTCHours())}:${two(vn.getUTCMinutes())}`;
    await p.getByText(shown).first().waitFor();
    await p.screenshot({ path: `${OUT}words-vitals.png`, fullPage: true });
  } finally { await ctx.close(); }
});

test('a consultation action refused for its reason says so next to the field, and the case stays where it was', async () => {
  const token = (await login(srv, 'demo.commune')).token;
  const pt = await registerPatient(srv, token, { full_name: 'Thào Thị Chua', birth_year: 1991, sex: 'female' });
  const c = await api(srv, 'POST', '/api/v1/consults', { token, body: {
    patient_id: pt.id, summary: 'Đau bụng hạ vị 3 ngày, sốt 38 độ.', questions: ['Có cần siêu âm ổ bụng không?'],
    urgency: 'routine', specialty: 'imaging', kind: 'imaging', submit: true } });
  assert.equal(c.status, 201);
  const { p, ctx } = await signIn(chrome, srv.url, 'demo.doctor', { viewport: PHONE });
  try {
    await p.goto(`${srv.url}/#/consults/${c.body.id}`);
    await p.locator('summary', { hasText: 'Từ chối ca' }).click();
    await p.locator('#declinereason').fill('Bận'); // the API wants 5 to 500 characters
    await p.getByRole('button', { name: 'Từ chối ca' }).click();
    const err = p.locator('#declinereason-error');
    await err.waitFor();
    assert.equal((await err.textContent()).trim(), 'Lý do phải có từ 5 đến 500 ký tự');
    await focusOn(p, 'declinereason');
    assert.doesNotMatch(await p.locator('main').textContent(), /\breason\b|too_short|invalid_input/);
    assert.equal(srv.sql(`SELECT state FROM consults WHERE id = ${c.body.id}`), 'requested', 'not declined');
  } finally { await ctx.close(); }
});
