// A call over the link a mountain station has. CTest runs this file in a private network
// namespace (tests/tests.cmake), so the shaping below touches nothing outside it. Once the call
// is up, loopback is cut to 200 kbit/s (tbf, its queue adding up to 300 ms) with 5 % of UDP
// packets dropped (nftables). This kernel has no netem, so the fixed 300 ms delay of the issue is
// only approximated by tbf's queue. The call must drop video by itself, stay up on audio, and the
// chat must still flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd, args) => execFileSync(cmd, args, { stdio: 'pipe' });

const audioStats = (p) => p.evaluate(async () => {
  const c = window.__ytexaCall;
  const st = await c.pc.getStats();
  let packets = 0;
  st.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets = s.packetsReceived; });
  return { state: c.pc.connectionState, packets };
});

test('under 200 kbit/s and 5 % loss the call falls back to audio and stays up; chat still flows', async () => {
  assert.equal(process.env.YTEXA_NETNS, '1', 'run through ctest, which starts this file in its own network namespace');
  const env = await startWithBrowser({ media: true });
  try {
    const { srv, chrome } = env;
    const station = await login(srv, 'demo.commune');
    const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
    const pt = await registerPatient(srv, station.token, { full_name: 'Vừ Thị Pà', birth_year: 1990, sex: 'female' });
    const v = await api(srv, 'POST', '/api/v1/visits', { token: station.token, body: { patient_id: pt.id, doctor_id: doctorId, mode: 'video', reason: 'Khám thai tháng thứ 6' } });
    await api(srv, 'POST', `/api/v1/visits/${v.body.id}/transitions`, { token: station.token, body: { to: 'in_progress' } });
    const a = await session(chrome, srv.url, 'demo.commune', { viewport: { width: 360, height: 740 } });
    const b = await session(chrome, srv.url, 'demo.doctor');
    for (const { p } of [a, b]) {
      await p.goto(`${srv.url}/#/visits/${v.body.id}`);
      await p.getByRole('button', { name: 'Gọi video' }).click();
    }
    for (const { p } of [a, b]) await p.locator('.call[data-state="connected"]').waitFor({ timeout: 20000 });

    sh('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '200kbit', 'burst', '16kbit', 'latency', '300ms']);
    sh('nft', ['add table inet ytexa_loss']);
    sh('nft', ['add chain inet ytexa_loss in { type filter hook input priority 0 ; }']);
    sh('nft', ['add rule inet ytexa_loss in meta l4proto udp numgen random mod 100 < 5 drop']);

    // Video goes by itself on both sides (one measures, the other is told).
    for (const { p } of [a, b]) await p.locator('.call-state', { hasText: 'Chỉ âm thanh' }).waitFor({ timeout: 45000 });
    assert.match(await a.p.locator('.call-state').innerText() + await b.p.locator('.call-state').innerText(), /đường truyền yếu/);
    // And the call stays up on audio.
    const s1 = await audioStats(b.p);
    await sleep(5000);
    const s2 = await audioStats(b.p);
    assert.equal(s2.state, 'connected');
    assert.ok(s2.packets > s1.packets + 50, `audio packets ${s1.packets} then ${s2.packets}`);
    // The chat goes over the hub's WebSocket, through the same bad link.
    await a.p.getByLabel('Tin nhắn').fill('Tim thai 140 lần/phút.');
    await a.p.getByRole('button', { name: 'Gửi', exact: true }).click();
    await b.p.locator('.messages li', { hasText: 'Tim thai 140' }).waitFor({ timeout: 20000 });
  } finally {
    try { sh('tc', ['qdisc', 'del', 'dev', 'lo', 'root']); } catch { /* not set */ }
    await closeAll(env);
  }
});
