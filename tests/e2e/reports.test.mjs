// The administrators' dashboard (#/reports, docs/reports.md "The dashboard") in a real browser
// against the real server. Consultations are written straight into the database with times in
// November and October 2026 (as tests/api/reports.test.mjs does: the API stamps "now"):
//   November: 6 asked by the Lũng Cú station, 1 by TTYT Đồng Văn (both Tuyên Quang), 2 by the
//             Y Tý station (Lào Cai) → the country 9, Tuyên Quang 7, Lũng Cú 6;
//   October:  2 asked by Lũng Cú → the country's previous month 2, a change of +7.
// The ministry's administrator opens Báo cáo, picks November, reads 9 requested (+7 on October's
// 2), drills country → Tuyên Quang (7) → Lũng Cú (6) and back, turns the consultations chart into
// its table (6 in 11/2026) and downloads the CSV and the XLSX, which hold the same 6. Tuyên Quang's
// administrator lands on Tuyên Quang; a doctor has no Báo cáo tile and #/reports is not theirs;
// at 360 px the page does not scroll sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startWithBrowser, closeAll, session } from './lib.mjs';

let env;
const one = (q) => env.srv.sql(q).split('\n')[0];
const F = {};
const pages = [];

const SEED = [
  ...Array.from({ length: 6 }, (_, i) => ['TYT-LUNGCU', `2026-11-${String(3 + i).padStart(2, '0')}T02:00:00Z`]),
  ['TTYT-DONGVAN', '2026-11-12T02:00:00Z'],
  ['TYT-YTY', '2026-11-13T02:00:00Z'], ['TYT-YTY', '2026-11-14T02:00:00Z'],
  ['TYT-LUNGCU', '2026-10-10T02:00:00Z'], ['TYT-LUNGCU', '2026-10-11T02:00:00Z'],
];

