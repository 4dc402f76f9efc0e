// The web app shell in a real browser against the real server: login per role, wrong password,
// logout, language switch, the facility network, installability and the offline shell, a small
// phone screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, ROLES } from '../api/lib/server.mjs';
import { startWithBrowser, closeAll, OUT } from './lib.mjs';

const ROLE_VI = {
  health_worker: 'Nhân viên y tế xã', doctor: 'Bác sĩ', specialist: 'Bác sĩ chuyên khoa', trainer: 'Giảng viên',
  facility_admin: 'Quản trị cơ sở', province_admin: 'Quản trị tỉnh', ministry_admin: 'Quản trị Bộ Y tế', patient: 'Người bệnh',
};
let srv, chrome;

before(async () => ({ srv, chrome } = await startWithBrowser()));
after(() => closeAll({ srv, chrome }));

async function page(viewport = { width: 1024, height: 768 }) {
  const ctx = await chrome.browser.newContext({ viewport, locale: 'vi-VN' });
  const p = await ctx.newPage();
  await p.goto(srv.url + '/');
  return { p, ctx };
}

// Signs in, then reloads so that the page is under the service worker's control.
async function underServiceWorker(p, username) {
  await p.evaluate(() => navigator.serviceWorker.ready);
  await logIn(p, username);
  await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
  await p.reload();
  await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
}

async function logIn(p, username, password = 'demo-password') {
  await p.getByLabel('Tên đăng nhập').fill(username);
  await p.getByLabel('Mật khẩu').fill(password);
  await p.getByRole('button', { name: 'Đăng nhập' }).click();
}

test('each role logs in and sees its name and role in Vietnamese', async () => {
  for (const [username, role] of Object.entries(ROLES)) {
    const { p, ctx } = await page();
    try {
      await logIn(p, username);
      await p.locator('.top .role', { hasText: ROLE_VI[role] }).waitFor({ timeout: 10000 });
      const me = await (await p.request.get(srv.url + '/api/v1/me')).json();
      assert.equal(await p.locator('.top .name').textContent(), me.user.full_name);
      assert.equal(await p.locator('.top .role').textContent(), ROLE_VI[role]);
      assert.ok(await p.getByText('Mạng lưới cơ sở').isVisible());
      await p.screenshot({ path: `${OUT}${role}.png`, fullPage: true });
    } finally { await ctx.close(); }
  }
});

test('a wrong password shows the server\'s message and no session', async () => {
  const { p, ctx } = await page();
  try {
    // Hold the answer back a moment: the button must be disabled while the app waits.
    await p.route('**/api/v1/auth/login', async (r) => { await new Promise((ok) => setTimeout(ok, 400)); await r.continue(); });
    await logIn(p, 'demo.doctor', 'sai-mat-khau');
    assert.ok(await p.locator('form button[type=submit]').isDisabled());
    const alert = p.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Sai tên đăng nhập hoặc mật khẩu/);
    assert.equal((await p.request.get(srv.url + '/api/v1/me')).status(), 401);
    assert.ok(await p.getByRole('button', { name: 'Đăng nhập' }).isVisible());
    await p.waitForFunction(() => location.hash === '#/login');
  } finally { await ctx.close(); }
});

test('too many failed logins: the 429 message is shown, even for the right password', async () => {
  for (let i = 0; i < 25; i++) {
    const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.trainer', password: 'wrong-' + i } });
    if (r.status === 429) break;
  }
  const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.trainer', password: 'demo-password' } });
  assert.equal(r.status, 429);
  const { p, ctx } = await page();
  try {
    await logIn(p, 'demo.trainer');
    const alert = p.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), r.body.error.message);
    assert.ok(await p.getByRole('button', { name: 'Đăng nhập' }).isEnabled());
  } finally { await ctx.close(); }
});

test('logout ends the session; a reload stays logged out', async () => {
  const { p, ctx } = await page();
  try {
    await logIn(p, 'demo.commune');
    await p.getByRole('button', { name: 'Đăng xuất' }).click();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    await p.waitForFunction(() => location.hash === '#/login');
    await p.reload();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Đăng xuất' }).count(), 0);
    assert.equal((await p.request.get(srv.url + '/api/v1/me')).status(), 401);
    // A deep link without a session lands on the login screen.
    await p.goto(srv.url + '/#/network');
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    await p.waitForFunction(() => location.hash === '#/login');
  } finally { await ctx.close(); }
});

