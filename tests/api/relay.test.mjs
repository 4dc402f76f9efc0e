// The call relay down (issue 22's drill, docs/operations.md "coturn"): with calls through TURN only,
// a coturn that does not answer makes GET /api/v1/rtc/ice-servers a clear 503 relay_unavailable
// (both languages, Retry-After) instead of a credential for a dead relay, while chat goes on; when
// coturn is back the credential is handed out again by itself. Without relay-only the answer leaves
// the dead relay out (relay: "unavailable") so direct calls still try.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs } from './lib/ws.mjs';
import { startCoturn } from '../media/servers.mjs';

const SECRET = 'relay-drill-5d2e';
let coturn, port, relayOnly, open;
const S = {}, T = {};
before(async () => {
  coturn = await startCoturn({ secret: SECRET });
  port = Number(/:(\d+)\?/.exec(coturn.url)[1]);
  const turn = ['--turn-urls', coturn.url, '--turn-secret', SECRET];
  relayOnly = await startSignedIn(S, { extraArgs: [...turn, '--ice-relay-only'] });
  open = await startSignedIn(T, { extraArgs: turn });
});
after(async () => { await relayOnly.close(); await open.close(); await coturn.stop(); });

const ice = (srv, who, lang = 'vi') => api(srv, 'GET', '/api/v1/rtc/ice-servers', { token: who.token, headers: { 'accept-language': lang } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The verdict is kept five seconds: ask until it changes, at most 15 s.
async function until(srv, who, status) {
  let r;
  for (let i = 0; i < 30; i++) {
    r = await ice(srv, who);
    if (r.status === status) return r;
    await sleep(500);
  }
  assert.fail(`ice-servers stayed ${r.status}: ${JSON.stringify(r.body)}`);
}

test('coturn down: calls say so, chat goes on; coturn back: calls again, by themselves', async () => {
  const up = await ice(relayOnly, S['demo.commune']);
  assert.equal(up.status, 200);
  assert.equal(up.body.relay, 'up');
  assert.deepEqual(up.body.ice_servers.map((s) => s.urls), [[coturn.url]]);

  await coturn.stop();
  const down = await until(relayOnly, S['demo.commune'], 503);
  assert.equal(down.body.error.code, 'relay_unavailable');
  assert.match(down.body.error.message, /chuyển tiếp cuộc gọi không trả lời/);
  assert.doesNotMatch(down.body.error.message, /relay/);
  assert.equal(down.headers.get('retry-after'), '10');
  const en = await ice(relayOnly, S['demo.commune'], 'en');
  assert.match(en.body.error.message, /^The call relay is not answering/i);
  // Chat in a visit still works: a message sent is stored and echoed with its id.
  const p = await registerPatient(relayOnly, S['demo.commune'].token, { full_name: 'Sùng Thị Mỷ', birth_year: 1995, sex: 'female' });
  const doctorId = Number(relayOnly.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const v = await api(relayOnly, 'POST', '/api/v1/visits', { token: S['demo.commune'].token, body: { patient_id: p.id, doctor_id: doctorId, mode: 'video', reason: 'Đau bụng' } });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  const ws = await openWs(relayOnly, S['demo.commune']);
  assert.equal((await ws.ask({ type: 'join', channel: `visit:${v.body.id}` })).type, 'joined');
  ws.send({ type: 'chat', channel: `visit:${v.body.id}`, text: 'Gọi video chưa được, nhắn tin trước nhé', client_id: 'c-relay-1' });
  const echoed = await ws.next((m) => m.type === 'chat');
  assert.equal(echoed.client_id, 'c-relay-1');
  assert.equal(relayOnly.sql(`SELECT COUNT(*) FROM chat_messages WHERE body = 'Gọi video chưa được, nhắn tin trước nhé'`), '1');
  await ws.close();
  // Without relay-only the credential is left out, and said so: a direct call may still connect.
  const direct = await until(open, T['demo.commune'], 200);
  assert.equal(direct.body.relay, 'unavailable');
  assert.deepEqual(direct.body.ice_servers, []);

  coturn = await startCoturn({ port, secret: SECRET });
  const back = await until(relayOnly, S['demo.commune'], 200);
  assert.equal(back.body.relay, 'up');
  assert.equal(back.body.ice_servers[0].urls[0], coturn.url);
});

test('logged out: 401 whatever the relay', async () => {
  assert.equal((await api(relayOnly, 'GET', '/api/v1/rtc/ice-servers')).status, 401);
});
