// A consultation's multi-site room on a real Janus, from the web app. CTest runs this file in a
// private network namespace (tests/tests.cmake); Janus gathers no loopback candidates, so the
// test gives the namespace a veth pair and Janus its address, as ../shared/notes say. The
// commune station, the hub's chair and Bạch Mai's specialist enter the room with fake cameras:
// each page decodes the other two (one publisher seen by two subscribers, three times over).
// Everyone consents, the chair records and Janus writes the recording; a doctor of another
// facility cannot get in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { api, login, freePort } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startJanus } from '../media/servers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const IP = '10.77.0.1';

// What a page's room decodes: for each feed it subscribed to, frames decoded so far.
const decoded = (p) => p.evaluate(async () => {
  const r = window.__ytexaRoom;
  const out = {};
  for (const [feed, pc] of r?.subs || []) {
    const st = await pc.getStats();
    st.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') out[feed] = s.framesDecoded || 0; });
  }
  return out;
});

async function untilDecoding(p, feeds, what) {
  let last = {};
  for (let i = 0; i < 60; i++) {
    last = await decoded(p);
    if (Object.keys(last).length >= feeds && Object.values(last).every((n) => n > 0)) return last;
    await sleep(500);
  }
  throw new Error(`${what}: decoding ${JSON.stringify(last)}`);
}

