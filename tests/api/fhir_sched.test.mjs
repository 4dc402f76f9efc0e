// FHIR scheduling and consent (issue 20, docs/fhir.md "Schedule" … "Consent"): Schedule and Slot
// from the doctors' published availability, Appointment from the bookings (read, search, book,
// cancel), Location from the facilities' connection sites, Consent from the recorded consents (read,
// search, record). Seeded through the REST API; every answer passes the three validators of
// lib/fhir.mjs; each search parameter is checked result by result with a known match and an empty
// case; writes are seen in the REST API, and each refused write leaves the database as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, login, refuser } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { fhir, checked } from './lib/fhir.mjs';

const SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';
const PURPOSE = 'urn:ytexa:fhir:CodeSystem:consent-purpose';
const METHOD = 'urn:ytexa:fhir:StructureDefinition:consent-method';
const WITNESS = 'urn:ytexa:fhir:StructureDefinition:consent-witness';
const RECORDER = 'urn:ytexa:fhir:StructureDefinition:consent-recorder';

let srv;
const S = {};
const W = {};
const rest = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const as = (who, method, path, body, headers) => fhir(srv, method, path, { token: who && S[who].token, body, headers });
const ok = async (who, method, path, body) => {
  const r = await rest(who, method, path, body);
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const uid = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const vnDay = (n) => new Date(Date.now() + 7 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
const today = vnDay(0);

// What a refused write must not move.
const snapshot = () => srv.sql(
  "SELECT (SELECT COUNT(*) FROM appointments), (SELECT COUNT(*) FROM appointments WHERE status = 'booked'), " +
  '(SELECT COUNT(*) FROM visits), (SELECT COUNT(*) FROM notifications), (SELECT COUNT(*) FROM consents), ' +
  "(SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NULL), (SELECT COUNT(*) FROM visits WHERE state = 'cancelled')");
const refused = refuser(snapshot);
// A FHIR refusal: status, the OperationOutcome's expression (when given) and nothing written.
async function refusedFhir(req, status, field, what = '') {
  const before = snapshot();
  const r = await req;
  assert.equal(r.status, status, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.resourceType, 'OperationOutcome', what);
  if (field) assert.deepEqual(r.body.issue[0].expression, [field], `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(snapshot(), before, `${what}: a refused request changed the database`);
  return r;
}

before(async () => {
  srv = await startSignedIn(S);
  W.doctor = uid('demo.doctor');
  W.hub = Number(srv.sql("SELECT facility_id FROM users WHERE username = 'demo.doctor'"));
  W.station = Number(srv.sql("SELECT facility_id FROM users WHERE username = 'demo.commune'"));
  W.p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Giàng Thị Sùng', birth_year: 1968, sex: 'female' });
  W.p2 = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Vàng Văn Chứ', birth_year: 1970, sex: 'male' });
  W.p3 = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Lò Thị Ðào', birth_year: 1975, sex: 'female' });
  // Two patients with no consent yet: the first with a visit planned with the hub's doctor, which
  // shares it with the hub.
  W.pc = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Hầu Thị Dợ', birth_year: 1981, sex: 'female' }, { consent: false });
  W.pc2 = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Thào Văn Mỷ', birth_year: 1979, sex: 'male' }, { consent: false });
  await ok('demo.commune', 'POST', '/api/v1/visits', { patient_id: W.pc.id, doctor_id: uid('demo.doctor'), mode: 'video', reason: 'Đau lưng' });
  // Two blocks of the hub's doctor: 08:00–09:00 in three days (four slots of 15 minutes), and one
  // in five days that is withdrawn.
  W.day = vnDay(3);
  W.block = await ok('demo.doctor', 'POST', '/api/v1/schedules', { start: `${W.day}T08:00:00+07:00`, end: `${W.day}T09:00:00+07:00`, slot_minutes: 15, mode: 'video' });
  W.gone = await ok('demo.doctor', 'POST', '/api/v1/schedules', { start: `${vnDay(5)}T14:00:00+07:00`, end: `${vnDay(5)}T14:30:00+07:00`, slot_minutes: 15, mode: 'audio' });
  W.goneSlots = srv.sql(`SELECT id FROM slots WHERE schedule_id = ${W.gone.id} ORDER BY id`).split('\n').map(Number);
  await ok('demo.doctor', 'POST', `/api/v1/schedules/${W.gone.id}/cancel`);
  W.slots = (await ok('demo.commune', 'GET', `/api/v1/slots?doctor_id=${W.doctor}&date=${W.day}`)).items.map((s) => s.id);
  assert.equal(W.slots.length, 4);
  // A booking through REST (slot 1), one that is then cancelled (slot 4, freed again).
  W.a1 = await ok('demo.commune', 'POST', '/api/v1/appointments', { slot_id: W.slots[0], patient_id: W.p.id, reason: 'Tái khám tăng huyết áp' });
  W.a4 = await ok('demo.commune', 'POST', '/api/v1/appointments', { slot_id: W.slots[3], patient_id: W.p2.id, reason: 'Ho kéo dài' });
  await ok('demo.commune', 'POST', `/api/v1/appointments/${W.a4.id}/cancel`, { reason: 'Người bệnh đi nương xa' });
  // A colleague of the doctor at the hub: reads the station's patients while a visit with the hub's
  // doctor shares them, is not the appointment's doctor.
  await ok('demo.facility-admin', 'POST', '/api/v1/users', { username: 'hub.colleague', full_name: 'Hoàng Văn Đồng', password: 'mat-khau-dai-9', role: 'doctor', facility_id: W.hub });
  S['hub.colleague'] = await login(srv, 'hub.colleague', 'mat-khau-dai-9');
});
after(async () => {
  assert.ok(checked.n > 40, `only ${checked.n} answers validated`);
  await srv.close();
});

async function all(path, who = 'demo.commune') {
  const out = [];
  let url = path;
  for (let i = 0; url && i < 50; i++) {
    const r = await as(who, 'GET', url);
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    out.push(...(r.body.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource));
    const next = r.body.link.find((l) => l.relation === 'next');
    url = next ? next.url.slice(srv.url.length) : null;
  }
  return out;
}
// Each search: every result matches, every known id is there; [] as known asks for no result.
async function searches(type, cases, who) {
  for (const [q, matches, known] of cases) {
    const got = await all(`/fhir/${type}?${q}`, who);
    for (const x of got) assert.ok(matches(x), `${type}?${q}: ${x.id} does not match ${JSON.stringify(x).slice(0, 300)}`);
    if (known.length === 0) assert.deepEqual(got.map((x) => x.id), [], `${type}?${q}: expected no result`);
    for (const k of known) assert.ok(got.some((x) => x.id === String(k)), `${type}?${q}: ${k} missing (got ${got.map((x) => x.id)})`);
  }
}
const ref = (type, id) => `${type}/${id}`;
const utc = (day, hm) => new Date(`${day}T${hm}:00+07:00`).toISOString();

test('metadata lists exactly the interactions and parameters served for the new types', async () => {
  const r = await as(null, 'GET', '/fhir/metadata');
  const res = Object.fromEntries(r.body.rest[0].resource.map((x) => [x.type, x]));
  const codes = (t) => res[t].interaction.map((i) => i.code).sort();
  assert.deepEqual(codes('Appointment'), ['create', 'read', 'search-type', 'update']);
  assert.deepEqual(codes('Consent'), ['create', 'read', 'search-type']);
  for (const t of ['Location', 'Schedule', 'Slot']) assert.deepEqual(codes(t), ['read', 'search-type'], t);
  const params = (t) => res[t].searchParam.map((p) => p.name).sort();
  assert.deepEqual(params('Appointment'), ['_id', '_lastUpdated', 'date', 'patient', 'practitioner', 'status']);
  assert.deepEqual(params('Consent'), ['_id', 'category', 'date', 'patient', 'status']);
  assert.deepEqual(params('Location'), ['_id', 'name', 'organization']);
  assert.deepEqual(params('Schedule'), ['_id', 'active', 'actor', 'date']);
  assert.deepEqual(params('Slot'), ['_id', 'schedule', 'start', 'status']);
  assert.deepEqual(res.Appointment.searchInclude, ['Appointment:patient']);
  assert.deepEqual(res.Consent.searchInclude, ['Consent:patient']);
  assert.equal(res.Appointment.versioning, 'versioned-update');
  assert.equal(res.Consent.versioning, 'no-version');
});

test('Schedule: the doctor and the site as actors, the block as planning horizon, withdrawn ones inactive', async () => {
  const s = (await as('demo.commune', 'GET', `/fhir/Schedule/${W.block.id}`)).body;
  assert.equal(s.active, true);
  assert.deepEqual(s.actor.map((x) => x.reference), [ref('Practitioner', W.doctor), ref('Location', W.hub)]);
  assert.equal(s.actor[1].display, 'Bệnh viện Đa khoa tỉnh Hà Giang');
  assert.equal(s.actor[0].display, srv.sql(`SELECT full_name FROM users WHERE id = ${W.doctor}`));
  assert.deepEqual(s.planningHorizon, { start: utc(W.day, '08:00'), end: utc(W.day, '09:00') });
  assert.equal(s.serviceType[0].coding[0].code, 'video');
  const g = (await as('demo.commune', 'GET', `/fhir/Schedule/${W.gone.id}`)).body;
  assert.equal(g.active, false);
  assert.equal(g.serviceType[0].coding[0].code, 'audio');
  assert.equal((await as('demo.commune', 'GET', '/fhir/Schedule/99999999')).status, 404);
  const mine = (x) => x.actor[0].reference === ref('Practitioner', W.doctor);
  await searches('Schedule', [
    [`actor=Practitioner/${W.doctor}`, mine, [W.block.id, W.gone.id]],
    [`actor=${W.doctor}`, mine, [W.block.id, W.gone.id]],
    [`actor=Location/${W.hub}`, (x) => x.actor[1].reference === ref('Location', W.hub), [W.block.id, W.gone.id]],
    ['active=false', (x) => x.active === false, [W.gone.id]],
    ['active=true', (x) => x.active === true, [W.block.id]],
    [`date=${W.day}`, (x) => x.planningHorizon.start.startsWith(W.day), [W.block.id]],
    [`_id=${W.block.id}`, (x) => x.id === String(W.block.id), [W.block.id]],
    [`actor=Practitioner/${uid('demo.commune')}`, () => false, []],
    [`date=${vnDay(4)}`, () => false, []],
  ]);
  const bad = await as('demo.commune', 'GET', '/fhir/Schedule?active=maybe');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issue[0].expression, ['active']);
  // The trainer books nothing: as GET /api/v1/slots.
  assert.equal((await as('demo.trainer', 'GET', '/fhir/Schedule')).status, 403);
});

test('Slot: free, busy where booked, busy-unavailable when withdrawn; searched by schedule, start and status', async () => {
  const slot = async (id) => (await as('demo.commune', 'GET', `/fhir/Slot/${id}`)).body;
  const s1 = await slot(W.slots[0]);
  assert.equal(s1.status, 'busy');
  assert.equal(s1.schedule.reference, ref('Schedule', W.block.id));
  assert.equal(s1.start, utc(W.day, '08:00'));
  assert.equal(s1.end, utc(W.day, '08:15'));
  assert.equal((await slot(W.slots[1])).status, 'free');
  assert.equal((await slot(W.slots[3])).status, 'free', 'a cancelled booking frees its slot');
  assert.equal((await slot(W.goneSlots[0])).status, 'busy-unavailable');
  assert.equal((await as('demo.commune', 'GET', '/fhir/Slot/99999999')).status, 404);
  await searches('Slot', [
    [`schedule=Schedule/${W.block.id}`, (x) => x.schedule.reference === ref('Schedule', W.block.id), W.slots],
    [`_id=${W.slots[2]}`, (x) => x.id === String(W.slots[2]), [W.slots[2]]],
    ['_id=99999999', () => false, []],
    [`schedule=${W.gone.id}&status=busy-unavailable`, (x) => x.status === 'busy-unavailable', W.goneSlots],
    [`schedule=${W.block.id}&status=free`, (x) => x.status === 'free', [W.slots[1], W.slots[2], W.slots[3]]],
    [`schedule=${W.block.id}&status=busy`, (x) => x.status === 'busy' && x.id === String(W.slots[0]), [W.slots[0]]],
    [`start=${W.day}`, (x) => x.start >= utc(W.day, '00:00') && x.start < utc(vnDay(4), '00:00'), W.slots],
    [`start=gt${W.day}&schedule=${W.block.id}`, () => false, []],
    [`schedule=${W.block.id}&status=busy-tentative`, () => false, []],
    ['schedule=Schedule/99999999', () => false, []],
  ]);
  // Four slots, pages of three: each on exactly one page.
  const paged = await all(`/fhir/Slot?schedule=${W.block.id}&_count=3`);
  assert.deepEqual(paged.map((x) => Number(x.id)), W.slots);
  const bad = await as('demo.commune', 'GET', '/fhir/Slot?status=open');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issue[0].expression, ['status']);
});

test('Location: the connection site of each facility, its profile and address, managed by its Organization', async () => {
  const r = await as('demo.commune', 'GET', `/fhir/Location/${W.station}`);
  assert.equal(r.status, 200);
  const l = r.body;
  const [name, site, profile, kbps] = srv.sql(`SELECT name, site_name, site_profile, site_bandwidth_kbps FROM facilities WHERE id = ${W.station}`).split('|');
  assert.equal(l.name, site || name);
  assert.equal(l.managingOrganization.reference, ref('Organization', W.station));
  assert.equal(l.managingOrganization.display, 'Trạm Y tế xã Lũng Cú');
  assert.equal(l.status, 'active');
  assert.equal(l.extension.find((e) => e.url.endsWith('site-profile')).valueCoding.code, profile);
  assert.equal(l.extension.find((e) => e.url.endsWith('site-bandwidth-kbps')).valueInteger, Number(kbps));
  assert.equal(l.address.city, 'Xã Lũng Cú');
  assert.equal(l.address.country, 'VN');
  assert.equal((await as('demo.commune', 'GET', '/fhir/Location/99999999')).status, 404);
  await searches('Location', [
    [`_id=${W.station}`, (x) => x.id === String(W.station), [W.station]],
    [`organization=Organization/${W.hub}`, (x) => x.managingOrganization.reference === ref('Organization', W.hub), [W.hub]],
    ['name=lung cu', (x) => /Lũng Cú/.test(x.managingOrganization.display), [W.station]],
    ['name=LŨNG%20CÚ', (x) => /Lũng Cú/.test(x.managingOrganization.display), [W.station]],
    ['name=khong-co-noi-nay', () => false, []],
    ['organization=Organization/99999999', () => false, []],
  ]);
});

const booking = (slot, patient, over = {}) => ({
  resourceType: 'Appointment', status: 'booked', slot: [{ reference: `Slot/${slot}` }],
  participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }, { actor: { reference: `Practitioner/${W.doctor}` }, status: 'accepted' }],
  reasonCode: [{ text: 'Khám lại đái tháo đường' }], ...over,
});

test('Appointment: booked through FHIR as through REST, with the same refusals, writing nothing when refused', async () => {
  const r = await as('demo.commune', 'POST', '/fhir/Appointment', booking(W.slots[1], W.p3.id));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.headers.get('etag'), 'W/"1"');
  assert.match(r.headers.get('location'), new RegExp(`/fhir/Appointment/${r.body.id}/_history/1$`));
  const a = r.body;
  W.a2 = Number(a.id);
  assert.equal(a.status, 'booked');
  assert.equal(a.start, utc(W.day, '08:15'));
  assert.equal(a.end, utc(W.day, '08:30'));
  assert.equal(a.minutesDuration, 15);
  assert.deepEqual(a.slot, [{ reference: ref('Slot', W.slots[1]) }]);
  assert.equal(a.reasonCode[0].text, 'Khám lại đái tháo đường');
  assert.deepEqual(a.participant.map((p) => p.actor.reference), [ref('Patient', W.p3.id), ref('Practitioner', W.doctor), ref('Location', W.station)]);
  assert.equal(a.participant[0].actor.display, 'Lò Thị Ðào');
  // In the REST API: booked, with its planned visit, and the slot taken.
  const listed = (await ok('demo.commune', 'GET', `/api/v1/appointments?patient_id=${W.p3.id}`)).items;
  assert.deepEqual(listed.map((x) => [x.id, x.status, x.slot_id, x.reason]), [[W.a2, 'booked', W.slots[1], 'Khám lại đái tháo đường']]);
  assert.equal(srv.sql(`SELECT v.state FROM visits v JOIN appointments a ON a.visit_id = v.id WHERE a.id = ${W.a2}`), 'planned');
  assert.equal((await as('demo.commune', 'GET', `/fhir/Slot/${W.slots[1]}`)).body.status, 'busy');
  assert.ok(Number(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'appointment.create' AND resource_id = '${W.a2}' AND outcome = 'ok'`)) === 1);

  // The slot taken: 409 slot_taken as an OperationOutcome.
  const taken = await refusedFhir(as('demo.commune', 'POST', '/fhir/Appointment', booking(W.slots[1], W.p2.id)), 409, null, 'taken');
  assert.equal(taken.body.issue[0].code, 'conflict');
  assert.equal(taken.body.issue[0].details.coding[0].code, 'slot_taken');
  await refusedFhir(as('demo.commune', 'POST', '/fhir/Appointment', booking(W.goneSlots[0], W.p2.id)), 409, null, 'a withdrawn slot');
  // Bad bodies: 400 naming the element.
  const bad = (over, field, what) => refusedFhir(as('demo.commune', 'POST', '/fhir/Appointment', booking(W.slots[2], W.p2.id, over)), 400, field, what);
  await bad({ slot: undefined }, 'slot', 'no slot');
  await bad({ slot: [{ reference: `Schedule/${W.block.id}` }] }, 'Appointment.slot', 'not a slot');
  await bad({ slot: [{ reference: `Slot/${W.slots[2]}` }, { reference: `Slot/${W.slots[3]}` }] }, 'Appointment.slot', 'two slots');
  await bad({ slot: [{ reference: 'Slot/99999999' }] }, 'Appointment.slot', 'an absent slot');
  await bad({ status: 'proposed' }, 'Appointment.status', 'proposed');
  await bad({ participant: [{ actor: { reference: `Practitioner/${W.doctor}` }, status: 'accepted' }] }, 'Appointment.participant', 'no patient');
  await bad({ participant: [{ actor: { reference: `Patient/${W.p2.id}` }, status: 'accepted' }, { actor: { reference: `Practitioner/${uid('demo.specialist')}` }, status: 'accepted' }] }, 'Appointment.participant', 'another doctor');
  await bad({ reasonCode: undefined }, 'Appointment.reasonCode', 'no reason');
  await bad({ priority: 5 }, 'priority', 'an element the mapping does not take');
  await bad({ resourceType: 'Encounter' }, 'resourceType', 'another type');
  // Another role: 403; another facility's patient: the 404 of an absent one.
  await refusedFhir(as('demo.facility-admin', 'POST', '/fhir/Appointment', booking(W.slots[2], W.p2.id)), 403, null, 'facility admin');
  await refusedFhir(as('demo.trainer', 'POST', '/fhir/Appointment', booking(W.slots[2], W.p2.id)), 403, null, 'trainer');
  const foreign = await refusedFhir(as('demo.specialist', 'POST', '/fhir/Appointment', booking(W.slots[2], W.p2.id)), 404, null, 'another facility');
  const absent = await refusedFhir(as('demo.specialist', 'POST', '/fhir/Appointment', booking(W.slots[2], 99999999)), 404, null, 'absent patient');
  assert.equal(JSON.stringify(foreign.body), JSON.stringify(absent.body));
  // A facility that reads the patient through a share books nothing for it.
  await refusedFhir(as('hub.colleague', 'POST', '/fhir/Appointment', booking(W.slots[2], W.p.id)), 403, null, 'shared');
});

