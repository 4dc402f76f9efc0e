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
  let frames = 0; let pair = null; const cands = {};
  st.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    if (s.type === 'local-candidate') cands[s.id] = s.candidateType;
  });
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
  const a = await callStats(p);
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
