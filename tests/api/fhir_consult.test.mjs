// FHIR consultations and their documents (issue 20; docs/fhir.md): ServiceRequest and Task from a
// consultation case, DocumentReference and Binary from signed minutes and a signed prescription,
// AuditEvent from the audit trail — read-only. Seeded through the REST API: a case declined by the
// district centre, accepted by Hà Giang, answered, concluded, its minutes signed and amended; a
// draft, a cancelled case, an emergency; a signed prescription. Every JSON answer passes the three
// validators of lib/fhir.mjs; each search parameter is checked result by result, with a known match
// and an empty case; expected values are written here by hand from what the REST calls did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSignedIn, api, login, assertError as assertRestError, errorOf } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { fhir, checked } from './lib/fhir.mjs';

let srv;
const S = {};
const W = {};
const rest = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const as = (who, path, headers) => fhir(srv, 'GET', path, { token: S[who].token, headers });
const ok = async (who, method, path, body) => {
  const r = await rest(who, method, path, body);
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const facilityId = (code) => Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
// The bytes of an answer (api() reads text).
async function bytes(who, path, accept) {
  const r = await fetch(srv.url + path, { headers: { authorization: `Bearer ${S[who].token}`, ...(accept ? { accept } : {}) } });
  return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
}
// Today in Vietnam, YYYY-MM-DD.
const today = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);

const CASE = {
  summary: 'Đau ngực trái khi gắng sức 2 tuần, khó thở về đêm. Điện tim tại trạm.',
  questions: ['Có hội chứng vành cấp không?', 'Có cần chuyển tuyến ngay không?'],
  urgency: 'urgent', specialty: 'internal', kind: 'general',
};

