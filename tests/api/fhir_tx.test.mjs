// FHIR transaction and batch Bundles (issue 20; docs/fhir.md, "Transaction and batch") and the
// Observation and Condition creates they carry. Each entry goes through the route a request of its
// own reaches, so the counts below are read through the REST API before and after, and the audit
// trail through GET /api/v1/audit. Every answer passes the three validators of lib/fhir.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'fhir-kit-client';
import { startSignedIn, api } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { fhir, assertValid, checked } from './lib/fhir.mjs';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const ICD = 'http://hl7.org/fhir/sid/icd-10';

let srv;
const S = {};
const W = {};
const as = (who, method, path, opts = {}) => fhir(srv, method, path, { token: S[who].token, ...opts });
const ok = async (who, method, path, body) => {
  const r = await api(srv, method, path, { token: S[who].token, body });
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const uid = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const bundle = (type, entry) => ({ resourceType: 'Bundle', type, entry });
const post = (resource, fullUrl) => ({ ...(fullUrl ? { fullUrl } : {}), resource, request: { method: 'POST', url: resource.resourceType } });
const patient = (text, gender, birthDate) => ({ resourceType: 'Patient', name: [{ text }], gender, birthDate });
const pulse = (visit, value, more = {}) => ({
  resourceType: 'Observation', status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }] },
  encounter: { reference: `Encounter/${visit}` },
  valueQuantity: { value, unit: 'beats/minute', system: UCUM, code: '/min' }, ...more,
});
const pressure = (visit, sys, dia) => ({
  resourceType: 'Observation', status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9' }] },
  encounter: { reference: `Encounter/${visit}` },
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: sys, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
    { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: dia, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
  ],
});
const diagnosis = (visit, code, note) => ({
  resourceType: 'Condition', code: { coding: [{ system: ICD, code }] }, encounter: { reference: `Encounter/${visit}` },
  ...(note ? { note: [{ text: note }] } : {}),
});
// What the REST API shows of a visit's record and of the station's registry: the figures a refused
// Bundle must leave as they were.
async function counts(visit = W.v.id) {
  const v = await ok('demo.commune', 'GET', `/api/v1/visits/${visit}`);
  let patients = 0;
  for (const who of ['demo.commune', 'demo.doctor', 'demo.specialist'])
    patients += (await ok(who, 'GET', '/api/v1/patients?q=Bundle&limit=200')).items.length;
  return { vitals: v.vitals.length, diagnoses: v.diagnoses.length, patients };
}
const idOf = (location) => location.match(/\/fhir\/\w+\/(\d+)/)[1];

before(async () => {
  srv = await startSignedIn(S);
  W.p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Lò Thị Ánh', birth_year: 1975, sex: 'female' });
  W.v = await ok('demo.commune', 'POST', '/api/v1/visits', { patient_id: W.p.id, doctor_id: uid('demo.doctor'), mode: 'video', reason: 'Khó thở' });
  await ok('demo.commune', 'POST', `/api/v1/visits/${W.v.id}/transitions`, { to: 'in_progress' });
  // A planned visit (not started: nothing may be recorded on it).
  W.planned = await ok('demo.commune', 'POST', '/api/v1/visits', { patient_id: W.p.id, doctor_id: uid('demo.doctor'), mode: 'chat', reason: 'Tái khám' });
});
after(() => srv.close());

