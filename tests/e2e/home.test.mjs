// The home page's numbers of the day (GET /api/v1/me/today) in a real browser: the demo health
// worker sees the queue and the cases waiting that were seeded, and the queue card opens the
// queue; the hub doctor sees the inbox by urgency; a phone's 360 px screen shows the cards without
// scrolling sideways; the numbers are fetched again when the page is shown again; and when they
// cannot be loaded the tiles are still there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithBrowser, closeAll, session, OUT } from './lib.mjs';

let srv, chrome;
const MIN = 60000;
const TODAY = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10); // Vietnam's day
const one = (q) => srv.sql(q).split('\n')[0];

// Lũng Cú (the health worker's station): 2 waiting and 1 being seen in today's queue, one done;
// two cases sent to BVĐK Hà Giang (the doctor's hub) waiting, an emergency and a routine one, and
// one routine case of Mèo Vạc waiting there too.
before(async () => {
  ({ srv, chrome } = await startWithBrowser());
  const lc = one("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'"), mv = one("SELECT id FROM facilities WHERE code = 'TYT-MEOVAC'");
  const hg = one("SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'");
  const patient = one('SELECT MIN(id) FROM patients'), by = one("SELECT id FROM users WHERE username = 'demo.commune'");
  const now = Date.now(), sql = [];
  ['waiting', 'waiting', 'called', 'done'].forEach((status, i) => sql.push('INSERT INTO queue_entries (facility_id, day, token, patient_id, reason, ' +
    `priority, status, created_by, created_at) VALUES (${lc}, '${TODAY}', ${i + 1}, ${patient}, 'seed', 'normal', '${status}', ${by}, ${now});`));
  for (const [from, urgency, ago] of [[lc, 'emergency', 12.5], [lc, 'routine', 95.5], [mv, 'routine', 30.5]])
    sql.push('INSERT INTO consults (patient_id, requester_facility_id, assigned_facility_id, created_by, summary, urgency, specialty, kind, state, ' +
      `requested_at, created_at, updated_at) VALUES (${patient}, ${from}, ${hg}, ${by}, 'seed', '${urgency}', 'internal', 'general', 'requested', ` +
      `${now - ago * MIN}, ${now - ago * MIN}, ${now - ago * MIN});`);
  srv.sql(sql.join('\n'));
});
after(() => closeAll({ srv, chrome }));

const card = (p, id) => p.locator(`a.stat[data-card=${id}]`);

test('the health worker sees the seeded queue and cases, and the queue card opens the queue', async () => {
  const { p, ctx } = await session(chrome, srv.url, 'demo.commune');
  try {
    await card(p, 'queue').waitFor();
    assert.equal(await card(p, 'queue').locator('.stat-value').textContent(), '2');
    assert.match(await card(p, 'queue').textContent(), /Hàng đợi hôm nay.*đang chờ gọi.*1 đang khám/);
    assert.equal(await card(p, 'sent').locator('.stat-value').textContent(), '2');
    assert.match(await card(p, 'sent').textContent(), /Chờ lâu nhất: 1 giờ 35 phút/);
    assert.equal(await card(p, 'visits').locator('.stat-value').textContent(), '0');
    assert.ok(await p.locator('.tiles').isVisible());
    await card(p, 'queue').click();
    await p.getByRole('heading', { name: 'Hàng đợi hôm nay' }).waitFor();
    assert.equal(new URL(p.url()).hash, '#/queue');
  } finally { await ctx.close(); }
});

test('the hub doctor sees the inbox by urgency, in English too', async () => {
  const { p, ctx } = await session(chrome, srv.url, 'demo.doctor');
  try {
    await card(p, 'inbox').waitFor();
    assert.equal(await card(p, 'inbox').locator('.stat-value').textContent(), '3');
    assert.match(await card(p, 'inbox').textContent(), /Cấp cứu 1 · Khẩn 0 · Thường quy 2/);
    assert.equal(await card(p, 'inbox').getAttribute('href'), '#/consults');
    assert.equal(await card(p, 'turnaround').locator('.stat-value').textContent(), '—');
    assert.equal(await card(p, 'queue').count(), 0);
    await p.getByRole('button', { name: /English/ }).click();
    await p.getByText('Cases to accept').waitFor();
    assert.match(await card(p, 'inbox').textContent(), /Emergency 1 · Urgent 0 · Routine 2/);
  } finally { await ctx.close(); }
});

test('at 360 px the cards fit, and the numbers come again when the page is shown again', async () => {
  const { p, ctx } = await session(chrome, srv.url, 'demo.commune', { viewport: { width: 360, height: 740 } });
  try {
    await card(p, 'queue').waitFor();
    assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling');
    const box = await card(p, 'queue').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
    await p.screenshot({ path: `${OUT}home-360.png`, fullPage: true });
    srv.sql(`INSERT INTO queue_entries (facility_id, day, token, patient_id, reason, priority, status, created_by, created_at) SELECT ` +
      `facility_id, day, 9, patient_id, reason, priority, 'waiting', created_by, created_at FROM queue_entries WHERE token = 1 AND day = '${TODAY}'`);
    await p.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await p.waitForFunction(() => document.querySelector('a.stat[data-card=queue] .stat-value')?.textContent === '3');
  } finally { await ctx.close(); }
});

test('when the numbers cannot be loaded the page says so and the tiles stay', async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'vi-VN' });
  try {
    await ctx.route('**/api/v1/me/today', (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' }));
    const p = await ctx.newPage();
    await p.goto(srv.url + '/');
    await p.getByLabel('Tên đăng nhập').fill('demo.commune');
    await p.getByLabel('Mật khẩu').fill('demo-password');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByText('Chưa tải được số liệu hôm nay.').waitFor();
    assert.ok(await p.locator('.tiles a.tile[href="#/queue"]').isVisible());
    assert.equal(await p.locator('a.stat').count(), 0);
  } finally { await ctx.close(); }
});
