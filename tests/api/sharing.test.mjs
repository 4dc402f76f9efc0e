// Sharing a patient between facilities (issue 16, holes 2, 4, 5, 6 and 7), as an attacker inside a
// sharing hospital would try it: a share lets the hospital read the station's patient while its
// reason lasts, never write the record, record consent, plan more visits or widen the share; a
// bystander of the hospital does not act on the station's visit; the share ends with the visit; a
// foreign record answers byte for byte like an absent one, in the API and on the WebSocket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, login, assertError, refuser } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs } from './lib/ws.mjs';

let srv;
const S = {};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const get = (path, who) => as(who, 'GET', path);
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const facilityId = (code) => Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));
const vnDay = (n) => new Date(Date.now() + 7 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

// Everything a refused attempt must leave as it was.
const TABLES = ['patients', 'consents', 'visits', 'visit_events', 'vitals', 'appointments', 'queue_entries',
  'consults', 'patient_shares', 'users', 'referrals', 'notifications'];
const snapshot = () => srv.sql(`SELECT ${TABLES.map((t) => `(SELECT COUNT(*) FROM ${t})`).join(', ')}, ` +
  '(SELECT MAX(updated_at) FROM visits), (SELECT MAX(updated_at) FROM patients), ' +
  '(SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NULL)');
const refused = refuser(snapshot);

let seq = 0;
const newPatient = () => registerPatient(srv, S['demo.commune'].token,
  { full_name: `Vàng Thị Mỷ ${String.fromCharCode(65 + (seq % 26))}${seq++}`, birth_year: 1984, sex: 'female' });
async function newVisit(patientId, doctor = 'demo.doctor') {
  const r = await as('demo.commune', 'POST', '/api/v1/visits',
    { patient_id: patientId, doctor_id: userId(doctor), mode: 'chat', reason: 'Đau bụng 2 ngày' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// Bystanders: a health worker and a doctor of the hospital that has no part in the visit.
async function staff(username, role, facility) {
  const r = await as('demo.ministry-admin', 'POST', '/api/v1/users', {
    username, full_name: `Nhân viên ${username}`, password: 'mat-khau-dai-9', role, facility_id: facilityId(facility),
    ...(role === 'doctor' ? { licence_no: `CCHN-${username}`, practice_scope: ['general'] } : {}),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  S[username] = await login(srv, username, 'mat-khau-dai-9');
}

before(async () => {
  srv = await startSignedIn(S);
  await staff('hg.nurse', 'health_worker', 'BVDK-HAGIANG');
  await staff('hg.doctor2', 'doctor', 'BVDK-HAGIANG');
});
after(() => srv.close());

test('hole 2: a hospital that reads a patient through a visit cannot plan visits, book, queue or open cases for it', async () => {
  const p = await newPatient();
  await newVisit(p.id);
  // The share is there: the visit's doctor and his colleagues read the patient.
  for (const who of ['demo.doctor', 'hg.nurse', 'hg.doctor2']) assert.equal((await get(`/api/v1/patients/${p.id}`, who)).status, 200, who);
  // Bạch Mai does not, and no attempt below may change that.
  assertError(await get(`/api/v1/patients/${p.id}`, 'demo.specialist'), 404);
  // FHIR's read (one query for the record and its rule) follows the same rule, and Bạch Mai's
  // answer is an absent patient's, byte for byte.
  for (const who of ['demo.doctor', 'hg.nurse']) {
    const r = await get(`/fhir/Patient/${p.id}`, who);
    assert.equal(r.status, 200, `${who} reads it through FHIR`);
    assert.equal(r.body.id, String(p.id));
  }
  const foreign = await get(`/fhir/Patient/${p.id}`, 'demo.specialist');
  const absent = await get('/fhir/Patient/999999999', 'demo.specialist');
  assert.equal(foreign.status, 404);
  assert.deepEqual(foreign.body, absent.body);
  const specialist = userId('demo.specialist');
  const day = vnDay(3);
  const sched = await as('demo.specialist', 'POST', '/api/v1/schedules', { start: `${day}T08:00:00+07:00`, end: `${day}T09:00:00+07:00`, slot_minutes: 15, mode: 'video' });
  assert.equal(sched.status, 201, JSON.stringify(sched.body));
  const slots = (await get(`/api/v1/slots?doctor_id=${specialist}&date=${day}&free=1`, 'demo.doctor')).body.items;
  assert.ok(slots.length > 0);
  for (const who of ['demo.doctor', 'hg.nurse', 'hg.doctor2']) {
    await refused(as(who, 'POST', '/api/v1/visits', { patient_id: p.id, doctor_id: specialist, mode: 'video', reason: 'Xin ý kiến' }), 403, null, `${who} plans a visit`);
    await refused(as(who, 'POST', '/api/v1/appointments', { slot_id: slots[0].id, patient_id: p.id, reason: 'Xin ý kiến' }), 403, null, `${who} books`);
    await refused(as(who, 'POST', '/api/v1/queue', { patient_id: p.id, reason: 'Khám lại', priority: 'normal' }), 403, null, `${who} queues`);
    await refused(as(who, 'POST', '/api/v1/consults', { patient_id: p.id, summary: 'Đau bụng kéo dài, cần ý kiến', questions: ['Chẩn đoán?'], urgency: 'routine', specialty: 'internal', kind: 'general' }), 403, null, `${who} opens a case`);
    await refused(as(who, 'PATCH', `/api/v1/patients/${p.id}`, { address: 'Bản Lũng Cú' }), 403, null, `${who} edits the record`);
    await refused(as(who, 'POST', `/api/v1/patients/${p.id}/account`, { username: `tk.${seq++}`, password: 'mat-khau-dai-9' }), 403, null, `${who} makes an account`);
  }
  assertError(await get(`/api/v1/patients/${p.id}`, 'demo.specialist'), 404);
  // The station itself still plans and queues.
  assert.equal((await as('demo.commune', 'POST', '/api/v1/queue', { patient_id: p.id, reason: 'Khám lại', priority: 'normal' })).status, 201);
});

test('hole 4: consent is recorded and withdrawn only by the patient\'s own facility', async () => {
  const p = await newPatient();
  await newVisit(p.id);
  const consents = (await get(`/api/v1/patients/${p.id}/consents`, 'demo.commune')).body.items;
  assert.equal(consents.length, 2);
  // The hospital reads the consents (it must know the patient agreed) but changes none.
  assert.equal((await get(`/api/v1/patients/${p.id}/consents`, 'demo.doctor')).status, 200);
  for (const who of ['demo.doctor', 'hg.nurse']) {
    await refused(as(who, 'POST', `/api/v1/patients/${p.id}/consents/${consents[0].id}/withdraw`, { reason: 'Người bệnh đổi ý' }), 403, null, `${who} withdraws`);
    await refused(as(who, 'POST', `/api/v1/patients/${p.id}/consents`, { purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' }), 403, null, `${who} records`);
  }
  assert.equal((await get(`/api/v1/patients/${p.id}`, 'demo.commune')).body.consent.remote_care, true);
});

test('hole 5: bystanders of the hospital do not act on the station\'s visit, and the share ends with it', async () => {
  const p = await newPatient();
  const v = await newVisit(p.id);
  const V = `/api/v1/visits/${v.id}`;
  // Colleagues of the doctor may read the visit while it is open, not act on it.
  assert.equal((await get(V, 'hg.nurse')).status, 200);
  for (const who of ['hg.nurse', 'hg.doctor2']) {
    await refused(as(who, 'POST', `${V}/transitions`, { to: 'cancelled', reason: 'Không liên lạc được' }), 403, null, `${who} cancels`);
    await refused(as(who, 'POST', `${V}/transitions`, { to: 'arrived' }), 403, null, `${who} marks arrived`);
  }
  assert.equal((await get(V, 'demo.commune')).body.state, 'planned');
  // Nor do they get into its channel; the visit's doctor and the station do.
  const nurse = await openWs(srv, S['hg.nurse']);
  const j = await nurse.ask({ type: 'join', channel: `visit:${v.id}` });
  assert.equal(j.type, 'error', JSON.stringify(j));
  await nurse.close();
  const doctor = await openWs(srv, S['demo.doctor']);
  assert.equal((await doctor.ask({ type: 'join', channel: `visit:${v.id}` })).type, 'joined');
  await doctor.close();
  // The station cancels: the hospital no longer reads the patient; the doctor keeps his visit.
  assert.equal((await as('demo.commune', 'POST', `${V}/transitions`, { to: 'cancelled', reason: 'Người bệnh khỏi' })).status, 200);
  for (const who of ['demo.doctor', 'hg.nurse']) assertError(await get(`/api/v1/patients/${p.id}`, who), 404);
  assertError(await get(V, 'hg.nurse'), 404);
  assert.equal((await get(V, 'demo.doctor')).status, 200);
  // The same list at the same hospital: the visit's doctor finds it, the nurse does not.
  const cancelled = (who) => get('/api/v1/visits?state=cancelled&limit=200', who).then((r) => r.body.items.map((x) => x.id));
  assert.ok((await cancelled('demo.doctor')).includes(v.id));
  assert.ok(!(await cancelled('hg.nurse')).includes(v.id));

  // A finished visit ends the share too; a no-show as well.
  for (const [to, reason] of [['finished'], ['no_show', 'Không đến']]) {
    const q = await newPatient();
    const w = await newVisit(q.id);
    if (to === 'finished') assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${w.id}/transitions`, { to: 'in_progress' })).status, 200);
    assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${w.id}/transitions`, reason ? { to, reason } : { to })).status, 200);
    assertError(await get(`/api/v1/patients/${q.id}`, 'hg.nurse'), 404);
    assert.equal((await get(`/api/v1/visits/${w.id}`, 'demo.doctor')).status, 200, 'the doctor keeps his own visit');
  }
});

test('hole 5: a booked visit that is cancelled or moved takes its share with it; a referral shares for a while', async () => {
  const day = vnDay(4);
  const slotsOf = async (doctor) => (await get(`/api/v1/slots?doctor_id=${userId(doctor)}&date=${day}&free=1`, 'demo.commune')).body.items;
  for (const doctor of ['demo.doctor', 'hg.doctor2']) {
    const s = await as(doctor, 'POST', '/api/v1/schedules', { start: `${day}T13:00:00+07:00`, end: `${day}T14:00:00+07:00`, slot_minutes: 15, mode: 'video' });
    assert.equal(s.status, 201, JSON.stringify(s.body));
  }
  const p = await newPatient();
  const b = await as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: (await slotsOf('demo.doctor'))[0].id, patient_id: p.id, reason: 'Tái khám' });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  assert.equal((await get(`/api/v1/patients/${p.id}`, 'hg.nurse')).status, 200);
  // Moved to the specialist at Bạch Mai: the hospital's share goes, Bạch Mai's comes.
  const bm = await as('demo.specialist', 'POST', '/api/v1/schedules', { start: `${day}T15:00:00+07:00`, end: `${day}T16:00:00+07:00`, slot_minutes: 15, mode: 'video' });
  assert.equal(bm.status, 201);
  const moved = await as('demo.commune', 'POST', `/api/v1/appointments/${b.body.id}/reschedule`, { slot_id: (await slotsOf('demo.specialist'))[0].id });
  assert.equal(moved.status, 201, JSON.stringify(moved.body));
  assertError(await get(`/api/v1/patients/${p.id}`, 'hg.nurse'), 404);
  assert.equal((await get(`/api/v1/patients/${p.id}`, 'demo.specialist')).status, 200);
  // Cancelled: Bạch Mai's share ends too.
  assert.equal((await as('demo.commune', 'POST', `/api/v1/appointments/${moved.body.id}/cancel`, { reason: 'Đã khỏi' })).status, 200);
  assertError(await get(`/api/v1/patients/${p.id}`, 'demo.specialist'), 404);

  // A referral by the visit's doctor lets the receiving hospital read the patient, for 90 days.
  const q = await newPatient();
  const v = await newVisit(q.id);
  assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'in_progress' })).status, 200);
  await refused(as('hg.nurse', 'POST', `/api/v1/visits/${v.id}/referral`, { to_facility_id: facilityId('BV-BACHMAI'), reason: 'Cần chụp CT' }), 403);
  const ref = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/referral`, { to_facility_id: facilityId('BV-BACHMAI'), reason: 'Cần chụp CT ổ bụng' });
  assert.equal(ref.status, 201, JSON.stringify(ref.body));
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'finished' })).status, 200);
  assert.equal((await get(`/api/v1/patients/${q.id}`, 'demo.specialist')).status, 200);
  const days = Number(srv.sql(`SELECT (expires_at - created_at) / 86400000 FROM patient_shares WHERE patient_id = ${q.id} AND reason = 'referral'`));
  assert.equal(days, 90);
  // ...and not a day more: its end moved to the past, the hospital reads nothing.
  srv.sql(`UPDATE patient_shares SET expires_at = ${Date.now() - 1000} WHERE patient_id = ${q.id} AND reason = 'referral'`);
  assertError(await get(`/api/v1/patients/${q.id}`, 'demo.specialist'), 404);
});

// Two answers that must be the same to whoever sends them: status, code, message, every byte.
function same(a, b, what) {
  assert.equal(a.status, b.status, `${what}: ${a.status} vs ${b.status}`);
  assert.deepEqual(a.body, b.body, `${what}: the answers differ`);
  assert.ok(a.status >= 400, `${what}: refused`);
}

test('hole 6: another facility\'s records answer exactly as absent ones', async () => {
  const p = await newPatient();
  const v = await newVisit(p.id);
  assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'in_progress' })).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'K29.7', primary: true })).status, 201);
  const rx = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: [{ medicine: 'Paracetamol', strength: '500 mg', dose: '1 viên', frequency: 'khi đau', duration_days: 3, quantity: 6 }] });
  assert.equal(rx.status, 201, JSON.stringify(rx.body));
  const consent = (await get(`/api/v1/patients/${p.id}/consents`, 'demo.commune')).body.items[0];
  const absent = 987654321;
  // Bạch Mai's specialist probes the station's ids and ids that do not exist.
  const pairs = [
    ['GET', (id) => `/api/v1/patients/${id}`, p.id],
    ['GET', (id) => `/api/v1/patients/${id}/consents`, p.id],
    ['POST', (id) => `/api/v1/patients/${id}/consents`, p.id, { purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' }],
    ['POST', (id) => `/api/v1/patients/${p.id}/consents/${id}/withdraw`, consent.id, { reason: 'Thử' }],
    ['POST', (id) => `/api/v1/patients/${id}/consents/${consent.id}/withdraw`, p.id, { reason: 'Thử' }],
    ['PATCH', (id) => `/api/v1/patients/${id}`, p.id, { address: 'x' }],
    ['GET', (id) => `/api/v1/visits/${id}`, v.id],
    ['GET', (id) => `/api/v1/visits/${id}/summary`, v.id],
    ['POST', (id) => `/api/v1/visits/${id}/transitions`, v.id, { to: 'finished' }],
    ['POST', (id) => `/api/v1/visits/${id}/vitals`, v.id, { pulse: 80 }],
    ['PUT', (id) => `/api/v1/visits/${id}/notes`, v.id, { plan: 'x' }],
    ['GET', (id) => `/api/v1/prescriptions/${id}`, rx.body.id],
    ['GET', (id) => `/api/v1/prescriptions/${id}/pdf`, rx.body.id],
    ['POST', (id) => `/api/v1/prescriptions/${id}/sign`, rx.body.id],
  ];
  for (const [method, path, id, body] of pairs) {
    const foreign = await as('demo.specialist', method, path(id), body);
    const none = await as('demo.specialist', method, path(absent), body);
    same(foreign, none, `${method} ${path(':id')}`);
    assert.equal(foreign.status, 404);
  }
  // An id in a body: a visit planned for the station's patient, or for none.
  const plan = (patient) => as('demo.specialist', 'POST', '/api/v1/visits', { patient_id: patient, doctor_id: userId('demo.specialist'), mode: 'video', reason: 'Thăm dò' });
  same(await plan(p.id), await plan(absent), 'POST /visits with a foreign patient_id');
  // An appointment of the station's (booked) against one that does not exist.
  const day = vnDay(5);
  assert.equal((await as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${day}T08:00:00+07:00`, end: `${day}T09:00:00+07:00`, slot_minutes: 15, mode: 'video' })).status, 201);
  const slot = (await get(`/api/v1/slots?doctor_id=${userId('demo.doctor')}&date=${day}&free=1`, 'demo.commune')).body.items[0];
  const appt = await as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: slot.id, patient_id: p.id, reason: 'Tái khám' });
  assert.equal(appt.status, 201);
  same(await as('demo.specialist', 'POST', `/api/v1/appointments/${appt.body.id}/cancel`, { reason: 'Thử' }),
    await as('demo.specialist', 'POST', `/api/v1/appointments/${absent}/cancel`, { reason: 'Thử' }), 'appointment cancel');
  // On the WebSocket: joining the station's visit and a visit that does not exist.
  const ws = await openWs(srv, S['demo.specialist']);
  const a = await ws.ask({ type: 'join', channel: `visit:${v.id}` });
  const b = await ws.ask({ type: 'join', channel: `visit:${absent}` });
  delete a.ref; delete b.ref;
  a.channel = b.channel = 'visit:?';
  assert.deepEqual(a, b);
  assert.equal(a.type, 'error');
  await ws.close();
});
