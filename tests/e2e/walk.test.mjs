// The smaller things found on the walk (issue 21), in Chromium on a 360 px phone and on a desktop
// (1366×768): expandable sections that look and behave like actions; the patient record with its
// visits, consultations and prescriptions; the visit list's place and time; the doctor's page in two
// columns (its height measured before and after); notes kept as a draft through a reload and still
// shown after the visit ends; a diagnosis off the Circular 30 list flagged when chosen; the draft's
// medicines read and the signature confirmed in the page; a visit cancelled with a form; the
// consent's witness; the X-ray viewer (zoom by button, wheel and pinch, pan, contrast, brightness,
// invert, reset, keys, Escape).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { png, tusUpload } from '../api/lib/files.mjs';
import { startWithBrowser, closeAll, session as signIn, OUT } from './lib.mjs';

let srv, chrome, hw, doc;
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1366, height: 768 };
const as = (who, method, path, body) => api(srv, method, path, { token: who.token, body });
const session = (username, viewport) => signIn(chrome, srv.url, username, { viewport });
// No page of this slice may open the browser's own prompt or confirm.
const noBrowserDialogs = (p) => {
  const seen = [];
  p.on('dialog', (d) => {
    seen.push(d.message());
    d.dismiss().catch(() => {});
  });
  return seen;
};
const drafts = (p) => p.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('ytexa.draft:')));

before(async () => {
  ({ srv, chrome } = await startWithBrowser());
  hw = await login(srv, 'demo.commune');
  doc = await login(srv, 'demo.doctor');
});
after(() => closeAll({ srv, chrome }));

async function startedVisit(name) {
  const pt = await registerPatient(srv, hw.token, { full_name: name, birth_year: 1962, sex: 'male' });
  const v = await as(hw, 'POST', '/api/v1/visits', { patient_id: pt.id, doctor_id: doc.user.id, mode: 'chat', reason: 'Đau đầu, chóng mặt, huyết áp đo ở trạm 170/100' });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  assert.equal((await as(doc, 'POST', `/api/v1/visits/${v.body.id}/transitions`, { to: 'in_progress' })).status, 200);
  const vit = await as(hw, 'POST', `/api/v1/visits/${v.body.id}/vitals`, { systolic: 170, diastolic: 100, pulse: 90, temperature: 36.9, spo2: 97, weight: 58, height: 160 });
  assert.equal(vit.status, 201);
  return { pt, v: v.body };
}

let record; // the patient and visit of the first test, read again by the second