before(async () => {
  env = await startWithBrowser();
  for (const code of ['TYT-LUNGCU', 'TTYT-DONGVAN', 'TYT-YTY']) F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const patient = one('SELECT MIN(id) FROM patients');
  const user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  env.srv.sql(SEED.map(([code, iso], i) => {
    const at = Date.parse(iso);
    return `INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `requested_at, created_at, updated_at) VALUES (${patient}, ${F[code]}, ${user}, 'seed ${i}', 'routine', 'internal', ` +
      `'general', 'requested', ${at}, ${at}, ${at});`;
  }).join('\n'));
});
after(async () => {
  for (const p of pages) await p.context().close().catch(() => {});
  await closeAll(env);
});

async function open(who, opts) {
  const { p } = await session(env.chrome, env.srv.url, who, opts);
  pages.push(p);
  return p;
}
// Waits until fn() is true (the figures arrive after a few requests).
async function until(fn, what) {
  for (let i = 0; i < 100; i++) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}
const headline = (p, label) => p.locator('.kpi').filter({ has: p.getByRole('heading', { name: label, exact: true }) });
async function requestedIs(p, n) {
  await until(async () => (await headline(p, 'Yêu cầu hội chẩn').locator('.value').textContent()) === String(n), `requested ${n}`);
}
async function november(p) {
  await p.getByRole('link', { name: /Báo cáo/ }).click();
  await p.getByRole('heading', { name: 'Báo cáo', level: 1 }).waitFor();
  await p.getByLabel('Tháng', { exact: true }).fill('2026-11');
}

test('the ministry: November\'s headline, the drill country → province → facility, a chart as a table, the CSV', async () => {
  const p = await open('demo.ministry-admin');
  // The reports the page asks for: the trends are one request each (by=month), not one a month.
  const asked = [];
  p.on('request', (q) => { if (q.url().includes('/api/v1/reports/')) asked.push(new URL(q.url())); });
  await november(p);
  await requestedIs(p, 9);
  await until(async () => asked.filter((u) => u.searchParams.get('by') === 'month').length >= 2, 'the two trends asked');
  const trends = asked.filter((u) => u.searchParams.get('by') === 'month' && u.searchParams.get('to') === '2026-11-30');
  assert.deepEqual(trends.map((u) => [u.pathname, u.searchParams.get('from')]).sort(),
    [['/api/v1/reports/consultations', '2025-12-01'], ['/api/v1/reports/visits', '2025-12-01']]);
  // Months asked one at a time are only a period shown (the month the page opens on, November)
  // and the one before it, never the twelve of a trend.
  const single = new Set(asked.map((u) => u.searchParams.get('period')).filter((x) => /^month:/.test(x ?? '')));
  assert.ok(single.size <= 3, [...single].join(' '));
  assert.match(await headline(p, 'Yêu cầu hội chẩn').locator('.delta').textContent(), /^\+7 \(\+350 %\) so với kỳ trước \(2\)$/);
  assert.equal(await p.locator('.crumbs [aria-current="page"]').textContent(), 'Việt Nam');

  const province = one(`SELECT a.name FROM admin_units a JOIN facilities f ON f.province_id = a.id WHERE f.id = ${F['TYT-LUNGCU']}`);
  const table = p.getByRole('table', { name: 'Theo địa bàn' });
  const requestedCell = (name) => table.getByRole('row').filter({ has: p.getByRole('rowheader', { name, exact: true }) }).getByRole('cell').first();
  assert.equal(await requestedCell(province).textContent(), '7');
  await table.getByRole('button', { name: province, exact: true }).click();
  await requestedIs(p, 7);
  assert.equal(await p.locator('.crumbs [aria-current="page"]').textContent(), province);
  const lungcu = one(`SELECT name FROM facilities WHERE id = ${F['TYT-LUNGCU']}`);
  assert.equal(await requestedCell(lungcu).textContent(), '6');
  await table.getByRole('button', { name: lungcu, exact: true }).click();
  await requestedIs(p, 6);
  assert.equal(await p.locator('.crumbs [aria-current="page"]').textContent(), lungcu);

  // The view is in the address: a reload opens Lũng Cú in November again, the breadcrumb named
  // from the answers; Back climbs to the province, Forward returns.
  assert.match(p.url(), new RegExp(`#/reports\\?period=month%3A2026-11&province=\\d+&facility=${F['TYT-LUNGCU']}$`));
  await p.reload();
  await requestedIs(p, 6);
  await until(async () => (await p.locator('.crumbs li').allTextContents()).join(' / ') === `Việt Nam / ${province} / ${lungcu}`, 'the breadcrumb after a reload');
  assert.equal(await p.getByLabel('Tháng', { exact: true }).inputValue(), '2026-11');
  await p.goBack();
  await requestedIs(p, 7);
  assert.equal(await p.locator('.crumbs [aria-current="page"]').textContent(), province);
  await p.goForward();
  await requestedIs(p, 6);
  assert.equal(await p.locator('.crumbs [aria-current="page"]').textContent(), lungcu);

  // The consultations chart as its table: November's row holds the 6.
  const trend = p.locator('.trend').filter({ has: p.getByRole('heading', { name: 'Hội chẩn theo tháng' }) });
  await trend.locator('.ct-line').first().waitFor();
  await trend.getByRole('button', { name: 'Xem dạng bảng' }).click();
  const nov = trend.getByRole('row').filter({ has: p.getByRole('rowheader', { name: '11/2026' }) });
  assert.deepEqual(await nov.getByRole('cell').allTextContents(), ['6', '0']); // requested, concluded
  assert.deepEqual(await trend.getByRole('row').filter({ has: p.getByRole('rowheader', { name: '10/2026' }) }).getByRole('cell').allTextContents(), ['2', '0']);

  // The CSV of the consultations, as the page stands (Lũng Cú, November): the same 6.
  const link = p.locator('.downloads li').filter({ hasText: 'Hội chẩn từ xa' }).getByRole('link', { name: 'CSV' });
  const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'bao-cao-hoi-chan-2026-11.csv');
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').split('\r\n');
  assert.match(lines[0], /^"Nhóm","Yêu cầu hội chẩn",/);
  assert.match(lines.find((l) => l.startsWith('"Tổng cộng"')), /^"Tổng cộng",6,/);
  assert.match(lines.find((l) => l.startsWith(`"${lungcu}"`)), new RegExp(`^"${lungcu}",6,`));

  // The XLSX of the same page: its totals row holds 6 requested, as a number cell.
  const xlsxLink = p.locator('.downloads li').filter({ hasText: 'Hội chẩn từ xa' }).getByRole('link', { name: 'XLSX' });
  const [book] = await Promise.all([p.waitForEvent('download'), xlsxLink.click()]);
  assert.equal(book.suggestedFilename(), 'bao-cao-hoi-chan-2026-11.xlsx');
  const bookPath = await book.path();
  const part = (name) => execFileSync('unzip', ['-p', bookPath, name], { encoding: 'utf8' });
  const strings = [...part('xl/sharedStrings.xml').matchAll(/<si><t[^>]*>([^<]*)<\/t><\/si>/g)].map((m) => m[1]);
  const rows = [...part('xl/worksheets/sheet1.xml').matchAll(/<row [^>]*>(.*?)<\/row>/g)].map((m) =>
    [...m[1].matchAll(/<c ([^>]*?)(?:\/>|>(?:<v>([^<]*)<\/v>)?<\/c>)/g)].map((c) => (/t="s"/.test(c[1]) ? strings[Number(c[2])] : /t="/.test(c[1]) ? `text:${c[2]}` : Number(c[2]))));
  assert.equal(rows[0][1], 'Yêu cầu hội chẩn');
  const totals = rows.find((r) => r[0] === 'Tổng cộng');
  assert.ok(totals, 'a totals row in the workbook');
  assert.equal(totals[1], 6);
  assert.equal(rows.find((r) => r[0] === lungcu)[1], 6);

  // Back to the country by the breadcrumb.
  await p.locator('.crumbs').getByRole('button', { name: 'Việt Nam' }).click();
  await requestedIs(p, 9);
});

test('Tuyên Quang\'s administrator lands on Tuyên Quang; a doctor has no Báo cáo', async () => {
  const p = await open('demo.province-admin');
  await november(p);
  await requestedIs(p, 7);
  const province = one(`SELECT a.name FROM admin_units a JOIN facilities f ON f.province_id = a.id WHERE f.id = ${F['TYT-LUNGCU']}`);
  assert.equal(await p.locator('.crumbs [aria-current="page"]').textContent(), province);

  const doctor = await open('demo.doctor');
  assert.equal(await doctor.locator('.tiles').getByText('Báo cáo').count(), 0);
  await doctor.goto(`${env.srv.url}/#/reports`);
  await doctor.getByRole('heading', { name: /Xin chào/ }).waitFor();
  assert.equal(await doctor.getByRole('heading', { name: 'Báo cáo' }).count(), 0);
});

test('at 360 px the dashboard has no horizontal scroll: wide tables scroll inside their box', async () => {
  const p = await open('demo.ministry-admin', { viewport: { width: 360, height: 740 } });
  await november(p);
  await requestedIs(p, 9);
  await p.getByRole('button', { name: 'Xem dạng bảng' }).first().click();
  const [scrollWidth, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= width, `page ${scrollWidth} px wide in a ${width} px window`);
  const table = await p.getByRole('table', { name: 'Theo địa bàn' }).evaluate((t) => [t.parentElement.scrollWidth, t.parentElement.clientWidth]);
  assert.ok(table[1] <= width, 'the table box fits the window');
});
