// FHIR bulk import ($import, issue 20; docs/fhir.md "Bulk import"): NDJSON files of Patients,
// Encounters, Observations and Conditions into one facility. Server A's Lũng Cú station (12: its
// seven demo patients and two more, with every mapped element, and two finished visits with their
// vital signs and diagnoses) is exported with $export and imported into server B's (and, for the
// visits, an empty server C's) Hà Giang hospital (4), whose registry is empty, and the two are
// compared record by record. Every answer's lines go through lib/fhir.mjs's three validators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { startSignedIn, api, errorOf } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { fhir, assertValid } from './lib/fhir.mjs';

let A, B, C;
const SA = {};
const SB = {};
const SC = {};
const NDJSON = { 'content-type': 'application/fhir+ndjson' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// What the registry holds of a facility, one line a record, in name order: what the import must
// carry over (the commune, unit_id, is not: a FHIR address names it in words, the app chooses it).
const COLUMNS = "full_name || '|' || COALESCE(birth_date, '') || '|' || birth_year || '|' || sex || '|' || COALESCE(ethnicity, '') || '|' || COALESCE(cccd, '') || '|' || COALESCE(bhyt, '') || '|' || COALESCE(bhxh_no, '') || '|' || COALESCE(phone, '') || '|' || COALESCE(address, '') || '|' || languages";
const registry = (srv, facility) => srv.sql(`SELECT ${COLUMNS} FROM patients WHERE facility_id = ${facility} ORDER BY full_name`);
const stamps = (srv, facility) => srv.sql(`SELECT id || ':' || version || ':' || updated_at FROM patients WHERE facility_id = ${facility} ORDER BY id`);
const rows = (srv) => srv.sql('SELECT COUNT(*) FROM patients') + '/' + srv.sql('SELECT COUNT(*) FROM patient_name_keys');

// POSTs an NDJSON text to $import; the answer's lines parsed, each validated: {status, summary, issues}.
async function importFile(srv, token, facility, text, headers = NDJSON) {
  const q = facility === null ? '' : `?facility=${facility}`;
  const r = await api(srv, 'POST', `/fhir/$import${q}`, { token, raw: text, headers });
  if (r.status !== 200) return { status: r.status, body: r.body };
  assert.equal(r.headers.get('content-type'), 'application/fhir+ndjson');
  // One line of JSON is parsed by api(); the answer is read as the text it is.
  const text_ = typeof r.body === 'string' ? r.body : `${JSON.stringify(r.body)}\n`;
  const lines = text_.trimEnd().split('\n').map((l) => JSON.parse(l));
  for (const l of lines) assertValid(l, 'an $import answer line');
  const [sum, ...issues] = lines;
  assert.equal(sum.resourceType, 'Parameters');
  const summary = Object.fromEntries(sum.parameter.map((p) => [p.name, p.valueInteger]));
  return { status: 200, summary, issues };
}
// The line an outcome is about, its code and its element.
const outcomeOf = (o) => ({
  line: o.extension.find((e) => e.url === 'urn:ytexa:fhir:import-line').valueInteger,
  code: o.issue[0].details.coding[0].code,
  field: o.issue[0].expression?.[0],
  text: o.issue[0].diagnostics,
});

// A facility's Patient file, from a Group-level $export by the ministry's administrator (A's
// Lũng Cú by default).
async function exportLungCu(srv = A, S = SA, facility = 12) {
  const k = await fhir(srv, 'GET', `/fhir/Group/facility-${facility}/$export?_type=Patient`, { token: S['demo.ministry-admin'].token, headers: { prefer: 'respond-async' } });
  assert.equal(k.status, 202, JSON.stringify(k.body));
  const status = k.headers.get('content-location').slice(srv.url.length);
  for (let i = 0; i < 400; i++) {
    const s = await api(srv, 'GET', status, { token: S['demo.ministry-admin'].token });
    if (s.status === 200) {
      const f = await api(srv, 'GET', s.body.output[0].url.slice(srv.url.length), { token: S['demo.ministry-admin'].token });
      assert.equal(f.status, 200);
      return f.body;
    }
    await sleep(50);
  }
  throw new Error('the export did not finish');
}

let file;
before(async () => {
  A = await startSignedIn(SA);
  B = await startSignedIn(SB);
  // Two more at Lũng Cú: one with every element the mapping carries (a CCCD agreeing with a woman
  // born in 1992, a BHYT card, a phone, an ethnicity, an address line, two languages), one with a
  // BHYT card alone.
  await registerPatient(A, SA['demo.commune'].token, {
    full_name: 'Hờ Thị Dở', birth_date: '1992-03-04', sex: 'female', cccd: '002192004321', bhyt: 'HN4020123456789',
    phone: '0912345678', ethnicity: '06', address: 'Thôn Lô Lô Chải', languages: ['hmn', 'vi'],
  });
  await registerPatient(A, SA['demo.commune'].token, { full_name: 'Sùng Mí Chứ', birth_year: 1985, sex: 'male', bhyt: 'GD4010987654321' });
  assert.equal(A.sql('SELECT COUNT(*) FROM patients WHERE facility_id = 12'), '9');
  assert.equal(B.sql('SELECT COUNT(*) FROM patients WHERE facility_id = 4'), '0');
  file = await exportLungCu();
  assert.equal(file.trimEnd().split('\n').length, 9);
  // Two finished visits at Lũng Cú, after the Patient file above was taken: Hờ Thị Dở by video
  // (one measuring: blood pressure, pulse, temperature, weight; E11 with a note, then I10 the
  // primary diagnosis: the export writes E11 first, and only the Encounter's ranks say which), Sùng Mí Chứ by chat (two measurings: pulse, temperature, SpO2, then pulse again; J06).
  const ok = async (who, method, path, body) => {
    const r = await api(A, method, path, { token: SA[who].token, body });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const doctor = Number(A.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const visit = async (cccdOrBhyt, mode, reason, measurings, diagnoses) => {
    const patient = Number(A.sql(`SELECT id FROM patients WHERE cccd = '${cccdOrBhyt}' OR bhyt = '${cccdOrBhyt}'`));
    const v = await ok('demo.commune', 'POST', '/api/v1/visits', { patient_id: patient, doctor_id: doctor, mode, reason });
    await ok('demo.commune', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'in_progress' });
    for (const m of measurings) {
      await ok('demo.commune', 'POST', `/api/v1/visits/${v.id}/vitals`, m);
      await sleep(5); // two measurings at two times
    }
    for (const d of diagnoses) await ok('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, d);
    await ok('demo.doctor', 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'finished' });
  };
  await visit('002192004321', 'video', 'Đau đầu, chóng mặt', [{ systolic: 150, diastolic: 90, pulse: 80, temperature: 37.5, weight: 52.5 }],
    [{ icd10: 'E11', note: 'Theo dõi đường huyết' }, { icd10: 'I10', primary: true }]);
  await visit('GD4010987654321', 'chat', 'Ho, sốt', [{ pulse: 96, temperature: 38.2, spo2: 95 }, { pulse: 88 }], [{ icd10: 'J06', primary: true }]);
  C = await startSignedIn(SC);
});
after(async () => {
  await A?.close();
  await B?.close();
  await C?.close();
});

test('an exported facility imported into an empty registry is the same registry, record by record; again, nothing changes', async () => {
  const admin = SB['demo.facility-admin'].token;
  const r = await importFile(B, admin, 4, file);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.summary, { created: 9, updated: 0, unchanged: 0, refused: 0 });
  assert.deepEqual(r.issues, []);
  // Record by record, every carried column; the names keep their diacritics.
  assert.equal(registry(B, 4), registry(A, 12));
  assert.match(registry(B, 4), /Hờ Thị Dở\|1992-03-04\|1992\|female\|06\|002192004321\|HN4020123456789\|0123456789\|0912345678\|Thôn Lô Lô Chải\|\["hmn","vi"\]/);
  // The name search of B's registry finds what was imported (its keys were written too).
  const found = await fhir(B, 'GET', '/fhir/Patient?name=do', { token: SB['demo.doctor'].token });
  assert.deepEqual(found.body.entry.map((e) => e.resource.name[0].text), ['Hờ Thị Dở']);
  // Audited: the import as the facility admin, and each record created as its own event.
  const uid = B.sql("SELECT id FROM users WHERE username = 'demo.facility-admin'");
  assert.equal(B.sql(`SELECT resource_id || ':' || outcome FROM audit_events WHERE action = 'patient.import' AND actor_id = ${uid}`), '4:ok');
  assert.equal(B.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'patient.create' AND actor_id = ${uid} AND patient_id = CAST(resource_id AS INTEGER)`), '9');

  // Again: the five with a CCCD or a BHYT card (the demo's Giàng Seo Páo, Nguyễn Văn Bình, Đặng
  // Thị Hoa; Hờ Thị Dở, Sùng Mí Chứ) are found and left as they are (their versions too); the
  // four without are likely duplicates of themselves, reported and not created.
  const before = [rows(B), stamps(B, 4)];
  const again = await importFile(B, admin, 4, file);
  assert.deepEqual(again.summary, { created: 0, updated: 0, unchanged: 5, refused: 4 });
  assert.deepEqual([rows(B), stamps(B, 4)], before);
  const lines = file.trimEnd().split('\n').map((l) => JSON.parse(l));
  const noId = lines.map((p, i) => (p.identifier ? null : i + 1)).filter((n) => n);
  assert.deepEqual(again.issues.map((o) => outcomeOf(o).line), noId);
  for (const o of again.issues) {
    assert.equal(outcomeOf(o).code, 'possible_duplicate');
    assert.match(outcomeOf(o).text, /^Dòng \d+: Có thể người này đã có trong sổ/);
    assert.equal(o.issue[1].code, 'duplicate');
    assert.match(o.issue[1].diagnostics, /^Patient\/\d+$/);
  }

  // A line that changes a record (a new phone for Hờ Thị Dở) updates it, its version once.
  const do_ = lines.find((p) => p.name[0].text === 'Hờ Thị Dở');
  const changed = { ...do_, telecom: [{ system: 'phone', value: '0987654321' }] };
  const id = B.sql("SELECT id FROM patients WHERE cccd = '002192004321'");
  const v = Number(B.sql(`SELECT version FROM patients WHERE id = ${id}`));
  const u = await importFile(B, admin, 4, JSON.stringify(changed) + '\n');
  assert.deepEqual(u.summary, { created: 0, updated: 1, unchanged: 0, refused: 0 });
  assert.equal(B.sql(`SELECT phone || ':' || version FROM patients WHERE id = ${id}`), `0987654321:${v + 1}`);
  assert.equal(B.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'patient.update' AND patient_id = ${id}`), '1');
});

