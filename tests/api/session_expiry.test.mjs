// Sessions end after an idle time and after a maximum age. The server's clock is moved forward
// between restarts with YTEXA_CLOCK_OFFSET_MS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, assertError } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs } from './lib/ws.mjs';

const MIN = 60 * 1000;

// A server with these session limits, and at(minutes): restarted with its clock that far on.
async function clocked(idle, max) {
  const srv = await startServer({ extraArgs: ['--session-idle', String(idle), '--session-max', String(max)] });
  const at = async (minutes) => {
    await srv.stop();
    srv.env = { YTEXA_CLOCK_OFFSET_MS: String(minutes * MIN) };
    await srv.restart();
  };
  return { srv, at };
}

test('an idle session expires; an active one lives until the maximum age', async () => {
  const { srv, at } = await clocked(600, 1200);
  try {
    const active = await login(srv, 'demo.doctor');
    const idle = await login(srv, 'demo.commune');
    await at(5);
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: active.token })).status, 200);
    await at(14);
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: active.token })).status, 200, '9 minutes idle');
    assertError(await api(srv, 'GET', '/api/v1/me', { token: idle.token }), 401, 'unauthenticated');
    await at(22);
    assertError(await api(srv, 'GET', '/api/v1/me', { token: active.token }), 401, 'unauthenticated');
  } finally {
    await srv.stop();
    srv.cleanup();
  }
});

// A shared computer at a station (docs/asvs.md): only what a person does keeps a session alive —
// not the requests the page makes by itself (X-Ytexa-Background: 1), not opening the socket, nor
// joins, syncs and receipts over it; a chat message someone typed does.
test('what the page does by itself does not keep an idle session alive; what a person does, does', async () => {
  const { srv, at } = await clocked(600, 7200);
  try {
    const station = await login(srv, 'demo.commune');
    const p = await registerPatient(srv, station.token, { full_name: 'Giàng Thị Dua', birth_year: 1988, sex: 'female' });
    const doctor = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
    const v = await api(srv, 'POST', '/api/v1/visits', { token: station.token, body: { patient_id: p.id, doctor_id: doctor, mode: 'chat', reason: 'Sốt' } });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    const channel = `visit:${v.body.id}`;
    const S = {};
    for (const k of ['page', 'person', 'socket', 'typist']) S[k] = await login(srv, 'demo.commune');
    await at(5);
    const bg = { 'x-ytexa-background': '1' };
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: S.page.token, headers: bg })).status, 200);
    assert.equal((await api(srv, 'GET', '/api/v1/queue', { token: S.page.token, headers: bg })).status, 200);
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: S.person.token })).status, 200);
    const socket = await openWs(srv, S.socket);
    assert.equal((await socket.ask({ type: 'join', channel })).type, 'joined');
    assert.equal((await socket.ask({ type: 'sync', channel, after: 0 })).type, 'history');
    await socket.close();
    const typist = await openWs(srv, S.typist);
    assert.equal((await typist.ask({ type: 'join', channel })).type, 'joined');
    assert.equal((await typist.ask({ type: 'chat', channel, text: 'Bệnh nhân đã đến trạm.', client_id: 't-1' })).type, 'chat');
    await typist.close();
    await at(14); // 14 minutes after login, 9 after the last requests
    assertError(await api(srv, 'GET', '/api/v1/me', { token: S.page.token }), 401, 'unauthenticated');
    assertError(await api(srv, 'GET', '/api/v1/me', { token: S.socket.token }), 401, 'unauthenticated');
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: S.person.token })).status, 200, 'a person\'s request is activity');
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token: S.typist.token })).status, 200, 'a typed chat message is activity');
  } finally {
    await srv.stop();
    srv.cleanup();
  }
});
