// A live lecture's attendance from real presence: the pages of the people watching are in the
// session's real-time channel (session:<id>), and each stay there — join to leave, a tab closed,
// a reconnect — is a span; the spans are added up when the trainer ends the session. Only the
// course's trainers and the people enrolled get into the channel, and only while it is live. The
// channel keeps no chat: questions and raised hands go as signals. Janus is real (the session's
// room is created on start).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSignedIn, api, freePort } from './lib/server.mjs';
import { openWs } from './lib/ws.mjs';
import { startJanus } from '../media/servers.mjs';

let srv, janus;
const S = {};
const TOKEN_SECRET = randomBytes(16).toString('hex');
const ADMIN_KEY = randomBytes(16).toString('hex');
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  janus = await startJanus({ port: await freePort(), tokenSecret: TOKEN_SECRET, adminKey: ADMIN_KEY, rtpPort: 44000 });
  srv = await startSignedIn(S, {
    extraArgs: ['--janus-url', janus.url, '--janus-public-url', janus.url, '--janus-token-secret', TOKEN_SECRET, '--janus-admin-key', ADMIN_KEY],
  });
});
after(async () => {
  await srv?.close();
  await janus?.stop();
});

async function liveSession() {
  const c = await as('demo.trainer', 'POST', '/api/v1/courses', {
    title: 'Xử trí sốt xuất huyết Dengue ở tuyến xã', description: 'Phân độ, dấu hiệu cảnh báo, bù dịch.',
    target_roles: ['health_worker', 'doctor'], target_levels: ['commune', 'provincial'], credit_hours: 1.5,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/publish`, {})).status, 200);
  for (const u of ['demo.commune', 'demo.doctor']) {
    const e = await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/enrolments`, { user_id: userId(u) });
    assert.equal(e.status, 201, JSON.stringify(e.body));
  }
  const s = await as('demo.trainer', 'POST', `/api/v1/courses/${c.body.id}/sessions`, {
    kind: 'live', title: 'Buổi 1: phân độ', starts_at: new Date(Date.now() + 3600e3).toISOString(), minutes: 60,
  });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  return { course: c.body.id, session: s.body.id };
}

test('attendance is the time each person was in the session\'s channel, stays added up; only the enrolled get in, only while live', async () => {
  const { session } = await liveSession();
  const ch = `session:${session}`;
  const trainer = await openWs(srv, S['demo.trainer']);
  const doctor = await openWs(srv, S['demo.doctor']);
  const station = await openWs(srv, S['demo.commune']);
  const outsider = await openWs(srv, S['demo.specialist']);
  try {
    // Not live yet: nobody gets in.
    assert.equal((await station.ask({ type: 'join', channel: ch })).code, 'not_found');
    assert.equal((await as('demo.trainer', 'POST', `/api/v1/sessions/${session}/start`, {})).status, 200);
    const t0 = Date.now();
    for (const c of [trainer, doctor, station]) assert.equal((await c.ask({ type: 'join', channel: ch })).type, 'joined');
    // Bạch Mai's specialist is not enrolled: as if the session did not exist.
    assert.equal((await outsider.ask({ type: 'join', channel: ch })).code, 'not_found');
    assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance_spans WHERE session_id = ${session}`), '3');

    // No stored chat in a lecture: a question goes as a signal, a raised hand too.
    const noChat = await station.ask({ type: 'chat', channel: ch, text: 'Em hỏi ạ', client_id: 'q1' });
    assert.deepEqual([noChat.code, noChat.message], ['no_chat', 'Kênh buổi học không lưu tin nhắn: dùng signal / a session\'s channel keeps no chat: use signal.']);
    station.send({ type: 'signal', channel: ch, data: { kind: 'hand', raised: true } });
    const hand = await trainer.next((m) => m.type === 'signal' && m.data.kind === 'hand', 'the raised hand');
    assert.equal(hand.from_name, 'Lò Thị Mai');

    // The station drops out after a moment (the link), comes back on a new socket, leaves early.
    await sleep(1500);
    await station.close();
    await sleep(2000);
    const again = await openWs(srv, S['demo.commune']);
    assert.equal((await again.ask({ type: 'join', channel: ch })).type, 'joined');
    await sleep(1000);
    assert.equal((await again.ask({ type: 'leave', channel: ch })).type, 'left');
    await again.close();
    await sleep(2500);

    // The trainer watches attendance live, then ends the session.
    const live = await as('demo.trainer', 'GET', `/api/v1/sessions/${session}/attendance`);
    assert.equal(live.status, 200, JSON.stringify(live.body));
    const end = await as('demo.trainer', 'POST', `/api/v1/sessions/${session}/end`, {});
    assert.equal(end.status, 200, JSON.stringify(end.body));
    const duration = (Date.now() - t0) / 1000;
    const rows = (await as('demo.trainer', 'GET', `/api/v1/sessions/${session}/attendance`)).body.items;
    const of = (u) => rows.find((x) => x.user.id === userId(u));
    // The doctor was there throughout; the station for about 1.5 + 1 of about 7 seconds.
    assert.ok(of('demo.doctor').pct >= 90 && of('demo.doctor').passed, JSON.stringify(of('demo.doctor')));
    const st = of('demo.commune');
    assert.ok(st.seconds >= 2 && st.seconds <= 3, `station stayed ${st.seconds} s of ${duration}`);
    assert.ok(st.pct < 50 && !st.passed, JSON.stringify(st));
    assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance_spans WHERE session_id = ${session} AND left_at IS NULL`), '0');
    assert.equal(srv.sql(`SELECT COUNT(*) FROM attendance_spans WHERE session_id = ${session} AND user_id = ${userId('demo.commune')}`), '2');

    // Ended: nobody joins any more.
    const late = await openWs(srv, S['demo.commune']);
    assert.equal((await late.ask({ type: 'join', channel: ch })).code, 'not_found');
    await late.close();
  } finally {
    for (const c of [trainer, doctor, outsider]) await c.close();
  }
});

