// Records that stay live (issue 21, "Live"): after the commit of a change another person must see,
// the record's channel gets {"type":"changed"} naming what happened, the record's id and a version
// — no clinical text — and a reader that refetches on it finds the change. A facility's inbox and
// queue have a channel of their own, facility:<id>, for its people only. Who may join a record's
// channel is the API's read rule: another facility's user gets what an absent record gets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, login } from './lib/server.mjs';
import { openWs } from './lib/ws.mjs';

let srv;
const S = {};
const ABSENT = 987654321;
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const facilityOf = (u) => Number(srv.sql(`SELECT facility_id FROM users WHERE username = '${u}'`));
const open = (who) => openWs(srv, S[who]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const changed = (channel, what) => (m) => m.type === 'changed' && m.channel === channel && (!what || m.what === what);

let seq = 0;
const NAME = () => `Sùng Thị Mỷ ${String.fromCharCode(65 + (seq % 26))}${seq++}`;
const SUMMARY = 'Ho kéo dài 3 tuần, sốt về chiều, sụt 4 kg.';
const OPINION = 'Thâm nhiễm đỉnh phổi phải: nghĩ nhiều đến lao phổi.';
async function newPatient() {
  const r = await as('demo.commune', 'POST', '/api/v1/patients', { full_name: NAME(), birth_year: 1961, sex: 'female' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  for (const purpose of ['remote_care', 'data_processing']) {
    const c = await as('demo.commune', 'POST', `/api/v1/patients/${r.body.id}/consents`,
      { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' });
    assert.equal(c.status, 201, JSON.stringify(c.body));
  }
  return r.body;
}

// The event is exactly these fields, and none of them is clinical text.
function assertBare(m, channel, id, what) {
  assert.deepEqual(Object.keys(m).sort(), ['channel', 'id', 'type', 'version', 'what']);
  assert.deepEqual([m.type, m.channel, m.id, m.what], ['changed', channel, id, what]);
  assert.equal(typeof m.version, 'number');
  for (const secret of [SUMMARY, OPINION, 'Sùng Thị Mỷ', 'Amlodipin', 'Đau đầu'])
    assert.ok(!JSON.stringify(m).includes(secret), `the event carries no clinical text: ${JSON.stringify(m)}`);
}

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

test('a case: the hub inbox hears of it, the station hears it accepted and answered, each after the commit', async () => {
  const hub = facilityOf('demo.doctor');
  const station = await open('demo.commune');
  const doctor = await open('demo.doctor');
  const inbox = await doctor.ask({ type: 'join', channel: `facility:${hub}` });
  assert.equal(inbox.type, 'joined', JSON.stringify(inbox));

  const p = await newPatient();
  const made = await as('demo.commune', 'POST', '/api/v1/consults', {
    patient_id: p.id, summary: SUMMARY, questions: ['Có cần chuyển tuyến ngay không?'],
    urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = made.body.id;
  const ch = `consult:${id}`;
  const arrived = await doctor.next(changed(`facility:${hub}`, 'inbox'), 'the inbox told');
  assertBare(arrived, `facility:${hub}`, hub, 'inbox');
  // Refetching on the event finds the case in the inbox: it was committed before the event.
  const box = await as('demo.doctor', 'GET', '/api/v1/consults?box=inbox');
  assert.ok(box.body.items.some((c) => c.id === id), 'the new case is in the inbox');

  assert.equal((await station.ask({ type: 'join', channel: ch })).type, 'joined');
  const acc = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/accept`, {});
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  const ev = await station.next(changed(ch, 'accepted'), 'accepted');
  assertBare(ev, ch, id, 'accepted');
  assert.equal((await as('demo.commune', 'GET', `/api/v1/consults/${id}`)).body.state, 'accepted');

  // A refused change (accepted twice) announces nothing; the opinion that follows does.
  const twice = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/accept`, {});
  assert.equal(twice.status, 409);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${id}/opinions`, { opinion: OPINION })).status, 200);
  const next = await station.next((m) => m.type === 'changed' && m.channel === ch, 'the opinion');
  assertBare(next, ch, id, 'answered');
  assert.ok(next.version >= ev.version, 'versions grow');
  await sleep(300);
  assert.deepEqual(station.msgs.filter((m) => m.type === 'changed'), [], 'the refused accept sent nothing');
  await station.close();
  await doctor.close();
});

test('a visit: started, notes saved and the prescription signed reach the station', async () => {
  const p = await newPatient();
  const made = await as('demo.commune', 'POST', '/api/v1/visits',
    { patient_id: p.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Đau đầu, chóng mặt 3 ngày' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = made.body.id;
  const ch = `visit:${id}`;
  const station = await open('demo.commune');
  assert.equal((await station.ask({ type: 'join', channel: ch })).type, 'joined');
  const move = (to, who) => as(who, 'POST', `/api/v1/visits/${id}/transitions`, { to });
  assert.equal((await move('arrived', 'demo.commune')).status, 200);
  assertBare(await station.next(changed(ch, 'arrived')), ch, id, 'arrived');
  assert.equal((await move('in_progress', 'demo.doctor')).status, 200);
  assertBare(await station.next(changed(ch, 'in_progress')), ch, id, 'in_progress');
  assert.equal((await as('demo.doctor', 'PUT', `/api/v1/visits/${id}/notes`, { assessment: 'Tăng huyết áp độ 1' })).status, 200);
  assertBare(await station.next(changed(ch, 'notes')), ch, id, 'notes');
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${id}/diagnoses`, { icd10: 'I10', primary: true })).status, 201);
  assertBare(await station.next(changed(ch, 'diagnosis')), ch, id, 'diagnosis');
  const rx = await as('demo.doctor', 'POST', `/api/v1/visits/${id}/prescriptions`, {
    items: [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30, unit: 'viên' }],
  });
  assert.equal(rx.status, 201, JSON.stringify(rx.body));
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${rx.body.id}/sign`)).status, 200);
  assertBare(await station.next(changed(ch, 'prescription_signed')), ch, id, 'prescription_signed');
  const rxs = await as('demo.commune', 'GET', `/api/v1/visits/${id}`);
  assert.equal(rxs.status, 200);
  // A signature refused (signed already) announces nothing.
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${rx.body.id}/sign`)).status, 409);
  await sleep(300);
  assert.deepEqual(station.msgs.filter((m) => m.type === 'changed'), []);
  await station.close();
});

