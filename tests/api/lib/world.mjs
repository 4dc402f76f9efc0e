// The world the route matrix and the bad-input tests call every route in: people of every role at
// four places, and at two "poles" a record of every kind, so that each caller has records that are
// its own (or shared with it) and records that are certainly not its business.
//
//   A   Trạm Y tế xã Lũng Cú (commune station, Tuyên Quang)  — owns the A-pole's patient records
//   A2  Trạm Y tế xã Mèo Vạc (another station, same province)
//   H   Bệnh viện Đa khoa tỉnh Hà Giang (the hub that supports A, same province): a visit with its
//       doctor and a consultation it has share A's patient with it
//   C   Bệnh viện Bạch Mai (Hà Nội, another province)     — owns the C-pole's records
//   plus the province administrators of Tuyên Quang and of Lào Cai, the ministry, and two patients'
//   own accounts (one at A, one at C).
//
// Training records sit at the same poles: the A-pole's courses are H's (a trainer there), taken by
// A's health worker; the C-pole's are C's, taken by C's health worker. Each pole also has a draft
// course, which nobody outside its facility may know of.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { api, login, startServer } from './server.mjs';
import { png, tusUpload } from './files.mjs';

const PW = 'ma-tran-quyen-2026';
export const ABSENT = 987654321;
const vnDay = (n) => new Date(Date.now() + 7 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

// Every caller: its demo or made-up account, its role, where it works, and the pole whose records
// may be its business (the other pole's never are).
export const CALLERS = [
  ['demo.commune', 'health_worker', 'A', 'A'], ['a.doctor', 'doctor', 'A', 'A'], ['a.trainer', 'trainer', 'A', 'A'],
  ['a.admin', 'facility_admin', 'A', 'A'],
  ['a2.hw', 'health_worker', 'A2', 'A'], ['a2.admin', 'facility_admin', 'A2', 'A'],
  ['demo.doctor', 'doctor', 'H', 'A'], ['h.hw', 'health_worker', 'H', 'A'], ['h.specialist', 'specialist', 'H', 'A'],
  ['h.trainer', 'trainer', 'H', 'A'], ['demo.facility-admin', 'facility_admin', 'H', 'A'],
  ['demo.specialist', 'specialist', 'C', 'C'], ['c.hw', 'health_worker', 'C', 'C'], ['c.doctor', 'doctor', 'C', 'C'],
  ['demo.trainer', 'trainer', 'C', 'C'], ['c.admin', 'facility_admin', 'C', 'C'],
  ['demo.province-admin', 'province_admin', 'TQ', 'A'], ['lc.padmin', 'province_admin', 'LC', 'C'],
  ['demo.ministry-admin', 'ministry_admin', null, '*'],
  ['demo.patient', 'patient', null, 'A'], ['c.patient', 'patient', null, 'C'],
].map(([name, role, place, pole]) => ({ name, role, place, pole }));

const FACILITY = { A: 'TYT-LUNGCU', A2: 'TYT-MEOVAC', H: 'BVDK-HAGIANG', C: 'BV-BACHMAI', LC: 'BVDK-LAOCAI' };

export async function buildWorld(srv) {
  const S = {};
  const sql = (q) => srv.sql(q);
  const id = (q) => Number(sql(q));
  const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
  const ok = async (who, method, path, body, status = [200, 201]) => {
    const r = await as(who, method, path, body);
    assert.ok([].concat(status).includes(r.status), `world: ${who} ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const fac = (place) => id(`SELECT id FROM facilities WHERE code = '${FACILITY[place]}'`);
  for (const c of CALLERS.filter((x) => x.name.startsWith('demo.'))) S[c.name] = await login(srv, c.name);
  // The made-up accounts, through the ministry, two at a time (Argon2id is slow on purpose).
  const made = CALLERS.filter((c) => !c.name.startsWith('demo.') && c.role !== 'patient');
  for (let i = 0; i < made.length; i += 2) {
    await Promise.all(made.slice(i, i + 2).map(async (c) => {
      const doctor = ['doctor', 'specialist'].includes(c.role);
      await ok('demo.ministry-admin', 'POST', '/api/v1/users', {
        username: c.name, full_name: `Người thử ${c.name}`, password: PW, role: c.role, facility_id: fac(c.place),
        ...(doctor ? { licence_no: `CCHN-${c.name}`, practice_scope: ['general', 'internal', 'imaging'] } : {}),
      });
      S[c.name] = await login(srv, c.name, PW);
    }));
  }
  const uid = (name) => id(`SELECT id FROM users WHERE username = '${name}'`);

  // ---- Patient records -------------------------------------------------------------------------
  const A = {}, C = {};
  A.patient = id("SELECT patient_id FROM users WHERE username = 'demo.patient'");
  const consentBody = (purpose) => ({ purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' });
  const pc = await ok('demo.specialist', 'POST', '/api/v1/patients', { full_name: 'Trần Thị Mận', birth_year: 1975, sex: 'female' });
  C.patient = pc.id;
  for (const purpose of ['remote_care', 'data_processing']) await ok('demo.specialist', 'POST', `/api/v1/patients/${C.patient}/consents`, consentBody(purpose));
  await ok('demo.specialist', 'POST', `/api/v1/patients/${C.patient}/account`, { username: 'c.patient', password: PW });
  S['c.patient'] = await login(srv, 'c.patient', PW);
  A.consent = id(`SELECT MIN(id) FROM consents WHERE patient_id = ${A.patient}`);
  C.consent = id(`SELECT MIN(id) FROM consents WHERE patient_id = ${C.patient}`);

  // Visits: A's with H's doctor (the share), C's at home. Each started, with a diagnosis and a
  // draft prescription.
  const visit = async (who, patient, doctor) => {
    const v = await ok(who, 'POST', '/api/v1/visits', { patient_id: patient, doctor_id: uid(doctor), mode: 'video', reason: 'Đau đầu, chóng mặt' });
    await ok(who, 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'in_progress' });
    await ok(doctor, 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'I10', primary: true });
    const rx = await ok(doctor, 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30 }] });
    // For FHIR: a pulse taken (Observation id = vitals id × 16 + 2) and a signed prescription
    // (MedicationRequest id = its id × 32 + the item's place).
    await ok(who, 'POST', `/api/v1/visits/${v.id}/vitals`, { pulse: 80 });
    const signed = await ok(doctor, 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: [{ medicine: 'Metformin', strength: '500 mg', dose: '1 viên', frequency: '2 lần/ngày', duration_days: 30, quantity: 60 }] });
    await ok(doctor, 'POST', `/api/v1/prescriptions/${signed.id}/sign`);
    return [v.id, rx.id, id(`SELECT MAX(id) FROM vitals WHERE visit_id = ${v.id}`) * 16 + 2,
      id(`SELECT MIN(id) FROM visit_diagnoses WHERE visit_id = ${v.id}`), signed.id * 32];
  };
  [A.visit, A.prescription, A.observation, A.diagnosis, A.medication] = await visit('demo.commune', A.patient, 'demo.doctor');
  [C.visit, C.prescription, C.observation, C.diagnosis, C.medication] = await visit('demo.specialist', C.patient, 'c.doctor');

  // Availability and bookings: H's doctor's block, booked by A for its patient; C's doctor's, by C.
  const day = vnDay(6);
  const block = async (doctor, from) => ok(doctor, 'POST', '/api/v1/schedules', { start: `${day}T${from}:00+07:00`, end: `${day}T${from.slice(0, 2)}:45:00+07:00`, slot_minutes: 15, mode: 'video' });
  A.schedule = (await block('demo.doctor', '08:00')).id;
  C.schedule = (await block('c.doctor', '09:00')).id;
  const slots = async (doctor) => (await ok('demo.commune', 'GET', `/api/v1/slots?doctor_id=${uid(doctor)}&date=${day}&free=1`)).items;
  const hSlots = await slots('demo.doctor'), cSlots = await slots('c.doctor');
  A.slot = hSlots[2].id;
  C.slot = cSlots[2].id;
  A.appointment = (await ok('demo.commune', 'POST', '/api/v1/appointments', { slot_id: hSlots[0].id, patient_id: A.patient, reason: 'Tái khám huyết áp' })).id;
  C.appointment = (await ok('demo.specialist', 'POST', '/api/v1/appointments', { slot_id: cSlots[0].id, patient_id: C.patient, reason: 'Tái khám huyết áp' })).id;
  A.queue = (await ok('demo.commune', 'POST', '/api/v1/queue', { patient_id: A.patient, reason: 'Khám lại', priority: 'normal' })).id;
  C.queue = (await ok('demo.specialist', 'POST', '/api/v1/queue', { patient_id: C.patient, reason: 'Khám lại', priority: 'normal' })).id;
  A.notification = id(`SELECT MIN(id) FROM notifications WHERE user_id = ${uid('demo.patient')}`);
  C.notification = id(`SELECT MIN(id) FROM notifications WHERE user_id = ${uid('c.patient')}`);
  assert.ok(A.notification > 0 && C.notification > 0, 'world: each patient was told of a booking');

  // Files: an X-ray of each pole attached to its case; an unfinished upload of each.
  A.file = await tusUpload(srv, S['demo.commune'].token, png(40, 30), 'x-quang.png');
  C.file = await tusUpload(srv, S['demo.specialist'].token, png(40, 30), 'x-quang.png');
  const start = async (who) => {
    const r = await api(srv, 'POST', '/api/v1/files', { token: S[who].token, headers: { 'tus-resumable': '1.0.0', 'upload-length': '1000', 'upload-metadata': `filename ${Buffer.from('dang-gui.png').toString('base64')}` } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  A.upload = await start('demo.commune');
  C.upload = await start('demo.specialist');

  // Consultations: A's sent along the network to H and accepted there; C's a draft at home.
  const CASE = { summary: 'Ho kéo dài 3 tuần, sốt về chiều. Phim X-quang ngực chụp tại trạm.', questions: ['Có hình ảnh lao phổi không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging' };
  A.consult = (await ok('demo.commune', 'POST', '/api/v1/consults', { patient_id: A.patient, ...CASE, file_ids: [A.file], submit: true })).id;
  await ok('demo.doctor', 'POST', `/api/v1/consults/${A.consult}/accept`, {});
  C.consult = (await ok('demo.specialist', 'POST', '/api/v1/consults', { patient_id: C.patient, ...CASE, file_ids: [C.file] })).id;
  A.question = id(`SELECT MIN(id) FROM consult_questions WHERE consult_id = ${A.consult}`);
  C.question = id(`SELECT MIN(id) FROM consult_questions WHERE consult_id = ${C.consult}`);
  A.user = uid('demo.commune');
  C.user = uid('c.hw');

  // ---- Training ---------------------------------------------------------------------------------
  // At each pole a published course with a quiz that its learner passed (a credit, a certificate),
  // and a draft course with a session and a material.
  const QUIZ = { questions: [{ question: 'Tần số ép tim người lớn mỗi phút?', choices: ['60–80', '100–120'], correct: 1 }] };
  const course = async (trainer, levels, learner) => {
    const c = await ok(trainer, 'POST', '/api/v1/courses', { title: 'Cấp cứu ngừng tuần hoàn', description: 'Ép tim, thổi ngạt.', target_roles: ['health_worker'], target_levels: levels, credit_hours: 1 });
    await ok(trainer, 'PUT', `/api/v1/courses/${c.id}/quiz`, QUIZ);
    await ok(trainer, 'POST', `/api/v1/courses/${c.id}/publish`, {});
    const e = await ok(learner, 'POST', `/api/v1/courses/${c.id}/enrolments`, {});
    await ok(learner, 'POST', `/api/v1/courses/${c.id}/quiz/attempts`, { answers: [1] });
    const credit = id(`SELECT id FROM credits WHERE course_id = ${c.id} AND user_id = ${uid(learner)}`);
    assert.ok(credit > 0, `world: ${learner} earned the credit`);
    const cert = await ok(trainer, 'POST', `/api/v1/credits/${credit}/certificate`, {});
    const draft = await ok(trainer, 'POST', '/api/v1/courses', { title: 'Khoá đang soạn', target_roles: ['health_worker'], target_levels: levels, credit_hours: 1 });
    const session = await ok(trainer, 'POST', `/api/v1/courses/${draft.id}/sessions`, { kind: 'self_paced', title: 'Tự học', minutes: 30 });
    const material = await ok(trainer, 'POST', `/api/v1/courses/${draft.id}/materials`, { title: 'Tài liệu', url: 'https://example.org/tai-lieu.pdf' });
    return { published: c.id, enrolment: e.id, credit, certificate: cert.id, course: draft.id, session: session.id, material: material.materials?.at(-1)?.id ?? id(`SELECT MAX(id) FROM course_materials WHERE course_id = ${draft.id}`) };
  };
  Object.assign(A, await course('h.trainer', ['commune'], 'demo.commune'));
  Object.assign(C, await course('demo.trainer', ['central'], 'c.hw'));

  // The public network: facilities, units, support links, a verification code (no secret).
  A.facility = fac('A');
  C.facility = fac('C');
  const unit = id("SELECT MIN(id) FROM admin_units WHERE level = 'commune' AND valid_to IS NULL");
  A.unit = C.unit = unit;
  A.link = C.link = id('SELECT MIN(id) FROM support_links');
  A.code = C.code = 'AAAAA-AAAAA';
  // FHIR: the signed prescription as a DocumentReference (its id × 2 + 1), and an audit event of an
  // act of a user of the pole's facility.
  A.document = (A.medication / 32) * 2 + 1;
  C.document = (C.medication / 32) * 2 + 1;
  A.auditevent = id(`SELECT MAX(id) FROM audit_events WHERE actor_facility_id = ${fac('A')}`);
  C.auditevent = id(`SELECT MAX(id) FROM audit_events WHERE actor_facility_id = ${fac('C')}`);

  // FHIR Bulk Data: each pole's facility as a Group, and an export of its patients by its
  // administrator, finished before the digest is taken (the exporter writes its row until then).
  for (const [P, who] of [[A, 'a.admin'], [C, 'c.admin']]) {
    P.group = `facility-${P.facility}`;
    const k = await api(srv, 'GET', '/fhir/$export?_type=Patient', { token: S[who].token, headers: { prefer: 'respond-async' } });
    assert.equal(k.status, 202, `world: ${who} $export: ${k.status} ${JSON.stringify(k.body)}`);
    P.export = Number(k.headers.get('content-location').split('/').pop());
    P.exportfile = 'Patient.ndjson';
    for (let i = 0; i < 200 && (await api(srv, 'GET', `/fhir/bulkstatus/${P.export}`, { token: S[who].token })).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 50));
  }
  return { S, A, C, uid, fac, as, unit };
}

// The ids of a record kind at a pole ('A', 'C') or absent.
export function ids(W, pole) {
  if (pole === 'absent') return new Proxy({}, { get: (_, kind) => (kind === 'upload' ? 'f'.repeat(32) : ABSENT) });
  return W[pole];
}

// A digest of every table's rows, to show that refused requests changed nothing. Apart: the audit
// trail (which records the refusals), and rows that time moves by itself (a session's last
// activity, a notification pushed when due), of which only the count must stay.
const VOLATILE = ['sessions', 'notifications'];
function snapshot(srv) {
  const tables = (srv.pg
    ? srv.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
    : srv.sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")).split('\n')
    .filter((t) => !['audit_events', 'audit_head'].includes(t));
  // One query for all tables (one psql or sqlite3 process, not one per table).
  const rows = new Map();
  if (srv.pg) {
    const out = srv.sql(tables.map((t) => `SELECT '${t}', ${VOLATILE.includes(t) ? 'COUNT(*)::text'
      : "md5(COALESCE(string_agg(x::text, ',' ORDER BY x::text), ''))"} FROM ${t} x`).join(' UNION ALL '));
    for (const line of out.split('\n')) rows.set(line.split('|')[0], [line.split('|')[1]]);
  } else {
    const MARK = '~~table~~ ';
    const out = srv.sql(tables.map((t) => `SELECT '${MARK}${t}'; SELECT ${VOLATILE.includes(t) ? 'COUNT(*)' : '*'} FROM ${t} ORDER BY 1;`).join(' '));
    let at = null;
    for (const line of out.split('\n')) {
      if (line.startsWith(MARK)) rows.set((at = line.slice(MARK.length)), []);
      else rows.get(at).push(line);
    }
  }
  assert.deepEqual([...rows.keys()].sort(), [...tables].sort());
  return tables.map((t) => {
    const text = rows.get(t).join('\n');
    return `${t}=${VOLATILE.includes(t) ? text : createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  });
}

// A server with the world built, and the digest of its tables taken then. Every call a test file
// makes there is one that must be refused; stopWorld() stops the server and asserts that not one
// row of any table changed meanwhile.
export async function startWorld() {
  const srv = await startServer();
  const W = await buildWorld(srv);
  return { srv, W, tables: snapshot(srv) };
}
export async function stopWorld(w, what) {
  if (!w) return;
  const now = snapshot(w.srv);
  await w.srv.close();
  assert.deepEqual(now.filter((t) => !w.tables.includes(t)).map((t) => t.split('=')[0]), [], what);
}

// Runs fn over items, n at a time.
export async function pool(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]); }));
}
