// Calls in real Chromium: two pages with a fake camera and microphone join a visit, connect
// through ytexa's signaling and decode each other's video; the chat beside the call flows, with
// read receipts and presence; the same call relayed through a coturn started by the test, and an
// expired credential that gets no relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { startCoturn } from '../media/servers.mjs';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A video visit of the commune's patient with the provincial doctor, in progress.
async function liveVisit(srv) {
  const station = await login(srv, 'demo.commune');
  const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const p = await registerPatient(srv, station.token, { full_name: 'Thào Mí Sình', birth_year: 1979, sex: 'male' });
  const v = await api(srv, 'POST', '/api/v1/visits', { token: station.token, body: { patient_id: p.id, doctor_id: doctorId, mode: 'video', reason: 'Khó thở khi gắng sức' } });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  const s = await api(srv, 'POST', `/api/v1/visits/${v.body.id}/transitions`, { token: station.token, body: { to: 'in_progress' } });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  return v.body.id;
}

// What a call looks like from inside the page: connection state, frames decoded, the kind of
// the local candidate of the pair in use.
const callStats = (p) => p.evaluate(async () => {
  const c = window.__ytexaCall;
  if (!c?.pc) return null;
  const st = await c.pc.getStats();
  let frames = 0; let pair = null; let selected = null; const cands = {};
  st.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    if (s.type === 'transport' && s.selectedCandidatePairId) selected = st.get(s.selectedCandidatePairId);
    if (s.type === 'local-candidate') cands[s.id] = s.candidateType;
  });
  // The transport's selected pair is the one in use (after an ICE restart the old pair may
  // still be listed as nominated).
  pair = selected || pair;
  return { state: c.pc.connectionState, frames, local: pair ? cands[pair.localCandidateId] : null };
});

async function openCall(url, chrome, id) {
  const station = await session(chrome, url, 'demo.commune', { viewport: { width: 360, height: 740 } });
  const doctor = await session(chrome, url, 'demo.doctor');
  for (const { p } of [station, doctor]) {
    await p.goto(`${url}/#/visits/${id}`);
    await p.getByRole('button', { name: 'Gọi video' }).click();
  }
  for (const { p } of [station, doctor]) await p.locator('.call[data-state="connected"]').waitFor({ timeout: 20000 });
  return { station, doctor };
}

async function assertFramesRising(p, what) {
  // "connected" may come a moment before the first frame is decoded.
  let a = await callStats(p);
  for (let i = 0; i < 50 && !(a?.frames > 0); i++) { await sleep(200); a = await callStats(p); }
  await sleep(1500);
  const b = await callStats(p);
  assert.equal(b.state, 'connected', what);
  assert.ok(a.frames > 0 && b.frames > a.frames, `${what}: frames decoded ${a.frames} then ${b.frames}`);
  return b;
}

test('a video visit: two pages connect through ytexa signaling, decode video, chat beside the call', async () => {
  const env = await startWithBrowser({ media: true });
  try {
    const { srv, chrome } = env;
    const id = await liveVisit(srv);
    const { station, doctor } = await openCall(srv.url, chrome, id);
    await assertFramesRising(station.p, 'station');
    await assertFramesRising(doctor.p, 'doctor');
    await station.p.getByText(/kbps/).waitFor();
    // The chat beside the call: the station writes from the phone, the doctor reads it.
    await station.p.getByLabel('Tin nhắn').fill('Bệnh nhân Thào Mí Sình thở 28 lần/phút.');
    await station.p.getByRole('button', { name: 'Gửi', exact: true }).click();
    await doctor.p.locator('.messages li', { hasText: 'thở 28 lần/phút' }).waitFor();
    await station.p.locator('.messages li', { hasText: 'Đã xem' }).waitFor();
    // The doctor sees the station in the call; then the station drops off and the doctor sees it.
    await doctor.p.locator('.presence', { hasText: 'đang trong cuộc gọi' }).waitFor();
    await station.ctx.close();
    await doctor.p.locator('.presence', { hasText: 'đã rời' }).waitFor({ timeout: 10000 });
    assert.equal(srv.sql(`SELECT body FROM chat_messages m JOIN chat_threads t ON t.id = m.thread_id WHERE t.channel = 'visit:${id}'`), 'Bệnh nhân Thào Mí Sình thở 28 lần/phút.');
  } finally {
    await closeAll(env);
  }
});