test('the doctor\'s visit page: notes kept through a reload and shown after the end, a diagnosis off the list flagged when chosen, the draft read and signing confirmed in the page; two columns on a desktop', async () => {
  const { pt, v } = await startedVisit('Vàng Seo Lử');
  record = { pt, v };
  const { p, ctx } = await session('demo.doctor', DESKTOP);
  const browserDialogs = noBrowserDialogs(p);
  try {
    await p.goto(`${srv.url}/#/visits/${v.id}`);
    await p.getByRole('heading', { name: 'Vàng Seo Lử' }).waitFor();

    // The notes survive a reload: a draft in this tab, under this doctor, this form, this visit.
    const plan = 'Uống thuốc đều mỗi sáng, ăn nhạt, đo huyết áp ở trạm mỗi tuần';
    await p.getByLabel('Hướng xử trí, lời dặn (P)').fill(plan);
    await p.getByLabel('Bệnh sử, triệu chứng (S)').fill('Đau đầu vùng chẩm 3 ngày');
    await p.reload();
    await p.getByRole('heading', { name: 'Vàng Seo Lử' }).waitFor();
    assert.equal(await p.getByLabel('Hướng xử trí, lời dặn (P)').inputValue(), plan);
    assert.equal(await p.getByLabel('Bệnh sử, triệu chứng (S)').inputValue(), 'Đau đầu vùng chẩm 3 ngày');
    assert.deepEqual(await drafts(p), [`ytexa.draft:${doc.user.id}:visit-notes:${v.id}`]);
    await p.getByRole('button', { name: 'Lưu ghi chép' }).click();
    await p.getByText('Đã lưu.').waitFor();
    assert.equal(srv.sql(`SELECT plan FROM visits WHERE id = ${v.id}`), plan);
    assert.deepEqual(await drafts(p), [], 'a sent form leaves no draft');

    // I10 is on the remote-care list; J18.9 (pneumonia) is not: it is flagged the moment it is chosen.
    const search = p.getByLabel('Tìm mã hoặc tên bệnh (có dấu hoặc không dấu)');
    await search.fill('I10');
    await p.getByRole('button', { name: /^I10 — / }).click();
    await p.locator('.links li', { hasText: 'I10' }).getByText('chính').waitFor();
    assert.equal(await p.getByText(/không thuộc danh mục bệnh được kê đơn từ xa/).count(), 0);
    await search.fill('J18.9');
    await p.getByRole('button', { name: /^J18\.9 — / }).click();
    const warn = p.getByRole('alert').filter({ hasText: 'Chẩn đoán J18.9 không thuộc danh mục bệnh được kê đơn từ xa' });
    await warn.waitFor();
    await p.locator('.links li', { hasText: 'J18.9' }).getByText('không kê đơn từ xa').waitFor();
    assert.equal(srv.sql(`SELECT COUNT(*) FROM prescriptions WHERE visit_id = ${v.id}`), '0', 'flagged before any prescription is written');

    // The draft's medicines are on the page before "Ký đơn thuốc"; signing asks in the page.
    const fill = (k, val) => p.locator(`#rx_0_${k}`).fill(val);
    await fill('medicine', 'Amlodipin');
    await fill('strength', '5 mg');
    await fill('dose', '1 viên');
    await fill('frequency', '1 lần/ngày, buổi sáng');
    await fill('duration_days', '30');
    await fill('quantity', '30');
    await p.getByRole('button', { name: 'Lưu đơn nháp' }).click();
    const items = p.locator('.rx-items').first();
    await items.getByText('Amlodipin 5 mg · 1 viên, 1 lần/ngày, buổi sáng · 30 ngày · 30 viên').waitFor();
    await p.getByRole('button', { name: 'Ký đơn thuốc' }).click();
    const dialog = p.getByRole('dialog', { name: 'Ký đơn thuốc này?' });
    await dialog.getByText(/Amlodipin 5 mg/).waitFor();
    await dialog.getByText('Đơn đã ký không sửa được nữa').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Quay lại' }).evaluate((b) => b === document.activeElement), true, 'the focus starts on "Quay lại"');
    await p.screenshot({ path: `${OUT}walk-sign-confirm.png` });
    // "Quay lại" and Escape both leave the draft a draft.
    await dialog.getByRole('button', { name: 'Quay lại' }).click();
    await dialog.waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'Ký đơn thuốc' }).click();
    await dialog.waitFor();
    await p.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(srv.sql(`SELECT status FROM prescriptions WHERE visit_id = ${v.id}`), 'draft');

    // The page uses the width: two columns side by side, and a shorter page than one narrow column.
    const side = await p.locator('.visit-side').boundingBox();
    const main = await p.locator('.visit-main').boundingBox();
    assert.ok(main.x >= side.x + side.width, `the notes column is beside the patient's (${JSON.stringify({ side, main })})`);
    assert.ok(Math.abs(main.y - side.y) < 2, 'both columns start at the same height');
    const after = await p.evaluate(() => document.documentElement.scrollHeight);
    const before = await p.evaluate(() => {
      const s = document.createElement('style');
      s.id = 'one-column';
      s.textContent = 'main.page.visit-page { max-width: 760px !important } .visit-grid { grid-template-columns: 1fr !important }';
      document.head.append(s);
      const h = document.documentElement.scrollHeight;
      s.remove();
      return h;
    });
    console.log(`visit page at 1366×768: one column ${before} px, two columns ${after} px`);
    assert.ok(after < before * 0.8, `two columns are shorter (${after} px) than one (${before} px)`);
    await p.screenshot({ path: `${OUT}walk-visit-desktop.png`, fullPage: true });

    await p.getByRole('button', { name: 'Ký đơn thuốc' }).click();
    await dialog.getByRole('button', { name: 'Xác nhận ký' }).click();
    await p.getByRole('link', { name: 'Tải đơn thuốc (PDF)' }).waitFor();
    assert.equal(srv.sql(`SELECT status FROM prescriptions WHERE visit_id = ${v.id}`), 'signed');

    // Ended: the notes stay on the page, read only.
    await p.getByRole('button', { name: 'Kết thúc khám' }).click();
    await p.getByText('Đã khám xong').waitFor();
    const notes = p.getByRole('region', { name: 'Ghi chép của bác sĩ' });
    await notes.getByText(plan).waitFor();
    await notes.getByText('Đau đầu vùng chẩm 3 ngày').waitFor();
    assert.equal(await p.getByRole('button', { name: 'Lưu ghi chép' }).count(), 0);
  } finally {
    await ctx.close();
  }
  assert.deepEqual(browserDialogs, []);

  // On the phone the same page is one column, and the notes are there too.
  const phone = await session('demo.doctor', PHONE);
  try {
    await phone.p.goto(`${srv.url}/#/visits/${v.id}`);
    await phone.p.getByRole('region', { name: 'Ghi chép của bác sĩ' }).getByText('Đau đầu vùng chẩm 3 ngày').waitFor();
    const side = await phone.p.locator('.visit-side').boundingBox();
    const main = await phone.p.locator('.visit-main').boundingBox();
    assert.ok(main.y >= side.y + side.height - 1, 'one column on a phone');
    assert.ok(await phone.p.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing wider than the phone');
  } finally {
    await phone.ctx.close();
  }
});

