// FHIR bulk import ($import, issue 20; docs/fhir.md "Bulk import"): an NDJSON file of Patients into
// one facility's registry. Server A's Lũng Cú station (12: its seven demo patients and two more,
// with every mapped element) is exported with $export and imported into server B's Hà Giang
// hospital (4), whose registry is empty, and the two registries are compared record by record.
// Every answer's lines go through lib/fhir.mjs's three validators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { startSignedIn, api, errorOf } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { fhir, assertValid } from './lib/fhir.mjs';

let A, B;
const SA = {};
const SB = {};
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
});
after(async () => {
  await A?.close();
  await B?.close();
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
    JSON.stringify({ resourceType: 'Observation', status: 'final' }),
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

test('the CapabilityStatement lists $import beside $export', async () => {
  const r = await fhir(B, 'GET', '/fhir/metadata');
  assert.deepEqual(r.body.rest[0].operation.map((o) => o.name), ['export', 'import']);
  assertValid(r.body, 'the CapabilityStatement');
});