test('the queue: a patient taking a number reaches the station\'s other pages, not another facility', async () => {
  const here = facilityOf('demo.commune');
  const desk = await open('demo.commune');
  assert.equal((await desk.ask({ type: 'join', channel: `facility:${here}` })).type, 'joined');
  const p = await newPatient();
  const q = await as('demo.commune', 'POST', '/api/v1/queue', { patient_id: p.id, reason: 'Khám huyết áp' });
  assert.equal(q.status, 201, JSON.stringify(q.body));
  assertBare(await desk.next(changed(`facility:${here}`, 'queue')), `facility:${here}`, here, 'queue');
  const list = await as('demo.commune', 'GET', '/api/v1/queue');
  assert.equal(list.body.items.filter((e) => e.patient.id === p.id).length, 1, 'the refetch finds the entry');
  assert.equal((await as('demo.commune', 'POST', `/api/v1/queue/${q.body.id}/call`)).status, 200);
  assertBare(await desk.next(changed(`facility:${here}`, 'queue')), `facility:${here}`, here, 'queue');
  // Done before called: refused, and nothing is announced.
  const q2 = await as('demo.commune', 'POST', '/api/v1/queue', { patient_id: (await newPatient()).id, reason: 'Khám thai' });
  await desk.next(changed(`facility:${here}`, 'queue'));
  assert.equal((await as('demo.commune', 'POST', `/api/v1/queue/${q2.body.id}/done`)).status, 409);
  await sleep(300);
  assert.deepEqual(desk.msgs.filter((m) => m.type === 'changed'), []);
  await desk.close();
});