// A station's shared computer (docs/asvs.md): the page's own requests, with nobody at the
// keyboard for a minute, say so (the server does not count them as activity); a page left alone
// learns within a minute that its session ended and goes to the login; logout forgets the names
// of unfinished uploads.
test('a page left alone: its own requests say so, and it goes to the login once its session ended', async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'vi-VN' });
  const p = await ctx.newPage();
  try {
    await p.clock.install();
    await p.goto(srv.url + '/');
    await logIn(p, 'demo.commune');
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    const bg = [];
    p.on('request', (r) => { if (r.url().includes('/api/v1/')) bg.push([new URL(r.url()).pathname, r.headers()['x-ytexa-background'] ?? null]); });
    // Someone is working: a click, then the page's requests are a person's.
    const listed = p.waitForResponse((r) => r.url().includes('/api/v1/facilities'));
    await p.getByRole('link', { name: 'Mạng lưới cơ sở' }).click();
    await p.waitForFunction(() => location.hash === '#/network');
    await listed;
    assert.ok(bg.length > 0 && bg.every(([, h]) => h === null), `after a click: ${JSON.stringify(bg)}`);
    // Then nobody for a minute: the page asks whether its session lives, saying it asks by itself.
    bg.length = 0;
    const check = p.waitForRequest((r) => r.url().endsWith('/api/v1/me'));
    await p.clock.fastForward('01:05');
    assert.equal((await check).headers()['x-ytexa-background'], '1');
    assert.ok(await p.getByRole('button', { name: 'Đăng xuất' }).isVisible(), 'the session lives: the page stays');
    // The session ends (idle on the server, or a logout elsewhere): the next check goes to the login.
    const cookie = (await ctx.cookies()).find((c) => c.name === 'ytexa_session');
    assert.equal(cookie.expires, -1, 'a browser-session cookie: closing the browser forgets it');
    assert.equal((await api(srv, 'POST', '/api/v1/auth/logout', { token: cookie.value })).status, 200);
    await p.clock.fastForward('01:05');
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor({ timeout: 10000 });
    await p.waitForFunction(() => location.hash === '#/login');
    // Logout forgets where unfinished uploads were (their keys hold file names).
    await logIn(p, 'demo.commune');
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    await p.evaluate(() => localStorage.setItem('ytexa.upload:clinical:X-quang – Giàng Seo Páo.jpg:1:2', '/api/v1/files/uploads/x'));
    await p.getByRole('button', { name: 'Đăng xuất' }).click();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    assert.deepEqual(await p.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ytexa.upload:'))), []);
  } finally { await ctx.close(); }
});

test('my account: the name in the header opens it; a new password needs the current one, twice the same', async () => {
  const admin = await login(srv, 'demo.ministry-admin');
  const facility = Number(srv.sql("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'"));
  const u = await api(srv, 'POST', '/api/v1/users', { token: admin.token,
    body: { username: 'lungcu.y-si', full_name: 'Sùng Thị Dợ', password: 'mat-khau-ban-dau', role: 'health_worker', facility_id: facility } });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const { p, ctx } = await page();
  try {
    await logIn(p, 'lungcu.y-si', 'mat-khau-ban-dau');
    await p.getByRole('link', { name: 'Sùng Thị Dợ' }).click();
    await p.getByRole('heading', { name: 'Tài khoản của tôi' }).waitFor();
    const submit = () => p.getByRole('button', { name: 'Đổi mật khẩu' }).click();
    await p.getByLabel('Mật khẩu hiện tại').fill('sai-mat-khau');
    await p.getByLabel('Mật khẩu mới', { exact: true }).fill('Mật khẩu của Dợ 2026');
    await p.getByLabel('Nhập lại mật khẩu mới').fill('Mật khẩu của Dợ 2025');
    await submit();
    assert.match(await p.locator('#acc-again-error').textContent(), /hai lần nhập không giống nhau/);
    await p.getByLabel('Nhập lại mật khẩu mới').fill('Mật khẩu của Dợ 2026');
    await submit();
    await p.locator('#acc-current-error').waitFor();
    assert.match(await p.locator('#acc-current-error').textContent(), /Mật khẩu hiện tại không đúng/);
    await p.getByLabel('Mật khẩu hiện tại').fill('mat-khau-ban-dau');
    await submit();
    await p.getByRole('status').filter({ hasText: 'Đã đổi mật khẩu' }).waitFor();
    assert.equal(await p.getByLabel('Mật khẩu hiện tại').inputValue(), '', 'the form is emptied');
    await p.getByRole('button', { name: 'Đăng xuất' }).click();
    await logIn(p, 'lungcu.y-si', 'Mật khẩu của Dợ 2026');
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
  } finally { await ctx.close(); }
});