test('a file of more than a group of lines (200) and an export of more than a page (1 000): every line committed, every record exported once', async () => {
  // 1 001 people of distinct names and years, none with an identifier, into B's Bạch Mai (1).
  const syl = ['An', 'Bình', 'Chiến', 'Dũng', 'Đức', 'Giang', 'Hải', 'Hùng', 'Khoa', 'Lâm', 'Long', 'Mạnh', 'Nam', 'Nghĩa', 'Phong', 'Quang', 'Sơn', 'Tâm', 'Thắng', 'Toàn', 'Trung', 'Tuấn', 'Việt', 'Vinh', 'Xuân', 'Yên', 'Bảo', 'Cường', 'Định', 'Hiếu', 'Kiên', 'Lộc'];
  const lines = [];
  for (let i = 0; i < 1001; i++)
    lines.push(JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Lò', given: ['Văn', syl[i % 32], syl[Math.floor(i / 32) % 32]] }], gender: 'male', birthDate: String(1930 + (i % 90)) }));
  const before = Number(B.sql('SELECT COUNT(*) FROM patients WHERE facility_id = 1'));
  const r = await importFile(B, SB['demo.ministry-admin'].token, 1, lines.join('\n') + '\n');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.summary, { created: 1001, updated: 0, unchanged: 0, refused: 0 }, JSON.stringify(r.issues.slice(0, 3)));
  assert.equal(Number(B.sql('SELECT COUNT(*) FROM patients WHERE facility_id = 1')), before + 1001);
  assert.equal(B.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'patient.create' AND resource_id IN (SELECT CAST(id AS TEXT) FROM patients WHERE facility_id = 1 AND full_name LIKE 'Lò Văn %')"), '1001');
  const out = (await exportLungCu(B, SB, 1)).trimEnd().split('\n').map((l) => JSON.parse(l).id);
  assert.equal(out.length, before + 1001);
  assert.equal(new Set(out).size, out.length, 'each record once');
});

test('a file with bad lines: the good lines are kept, each bad one reported with its line number and element', async () => {
  const admin = SB['demo.province-admin'].token; // Hà Giang (64): Mèo Vạc (13) is in it
  const good = (name, year) => ({ resourceType: 'Patient', name: [{ text: name }], gender: 'male', birthDate: String(year) });
  const text = [
    JSON.stringify(good('Thào Mí Lử', 1970)),
    '{"resourceType": "Patient", ',
    JSON.stringify({ ...good('Vừ Thị Của', 1991), gender: 'female', birthDate: '1991-13' }),
    '',
    JSON.stringify({ ...good('Lầu Văn Pó', 1960), maritalStatus: { text: 'married' } }),
    JSON.stringify({ resourceType: 'MedicationRequest', status: 'active' }),
    // A CCCD whose century-and-sex digit (9) is no man's born in 1975.
    JSON.stringify({ ...good('Mã Văn Tỉnh', 1975), identifier: [{ system: 'http://fhir.hl7.org.vn/core/sid/cccd', value: '002975000001' }] }),
    JSON.stringify(good('Giàng A Tủa', 2001)),
    '',
  ].join('\n');
  const before = rows(B);
  const r = await importFile(B, admin, 13, text);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.summary, { created: 2, updated: 0, unchanged: 0, refused: 5 });
  assert.deepEqual(r.issues.map(outcomeOf).map(({ line, code, field }) => ({ line, code, field })), [
    { line: 2, code: 'invalid_input', field: undefined },
    { line: 3, code: 'invalid_input', field: 'Patient.birthDate' },
    { line: 5, code: 'unknown_field', field: 'maritalStatus' },
    { line: 6, code: 'invalid_input', field: 'resourceType' },
    { line: 7, code: 'bad_format', field: 'Patient.identifier' },
  ]);
  assert.equal(B.sql('SELECT full_name FROM patients WHERE facility_id = 13 ORDER BY full_name'), 'Giàng A Tủa\nThào Mí Lử');
  assert.notEqual(rows(B), before);
  for (const o of r.issues) assert.match(outcomeOf(o).text, new RegExp(`^Dòng ${outcomeOf(o).line}: (?!.* / ).+$`));
  assert.match(outcomeOf(r.issues[1]).text, /: Ngày sinh|: ytexa giữ ngày sinh đủ/);
});