test('Appointment: read with its status, participants and slot; another facility 404 byte for byte; a share reads', async () => {
  const r = await as('demo.commune', 'GET', `/fhir/Appointment/${W.a1.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('etag'), 'W/"1"');
  const a = r.body;
  assert.equal(a.status, 'booked');
  assert.equal(a.meta.versionId, '1');
  assert.equal(a.start, utc(W.day, '08:00'));
  assert.equal(a.reasonCode[0].text, 'Tái khám tăng huyết áp');
  assert.equal(a.serviceType[0].coding[0].code, 'video');
  assert.equal(a.participant[1].actor.reference, ref('Practitioner', W.doctor));
  const c = (await as('demo.commune', 'GET', `/fhir/Appointment/${W.a4.id}`)).body;
  assert.equal(c.status, 'cancelled');
  assert.equal(c.cancelationReason.text, 'Người bệnh đi nương xa');
  assert.equal(c.meta.versionId, '2');
  // The visit it became links back to it (Encounter.appointment).
  const e = (await as('demo.commune', 'GET', `/fhir/Encounter/${W.a1.visit_id}`)).body;
  assert.deepEqual(e.appointment, [{ reference: ref('Appointment', W.a1.id) }]);
  // Another facility: the absent id's answer, byte for byte.
  const foreign = await as('demo.specialist', 'GET', `/fhir/Appointment/${W.a1.id}`);
  const absent = await as('demo.specialist', 'GET', '/fhir/Appointment/99999999');
  assert.equal(foreign.status, 404);
  assert.equal(JSON.stringify(foreign.body), JSON.stringify(absent.body));
  // The appointment's own doctor reads it; a colleague at the hub reads it through the visit's share.
  assert.equal((await as('demo.doctor', 'GET', `/fhir/Appointment/${W.a1.id}`)).status, 200);
  assert.equal((await as('hub.colleague', 'GET', `/fhir/Appointment/${W.a1.id}`)).status, 200);
  // The visit moves: arrived.
  await ok('demo.commune', 'POST', `/api/v1/visits/${W.a1.visit_id}/transitions`, { to: 'arrived' });
  assert.equal((await as('demo.commune', 'GET', `/fhir/Appointment/${W.a1.id}`)).body.status, 'arrived');
});

test('Appointment: searched by patient, practitioner, date, status and _lastUpdated, with its patients included', async () => {
  const ids = [W.a1.id, W.a2, W.a4.id];
  await searches('Appointment', [
    [`patient=Patient/${W.p.id}`, (x) => x.participant[0].actor.reference === ref('Patient', W.p.id), [W.a1.id]],
    [`patient=${W.p3.id}`, (x) => x.participant[0].actor.reference === ref('Patient', W.p3.id), [W.a2]],
    [`practitioner=Practitioner/${W.doctor}`, (x) => x.participant[1].actor.reference === ref('Practitioner', W.doctor), ids],
    [`date=${W.day}`, (x) => x.start >= utc(W.day, '00:00') && x.start < utc(vnDay(4), '00:00'), ids],
    [`date=lt${W.day}`, (x) => x.start < utc(W.day, '00:00'), []],
    ['status=booked', (x) => x.status === 'booked', [W.a2]],
    ['status=arrived', (x) => x.status === 'arrived', [W.a1.id]],
    ['status=cancelled', (x) => x.status === 'cancelled', [W.a4.id]],
    ['status=waitlist', () => false, []],
    [`_id=${W.a4.id}`, (x) => x.id === String(W.a4.id), [W.a4.id]],
    ['_id=Appointment/99999999', () => false, []],
    [`_lastUpdated=${today}`, () => true, ids],
    [`_lastUpdated=lt${today}`, () => false, []],
    ['patient=Patient/99999999', () => false, []],
  ]);
  // The patients of the page follow as included entries.
  const b = (await as('demo.commune', 'GET', `/fhir/Appointment?practitioner=${W.doctor}&_include=Appointment:patient`)).body;
  const inc = b.entry.filter((e) => e.search.mode === 'include').map((e) => e.resource.id).sort();
  assert.deepEqual(inc, [W.p.id, W.p2.id, W.p3.id].map(String).sort());
  // Another facility's search shows none of the station's bookings.
  assert.deepEqual(await all(`/fhir/Appointment?practitioner=${W.doctor}`, 'demo.specialist'), []);
  const bad = await as('demo.commune', 'GET', '/fhir/Appointment?status=done');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issue[0].expression, ['status']);
});

test('Appointment: cancelled by an update with status cancelled, If-Match on its version; a share may not', async () => {
  const put = (who, id, over = {}, headers) => as(who, 'PUT', `/fhir/Appointment/${id}`, { ...booking(W.slots[1], W.p3.id), id: String(id), status: 'cancelled', cancelationReason: { text: 'Người bệnh chuyển viện' }, ...over }, headers);
  await refusedFhir(put('hub.colleague', W.a2), 403, null, 'a share reads, never writes');
  await refusedFhir(put('demo.doctor', W.a2), 403, null, 'the doctor does not cancel for the station');
  const foreign = await refusedFhir(put('demo.specialist', W.a2), 404, null, 'another facility');
  const absent = await refusedFhir(put('demo.specialist', 99999999, { id: '99999999' }), 404, null, 'absent');
  assert.equal(JSON.stringify(foreign.body), JSON.stringify(absent.body));
  await refusedFhir(put('demo.commune', W.a2, { status: 'booked' }), 400, 'Appointment.status', 'only cancelling');
  await refusedFhir(put('demo.commune', W.a2, { cancelationReason: undefined }), 400, 'Appointment.cancelationReason', 'no reason');
  await refusedFhir(put('demo.commune', W.a2, { id: String(W.a1.id) }), 400, 'Appointment.id', 'another id');
  await refusedFhir(put('demo.commune', W.a2, {}, { 'if-match': 'W/"2"' }), 412, null, 'a version it does not have');
  const r = await put('demo.commune', W.a2, {}, { 'if-match': 'W/"1"' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.headers.get('etag'), 'W/"2"');
  assert.equal(r.body.status, 'cancelled');
  assert.equal(r.body.cancelationReason.text, 'Người bệnh chuyển viện');
  // In the REST API: cancelled, its visit cancelled, the slot free again.
  const listed = (await ok('demo.commune', 'GET', `/api/v1/appointments?patient_id=${W.p3.id}`)).items;
  assert.deepEqual(listed.map((x) => [x.id, x.status, x.cancel_reason]), [[W.a2, 'cancelled', 'Người bệnh chuyển viện']]);
  assert.equal(srv.sql(`SELECT v.state FROM visits v JOIN appointments a ON a.visit_id = v.id WHERE a.id = ${W.a2}`), 'cancelled');
  assert.equal((await as('demo.commune', 'GET', `/fhir/Slot/${W.slots[1]}`)).body.status, 'free');
  // Twice: no longer booked.
  const again = await refusedFhir(put('demo.commune', W.a2), 409, null, 'twice');
  assert.equal(again.body.issue[0].details.coding[0].code, 'not_booked');
});

const consentOf = (patient, over = {}) => ({
  resourceType: 'Consent', status: 'active',
  scope: { coding: [{ system: SCOPE, code: 'treatment' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }, { coding: [{ system: PURPOSE, code: 'remote_care' }] }],
  patient: { reference: `Patient/${patient}` }, performer: [{ reference: `Patient/${patient}` }],
  extension: [{ url: METHOD, valueCode: 'verbal_witnessed' }, { url: WITNESS, valueString: 'Lò Văn Sử' }],
  policyRule: { text: 'Luật 91/2025/QH15' },
  ...over,
});

test('Consent: recorded through FHIR as through REST, the same refusals, nothing written when refused', async () => {
  const r = await as('demo.commune', 'POST', '/fhir/Consent', consentOf(W.pc.id));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = r.body;
  W.c1 = Number(c.id);
  assert.equal(c.status, 'active');
  assert.equal(c.scope.coding[0].code, 'treatment');
  assert.deepEqual(c.category.map((x) => x.coding[0].code), ['59284-0', 'remote_care']);
  assert.equal(c.patient.reference, ref('Patient', W.pc.id));
  assert.equal(c.performer[0].reference, ref('Patient', W.pc.id));
  assert.equal(c.extension.find((e) => e.url === METHOD).valueCode, 'verbal_witnessed');
  assert.equal(c.extension.find((e) => e.url === WITNESS).valueString, 'Lò Văn Sử');
  assert.equal(c.extension.find((e) => e.url === RECORDER).valueReference.reference, ref('Practitioner', uid('demo.commune')));
  assert.equal(c.organization[0].reference, ref('Organization', W.station));
  assert.equal(c.provision.type, 'permit');
  assert.equal(c.provision.period.end, undefined);
  // In the REST API.
  const listed = (await ok('demo.commune', 'GET', `/api/v1/patients/${W.pc.id}/consents`)).items;
  assert.deepEqual(listed.map((x) => [x.id, x.purpose, x.method, x.given_by, x.witness_name, x.active]), [[W.c1, 'remote_care', 'verbal_witnessed', 'patient', 'Lò Văn Sử', true]]);
  // Processing data, on signed paper, the purpose from the scope alone.
  const d = await as('demo.commune', 'POST', '/fhir/Consent', consentOf(W.pc.id, {
    scope: { coding: [{ system: SCOPE, code: 'patient-privacy' }] }, category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    extension: [{ url: METHOD, valueCode: 'paper_signed' }], sourceAttachment: { title: 'GĐY-2026/114' },
  }));
  assert.equal(d.status, 201, JSON.stringify(d.body));
  W.c2 = Number(d.body.id);
  assert.equal(d.body.category[1].coding[0].code, 'data_processing');
  assert.equal(d.body.sourceAttachment.title, 'GĐY-2026/114');

  // One in force a purpose: 409.
  const dup = await refusedFhir(as('demo.commune', 'POST', '/fhir/Consent', consentOf(W.pc.id)), 409, null, 'in force already');
  assert.equal(dup.body.issue[0].details.coding[0].code, 'consent_active');
  const bad = (over, field, what) => refusedFhir(as('demo.commune', 'POST', '/fhir/Consent', consentOf(W.pc2.id, over)), 400, field, what);
  await bad({ status: 'draft' }, 'Consent.status', 'draft');
  await bad({ patient: { reference: 'Group/1' } }, 'Consent.patient', 'not a patient');
  await bad({ extension: [{ url: WITNESS, valueString: 'Lò Văn Sử' }] }, 'Consent.extension', 'no method');
  await bad({ extension: [{ url: METHOD, valueCode: 'paper_signed' }] }, 'Consent.sourceAttachment', 'paper without its number');
  await bad({ extension: [{ url: METHOD, valueCode: 'verbal_witnessed' }] }, 'Consent.extension', 'verbal without a witness');
  await bad({ extension: [{ url: 'http://example.org/x', valueCode: 'y' }] }, 'Consent.extension', 'an extension not ytexa\'s');
  await bad({ scope: { coding: [{ system: SCOPE, code: 'research' }] }, category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }] }, 'Consent.category', 'no purpose');
  await bad({ performer: [{ reference: `Patient/${W.pc.id}` }] }, 'Consent.performer', 'someone else gives it');
  await bad({ performer: [{ type: 'RelatedPerson', display: 'Mẹ' }] }, 'Consent.performer', 'a guardian not on the record');
  await bad({ dateTime: 5 }, 'dateTime', 'a wrong type');
  await bad({ verification: [] }, 'verification', 'an element the mapping does not take');
  // Another role, another facility, a share.
  await refusedFhir(as('demo.facility-admin', 'POST', '/fhir/Consent', consentOf(W.pc2.id)), 403, null, 'facility admin');
  const foreign = await refusedFhir(as('demo.specialist', 'POST', '/fhir/Consent', consentOf(W.pc2.id)), 404, null, 'another facility');
  const absent = await refusedFhir(as('demo.specialist', 'POST', '/fhir/Consent', consentOf(99999999)), 404, null, 'absent');
  assert.equal(JSON.stringify(foreign.body), JSON.stringify(absent.body));
  await refusedFhir(as('hub.colleague', 'POST', '/fhir/Consent', consentOf(W.pc.id, { category: [{ coding: [{ system: PURPOSE, code: 'data_processing' }] }] })), 403, null, 'shared');
});

test('Consent: read (inactive once withdrawn), searched by patient, status, category and date; 404 elsewhere, a share reads', async () => {
  await ok('demo.commune', 'POST', `/api/v1/patients/${W.pc.id}/consents/${W.c2}/withdraw`, { reason: 'Người bệnh đổi ý' });
  const r = await as('demo.commune', 'GET', `/fhir/Consent/${W.c2}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'inactive');
  assert.ok(r.body.provision.period.end >= r.body.provision.period.start);
  assert.equal(r.headers.get('etag'), 'W/"2"');
  assert.equal((await as('demo.commune', 'GET', `/fhir/Consent/${W.c1}`)).body.status, 'active');
  const foreign = await as('demo.specialist', 'GET', `/fhir/Consent/${W.c1}`);
  const absent = await as('demo.specialist', 'GET', '/fhir/Consent/99999999');
  assert.equal(foreign.status, 404);
  assert.equal(JSON.stringify(foreign.body), JSON.stringify(absent.body));
  // W.p's appointment with the hub's doctor shares the patient with the hub: its colleague reads.
  assert.equal((await as('hub.colleague', 'GET', `/fhir/Consent/${W.c1}`)).status, 200);
  const mine = (x) => x.patient.reference === ref('Patient', W.pc.id);
  await searches('Consent', [
    [`patient=Patient/${W.pc.id}`, mine, [W.c1, W.c2]],
    [`patient=${W.pc.id}&status=active`, (x) => mine(x) && x.status === 'active', [W.c1]],
    [`patient=${W.pc.id}&status=inactive`, (x) => mine(x) && x.status === 'inactive', [W.c2]],
    [`patient=${W.pc.id}&category=${PURPOSE}|data_processing`, (x) => x.category[1].coding[0].code === 'data_processing', [W.c2]],
    [`patient=${W.pc.id}&category=remote_care`, (x) => x.category[1].coding[0].code === 'remote_care', [W.c1]],
    [`patient=${W.pc.id}&category=http://loinc.org|59284-0`, mine, [W.c1, W.c2]],
    [`date=${today}`, (x) => x.dateTime >= utc(today, '00:00'), [W.c1, W.c2]],
    [`date=lt${today}&patient=${W.pc.id}`, () => false, []],
    [`patient=${W.pc2.id}`, () => false, []],
    ['patient=Patient/99999999', () => false, []],
    [`patient=${W.pc.id}&status=draft`, () => false, []],
    [`_id=${W.c2}`, (x) => x.id === String(W.c2), [W.c2]],
    ['_id=99999999', () => false, []],
  ]);
  // Through the share, the hub's search finds it too; another facility's finds nothing.
  await searches('Consent', [[`patient=${W.pc.id}`, mine, [W.c1, W.c2]]], 'hub.colleague');
  assert.deepEqual(await all(`/fhir/Consent?patient=${W.pc.id}`, 'demo.specialist'), []);
  const b = (await as('demo.commune', 'GET', `/fhir/Consent?patient=${W.pc.id}&_include=Consent:patient`)).body;
  assert.deepEqual(b.entry.filter((e) => e.search.mode === 'include').map((e) => e.resource.id), [String(W.pc.id)]);
  const bad = await as('demo.commune', 'GET', '/fhir/Consent?status=maybe');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issue[0].expression, ['status']);
});

