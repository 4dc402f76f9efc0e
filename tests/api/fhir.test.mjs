// The FHIR R4 API's first slice (issue 20, docs/fhir.md): metadata, Patient and Organization, errors
// as OperationOutcome. Every JSON answer of these tests goes through lib/fhir.mjs, which checks it
// with three offline validators (0 errors); a real client (fhir-kit-client) reads, pages, creates
// and updates; each search parameter's results are checked one by one against the value searched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn } from './lib/server.mjs';
import { fhir, checked, assertValid } from './lib/fhir.mjs';
import { Client } from 'fhir-kit-client';

const CCCD = 'http://fhir.hl7.org.vn/core/sid/cccd';
const BHXH = 'http://fhir.hl7.org.vn/core/sid/bhxh';
const ETH = 'http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity';

let srv;
const S = {};
const as = (who, method, path, o = {}) => fhir(srv, method, path, { token: who && S[who].token, ...o });
const hw = (method, path, o) => as('demo.commune', method, path, o);
const client = (who = 'demo.commune') => new Client({ baseUrl: `${srv.url}/fhir`, customHeaders: { authorization: `Bearer ${S[who].token}` } });
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
const patient = (text, gender, birthDate, more = {}) => ({ resourceType: 'Patient', name: [{ text }], gender, birthDate, ...more });
const created = {};

before(async () => {
  srv = await startSignedIn(S);
  // People of one family name of their own, so that searches are exact: Hoà and Hòa (two Unicode
  // spellings of one name), a year-only birth, and a CCCD.
  const people = [
    ['hoa1', patient('Quách Thị Hoà', 'female', '1985-06-15')],
    ['hoa2', patient('Quách Văn Hòa', 'male', '1985')],
    ['an', patient('Quách An', 'male', '1990-01-01', { identifier: [{ system: CCCD, value: '001090000777' }], extension: [{ url: ETH, valueCodeableConcept: { coding: [{ system: 'http://fhir.ehealth.gov.vn/core/CodeSystem/vn-core-race', code: '08' }] } }] })],
    ['lan', patient('Quách Thị Lan', 'female', '1984-12-31')],
  ];
  for (const [k, body] of people) {
    const r = await hw('POST', '/fhir/Patient', { body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    created[k] = r.body;
  }
});
after(() => srv.close());

test('metadata: a CapabilityStatement of R4 4.0.1 listing exactly what is served', async () => {
  const r = await as(null, 'GET', '/fhir/metadata');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/fhir\+json/);
  assert.equal(r.body.fhirVersion, '4.0.1');
  const res = Object.fromEntries(r.body.rest[0].resource.map((x) => [x.type, x]));
  assert.deepEqual(Object.keys(res).sort(), ['Appointment', 'AuditEvent', 'Binary', 'Condition', 'Consent', 'DocumentReference', 'Encounter', 'Location', 'MedicationRequest', 'Observation', 'Organization', 'Patient', 'Practitioner', 'PractitionerRole', 'Schedule', 'ServiceRequest', 'Slot', 'Task']);
  assert.deepEqual(res.Patient.interaction.map((i) => i.code).sort(), ['create', 'read', 'search-type', 'update']);
  assert.deepEqual(res.Organization.interaction.map((i) => i.code).sort(), ['read', 'search-type']);
  assert.deepEqual(res.Patient.searchParam.map((p) => p.name).sort(), ['_id', '_lastUpdated', 'birthdate', 'family', 'gender', 'given', 'identifier', 'name']);
});

test('a Patient read: the mapping, its version, _format and a refused XML', async () => {
  const p = created.an;
  const r = await hw('GET', `/fhir/Patient/${p.id}?_format=json`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('etag'), 'W/"1"');
  assert.deepEqual(r.body.name, [{ use: 'official', text: 'Quách An', family: 'Quách', given: ['An'] }]);
  assert.deepEqual(r.body.identifier, [{ use: 'official', system: CCCD, value: '001090000777' }]);
  assert.equal(r.body.extension[0].valueCodeableConcept.coding[0].display, 'Mông');
  assert.equal((await hw('GET', `/fhir/Patient/${created.hoa2.id}`)).body.birthDate, '1985');
  const xml = await hw('GET', `/fhir/Patient/${p.id}?_format=xml`);
  assert.equal(xml.status, 406);
  assert.equal(xml.body.resourceType, 'OperationOutcome');
});

test('fhir-kit-client reads, pages, creates and updates with If-Match', async () => {
  const c = client();
  const read = await c.read({ resourceType: 'Patient', id: created.lan.id });
  assert.equal(read.name[0].text, 'Quách Thị Lan');
  assertValid(read);
  const made = await c.create({ resourceType: 'Patient', body: patient('Quách Văn Mới', 'male', '1970-03-04') });
  assert.equal(made.meta.versionId, '1');
  const upd = await c.update({ resourceType: 'Patient', id: made.id, body: { ...made, birthDate: '1970-03-05' }, options: { headers: { 'If-Match': 'W/"1"' } } });
  assert.equal(upd.meta.versionId, '2');
  assert.equal(upd.birthDate, '1970-03-05');
  assertValid(made);
  assertValid(upd);
  await assert.rejects(c.update({ resourceType: 'Patient', id: made.id, body: made, options: { headers: { 'If-Match': 'W/"1"' } } }), (e) => e.response?.status === 412);
  const seen = [];
  let page = await c.search({ resourceType: 'Patient', searchParams: { family: 'quach', _count: 2 } });
  while (page) {
    assertValid(page);
    seen.push(...(page.entry ?? []).map((e) => e.resource.id));
    page = page.link?.some((l) => l.relation === 'next') ? await c.nextPage({ bundle: page }) : null;
  }
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
});

// Every page of a search (following next links), as the resources.
async function all(path, who = 'demo.commune') {
  const out = [];
  let url = path;
  for (let i = 0; url && i < 50; i++) {
    const r = await as(who, 'GET', url);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...(r.body.entry ?? []).map((e) => e.resource));
    const next = r.body.link.find((l) => l.relation === 'next');
    url = next ? next.url.slice(srv.url.length) : null;
  }
  return out;
}
const range = (p) => (p.birthDate.length === 4 ? [`${p.birthDate}-01-01`, `${p.birthDate}-12-31`] : [p.birthDate, p.birthDate]);