test('the station: the record lists visits, consultations and prescriptions; the consent shows its witness; the visit list its place and time; a visit is cancelled with a form; the reason survives a reload', async () => {
  const { pt, v } = record;
  const c = await as(hw, 'POST', '/api/v1/consults', { patient_id: pt.id, summary: 'Ho kéo dài 3 tuần, sốt nhẹ về chiều, sụt cân', questions: ['Phim có tổn thương lao không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const planned = await as(hw, 'POST', '/api/v1/visits', { patient_id: pt.id, doctor_id: doc.user.id, mode: 'video', reason: 'Tái khám huyết áp', scheduled_at: `${today}T23:40:00+07:00` });
  assert.equal(planned.status, 201, JSON.stringify(planned.body));
  const { p, ctx } = await session('demo.commune', PHONE);
  const browserDialogs = noBrowserDialogs(p);
  try {
    await p.goto(`${srv.url}/#/patients/${pt.id}`);
    await p.getByRole('heading', { name: 'Vàng Seo Lử' }).waitFor();
    await p.locator('.consents li').first().getByText('Người làm chứng: Lò Văn Sử').waitFor();
    const visits = p.getByRole('region', { name: 'Các lượt khám' });
    await visits.getByRole('link').nth(1).waitFor();
    assert.deepEqual(await visits.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href'))), [`#/visits/${planned.body.id}`, `#/visits/${v.id}`], 'newest first');
    assert.match(await visits.locator('li').first().textContent(), new RegExp(`${today.split('-').reverse().join('/')} 23:40 · Đã lên lịch · Nguyễn Văn An`), 'in Vietnam time');
    const cases = p.getByRole('region', { name: 'Các ca hội chẩn' });
    await cases.getByRole('link').first().waitFor();
    assert.equal(await cases.getByRole('link').first().getAttribute('href'), `#/consults/${c.body.id}`);
    await cases.getByText(/Chờ nhận|Đã gửi/).first().waitFor();
    const rx = p.getByRole('region', { name: 'Đơn thuốc đã ký' });
    await rx.getByText(/Amlodipin 5 mg/).waitFor();
    assert.equal(await rx.getByRole('link').first().getAttribute('href'), `#/visits/${v.id}`);
    assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing wider than the phone');
    await p.screenshot({ path: `${OUT}walk-record-phone.png`, fullPage: true });

    // The day's list: the time and where the visit is held.
    await p.goto(`${srv.url}/#/visits`);
    const row = p.locator('a.facility', { hasText: 'Tái khám huyết áp' });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`23:40\\s*Vàng Seo Lử[\\s\\S]*Nơi khám: ${hw.user.facility.name}`));

    // Cancelling: a form in the page with the reason, not the browser's prompt.
    await row.click();
    await p.getByRole('button', { name: 'Hủy lượt khám' }).click();
    const form = p.getByRole('form', { name: 'Hủy lượt khám' });
    await form.getByLabel('Lý do').fill('Người bệnh đi làm nương, hẹn tuần sau');
    await p.screenshot({ path: `${OUT}walk-cancel-phone.png` });
    await form.getByRole('button', { name: 'Xác nhận hủy lượt khám' }).click();
    await p.getByText('Đã hủy', { exact: true }).waitFor();
    assert.equal(srv.sql(`SELECT state FROM visits WHERE id = ${planned.body.id}`), 'cancelled');
    assert.equal(srv.sql(`SELECT reason FROM visit_events WHERE visit_id = ${planned.body.id} AND to_state = 'cancelled'`), 'Người bệnh đi làm nương, hẹn tuần sau');

    // Planning another: the reason typed is kept through a reload, under this user and patient.
    await p.goto(`${srv.url}/#/visits/new/${pt.id}`);
    await p.getByLabel('Lý do khám').fill('Ho về đêm, khó thở khi nằm');
    await p.reload();
    await p.getByLabel('Lý do khám').waitFor();
    assert.equal(await p.getByLabel('Lý do khám').inputValue(), 'Ho về đêm, khó thở khi nằm');
    assert.deepEqual(await drafts(p), [`ytexa.draft:${hw.user.id}:visit-reason:${pt.id}`]);
  } finally {
    await ctx.close();
  }
  assert.deepEqual(browserDialogs, []);
});

test('expandable sections are actions, and the X-ray viewer zooms, pans, adjusts contrast, brightness and inversion, by mouse, touch and keys', async () => {
  const pt = await registerPatient(srv, hw.token, { full_name: 'Giàng Thị Súa', birth_year: 1958, sex: 'female' });
  const file = await tusUpload(srv, hw.token, png(800, 600, true), 'x-quang-phoi.png');
  const c = await as(hw, 'POST', '/api/v1/consults', { patient_id: pt.id, summary: 'Ho kéo dài, phim X-quang ngực thẳng chụp tại trạm', questions: ['Phim có hình ảnh lao phổi không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', file_ids: [file], submit: true });
  assert.equal(c.status, 201, JSON.stringify(c.body));

  for (const viewport of [PHONE, DESKTOP]) {
    const { p, ctx } = await session('demo.doctor', viewport);
    try {
      await p.goto(`${srv.url}/#/consults/${c.body.id}`);
      const summary = p.locator('summary', { hasText: 'Chuyển cho cơ sở khác' });
      await summary.waitFor();
      const look = await summary.evaluate((s) => {
        const st = getComputedStyle(s);
        const mark = getComputedStyle(s, '::before');
        return { h: s.getBoundingClientRect().height, border: st.borderTopWidth, color: st.color, cursor: st.cursor, chevron: mark.borderRightStyle, turn: mark.transform };
      });
      assert.ok(look.h >= 44, `a 44 px target (${look.h})`);
      assert.equal(look.border, '1px');
      assert.equal(look.color, 'rgb(11, 110, 79)');
      assert.equal(look.cursor, 'pointer');
      assert.equal(look.chevron, 'solid', 'a chevron');
      // Reached by the keyboard it shows a focus ring, and Enter opens it (the chevron turns).
      await summary.focus();
      await p.keyboard.press('Shift+Tab');
      await p.keyboard.press('Tab');
      assert.equal(await summary.evaluate((s) => s === document.activeElement && s.matches(':focus-visible')), true);
      assert.equal(await summary.evaluate((s) => getComputedStyle(s).outlineStyle), 'solid');
      await p.keyboard.press('Enter');
      await p.getByLabel('Chuyển cho', { exact: true }).waitFor();
      // (the chevron turns when open: its transform, once the short transition has run)
      await p.waitForFunction((closed) => getComputedStyle(document.querySelector('details[open] > summary'), '::before').transform !== closed, look.turn);
      await p.screenshot({ path: `${OUT}walk-sections-${viewport.width}.png`, fullPage: true });
    } finally {
      await ctx.close();
    }
  }

  const ctx = await chrome.browser.newContext({ viewport: PHONE, locale: 'vi-VN', hasTouch: true });
  const p = await ctx.newPage();
  try {
    await p.goto(srv.url + '/');
    await p.getByLabel('Tên đăng nhập').fill('demo.doctor');
    await p.getByLabel('Mật khẩu').fill('demo-password');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
    await p.goto(`${srv.url}/#/consults/${c.body.id}`);
    const thumb = p.getByRole('button', { name: 'Xem x-quang-phoi.png' });
    await thumb.click();
    const viewer = p.getByRole('dialog', { name: 'x-quang-phoi.png' });
    await viewer.waitFor();
    const img = viewer.locator('img');
    // The same preview as the thumbnail opened before, read with the session's cookie.
    await p.waitForFunction(() => document.querySelector('.viewer img')?.naturalWidth > 0);
    const src = await img.getAttribute('src');
    assert.equal((await p.request.get(srv.url + src)).status(), 200);
    assert.equal((await api(srv, 'GET', src)).status, 401, 'the image needs the session');
    // Full screen.
    const box = await viewer.boundingBox();
    assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 360, 740]);
    const style = () => img.evaluate((i) => ({ transform: i.style.transform, filter: i.style.filter }));
    const zoomText = () => viewer.locator('.iv-zoom').textContent();

    await viewer.getByRole('button', { name: 'Phóng to' }).click();
    assert.equal(await zoomText(), '125%');
    await viewer.getByRole('button', { name: 'Thu nhỏ' }).click();
    assert.equal(await zoomText(), '100%');

    // Two fingers spread apart zoom in.
    const cdp = await ctx.newCDPSession(p);
    const stage = await viewer.locator('.iv-stage').boundingBox();
    const cx = stage.x + stage.width / 2,
      cy = stage.y + stage.height / 2;
    const touch = (type, d) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: type === 'touchEnd' ? [] : [{ x: cx - d, y: cy, id: 1 }, { x: cx + d, y: cy, id: 2 }],
      });
    await touch('touchStart', 40);
    for (const d of [60, 80, 100, 120]) await touch('touchMove', d);
    await touch('touchEnd', 0);
    const pinched = Number((await zoomText()).replace('%', ''));
    assert.ok(pinched >= 200, `a pinch zooms in (${pinched}%)`);

    // One finger (or the mouse) moves it.
    const moved0 = (await style()).transform;
    await p.mouse.move(cx, cy);
    await p.mouse.down();
    await p.mouse.move(cx + 50, cy + 30, { steps: 5 });
    await p.mouse.up();
    assert.notEqual((await style()).transform, moved0, 'dragging pans the image');
    assert.match((await style()).transform, /translate\(50px, 30px\)/);

    // Contrast, brightness and inversion, as CSS filters; the keyboard moves the sliders.
    await viewer.getByLabel('Độ tương phản').focus();
    await p.keyboard.press('ArrowRight');
    await p.keyboard.press('ArrowRight');
    await viewer.getByLabel('Độ sáng').focus();
    await p.keyboard.press('ArrowLeft');
    await viewer.getByRole('button', { name: 'Đảo màu' }).click();
    assert.equal((await style()).filter, 'contrast(120%) brightness(90%) invert(1)');
    assert.equal(await viewer.getByRole('button', { name: 'Đảo màu' }).getAttribute('aria-pressed'), 'true');
    await p.screenshot({ path: `${OUT}walk-viewer-phone.png` });

    await viewer.getByRole('button', { name: 'Đặt lại' }).click();
    assert.deepEqual(await style(), { transform: 'translate(0px, 0px) scale(1)', filter: 'contrast(100%) brightness(100%)' });
    await ctx.close();
  } catch (e) {
    await ctx.close();
    throw e;
  }

  // The mouse wheel and the keys on a desktop; Escape closes and the focus goes back.
  const { p: d, ctx: dctx } = await session('demo.doctor', DESKTOP);
  try {
    await d.goto(`${srv.url}/#/consults/${c.body.id}`);
    const thumb = d.getByRole('button', { name: 'Xem x-quang-phoi.png' });
    await thumb.focus();
    await d.keyboard.press('Enter');
    const viewer = d.getByRole('dialog', { name: 'x-quang-phoi.png' });
    await viewer.waitFor();
    const zoomText = () => viewer.locator('.iv-zoom').textContent();
    const stage = await viewer.locator('.iv-stage').boundingBox();
    await d.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await d.mouse.wheel(0, -100);
    await d.waitForFunction(() => document.querySelector('.iv-zoom').textContent === '120%');
    assert.equal(await d.evaluate(() => window.scrollY), 0, 'the wheel zooms the image, not the page');
    await d.keyboard.press('+');
    assert.equal(await zoomText(), '150%');
    await d.keyboard.press('ArrowLeft');
    assert.match(await viewer.locator('img').evaluate((i) => i.style.transform), /translate\(40px, 0px\) scale\(1\.5\)/);
    await d.keyboard.press('i');
    assert.match(await viewer.locator('img').evaluate((i) => i.style.filter), /invert\(1\)/);
    await d.keyboard.press('0');
    assert.equal(await zoomText(), '100%');
    // Tab stays in the viewer.
    for (let i = 0; i < 12; i++) await d.keyboard.press('Tab');
    assert.equal(await d.evaluate(() => !!document.activeElement.closest('.viewer')), true);
    await d.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    assert.equal(await thumb.evaluate((b) => b === document.activeElement), true, 'the focus is back on the thumbnail');
  } finally {
    await dctx.close();
  }
});