test('a transaction creates a Patient, Observations and a Condition in one commit; each reads back as answered', async () => {
  const before = await counts();
  const r = await as('demo.doctor', 'POST', '/fhir', {
    body: bundle('transaction', [
      { fullUrl: 'urn:uuid:5b0f3c1e-0000-4000-8000-000000000001', resource: patient('Bundle Hoàng Thị Hương', 'female', '1988-02-03'), request: { method: 'POST', url: 'Patient' } },
      post(pulse(W.v.id, 92)),
      post(pressure(W.v.id, 150, 95)),
      post(diagnosis(W.v.id, 'J45.9', 'Hen phế quản, theo dõi')),
      // A read of the Patient created above: processed last (R4's order), its urn:uuid replaced by
      // the id created.
      { request: { method: 'GET', url: 'Patient/urn:uuid:5b0f3c1e-0000-4000-8000-000000000001' } },
    ]),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.type, 'transaction-response');
  const [p, hr, bp, dx, read] = r.body.entry;
  assert.deepEqual(r.body.entry.map((e) => e.response.status), ['201', '201', '201', '201', '200']);
  assert.match(p.response.location, /\/fhir\/Patient\/\d+\/_history\/1$/);
  assert.equal(p.response.etag, 'W/"1"');
  assert.equal(p.resource.name[0].text, 'Bundle Hoàng Thị Hương');
  assert.equal(p.response.lastModified, p.resource.meta.lastUpdated);
  // The Observations: the one of heart rate, its id the row's × 16 + 2; blood pressure's + 1.
  assert.match(hr.response.location, /\/fhir\/Observation\/\d+$/);
  assert.equal(hr.response.etag, undefined, 'an Observation keeps no version');
  assert.equal(Number(hr.resource.id) % 16, 2);
  assert.equal(Number(bp.resource.id) % 16, 1);
  assert.equal(hr.resource.valueQuantity.value, 92);
  assert.deepEqual(bp.resource.component.map((c) => c.valueQuantity.value), [150, 95]);
  assert.equal(hr.resource.subject.reference, `Patient/${W.p.id}`);
  assert.equal(hr.resource.performer[0].reference, `Practitioner/${uid('demo.doctor')}`);
  assert.equal(dx.resource.code.coding[0].code, 'J45.9');
  assert.equal(dx.resource.note[0].text, 'Hen phế quản, theo dõi');
  // The read found the Patient the transaction created.
  assert.equal(read.resource.id, idOf(p.response.location));
  assert.deepEqual(read.resource, p.resource);
  // Each reads back exactly as the transaction answered it.
  for (const e of [p, hr, bp, dx]) {
    const back = await as('demo.doctor', 'GET', `/fhir/${e.resource.resourceType}/${e.resource.id}`);
    assert.equal(back.status, 200);
    assert.deepEqual(back.body, e.resource);
  }
  // The REST API sees one more patient, two more rows of measurements and one more diagnosis.
  const after = await counts();
  assert.deepEqual(after, { vitals: before.vitals + 2, diagnoses: before.diagnoses + 1, patients: before.patients + 1 });
  const v = await ok('demo.commune', 'GET', `/api/v1/visits/${W.v.id}`);
  assert.ok(v.vitals.some((x) => x.pulse === 92));
  assert.ok(v.vitals.some((x) => x.systolic === 150 && x.diastolic === 95));
  assert.ok(v.diagnoses.some((d) => d.code === 'J45.9' && !d.primary));
});

test("a urn:uuid reference is rewritten to the id created: a subject naming the new Patient is not the visit's", async () => {
  const before = await counts();
  const r = await as('demo.doctor', 'POST', '/fhir', {
    body: bundle('transaction', [
      post(pulse(W.v.id, 80, { subject: { reference: 'urn:uuid:5b0f3c1e-0000-4000-8000-00000000000a' } })),
      { fullUrl: 'urn:uuid:5b0f3c1e-0000-4000-8000-00000000000a', resource: patient('Bundle Mới Tạo', 'male', '1990'), request: { method: 'POST', url: 'Patient' } },
    ]),
  });
  // The Observation ran after the Patient it refers to (R4 lets the server order POSTs so), its
  // subject then Patient/<new id>: not the visit's patient, so the transaction writes nothing.
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.issue[0].expression[0], 'Bundle.entry[0].resource.subject');
  // One language, the entry's own message after where it is (Vietnamese: no Accept-Language).
  assert.equal(r.body.issue[0].diagnostics, 'Mục Bundle.entry[0] (POST /fhir/Observation): subject là bệnh nhân của lượt khám');
  assert.deepEqual(await counts(), before);
});

test('a transaction whose 3rd entry is invalid writes nothing, and says which entry and why', async () => {
  const before = await counts();
  const r = await as('demo.doctor', 'POST', '/fhir', {
    body: bundle('transaction', [
      post(patient('Bundle Không Được Lưu', 'male', '1979-09-09')),
      post(pulse(W.v.id, 70)),
      post(pulse(W.v.id, 400)), // outside the plausible range 20–250
      post(diagnosis(W.v.id, 'I10')),
    ]),
  });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.resourceType, 'OperationOutcome');
  assert.equal(r.body.issue[0].expression[0], 'Bundle.entry[2].resource.valueQuantity');
  assert.match(r.body.issue[0].diagnostics, /Bundle\.entry\[2\].*20–250/);
  assert.deepEqual(await counts(), before);
  // A refusal of the visit's state (409) is the Bundle's status too.
  const planned = await as('demo.doctor', 'POST', '/fhir', { body: bundle('transaction', [post(patient('Bundle Cũng Không', 'female', '1980')), post(diagnosis(W.planned.id, 'I10'))]) });
  assert.equal(planned.status, 409, JSON.stringify(planned.body));
  assert.equal(planned.body.issue[0].details.coding[0].code, 'visit_state');
  assert.deepEqual(await counts(), before);
});

