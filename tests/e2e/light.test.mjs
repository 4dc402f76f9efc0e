// The app on a station's link (issue 21, "Light"): Chromium throttled to 512 kbit/s each way with
// 300 ms latency and its cache off, on a 360 px phone. The first paint must come within 2 s and the
// login form within 2.5 s; the figures are printed (docs/web.md keeps them). The script and the
// styles must come compressed (br or gzip), and the first load must leave out what only some roles
// use; after login each role fetches its own pages and no other role's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithBrowser, closeAll } from './lib.mjs';

// 512 kbit/s is 64,000 bytes a second (kbit = 1,000 bits).
const LINK = { offline: false, latency: 300, downloadThroughput: 64000, uploadThroughput: 64000 };
const PHONE = { width: 360, height: 740 };
// The chunks that only some roles use: none of them belongs in the first load.
const ON_DEMAND = ['room', 'call', 'training', 'reports', 'patients', 'visits', 'consults', 'queue'];
const chunkOf = (url) => /\/assets\/([a-z_]+)-[\w-]+\.js$/.exec(new URL(url).pathname)?.[1] ?? null;

let srv, chrome;
before(async () => ({ srv, chrome } = await startWithBrowser()));
after(() => closeAll({ srv, chrome }));

// A phone page on the throttled link that records every answer's coding and size on the wire,
// and the moment the login form is in the page (a MutationObserver, read at the next frame).
async function throttledPage() {
  const ctx = await chrome.browser.newContext({ viewport: PHONE, locale: 'vi-VN', isMobile: true, hasTouch: true });
  await ctx.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (!document.getElementById('username')) return;
      obs.disconnect();
      requestAnimationFrame(() => { window.__loginFormAt = performance.now(); });
    }).observe(document, { childList: true, subtree: true });
  });
  const p = await ctx.newPage();
  const cdp = await ctx.newCDPSession(p);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', LINK);
  const answers = new Map();
  cdp.on('Network.responseReceived', (e) => {
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    answers.set(e.requestId, { url: e.response.url, encoding: h['content-encoding'] || 'identity', bytes: 0 });
  });
  cdp.on('Network.loadingFinished', (e) => { if (answers.has(e.requestId)) answers.get(e.requestId).bytes = e.encodedDataLength; });
  return { p, ctx, answers };
}

test('first paint ≤ 2 s and the login form ≤ 2.5 s at 512 kbit/s and 300 ms on a phone', async () => {
  const { p, ctx, answers } = await throttledPage();
  try {
    await p.goto(srv.url + '/', { waitUntil: 'commit' });
    await p.getByLabel('Tên đăng nhập').waitFor({ timeout: 20000 });
    await p.waitForFunction(() => window.__loginFormAt !== undefined);
    const m = await p.evaluate(() => {
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      return { firstPaint: paint['first-paint'], firstContentfulPaint: paint['first-contentful-paint'], loginForm: window.__loginFormAt };
    });
    const first = [...answers.values()].filter((a) => a.url.startsWith(srv.url));
    const wire = first.reduce((n, a) => n + a.bytes, 0);
    console.log(`light: first paint ${Math.round(m.firstPaint)} ms, first contentful paint ${Math.round(m.firstContentfulPaint)} ms, ` +
      `login form ${Math.round(m.loginForm)} ms, ${first.length} requests, ${wire} bytes on the wire`);
    for (const a of first) console.log(`light:   ${a.encoding.padEnd(8)} ${String(a.bytes).padStart(7)}  ${new URL(a.url).pathname}`);
    assert.ok(m.firstPaint > 0 && m.firstPaint <= 2000, `first paint ${m.firstPaint} ms`);
    // The first paint with something on it too: before the light build the first paint was an
    // empty page at 1.1 s and the first words came at 4 s.
    assert.ok(m.firstContentfulPaint > 0 && m.firstContentfulPaint <= 2000, `first contentful paint ${m.firstContentfulPaint} ms`);
    assert.ok(m.loginForm > 0 && m.loginForm <= 2500, `login form ${m.loginForm} ms`);
    // The script and the styles came compressed.
    const assets = first.filter((a) => /\/assets\/.+\.(js|css)$/.test(a.url));
    assert.ok(assets.some((a) => a.url.endsWith('.js')) && assets.some((a) => a.url.endsWith('.css')), JSON.stringify(first));
    for (const a of assets) assert.ok(['br', 'gzip'].includes(a.encoding), `${a.url}: ${a.encoding}`);
    // Nothing only some roles use was fetched for the login.
    const extra = first.map((a) => chunkOf(a.url)).filter((c) => ON_DEMAND.includes(c));
    assert.deepEqual(extra, [], 'chunks fetched before login');
  } finally { await ctx.close(); }
});

