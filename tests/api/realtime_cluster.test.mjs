// Two ytexa instances on one PostgreSQL, as behind a load balancer: the health worker's socket is
// on instance A, the doctor's on instance B, and they still share the visit's channel — chat
// (a long message too, which does not fit in a NOTIFY), receipts, presence and call signals —
// and a notification published on A reaches the doctor on B. Instance A runs ten minutes ahead
// (YTEXA_CLOCK_OFFSET_MS), so a notification it creates is due at once for A's pusher but only in
// ten minutes for B's: it is A that publishes it. On SQLite there is one instance only: skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs } from './lib/ws.mjs';

const PG = (process.env.YTEXA_TEST_DB || '').startsWith('postgres');
const skip = PG ? false : 'several instances share a database only on PostgreSQL: set YTEXA_TEST_DB=postgres://… (scripts/test-postgres.sh)';
const AHEAD_MS = 600000;

let A, B;
const S = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const userId = (u) => Number(A.sql(`SELECT id FROM users WHERE username = '${u}'`));

let seq = 0;
async function newVisit() {
  const p = await registerPatient(A, S.station.token, { full_name: `Nguyễn Thị Hường ${seq++}`, birth_year: 1990, sex: 'female' });
  const r = await api(A, 'POST', '/api/v1/visits', {
    token: S.station.token, body: { patient_id: p.id, doctor_id: userId('demo.doctor'), mode: 'video', reason: 'Đau bụng, nôn' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// Both instances connected to the bus: each has its LISTEN connection in pg_stat_activity.
async function busesUp(n = 2) {
  for (let i = 0; i < 200; i++) {
    if (Number(A.sql("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'ytexa-bus' AND datname = current_database()")) === n) return;
    await sleep(50);
  }
  assert.fail(`the ${n} buses did not connect\nA: ${A.logs.slice(-2000)}\nB: ${B.logs.slice(-2000)}`);
}

before(async () => {
  if (!PG) return;
  A = await startServer({ env: { YTEXA_CLOCK_OFFSET_MS: String(AHEAD_MS) } });
  B = await startServer({ share: A });
  S.station = await login(A, 'demo.commune');
  S.doctor = await login(B, 'demo.doctor');
  await busesUp();
});
after(async () => {
  if (B) await B.close();
  if (A) await A.close();
});

test('a visit\'s channel spans two instances: chat, a long message, receipts, presence, signals', { skip }, async () => {
  const v = await newVisit();
  const ch = `visit:${v.id}`;
  const doctorId = userId('demo.doctor');
  const stationId = userId('demo.commune');
  const station = await openWs(A, S.station);
  const doctor = await openWs(B, S.doctor);
  assert.equal((await station.ask({ type: 'join', channel: ch })).type, 'joined');
  assert.equal((await doctor.ask({ type: 'join', channel: ch })).type, 'joined');

  // The doctor's arrival on B is seen on A, by name; and the doctor learns that the station, who
  // was there first on A, is present (its members list names only B's people).
  const arrived = await station.next((m) => m.type === 'presence' && m.user === doctorId, 'the doctor\'s presence from B');
  assert.deepEqual([arrived.channel, arrived.status, arrived.name], [ch, 'online', S.doctor.user.full_name]);
  const already = await doctor.next((m) => m.type === 'presence' && m.user === stationId, 'the station\'s presence, answered from A');
  assert.deepEqual([already.channel, already.status, already.name, already.echo], [ch, 'online', S.station.user.full_name, true]);

  // A chat message sent on A arrives on B once, as stored; the sender gets its own copy once.
  const text = 'Bệnh nhân Nguyễn Thị Hường đau bụng vùng thượng vị, nôn 2 lần.';
  station.send({ type: 'chat', channel: ch, text, client_id: 'cl-1' });
  const mine = await station.next((m) => m.type === 'chat', 'the station\'s own copy');
  const there = await doctor.next((m) => m.type === 'chat', 'the chat message on B');
  assert.deepEqual([there.id, there.seq, there.text, there.from.id], [mine.id, mine.seq, text, stationId]);
  assert.equal(there.seq, 1);

  // 4000 characters of Vietnamese (about 12 KB) do not fit in a notification: the spill path.
  const long = [...('Nguyễn' + 'ỄỆỘỜỪỮỰẪẬẶ'.repeat(400))].slice(0, 4000).join('');
  assert.ok(Buffer.byteLength(long) > 8000);
  station.send({ type: 'chat', channel: ch, text: long, client_id: 'cl-2' });
  const longThere = await doctor.next((m) => m.type === 'chat', 'the long chat message on B');
  assert.equal(longThere.seq, 2);
  assert.equal(longThere.text, long);
  assert.ok(Number(A.sql('SELECT COUNT(*) FROM hub_bus')) >= 1, 'it went through hub_bus');
  assert.equal((await station.next((m) => m.type === 'chat')).seq, 2);

  // A receipt from B reaches A.
  doctor.send({ type: 'receipt', channel: ch, seq: 2, kind: 'read' });
  const rc = await station.next((m) => m.type === 'receipt', 'the receipt from B');
  assert.deepEqual([rc.user, rc.kind, rc.seq, rc.channel], [doctorId, 'read', 2, ch]);

  // A call signal from B reaches A with its data intact; with a bus, B cannot know that nobody
  // else is connected, so it never answers no_peer.
  const data = { kind: 'offer', sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n', n: [1, 2.5, null, true], note: 'Nguyễn "quoted" \\ \n' };
  doctor.send({ type: 'signal', channel: ch, to: stationId, data });
  const sig = await station.next((m) => m.type === 'signal', 'the signal from B');
  assert.deepEqual([sig.from, sig.from_name, sig.channel], [doctorId, S.doctor.user.full_name, ch]);
  assert.deepEqual(sig.data, data);
  // Addressed to someone else: it does not reach the station.
  doctor.send({ type: 'signal', channel: ch, to: userId('demo.specialist'), data: { kind: 'answer' } });
  // Presence changes cross too.
  doctor.send({ type: 'presence', status: 'in_call' });
  assert.equal((await station.next((m) => m.type === 'presence' && m.status === 'in_call', 'in_call from B')).user, doctorId);

  await sleep(500);
  assert.deepEqual(doctor.msgs.filter((m) => ['chat', 'error', 'signal'].includes(m.type)), [], 'each message once, and no no_peer');
  assert.equal(station.msgs.filter((m) => m.type === 'presence' && m.echo).length, 0, 'an echo is not answered in turn');
  assert.deepEqual(station.msgs.filter((m) => ['chat', 'signal', 'receipt'].includes(m.type)), [], 'nothing twice, nothing addressed to another');

  // The doctor leaves: A sees them go.
  await doctor.close();
  const left = await station.next((m) => m.type === 'presence' && m.user === doctorId && m.status === 'offline', 'offline from B');
  assert.equal(left.channel, ch);
  await station.close();
});

test('a notification published on A reaches a user connected only to B', { skip }, async () => {
  const doctor = await openWs(B, S.doctor);
  const p = await registerPatient(A, S.station.token, { full_name: 'Nguyễn Văn Thuộc', birth_year: 1968, sex: 'male' });
  const r = await api(A, 'POST', '/api/v1/consults', {
    token: S.station.token,
    body: {
      patient_id: p.id, summary: 'Khó thở tăng dần, phù hai chân.', questions: ['Suy tim độ mấy?'],
      urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const n = await doctor.next((m) => m.type === 'notification' && m.consult_id === r.body.id, 'the case notification', 8000);
  assert.equal(n.kind, 'consult_assigned');
  // Pushed on A's clock, so by A's pusher.
  const aheadBy = Number(A.sql(`SELECT pushed_at - (extract(epoch FROM now()) * 1000)::bigint FROM notifications WHERE kind = 'consult_assigned' AND consult_id = ${r.body.id}`));
  assert.ok(aheadBy > AHEAD_MS / 2, `pushed by instance A (${aheadBy} ms ahead)`);
  await sleep(300);
  assert.equal(doctor.msgs.filter((m) => m.type === 'notification' && m.consult_id === r.body.id).length, 0, 'once');
  await doctor.close();
});

test('a newcomer on B learns of each person on A once: not twice for two sockets, not of itself', { skip }, async () => {
  const v = await newVisit();
  const ch = `visit:${v.id}`;
  const stationId = userId('demo.commune');
  const doctorId = userId('demo.doctor');
  // On A: the station with two sockets (a phone and a desktop) and the doctor's other tab.
  const onA = [await openWs(A, S.station), await openWs(A, S.station), await openWs(A, S.doctor)];
  for (const ws of onA) assert.equal((await ws.ask({ type: 'join', channel: ch })).type, 'joined');
  const doctor = await openWs(B, S.doctor);
  assert.equal((await doctor.ask({ type: 'join', channel: ch })).type, 'joined');
  const first = await doctor.next((m) => m.type === 'presence' && m.echo && m.user === stationId, 'the station, answered from A');
  await sleep(300);
  const echoes = [first, ...doctor.msgs.filter((m) => m.type === 'presence' && m.echo)];
  assert.deepEqual(echoes.map((m) => [m.user, m.status]), [[stationId, 'online']], JSON.stringify(echoes));
  assert.ok(!echoes.some((m) => m.user === doctorId));
  for (const ws of [...onA, doctor]) await ws.close();
});

test('the bus connects again after its connection is cut', { skip }, async () => {
  A.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ytexa-bus' AND datname = current_database()");
  await sleep(100);
  await busesUp();
  for (const srv of [A, B]) assert.match(srv.logs, /bus: lost the connection to PostgreSQL; connecting again/);
  const v = await newVisit();
  const ch = `visit:${v.id}`;
  const station = await openWs(A, S.station);
  const doctor = await openWs(B, S.doctor);
  await doctor.ask({ type: 'join', channel: ch });
  await station.ask({ type: 'join', channel: ch });
  assert.equal((await doctor.next((m) => m.type === 'presence', 'the station\'s presence from A')).user, userId('demo.commune'));
  station.send({ type: 'chat', channel: ch, text: 'Đã kết nối lại.', client_id: 'again-1' });
  assert.equal((await doctor.next((m) => m.type === 'chat', 'a chat message after the reconnect')).text, 'Đã kết nối lại.');
  await station.close();
  await doctor.close();
});

test('a record\'s change made on one instance reaches the pages on the other, after its commit', { skip }, async () => {
  const v = await newVisit();
  const ch = `visit:${v.id}`;
  const station = await openWs(A, S.station);
  assert.equal((await station.ask({ type: 'join', channel: ch })).type, 'joined');
  // The station marks the patient arrived on A; the doctor, on B, starts the visit.
  assert.equal((await api(A, 'POST', `/api/v1/visits/${v.id}/transitions`, { token: S.station.token, body: { to: 'arrived' } })).status, 200);
  await station.next((m) => m.type === 'changed' && m.what === 'arrived', 'arrived, from its own instance');
  const go = await api(B, 'POST', `/api/v1/visits/${v.id}/transitions`, { token: S.doctor.token, body: { to: 'in_progress' } });
  assert.equal(go.status, 200, JSON.stringify(go.body));
  const ev = await station.next((m) => m.type === 'changed' && m.what === 'in_progress', 'in_progress, from B over the bus');
  assert.deepEqual([ev.channel, ev.id], [ch, v.id]);
  assert.equal((await api(A, 'GET', `/api/v1/visits/${v.id}`, { token: S.station.token })).body.state, 'in_progress');
  await sleep(300);
  assert.equal(station.msgs.filter((m) => m.type === 'changed').length, 0, 'each event once');
  await station.close();
});