test('each search parameter: every result matches it, and a known match is there', async () => {
  const cases = [
    ['name=hoa', (p) => fold(p.name[0].text).split(' ').some((w) => w.startsWith('hoa')), ['hoa1', 'hoa2']],
    ['family=QUACH', (p) => fold(p.name[0].family).startsWith('quach'), ['hoa1', 'an', 'lan']],
    ['given=thi', (p) => p.name[0].given.some((g) => fold(g).startsWith('thi')), ['hoa1', 'lan']],
    ['gender=female&family=quach', (p) => p.gender === 'female', ['hoa1', 'lan']],
    [`identifier=${encodeURIComponent(CCCD)}|001090000777`, (p) => p.identifier?.some((i) => i.system === CCCD && i.value === '001090000777'), ['an']],
    ['identifier=001090000777', (p) => p.identifier?.some((i) => i.value === '001090000777'), ['an']],
    [`_id=${created.lan.id}`, (p) => p.id === created.lan.id, ['lan']],
    ['birthdate=1985&family=quach', (p) => range(p)[0] >= '1985-01-01' && range(p)[1] <= '1985-12-31', ['hoa1', 'hoa2']],
    ['birthdate=1985-06-15', (p) => p.birthDate === '1985-06-15', ['hoa1']],
    ['birthdate=ge1985-06-01&family=quach', (p) => range(p)[1] >= '1985-06-01', ['hoa1', 'hoa2', 'an']],
    ['birthdate=lt1985&family=quach', (p) => range(p)[0] < '1985-01-01', ['lan']],
    ['birthdate=gt1985-06-15&birthdate=le1990&family=quach', (p) => range(p)[1] > '1985-06-15' && range(p)[0] <= '1990-12-31', ['hoa2', 'an']],
    [`_lastUpdated=ge${encodeURIComponent(created.hoa1.meta.lastUpdated)}&family=quach`, (p) => p.meta.lastUpdated >= created.hoa1.meta.lastUpdated, ['hoa1', 'an', 'lan']],
  ];
  for (const [q, matches, known] of cases) {
    const got = await all(`/fhir/Patient?${q}`);
    for (const p of got) assert.ok(matches(p), `${q}: ${p.name[0].text} ${p.birthDate} does not match`);
    for (const k of known) assert.ok(got.some((p) => p.id === created[k].id), `${q}: ${created[k].name[0].text} missing`);
  }
  // gender=unknown is a valid search that nobody matches; an empty page has no entry.
  const none = await hw('GET', '/fhir/Patient?gender=unknown');
  assert.equal(none.body.entry, undefined);
});