test('who may import: another facility is absent, a clinician and a patient 403, a registered system 403 insufficient_scope', async () => {
  const before = rows(B);
  const line = JSON.stringify({ resourceType: 'Patient', name: [{ text: 'Cháng Seo Pủ' }], gender: 'male', birthDate: '1980' }) + '\n';
  // The facility admin of 4 naming Lũng Cú (12): the same 404 as a facility that does not exist.
  const other = await importFile(B, SB['demo.facility-admin'].token, 12, line);
  const absent = await importFile(B, SB['demo.facility-admin'].token, 999999, line);
  assert.equal(other.status, 404);
  assert.deepEqual(other.body, absent.body);
  // The province admin of Hà Giang naming Bạch Mai (Hà Nội).
  assert.deepEqual(await importFile(B, SB['demo.province-admin'].token, 1, line), absent);
  for (const who of ['demo.doctor', 'demo.commune', 'demo.patient', 'demo.trainer']) {
    const r = await importFile(B, SB[who].token, 4, line);
    assert.equal(r.status, 403, who);
    assert.equal(r.body.resourceType, 'OperationOutcome');
  }
  // A registered system of the hospital, even one granted everything a system may be granted
  // (reads and searches: ytexa's scopes have no write yet), is refused its scope.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'import-1', alg: 'ES384' };
  const reg = await api(B, 'POST', '/api/v1/systems', {
    token: SB['demo.ministry-admin'].token,
    body: { client_id: 'his.import', name: 'Hệ thống nhập', facility_ids: [4], scopes: 'system/*.rs', jwks: { keys: [jwk] } },
  });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const b64u = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const data = `${b64u({ alg: 'ES384', kid: 'import-1', typ: 'JWT' })}.${b64u({ iss: 'his.import', sub: 'his.import', aud: `${B.url}/fhir/auth/token`, exp: Math.floor(Date.now() / 1000) + 240, jti: randomUUID() })}`;
  const sig = sign('sha384', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.rs', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: `${data}.${sig}` });
  const tok = await api(B, 'POST', '/fhir/auth/token', { raw: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(tok.status, 200, JSON.stringify(tok.body));
  const sys = await importFile(B, tok.body.access_token, 4, line);
  assert.equal(sys.status, 403);
  assert.equal(errorOf(sys.body).code, 'insufficient_scope');
  assert.equal(rows(B), before);
});

test('ceilings and bad requests: refused whole, nothing written', async () => {
  const admin = SB['demo.ministry-admin'].token;
  const line = (i) => JSON.stringify({ resourceType: 'Patient', name: [{ text: `Người Thứ ${i}` }], gender: 'female', birthDate: '1990' });
  const before = rows(B);
  const refused = async (p, status, code, field, bilingual = true) => {
    const r = await p;
    assert.equal(r.status, status, JSON.stringify(r.body));
    const e = errorOf(r.body);
    if (code) assert.equal(e.code, code);
    if (field) assert.equal(e.field, field);
    // One language: Vietnamese, as no Accept-Language asks for another.
    if (bilingual) assert.ok(!e.message.includes(' / ') && /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i.test(e.message), e.message);
  };
  // 10 001 lines: past the 10 000 a file; nothing of it is written.
  const many = Array.from({ length: 10001 }, (_, i) => line(i)).join('\n');
  await refused(importFile(B, admin, 13, many), 413, 'import_too_big');
  // Past 8 MiB of body: the dispatcher's ceiling of every raw body (its message is English only).
  await refused(importFile(B, admin, 13, line(0) + '\n' + ' '.repeat(8 * 1024 * 1024)), 413, null, null, false);
  await refused(importFile(B, admin, 13, ''), 400);
  await refused(importFile(B, admin, 13, '\n \n'), 400);
  await refused(importFile(B, admin, null, line(1)), 400, null, 'facility');
  await refused(importFile(B, admin, 'x', line(1)), 400, null, 'facility', false);
  await refused(importFile(B, admin, 13, line(1), { 'content-type': 'application/json' }), 415);
  await refused(importFile(B, admin, 13, line(1), {}), 415);
  assert.equal(rows(B), before);
  // A line past 64 KiB is refused on its own; the next one is kept.
  const long = JSON.stringify({ resourceType: 'Patient', name: [{ text: 'Dài ' + 'a'.repeat(70000) }], gender: 'male', birthDate: '1990' });
  const r = await importFile(B, admin, 13, `${long}\n${line(2)}\n`);
  assert.deepEqual(r.summary, { created: 1, updated: 0, unchanged: 0, refused: 1 });
  assert.deepEqual(outcomeOf(r.issues[0]).line, 1);
  assert.equal(outcomeOf(r.issues[0]).code, 'line_too_long');
});

// A facility's files of the four types from one Group-level $export: { type: text }.
async function exportFiles(srv, S, facility, types = 'Patient,Encounter,Observation,Condition') {
  const token = S['demo.ministry-admin'].token;
  const k = await fhir(srv, 'GET', `/fhir/Group/facility-${facility}/$export?_type=${types}`, { token, headers: { prefer: 'respond-async' } });
  assert.equal(k.status, 202, JSON.stringify(k.body));
  const status = k.headers.get('content-location').slice(srv.url.length);
  for (let i = 0; i < 400; i++) {
    const s = await api(srv, 'GET', status, { token });
    if (s.status === 200) {
      const files = {};
      for (const o of s.body.output) {
        const f = await api(srv, 'GET', o.url.slice(srv.url.length), { token });
        assert.equal(f.status, 200);
        files[o.type] = typeof f.body === 'string' ? f.body : `${JSON.stringify(f.body)}\n`;
      }
      return files;
    }
    await sleep(50);
  }
  throw new Error('the export did not finish');
}

// The content of a facility's export, ids left out: one line a record, each reference written as
// what it points at (a patient by name, an encounter by its patient and start), sorted.
function content(files) {
  const parse = (t) => (t ?? '').trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const [P, E, O, Co] = ['Patient', 'Encounter', 'Observation', 'Condition'].map((t) => parse(files[t]));
  const who = (ref) => ref.display;
  const encounter = Object.fromEntries(E.map((e) => [`Encounter/${e.id}`, `${who(e.subject)}@${e.period.start}`]));
  const code = Object.fromEntries(Co.map((c) => [`Condition/${c.id}`, c.code.coding[0].code]));
  const q = (v) => `${v.value} ${v.unit} ${v.system}|${v.code}`;
  return {
    Patient: P.map((p) => [p.name[0].text, p.gender, p.birthDate, ...(p.identifier ?? []).map((i) => `${i.system}|${i.value}`).sort()].join(' ; ')).sort(),
    Encounter: E.map((e) => [who(e.subject), e.status, e.class.code, e.type[0].coding[0].code, e.period.start, e.period.end, e.reasonCode[0].text,
      ...(e.diagnosis ?? []).map((d) => `${code[d.condition.reference]}:${d.rank}`).sort()].join(' ; ')).sort(),
    Observation: O.map((o) => [who(o.subject), encounter[o.encounter.reference], o.status, o.category[0].coding[0].code, o.code.coding[0].code, o.effectiveDateTime,
      o.valueQuantity ? q(o.valueQuantity) : o.component.map((c) => `${c.code.coding[0].code}=${q(c.valueQuantity)}`).join(',')].join(' ; ')).sort(),
    Condition: Co.map((c) => [who(c.subject), encounter[c.encounter.reference], c.code.coding[0].code, c.recordedDate, c.note?.[0].text ?? ''].join(' ; ')).sort(),
  };
}
const tally = (srv) => srv.counts(['patients', 'visits', 'vitals', 'visit_diagnoses', 'visit_events', 'fhir_imported']);
// The VN month of now, as the reports name it.
const thisMonth = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);

test('a facility exported (Patient, Encounter, Observation, Condition) and imported into an empty server is the same, record by record; again, nothing new', async () => {
  const files = await exportFiles(A, SA, 12);
  const a = content(files);
  // By hand: the two visits, 4 + 4 measurements (blood pressure one Observation), 3 diagnoses.
  assert.deepEqual(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.length])), { Patient: 9, Encounter: 2, Observation: 8, Condition: 3 });
  assert.match(a.Encounter.join('\n'), /^Hờ Thị Dở ; finished ; VR ; video ; .+ ; Đau đầu, chóng mặt ; E11:2 ; I10:1$/m);
  assert.match(a.Encounter.join('\n'), /^Sùng Mí Chứ ; finished ; VR ; chat ; .+ ; Ho, sốt ; J06:1$/m);
  assert.match(a.Observation.join('\n'), /^Hờ Thị Dở ; Hờ Thị Dở@.+ ; final ; vital-signs ; 85354-9 ; .+ ; 8480-6=150 mmHg .+\|mm\[Hg\],8462-4=90 mmHg /m);
  assert.match(a.Observation.join('\n'), /^Hờ Thị Dở ; .+ ; 29463-7 ; .+ ; 52\.5 kg http:\/\/unitsofmeasure\.org\|kg$/m);
  assert.match(a.Condition.join('\n'), /^Hờ Thị Dở ; .+ ; E11 ; .+ ; Theo dõi đường huyết$/m);

  const admin = SC['demo.facility-admin'].token;
  assert.equal(C.sql('SELECT COUNT(*) FROM visits'), '0');
  const expected = { Patient: 9, Encounter: 2, Observation: 8, Condition: 3 };
  for (const type of ['Patient', 'Encounter', 'Observation', 'Condition']) {
    const r = await importFile(C, admin, 4, files[type]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.summary, { created: expected[type], updated: 0, unchanged: 0, refused: 0 }, `${type}: ${JSON.stringify(r.issues)}`);
  }
  // The same content exported from C, record by record.
  assert.deepEqual(content(await exportFiles(C, SC, 4)), a);
  // The rows: two finished visits of C's hospital, booked and done by the importing account (no
  // practitioner of the file is known by licence), the first measuring one row of vitals again.
  const adminId = C.sql("SELECT id FROM users WHERE username = 'demo.facility-admin'");
  assert.equal(C.sql("SELECT COUNT(*) || ':' || MIN(state) || ':' || MIN(facility_id) || ':' || MIN(doctor_id) || ':' || MAX(created_by) FROM visits"), `2:finished:4:${adminId}:${adminId}`);
  assert.equal(C.sql('SELECT COUNT(*) FROM vitals'), '3');
  // Audited as the REST writes would be: a visit created, measurements and diagnoses recorded.
  assert.equal(C.sql(`SELECT action || ' ' || COUNT(*) FROM audit_events WHERE actor_id = ${adminId} AND action LIKE 'visit.%' GROUP BY action ORDER BY action`),
    'visit.create 2\nvisit.diagnosis 3\nvisit.vitals 8');
  // The reports count them as any visit: this month C's hospital booked, started and completed 2.
  const rep = await api(C, 'GET', `/api/v1/reports/visits?period=month:${thisMonth()}&facility=4`, { token: SC['demo.ministry-admin'].token });
  assert.equal(rep.status, 200, JSON.stringify(rep.body));
  assert.deepEqual([rep.body.totals.booked, rep.body.totals.started, rep.body.totals.completed], [2, 2, 2]);

  // Again, the four files: nothing new (the Patients as the Patient import has it: five found by
  // CCCD or BHYT card, four without refused as likely duplicates of themselves).
  const before = tally(C);
  for (const type of ['Patient', 'Encounter', 'Observation', 'Condition']) {
    const r = await importFile(C, admin, 4, files[type]);
    const want = type === 'Patient' ? { created: 0, updated: 0, unchanged: 5, refused: 4 } : { created: 0, updated: 0, unchanged: expected[type], refused: 0 };
    assert.deepEqual(r.summary, want, type);
  }
  assert.equal(tally(C), before);
  const again = await api(C, 'GET', `/api/v1/reports/visits?period=month:${thisMonth()}&facility=4`, { token: SC['demo.ministry-admin'].token });
  assert.deepEqual(again.body.totals, rep.body.totals);
});

