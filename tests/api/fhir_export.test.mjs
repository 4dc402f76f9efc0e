// FHIR Bulk Data $export (issue 20; docs/fhir.md "Bulk Data") and registered systems reading the
// clinical resources of their places. The records are made here through the REST and FHIR APIs at
// three facilities — the commune station Lũng Cú (12, Hà Giang 64), the Hà Giang provincial
// hospital (4, Hà Giang 64) and Bạch Mai (1, Hà Nội 1) — so every count below is known by hand.
// Every line of every file goes through lib/fhir.mjs's three validators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { startSignedIn, api, errorOf } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { fhir, assertValid } from './lib/fhir.mjs';

let srv;
const S = {};
const W = {};
const SYS = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ok = async (who, method, path, body) => {
  const r = await api(srv, method, path, { token: S[who].token, body });
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const uid = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const ASYNC = { prefer: 'respond-async' };
const tokenOf = (who) => (who.startsWith('smart-') ? who : S[who].token);
const kickoff = (who, path, headers = ASYNC) => fhir(srv, 'GET', path, { token: tokenOf(who), headers });
const pathOf = (url) => url.slice(srv.url.length);

// A system's key, registration and token (SMART Backend Services, as fhir_smart.test.mjs does).
const key = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'export-1', alg: 'ES384' } };
})();
async function register(clientId, facilityIds, scopes) {
  const r = await api(srv, 'POST', '/api/v1/systems', {
    token: S['demo.ministry-admin'].token,
    body: { client_id: clientId, name: `Hệ thống ${clientId}`, facility_ids: facilityIds, scopes, jwks: { keys: [key.jwk] } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
async function systemToken(clientId, scope) {
  const b64u = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const data = `${b64u({ alg: 'ES384', kid: 'export-1', typ: 'JWT' })}.${b64u({ iss: clientId, sub: clientId, aud: `${srv.url}/fhir/auth/token`, exp: Math.floor(Date.now() / 1000) + 240, jti: randomUUID() })}`;
  const sig = sign('sha384', Buffer.from(data), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: `${data}.${sig}` });
  const r = await api(srv, 'POST', '/fhir/auth/token', { raw: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

// Polls a job's status until it is complete: 202 with X-Progress and Retry-After meanwhile.
async function finished(who, location) {
  for (let i = 0; i < 400; i++) {
    const r = await api(srv, 'GET', pathOf(location), { token: tokenOf(who), headers: { accept: 'application/json' } });
    if (r.status === 200) return r;
    assert.equal(r.status, 202, `${location}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(r.headers.get('x-progress'), 'X-Progress while it runs');
    assert.equal(r.headers.get('retry-after'), '2');
    await sleep(50);
  }
  throw new Error(`${location} did not finish`);
}

// Kicks an export off, waits for it, and reads every file: { manifest, files: {type: [resources]} }.
async function exported(who, path) {
  const k = await kickoff(who, path);
  assert.equal(k.status, 202, `${path}: ${JSON.stringify(k.body)}`);
  const location = k.headers.get('content-location');
  assert.match(location, new RegExp(`^${srv.url}/fhir/bulkstatus/\\d+$`));
  const done = await finished(who, location);
  assert.match(done.headers.get('content-type'), /^application\/json/);
  const m = done.body;
  assert.equal(m.requiresAccessToken, true);
  assert.equal(m.request, `${srv.url}${path}`);
  assert.ok(Date.parse(m.transactionTime) > 0);
  assert.deepEqual(m.error, []);
  const files = {};
  for (const o of m.output) {
    assert.match(o.url, new RegExp(`^${location}/files/${o.type}\\.ndjson$`));
    const f = await api(srv, 'GET', pathOf(o.url), { token: tokenOf(who), headers: { accept: 'application/fhir+ndjson' } });
    assert.equal(f.status, 200, `${o.url}: ${JSON.stringify(f.body)}`);
    assert.equal(f.headers.get('content-type'), 'application/fhir+ndjson');
    const text = typeof f.body === 'string' ? f.body : `${JSON.stringify(f.body)}\n`;
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, o.count, `${o.type}: the manifest's count is the file's lines`);
    for (const res of lines) {
      assert.equal(res.resourceType, o.type);
      assertValid(res, `${o.type} line`);
    }
    files[o.type] = lines;
  }
  return { location, manifest: m, files, id: Number(location.split('/').pop()) };
}
const ids = (list) => (list ?? []).map((r) => r.id).sort();
const counts = (m) => Object.fromEntries(m.output.map((o) => [o.type, o.count]));

// Every match of a search, page after page, for a system's token.
async function searched(token, path) {
  const out = [];
  for (let url = path, i = 0; url && i < 50; i++) {
    const r = await fhir(srv, 'GET', url, { token });
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    out.push(...(r.body.entry ?? []).map((e) => e.resource));
    const next = r.body.link.find((l) => l.relation === 'next');
    url = next ? pathOf(next.url) : null;
  }
  return out;
}

before(async () => {
  srv = await startSignedIn(S);
  // Lũng Cú (12): the seven demo patients and one more, with a video visit: blood pressure and
  // pulse (two Observations), one diagnosis, a signed prescription of two items (two
  // MedicationRequests).
  W.p1 = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Giàng Thị Sùng', birth_year: 1968, sex: 'female' });
  W.v1 = await ok('demo.commune', 'POST', '/api/v1/visits', { patient_id: W.p1.id, doctor_id: uid('demo.doctor'), mode: 'video', reason: 'Đau đầu' });
  await ok('demo.commune', 'POST', `/api/v1/visits/${W.v1.id}/transitions`, { to: 'in_progress' });
  await ok('demo.commune', 'POST', `/api/v1/visits/${W.v1.id}/vitals`, { systolic: 150, diastolic: 90, pulse: 80 });
  W.vitals1 = Number(srv.sql(`SELECT id FROM vitals WHERE visit_id = ${W.v1.id}`));
  await ok('demo.doctor', 'POST', `/api/v1/visits/${W.v1.id}/diagnoses`, { icd10: 'I10', primary: true });
  W.dx1 = Number(srv.sql(`SELECT id FROM visit_diagnoses WHERE visit_id = ${W.v1.id}`));
  const items = [
    { medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30, unit: 'viên' },
    { medicine: 'Paracetamol', strength: '500 mg', dose: '1 viên', frequency: 'khi đau', duration_days: 5, quantity: 10, unit: 'viên' },
  ];
  const rx = await ok('demo.doctor', 'POST', `/api/v1/visits/${W.v1.id}/prescriptions`, { items });
  W.rx1 = (await ok('demo.doctor', 'POST', `/api/v1/prescriptions/${rx.id}/sign`)).id;
  W.lungcu = srv.sql('SELECT id FROM patients WHERE facility_id = 12 ORDER BY id').split('\n');
  assert.equal(W.lungcu.length, 8);
  // Hà Giang's hospital (4) and Bạch Mai (1): a patient each; Bạch Mai's with a visit and a pulse.
  W.p4 = await registerPatient(srv, S['demo.doctor'].token, { full_name: 'Vàng Thị Dợ', birth_year: 1990, sex: 'female' });
  W.pb = await registerPatient(srv, S['demo.specialist'].token, { full_name: 'Nguyễn Thị Hằng', birth_year: 1959, sex: 'female' });
  W.vb = await ok('demo.specialist', 'POST', '/api/v1/visits', { patient_id: W.pb.id, doctor_id: uid('demo.specialist'), mode: 'chat', reason: 'Ho' });
  await ok('demo.specialist', 'POST', `/api/v1/visits/${W.vb.id}/transitions`, { to: 'in_progress' });
  await ok('demo.specialist', 'POST', `/api/v1/visits/${W.vb.id}/vitals`, { pulse: 70 });
  W.vitalsb = Number(srv.sql(`SELECT id FROM vitals WHERE visit_id = ${W.vb.id}`));
  // Systems registered for Lũng Cú: one may read everything, one only patients.
  SYS.all = await register('his.export', [12], 'system/*.rs');
  SYS.patients = await register('his.patients', [12], 'system/Patient.rs');
  W.allToken = await systemToken('his.export', 'system/*.rs');
  W.patientToken = await systemToken('his.patients', 'system/Patient.rs');
});
after(() => srv.close());

test("a system reads and searches the clinical resources of its places; elsewhere is absent, a scope it lacks 403, revoked 401", async () => {
  const t = W.allToken;
  const reads = [`Encounter/${W.v1.id}`, `Observation/${W.vitals1 * 16 + 1}`, `Observation/${W.vitals1 * 16 + 2}`, `Condition/${W.dx1}`, `MedicationRequest/${W.rx1 * 32}`, `MedicationRequest/${W.rx1 * 32 + 1}`];
  for (const p of reads) {
    const r = await fhir(srv, 'GET', `/fhir/${p}`, { token: t });
    assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
    assert.equal((r.body.subject ?? r.body.patient).reference, `Patient/${W.p1.id}`, p);
  }
  // Bạch Mai's visit and its pulse: the same 404 as an absent one.
  for (const [other, absent] of [[`Encounter/${W.vb.id}`, 'Encounter/99999999'], [`Observation/${W.vitalsb * 16 + 2}`, 'Observation/1599999998']]) {
    const o = await fhir(srv, 'GET', `/fhir/${other}`, { token: t });
    const a = await fhir(srv, 'GET', `/fhir/${absent}`, { token: t });
    assert.equal(o.status, 404);
    assert.equal(JSON.stringify(o.body), JSON.stringify(a.body));
  }
  // Searches: exactly Lũng Cú's (worked out above: one visit, its two measurements, one
  // diagnosis, two items), not Bạch Mai's.
  assert.deepEqual(ids(await searched(t, '/fhir/Encounter?_count=100')), [String(W.v1.id)]);
  assert.deepEqual(ids(await searched(t, '/fhir/Observation?_count=1')), [String(W.vitals1 * 16 + 1), String(W.vitals1 * 16 + 2)].sort());
  assert.deepEqual(ids(await searched(t, '/fhir/Condition')), [String(W.dx1)]);
  assert.deepEqual(ids(await searched(t, '/fhir/MedicationRequest')), [String(W.rx1 * 32), String(W.rx1 * 32 + 1)].sort());
  assert.deepEqual(ids(await searched(t, `/fhir/Encounter?patient=${W.pb.id}`)), []);
  const events = srv.sql(`SELECT action FROM audit_events WHERE actor_role = 'system' AND actor_id = ${SYS.all.id} AND outcome = 'ok'`).split('\n');
  assert.ok(events.includes('visit.list') && events.includes('visit.read') && events.includes('prescription.read'), events.join(' '));
  // A token without the type's scope: 403 insufficient_scope, read and search.
  for (const p of [`Encounter/${W.v1.id}`, 'Encounter', 'Observation']) {
    const r = await fhir(srv, 'GET', `/fhir/${p}`, { token: W.patientToken });
    assert.equal(r.status, 403, p);
    assert.equal(errorOf(r.body).code, 'insufficient_scope');
  }
  // Revoked: its token ends at once.
  const rev = await register('his.revoked', [12], 'system/Encounter.rs');
  const rt = await systemToken('his.revoked', 'system/Encounter.rs');
  assert.equal((await fhir(srv, 'GET', '/fhir/Encounter', { token: rt })).status, 200);
  assert.equal((await api(srv, 'POST', `/api/v1/systems/${rev.id}/revoke`, { token: S['demo.ministry-admin'].token })).status, 200);
  assert.equal((await fhir(srv, 'GET', '/fhir/Encounter', { token: rt })).status, 401);
});

test('a system calls only the routes that admit systems, whatever its scopes name: system/*.rs opens no document, case, booking, consent, schedule, site, account or audit event', async () => {
  const t = W.allToken;
  const before = srv.sql(`SELECT COUNT(*) FROM audit_events WHERE actor_role = 'system' AND actor_id = ${SYS.all.id} AND outcome = 'ok'`);
  // The signed prescription of Lũng Cú's visit, within the system's place, as a document and its
  // PDF; Lũng Cú's own site; then every search of the routes that do not admit systems.
  const paths = [`DocumentReference/${W.rx1 * 2 + 1}`, `Binary/${W.rx1 * 2 + 1}`, 'Location/12', 'Practitioner/1', 'PractitionerRole/1',
    'DocumentReference', 'ServiceRequest', 'Task', 'AuditEvent', 'Appointment', 'Consent', 'Schedule', 'Slot', 'Location', 'Practitioner', 'PractitionerRole'];
  for (const p of paths) {
    const r = await fhir(srv, 'GET', `/fhir/${p}`, { token: t });
    assert.equal(r.status, 403, `${p}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.issue[0].details.coding[0].code, 'insufficient_scope', p);
  }
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE actor_role = 'system' AND actor_id = ${SYS.all.id} AND outcome = 'ok'`), before);
});

test("a facility's export by its system: every line valid, the counts of its searches, nothing of another facility", async () => {
  const e = await exported(W.allToken, '/fhir/$export');
  // By hand: Lũng Cú's eight patients, one visit, two measurements, one diagnosis, two items, and
  // its own Organization.
  assert.deepEqual(counts(e.manifest), { Patient: 8, Encounter: 1, Condition: 1, Observation: 2, MedicationRequest: 2, Organization: 1 });
  assert.deepEqual(ids(e.files.Patient), [...W.lungcu].sort());
  assert.ok(e.files.Patient.every((p) => p.managingOrganization.reference === 'Organization/12'));
  assert.deepEqual(ids(e.files.Organization), ['12']);
  // The same resources as the system's searches of the same scope, byte for byte.
  for (const type of ['Patient', 'Encounter', 'Observation', 'Condition', 'MedicationRequest']) {
    const found = await searched(W.allToken, `/fhir/${type}?_count=100`);
    const byId = (l) => Object.fromEntries(l.map((r) => [r.id, JSON.stringify(r)]));
    assert.deepEqual(byId(e.files[type]), byId(found), type);
  }
  const names = JSON.stringify(e.files);
  for (const other of ['Vàng Thị Dợ', 'Nguyễn Thị Hằng', `Patient/${W.pb.id}"`, `Encounter/${W.vb.id}"`]) assert.ok(!names.includes(other), other);
  const audit = srv.sql(`SELECT action FROM audit_events WHERE actor_role = 'system' AND actor_id = ${SYS.all.id} AND action LIKE 'export.%' ORDER BY id`).split('\n');
  assert.deepEqual(audit, ['export.start', ...Array(6).fill('export.download')]);
});

test("administrators export their scope: the facility's, the province's; another place's Group is an absent one", async () => {
  const fa = await exported('demo.facility-admin', '/fhir/$export?_type=Patient');
  assert.deepEqual(ids(fa.files.Patient), [String(W.p4.id)]);
  // The province (64: Lũng Cú and the hospital), the Patient compartment: no Organization.
  const pa = await exported('demo.province-admin', '/fhir/Patient/$export');
  assert.deepEqual(counts(pa.manifest), { Patient: 9, Encounter: 1, Condition: 1, Observation: 2, MedicationRequest: 2 });
  assert.deepEqual(ids(pa.files.Patient), [...W.lungcu, String(W.p4.id)].sort());
  const g4 = await exported('demo.province-admin', '/fhir/Group/facility-4/$export');
  assert.deepEqual(counts(g4.manifest), { Patient: 1 });
  const g64 = await exported('demo.province-admin', '/fhir/Group/province-64/$export?_type=Patient');
  assert.deepEqual(ids(g64.files.Patient), ids(pa.files.Patient));
  const mb = await exported('demo.ministry-admin', '/fhir/Group/facility-1/$export');
  assert.deepEqual(counts(mb.manifest), { Patient: 1, Encounter: 1, Observation: 1 });
  assert.equal(mb.files.Patient[0].name[0].text, 'Nguyễn Thị Hằng');
  // Another place's Group answers exactly as an absent one.
  for (const [who, other, absent] of [
    ['demo.facility-admin', 'facility-12', 'facility-987654321'],
    ['demo.facility-admin', 'province-64', 'province-987654321'],
    ['demo.province-admin', 'facility-1', 'facility-987654321'],
    ['demo.province-admin', 'province-1', 'province-987654321'],
    [W.allToken, 'facility-4', 'facility-987654321'],
    [W.allToken, 'province-64', 'nhom-1'],
  ]) {
    const o = await kickoff(who, `/fhir/Group/${other}/$export`);
    const a = await kickoff(who, `/fhir/Group/${absent}/$export`);
    assert.equal(o.status, 404, `${other}: ${JSON.stringify(o.body)}`);
    assert.equal(JSON.stringify(o.body), JSON.stringify(a.body), other);
  }
  // A clinician exports nothing.
  assert.equal((await kickoff('demo.commune', '/fhir/$export')).status, 403);
});

test('_type and _since: the types asked for; a patient changed after the instant is in, one before is out', async () => {
  const only = await exported(W.allToken, '/fhir/$export?_type=Patient,Condition');
  assert.deepEqual(counts(only.manifest), { Patient: 8, Condition: 1 });
  const before = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Lò Thị Chăm', birth_year: 1980, sex: 'female' });
  await sleep(20);
  const since = new Date().toISOString();
  await sleep(20);
  await ok('demo.commune', 'PATCH', `/api/v1/patients/${W.p1.id}`, { address: 'Thôn Séo Lủng' });
  const e = await exported(W.allToken, `/fhir/$export?_type=Patient&_since=${encodeURIComponent(since)}`);
  assert.deepEqual(ids(e.files.Patient), [String(W.p1.id)], `${before.id} was made before ${since}`);
  // Nothing since now: no file at all.
  const none = await exported(W.allToken, `/fhir/$export?_type=Patient&_since=${encodeURIComponent(new Date(Date.now() + 60e3).toISOString())}`);
  assert.deepEqual(none.manifest.output, []);
});

test("cancel: 202, then the job and its files are gone; another client's job is the 404 of an absent one", async () => {
  const e = await exported(W.allToken, '/fhir/$export?_type=Patient');
  const dir = join(srv.dir, 'exports', String(e.id));
  assert.ok(existsSync(join(dir, 'Patient.ndjson')));
  const file = pathOf(e.manifest.output[0].url);
  const absent = '/fhir/bulkstatus/987654321';
  for (const who of [W.patientToken, 'demo.ministry-admin']) {
    for (const [method, path, like] of [['GET', pathOf(e.location), absent], ['GET', file, `${absent}/files/Patient.ndjson`], ['DELETE', pathOf(e.location), absent]]) {
      const o = await fhir(srv, method, path, { token: tokenOf(who) });
      const a = await fhir(srv, method, like, { token: tokenOf(who) });
      assert.equal(o.status, 404, `${method} ${path}`);
      assert.equal(JSON.stringify(o.body), JSON.stringify(a.body));
    }
  }
  const c = await fhir(srv, 'DELETE', pathOf(e.location), { token: W.allToken });
  assert.equal(c.status, 202);
  assert.equal((await fhir(srv, 'GET', pathOf(e.location), { token: W.allToken })).status, 404);
  assert.equal((await api(srv, 'GET', file, { token: W.allToken })).status, 404);
  for (let i = 0; i < 100 && existsSync(dir); i++) await sleep(50);
  assert.ok(!existsSync(dir), 'the files are removed');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM fhir_exports WHERE id = ${e.id}`), '0');
});

test('a job past its expiry is the 404 of an absent one at once, before the sweep removes it', async () => {
  const e = await exported(W.allToken, '/fhir/$export?_type=Patient');
  const file = pathOf(e.manifest.output[0].url);
  assert.equal((await api(srv, 'GET', pathOf(e.location), { token: W.allToken })).status, 200);
  srv.sql(`UPDATE fhir_exports SET expires_at = ${Date.now() - 1000} WHERE id = ${e.id}`);
  const absent = '/fhir/bulkstatus/987654321';
  for (const [method, path, like] of [['GET', pathOf(e.location), absent], ['GET', file, `${absent}/files/Patient.ndjson`], ['DELETE', pathOf(e.location), absent]]) {
    const o = await fhir(srv, method, path, { token: W.allToken });
    const a = await fhir(srv, method, like, { token: W.allToken });
    assert.equal(o.status, 404, `${method} ${path}`);
    assert.equal(JSON.stringify(o.body), JSON.stringify(a.body));
  }
});

test('one job a client at a time (429, Retry-After); a job whose lease ran out (its server stopped) is taken again and finishes', async () => {
  const client = `system:${SYS.all.id}`;
  const now = Date.now();
  // A job running elsewhere: another exporter holds its lease.
  srv.sql(`INSERT INTO fhir_exports (client, system_id, state, request, types, facility_ids, lease_until, created_at, updated_at) VALUES ('${client}', ${SYS.all.id}, 'running', '${srv.url}/fhir/$export?_type=Patient', '["Patient"]', '[12]', ${now + 600000}, ${now}, ${now})`);
  const job = Number(srv.sql(`SELECT MAX(id) FROM fhir_exports WHERE client = '${client}'`));
  const busy = await kickoff(W.allToken, '/fhir/$export');
  assert.equal(busy.status, 429, JSON.stringify(busy.body));
  assert.equal(busy.headers.get('retry-after'), '60');
  assert.equal(errorOf(busy.body).code, 'export_running');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM fhir_exports WHERE client = '${client}' AND state IN ('queued', 'running')`), '1');
  // Another client is not held back by it.
  const other = await exported(W.patientToken, '/fhir/$export');
  assert.deepEqual(counts(other.manifest), { Patient: 9 }, 'Lũng Cú has nine patients by now');
  // The server that ran it stopped: its lease runs out, and this server's exporter takes it again.
  srv.sql(`UPDATE fhir_exports SET lease_until = 0, progress = 'Patient: 1000 (1/1)' WHERE id = ${job}`);
  const done = await finished(W.allToken, `${srv.url}/fhir/bulkstatus/${job}`);
  assert.deepEqual(counts(done.body), { Patient: 9 });
});

test('the CapabilityStatement lists $export at the system and Patient levels', async () => {
  const cs = (await fhir(srv, 'GET', '/fhir/metadata')).body;
  assert.deepEqual(cs.instantiates, ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data']);
  // $import follows it (fhir_import.test.mjs).
  assert.deepEqual(cs.rest[0].operation.filter((o) => o.name !== 'import'), [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }]);
  const patient = cs.rest[0].resource.find((x) => x.type === 'Patient');
  assert.deepEqual(patient.operation, [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' }]);
  assert.equal(cs.rest[0].resource.find((x) => x.type === 'Encounter').operation, undefined);
});

test('bad kick-offs are refused with a 4xx naming what is wrong, and write nothing', async () => {
  const jobs = srv.sql('SELECT COUNT(*) FROM fhir_exports');
  const cases = [
    ['/fhir/$export', {}, 400, 'Prefer'],
    ['/fhir/$export?_type=Foo', ASYNC, 400, '_type'],
    ['/fhir/$export?_type=Patient,Bogus', ASYNC, 400, '_type'],
    ['/fhir/$export?_type=Practitioner', ASYNC, 400, '_type'],
    ['/fhir/$export?_type=', ASYNC, 400, '_type'],
    ['/fhir/$export?_since=h%C3%B4m-qua', ASYNC, 400, '_since'],
    ['/fhir/$export?_since=2026-12-01', ASYNC, 400, '_since'],
    ['/fhir/$export?_outputFormat=text%2Fcsv', ASYNC, 400, '_outputFormat'],
    ['/fhir/$export?_typeFilter=Patient%3Fgender%3Dmale', ASYNC, 400, '_typeFilter'],
    [`/fhir/$export?_type=${'Patient,'.repeat(200)}Patient`, ASYNC, 400, '_type'],
    ['/fhir/Group/facility-12/$export', {}, 400, 'Prefer'],
  ];
  for (const [path, headers, status, field] of cases) {
    const r = await kickoff('demo.ministry-admin', path, headers);
    assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(errorOf(r.body).field, field, path);
  }
  assert.equal((await kickoff('demo.ministry-admin', '/fhir/$export', { ...ASYNC, accept: 'application/fhir+xml' })).status, 406);
  // A system asking for a type its token does not read: 403 insufficient_scope.
  const r = await kickoff(W.patientToken, '/fhir/$export?_type=Patient,Encounter');
  assert.equal(r.status, 403);
  assert.equal(errorOf(r.body).code, 'insufficient_scope');
  assert.equal(srv.sql('SELECT COUNT(*) FROM fhir_exports'), jobs);
});