// Hole 11 at a session's end: the rules award credits when a session ends, and used to look only at
// the sessions that had ended — so the end of the first of two lectures gave the whole course's
// hours to whoever watched it. And a lecture that ends with nobody present awards nothing.
test('the end of the first of two lectures awards no credit; a lecture ended with nobody present awards nothing either', async () => {
  const { course, session } = await liveSession();
  const second = await as('demo.trainer', 'POST', `/api/v1/courses/${course}/sessions`, {
    kind: 'live', title: 'Buổi 2: bù dịch', starts_at: new Date(Date.now() + 7200e3).toISOString(), minutes: 60,
  });
  assert.equal(second.status, 201, JSON.stringify(second.body));
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/sessions/${session}/start`, {})).status, 200);
  // Lò Thị Mai is there from the start to the end (a stay the hub would have written); the doctor never comes.
  const started = srv.sql(`SELECT started_at FROM course_sessions WHERE id = ${session}`);
  srv.sql(`INSERT INTO attendance_spans (session_id, user_id, joined_at) VALUES (${session}, ${userId('demo.commune')}, ${started})`);
  await sleep(200);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/sessions/${session}/end`, {})).status, 200);
  assert.equal(srv.sql(`SELECT passed FROM attendance WHERE session_id = ${session} AND user_id = ${userId('demo.commune')}`), '1');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM credits WHERE course_id = ${course}`), '0', 'the second lecture has not taken place');
  const early = await as('demo.trainer', 'POST', `/api/v1/courses/${course}/credits`, { user_id: userId('demo.commune') });
  assert.equal(early.status, 409, JSON.stringify(early.body));
  assert.deepEqual(early.body.error.missing, [{ kind: 'session', session: { id: second.body.id, title: 'Buổi 2: bù dịch', state: 'planned' }, pct: null }]);

  // The second lecture starts and ends with nobody in it: everyone's attendance 0 %, no credit.
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/sessions/${second.body.id}/start`, {})).status, 200);
  await sleep(200);
  assert.equal((await as('demo.trainer', 'POST', `/api/v1/sessions/${second.body.id}/end`, {})).status, 200);
  assert.equal(srv.sql(`SELECT COUNT(*) || ' ' || MAX(pct) || ' ' || MAX(passed) FROM attendance WHERE session_id = ${second.body.id}`), '2 0 0');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM credits WHERE course_id = ${course}`), '0', 'nobody attended the second');
  const none = await as('demo.trainer', 'POST', `/api/v1/courses/${course}/credits`, { user_id: userId('demo.commune') });
  assert.equal(none.status, 409);
  assert.deepEqual(none.body.error.missing.map((m) => [m.session.id, m.session.state, m.pct]), [[second.body.id, 'ended', 0]]);
});
