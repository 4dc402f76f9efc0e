// Remote visits as the station, the doctor and the patient live them: planned with a doctor of
// another facility (who then sees the patient), started only with consent (or a recorded
// emergency), vitals within plausible ranges, ICD-10 diagnoses, a prescription only for conditions
// on the remote-care list and by a licensed doctor, signed and never changed, a PDF the pharmacy
// reads, a summary in plain Vietnamese; bad input refused and nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, api, login, assertError, ROLES, refuser } from './lib/server.mjs';
import { openWs } from './lib/ws.mjs';

let srv;
const S = {};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const get = (path, who = 'demo.commune') => as(who, 'GET', path);
const userId = (username) => Number(srv.sql(`SELECT id FROM users WHERE username = '${username}'`));
const facilityId = (code) => Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));

let seq = 0;
async function newPatient(consent = true, over = {}) {
  const r = await as('demo.commune', 'POST', '/api/v1/patients',
    { full_name: `Thào Thị Dính ${String.fromCharCode(65 + (seq % 26))}${seq++}`, birth_year: 1970, sex: 'female', ...over });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  if (consent) {
    for (const purpose of ['remote_care', 'data_processing']) {
      const c = await as('demo.commune', 'POST', `/api/v1/patients/${r.body.id}/consents`,
        { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' });
      assert.equal(c.status, 201, JSON.stringify(c.body));
    }
  }
  return r.body;
}
async function newVisit(patientId, over = {}, who = 'demo.commune') {
  const r = await as(who, 'POST', '/api/v1/visits',
    { patient_id: patientId, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Đau đầu, chóng mặt 3 ngày', ...over });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
const move = (id, to, reason, who = 'demo.commune') => as(who, 'POST', `/api/v1/visits/${id}/transitions`, reason ? { to, reason } : { to });
async function started(over = {}) {
  const p = await newPatient();
  const v = await newVisit(p.id, over);
  assert.equal((await move(v.id, 'in_progress')).status, 200);
  return { p, v };
}
const ITEMS = [
  { medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày, buổi sáng', duration_days: 30, quantity: 30, unit: 'viên', instructions: 'Uống sau ăn' },
  { medicine: 'Paracetamol', strength: '500 mg', dose: '1 viên', frequency: 'khi đau, cách 6 giờ', duration_days: 5, quantity: 10, unit: 'viên' },
];

const snapshot = () => srv.sql(
  'SELECT (SELECT COUNT(*) FROM visits), (SELECT COUNT(*) FROM visit_events), (SELECT COUNT(*) FROM vitals), ' +
  '(SELECT COUNT(*) FROM visit_diagnoses), (SELECT COUNT(*) FROM prescriptions), (SELECT COUNT(*) FROM referrals), ' +
  "(SELECT MAX(updated_at) FROM visits), (SELECT MAX(updated_at) FROM prescriptions), (SELECT COUNT(*) FROM remote_care_conditions)");
const refused = refuser(snapshot);

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

test('a whole chat visit: planned, started, vitals, diagnosis, signed prescription, PDF, summary, finished', async () => {
  const p = await newPatient(true, { full_name: 'Giàng Thị Chở', ethnicity: '08' });
  const v = await newVisit(p.id);
  assert.equal(v.state, 'planned');
  assert.equal(v.doctor.facility.id, facilityId('BVDK-HAGIANG'));
  assert.equal(v.patient.full_name, 'Giàng Thị Chở');
  // The doctor's hospital now sees the patient, for this visit.
  assert.equal((await get(`/api/v1/patients/${p.id}`, 'demo.doctor')).status, 200);
  assert.equal((await get(`/api/v1/visits/${v.id}`, 'demo.doctor')).status, 200);
  assertError(await get(`/api/v1/patients/${p.id}`, 'demo.specialist'), 404);

  assert.equal((await move(v.id, 'arrived')).body.state, 'arrived');
  const go = await move(v.id, 'in_progress', null, 'demo.doctor');
  assert.equal(go.status, 200);
  assert.equal(go.body.consent_bypassed, false);
  assert.ok(go.body.started_at);

  const vit = await as('demo.commune', 'POST', `/api/v1/visits/${v.id}/vitals`, { systolic: 165, diastolic: 98, pulse: 88, temperature: 36.8, spo2: 97, weight: 52.5, height: 150, glucose: 6.2 });
  assert.equal(vit.status, 201, JSON.stringify(vit.body));
  assert.deepEqual(
    (({ systolic, diastolic, pulse, temperature, spo2, weight, height, glucose }) => ({ systolic, diastolic, pulse, temperature, spo2, weight, height, glucose }))(vit.body.vitals[0]),
    { systolic: 165, diastolic: 98, pulse: 88, temperature: 36.8, spo2: 97, weight: 52.5, height: 150, glucose: 6.2 });
  assert.equal(vit.body.vitals[0].recorded_by.name, 'Lò Thị Mai');

  const notes = await as('demo.doctor', 'PUT', `/api/v1/visits/${v.id}/notes`, { subjective: 'Đau đầu vùng chẩm', assessment: 'Tăng huyết áp độ 2', plan: 'Uống thuốc đều, ăn nhạt, đo huyết áp mỗi tuần tại trạm' });
  assert.equal(notes.status, 200);
  assert.equal(notes.body.notes.plan, 'Uống thuốc đều, ăn nhạt, đo huyết áp mỗi tuần tại trạm');
  const dx = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'i10', primary: true });
  assert.equal(dx.status, 201);
  assert.deepEqual(dx.body.diagnoses.map((d) => [d.code, d.name_vi, d.primary]), [['I10', 'Tăng huyết áp vô căn (nguyên phát)', true]]);
  const dx2 = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'E11.65', note: 'theo dõi' });
  assert.deepEqual(dx2.body.diagnoses.map((d) => [d.code, d.name_vi]), [['I10', 'Tăng huyết áp vô căn (nguyên phát)'], ['E11.65', 'Bệnh đái tháo đường type 2']]);

  const draft = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS, note: 'Tái khám khi hết thuốc' });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  assert.equal(draft.body.status, 'draft');
  assertError(await get(`/api/v1/prescriptions/${draft.body.id}/pdf`, 'demo.doctor'), 409, 'not_signed');
  const signed = await as('demo.doctor', 'POST', `/api/v1/prescriptions/${draft.body.id}/sign`);
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
  assert.equal(signed.body.status, 'signed');
  assert.equal(signed.body.signature.name, 'Nguyễn Văn An');
  assert.equal(signed.body.signature.licence_no, '000123/HG-CCHN');
  // The hash is over a text anyone can rebuild: the content, keys sorted, compact.
  const sorted = (x) => (Array.isArray(x) ? x.map(sorted) : x && typeof x === 'object'
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted(x[k])])) : x);
  const doc = sorted({ prescription_id: signed.body.id, visit_id: v.id, patient_id: p.id, version: 1, items: ITEMS, note: 'Tái khám khi hết thuốc', signer_name: 'Nguyễn Văn An', signer_licence: '000123/HG-CCHN', signed_at_ms: Date.parse(signed.body.signature.at) });
  assert.equal(signed.body.signature.sha256, createHash('sha256').update(JSON.stringify(doc)).digest('hex'));

  const follow = await as('demo.doctor', 'PUT', `/api/v1/visits/${v.id}/follow-up`, { date: '2099-01-15', note: 'Mang sổ theo dõi huyết áp' });
  assert.equal(follow.status, 200);
  assert.equal((await move(v.id, 'finished', null, 'demo.doctor')).body.state, 'finished');

  // The PDF a pharmacy reads: the medicines, the patient's name with its diacritics, the doctor.
  const pdf = await fetch(`${srv.url}/api/v1/prescriptions/${signed.body.id}/pdf`, { headers: { authorization: `Bearer ${S['demo.doctor'].token}` } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const bytes = Buffer.from(await pdf.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-pdf-'));
  writeFileSync(join(dir, 'rx.pdf'), bytes);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'rx.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const want of ['ĐƠN THUỐC', `số ${signed.body.id}, bản 1`, 'Giàng Thị Chở', 'Amlodipin 5 mg', 'Paracetamol 500 mg', 'Uống sau ăn', 'Nguyễn Văn An', '000123/HG-CCHN', 'Tăng huyết áp', 'I10', '15/01/2099', signed.body.signature.sha256])
    assert.ok(text.includes(want), `the PDF says "${want}":\n${text}`);

  // The visit as it ended, with every step timed and named.
  const whole = (await get(`/api/v1/visits/${v.id}`)).body;
  assert.deepEqual(whole.events.map((e) => [e.from, e.to, e.by.name]),
    [[null, 'planned', 'Lò Thị Mai'], ['planned', 'arrived', 'Lò Thị Mai'], ['arrived', 'in_progress', 'Nguyễn Văn An'], ['in_progress', 'finished', 'Nguyễn Văn An']]);
  assert.ok(whole.ended_at);

  const sum = await get(`/api/v1/visits/${v.id}/summary`);
  assert.equal(sum.status, 200);
  for (const want of ['Giàng Thị Chở', 'Nguyễn Văn An', 'Tăng huyết áp vô căn', 'Amlodipin 5 mg: mỗi lần 1 viên, 1 lần/ngày, buổi sáng, trong 30 ngày (Uống sau ăn)', 'Hẹn tái khám ngày 15/01/2099', 'ăn nhạt'])
    assert.ok(sum.body.text_vi.includes(want), `the summary says "${want}":\n${sum.body.text_vi}`);
});

test('the patient reads their visits, summary and signed prescriptions, never drafts or others\'', async () => {
  const own = S['demo.patient'].user.patient_id;
  const v = await newVisit(own, { mode: 'video' });
  await move(v.id, 'in_progress');
  await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'I10', primary: true });
  const a = (await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS })).body;
  await as('demo.doctor', 'POST', `/api/v1/prescriptions/${a.id}/sign`);
  const draft = (await as('demo.doctor', 'POST', `/api/v1/prescriptions/${a.id}/revise`, { items: ITEMS.slice(0, 1) })).body;
  const mine = await get('/api/v1/visits', 'demo.patient');
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.some((x) => x.id === v.id), 'the patient\'s own visit is listed');
  assert.ok(mine.body.items.every((x) => x.patient.id === own));
  assert.ok((await get('/api/v1/visits', 'demo.doctor')).body.items.some((x) => x.patient.id !== own), 'there are others\' visits to leave out');
  const seen = await get(`/api/v1/visits/${v.id}`, 'demo.patient');
  assert.deepEqual(seen.body.prescriptions.map((x) => [x.id, x.status]), [[a.id, 'signed']]);
  assert.equal((await get(`/api/v1/prescriptions/${a.id}`, 'demo.patient')).status, 200);
  assertError(await get(`/api/v1/prescriptions/${draft.id}`, 'demo.patient'), 404);
  const pdf = await api(srv, 'GET', `/api/v1/prescriptions/${a.id}/pdf`, { token: S['demo.patient'].token });
  assert.equal(pdf.status, 200);
  assert.equal((await get(`/api/v1/visits/${v.id}/summary`, 'demo.patient')).status, 200);
  const other = await started();
  assertError(await get(`/api/v1/visits/${other.v.id}`, 'demo.patient'), 404);
  await refused(as('demo.patient', 'POST', '/api/v1/visits', { patient_id: own, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Tôi muốn khám' }), 403);
  await refused(move(v.id, 'finished', null, 'demo.patient'), 403);
});

test('consent gate: no start without consent in force, unless an emergency is recorded', async () => {
  const p = await newPatient(false);
  const v = await newVisit(p.id);
  const r1 = await refused(move(v.id, 'in_progress'), 409);
  assert.equal(r1.body.error.code, 'consent_required');
  assert.deepEqual(r1.body.error.missing, ['remote_care', 'data_processing']);
  const care = (await as('demo.commune', 'POST', `/api/v1/patients/${p.id}/consents`, { purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' })).body;
  assert.deepEqual((await refused(move(v.id, 'in_progress'), 409)).body.error.missing, ['data_processing']);
  await as('demo.commune', 'POST', `/api/v1/patients/${p.id}/consents`, { purpose: 'data_processing', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' });
  assert.equal((await move(v.id, 'in_progress')).status, 200);
  // Withdrawn consent stops the next visit.
  await as('demo.commune', 'POST', `/api/v1/patients/${p.id}/consents/${care.id}/withdraw`, { reason: 'Gia đình không đồng ý' });
  const v2 = await newVisit(p.id);
  assert.equal((await refused(move(v2.id, 'in_progress'), 409)).body.error.code, 'consent_required');
  // An emergency with its reason may start without it; the bypass is recorded.
  const v3 = await newVisit(p.id, { emergency_reason: 'Khó thở cấp, không liên lạc được người nhà', mode: 'assisted' });
  const go = await move(v3.id, 'in_progress');
  assert.equal(go.status, 200);
  assert.equal(go.body.consent_bypassed, true);
  assert.match(go.body.events.at(-1).reason, /consent_bypassed: emergency/);
});

test('Circular 30: remote prescribing only for listed conditions, by a licensed doctor; the ministry keeps the list', async () => {
  const { v } = await started();
  const rx = (body = { items: ITEMS }, who = 'demo.doctor') => as(who, 'POST', `/api/v1/visits/${v.id}/prescriptions`, body);
  assert.equal((await refused(rx(), 409)).body.error.code, 'diagnosis_required');
  await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'J18.9', primary: true });
  const no = await refused(rx(), 409);
  assert.equal(no.body.error.code, 'not_remote_treatable');
  assert.equal(no.body.error.icd10, 'J18.9');
  // Advice and referral remain possible.
  const ref = await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/referral`, { to_facility_id: facilityId('BVDK-HAGIANG'), specialty: 'internal', reason: 'Viêm phổi cần chụp X-quang và điều trị nội trú' });
  assert.equal(ref.status, 201, JSON.stringify(ref.body));
  assert.equal(ref.body.referrals[0].to_facility.id, facilityId('BVDK-HAGIANG'));

  const set = await get('/api/v1/value-sets/remote-care');
  assert.ok(set.body.codes.some((c) => c.code === 'I10'));
  await refused(as('demo.province-admin', 'PUT', '/api/v1/value-sets/remote-care', { codes: ['J18'] }), 403);
  await refused(as('demo.doctor', 'PUT', '/api/v1/value-sets/remote-care', { codes: ['J18'] }), 403);
  await refused(as('demo.ministry-admin', 'PUT', '/api/v1/value-sets/remote-care', { codes: ['J18', 'X'] }), 400, 'codes');
  await refused(as('demo.ministry-admin', 'PUT', '/api/v1/value-sets/remote-care', { codes: [] }), 400, 'codes');
  const old = set.body.codes.map((c) => c.code);
  const put = await as('demo.ministry-admin', 'PUT', '/api/v1/value-sets/remote-care', { codes: [...old, 'j18'] });
  assert.equal(put.status, 200);
  assert.equal((await rx()).status, 201);
  assert.equal((await as('demo.ministry-admin', 'PUT', '/api/v1/value-sets/remote-care', { codes: old })).status, 200);
  assert.equal(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'valueset.update' AND outcome = 'ok'"), '2');

  // A doctor without a practising licence number may not prescribe.
  const fresh = await as('demo.ministry-admin', 'POST', '/api/v1/users', { username: 'bs.chuacchn', full_name: 'Lê Văn Mới', password: 'mat-khau-du-dai', role: 'doctor', facility_id: facilityId('BVDK-HAGIANG') });
  assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
  S.unlicensed = await login(srv, 'bs.chuacchn', 'mat-khau-du-dai');
  const p2 = await newPatient();
  const v2 = await newVisit(p2.id, { doctor_id: fresh.body.id });
  await move(v2.id, 'in_progress');
  await as('unlicensed', 'POST', `/api/v1/visits/${v2.id}/diagnoses`, { icd10: 'I10', primary: true });
  const lic = await refused(as('unlicensed', 'POST', `/api/v1/visits/${v2.id}/prescriptions`, { items: ITEMS }), 403);
  assert.equal(lic.body.error.code, 'licence_required');
});

test('scope of practice: a prescriber needs one recorded, and the specialty some conditions require', async () => {
  const fresh = await as('demo.ministry-admin', 'POST', '/api/v1/users', { username: 'bs.phamvi', full_name: 'Trịnh Thị Thu', password: 'mat-khau-du-dai', role: 'doctor', facility_id: facilityId('BVDK-HAGIANG'), licence_no: '004321/HG-CCHN' });
  assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
  assert.deepEqual(fresh.body.practice_scope, []);
  S.scoped = await login(srv, 'bs.phamvi', 'mat-khau-du-dai');
  const p = await newPatient();
  const v = await newVisit(p.id, { doctor_id: fresh.body.id });
  await move(v.id, 'in_progress');
  await as('scoped', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'I10', primary: true });
  assert.equal((await refused(as('scoped', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS }), 403)).body.error.code, 'scope_required');

  // A general practitioner treats hypertension, but a depressive episode (F32, on the Circular 30
  // list) needs a psychiatrist's scope.
  assert.equal((await as('demo.ministry-admin', 'PATCH', `/api/v1/users/${fresh.body.id}`, { practice_scope: ['general'] })).status, 200);
  const draft = await as('scoped', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  await as('scoped', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'F32', primary: true });
  const out = await refused(as('scoped', 'POST', `/api/v1/prescriptions/${draft.body.id}/sign`), 403);
  assert.equal(out.body.error.code, 'outside_scope');
  assert.equal(out.body.error.needs, 'mental');
  assert.match(out.body.error.message, /tâm thần/);
  const widened = await as('demo.ministry-admin', 'PATCH', `/api/v1/users/${fresh.body.id}`, { practice_scope: ['general', 'mental'] });
  assert.deepEqual(widened.body.practice_scope, ['general', 'mental']);
  assert.equal((await as('scoped', 'POST', `/api/v1/prescriptions/${draft.body.id}/sign`)).status, 200);
});

test('a signed prescription never changes; a correction is a new version', async () => {
  const { v } = await started();
  await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'E11', primary: true });
  const d = (await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS })).body;
  const edited = await as('demo.doctor', 'PUT', `/api/v1/prescriptions/${d.id}`, { items: ITEMS.slice(1), note: 'Bớt một thuốc' });
  assert.equal(edited.status, 200);
  assert.deepEqual(edited.body.items.map((i) => i.medicine), ['Paracetamol']);
  assertError(await as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/revise`), 409, 'draft');
  const s1 = (await as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/sign`)).body;
  const before = srv.sql(`SELECT items, content_hash, signed_at FROM prescriptions WHERE id = ${d.id}`);
  assert.equal((await refused(as('demo.doctor', 'PUT', `/api/v1/prescriptions/${d.id}`, { items: ITEMS }), 409)).body.error.code, 'signed');
  assert.equal((await refused(as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/sign`), 409)).body.error.code, 'signed');
  const v2 = await as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/revise`, { items: ITEMS });
  assert.equal(v2.status, 201);
  assert.equal(v2.body.version, 2);
  assert.equal(v2.body.replaces, d.id);
  assert.equal(v2.body.status, 'draft');
  assert.equal((await get(`/api/v1/prescriptions/${d.id}`, 'demo.doctor')).body.replaced_by, v2.body.id);
  assert.equal((await refused(as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/revise`), 409)).body.error.code, 'replaced');
  const s2 = (await as('demo.doctor', 'POST', `/api/v1/prescriptions/${v2.body.id}/sign`)).body;
  assert.notEqual(s2.signature.sha256, s1.signature.sha256);
  assert.equal(srv.sql(`SELECT items, content_hash, signed_at FROM prescriptions WHERE id = ${d.id}`), before);
});

