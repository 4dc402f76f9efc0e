// Writing without a network (issue 21, "Offline"; docs/web.md, "Offline writes"), in Chromium on a
// 360 px phone as the commune station: offline, register a patient, record their consent, enter
// vitals on an open visit, write a consultation draft for the new patient, register someone whose
// name and year duplicate a patient already in the registry (and a draft for them); reload the page
// still offline and find everything listed; back online, each record is in the database once, and
// the duplicate waits with its candidates until the user says who it is (both answers, two runs).
// Also: a refused entry is edited and sent again under a new key, or discarded after asking; a
// request whose answer was lost is sent again under the same key and stored once; logging
// out empties the outbox; another account's entries are neither listed nor sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startWithBrowser, closeAll, OUT } from './lib.mjs';

let srv, chrome, station;
const PHONE = { width: 360, height: 740 };

before(async () => {
  ({ srv, chrome } = await startWithBrowser());
  station = await login(srv, 'demo.commune');
});
after(() => closeAll({ srv, chrome }));

const ok = async (method, path, body) => {
  const r = await api(srv, method, path, { token: station.token, body });
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const count = (q) => Number(srv.sql(q));
const esc = (s) => s.replace(/'/g, "''");
const named = (name) => count(`SELECT COUNT(*) FROM patients WHERE full_name = '${esc(name)}'`);
const idOf = (name) => Number(srv.sql(`SELECT id FROM patients WHERE full_name = '${esc(name)}' ORDER BY id DESC LIMIT 1`));
// What the outbox's database holds, read in the page.
const stored = (p) =>
  p.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('ytexa-outbox', 1);
        req.onupgradeneeded = () => {
          req.result.createObjectStore('entries', { keyPath: 'id', autoIncrement: true });
          req.result.createObjectStore('meta');
        };
        req.onsuccess = () => {
          const get = req.result.transaction('entries').objectStore('entries').getAll();
          get.onsuccess = () => {
            req.result.close();
            resolve(get.result);
          };
          get.onerror = () => reject(get.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );

async function phone(options = {}) {
  const ctx = await chrome.browser.newContext({ viewport: PHONE, locale: 'vi-VN', ...options });
  const p = await ctx.newPage();
  await p.goto(srv.url + '/');
  await p.getByLabel('Tên đăng nhập').fill('demo.commune');
  await p.getByLabel('Mật khẩu').fill('demo-password');
  await p.getByRole('button', { name: 'Đăng nhập' }).click();
  await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
  return { p, ctx };
}

async function register(p, name, year) {
  await p.goto(`${srv.url}/#/patients/new`);
  await p.getByLabel('Họ và tên').fill(name);
  await p.getByLabel('hoặc chỉ năm sinh').fill(String(year));
  await p.getByLabel('Nữ', { exact: true }).check();
  await p.getByRole('button', { name: 'Lưu' }).click();
  await p.getByRole('heading', { name }).waitFor();
}

// A consultation draft for the patient whose page is open (registered offline).
async function draft(p, summary) {
  await p.getByRole('link', { name: 'Gửi ca hội chẩn' }).click();
  await p.getByLabel('Tóm tắt bệnh án').fill(summary);
  await p.getByLabel('Câu hỏi 1').fill('Cần chụp X-quang phổi không?');
  await p.getByRole('button', { name: 'Lưu nháp' }).click();
  await p.getByRole('status').filter({ hasText: 'Đã lưu, sẽ gửi khi có mạng' }).waitFor();
}

async function offlineDay(answer) {
  const tag = answer === 'existing' ? 'một' : 'hai';
  const NEW = answer === 'existing' ? 'Mùa Thị Dở' : 'Sùng Thị Mỷ';
  const DUP = answer === 'existing' ? 'Lý Thị Mai' : 'Lò Thị Pằng';
  const YEAR = answer === 'existing' ? 1990 : 1985;
  // Already in the registry: the person the duplicate is about, and a patient in an open visit.
  const known = await registerPatient(srv, station.token, { full_name: DUP, birth_year: YEAR, sex: 'female' });
  const seen = await registerPatient(srv, station.token, { full_name: `Giàng Văn Khám ${tag}`, birth_year: 1970, sex: 'male' });
  const doctor = Number(srv.sql(`SELECT id FROM users WHERE username = 'demo.doctor'`));
  const visit = await ok('POST', '/api/v1/visits', { patient_id: seen.id, doctor_id: doctor, mode: 'chat', reason: 'Ho kéo dài, sốt nhẹ' });
  await ok('POST', `/api/v1/visits/${visit.id}/transitions`, { to: 'in_progress' });

  const { p, ctx } = await phone();
  try {
    // Online first: the shell is kept by the service worker, the pages' code is loaded.
    await p.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
    });
    await p.goto(`${srv.url}/#/consults/new`);
    await p.getByLabel('Chuyên khoa').locator('option').first().waitFor({ state: 'attached' });
    await p.goto(`${srv.url}/#/patients`);
    await p.getByRole('link', { name: 'Đăng ký người bệnh' }).waitFor();
    await p.goto(`${srv.url}/#/visits/${visit.id}`);
    await p.getByRole('button', { name: 'Lưu chỉ số' }).waitFor();

    await ctx.setOffline(true);
    // Vitals on the open visit.
    await p.getByLabel('HA tâm thu (mmHg)').fill('142');
    await p.getByLabel('HA tâm trương (mmHg)').fill('88');
    await p.getByLabel('Nhiệt độ (°C)').fill('37,9');
    await p.getByRole('button', { name: 'Lưu chỉ số' }).click();
    await p.getByRole('status').filter({ hasText: 'Đã lưu, sẽ gửi khi có mạng' }).waitFor();
    await p.locator('.ob-pending li', { hasText: 'chờ gửi' }).waitFor();
    // Ending the visit needs the server now: the button says so instead of failing.
    const finish = p.getByRole('button', { name: 'Kết thúc khám' });
    assert.ok(await finish.isDisabled());
    assert.equal(await finish.getAttribute('title'), 'Cần có mạng');
    await p.locator('.needs-net-note', { hasText: 'Cần có mạng' }).waitFor();
    // A new patient, their consent and a consultation draft for them.
    await register(p, NEW, 1995);
    assert.match(new URL(p.url()).hash, /^#\/patients\/local-\d+$/);
    await p.getByText('Đã lưu, sẽ gửi khi có mạng').waitFor();
    await p.getByLabel('Tên người làm chứng').fill('Lò Văn Sử');
    await p.getByRole('button', { name: 'Lưu đồng ý' }).click();
    await p.locator('.ob-pending li', { hasText: 'Đồng ý xử lý dữ liệu sức khỏe' }).waitFor();
    await draft(p, `Ho ra máu hai tuần, sốt về chiều (${tag})`);
    // The registry shows her, waiting.
    await p.goto(`${srv.url}/#/patients`);
    await p.locator('.ob-patients li', { hasText: NEW }).getByText('chờ gửi').waitFor();
    // Someone whose name and year are already in the registry, and a draft for them.
    await register(p, DUP, YEAR);
    await draft(p, `Đau bụng vùng thượng vị, nôn (${tag})`);

    await p.goto(`${srv.url}/#/outbox`);
    await p.getByRole('heading', { name: 'Đang chờ gửi' }).waitFor();
    await p.locator('.outbox-count', { hasText: 'Chờ gửi: 7' }).waitFor();
    await p.screenshot({ path: `${OUT}outbox-offline.png`, fullPage: true });
    // Reloaded without a network: everything is still there.
    await p.reload();
    await p.locator('.ob-entry').nth(6).waitFor();
    assert.equal(await p.locator('.ob-entry').count(), 7);
    assert.equal(await p.locator('.ob-entry', { hasText: 'Đăng ký người bệnh' }).count(), 2);
    assert.equal(named(NEW), 0);
    assert.equal((await stored(p)).length, 7);
    // "Send now" cannot send without a network: disabled, and says why.
    assert.ok(await p.getByRole('button', { name: 'Gửi ngay' }).isDisabled());

    // Back online: sent in order, each once; the duplicate waits, with the draft typed for her.
    await ctx.setOffline(false);
    await p.reload();
    await p.locator('.outbox-count', { hasText: 'Chờ gửi: 2 · 1 không gửi được' }).waitFor({ timeout: 20000 });
    const fresh = idOf(NEW);
    assert.equal(named(NEW), 1);
    assert.equal(count(`SELECT COUNT(*) FROM consents WHERE patient_id = ${fresh} AND withdrawn_at IS NULL`), 2);
    assert.equal(srv.sql(`SELECT systolic || ' ' || diastolic || ' ' || temperature FROM vitals WHERE visit_id = ${visit.id}`), '142 88 37.9');
    assert.equal(srv.sql(`SELECT state || ' ' || summary FROM consults WHERE patient_id = ${fresh}`), `draft Ho ra máu hai tuần, sốt về chiều (${tag})`);
    assert.equal(named(DUP), 1);

    await p.goto(`${srv.url}/#/outbox`);
    const failed = p.locator('.ob-entry[data-state=failed]');
    await failed.waitFor();
    assert.match(await failed.textContent(), /không gửi được/);
    assert.equal(await failed.locator('p.error').textContent(), 'Người này có thể đã có trong sổ');
    const candidate = failed.locator('.ob-candidates li', { hasText: DUP });
    await candidate.waitFor();
    await p.locator('.ob-entry', { hasText: 'gửi sau khi người bệnh được đăng ký' }).waitFor();
    await p.screenshot({ path: `${OUT}outbox-duplicate.png`, fullPage: true });

    if (answer === 'existing') {
      await candidate.getByRole('button', { name: 'Đây là người đã có' }).click();
      await p.getByText('Không có gì chờ gửi.').waitFor({ timeout: 20000 });
      assert.equal(named(DUP), 1);
      assert.equal(srv.sql(`SELECT summary FROM consults WHERE patient_id = ${known.id}`), `Đau bụng vùng thượng vị, nôn (${tag})`);
    } else {
      await p.getByRole('button', { name: 'Vẫn đăng ký mới' }).click();
      await p.getByText('Không có gì chờ gửi.').waitFor({ timeout: 20000 });
      assert.equal(named(DUP), 2);
      const second = idOf(DUP);
      assert.notEqual(second, known.id);
      assert.equal(count(`SELECT COUNT(*) FROM consults WHERE patient_id = ${known.id}`), 0);
      assert.equal(srv.sql(`SELECT summary FROM consults WHERE patient_id = ${second}`), `Đau bụng vùng thượng vị, nôn (${tag})`);
    }
    assert.equal(await p.locator('.outbox-count').count(), 0);
    assert.equal((await stored(p)).length, 0);
    // Nothing was stored twice.
    assert.equal(named(NEW), 1);
    assert.equal(count(`SELECT COUNT(*) FROM vitals WHERE visit_id = ${visit.id}`), 1);
    assert.equal(count(`SELECT COUNT(*) FROM consents WHERE patient_id = ${fresh}`), 2);
  } finally {
    await ctx.close();
  }
}

test('offline on a phone: four forms kept through a reload, sent once each; the duplicate is the person already registered', () => offlineDay('existing'));
test('offline on a phone: the duplicate is a new person, registered with allow_duplicate under a new key', () => offlineDay('new'));

test('a refused entry is edited and sent again under a new key, or discarded after a confirmation', async () => {
  const seen = await registerPatient(srv, station.token, { full_name: 'Hầu Văn Sửa', birth_year: 1966, sex: 'male' });
  const doctor = Number(srv.sql(`SELECT id FROM users WHERE username = 'demo.doctor'`));
  const visit = await ok('POST', '/api/v1/visits', { patient_id: seen.id, doctor_id: doctor, mode: 'chat', reason: 'Tức ngực khi gắng sức' });
  await ok('POST', `/api/v1/visits/${visit.id}/transitions`, { to: 'in_progress' });
  const { p, ctx } = await phone();
  try {
    await p.goto(`${srv.url}/#/visits/${visit.id}`);
    await p.getByRole('button', { name: 'Lưu chỉ số' }).waitFor();
    await ctx.setOffline(true);
    // A pressure without its other half, twice: the server refuses both when the link returns.
    for (const v of ['150', '151']) {
      await p.getByLabel('HA tâm thu (mmHg)').fill(v);
      await p.getByRole('button', { name: 'Lưu chỉ số' }).click();
      await p.locator('.ob-pending li').nth(v === '150' ? 0 : 1).waitFor();
    }
    const keys = [];
    p.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/vitals') && keys.push(r.headers()['idempotency-key']));
    await ctx.setOffline(false);
    await p.locator('.outbox-count', { hasText: 'Chờ gửi: 2 · 2 không gửi được' }).waitFor({ timeout: 20000 });
    assert.equal(count(`SELECT COUNT(*) FROM vitals WHERE visit_id = ${visit.id}`), 0);
    await p.locator('.outbox-count').click();
    const [first, second] = [p.locator('.ob-entry').nth(0), p.locator('.ob-entry').nth(1)];
    assert.equal(await first.locator('p.error').textContent(), 'Hãy nhập HA tâm trương');
    // Edited: the reason next to the field it names, the value as typed, sent under a new key.
    await first.getByRole('button', { name: 'Sửa và gửi lại' }).click();
    assert.equal(await first.getByLabel('HA tâm thu').inputValue(), '150');
    assert.ok(await first.locator('#' + (await first.getByLabel('HA tâm trương').getAttribute('id')) + '-error').isVisible());
    await first.getByLabel('HA tâm trương').fill('95');
    await first.getByLabel('Nhiệt độ').fill('36,6');
    await first.getByRole('button', { name: 'Gửi lại' }).click();
    await p.locator('.outbox-count', { hasText: 'Chờ gửi: 1 · 1 không gửi được' }).waitFor({ timeout: 20000 });
    assert.equal(srv.sql(`SELECT systolic || ' ' || diastolic || ' ' || temperature FROM vitals WHERE visit_id = ${visit.id}`), '150 95 36.6');
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 3, 'the edited entry went under a key of its own');
    // Discarded: asked first; "Giữ lại" keeps it, "Bỏ hẳn" drops it and nothing is sent.
    const left = p.locator('.ob-entry').first();
    await left.getByRole('button', { name: 'Bỏ mục này' }).click();
    await left.getByRole('alertdialog').getByText('Bỏ hẳn mục này? Những gì đã nhập sẽ mất.').waitFor();
    await left.getByRole('button', { name: 'Giữ lại' }).click();
    assert.equal((await stored(p)).length, 1);
    await left.getByRole('button', { name: 'Bỏ mục này' }).click();
    await left.getByRole('button', { name: 'Bỏ hẳn' }).click();
    await p.getByText('Không có gì chờ gửi.').waitFor();
    assert.equal((await stored(p)).length, 0);
    assert.equal(count(`SELECT COUNT(*) FROM vitals WHERE visit_id = ${visit.id}`), 1);
  } finally {
    await ctx.close();
  }
});

test('an answer lost on the way back: the registration is sent again under the same key and stored once', async () => {
  // Without the service worker, so that the test's own hand sits between the page and the server.
  const { p, ctx } = await phone({ serviceWorkers: 'block' });
  const NAME = 'Thào Thị Lử';
  try {
    const keys = [];
    p.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/patients' && keys.push(r.headers()['idempotency-key']));
    // The server takes the registration and answers; the answer never reaches the page.
    let cut = true;
    await p.route('**/api/v1/patients', async (route) => {
      if (route.request().method() !== 'POST' || !cut) return route.fallback();
      cut = false;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await register(p, NAME, 1979);
    assert.match(new URL(p.url()).hash, /^#\/patients\/local-\d+$/);
    assert.equal(named(NAME), 1, 'the server stored the first sending');
    // The link comes back (the browser's online event): sent again, the server replays its answer.
    await ctx.setOffline(true);
    await ctx.setOffline(false);
    await p.waitForFunction(() => !document.querySelector('.outbox-count'), null, { timeout: 20000 });
    assert.equal(keys.length, 2);
    assert.ok(keys[0] && keys[0] === keys[1], `the same key twice: ${keys}`);
    assert.equal(named(NAME), 1);
    // The page open on her follows her to the record the server keeps.
    await p.waitForFunction((id) => location.hash === `#/patients/${id}`, idOf(NAME));
    await p.getByRole('heading', { name: NAME }).waitFor();
    assert.equal((await stored(p)).length, 0);
  } finally {
    await ctx.close();
  }
});

test("another user's entries on this phone are neither listed nor sent under this session", async () => {
  const { p, ctx } = await phone();
  const OTHER = 'Người Của Tài Khoản Khác';
  const MINE = 'Chẩu Thị Mình';
  try {
    // Left by another account (a session that ended elsewhere keeps its entries for its user).
    await p.evaluate(
      (name) =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open('ytexa-outbox', 1);
          req.onsuccess = () => {
            const tx = req.result.transaction('entries', 'readwrite');
            tx.objectStore('entries').put({
              created_at: Date.now(), user_id: 999999, kind: 'patient', method: 'POST', path: '/api/v1/patients',
              body: { full_name: name, birth_year: 1980, sex: 'male' }, key: 'key-of-another-user', label: name, state: 'waiting', error: null,
            });
            tx.oncomplete = () => { req.result.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
          };
          req.onerror = () => reject(req.error);
        }),
      OTHER,
    );
    await p.reload();
    await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
    await p.goto(`${srv.url}/#/patients`);
    await p.getByRole('link', { name: 'Đăng ký người bệnh' }).waitFor();
    assert.equal(await p.locator('.outbox-count').count(), 0);
    // This user's own entry, typed after it, is sent; the other one is not.
    await ctx.setOffline(true);
    await register(p, MINE, 1999);
    await p.locator('.outbox-count', { hasText: 'Chờ gửi: 1' }).waitFor();
    await p.goto(`${srv.url}/#/outbox`);
    assert.equal(await p.locator('.ob-entry').count(), 1);
    await ctx.setOffline(false);
    await p.getByText('Không có gì chờ gửi.').waitFor({ timeout: 20000 });
    assert.equal(named(MINE), 1);
    assert.equal(named(OTHER), 0);
    assert.deepEqual((await stored(p)).map((e) => e.label), [OTHER]);
  } finally {
    await ctx.close();
  }
});

test('logging out empties the outbox: nothing typed is kept or sent after', async () => {
  const { p, ctx } = await phone();
  const NAME = 'Vàng Thị Chớ';
  try {
    await p.goto(`${srv.url}/#/patients`);
    await p.getByRole('link', { name: 'Đăng ký người bệnh' }).waitFor();
    await ctx.setOffline(true);
    await register(p, NAME, 2001);
    await p.locator('.outbox-count', { hasText: 'Chờ gửi: 1' }).waitFor();
    assert.equal((await stored(p)).length, 1);
    // The user leaves before the link returns: the app says what is lost first.
    await p.getByRole('button', { name: 'Đăng xuất' }).click();
    await p.getByRole('alertdialog').getByText('1 mục chưa gửi sẽ bị xoá khỏi máy này khi đăng xuất.').waitFor();
    await p.getByRole('button', { name: 'Vẫn đăng xuất' }).click();
    await p.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    assert.equal((await stored(p)).length, 0);
    // Back online, the app ends the old session on the server; that answer (which clears the
    // cookie) comes late here, after the next login has started: it must not end the new session.
    let held, answered;
    const sent = new Promise((r) => (held = r));
    const late = new Promise((r) => (answered = r));
    await p.route('**/api/v1/auth/logout', async (route) => {
      const answer = await route.fetch();
      held();
      await new Promise((r) => setTimeout(r, 1500));
      await route.fulfill({ response: answer });
      answered();
    });
    await ctx.setOffline(false);
    await sent;
    // Whoever logs in next finds nothing waiting, and nothing is sent for them.
    await p.getByLabel('Tên đăng nhập').fill('demo.commune');
    await p.getByLabel('Mật khẩu').fill('demo-password');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
    // The old session's late answer came and went: the new one is still signed in (its socket too).
    await late;
    await p.goto(`${srv.url}/#/patients`);
    await p.getByRole('link', { name: 'Đăng ký người bệnh' }).waitFor();
    assert.equal(await p.evaluate(async () => (await fetch('/api/v1/me')).status), 200);
    assert.equal(await p.locator('.outbox-count').count(), 0);
    assert.equal(named(NAME), 0);
  } finally {
    await ctx.close();
  }
});
