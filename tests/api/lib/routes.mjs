// How to call every route of the server (what `ytexa routes --json` lists) in the world of
// lib/world.mjs: which record its path (or body) names, a body that passes its field table, and
// what a facility that reads the record through a share may do with it. The route matrix and the
// bad-input tests are made from this table; a route the server has and this table lacks fails them.
//
//   on      the kind of record the route acts on: the kinds of its path parameters, in order, or
//           of the id its body names (a visit planned for a patient). None: a collection, a
//           creation in the caller's own scope, or something public.
//   body    (x, W) => a body that passes the route's field table, for the records x of one pole.
//   share   what the hub that reads the station's patient (H) may do with the A-pole's record:
//           'read' (read it), 'act' (its part in a case it has), 'party' (only the visit's own
//           doctor acts), 'none' (nothing: writing the record, consent, planning, queueing).
//   public  the record is not secret (the facility network): another facility's is no secret.
//   training the record is reached through a course (the draft course of the other pole is the
//           one nobody else may know of).
//   raw, headers  a request that is not JSON (tus).
import { generateKeyPairSync } from 'node:crypto';

const FUTURE = () => new Date(Date.now() + 7 * 3600e3 + 3 * 86400e3).toISOString().slice(0, 10);
const ITEMS = [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30 }];
const TUS = { 'tus-resumable': '1.0.0' };
// A public key a system registers (an EC P-384 key made for the tests).
const SYSTEM_JWK = { ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }), kid: 'ma-tran-1', alg: 'ES384' };