// Hole 11's shape: "every item checked" holds over none. Create, update and revise refuse an empty
// list (1 to 30 items), so a stored prescription has items — unless the row was changed outside
// the API (an import, a repair): the signature, which a pharmacy trusts, checks what it signs.
test('a prescription with no item is not signed: 409 no_items; every way to write one refuses an empty list', async () => {
  const { v } = await started();
  await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'E11', primary: true });
  await refused(as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: [] }), 400, 'items', 'created empty');
  const d = (await as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS })).body;
  await refused(as('demo.doctor', 'PUT', `/api/v1/prescriptions/${d.id}`, { items: [] }), 400, 'items', 'emptied');
  srv.sql(`UPDATE prescriptions SET items = '[]' WHERE id = ${d.id}`);
  const empty = await refused(as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/sign`), 409, null, 'nothing to sign');
  assert.equal(empty.body.error.code, 'no_items');
  assert.equal(empty.body.error.message, 'Đơn thuốc chưa có thuốc nào để ký');
  assert.equal(srv.sql(`SELECT status || ' ' || COALESCE(content_hash, '-') FROM prescriptions WHERE id = ${d.id}`), 'draft -');
  srv.sql(`UPDATE prescriptions SET items = '{}' WHERE id = ${d.id}`);
  assertError(await refused(as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/sign`), 409, null, 'not a list'), 409, 'no_items');
  // Put right through the API, it signs; a revision of it cannot be emptied either.
  assert.equal((await as('demo.doctor', 'PUT', `/api/v1/prescriptions/${d.id}`, { items: ITEMS })).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/sign`)).status, 200);
  await refused(as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.id}/revise`, { items: [] }), 400, 'items', 'revised empty');
});