test('paging: each match once, even with rows added between pages', async () => {
  const first = await hw('GET', '/fhir/Patient?family=quach&_count=2');
  const ids = first.body.entry.map((e) => e.resource.id);
  await hw('POST', '/fhir/Patient', { body: patient('Quách Thị Thêm', 'female', '2001') });
  let url = first.body.link.find((l) => l.relation === 'next').url.slice(srv.url.length);
  while (url) {
    const r = await hw('GET', url);
    ids.push(...(r.body.entry ?? []).map((e) => e.resource.id));
    if (ids.length === 4) await hw('POST', '/fhir/Patient', { body: patient('Quách Văn Sau', 'male', '2002') });
    const next = r.body.link.find((l) => l.relation === 'next');
    url = next ? next.url.slice(srv.url.length) : null;
  }
  const every = (await all('/fhir/Patient?family=quach&_count=100')).map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'a patient came twice');
  assert.deepEqual([...ids].sort(), [...every].sort());
  assert.equal(every.length, 7);
});

test('Organization: read and search by name, type, identifier', async () => {
  const org = created.an.managingOrganization.reference;
  const r = await hw('GET', `/fhir/${org}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.type[0].coding[0].code, 'commune');
  for (const [q, ok] of [['name=lung cu', (o) => fold(o.name).includes('lung cu')], ['type=commune', (o) => o.type[0].coding[0].code === 'commune'],
    [`identifier=${r.body.identifier[0].value}`, (o) => o.identifier[0].value === r.body.identifier[0].value]]) {
    const got = await all(`/fhir/Organization?${q}`);
    assert.ok(got.length > 0 && got.every(ok), q);
    assert.ok(got.some((o) => `Organization/${o.id}` === org), `${q}: the station is missing`);
  }
  // _id as every type takes it: the id, or the reference Organization/<id>; another type's matches nothing.
  const id = org.split('/')[1];
  for (const [q, want] of [[`_id=${id}`, [id]], [`_id=${org}`, [id]], [`_id=Patient/${id}`, []], ['_id=x', []]])
    assert.deepEqual((await all(`/fhir/Organization?${q}`)).map((o) => o.id), want, q);
  // More than 16 conditions: the searches' common ceilings (20 parameters), not one of its own.
  const many = Array.from({ length: 18 }, () => 'name=lung').join('&');
  const r19 = await hw('GET', `/fhir/Organization?${many}&_id=${id}`);
  assert.equal(r19.status, 200, JSON.stringify(r19.body));
  assert.deepEqual(r19.body.entry.map((e) => e.resource.id), [id]);
});

test('bad input, refusals and the logged out: OperationOutcome, nothing written', async () => {
  const count = () => srv.sql('SELECT COUNT(*), MAX(version) FROM patients');
  const before = count();
  const cases = [
    [await hw('POST', '/fhir/Patient', { raw: '{"resourceType": "Pat' }), 400, 'invalid'],
    [await hw('POST', '/fhir/Patient', { body: { resourceType: 'Observation' } }), 400, 'invalid', 'resourceType'],
    [await hw('POST', '/fhir/Patient', { body: { ...patient('Quách Sai', 'female', '1990'), maritalStatus: { text: 'x' } } }), 400, 'invalid', 'maritalStatus'],
    [await hw('POST', '/fhir/Patient', { body: patient('Quách Sai', 'female', '1990-13') }), 400, 'invalid', 'Patient.birthDate'],
    [await hw('POST', '/fhir/Patient', { body: patient('Quách Sai', 'female', '1990', { identifier: [{ system: CCCD, value: '123' }] }) }), 400, 'invalid', 'Patient.identifier'],
    [await hw('POST', '/fhir/Patient', { body: patient('Quách Sai', 'female', '1990', { identifier: [{ system: BHXH, value: 'abc' }] }) }), 400, 'invalid', 'Patient.identifier'],
    [await hw('POST', '/fhir/Patient', { body: patient('Quách Bản Sao', 'male', '1990', { identifier: [{ system: CCCD, value: '001090000777' }] }) }), 409, 'conflict'],
    [await hw('GET', '/fhir/Patient?family=quach&_sort=name'), 400, 'invalid', '_sort'],
    [await hw('GET', '/fhir/Patient?birthdate=sa1990'), 400, 'invalid', 'birthdate'],
    [await hw('PUT', `/fhir/Patient/${created.lan.id}`, { body: { ...created.lan, id: '1' } }), 400, 'invalid', 'Patient.id'],
    [await as('demo.trainer', 'GET', `/fhir/Patient/${created.lan.id}`), 403, 'forbidden'],
    [await as(null, 'GET', `/fhir/Patient/${created.lan.id}`), 401, 'login'],
    [await as(null, 'POST', '/fhir/Patient', { body: patient('Quách Sai', 'female', '1990') }), 401, 'login'],
  ];
  for (const [r, status, code, field] of cases) {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.resourceType, 'OperationOutcome');
    assert.equal(r.body.issue[0].code, code);
    assert.match(r.body.issue[0].diagnostics, /.{10}/);
    if (field) assert.deepEqual(r.body.issue[0].expression, [field]);
  }
  assert.equal(count(), before, 'a refused request wrote');
  // Prefer: handling=lenient ignores what is not supported.
  const lenient = await hw('GET', '/fhir/Patient?family=quach&_sort=name', { headers: { prefer: 'handling=lenient' } });
  assert.equal(lenient.status, 200);
  assert.ok(!lenient.body.link[0].url.includes('_sort'));
});

test("another facility's patient is the same 404 as an absent one, byte for byte", async () => {
  const foreign = await as('demo.doctor', 'GET', `/fhir/Patient/${created.lan.id}`);
  const absent = await as('demo.doctor', 'GET', '/fhir/Patient/99999999');
  assert.equal(foreign.status, 404);
  assert.equal(JSON.stringify(foreign.body), JSON.stringify(absent.body));
  const put = await as('demo.doctor', 'PUT', `/fhir/Patient/${created.lan.id}`, { body: created.lan });
  const putAbsent = await as('demo.doctor', 'PUT', '/fhir/Patient/99999999', { body: { ...created.lan, id: '99999999' } });
  assert.equal(put.status, 404);
  assert.equal(JSON.stringify(put.body), JSON.stringify(putAbsent.body));
});

test('Prefer: return=minimal answers without a body; every answer above was valid FHIR', async () => {
  const r = await hw('POST', '/fhir/Patient', { body: patient('Quách Tối Giản', 'male', '1999'), headers: { prefer: 'return=minimal' } });
  assert.equal(r.status, 201);
  assert.equal(r.body, '');
  assert.match(r.headers.get('location'), /\/fhir\/Patient\/\d+\/_history\/1$/);
  assert.ok(checked.n > 40, `${checked.n} resources validated`);
});