test('a batch keeps its good entries and answers the bad one in its own response.outcome', async () => {
  const before = await counts();
  const r = await as('demo.doctor', 'POST', '/fhir', {
    body: bundle('batch', [
      post(pulse(W.v.id, 66)),
      post(diagnosis(W.v.id, 'XX')), // not an ICD-10 code
      post(patient('Bundle Lô Văn Giữ', 'male', '1966-06-06')),
      { request: { method: 'GET', url: `Encounter/${W.v.id}` } },
    ]),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.type, 'batch-response');
  assert.deepEqual(r.body.entry.map((e) => e.response.status), ['201', '400', '201', '200']);
  const bad = r.body.entry[1].response.outcome;
  assert.equal(bad.resourceType, 'OperationOutcome');
  assert.equal(bad.issue[0].expression[0], 'Condition.code');
  assert.equal(r.body.entry[1].resource, undefined);
  assert.equal(r.body.entry[3].resource.id, String(W.v.id));
  assert.deepEqual(await counts(), { vitals: before.vitals + 1, diagnoses: before.diagnoses, patients: before.patients + 1 });
  // An entry refused after its handler wrote (the subject is checked once the visit is known to be
  // the caller's) is rolled back alone: its row of vitals is not kept, the next entry's is.
  const mid = await counts();
  const s = await as('demo.doctor', 'POST', '/fhir', { body: bundle('batch', [post(pulse(W.v.id, 61, { subject: { reference: `Patient/${W.p.id + 1000}` } })), post(pulse(W.v.id, 62))]) });
  assert.deepEqual(s.body.entry.map((e) => e.response.status), ['400', '201']);
  assert.equal(s.body.entry[0].response.outcome.issue[0].expression[0], 'Observation.subject');
  assert.deepEqual(await counts(), { ...mid, vitals: mid.vitals + 1 });
  const v = await ok('demo.commune', 'GET', `/api/v1/visits/${W.v.id}`);
  assert.ok(!v.vitals.some((x) => x.pulse === 61) && v.vitals.some((x) => x.pulse === 62));
});

test("another facility's visit or patient in an entry is the 404 of an absent one, and nothing is written", async () => {
  const before = await counts();
  // demo.specialist works elsewhere: the visit is not its business.
  const foreign = await as('demo.specialist', 'POST', '/fhir', { body: bundle('transaction', [post(patient('Bundle Người Lạ', 'male', '1970')), post(diagnosis(W.v.id, 'I10'))]) });
  const absent = await as('demo.specialist', 'POST', '/fhir', { body: bundle('transaction', [post(patient('Bundle Người Lạ', 'male', '1970')), post(diagnosis(99999999, 'I10'))]) });
  assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
  assert.equal(JSON.stringify(foreign.body).replace('99999999', String(W.v.id)), JSON.stringify(absent.body).replace('99999999', String(W.v.id)));
  const put = await as('demo.specialist', 'POST', '/fhir', { body: bundle('transaction', [{ resource: { resourceType: 'Patient', id: String(W.p.id), name: [{ text: 'Đổi Tên' }], gender: 'female', birthDate: '1975' }, request: { method: 'PUT', url: `Patient/${W.p.id}` } }]) });
  const putAbsent = await as('demo.specialist', 'POST', '/fhir', { body: bundle('transaction', [{ resource: { resourceType: 'Patient', id: '99999999', name: [{ text: 'Đổi Tên' }], gender: 'female', birthDate: '1975' }, request: { method: 'PUT', url: 'Patient/99999999' } }]) });
  assert.equal(put.status, 404);
  assert.equal(JSON.stringify(put.body).replace(`Patient/${W.p.id}`, 'X'), JSON.stringify(putAbsent.body).replace('Patient/99999999', 'X'));
  // In a batch: the same outcome as an absent one in the entry.
  const b = await as('demo.specialist', 'POST', '/fhir', { body: bundle('batch', [{ request: { method: 'GET', url: `Patient/${W.p.id}` } }, { request: { method: 'GET', url: 'Patient/99999999' } }]) });
  assert.equal(b.status, 200);
  assert.deepEqual(b.body.entry[0].response, b.body.entry[1].response);
  assert.equal(b.body.entry[0].response.status, '404');
  assert.deepEqual(await counts(), before);
  assert.equal((await ok('demo.commune', 'GET', `/api/v1/patients/${W.p.id}`)).full_name, 'Lò Thị Ánh');
});

test("an entry the caller's role may not call is 403, as the route alone", async () => {
  const before = await counts();
  // A health worker records vital signs but only a doctor writes diagnoses (POST /fhir/Condition).
  const r = await as('demo.commune', 'POST', '/fhir', { body: bundle('transaction', [post(pulse(W.v.id, 75)), post(diagnosis(W.v.id, 'I10'))]) });
  assert.equal(r.status, 403, JSON.stringify(r.body));
  assert.equal(r.body.issue[0].expression[0], 'Bundle.entry[1]');
  const alone = await as('demo.commune', 'POST', '/fhir/Condition', { body: diagnosis(W.v.id, 'I10') });
  assert.equal(alone.status, 403);
  assert.deepEqual(await counts(), before);
  // The trainer may call neither; in a batch each entry answers 403 on its own.
  const b = await as('demo.trainer', 'POST', '/fhir', { body: bundle('batch', [post(pulse(W.v.id, 75)), { request: { method: 'GET', url: `Patient/${W.p.id}` } }]) });
  assert.deepEqual(b.body.entry.map((e) => e.response.status), ['403', '403']);
  assert.deepEqual(await counts(), before);
});

test('ceilings and malformed Bundles are refused before any entry runs', async () => {
  const before = await counts();
  const cases = [
    [bundle('transaction', Array.from({ length: 101 }, () => post(pulse(W.v.id, 70)))), 413, 'Bundle.entry'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { resource: bundle('batch', []), request: { method: 'POST', url: 'Bundle' } }]), 400, 'Bundle.entry[1].resource'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'POST', url: '' } }]), 400, 'Bundle.entry[1].request.url'],
    [bundle('collection', [post(pulse(W.v.id, 70))]), 400, 'Bundle.type'],
    [bundle('transaction', [post(pulse(W.v.id, 70), 'urn:uuid:1'), post(pulse(W.v.id, 71), 'urn:uuid:1')]), 400, 'Bundle.entry[1].fullUrl'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'GET', url: '/api/v1/patients' } }]), 400, 'Bundle.entry[1].request.url'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'GET', url: 'http://elsewhere.example/fhir/Patient' } }]), 400, 'Bundle.entry[1].request.url'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'GET', url: 'Patient/../../api/v1/users' } }]), 400, 'Bundle.entry[1].request.url'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'GET', url: 'Patient?name=a%00b' } }]), 400, 'Bundle.entry[1].request.url'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'PATCH', url: 'Patient/1' } }]), 400, 'Bundle.entry[1].request.method'],
    [bundle('transaction', [post(pulse(W.v.id, 70)), { request: { method: 'GET', url: 'Patient', ifNoneExist: 'x' } }]), 400, 'Bundle.entry[1].request.ifNoneExist'],
    [bundle('transaction', [{ ...post(pulse(W.v.id, 70)), search: { mode: 'match' } }]), 400, 'Bundle.entry[0].search'],
    [{ ...bundle('transaction', []), total: 3 }, 400, 'total'],
  ];
  for (const [body, status, field] of cases) {
    const r = await as('demo.doctor', 'POST', '/fhir', { body });
    assert.equal(r.status, status, `${field}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.issue[0].expression?.[0], field, JSON.stringify(r.body));
  }
  // The body limit holds as for any request.
  const big = await as('demo.doctor', 'POST', '/fhir', { body: bundle('batch', [post({ ...pulse(W.v.id, 70), text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(2 * 1024 * 1024)}</div>` } })]) });
  assert.equal(big.status, 413);
  // An empty Bundle is an empty answer.
  const empty = await as('demo.doctor', 'POST', '/fhir/', { body: bundle('batch', []) });
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, { resourceType: 'Bundle', type: 'batch-response', entry: [] });
  assert.deepEqual(await counts(), before);
});

