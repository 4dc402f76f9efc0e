// Pages that stay live (issue 21, "Live"), in two browsers: the commune station on a phone and the
// provincial hospital's doctor on a desktop. What one side does shows on the other's open page
// without a reload — a new case in the hub's inbox; the case accepted, an opinion, the conclusion,
// the minutes signed on the station's case page; the visit started and its prescription signed on
// the station's visit page; a patient taking a number in the queue of another desk — and what was
// typed into a form on the page is still there after each refresh. A page whose socket dropped
// refetches once when it is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startWithBrowser, closeAll, session as signIn } from './lib.mjs';

let srv, chrome;
const S = {};
before(async () => {
  ({ srv, chrome } = await startWithBrowser());
  for (const u of ['demo.commune', 'demo.doctor']) S[u] = await login(srv, u);
});
after(() => closeAll({ srv, chrome }));

const PHONE = { width: 360, height: 740 };
const as = async (who, method, path, body) => {
  const r = await api(srv, method, path, { token: S[who].token, body });
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
// Marks the page's document, to tell later that it was never reloaded (a refetch keeps the mark).
const noReload = async (p) => { await p.evaluate(() => { window.liveMark = 1; }); return () => p.evaluate(() => window.liveMark === 1); };

test('the hub sees a new case arrive; the station\'s case page follows it to the signed minutes', async () => {
  const pt = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Hờ Thị Súa', birth_year: 1972, sex: 'female' });
  const hub = await signIn(chrome, srv.url, 'demo.doctor');
  const station = await signIn(chrome, srv.url, 'demo.commune', { viewport: PHONE });
  try {
    await hub.p.goto(`${srv.url}/#/consults`);
    await hub.p.getByRole('tab', { name: 'Ca cần hỗ trợ' }).waitFor();
    await hub.p.waitForLoadState('networkidle');
    const hubKept = await noReload(hub.p);
    // The station sends the case; the hub's open inbox shows it without a reload.
    const c = await as('demo.commune', 'POST', '/api/v1/consults', {
      patient_id: pt.id, summary: 'Ho ra máu 2 ngày, sốt nhẹ về chiều.', questions: ['Có cần chuyển tuyến ngay không?'],
      urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
    });
    await hub.p.getByText('Hờ Thị Súa').first().waitFor({ timeout: 10000 });

    await station.p.goto(`${srv.url}/#/consults/${c.id}`);
    await station.p.getByText('Chờ nhận', { exact: true }).waitFor();
    const stationKept = await noReload(station.p);
    // Something typed on the station's page stays through the refreshes.
    const typed = 'Bệnh nhân đã được đeo khẩu trang';
    await station.p.getByPlaceholder('Nhập tin nhắn…').fill(typed);

    // The hub accepts from its browser; the station's page says so.
    await hub.p.getByText('Hờ Thị Súa').first().click();
    await hub.p.getByRole('button', { name: 'Nhận ca' }).click();
    await hub.p.locator('.state[data-state="accepted"]').waitFor();
    await station.p.locator('.state[data-state="accepted"]', { hasText: 'Đã nhận' }).waitFor({ timeout: 10000 });

    const OPINION = 'Nghi lao phổi tái phát, cần soi đờm AFB.';
    await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/opinions`, { opinion: OPINION });
    await station.p.getByText(OPINION).waitFor({ timeout: 10000 });
    await station.p.locator('.state[data-state="answered"]').waitFor();

    const full = await as('demo.doctor', 'GET', `/api/v1/consults/${c.id}`);
    const CONCLUSION = 'Chuyển Bệnh viện Phổi tỉnh trong tuần.';
    await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/conclusion`, {
      answers: [{ question_id: full.questions[0].id, conclusion: CONCLUSION }], recommendation: 'transfer',
    });
    await station.p.getByText(CONCLUSION).waitFor({ timeout: 10000 });
    await station.p.locator('.state[data-state="concluded"]', { hasText: 'Đã kết luận' }).waitFor();

    await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/minutes`, {});
    await station.p.getByRole('link', { name: /Biên bản hội chẩn bản 1/ }).waitFor({ timeout: 10000 });

    assert.equal(await station.p.getByPlaceholder('Nhập tin nhắn…').inputValue(), typed, 'the typed text survived');
    assert.ok(await stationKept(), 'the station\'s page was never reloaded');
    assert.ok(await hubKept(), 'nor the hub\'s');
  } finally {
    await hub.ctx.close();
    await station.ctx.close();
  }
});

test('the station\'s visit page shows the visit started and the prescription signed; the queue follows another desk', async () => {
  const pt = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Vàng Thị Mai', birth_year: 1966, sex: 'female' });
  const v = await as('demo.commune', 'POST', '/api/v1/visits',
    { patient_id: pt.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Tăng huyết áp, tái khám' });
  await as('demo.commune', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'arrived' });
  const station = await signIn(chrome, srv.url, 'demo.commune', { viewport: PHONE });
  const desk = await signIn(chrome, srv.url, 'demo.commune');
  try {
    await station.p.goto(`${srv.url}/#/visits/${v.id}`);
    await station.p.getByText('Đã đến trạm').first().waitFor();
    const kept = await noReload(station.p);
    await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'in_progress' });
    await station.p.locator('.state', { hasText: 'Đang khám' }).waitFor({ timeout: 10000 });
    await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'I10', primary: true });
    const rx = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, {
      items: [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30, unit: 'viên' }],
    });
    await as('demo.doctor', 'POST', `/api/v1/prescriptions/${rx.id}/sign`);
    await station.p.getByRole('link', { name: /Tải đơn thuốc \(PDF\)/ }).waitFor({ timeout: 10000 });
    assert.ok(await kept(), 'never reloaded');

    // The queue: another desk gives a walk-in a number; this desk's open queue shows it.
    await desk.p.goto(`${srv.url}/#/queue`);
    await desk.p.getByText('Chưa có ai trong hàng đợi.').waitFor();
    await as('demo.commune', 'POST', '/api/v1/queue', { patient_id: pt.id, reason: 'Đo huyết áp' });
    await desk.p.getByRole('link', { name: 'Vàng Thị Mai' }).waitFor({ timeout: 10000 });
  } finally {
    await station.ctx.close();
    await desk.ctx.close();
  }
});