test('Encounter.appointment of a moved booking: the booking it was moved from, then the one it is, read and searched alike', async () => {
  const day = vnDay(7);
  const block = await ok('demo.doctor', 'POST', '/api/v1/schedules', { start: `${day}T08:00:00+07:00`, end: `${day}T08:30:00+07:00`, slot_minutes: 15, mode: 'video' });
  const [s1, s2] = srv.sql(`SELECT id FROM slots WHERE schedule_id = ${block.id} ORDER BY id`).split('\n').map(Number);
  const first = await ok('demo.commune', 'POST', '/api/v1/appointments', { slot_id: s1, patient_id: W.p3.id, reason: 'Đau đầu' });
  const moved = await ok('demo.commune', 'POST', `/api/v1/appointments/${first.id}/reschedule`, { slot_id: s2 });
  const want = [{ reference: ref('Appointment', first.id) }, { reference: ref('Appointment', moved.id) }];
  const read = await as('demo.commune', 'GET', `/fhir/Encounter/${first.visit_id}`);
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.deepEqual(read.body.appointment, want);
  const found = await as('demo.commune', 'GET', `/fhir/Encounter?_id=${first.visit_id}`);
  assert.deepEqual(found.body.entry.map((e) => e.resource.appointment), [want]);
  // One booking, not moved: itself alone, in a search too.
  const one = await as('demo.commune', 'GET', `/fhir/Encounter?_id=${W.a1.visit_id}`);
  assert.deepEqual(one.body.entry.map((e) => e.resource.appointment), [[{ reference: ref('Appointment', W.a1.id) }]]);
});