test('another facility\'s people cannot join a record\'s or a facility\'s channel: the answer of an absent one', async () => {
  const p = await newPatient();
  const made = await as('demo.commune', 'POST', '/api/v1/consults', {
    patient_id: p.id, summary: SUMMARY, questions: ['Có cần chuyển tuyến ngay không?'],
    urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
  });
  const id = made.body.id;
  const stranger = await open('demo.specialist'); // Bạch Mai: not the hub, not taking part
  const strip = (m) => ({ type: m.type, code: m.code, message: m.message, field: m.field });
  for (const [mine, absent] of [[`consult:${id}`, `consult:${ABSENT}`],
    [`facility:${facilityOf('demo.commune')}`, `facility:${ABSENT}`],
    [`facility:${facilityOf('demo.doctor')}`, `facility:${ABSENT}`]]) {
    const a = await stranger.ask({ type: 'join', channel: mine });
    const b = await stranger.ask({ type: 'join', channel: absent });
    assert.equal(a.code, 'not_found', JSON.stringify(a));
    assert.deepEqual(strip(a), strip(b), `${mine} answers like ${absent}`);
  }
  // An administrator of no facility channel but their own, either.
  const admin = await open('demo.ministry-admin');
  assert.equal((await admin.ask({ type: 'join', channel: `facility:${facilityOf('demo.commune')}` })).code, 'not_found');
  // Nothing reaches the stranger when the case changes.
  await as('demo.doctor', 'POST', `/api/v1/consults/${id}/accept`, {});
  await sleep(300);
  assert.deepEqual(stranger.msgs.filter((m) => m.type === 'changed'), []);
  // A facility's channel keeps no chat.
  const own = await open('demo.commune');
  const fch = `facility:${facilityOf('demo.commune')}`;
  assert.equal((await own.ask({ type: 'join', channel: fch })).type, 'joined');
  assert.equal((await own.ask({ type: 'chat', channel: fch, text: 'xin chào', client_id: 'x1' })).code, 'no_chat');
  // Logged out: no socket at all, and a socket whose session ended is closed at its next join.
  const s = await login(srv, 'demo.commune');
  const live = await openWs(srv, s);
  assert.equal((await api(srv, 'POST', '/api/v1/auth/logout', { token: s.token })).status, 200);
  assert.equal((await live.ask({ type: 'join', channel: fch })).code, 'session_ended');
  await assert.rejects(openWs(srv, s), /refused/);
  for (const c of [stranger, admin, own]) await c.close();
});

test('a change rolled back announces nothing: a FHIR transaction whose second entry fails', async () => {
  const p = await newPatient();
  const visit = async (to) => {
    const v = await as('demo.commune', 'POST', '/api/v1/visits',
      { patient_id: p.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Khó thở' });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    if (to) assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${v.body.id}/transitions`, { to })).status, 200);
    return v.body.id;
  };
  const going = await visit('in_progress');
  const planned = await visit(null); // nothing may be recorded on it yet
  const ch = `visit:${going}`;
  const station = await open('demo.commune');
  assert.equal((await station.ask({ type: 'join', channel: ch })).type, 'joined');
  const pulse = (value) => ({
    resource: {
      resourceType: 'Observation', status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, encounter: { reference: `Encounter/${going}` },
      valueQuantity: { value, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
    },
    request: { method: 'POST', url: 'Observation' },
  });
  const condition = { resource: { resourceType: 'Condition', code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] }, encounter: { reference: `Encounter/${planned}` } },
    request: { method: 'POST', url: 'Condition' } };
  const fhirPost = (entry) => api(srv, 'POST', '/fhir', { token: S['demo.doctor'].token, body: { resourceType: 'Bundle', type: 'transaction', entry } });
  // The heart rate is recorded (its event queued), then the Condition is refused: all rolled back.
  const t = await fhirPost([pulse(82), condition]);
  assert.equal(t.status, 409, JSON.stringify(t.body));
  await sleep(400);
  assert.deepEqual(station.msgs.filter((m) => m.type === 'changed'), [], 'the rolled-back vitals announced nothing');
  assert.equal((await as('demo.commune', 'GET', `/api/v1/visits/${going}`)).body.vitals.length, 0);
  // The same heart rate alone commits, and is announced once.
  assert.equal((await fhirPost([pulse(82)])).status, 200);
  assertBare(await station.next(changed(ch, 'vitals')), ch, going, 'vitals');
  await sleep(300);
  assert.deepEqual(station.msgs.filter((m) => m.type === 'changed'), []);
  await station.close();
});