test('three sites and a family member in a Janus room decode each other; recording with everyone\'s consent; another facility is kept out', async () => {
  assert.equal(process.env.YTEXA_NETNS, '1', 'run through ctest, which starts this file in its own network namespace');
  for (const args of [['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], ['addr', 'add', `${IP}/24`, 'dev', 'v0'],
    ['link', 'set', 'v0', 'up'], ['link', 'set', 'v1', 'up']]) execFileSync('ip', args);
  const tokenSecret = randomBytes(16).toString('hex');
  const adminKey = randomBytes(16).toString('hex');
  const recDir = mkdtempSync(join(tmpdir(), 'ytexa-rec-'));
  const janus = await startJanus({ ip: IP, port: await freePort(), tokenSecret, adminKey });
  let env;
  const pages = [];
  try {
    env = await startWithBrowser({
      media: true,
      extraArgs: ['--janus-url', janus.url, '--janus-public-url', janus.url, '--janus-token-secret', tokenSecret,
        '--janus-admin-key', adminKey, '--janus-rec-dir', recDir],
    });
    const { srv, chrome } = env;
    const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
    const S = {};
    for (const u of ['demo.commune', 'demo.doctor', 'demo.ministry-admin']) S[u] = await login(srv, u);
    const pt = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Giàng Thị Súa', birth_year: 1979, sex: 'female' });
    const c = await api(srv, 'POST', '/api/v1/consults', {
      token: S['demo.commune'].token,
      body: { patient_id: pt.id, summary: 'Vết thương bàn chân do tiểu đường, sưng đỏ, chảy dịch 5 ngày.', questions: ['Có cần cắt lọc ngay không?'],
        urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true },
    });
    const id = c.body.id;
    assert.equal((await api(srv, 'POST', `/api/v1/consults/${id}/accept`, { token: S['demo.doctor'].token, body: {} })).status, 200);
    assert.equal((await api(srv, 'POST', `/api/v1/consults/${id}/participants`, { token: S['demo.doctor'].token, body: { user_id: userId('demo.specialist'), role: 'specialist' } })).status, 200);

    for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist']) {
      const { p } = await session(chrome, srv.url, u, { viewport: u === 'demo.commune' ? { width: 360, height: 740 } : undefined });
      await p.goto(`${srv.url}/#/consults/${id}`);
      pages.push(p);
      await p.getByRole('button', { name: 'Vào phòng họp' }).click();
      await p.locator('.room[data-in-room="true"]').waitFor({ timeout: 15000 });
    }
    // The station invites the patient's husband, who has no account, and passes him the link.
    await pages[0].getByText('Mời người nhà hoặc phiên dịch').click();
    await pages[0].getByLabel('Họ tên').fill('Sùng A Lử');
    await pages[0].getByLabel('Là').selectOption('family');
    await pages[0].getByRole('button', { name: 'Tạo đường dẫn mời' }).click();
    const link = await pages[0].getByLabel('Đường dẫn mời').inputValue();
    assert.match(link, /\/#\/guest\/[A-Za-z0-9_-]{20,}$/);
    const gctx = await chrome.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    const guest = await gctx.newPage();
    pages.push(guest);
    await guest.goto(link);
    await guest.getByText('Bạn được mời vào phòng họp').waitFor();
    await guest.getByRole('button', { name: 'Vào phòng họp' }).click();
    await guest.locator('.room[data-in-room="true"]').waitFor({ timeout: 15000 });

    // Each page decodes the three others: the station's camera reaches the hub, Bạch Mai and the
    // husband; his reaches the doctors.
    const seen = [];
    for (const p of pages) seen.push(await untilDecoding(p, 3, 'a page'));
    await sleep(2000);
    for (const [i, p] of pages.entries()) {
      const now = await decoded(p);
      for (const [feed, n] of Object.entries(seen[i])) assert.ok(now[feed] > n, `frames keep coming (${n} → ${now[feed]})`);
    }
    for (const name of ['Lò Thị Mai', 'Trần Thị Bích Ngọc', 'Sùng A Lử (người nhà)']) await pages[1].locator('.tile figcaption', { hasText: name }).waitFor();

    // Recording: the chair cannot start it until everyone consented; then Janus records.
    const [station, chair, specialist, husband] = pages;
    await chair.getByRole('button', { name: 'Bắt đầu ghi hình' }).click();
    await chair.getByRole('alert').filter({ hasText: 'đồng ý ghi hình' }).waitFor();
    for (const p of pages) await p.getByLabel('Tôi đồng ý ghi hình').check();
    await sleep(300);
    await chair.getByRole('button', { name: 'Bắt đầu ghi hình' }).click();
    await station.getByText('● Đang ghi hình').waitFor({ timeout: 10000 });
    await sleep(3000);
    const files = readdirSync(recDir).filter((f) => f.endsWith('.mjr'));
    assert.ok(files.some((f) => f.includes('video')) && files.some((f) => f.includes('audio')), `recordings: ${files}`);
    assert.equal(srv.sql('SELECT COUNT(*) FROM rtc_recordings WHERE stopped_at IS NULL'), '1');
    assert.match(srv.sql('SELECT consents FROM rtc_recordings'), /Sùng A Lử/, 'the husband\'s consent is on the record');
    await husband.getByText('● Đang ghi hình').waitFor({ timeout: 10000 });
    // The specialist withdraws: the recording stops for everyone.
    await specialist.getByLabel('Tôi đồng ý ghi hình').uncheck();
    await chair.getByRole('button', { name: 'Bắt đầu ghi hình' }).waitFor({ timeout: 10000 });
    assert.equal(srv.sql('SELECT stop_reason FROM rtc_recordings'), 'consent_withdrawn');

    // A doctor of another facility sees no such case and gets no room.
    const other = await api(srv, 'POST', '/api/v1/users', {
      token: S['demo.ministry-admin'].token,
      body: { username: 'dongvan.doctor', full_name: 'Vàng Mí Chứ', password: 'Đồng Văn 2026 mật khẩu', role: 'doctor',
        facility_id: Number(srv.sql("SELECT id FROM facilities WHERE code = 'TTYT-DONGVAN'")), licence_no: '000777/HG-CCHN', practice_scope: ['general'] },
    });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const outsider = await login(srv, 'dongvan.doctor', 'Đồng Văn 2026 mật khẩu');
    assert.equal((await api(srv, 'POST', `/api/v1/consults/${id}/room`, { token: outsider.token, body: {} })).status, 404);
    const { p: op } = await session(chrome, srv.url, 'dongvan.doctor', { password: 'Đồng Văn 2026 mật khẩu' });
    await op.goto(`${srv.url}/#/consults/${id}`);
    await op.getByRole('alert').waitFor();
    assert.equal(await op.getByRole('button', { name: 'Vào phòng họp' }).count(), 0);

    // The chair closes the room: everyone is sent away.
    await chair.getByRole('button', { name: 'Đóng phòng họp' }).click();
    await chair.getByRole('button', { name: 'Vào phòng họp' }).waitFor();
  } catch (e) {
    console.error(janus.log().split('\n').slice(-40).join('\n'));
    for (const p of pages) console.error('page:', await p.locator('.room').innerText().catch(() => '?'));
    throw e;
  } finally {
    await closeAll(env || {});
    await janus.stop();
    rmSync(recDir, { recursive: true, force: true });
  }
});