test('after its socket dropped, a page refetches once it is back: what changed meanwhile shows', async () => {
  const pt = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Thào Mí Pó', birth_year: 1990, sex: 'male' });
  const station = await signIn(chrome, srv.url, 'demo.commune', { viewport: PHONE });
  try {
    // The server's side of the page's WebSocket, so the test can cut it as a bad link does.
    let socket = null;
    await station.p.routeWebSocket(/\/ws$/, (ws) => { socket = ws; ws.connectToServer(); });
    const c = await as('demo.commune', 'POST', '/api/v1/consults', {
      patient_id: pt.id, summary: 'Đau bụng hạ sườn phải 3 ngày.', questions: ['Có cần siêu âm không?'],
      urgency: 'routine', specialty: 'imaging', kind: 'imaging', submit: true,
    });
    await station.p.goto(`${srv.url}/#/consults/${c.id}`);
    await station.p.reload(); // the socket opened before the route was set is replaced by a routed one
    await station.p.getByText('Chờ nhận', { exact: true }).waitFor();
    await station.p.waitForTimeout(500); // the join has gone
    assert.ok(socket, 'the page opened its socket');
    // The link drops, the hub accepts meanwhile (the event is lost), the link comes back.
    await socket.close({ code: 4000, reason: 'link lost' });
    await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/accept`, {});
    await station.p.locator('.state[data-state="accepted"]').waitFor({ timeout: 20000 });
  } finally {
    await station.ctx.close();
  }
});