test('the opinion and the conclusion a doctor types survive a reload, and are forgotten once sent', async () => {
  const pt = await registerPatient(srv, hw.token, { full_name: 'Ly Thị Dợ', birth_year: 1970, sex: 'female' });
  const c = await as(hw, 'POST', '/api/v1/consults', { patient_id: pt.id, summary: 'Sốt, ho khạc đờm, ran nổ đáy phổi phải', questions: ['Có cần chuyển tuyến không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true });
  assert.equal(c.status, 201);
  const { p, ctx } = await session('demo.doctor', PHONE);
  try {
    await p.goto(`${srv.url}/#/consults/${c.body.id}`);
    await p.getByRole('button', { name: 'Nhận ca' }).click();
    await p.getByText('Đã nhận', { exact: true }).waitFor();
    const opinion = 'Đám mờ đáy phổi phải, nghĩ viêm phổi thùy';
    await p.getByLabel('Ý kiến chuyên môn').fill(opinion);
    await p.reload();
    await p.getByLabel('Ý kiến chuyên môn').waitFor();
    assert.equal(await p.getByLabel('Ý kiến chuyên môn').inputValue(), opinion);
    await p.getByRole('button', { name: 'Ghi ý kiến' }).click();
    await p.getByText('Đã có ý kiến', { exact: true }).waitFor();
    assert.deepEqual(await drafts(p), []);
    const answer = p.getByLabel('1. Có cần chuyển tuyến không?');
    await answer.fill('Chưa cần chuyển tuyến, điều trị kháng sinh tại trạm');
    await p.reload();
    await answer.waitFor();
    assert.equal(await answer.inputValue(), 'Chưa cần chuyển tuyến, điều trị kháng sinh tại trạm');
    assert.deepEqual(await drafts(p), [`ytexa.draft:${doc.user.id}:consult-conclusion:${c.body.id}`]);
  } finally {
    await ctx.close();
  }
  // Another doctor's browser (a new context) never sees it.
  const other = await session('demo.doctor', PHONE);
  try {
    await other.p.goto(`${srv.url}/#/consults/${c.body.id}`);
    await other.p.getByLabel('1. Có cần chuyển tuyến không?').waitFor();
    assert.equal(await other.p.getByLabel('1. Có cần chuyển tuyến không?').inputValue(), '');
  } finally {
    await other.ctx.close();
  }
});