test('a file of the four types with bad lines: the good ones kept, each bad one reported with its line and element', async () => {
  const admin = SC['demo.ministry-admin'].token;
  const at = (minutes) => new Date(Date.now() + minutes * 60000).toISOString();
  const ref = (t, id) => ({ reference: `${t}/${id}` });
  const pulse = (id, encounter, value) => ({ resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: ref('Patient', 'p-1'), encounter: ref('Encounter', encounter), effectiveDateTime: at(-50), valueQuantity: { value, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' } });
  const dx = (id, code) => ({ resourceType: 'Condition', id, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code }] }, subject: ref('Patient', 'p-1'), encounter: ref('Encounter', 'e-1') });
  const enc = (id, start, end) => ({ resourceType: 'Encounter', id, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
    subject: ref('Patient', 'p-1'), period: { start, end }, reasonCode: [{ text: 'Khám lại' }] });
  // A practitioner named by a licence ytexa knows (the demo doctor's) is the visit's doctor and
  // the diagnosis's author; one it does not know leaves the importing account in their place.
  const doctor = C.sql("SELECT id || ':' || facility_id || ':' || licence_no FROM users WHERE username = 'demo.doctor'").split(':');
  const licence = (value) => ({ reference: 'Practitioner/77', identifier: { system: 'urn:ytexa:fhir:sid:practising-licence', value } });
  const lines = [
    { resourceType: 'Patient', id: 'p-1', name: [{ text: 'Lù Thị Mỷ' }], gender: 'female', birthDate: '1977' },
    { ...enc('e-1', at(-60), at(-40)), participant: [{ individual: licence(doctor[2]) }] },
    pulse('o-1', 'e-1', 72),
    pulse('o-2', 'e-404', 72), // an encounter neither in the file nor imported before
    dx('c-1', 'X99'), // well-formed, but no ICD-10 code ytexa knows
    pulse('o-3', 'e-1', 300), // past the plausible 20–250
    enc('e-2', at(24 * 60), at(24 * 60 + 30)), // tomorrow
    { ...dx('c-2', 'I10'), recorder: licence('KHÔNG-CÓ-123') },
  ].map((l) => JSON.stringify(l));
  const before = C.sql('SELECT COUNT(*) FROM visits');
  const r = await importFile(C, admin, 13, lines.join('\n') + '\n');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.summary, { created: 4, updated: 0, unchanged: 0, refused: 4 });
  assert.deepEqual(r.issues.map(outcomeOf).map(({ line, code, field }) => ({ line, code, field })), [
    { line: 4, code: 'unknown_reference', field: 'Observation.encounter' },
    { line: 5, code: 'invalid_input', field: 'Condition.code' },
    { line: 6, code: 'out_of_range', field: 'Observation.valueQuantity' },
    { line: 7, code: 'invalid_input', field: 'Encounter.period.start' },
  ]);
  for (const o of r.issues) assert.match(outcomeOf(o).text, new RegExp(`^Dòng ${outcomeOf(o).line}: (?!.* / ).+$`));
  assert.match(outcomeOf(r.issues[0]).text, /Encounter\/e-404/);
  // What was kept: Mèo Vạc's one visit, its pulse of 72, its I10 (the primary one, the first).
  assert.equal(Number(C.sql('SELECT COUNT(*) FROM visits')), Number(before) + 1);
  const v = C.sql("SELECT v.id FROM visits v JOIN patients p ON p.id = v.patient_id WHERE p.full_name = 'Lù Thị Mỷ'");
  assert.equal(C.sql(`SELECT v.state || ':' || v.mode || ':' || v.reason || ':' || p.facility_id FROM visits v JOIN patients p ON p.id = v.patient_id WHERE v.id = ${v}`), 'finished:video:Khám lại:13');
  const adminId = C.sql("SELECT id FROM users WHERE username = 'demo.ministry-admin'");
  assert.equal(C.sql(`SELECT doctor_id || ':' || doctor_facility_id || ':' || created_by FROM visits WHERE id = ${v}`), `${doctor[0]}:${doctor[1]}:${adminId}`);
  assert.equal(C.sql(`SELECT COALESCE(systolic, 0) || ':' || pulse || ':' || recorded_by FROM vitals WHERE visit_id = ${v}`), `0:72:${adminId}`);
  assert.equal(C.sql(`SELECT code || ':' || is_primary || ':' || created_by FROM visit_diagnoses WHERE visit_id = ${v}`), `I10:1:${adminId}`);
  // The corrected lines sent again: only they change anything.
  const fixed = [JSON.stringify(pulse('o-2', 'e-1', 64)), JSON.stringify(dx('c-1', 'E11')), lines[2], lines[7]].join('\n');
  const f = await importFile(C, admin, 13, fixed);
  assert.deepEqual(f.summary, { created: 2, updated: 0, unchanged: 2, refused: 0 });
  assert.equal(C.sql(`SELECT code || ':' || is_primary FROM visit_diagnoses WHERE visit_id = ${v} ORDER BY id`), 'I10:1\nE11:0');
});

test('who may import visits: another facility is absent, a clinician 403', async () => {
  const line = JSON.stringify({ resourceType: 'Encounter', id: 'x', status: 'finished', class: { code: 'VR' }, subject: { reference: 'Patient/1' }, period: { start: '2026-01-01T08:00:00+07:00', end: '2026-01-01T08:20:00+07:00' } }) + '\n';
  const before = tally(C);
  const other = await importFile(C, SC['demo.facility-admin'].token, 12, line);
  const absent = await importFile(C, SC['demo.facility-admin'].token, 999999, line);
  assert.equal(other.status, 404);
  assert.deepEqual(other.body, absent.body);
  for (const who of ['demo.doctor', 'demo.commune']) {
    const r = await importFile(C, SC[who].token, 4, line);
    assert.equal(r.status, 403, who);
  }
  assert.equal(tally(C), before);
});

test('the CapabilityStatement lists $import beside $export', async () => {
  const r = await fhir(B, 'GET', '/fhir/metadata');
  assert.deepEqual(r.body.rest[0].operation.map((o) => o.name), ['export', 'import']);
  assertValid(r.body, 'the CapabilityStatement');
});