test('bad input is refused with the field named and nothing written', async () => {
  const { p, v } = await started();
  const V = `/api/v1/visits/${v.id}`;
  const vit = (body) => as('demo.doctor', 'POST', `${V}/vitals`, body);
  for (const [body, field, what] of [
    [{ temperature: 50 }, 'temperature', 'fever of 50'], [{ temperature: '37' }, 'temperature', 'a string'],
    [{ spo2: 101 }, 'spo2', 'SpO2 over 100'], [{ pulse: 80.5 }, 'pulse', 'half a beat'],
    [{ systolic: 80, diastolic: 90 }, 'diastolic', 'diastolic above systolic'], [{ systolic: 120 }, 'diastolic', 'systolic alone'],
    [{ weight: 0 }, 'weight', 'no weight'], [{ height: 400 }, 'height', 'four metres'], [{ glucose: 80 }, 'glucose', 'mg/dL sent as mmol/L'],
    [{ bmi: 22 }, 'bmi', 'unknown field'], [{}, null, 'nothing'],
  ]) await refused(vit(body), 400, field, what);
  for (const code of ['I1', '10I', 'I10.123', 'I10-', 'II0', '']) await refused(as('demo.doctor', 'POST', `${V}/diagnoses`, { icd10: code }), 400, 'icd10', code);
  await refused(as('demo.doctor', 'POST', `${V}/diagnoses`, { icd10: 'I10', primary: 'yes' }), 400, 'primary');
  await refused(as('demo.doctor', 'PUT', `${V}/notes`, { diagnosis: 'x' }), 400, 'diagnosis');
  await refused(as('demo.doctor', 'PUT', `${V}/notes`, {}), 400);
  await refused(as('demo.doctor', 'PUT', `${V}/follow-up`, { date: '2020-01-01' }), 400, 'date');
  await refused(as('demo.doctor', 'PUT', `${V}/follow-up`, { date: '2099-02-30' }), 400, 'date');
  await refused(as('demo.doctor', 'POST', `${V}/referral`, { to_facility_id: 999999, reason: 'Cần chuyển tuyến' }), 400, 'to_facility_id');
  await refused(as('demo.doctor', 'POST', `${V}/referral`, { to_facility_id: facilityId('BV-BACHMAI'), specialty: 'magic', reason: 'Cần chuyển tuyến' }), 400, 'specialty');
  await as('demo.doctor', 'POST', `${V}/diagnoses`, { icd10: 'I10', primary: true });
  const rx = (items) => as('demo.doctor', 'POST', `${V}/prescriptions`, { items });
  await refused(rx([]), 400, 'items');
  await refused(rx([{ ...ITEMS[0], duration_days: 0 }]), 400, 'items[0].duration_days');
  await refused(rx([{ ...ITEMS[0], quantity: '30' }]), 400, 'items[0].quantity');
  await refused(rx([{ ...ITEMS[0], medicine: undefined }]), 400, 'items[0].medicine');
  await refused(rx([{ ...ITEMS[0], price: 1000 }]), 400, 'items[0].price');
  await refused(rx(Array(31).fill(ITEMS[0])), 400, 'items');
  await refused(rx('Amlodipin'), 400, 'items');
  // Transitions that do not exist, and ones that need a reason.
  const pv = await newVisit(p.id);
  assert.equal((await refused(move(pv.id, 'finished'), 409)).body.error.code, 'visit_state');
  await refused(move(pv.id, 'cancelled'), 400, 'reason');
  await refused(move(pv.id, 'paused'), 400, 'to');
  assert.equal((await move(pv.id, 'cancelled', 'Người bệnh đi làm nương, hẹn lại')).body.state, 'cancelled');
  await refused(move(pv.id, 'in_progress'), 409);
  await refused(as('demo.doctor', 'POST', `/api/v1/visits/${pv.id}/vitals`, { pulse: 80 }), 409);
  // Planning: the fields and who the doctor is.
  const plan = (over) => as('demo.commune', 'POST', '/api/v1/visits', { patient_id: p.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Khám lại', ...over });
  await refused(plan({ mode: 'telepathy' }), 400, 'mode');
  await refused(plan({ scheduled_at: '2026-11-23 09:00' }), 400, 'scheduled_at');
  await refused(plan({ scheduled_at: '2026-11-23T09:00:00' }), 400, 'scheduled_at');
  await refused(plan({ doctor_id: userId('demo.commune') }), 400, 'doctor_id');
  await refused(plan({ doctor_id: userId('demo.trainer') }), 400, 'doctor_id');
  await refused(plan({ patient_id: 99999999 }), 404);
  await refused(plan({ reason: undefined }), 400, 'reason');
  await refused(plan({ surprise: true }), 400, 'surprise');
  const at = await plan({ scheduled_at: '2026-11-23T09:30:00+07:00' });
  assert.equal(at.body.scheduled_at, '2026-11-23T02:30:00.000Z');
});

test('who may act on a visit: its facilities and its doctor; everyone else is refused', async () => {
  const { p, v } = await started();
  const V = `/api/v1/visits/${v.id}`;
  for (const path of [V, `${V}/summary`, '/api/v1/visits']) assertError(await api(srv, 'GET', path), 401);
  assertError(await api(srv, 'POST', '/api/v1/visits', { body: { patient_id: p.id } }), 401);
  for (const who of ['demo.specialist', 'demo.trainer', 'demo.facility-admin', 'demo.province-admin', 'demo.ministry-admin']) {
    // Another hospital's specialist: no such visit; roles that read no charts: refused whatever the visit.
    const status = who === 'demo.specialist' ? 404 : 403;
    assertError(await get(V, who), status);
    await refused(as(who, 'POST', `${V}/transitions`, { to: 'finished' }), status, null, who);
    await refused(as(who, 'POST', `${V}/vitals`, { pulse: 80 }), status, null, who);
  }
  for (const who of ['demo.trainer', 'demo.facility-admin', 'demo.ministry-admin']) await refused(get('/api/v1/visits', who), 403, null, who);
  // The station records vitals but not the doctor's notes, diagnoses or prescriptions.
  await refused(as('demo.commune', 'PUT', `${V}/notes`, { plan: 'x' }), 403);
  await refused(as('demo.commune', 'POST', `${V}/diagnoses`, { icd10: 'I10' }), 403);
  await refused(as('demo.commune', 'POST', `${V}/prescriptions`, { items: ITEMS }), 403);
  // A specialist elsewhere cannot plan a visit for a patient not shared with them.
  await refused(as('demo.specialist', 'POST', '/api/v1/visits', { patient_id: p.id, doctor_id: userId('demo.specialist'), mode: 'video', reason: 'Hội chẩn' }), 404);
  // Lists are scoped: the station and the doctor's hospital see the visit, another hospital does not.
  assert.ok((await get(`/api/v1/visits?patient_id=${p.id}`)).body.items.some((x) => x.id === v.id));
  assert.ok((await get(`/api/v1/visits?doctor_id=${userId('demo.doctor')}&state=in_progress`, 'demo.doctor')).body.items.some((x) => x.id === v.id));
  assert.deepEqual((await get(`/api/v1/visits?patient_id=${p.id}`, 'demo.specialist')).body.items, []);
  await refused(get('/api/v1/visits?state=done'), 400, 'state');
  await refused(get('/api/v1/visits?date=23-11-2026'), 400, 'date');
  // Reads of the visit are audited: with the patient when allowed, with the visit's id alone when
  // refused as absent (as an absent id would be).
  assert.equal((await get(V)).status, 200);
  assert.ok(Number(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'visit.read' AND patient_id = ${p.id} AND outcome = 'ok'`)) > 0);
  assert.ok(Number(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'visit.read' AND resource_id = '${v.id}' AND COALESCE(patient_id, 0) = 0 AND outcome = 'denied'`)) > 0);
});

test('ICD-10 search in Vietnamese or English, with or without diacritics', async () => {
  const codes = async (q) => (await get(`/api/v1/icd10?q=${encodeURIComponent(q)}`)).body.items.map((i) => i.code);
  assert.ok((await codes('tang huyet ap')).includes('I10'));
  assert.ok((await codes('TĂNG HUYẾT ÁP')).includes('I10'));
  assert.ok((await codes('hypertension')).includes('I10'));
  assert.ok((await codes('dai thao duong')).includes('E11'));
  assert.deepEqual(await codes('J18.9'), ['J18.9']);
  const all = (await get('/api/v1/icd10?limit=200')).body.items;
  assert.ok(all.length > 100);
  assert.equal(all.find((i) => i.code === 'I10').remote_treatable, true);
  assert.equal(all.find((i) => i.code === 'J18.9').remote_treatable, false);
  assertError(await get('/api/v1/icd10?limit=500'), 400);
});

test('the doctors a station can plan with: its own and its supporting hubs\'', async () => {
  const r = await get('/api/v1/doctors');
  assert.equal(r.status, 200);
  const an = r.body.items.find((d) => d.full_name === 'Nguyễn Văn An');
  assert.deepEqual([an.facility.name, an.licence_no], ['Bệnh viện Đa khoa tỉnh Hà Giang', '000123/HG-CCHN']);
  // Bạch Mai does not support Lũng Cú directly: its doctors are not offered by default.
  assert.ok(r.body.items.every((d) => d.facility.id !== facilityId('BV-BACHMAI')));
  const bachmai = await get(`/api/v1/doctors?facility_id=${facilityId('BV-BACHMAI')}&q=ngoc`);
  assert.deepEqual(bachmai.body.items.map((d) => d.full_name), ['Trần Thị Bích Ngọc']);
  assertError(await api(srv, 'GET', '/api/v1/doctors'), 401);
  for (const who of ['demo.trainer', 'demo.ministry-admin']) assertError(await get('/api/v1/doctors', who), 403);
  // A patient books with the doctors of their station's network.
  assert.ok((await get('/api/v1/doctors', 'demo.patient')).body.items.some((d) => d.full_name === 'Nguyễn Văn An'));
  assertError(await get('/api/v1/doctors?facility_id=abc'), 400);
});

test('a visit about to start: its doctor and who planned it are told ten minutes before, live; a cancelled one is not', async () => {
  const p = await newPatient();
  const doctor = await openWs(srv, S['demo.doctor']);
  const station = await openWs(srv, S['demo.commune']);
  try {
    // Planned to start in ten minutes and two seconds: told in about two seconds.
    const at = new Date(Date.now() + 10 * 60e3 + 2000);
    const v = await newVisit(p.id, { mode: 'video', scheduled_at: at.toISOString() });
    const early = await as('demo.doctor', 'GET', '/api/v1/notifications?limit=200');
    assert.ok(!early.body.items.some((n) => n.visit_id === v.id), 'not listed before it is due');
    const vn = new Date(at.getTime() + 7 * 3600e3);
    const hhmm = `${String(vn.getUTCHours()).padStart(2, '0')}:${String(vn.getUTCMinutes()).padStart(2, '0')}`;
    for (const c of [doctor, station]) {
      const n = await c.next((m) => m.type === 'notification' && m.visit_id === v.id, 'the visit_starting notification', 8000);
      assert.equal(n.kind, 'visit_starting');
      // The whole text, so no patient name on a lock screen.
      const dm = `${String(vn.getUTCDate()).padStart(2, '0')}/${String(vn.getUTCMonth() + 1).padStart(2, '0')}`;
      assert.equal(n.text, `Lượt khám từ xa #${v.id} (video) bắt đầu lúc ${hhmm} ngày ${dm}.`);
      assert.equal(n.text_en, `Remote visit #${v.id} (video) starts at ${hhmm} on ${dm}.`);
    }
    const listed = await as('demo.doctor', 'GET', '/api/v1/notifications?limit=200');
    assert.equal(listed.body.items.filter((n) => n.visit_id === v.id && n.kind === 'visit_starting').length, 1);

    // Cancelled before it was due: never announced.
    const w = await newVisit(p.id, { mode: 'audio', scheduled_at: new Date(Date.now() + 10 * 60e3 + 1500).toISOString() });
    const c = await as('demo.commune', 'POST', `/api/v1/visits/${w.id}/transitions`, { to: 'cancelled', reason: 'Bệnh nhân đi nương xa' });
    assert.equal(c.status, 200, JSON.stringify(c.body));
    await new Promise((r) => setTimeout(r, 3000));
    assert.ok(!doctor.msgs.some((m) => m.type === 'notification' && m.visit_id === w.id), 'no notice for a cancelled visit');
    assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE visit_id = ${w.id} AND status = 'not_needed'`), '2');
    // Unscheduled (walk-in now): nothing to announce.
    const u = await newVisit(p.id);
    assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE visit_id = ${u.id}`), '0');
  } finally {
    await doctor.close();
    await station.close();
  }
});
