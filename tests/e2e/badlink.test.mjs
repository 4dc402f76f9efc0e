// A call from a mountain station over the link it actually has. The station's page reaches ytexa
// through a link emulator and its media reaches coturn through another (tests/media/badlink.mjs:
// this kernel has no netem, so the emulation is in user space, with netem's parameters exactly);
// the doctor is on a good link. The call is relayed (--ice-relay-only), so all the station's
// media crosses its link once each way. Once the call is up with video, the link drops to
// 200 kbit/s with 300 ms delay and 5 % loss: the call must drop video by itself on both sides,
// stay up on audio, and the chat must still flow. Then the link goes down for ten seconds: the
// call says it is reconnecting and comes back by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { api, login, freePort } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startCoturn } from '../media/servers.mjs';
import { udpLink, tcpLink } from '../media/badlink.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const audioStats = (p) => p.evaluate(async () => {
  const c = window.__ytexaCall;
  const st = await c.pc.getStats();
  let packets = 0;
  let selected = null;
  st.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') packets = s.packetsReceived;
    if (s.type === 'transport' && s.selectedCandidatePairId) selected = s.selectedCandidatePairId;
  });
  // The pair in use now (an earlier pair may still say succeeded after an ICE restart).
  const pair = selected ? st.get(selected) : null;
  return { state: c.pc.connectionState, packets, rtt: pair?.currentRoundTripTime };
});

test('at 200 kbit/s, 300 ms and 5 % loss the call falls back to audio and stays up; chat still flows', async () => {
  const secret = randomBytes(16).toString('hex');
  const coturn = await startCoturn({ secret });
  const turnPort = Number(/:(\d+)\?/.exec(coturn.url)[1]);
  const media = await udpLink({ port: turnPort + 5, target: { host: '127.0.0.1', port: turnPort } });
  let env, web;
  try {
    env = await startWithBrowser({ media: true, extraArgs: ['--turn-urls', coturn.url, '--turn-secret', secret, '--ice-relay-only'] });
    const { srv, chrome } = env;
    web = await tcpLink({ port: await freePort(), target: { host: '127.0.0.1', port: srv.port } });
    const station = await login(srv, 'demo.commune');
    const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
    const pt = await registerPatient(srv, station.token, { full_name: 'Vừ Thị Pà', birth_year: 1990, sex: 'female' });
    const v = await api(srv, 'POST', '/api/v1/visits', { token: station.token, body: { patient_id: pt.id, doctor_id: doctorId, mode: 'video', reason: 'Khám thai tháng thứ 6' } });
    await api(srv, 'POST', `/api/v1/visits/${v.body.id}/transitions`, { token: station.token, body: { to: 'in_progress' } });
    // The station's page: through its link. Its TURN server is the same coturn, reached through
    // the media link (the credential is coturn's, whatever the path).
    const a = await session(chrome, web.url, 'demo.commune', { viewport: { width: 360, height: 740 } });
    await a.ctx.route('**/api/v1/rtc/ice-servers', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      for (const s of body.ice_servers) s.urls = s.urls.map((u) => u.replace(coturn.url, media.url));
      await route.fulfill({ response: res, json: body });
    });
    const b = await session(chrome, srv.url, 'demo.doctor');
    for (const [{ p }, origin] of [[a, web.url], [b, srv.url]]) {
      await p.goto(`${origin}/#/visits/${v.body.id}`);
      await p.getByRole('button', { name: 'Gọi video' }).click();
    }
    for (const { p } of [a, b]) await p.locator('.call[data-state="connected"]').waitFor({ timeout: 20000 });
    await sleep(3000);
    assert.ok(media.stats.sent > 300, `the station's media crosses its link (${media.stats.sent} packets)`);

    media.set({ delayMs: 300, loss: 0.05, rateKbps: 200 });
    web.set({ delayMs: 300, rateKbps: 200 });

    // Video goes by itself on both sides (one measures, the other is told).
    for (const { p } of [a, b]) await p.locator('.call-state', { hasText: 'Chỉ âm thanh' }).waitFor({ timeout: 45000 });
    assert.match(await a.p.locator('.call-state').innerText() + await b.p.locator('.call-state').innerText(), /đường truyền yếu/);
    // And the call stays up on audio, over the slow path.
    const s1 = await audioStats(b.p);
    await sleep(5000);
    const s2 = await audioStats(b.p);
    assert.equal(s2.state, 'connected');
    assert.ok(s2.packets > s1.packets + 50, `audio packets ${s1.packets} then ${s2.packets}`);
    // The round trip crosses the station's link both ways (300 ms each), once the consent checks
    // have measured it after the change.
    let rtt = s2.rtt;
    for (let i = 0; i < 20 && !(rtt >= 0.3); i++) { await sleep(500); rtt = (await audioStats(b.p)).rtt; }
    assert.ok(rtt >= 0.3, `round trip ${rtt} s through the link`);
    assert.ok(media.stats.dropped > 0, 'the link lost packets');
    // The chat goes over the hub's WebSocket, through the station's slow link.
    await a.p.getByLabel('Tin nhắn').fill('Tim thai 140 lần/phút.');
    await a.p.getByRole('button', { name: 'Gửi', exact: true }).click();
    await b.p.locator('.messages li', { hasText: 'Tim thai 140' }).waitFor({ timeout: 20000 });
    await b.p.getByLabel('Tin nhắn').fill('Cho mẹ nằm nghiêng trái, đo lại sau 15 phút.');
    await b.p.getByRole('button', { name: 'Gửi', exact: true }).click();
    await a.p.locator('.messages li', { hasText: 'nằm nghiêng trái' }).waitFor({ timeout: 20000 });

    // The link goes down for ten seconds (the mountain road's cell tower): both pages say the call
    // is reconnecting; when it comes back, so does the call, without anyone pressing a button.
    media.set({ loss: 1 });
    for (const { p } of [a, b]) await p.locator('.call[data-state="reconnecting"]').waitFor({ timeout: 20000 });
    await sleep(10000);
    media.set({ loss: 0.05 });
    for (const { p } of [a, b]) await p.locator('.call[data-state="connected"]').waitFor({ timeout: 40000 });
    const s3 = await audioStats(b.p);
    await sleep(3000);
    const s4 = await audioStats(b.p);
    assert.ok(s4.packets > s3.packets + 20, `audio again after the outage: ${s3.packets} then ${s4.packets}`);
  } finally {
    web?.stop();
    await closeAll(env || {});
    media.stop();
    await coturn.stop();
  }
});