// Logs username in on a normal link and returns the chunks the page fetched in its first seconds
// at home (the role's pages are fetched a second after the home page shows).
async function chunksAfterLogin(username) {
  const ctx = await chrome.browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
  const p = await ctx.newPage();
  const chunks = new Set();
  p.on('request', (r) => { const c = chunkOf(r.url()); if (c) chunks.add(c); });
  try {
    await p.goto(srv.url + '/');
    await p.getByLabel('Tên đăng nhập').fill(username);
    await p.getByLabel('Mật khẩu').fill('demo-password');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
    await p.waitForTimeout(2500);
    return { chunks, p, ctx };
  } catch (e) {
    await ctx.close();
    throw e;
  }
}

test('each role fetches its own pages after login, and no other role\'s', async () => {
  const expect = {
    // Training's live lectures use the video room's code, so the room comes with training.
    'demo.province-admin': { fetched: ['training', 'reports'], never: ['call', 'patients', 'visits', 'consults', 'queue'] },
    // The patient's record shows the queue's button for the station's staff, so its code comes along.
    'demo.patient': { fetched: ['patients', 'visits'], never: ['room', 'call', 'training', 'reports', 'consults'] },
    'demo.trainer': { fetched: ['training'], never: ['call', 'reports', 'patients', 'visits', 'consults', 'queue'] },
    'demo.commune': { fetched: ['patients', 'visits', 'consults', 'queue', 'training'], never: ['reports'] },
  };
  for (const [username, { fetched, never }] of Object.entries(expect)) {
    const { chunks, ctx } = await chunksAfterLogin(username);
    try {
      for (const c of fetched) assert.ok(chunks.has(c), `${username} did not fetch ${c}: ${[...chunks]}`);
      for (const c of never) assert.ok(!chunks.has(c), `${username} fetched ${c}: ${[...chunks]}`);
    } finally { await ctx.close(); }
  }
});

test('a page fetched on demand opens from its tile, and says so when the link is down', async () => {
  const { p, ctx } = await chunksAfterLogin('demo.trainer');
  try {
    await p.getByRole('link', { name: /Đào tạo/ }).first().click();
    await p.locator('main').getByRole('heading').first().waitFor();
    assert.match(new URL(p.url()).hash, /^#\/training/);
  } finally { await ctx.close(); }
  // Without the network and before the code came, the page says it could not load and offers a
  // retry that works once the link is back. (Without the service worker, which would fetch the
  // chunk itself, out of the test's reach.)
  const ctx2 = await chrome.browser.newContext({ viewport: PHONE, locale: 'vi-VN', serviceWorkers: 'block' });
  const p2 = await ctx2.newPage();
  try {
    await p2.route(/\/assets\/reports-.*\.js$/, (r) => r.abort('internetdisconnected'));
    await p2.goto(srv.url + '/');
    await p2.getByLabel('Tên đăng nhập').fill('demo.facility-admin');
    await p2.getByLabel('Mật khẩu').fill('demo-password');
    await p2.getByRole('button', { name: 'Đăng nhập' }).click();
    await p2.getByRole('heading', { name: /Xin chào/ }).waitFor();
    await p2.evaluate(() => { location.hash = '#/reports'; });
    await p2.getByRole('alert').getByText('Không kết nối được máy chủ. Kiểm tra mạng và thử lại.').waitFor();
    await p2.unroute(/\/assets\/reports-.*\.js$/);
    await p2.getByRole('button', { name: 'Thử lại' }).click();
    await p2.getByRole('heading', { name: /Báo cáo/ }).first().waitFor();
  } finally { await ctx2.close(); }
});