test('the same call relayed through coturn only; an expired credential gets no relay', async () => {
  const secret = 'e2e-turn-secret-5d2a';
  const turn = await startCoturn({ secret });
  const env = await startWithBrowser({ media: true, extraArgs: ['--turn-urls', turn.url, '--turn-secret', secret, '--ice-relay-only'] });
  try {
    const { srv, chrome } = env;
    const id = await liveVisit(srv);
    const { station, doctor } = await openCall(srv.url, chrome, id);
    const s = await assertFramesRising(station.p, 'station via TURN');
    assert.equal(s.local, 'relay', 'the pair in use is relayed by coturn');
    await assertFramesRising(doctor.p, 'doctor via TURN');
    // An ICE restart (the phone moved from Wi-Fi to 3G) gathers with a fresh TURN credential on
    // both sides — the first one may have expired by then — and stays relay only.
    const fetched = { station: 0, doctor: 0 };
    for (const [who, { p }] of Object.entries({ station, doctor })) p.on('request', (r) => { if (r.url().endsWith('/api/v1/rtc/ice-servers')) fetched[who]++; });
    const iceConf = (p) => p.evaluate(() => { const c = window.__ytexaCall.pc.getConfiguration(); return { policy: c.iceTransportPolicy, users: c.iceServers.map((x) => x.username).join() }; });
    const first = await iceConf(doctor.p);
    await sleep(1100); // the credential's username is the second it expires
    await doctor.p.evaluate(() => window.__ytexaCall.restartIce());
    for (let i = 0; i < 50 && !(fetched.doctor && fetched.station); i++) await sleep(100);
    assert.deepEqual(fetched, { station: 1, doctor: 1 }, 'each side fetched a fresh credential for the restart');
    const fresh = await iceConf(doctor.p);
    assert.equal(fresh.policy, 'relay');
    assert.notEqual(fresh.users, first.users, 'the restart uses the new credential');
    assert.equal((await iceConf(station.p)).policy, 'relay');
    await sleep(2000);
    assert.equal((await assertFramesRising(station.p, 'station after the ICE restart')).local, 'relay');
    await assertFramesRising(doctor.p, 'doctor after the ICE restart');
    // A credential minted an hour and a half ago (the server's clock moved back) has expired:
    // coturn refuses the allocation, so no relay candidate appears and a relay-only call cannot start.
    const old = await api(srv, 'GET', '/api/v1/rtc/ice-servers', { token: (await login(srv, 'demo.doctor')).token });
    const gather = (servers) => doctor.p.evaluate(async (iceServers) => {
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
      pc.createDataChannel('x');
      const types = [];
      pc.onicecandidate = (e) => { if (e.candidate) types.push(e.candidate.type); };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((r) => setTimeout(r, 4000));
      pc.close();
      return types;
    }, servers);
    assert.ok((await gather(old.body.ice_servers)).includes('relay'), 'a fresh credential gets a relay candidate');
    const [, user] = old.body.ice_servers[0].username.split(':');
    const expiredName = `${Math.floor(Date.now() / 1000) - 5400}:${user}`;
    const { createHmac } = await import('node:crypto');
    const expired = [{ urls: [turn.url], username: expiredName, credential: createHmac('sha1', secret).update(expiredName).digest('base64') }];
    assert.deepEqual(await gather(expired), [], 'an expired credential gets none');
  } finally {
    await closeAll(env);
    await turn.stop();
  }
});

test('a call lost for good offers "Tiếp tục bằng tin nhắn": the page stays on the visit, the chat takes over', async () => {
  const env = await startWithBrowser({ media: true });
  try {
    const { srv, chrome } = env;
    const id = await liveVisit(srv);
    const { station, doctor } = await openCall(srv.url, chrome, id);
    await assertFramesRising(doctor.p, 'doctor');
    // The station's phone drops out without hanging up: no "bye", and the media path dies.
    await station.ctx.close();
    const p = doctor.p;
    const toChat = p.getByRole('button', { name: 'Tiếp tục bằng tin nhắn' });
    await toChat.waitFor({ timeout: 60000 });
    assert.equal(await p.locator('.call').getAttribute('data-state'), 'lost');
    await p.evaluate(() => window.scrollTo(0, 0));
    await toChat.click();
    // Still the visit, the call not ended by a route change, the chat in view and ready to type in.
    await p.waitForFunction(() => document.activeElement?.id === document.querySelector('#chat .send input')?.id && document.activeElement.id !== '', null, { polling: 100, timeout: 5000 });
    await p.waitForFunction(() => {
      const r = document.querySelector('#chat .send input').getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    }, null, { polling: 100, timeout: 5000 });
    assert.equal(await p.evaluate(() => location.hash), `#/visits/${id}`);
    assert.equal(await p.locator('.call').getAttribute('data-state'), 'lost');
    await p.keyboard.type('Mất hình, anh nhắn tin nhé.');
    await p.keyboard.press('Enter');
    await p.locator('.chat .messages li[data-seq]', { hasText: 'Mất hình, anh nhắn tin nhé.' }).waitFor();
    assert.equal(await p.evaluate(() => location.hash), `#/visits/${id}`);
  } finally {
    await closeAll(env);
  }
});