export const ROUTES = {
  // The server itself, signing in, the socket.
  'GET /healthz': {}, 'GET /readyz': {}, 'GET /metrics': {}, 'GET /ws': {},
  'POST /api/v1/auth/login': { body: () => ({ username: 'demo.commune', password: 'sai-mat-khau-9' }) },
  'POST /api/v1/auth/logout': {}, 'GET /api/v1/me': {},
  'POST /api/v1/me/password': { body: () => ({ current_password: 'not-the-password', new_password: 'mot-mat-khau-moi' }) },
  'GET /api/v1/verify/:code': { public: true, on: ['code'] },
  'GET /api/v1/rtc/ice-servers': {},

  // Accounts and the audit trail.
  'GET /api/v1/users': {},
  'POST /api/v1/users': { body: (x, W) => ({ username: 'ma.tran.moi', full_name: 'Người mới', password: 'mat-khau-dai-9', role: 'health_worker', facility_id: W.fac('A') }) },
  'GET /api/v1/users/:id': { on: ['user'] },
  'PATCH /api/v1/users/:id': { on: ['user'], body: () => ({ phone: '0912000111' }) },
  'POST /api/v1/users/:id/password': { on: ['user'], body: () => ({ password: 'mot-mat-khau-moi-9' }) },
  'GET /api/v1/audit': {},

  // The facility network: public.
  'GET /api/v1/facilities': {}, 'GET /api/v1/admin-units': {}, 'GET /api/v1/specialties': {},
  'POST /api/v1/facilities': { body: (x, W) => ({ code: 'TYT-MATRAN', name: 'Trạm Y tế thử', level: 'commune', unit_id: W.unit }) },
  'GET /api/v1/facilities/:id': { public: true, on: ['facility'] },
  'PATCH /api/v1/facilities/:id': { public: true, on: ['facility'], body: () => ({ phone: '0219381234' }) },
  'GET /api/v1/facilities/:id/network': { public: true, on: ['facility'] },
  'POST /api/v1/support-links': { body: (x, W) => ({ hub_id: W.fac('C'), site_id: W.fac('A2'), specialty: 'cardiology' }) },
  'DELETE /api/v1/support-links/:id': { public: true, on: ['link'] },
  'GET /api/v1/admin-units/:id': { public: true, on: ['unit'] },

  // Patients and consent.
  'POST /api/v1/patients': { body: () => ({ full_name: 'Người Thử Ma Trận', birth_year: 1980, sex: 'male' }) },
  'GET /api/v1/patients': {}, 'GET /api/v1/ethnicities': {},
  'GET /api/v1/patients/:id': { on: ['patient'], share: 'read' },
  'PATCH /api/v1/patients/:id': { on: ['patient'], share: 'none', body: () => ({ address: 'Thôn Lũng Cú' }) },
  'POST /api/v1/patients/:id/account': { on: ['patient'], share: 'none', body: () => ({ username: 'tk.ma.tran', password: 'mat-khau-dai-9' }) },
  'POST /api/v1/patients/:id/consents': { on: ['patient'], share: 'none', body: () => ({ purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' }) },
  'GET /api/v1/patients/:id/consents': { on: ['patient'], share: 'read' },
  'GET /api/v1/patients/:id/consults': { on: ['patient'], share: 'read' },
  'GET /api/v1/patients/:id/prescriptions': { on: ['patient'], share: 'read' },
  'POST /api/v1/patients/:id/consents/:cid/withdraw': { on: ['patient', 'consent'], share: 'none', body: () => ({ reason: 'Người bệnh đổi ý' }) },

  // FHIR (docs/fhir.md): the same records through the same decisions.
  'GET /fhir/metadata': {}, 'GET /fhir/Patient': {}, 'GET /fhir/Organization': {},
  'GET /fhir/Patient/:id': { on: ['patient'], share: 'read' },
  'POST /fhir/Patient': { body: () => ({ resourceType: 'Patient', name: [{ text: 'Người Thử Ma Trận' }], gender: 'male', birthDate: '1980' }) },
  'PUT /fhir/Patient/:id': { on: ['patient'], share: 'none', body: (x) => ({ resourceType: 'Patient', id: String(x.patient), name: [{ text: 'Người Thử Ma Trận' }], gender: 'male', birthDate: '1980' }) },
  'GET /fhir/Organization/:id': { public: true, on: ['facility'] },
  'GET /fhir/Practitioner': {}, 'GET /fhir/PractitionerRole': {}, 'GET /fhir/Encounter': {}, 'GET /fhir/Observation': {},
  'GET /fhir/Condition': {}, 'GET /fhir/MedicationRequest': {},
  'GET /fhir/Practitioner/:id': { on: ['user'] }, 'GET /fhir/PractitionerRole/:id': { on: ['user'] },
  'GET /fhir/Encounter/:id': { on: ['visit'], share: 'read' },
  'GET /fhir/Observation/:id': { on: ['observation'], share: 'read' },
  'GET /fhir/Condition/:id': { on: ['diagnosis'], share: 'read' },
  'GET /fhir/MedicationRequest/:id': { on: ['medication'], share: 'read' },
  // Consultations, their documents (the signed prescription's: id × 2 + 1) and the audit trail.
  'GET /fhir/ServiceRequest': {}, 'GET /fhir/Task': {}, 'GET /fhir/DocumentReference': {}, 'GET /fhir/AuditEvent': {},
  'GET /fhir/ServiceRequest/:id': { on: ['consult'], share: 'read' },
  'GET /fhir/Task/:id': { on: ['consult'], share: 'read' },
  'GET /fhir/DocumentReference/:id': { on: ['document'], share: 'read' },
  'GET /fhir/Binary/:id': { on: ['document'], share: 'read' },
  'GET /fhir/AuditEvent/:id': { on: ['auditevent'] },
  // FHIR transaction and batch Bundles (issue 20; each entry is checked as its own route), and the
  // vital signs and diagnoses written on a visit.
  'POST /fhir': { body: () => ({ resourceType: 'Bundle', type: 'batch', entry: [] }) },
  'POST /fhir/': { body: () => ({ resourceType: 'Bundle', type: 'batch', entry: [] }) },
  'POST /fhir/Observation': { on: ['visit'], inBody: true, share: 'party', body: (x) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, encounter: { reference: `Encounter/${x.visit}` }, valueQuantity: { value: 80, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } }) },
  'POST /fhir/Condition': { on: ['visit'], inBody: true, share: 'party', body: (x) => ({ resourceType: 'Condition', code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] }, encounter: { reference: `Encounter/${x.visit}` } }) },
  // FHIR scheduling and consent (docs/fhir.md, "Schedule" … "Consent"): availability and sites are
  // the network's (no secret); bookings and consents are patient data, written by the home facility.
  'GET /fhir/Schedule': {}, 'GET /fhir/Slot': {}, 'GET /fhir/Location': {}, 'GET /fhir/Appointment': {}, 'GET /fhir/Consent': {},
  'GET /fhir/Schedule/:id': { public: true, on: ['schedule'] }, 'GET /fhir/Slot/:id': { public: true, on: ['slot'] },
  'GET /fhir/Location/:id': { public: true, on: ['facility'] },
  'GET /fhir/Appointment/:id': { on: ['appointment'], share: 'read' },
  'POST /fhir/Appointment': { on: ['patient'], inBody: true, share: 'none', body: (x, W) => ({ resourceType: 'Appointment', status: 'booked', slot: [{ reference: `Slot/${W.A.slot}` }], participant: [{ actor: { reference: `Patient/${x.patient}` }, status: 'accepted' }], reasonCode: [{ text: 'Tái khám' }] }) },
  'PUT /fhir/Appointment/:id': { on: ['appointment'], share: 'none', body: (x, W) => ({ resourceType: 'Appointment', id: String(x.appointment), status: 'cancelled', cancelationReason: { text: 'Đã khỏi' }, slot: [{ reference: `Slot/${W.A.slot}` }], participant: [{ actor: { reference: `Patient/${x.patient}` }, status: 'accepted' }] }) },
  'GET /fhir/Consent/:id': { on: ['consent'], share: 'read' },
  'POST /fhir/Consent': { on: ['patient'], inBody: true, share: 'none', body: (x) => ({ resourceType: 'Consent', status: 'active', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] }, category: [{ coding: [{ system: 'urn:ytexa:fhir:CodeSystem:consent-purpose', code: 'remote_care' }] }], patient: { reference: `Patient/${x.patient}` }, performer: [{ reference: `Patient/${x.patient}` }], extension: [{ url: 'urn:ytexa:fhir:StructureDefinition:consent-method', valueCode: 'verbal_witnessed' }, { url: 'urn:ytexa:fhir:StructureDefinition:consent-witness', valueString: 'Lò Văn Sử' }] }) },
  // SMART Backend Services (docs/fhir.md, "Access for systems"): registered systems are the
  // ministry's, of no place (1: an id, whatever is there); the token endpoint is public and form
  // encoded (a call without a real assertion is refused invalid_client).
  'GET /fhir/.well-known/smart-configuration': {}, 'GET /.well-known/smart-configuration': {},
  'POST /fhir/auth/token': { raw: 'grant_type=client_credentials&scope=system%2FPatient.rs', headers: () => ({ 'content-type': 'application/x-www-form-urlencoded' }) },
  // FHIR Bulk Data ($export, docs/fhir.md "Bulk Data"): administrators (and systems, by their scopes);
  // a Group is a facility or a province; a job, its status and files are only its requester's.
  'GET /fhir/$export': { headers: () => ({ prefer: 'respond-async' }) },
  'GET /fhir/Patient/$export': { headers: () => ({ prefer: 'respond-async' }) },
  'GET /fhir/Group/:id/$export': { on: ['group'], headers: () => ({ prefer: 'respond-async' }) },
  'GET /fhir/bulkstatus/:id': { on: ['export'] },
  'DELETE /fhir/bulkstatus/:id': { on: ['export'] },
  'GET /fhir/bulkstatus/:id/files/:name': { on: ['export', 'exportfile'] },
  // FHIR bulk import ($import, docs/fhir.md "Bulk import"): administrators over the facility named
  // by ?facility= (absent here: 400 for the roles the route names).
  'POST /fhir/$import': { raw: '{"resourceType":"Patient","name":[{"text":"Người Thử Ma Trận"}],"gender":"male","birthDate":"1980"}\n', headers: () => ({ 'content-type': 'application/fhir+ndjson' }) },
  'GET /api/v1/systems': {},
  'POST /api/v1/systems': { body: (x, W) => ({ client_id: 'he.thong.ma.tran', name: 'Hệ thống thử', facility_ids: [W.fac('A')], scopes: 'system/Patient.rs', jwks: { keys: [SYSTEM_JWK] } }) },
  'POST /api/v1/systems/:id/revoke': { public: true, on: ['one'] },
  'PUT /api/v1/systems/:id/keys': { public: true, on: ['one'], body: () => ({ jwks: { keys: [SYSTEM_JWK] } }) },

  // Visits and prescriptions.
  'GET /api/v1/doctors': {}, 'GET /api/v1/visits': {}, 'GET /api/v1/icd10': {}, 'GET /api/v1/value-sets/remote-care': {},
  'PUT /api/v1/value-sets/remote-care': { body: () => ({ codes: ['I10', 'E11'] }) },
  'POST /api/v1/visits': { on: ['patient'], inBody: true, share: 'none', body: (x, W) => ({ patient_id: x.patient, doctor_id: W.uid('c.doctor'), mode: 'video', reason: 'Xin ý kiến' }) },
  'GET /api/v1/visits/:id': { on: ['visit'], share: 'read' },
  'GET /api/v1/visits/:id/summary': { on: ['visit'], share: 'read' },
  'POST /api/v1/visits/:id/transitions': { on: ['visit'], share: 'party', body: () => ({ to: 'finished' }) },
  'PUT /api/v1/visits/:id/notes': { on: ['visit'], share: 'party', body: () => ({ plan: 'Theo dõi huyết áp' }) },
  'POST /api/v1/visits/:id/vitals': { on: ['visit'], share: 'party', body: () => ({ pulse: 80 }) },
  'POST /api/v1/visits/:id/diagnoses': { on: ['visit'], share: 'party', body: () => ({ icd10: 'I10' }) },
  'PUT /api/v1/visits/:id/follow-up': { on: ['visit'], share: 'party', body: () => ({ date: FUTURE() }) },
  'POST /api/v1/visits/:id/referral': { on: ['visit'], share: 'party', body: (x, W) => ({ to_facility_id: W.fac('C'), reason: 'Cần chụp CT' }) },
  'POST /api/v1/visits/:id/prescriptions': { on: ['visit'], share: 'party', body: () => ({ items: ITEMS }) },
  'GET /api/v1/prescriptions/:id': { on: ['prescription'], share: 'read' },
  'GET /api/v1/prescriptions/:id/pdf': { on: ['prescription'], share: 'read' },
  'PUT /api/v1/prescriptions/:id': { on: ['prescription'], share: 'party', body: () => ({ items: ITEMS }) },
  'POST /api/v1/prescriptions/:id/sign': { on: ['prescription'], share: 'party' },
  'POST /api/v1/prescriptions/:id/revise': { on: ['prescription'], share: 'party', body: () => ({ items: ITEMS }) },

  // Booking, the queue, notifications.
  'POST /api/v1/schedules': { body: () => ({ start: `${FUTURE()}T13:00:00+07:00`, end: `${FUTURE()}T14:00:00+07:00`, slot_minutes: 15, mode: 'video' }) },
  'POST /api/v1/schedules/:id/cancel': { on: ['schedule'] },
  'GET /api/v1/slots': {},
  'POST /api/v1/appointments': { on: ['patient'], inBody: true, share: 'none', body: (x, W) => ({ slot_id: W.A.slot, patient_id: x.patient, reason: 'Tái khám' }) },
  'GET /api/v1/appointments': {},
  'POST /api/v1/appointments/:id/cancel': { on: ['appointment'], share: 'none', body: () => ({ reason: 'Đã khỏi' }) },
  'POST /api/v1/appointments/:id/reschedule': { on: ['appointment'], share: 'none', body: (x, W) => ({ slot_id: W.A.slot }) },
  'POST /api/v1/queue': { on: ['patient'], inBody: true, share: 'none', body: (x) => ({ patient_id: x.patient, reason: 'Khám lại', priority: 'normal' }) },
  'GET /api/v1/queue': {},
  'POST /api/v1/queue/:id/call': { on: ['queue'], share: 'none' },
  'POST /api/v1/queue/:id/done': { on: ['queue'], share: 'none' },
  'POST /api/v1/queue/:id/skip': { on: ['queue'], share: 'none' },
  'GET /api/v1/notifications': {},
  'POST /api/v1/notifications/:id/read': { on: ['notification'] },

  // Files.
  'OPTIONS /api/v1/files': {},
  'POST /api/v1/files': { raw: '', headers: () => ({ ...TUS, 'upload-length': '100', 'upload-metadata': `filename ${Buffer.from('a.png').toString('base64')}` }) },
  'GET /api/v1/files/:id': { on: ['file'], share: 'act' },
  'GET /api/v1/files/:id/meta': { on: ['file'], share: 'act' },
  'GET /api/v1/files/:id/thumbnail': { on: ['file'], share: 'act' },
  'GET /api/v1/files/:id/preview': { on: ['file'], share: 'act' },
  'HEAD /api/v1/files/uploads/:id': { on: ['upload'], share: 'none', headers: () => TUS },
  'GET /api/v1/files/uploads/:id': { on: ['upload'], share: 'none' },
  'PATCH /api/v1/files/uploads/:id': { on: ['upload'], share: 'none', raw: 'abc', headers: () => ({ ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }) },
  'DELETE /api/v1/files/uploads/:id': { on: ['upload'], share: 'none', headers: () => TUS },

  // Consultations: the hub (H) has the A-pole's case and acts in it.
  'POST /api/v1/consults': { on: ['patient'], inBody: true, share: 'none', body: (x) => ({ patient_id: x.patient, summary: 'Đau bụng kéo dài, cần ý kiến', questions: ['Chẩn đoán?'], urgency: 'routine', specialty: 'internal', kind: 'general' }) },
  'GET /api/v1/consults': {}, 'GET /api/v1/consult-deadlines': {},
  'PUT /api/v1/consult-deadlines': { body: () => ({ emergency: 15, urgent: 120, routine: 1440 }) },
  'GET /api/v1/consults/:id': { on: ['consult'], share: 'act' },
  'PATCH /api/v1/consults/:id': { on: ['consult'], share: 'act', body: () => ({ summary: 'Đau bụng kéo dài hơn một tuần' }) },
  'POST /api/v1/consults/:id/submit': { on: ['consult'], share: 'act' },
  'POST /api/v1/consults/:id/cancel': { on: ['consult'], share: 'act', body: () => ({ reason: 'Người bệnh đã khỏi' }) },
  'POST /api/v1/consults/:id/files': { on: ['consult'], share: 'act', body: (x) => ({ file_id: x.file }) },
  'POST /api/v1/consults/:id/accept': { on: ['consult'], share: 'act', body: () => ({}) },
  'POST /api/v1/consults/:id/decline': { on: ['consult'], share: 'act', body: () => ({ reason: 'Không đủ chuyên môn' }) },
  'POST /api/v1/consults/:id/reassign': { on: ['consult'], share: 'act', body: (x, W) => ({ facility_id: W.fac('C'), reason: 'Cần tuyến trên' }) },
  'POST /api/v1/consults/:id/participants': { on: ['consult'], share: 'act', body: (x, W) => ({ user_id: W.uid('c.doctor'), role: 'observer' }) },
  'POST /api/v1/consults/:id/session': { on: ['consult'], share: 'act', body: () => ({ at: `${FUTURE()}T09:00:00+07:00` }) },
  'POST /api/v1/consults/:id/opinions': { on: ['consult'], share: 'act', body: () => ({ opinion: 'Nghĩ nhiều đến viêm dạ dày.' }) },
  'POST /api/v1/consults/:id/conclusion': { on: ['consult'], share: 'act', body: (x) => ({ answers: [{ question_id: x.question, conclusion: 'Viêm dạ dày.' }], recommendation: 'treat_locally' }) },
  'POST /api/v1/consults/:id/minutes': { on: ['consult'], share: 'act', body: () => ({}) },
  'GET /api/v1/consults/:id/minutes/:version/pdf': { on: ['consult', 'one'], share: 'act' },
  'POST /api/v1/consults/:id/outcome': { on: ['consult'], share: 'act', body: () => ({ outcome: 'stable' }) },
  'POST /api/v1/consults/:id/close': { on: ['consult'], share: 'act' },
  'GET /api/v1/consults/:id/export': { on: ['consult'], share: 'act' },
  'POST /api/v1/consults/:id/room': { on: ['consult'], share: 'act', body: () => ({}) },
  'GET /api/v1/consults/:id/room': { on: ['consult'], share: 'act' },
  'POST /api/v1/consults/:id/room/recording': { on: ['consult'], share: 'act', body: () => ({ record: true }) },
  'PUT /api/v1/consults/:id/room/consent': { on: ['consult'], share: 'act', body: () => ({ recording_consent: true }) },
  'DELETE /api/v1/consults/:id/room': { on: ['consult'], share: 'act' },
  'POST /api/v1/consults/:id/room/guests': { on: ['consult'], share: 'act', body: () => ({ name: 'Thào A Páo', relation: 'family' }) },
  'GET /api/v1/consults/:id/room/guests': { on: ['consult'], share: 'act' },
  'DELETE /api/v1/consults/:id/room/guests/:guest': { on: ['consult', 'one'], share: 'act' },
  'POST /api/v1/guest/room': { body: () => ({ code: 'khong-phai-ma-moi-nao' }) },
  'PUT /api/v1/guest/room/consent': { body: () => ({ code: 'khong-phai-ma-moi-nao', recording_consent: true }) },
  'POST /api/v1/guest/room/state': { body: () => ({ code: 'khong-phai-ma-moi-nao' }) },

  // Training.
  'POST /api/v1/courses': { body: () => ({ title: 'Khoá học thử', target_roles: ['health_worker'], target_levels: ['commune'], credit_hours: 1 }) },
  'GET /api/v1/courses': {}, 'GET /api/v1/training/records': {}, 'GET /api/v1/training/summary': {},
  'GET /api/v1/reports/consultations': {}, 'GET /api/v1/reports/visits': {}, 'GET /api/v1/reports/reach': {},
  'GET /api/v1/reports/sites': {}, 'GET /api/v1/reports/training': {}, 'GET /api/v1/me/today': {},
  'GET /api/v1/reports/monthly': {}, 'GET /api/v1/reports/hub': {},
  'GET /api/v1/courses/:id': { on: ['course'], training: true },
  'PATCH /api/v1/courses/:id': { on: ['course'], training: true, body: () => ({ title: 'Đổi tên khoá học' }) },
  'POST /api/v1/courses/:id/publish': { on: ['course'], training: true },
  'POST /api/v1/courses/:id/archive': { on: ['course'], training: true },
  'POST /api/v1/courses/:id/materials': { on: ['course'], training: true, body: () => ({ title: 'Bài đọc', url: 'https://example.org/bai-doc.pdf' }) },
  'DELETE /api/v1/courses/:id/materials/:mid': { on: ['course', 'material'], training: true },
  'POST /api/v1/courses/:id/credits': { on: ['course'], training: true, body: (x) => ({ user_id: x.user }) },
  'POST /api/v1/courses/:id/enrolments': { on: ['course'], training: true, body: () => ({}) },
  'GET /api/v1/courses/:id/enrolments': { on: ['course'], training: true },
  'DELETE /api/v1/courses/:id/enrolments/:eid': { on: ['course', 'enrolment'], training: true },
  'PUT /api/v1/courses/:id/quiz': { on: ['course'], training: true, body: () => ({ questions: [{ question: 'Ép tim bao nhiêu lần?', choices: ['60', '100–120'], correct: 1 }] }) },
  'GET /api/v1/courses/:id/quiz': { on: ['course'], training: true },
  'POST /api/v1/courses/:id/quiz/attempts': { on: ['course'], training: true, body: () => ({ answers: [1] }) },
  'POST /api/v1/courses/:id/sessions': { on: ['course'], training: true, body: () => ({ kind: 'self_paced', title: 'Tự học thêm', minutes: 30 }) },
  'GET /api/v1/courses/:id/cases': { on: ['course'], training: true },
  'POST /api/v1/sessions/:sid/start': { on: ['session'], training: true },
  'POST /api/v1/sessions/:sid/join': { on: ['session'], training: true },
  'POST /api/v1/sessions/:sid/end': { on: ['session'], training: true },
  'POST /api/v1/sessions/:sid/cancel': { on: ['session'], training: true },
  'GET /api/v1/sessions/:sid/case': { on: ['session'], training: true },
  'GET /api/v1/sessions/:sid/attendance': { on: ['session'], training: true },
  'GET /api/v1/sessions/:sid/site-attendance': { on: ['session'], training: true },
  'POST /api/v1/sessions/:sid/site-attendance': { on: ['session'], training: true, body: (x) => ({ user_ids: [x.user] }) },
  'POST /api/v1/sessions/:sid/site-attendance/confirm': { on: ['session'], training: true },
  'POST /api/v1/credits/:id/certificate': { on: ['credit'], training: true },
  'GET /api/v1/certificates/:id/pdf': { on: ['certificate'], training: true },
  'POST /api/v1/certificates/:id/revoke': { on: ['certificate'], training: true, body: () => ({ reason: 'Cấp nhầm người' }) },
};

// The path of a route for the records x of one pole (an object of ids by kind).
export function pathFor(route, x) {
  const kinds = ROUTES[`${route.method} ${route.path}`].on ?? [];
  let i = 0;
  return route.path.replace(/:[a-z]+/g, () => {
    const kind = kinds[i++];
    return kind === 'one' ? '1' : String(x[kind]);
  });
}