test('the session survives a reload; English is one click away and stays', async () => {
  const { p, ctx } = await page();
  try {
    await logIn(p, 'demo.specialist');
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    await p.reload();
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    await p.getByRole('button', { name: 'Ngôn ngữ' }).click();
    await p.getByRole('button', { name: 'Log out' }).waitFor();
    assert.equal(await p.locator('.top .role').textContent(), 'Specialist');
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'en');
    await p.reload();
    await p.getByRole('button', { name: 'Log out' }).waitFor();
    await p.getByRole('button', { name: 'Language' }).click();
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
  } finally { await ctx.close(); }
});

test('the facility network: search without diacritics, then a facility\'s support lines', async () => {
  const { p, ctx } = await page();
  try {
    await logIn(p, 'demo.commune');
    await p.getByRole('link', { name: /Mạng lưới cơ sở/ }).click();
    await p.locator('a.facility').first().waitFor();
    assert.ok(await p.locator('a.facility').count() > 1, 'the whole network is listed before any search');
    await p.getByLabel('Tìm cơ sở (có dấu hoặc không dấu)').fill('lung cu');
    const hit = p.getByRole('link', { name: /Trạm Y tế xã Lũng Cú/ });
    await hit.waitFor();
    await p.waitForFunction(() => document.querySelectorAll('a.facility').length === 1);
    assert.match(await hit.textContent(), /Trạm y tế xã · .* · (Video|Video băng thông thấp|Chỉ âm thanh) · \d+ kbit\/s/);
    await hit.click();
    await p.getByRole('heading', { name: 'Được hỗ trợ bởi' }).waitFor();
    assert.match(new URL(p.url()).hash, /^#\/network\/\d+$/);
    // The district hub that supports Lũng Cú, once, with its specialties beside it.
    const hub = p.locator('.links > li', { hasText: 'Trung tâm Y tế khu vực Đồng Văn' });
    await hub.waitFor();
    assert.equal(await hub.count(), 1);
    assert.match(await hub.textContent(), /Huyện\/Khu vực/);
    await hub.getByText('Nhi khoa').waitFor();
    await p.screenshot({ path: `${OUT}network.png`, fullPage: true });
    // Following the hub opens its page (a deep link); back returns to the search as it was.
    await hub.getByRole('link').click();
    await p.getByRole('heading', { name: 'Trung tâm Y tế khu vực Đồng Văn' }).waitFor();
    await p.locator('.links > li', { hasText: 'Trạm Y tế xã Lũng Cú' }).first().waitFor();
    await p.goBack();
    await p.goBack();
    await hit.waitFor();
    assert.equal(await p.getByLabel('Tìm cơ sở (có dấu hoặc không dấu)').inputValue(), 'lung cu');
  } finally { await ctx.close(); }
});

test('installable: manifest and icons are served; the token is never readable by the page', async () => {
  const { p, ctx } = await page();
  try {
    const href = await p.locator('link[rel=manifest]').getAttribute('href');
    const m = await p.request.get(srv.url + href);
    assert.equal(m.status(), 200);
    const manifest = await m.json();
    assert.equal(manifest.name, 'ytexa');
    assert.equal(manifest.lang, 'vi');
    for (const icon of manifest.icons) {
      const r = await p.request.get(srv.url + icon.src);
      assert.equal(r.status(), 200, icon.src);
      assert.equal(r.headers()['content-type'], icon.type, icon.src);
    }
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512' && i.type === 'image/png'));
    // The service worker installs and caches the shell only.
    await p.evaluate(() => navigator.serviceWorker.ready);
    const sent = [];
    p.on('request', (r) => { if (r.url().includes('/api/v1/auth/logout')) sent.push(r.headers()['x-csrf-token']); });
    await logIn(p, 'demo.doctor');
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    const seen = await p.evaluate(async () => ({
      cookie: document.cookie,
      stored: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      cached: (await Promise.all((await caches.keys()).map(async (k) => (await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname)))).flat(),
    }));
    assert.doesNotMatch(seen.cookie, /ytexa_session/, 'the session cookie must be HttpOnly');
    assert.doesNotMatch(seen.stored, /token|csrf/i, 'no token in web storage');
    assert.ok(seen.cached.includes('/'), 'the shell page is cached: ' + seen.cached);
    assert.ok(seen.cached.some((u) => u.startsWith('/assets/')), 'the hashed scripts are cached');
    assert.ok(!seen.cached.some((u) => u.startsWith('/api/')), 'no API answer is cached');
    await p.getByRole('button', { name: 'Đăng xuất' }).click();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    assert.equal(sent.length, 1);
    assert.ok(sent[0] && sent[0].length > 10, 'logout carries the X-CSRF-Token header');
  } finally { await ctx.close(); }
});

test('offline: the cached shell opens as the user last signed in, with the offline banner; back online the banner goes', async () => {
  const { p, ctx } = await page();
  try {
    await underServiceWorker(p, 'demo.patient');
    await ctx.setOffline(true);
    await p.reload();
    const banner = p.getByRole('status').filter({ hasText: 'Không có mạng.' });
    await banner.waitFor();
    assert.equal(await p.locator('.top .role').textContent(), ROLE_VI.patient);
    await ctx.setOffline(false);
    await banner.waitFor({ state: 'detached' });
    // Logged out, nothing is kept: a reload without a network cannot open the app as anyone.
    await p.getByRole('button', { name: 'Đăng xuất' }).click();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    await ctx.setOffline(true);
    await p.reload();
    await p.getByText('Không kết nối được máy chủ').waitFor();
    await ctx.setOffline(false);
    await p.getByRole('button', { name: 'Thử lại' }).click();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  } finally { await ctx.close(); }
});

// The role's pages are fetched after the page and named nowhere in it: an online reload of the
// same release must not drop them from the cache, or a station whose link falls right after would
// open without them.
test('offline right after an online reload: the role\'s pages, cached before, still open', async () => {
  const { p, ctx } = await page();
  try {
    await underServiceWorker(p, 'demo.commune');
    const queueCached = () => p.evaluate(async () => (await (await caches.open('ytexa-shell-v2')).keys()).some((r) => /\/assets\/queue-/.test(r.url)));
    for (let i = 0; i < 100 && !(await queueCached()); i++) await p.waitForTimeout(100);
    assert.ok(await queueCached(), 'the role\'s code was fetched and cached after the page');
    await p.reload();
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    await ctx.setOffline(true);
    await p.waitForTimeout(1500);
 // the service worker has put the page away; the role's code did not come again
    assert.ok(await queueCached(), 'the queue page\'s code is still cached');
    await p.evaluate(() => { location.hash = '#/queue'; });
    await p.getByRole('heading', { name: 'Hàng đợi hôm nay' }).waitFor({ timeout: 10000 });
  } finally { await ctx.close(); }
});

test('works on a 360 px phone screen', async () => {
  const { p, ctx } = await page({ width: 360, height: 740 });
  try {
    await logIn(p, 'demo.commune');
    await p.getByRole('button', { name: 'Đăng xuất' }).waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'no horizontal scrolling at 360 px');
    await p.screenshot({ path: `${OUT}phone-360.png`, fullPage: true });
  } finally { await ctx.close(); }
});