test('a route with its own transaction, raw body or gate ($import) is no entry: its entry is refused 400, the others of a batch kept', async () => {
  const r = await as('demo.doctor', 'POST', '/fhir', {
    body: bundle('batch', [post(pulse(W.v.id, 77)), { resource: { resourceType: 'Parameters' }, request: { method: 'POST', url: '$import?facility=12' } }]),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.entry[0].response.status, /^201/);
  assert.match(r.body.entry[1].response.status, /^400/);
  assert.match(r.body.entry[1].response.outcome.issue[0].diagnostics, /không đi trong một Bundle$/);
});

test('each entry has its own audit event, with the Bundle request id; a failed transaction keeps only its refusal', async () => {
  const admin = S['demo.ministry-admin'];
  const events = async (rid) => (await api(srv, 'GET', '/api/v1/audit?limit=500', { token: admin.token })).body.items.filter((e) => e.request_id === rid);
  const r = await as('demo.doctor', 'POST', '/fhir', {
    body: bundle('batch', [post(pulse(W.v.id, 81)), { request: { method: 'GET', url: `Patient/${W.p.id}` } }, post(diagnosis(W.v.id, 'I1'))]),
  });
  assert.equal(r.status, 200);
  const rid = r.headers.get('x-request-id');
  const got = (await events(rid)).map((e) => [e.action, e.outcome, e.patient_id]).sort();
  assert.deepEqual(got, [['patient.read', 'ok', W.p.id], ['visit.diagnosis', 'invalid', W.p.id], ['visit.vitals', 'ok', W.p.id]].sort());
  const t = await as('demo.doctor', 'POST', '/fhir', { body: bundle('transaction', [post(pulse(W.v.id, 82)), post(diagnosis(W.planned.id, 'I10'))]) });
  assert.equal(t.status, 409);
  // The heart rate was rolled back with its event; the refusal is kept.
  assert.deepEqual((await events(t.headers.get('x-request-id'))).map((e) => [e.action, e.outcome]), [['visit.diagnosis', 'invalid']]);
});

test("request.ifMatch is the entry's If-Match: a stale version is 412, the current one updates", async () => {
  const made = await as('demo.doctor', 'POST', '/fhir/Patient', { body: patient('Bundle Phiên Bản', 'male', '1991-01-01') });
  const put = (birthDate, ifMatch) => ({ resource: { ...made.body, birthDate }, request: { method: 'PUT', url: `Patient/${made.body.id}`, ifMatch } });
  const ok1 = await as('demo.doctor', 'POST', '/fhir', { body: bundle('transaction', [put('1991-01-02', 'W/"1"')]) });
  assert.equal(ok1.status, 200, JSON.stringify(ok1.body));
  assert.equal(ok1.body.entry[0].response.etag, 'W/"2"');
  assert.equal(ok1.body.entry[0].resource.birthDate, '1991-01-02');
  const stale = await as('demo.doctor', 'POST', '/fhir', { body: bundle('transaction', [put('1991-01-03', 'W/"1"')]) });
  assert.equal(stale.status, 412, JSON.stringify(stale.body));
  assert.equal(stale.body.issue[0].expression[0], 'Bundle.entry[0]');
  const b = await as('demo.doctor', 'POST', '/fhir', { body: bundle('batch', [put('1991-01-04', 'W/"1"'), put('1991-01-05', 'W/"2"')]) });
  assert.deepEqual(b.body.entry.map((e) => e.response.status), ['412', '200']);
  assert.equal((await as('demo.doctor', 'GET', `/fhir/Patient/${made.body.id}`)).body.birthDate, '1991-01-05');
});

test('Idempotency-Key: a Bundle sent twice is applied once and answered the same', async () => {
  const before = await counts();
  const body = bundle('transaction', [post(pulse(W.v.id, 77))]);
  const headers = { 'idempotency-key': 'bundle-once-1' };
  const a = await as('demo.doctor', 'POST', '/fhir', { body, headers });
  const b = await as('demo.doctor', 'POST', '/fhir', { body, headers });
  assert.equal(a.status, 200);
  assert.deepEqual(b.body, a.body);
  assert.equal((await counts()).vitals, before.vitals + 1);
});

test('Prefer: return=minimal leaves the resources out of the response entries', async () => {
  const r = await as('demo.doctor', 'POST', '/fhir', { body: bundle('transaction', [post(pulse(W.v.id, 79))]), headers: { prefer: 'return=minimal' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.entry[0].resource, undefined);
  assert.match(r.body.entry[0].response.location, /\/fhir\/Observation\/\d+$/);
});

test('metadata: transaction and batch at system level, create for Observation and Condition', async () => {
  const r = await fhir(srv, 'GET', '/fhir/metadata');
  assert.deepEqual(r.body.rest[0].interaction.map((i) => i.code), ['transaction', 'batch']);
  const res = Object.fromEntries(r.body.rest[0].resource.map((x) => [x.type, x.interaction.map((i) => i.code).sort()]));
  assert.deepEqual(res.Observation, ['create', 'read', 'search-type']);
  assert.deepEqual(res.Condition, ['create', 'read', 'search-type']);
  assert.deepEqual(res.Encounter, ['read', 'search-type']);
});

test('fhir-kit-client posts a transaction and a batch', async () => {
  const c = new Client({ baseUrl: `${srv.url}/fhir`, customHeaders: { authorization: `Bearer ${S['demo.doctor'].token}` } });
  const res = await c.transaction({ body: bundle('transaction', [post(patient('Bundle Qua Thư Viện', 'female', '2001-01-01')), post(pulse(W.v.id, 90))]) });
  assertValid(res);
  assert.equal(res.type, 'transaction-response');
  assert.equal(res.entry[0].resource.name[0].text, 'Bundle Qua Thư Viện');
  const b = await c.batch({ body: bundle('batch', [{ request: { method: 'GET', url: `Observation/${res.entry[1].resource.id}` } }]) });
  assertValid(b);
  assert.deepEqual(b.entry[0].resource, res.entry[1].resource);
});

test('Observation and Condition create: the mapping in, refused elements named, the REST rules', async () => {
  const cases = [
    [pulse(W.v.id, 70, { interpretation: [{ text: 'cao' }] }), 'interpretation'],
    [pulse(W.v.id, 70, { status: 'preliminary' }), 'Observation.status'],
    [{ ...pulse(W.v.id, 70), code: { coding: [{ system: LOINC, code: '39156-5' }] } }, 'Observation.code'],
    [{ ...pulse(W.v.id, 70), code: { coding: [{ system: 'http://snomed.info/sct', code: '364075005' }] } }, 'Observation.code.coding'],
    [{ ...pulse(W.v.id, 70), valueQuantity: { value: 70, system: UCUM, code: 'Hz' } }, 'Observation.valueQuantity'],
    [{ ...pulse(W.v.id, 70), valueQuantity: { value: 70, comparator: '>' } }, 'Observation.valueQuantity.comparator'],
    [{ ...pulse(W.v.id, 70), encounter: { reference: `Patient/${W.p.id}` } }, 'Observation.encounter'],
    [pulse(W.v.id, 70, { effectiveDateTime: '2020-01-01T00:00:00+07:00' }), 'Observation.effectiveDateTime'],
    [pulse(W.v.id, 70, { performer: [{ reference: `Practitioner/${uid('demo.commune')}` }] }), 'Observation.performer'],
    [{ ...pressure(W.v.id, 90, 95) }, 'diastolic' && 'Observation.component'],
    [{ ...pressure(W.v.id, 120, 80), valueQuantity: { value: 1 } }, 'Observation.valueQuantity'],
    [{ ...diagnosis(W.v.id, 'I10'), clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } }, 'clinicalStatus'],
    [{ ...diagnosis(W.v.id, 'I10'), code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003' }] } }, 'Condition.code.coding'],
    [{ ...diagnosis(W.v.id, 'I10'), subject: { reference: `Patient/${W.p.id + 1}` } }, 'Condition.subject'],
  ];
  const before = await counts();
  for (const [body, field] of cases) {
    const r = await as('demo.doctor', 'POST', `/fhir/${body.resourceType}`, { body });
    assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.issue[0].expression?.[0], field, JSON.stringify(r.body));
  }
  assert.deepEqual(await counts(), before);
  // Recorded with a time of the last day, it reads back with that time; a doctor's name in Vietnamese survives.
  const at = new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, '+00:00');
  const r = await as('demo.doctor', 'POST', '/fhir/Observation', { body: pulse(W.v.id, 64, { effectiveDateTime: at, subject: { reference: `Patient/${W.p.id}` } }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(Date.parse(r.body.effectiveDateTime), Date.parse(at));
  assert.equal(r.body.subject.display, 'Lò Thị Ánh');
  assert.equal(r.headers.get('etag'), null);
  // A visit not in progress: 409 as on REST.
  const planned = await as('demo.doctor', 'POST', '/fhir/Observation', { body: pulse(W.planned.id, 70) });
  assert.equal(planned.status, 409);
  assert.ok(checked.n > 20, `${checked.n} answers validated`);
});