before(async () => {
  srv = await startSignedIn(S);
  // A doctor of the district centre, the first hub for internal medicine from Lũng Cú.
  await ok('demo.ministry-admin', 'POST', '/api/v1/users', {
    username: 'dongvan.doctor', full_name: 'Vàng Mí Chứ', password: 'Đồng Văn 2026 mật khẩu', role: 'doctor',
    facility_id: facilityId('TTYT-DONGVAN'), licence_no: '000777/HG-CCHN', practice_scope: ['general', 'internal'],
  });
  S['dongvan.doctor'] = await login(srv, 'dongvan.doctor', 'Đồng Văn 2026 mật khẩu');
  W.p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Sùng Thị Mỷ', birth_year: 1961, sex: 'female' }, { consent: true });
  W.p2 = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Lầu Mí Dính', birth_year: 1975, sex: 'male' }, { consent: true });

  // Case A through its whole life.
  W.a = (await ok('demo.commune', 'POST', '/api/v1/consults', { patient_id: W.p.id, ...CASE, submit: true })).id;
  W.dongvanRead = (await as('dongvan.doctor', `/fhir/ServiceRequest/${W.a}`)).status;
  await ok('dongvan.doctor', 'POST', `/api/v1/consults/${W.a}/decline`, { reason: 'Không có bác sĩ nội trực hôm nay' });
  await ok('demo.doctor', 'POST', `/api/v1/consults/${W.a}/accept`, {});
  await ok('demo.doctor', 'POST', `/api/v1/consults/${W.a}/participants`, { user_id: userId('demo.specialist'), role: 'specialist' });
  await ok('demo.specialist', 'POST', `/api/v1/consults/${W.a}/opinions`, { opinion: 'ST chênh xuống V4–V6: nghĩ đến thiếu máu cơ tim.' });
  const qs = (await ok('demo.doctor', 'GET', `/api/v1/consults/${W.a}`)).questions;
  await ok('demo.doctor', 'POST', `/api/v1/consults/${W.a}/conclusion`, {
    answers: [{ question_id: qs[0].id, conclusion: 'Chưa loại trừ hội chứng vành cấp.' }, { question_id: qs[1].id, conclusion: 'Chuyển tuyến tỉnh trong ngày.' }],
    recommendation: 'transfer', recommendation_note: 'Cho ngậm nitroglycerin khi đau.',
  });
  const m = await ok('demo.doctor', 'POST', `/api/v1/consults/${W.a}/minutes`, {});
  const qs2 = m.questions;
  await ok('demo.doctor', 'POST', `/api/v1/consults/${W.a}/conclusion`, {
    answers: [{ question_id: qs2[0].id, conclusion: 'Nghĩ nhiều hội chứng vành cấp.' }, { question_id: qs2[1].id, conclusion: 'Chuyển tuyến tỉnh ngay.' }],
    recommendation: 'transfer', recommendation_note: 'Cho ngậm nitroglycerin khi đau.',
  });
  const m2 = await ok('demo.doctor', 'POST', `/api/v1/consults/${W.a}/minutes`, { amendment_reason: 'Chuyển tuyến ngay, không chờ' });
  [W.m1, W.m2] = m2.minutes.map((x) => x.id);
  W.m1v = m2.minutes[0].version;
  W.events = (await ok('demo.commune', 'GET', `/api/v1/consults/${W.a}`)).events;
  // A draft (B), a cancelled case (X), an emergency waiting at the district centre (E).
  W.b = (await ok('demo.commune', 'POST', '/api/v1/consults', { patient_id: W.p2.id, ...CASE })).id;
  W.x = (await ok('demo.commune', 'POST', '/api/v1/consults', { patient_id: W.p2.id, ...CASE, submit: true })).id;
  await ok('demo.commune', 'POST', `/api/v1/consults/${W.x}/cancel`, { reason: 'Người bệnh đã khỏi' });
  W.e = (await ok('demo.commune', 'POST', '/api/v1/consults', { patient_id: W.p2.id, ...CASE, urgency: 'emergency', submit: true })).id;

  // A signed prescription of a visit of patient p with Hà Giang's doctor.
  W.v = (await ok('demo.commune', 'POST', '/api/v1/visits', { patient_id: W.p.id, doctor_id: userId('demo.doctor'), mode: 'video', reason: 'Đau ngực' })).id;
  await ok('demo.commune', 'POST', `/api/v1/visits/${W.v}/transitions`, { to: 'in_progress' });
  await ok('demo.doctor', 'POST', `/api/v1/visits/${W.v}/diagnoses`, { icd10: 'I20', primary: true });
  const rx = await ok('demo.doctor', 'POST', `/api/v1/visits/${W.v}/prescriptions`, { items: [{ medicine: 'Aspirin', strength: '81 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30 }] });
  W.rx = (await ok('demo.doctor', 'POST', `/api/v1/prescriptions/${rx.id}/sign`)).id;
  // A second prescription of that visit, left a draft.
  W.draftRx = (await ok('demo.doctor', 'POST', `/api/v1/visits/${W.v}/prescriptions`, { items: [{ medicine: 'Atorvastatin', strength: '20 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30 }] })).id;
  W.hagiang = facilityId('BVDK-HAGIANG');
  W.dongvan = facilityId('TTYT-DONGVAN');
  W.lungcu = facilityId('TYT-LUNGCU');
});
after(() => srv.close());

async function all(who, path) {
  const out = [];
  let url = path;
  for (let i = 0; url && i < 100; i++) {
    const r = await as(who, url);
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    out.push(...(r.body.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource));
    const next = r.body.link.find((l) => l.relation === 'next');
    url = next ? next.url.slice(srv.url.length) : null;
  }
  return out;
}
// Each search: every result matches, every known id is there; an empty case finds nothing.
async function searches(who, type, cases) {
  for (const [q, matches, known] of cases) {
    const got = await all(who, `/fhir/${type}?${q}`);
    for (const x of got) assert.ok(matches(x), `${type}?${q}: ${x.id} does not match`);
    if (known === null) assert.deepEqual(got.map((x) => x.id), [], `${type}?${q} finds nothing`);
    else for (const k of known) assert.ok(got.some((x) => x.id === String(k)), `${type}?${q}: ${k} missing (got ${got.map((x) => x.id)})`);
  }
}
// A refusal, REST's or FHIR's (an OperationOutcome): its status and a message.
const assertError = (r, status) => assertRestError({ status: r.status, body: { error: errorOf(r.body) } }, status);

test('metadata lists the five types with exactly read and search (Binary: read)', async () => {
  const r = await fhir(srv, 'GET', '/fhir/metadata');
  const res = Object.fromEntries(r.body.rest[0].resource.map((x) => [x.type, x]));
  for (const t of ['ServiceRequest', 'Task', 'DocumentReference', 'AuditEvent'])
    assert.deepEqual(res[t].interaction.map((i) => i.code), ['read', 'search-type'], t);
  assert.deepEqual(res.Binary.interaction.map((i) => i.code), ['read']);
  assert.equal(res.Binary.searchParam, undefined);
  assert.deepEqual(res.ServiceRequest.searchParam.map((p) => p.name).sort(), ['_id', '_lastUpdated', 'authored', 'patient', 'performer', 'priority', 'requester', 'status']);
  assert.deepEqual(res.Task.searchParam.map((p) => p.name).sort(), ['_id', '_lastUpdated', 'based-on', 'focus', 'owner', 'patient', 'status']);
  assert.deepEqual(res.AuditEvent.searchParam.map((p) => p.name).sort(), ['_id', 'action', 'agent', 'date', 'patient', 'subtype']);
});

test('ServiceRequest: the case as the requesting station asked it', async () => {
  const r = await as('demo.commune', `/fhir/ServiceRequest/${W.a}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const s = r.body;
  assert.equal(s.id, String(W.a));
  assert.equal(s.status, 'completed', 'concluded');
  assert.equal(s.intent, 'order');
  assert.equal(s.priority, 'urgent');
  assert.equal(s.category[0].coding[0].code, 'general');
  assert.equal(s.code.coding[0].code, 'internal');
  assert.deepEqual(s.subject, { reference: `Patient/${W.p.id}`, display: 'Sùng Thị Mỷ' });
  assert.equal(s.requester.reference, `Practitioner/${userId('demo.commune')}`);
  assert.deepEqual(s.performer.map((p) => p.reference), [`Organization/${W.hagiang}`, `Practitioner/${userId('demo.doctor')}`]);
  assert.equal(s.reasonCode[0].text, CASE.summary);
  assert.deepEqual(s.note.map((n) => n.text), ['Câu hỏi 1: Có hội chứng vành cấp không?', 'Câu hỏi 2: Có cần chuyển tuyến ngay không?']);
  assert.ok(s.authoredOn);
  // The others: a draft, a cancelled case (revoked), an emergency (stat) waiting.
  assert.equal((await as('demo.commune', `/fhir/ServiceRequest/${W.b}`)).body.status, 'draft');
  assert.equal((await as('demo.commune', `/fhir/ServiceRequest/${W.x}`)).body.status, 'revoked');
  const e = (await as('demo.commune', `/fhir/ServiceRequest/${W.e}`)).body;
  assert.equal(e.status, 'active');
  assert.equal(e.priority, 'stat');
  assert.deepEqual(e.performer.map((p) => p.reference), [`Organization/${W.dongvan}`], 'no chair yet');
});

test('who reads a case: the hub it was sent to while it has it, never another facility', async () => {
  assert.equal(W.dongvanRead, 200, 'the district centre read it while it was there');
  const absentSR = await as('dongvan.doctor', '/fhir/ServiceRequest/999999');
  const absentTask = await as('dongvan.doctor', '/fhir/Task/999999');
  assertError(absentSR, 404);
  // Declined, the case left the district centre: the same 404 as an absent one, byte for byte.
  for (const [path, absent] of [[`/fhir/ServiceRequest/${W.a}`, absentSR], [`/fhir/Task/${W.a}`, absentTask]]) {
    const r = await as('dongvan.doctor', path);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, absent.body, path);
  }
  // The invited specialist reads it; Bạch Mai's does not read the draft.
  assert.equal((await as('demo.specialist', `/fhir/ServiceRequest/${W.a}`)).status, 200);
  assert.deepEqual((await as('demo.specialist', `/fhir/ServiceRequest/${W.b}`)).body, (await as('demo.specialist', '/fhir/ServiceRequest/999999')).body);
  // Searches hold only what a read allows.
  // The district centre has the emergency, and keeps the case cancelled while it had it, as the
  // REST read says.
  assert.equal((await rest('dongvan.doctor', 'GET', `/api/v1/consults/${W.x}`)).status, 200);
  const seen = await all('dongvan.doctor', '/fhir/ServiceRequest');
  assert.deepEqual(seen.map((x) => x.id), [String(W.x), String(W.e)]);
  assert.deepEqual((await all('dongvan.doctor', '/fhir/Task')).map((x) => x.id), [String(W.x), String(W.e)]);
  // A role that does not work with cases is refused as the REST case list refuses it.
  assertError(await fhir(srv, 'GET', '/fhir/ServiceRequest', { token: S['demo.facility-admin'].token }), 403);
});

test('Task: the hub\'s work, its history as Provenance, the signed minutes as its output', async () => {
  const r = await as('demo.doctor', `/fhir/Task/${W.a}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const t = r.body;
  assert.deepEqual(t.basedOn, [{ reference: `ServiceRequest/${W.a}` }]);
  assert.equal(t.focus.reference, `ServiceRequest/${W.a}`);
  assert.equal(t.status, 'completed');
  assert.equal(t.businessStatus.coding[0].code, 'concluded');
  assert.equal(t.owner.reference, `Organization/${W.hagiang}`);
  assert.equal(t.requester.reference, `Organization/${W.lungcu}`);
  assert.equal(t.for.reference, `Patient/${W.p.id}`);
  // The decline is why it is at Hà Giang.
  assert.equal(t.statusReason.coding[0].code, 'declined');
  assert.equal(t.statusReason.text, 'Không có bác sĩ nội trực hôm nay');
  // One Provenance per event of the case, in order, each referenced from relevantHistory.
  assert.deepEqual(t.contained.map((p) => p.activity.coding[0].code), W.events.map((e) => e.action));
  assert.deepEqual(t.relevantHistory.map((h) => h.reference), t.contained.map((p) => `#${p.id}`));
  const declined = t.contained.find((p) => p.activity.coding[0].code === 'declined');
  assert.equal(declined.agent[0].who.reference, `Practitioner/${userId('dongvan.doctor')}`);
  assert.equal(declined.reason[0].text, 'Không có bác sĩ nội trực hôm nay');
  assert.match(declined.activity.text, /Trung tâm Y tế|TTYT|Đồng Văn/);
  assert.ok(t.executionPeriod.start && t.executionPeriod.end);
  assert.deepEqual(t.output.map((o) => o.valueReference?.reference ?? o.valueCodeableConcept.coding[0].code),
    ['transfer', `DocumentReference/${W.m2 * 2}`], 'the recommendation and the current (amended) minutes');
  // The others' statuses.
  assert.equal((await as('demo.commune', `/fhir/Task/${W.b}`)).body.status, 'draft');
  assert.equal((await as('demo.commune', `/fhir/Task/${W.x}`)).body.status, 'cancelled');
  const e = (await as('demo.commune', `/fhir/Task/${W.e}`)).body;
  assert.equal(e.status, 'requested');
  assert.equal(e.owner.reference, `Organization/${W.dongvan}`);
  assert.equal(e.output, undefined);
});

test('ServiceRequest search: each parameter, result by result', async () => {
  const td = today();
  const C = userId('demo.commune');
  await searches('demo.commune', 'ServiceRequest', [
    [`patient=Patient/${W.p.id}`, (x) => x.subject.reference === `Patient/${W.p.id}`, [W.a]],
    ['patient=Patient/999999', () => false, null],
    [`_id=${W.b}`, (x) => x.id === String(W.b), [W.b]],
    ['status=completed', (x) => x.status === 'completed', [W.a]],
    ['status=draft', (x) => x.status === 'draft', [W.b]],
    ['status=revoked', (x) => x.status === 'revoked', [W.x]],
    ['status=active', (x) => x.status === 'active', [W.e]],
    ['status=on-hold', () => false, null],
    [`requester=Practitioner/${C}`, (x) => x.requester.reference === `Practitioner/${C}`, [W.a, W.b, W.x, W.e]],
    [`requester=Organization/${W.lungcu}`, () => true, [W.a, W.b, W.x, W.e]],
    [`requester=Organization/${W.hagiang}`, () => false, null],
    [`performer=Organization/${W.hagiang}`, (x) => x.performer.some((p) => p.reference === `Organization/${W.hagiang}`), [W.a]],
    [`performer=Practitioner/${userId('demo.doctor')}`, (x) => x.performer.some((p) => p.reference === `Practitioner/${userId('demo.doctor')}`), [W.a]],
    [`performer=Practitioner/${userId('demo.specialist')}`, () => false, null],
    [`authored=${td}`, (x) => x.authoredOn, [W.a, W.b, W.e]],
    ['authored=lt2001', () => false, null],
    ['priority=stat', (x) => x.priority === 'stat', [W.e]],
    ['priority=urgent', (x) => x.priority === 'urgent', [W.a, W.b]],
    ['priority=asap', () => false, null],
    [`_lastUpdated=ge${td}`, () => true, [W.a, W.e]],
    ['_lastUpdated=lt2001', () => false, null],
  ]);
  // Paging with the cursor: one a page, each once.
  const paged = await all('demo.commune', `/fhir/ServiceRequest?requester=Organization/${W.lungcu}&_count=1`);
  assert.deepEqual(paged.map((x) => Number(x.id)), [W.a, W.b, W.x, W.e]);
  // _include brings the patient.
  const inc = await as('demo.commune', `/fhir/ServiceRequest?_id=${W.a}&_include=ServiceRequest:patient`);
  assert.deepEqual(inc.body.entry.map((e) => `${e.search.mode} ${e.resource.resourceType}/${e.resource.id}`), [`match ServiceRequest/${W.a}`, `include Patient/${W.p.id}`]);
});

test('Task search: each parameter, result by result', async () => {
  await searches('demo.commune', 'Task', [
    [`focus=ServiceRequest/${W.a}`, (x) => x.focus.reference === `ServiceRequest/${W.a}`, [W.a]],
    [`based-on=ServiceRequest/${W.e}`, (x) => x.basedOn[0].reference === `ServiceRequest/${W.e}`, [W.e]],
    ['focus=ServiceRequest/999999', () => false, null],
    [`owner=Organization/${W.hagiang}`, (x) => x.owner.reference === `Organization/${W.hagiang}`, [W.a]],
    [`owner=Organization/${W.lungcu}`, () => false, null],
    ['status=completed', (x) => x.status === 'completed', [W.a]],
    ['status=cancelled', (x) => x.status === 'cancelled', [W.x]],
    ['status=requested', (x) => x.status === 'requested', [W.e]],
    ['status=draft', (x) => x.status === 'draft', [W.b]],
    ['status=rejected', () => false, null],
    [`patient=Patient/${W.p2.id}`, (x) => x.for.reference === `Patient/${W.p2.id}`, [W.b, W.x, W.e]],
    [`_lastUpdated=${today()}`, () => true, [W.a, W.b]],
    ['_lastUpdated=2001', () => false, null],
  ]);
});

test('DocumentReference: signed minutes (current and superseded) and the prescription, hashed as their PDFs', async () => {
  const rxDoc = W.rx * 2 + 1;
  for (const [id, rest, type, status, ctx] of [
    [W.m2 * 2, `/api/v1/consults/${W.a}/minutes/2/pdf`, '11488-4', 'current', { related: [{ reference: `ServiceRequest/${W.a}` }] }],
    [W.m1 * 2, `/api/v1/consults/${W.a}/minutes/1/pdf`, '11488-4', 'superseded', { related: [{ reference: `ServiceRequest/${W.a}` }] }],
    [rxDoc, `/api/v1/prescriptions/${W.rx}/pdf`, '57833-6', 'current', { encounter: [{ reference: `Encounter/${W.v}` }] }],
  ]) {
    const r = await as('demo.doctor', `/fhir/DocumentReference/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const d = r.body;
    assert.equal(d.status, status, `${id}`);
    assert.equal(d.type.coding[0].system, 'http://loinc.org');
    assert.equal(d.type.coding[0].code, type);
    assert.equal(d.subject.reference, `Patient/${W.p.id}`);
    assert.equal(d.authenticator.reference, `Practitioner/${userId('demo.doctor')}`);
    assert.deepEqual(d.context, ctx);
    const a = d.content[0].attachment;
    assert.equal(a.contentType, 'application/pdf');
    assert.equal(a.url, `${srv.url}/fhir/Binary/${id}`);
    // The REST route's PDF, its size and its SHA-1 (base64) as the DocumentReference gives them.
    const pdf = await bytes('demo.doctor', rest);
    assert.equal(pdf.status, 200);
    assert.equal(a.size, pdf.body.length);
    assert.equal(a.hash, createHash('sha1').update(pdf.body).digest('base64'));
    // Binary: the same bytes as application/pdf, and as base64 in FHIR JSON.
    const bin = await bytes('demo.doctor', `/fhir/Binary/${id}`, 'application/pdf');
    assert.equal(bin.status, 200);
    assert.equal(bin.type, 'application/pdf');
    assert.ok(bin.body.equals(pdf.body), 'Binary is the REST PDF byte for byte');
    const j = await as('demo.doctor', `/fhir/Binary/${id}`);
    assert.equal(j.body.resourceType, 'Binary');
    assert.equal(j.body.contentType, 'application/pdf');
    assert.ok(Buffer.from(j.body.data, 'base64').equals(pdf.body));
  }
  const v2 = (await as('demo.doctor', `/fhir/DocumentReference/${W.m2 * 2}`)).body;
  assert.deepEqual(v2.relatesTo, [{ code: 'replaces', target: { reference: `DocumentReference/${W.m1 * 2}` } }]);
  assert.match(v2.masterIdentifier.value, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  // Neither JSON nor PDF asked for: 406.
  assertError(await bytes('demo.doctor', `/fhir/Binary/${rxDoc}`, 'text/html').then((r) => ({ status: r.status, body: JSON.parse(r.body) })), 406);
});

test('DocumentReference search: each parameter, result by result', async () => {
  const rxDoc = W.rx * 2 + 1, m1 = W.m1 * 2, m2 = W.m2 * 2;
  await searches('demo.doctor', 'DocumentReference', [
    [`patient=Patient/${W.p.id}`, (x) => x.subject.reference === `Patient/${W.p.id}`, [m1, m2, rxDoc]],
    [`patient=Patient/${W.p2.id}`, () => false, null],
    ['type=http://loinc.org|11488-4', (x) => x.type.coding[0].code === '11488-4', [m1, m2]],
    ['type=57833-6', (x) => x.type.coding[0].code === '57833-6', [rxDoc]],
    ['type=http://snomed.info/sct|371530004', () => false, null],
    ['status=superseded', (x) => x.status === 'superseded', [m1]],
    ['status=current', (x) => x.status === 'current', [m2, rxDoc]],
    ['status=entered-in-error', () => false, null],
    [`related=ServiceRequest/${W.a}`, (x) => x.context.related?.[0].reference === `ServiceRequest/${W.a}`, [m1, m2]],
    [`related=Encounter/${W.v}`, (x) => x.context.encounter?.[0].reference === `Encounter/${W.v}`, [rxDoc]],
    [`related=ServiceRequest/${W.e}`, () => false, null],
    [`date=${today()}`, () => true, [m1, m2, rxDoc]],
    ['date=lt2001', () => false, null],
  ]);
  // A search's entries leave out the size and hash (a read gives them).
  const [e] = await all('demo.doctor', `/fhir/DocumentReference?_id=${m2}`);
  assert.equal(e.content[0].attachment.hash, undefined);
});

test("another facility's document and its PDF answer exactly as absent ones", async () => {
  const rxDoc = W.rx * 2 + 1;
  // Bạch Mai's specialist takes part in case A (reads its minutes) but not in the visit.
  assert.equal((await as('demo.specialist', `/fhir/DocumentReference/${W.m2 * 2}`)).status, 200);
  const absent = await as('demo.specialist', '/fhir/DocumentReference/999998');
  const absentBin = await as('demo.specialist', '/fhir/Binary/999998');
  assert.equal(absent.status, 404);
  for (const [path, want] of [[`/fhir/DocumentReference/${rxDoc}`, absent], [`/fhir/Binary/${rxDoc}`, absentBin]]) {
    const r = await as('demo.specialist', path);
    assert.equal(r.status, 404, path);
    assert.deepEqual(r.body, want.body, path);
  }
  // The district centre, which declined case A, reads neither its minutes nor their PDF.
  for (const path of [`/fhir/DocumentReference/${W.m1 * 2}`, `/fhir/Binary/${W.m1 * 2}`]) {
    const r = await as('dongvan.doctor', path);
    assert.deepEqual([r.status, r.body], [404, (await as('dongvan.doctor', path.replace(/\d+$/, '999998'))).body], path);
  }
  assert.deepEqual((await all('dongvan.doctor', '/fhir/DocumentReference')).map((x) => x.id), []);
  // A draft prescription is no document: its DocumentReference and Binary answer as absent ones,
  // to the doctor who wrote it.
  assert.equal(srv.sql(`SELECT status FROM prescriptions WHERE id = ${W.draftRx}`), 'draft');
  for (const type of ['DocumentReference', 'Binary']) {
    const draft = await as('demo.doctor', `/fhir/${type}/${W.draftRx * 2 + 1}`);
    const none = await as('demo.doctor', `/fhir/${type}/999997`);
    assert.equal(none.status, 404, type);
    assert.deepEqual([draft.status, draft.body], [404, none.body], type);
  }
  // Reading the PDF through Binary is audited, naming the patient.
  const n = srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'document.pdf' AND patient_id = ${W.p.id} AND outcome = 'ok'`);
  assert.ok(Number(n) >= 3, `${n} audited Binary reads`);
});

test('AuditEvent: an administrator reads the trail of its scope; a clinician is refused as by the REST route', async () => {
  const doctor = userId('demo.doctor');
  const ownId = Number(srv.sql(`SELECT MAX(id) FROM audit_events WHERE actor_id = ${doctor} AND action = 'consult.accept'`));
  const foreign = Number(srv.sql(`SELECT MAX(id) FROM audit_events WHERE actor_id = ${userId('demo.commune')}`));
  const r = await as('demo.facility-admin', `/fhir/AuditEvent/${ownId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const e = r.body;
  assert.equal(e.subtype[0].code, 'consult.accept');
  assert.equal(e.action, 'E');
  assert.equal(e.outcome, '0');
  assert.deepEqual(e.agent[0].who.identifier, { system: 'urn:ytexa:fhir:sid:user', value: String(doctor) });
  assert.equal(e.agent[0].who.display, 'doctor');
  assert.equal(e.agent[0].network.address, '127.0.0.1');
  assert.deepEqual(e.entity.map((x) => x.what.identifier?.value ?? x.what.reference), [`consult/${W.a}`, `Patient/${W.p.id}`]);
  // Another facility's user's act: the same 404 as an absent event; the ministry reads both.
  const absent = await as('demo.facility-admin', '/fhir/AuditEvent/99999999');
  const other = await as('demo.facility-admin', `/fhir/AuditEvent/${foreign}`);
  assert.deepEqual([other.status, other.body], [404, absent.body]);
  assert.equal((await as('demo.ministry-admin', `/fhir/AuditEvent/${foreign}`)).status, 200);
  // A clinician: the REST audit route's answer (403, the role gate), on read and search alike.
  const restAnswer = await rest('demo.doctor', 'GET', '/api/v1/audit');
  for (const path of [`/fhir/AuditEvent/${ownId}`, '/fhir/AuditEvent']) {
    const c = await as('demo.doctor', path);
    assert.equal(c.status, restAnswer.status);
    assert.equal(c.body.issue[0].diagnostics, restAnswer.body.error.message);
  }
});

test('AuditEvent search: each parameter, result by result, paged over the cursor', async () => {
  const doctor = userId('demo.doctor');
  const accept = Number(srv.sql(`SELECT MAX(id) FROM audit_events WHERE actor_id = ${doctor} AND action = 'consult.accept'`));
  const read = Number(srv.sql(`SELECT MAX(id) FROM audit_events WHERE actor_id = ${doctor} AND action = 'document.read' AND outcome = 'ok'`));
  const sign = Number(srv.sql(`SELECT MIN(id) FROM audit_events WHERE actor_id = ${doctor} AND action = 'consult.sign'`));
  const byAgent = (x) => x.agent[0].who.identifier?.value === String(doctor);
  await searches('demo.facility-admin', 'AuditEvent', [
    [`agent=Practitioner/${doctor}`, byAgent, [accept, read, sign]],
    [`agent=${userId('demo.commune')}`, () => false, null],
    [`patient=Patient/${W.p.id}`, (x) => x.entity.some((y) => y.what.reference === `Patient/${W.p.id}`), [accept, read]],
    ['patient=Patient/999999', () => false, null],
    [`agent=${doctor}&action=R`, (x) => x.action === 'R', [read]],
    [`agent=${doctor}&action=C`, (x) => x.action === 'C', [sign]],
    [`agent=${doctor}&action=E`, (x) => x.action === 'E', [accept]],
    [`agent=${doctor}&action=D`, () => false, null],
    ['subtype=consult.accept', (x) => x.subtype[0].code === 'consult.accept', [accept]],
    ['subtype=urn:ytexa:fhir:CodeSystem:audit-action|document.read', (x) => x.subtype[0].code === 'document.read', [read]],
    ['subtype=no.such', () => false, null],
    [`date=${today()}&agent=${doctor}`, () => true, [accept]],
    ['date=lt2001', () => false, null],
  ]);
  // Paged two at a time: each event once, in id order, the same as one large page.
  const paged = await all('demo.facility-admin', `/fhir/AuditEvent?agent=${doctor}&_count=2`);
  const whole = await all('demo.facility-admin', `/fhir/AuditEvent?agent=${doctor}&_count=100`);
  assert.ok(whole.length > 4);
  assert.deepEqual(paged.map((x) => x.id), whole.map((x) => x.id));
  assert.deepEqual(paged.map((x) => Number(x.id)), [...paged.map((x) => Number(x.id))].sort((a, b) => a - b));
  // The facility's administrator sees only its users' acts.
  const mine = await all('demo.facility-admin', '/fhir/AuditEvent?_count=100');
  const facilityOf = new Map(srv.sql(`SELECT id, actor_facility_id FROM audit_events`).split('\n').map((l) => l.split('|').map(Number)));
  for (const x of mine) assert.equal(facilityOf.get(Number(x.id)), W.hagiang, `event ${x.id}`);
  // A list names no record: no entity for it, rather than "consult/" with no id.
  const list = mine.find((x) => x.subtype[0].code === 'consult.list');
  assert.ok(list, 'a consult.list event of the hub');
  assert.equal(list.entity, undefined);
  for (const x of mine) for (const y of x.entity ?? []) if (y.what.identifier) assert.match(y.what.identifier.value, /^[a-z_]+\/.+/, `event ${x.id}`);
});

test('bad input: 400 naming the parameter, as an OperationOutcome', async () => {
  for (const [who, path, field] of [
    ['demo.commune', '/fhir/ServiceRequest?status=ongoing', 'status'],
    ['demo.commune', '/fhir/ServiceRequest?priority=high', 'priority'],
    ['demo.commune', '/fhir/ServiceRequest?authored=2026-13', 'authored'],
    ['demo.commune', '/fhir/ServiceRequest?requester=12', 'requester'],
    ['demo.commune', '/fhir/ServiceRequest?code=x', 'code'],
    ['demo.commune', '/fhir/Task?status=doing', 'status'],
    ['demo.doctor', '/fhir/DocumentReference?status=old', 'status'],
    ['demo.doctor', '/fhir/DocumentReference?related=Patient/1', 'related'],
    ['demo.facility-admin', '/fhir/AuditEvent?action=X', 'action'],
    ['demo.facility-admin', '/fhir/AuditEvent?date=yesterday', 'date'],
    ['demo.facility-admin', '/fhir/AuditEvent?_count=0', '_count'],
  ]) {
    const r = await as(who, path);
    assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.resourceType, 'OperationOutcome');
    assert.deepEqual(r.body.issue[0].expression, [field], path);
  }
  assert.ok(checked.n > 50, `${checked.n} answers validated`);
});
