// Plain words (issue 21): an error answers in one language, the one Accept-Language asks for
// (Vietnamese unless the client prefers English), says so in Content-Language, and when a field is
// wrong names it by its JSON path with a code from the list docs/api.md gives and the limits the
// sentence needs; nothing is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, api, refuser } from './lib/server.mjs';

let srv;
const S = {};
const VI = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;
const as = (who, method, path, body, lang) =>
  api(srv, method, path, { token: S[who].token, body, headers: lang ? { 'Accept-Language': lang } : {} });
const userId = (username) => Number(srv.sql(`SELECT id FROM users WHERE username = '${username}'`));
const snapshot = () => srv.sql(
  'SELECT (SELECT COUNT(*) FROM patients), (SELECT COUNT(*) FROM consents), (SELECT COUNT(*) FROM vitals), ' +
  '(SELECT COUNT(*) FROM prescriptions)');
const refused = refuser(snapshot);
const person = (over = {}) => ({ full_name: 'Vàng Thị Dế', birth_year: 1975, sex: 'female', ...over });

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

// The error of r: its code, field, limits and message, and the answer's language.
const said = (r) => {
  const { code, field, min, max, message } = r.body.error;
  return { code, field, min, max, lang: r.headers.get('content-language'), message };
};

test('a name too long: Vietnamese by default, English when the client prefers it, one language each', async () => {
  const long = person({ full_name: 'Đ'.repeat(161) });
  const vi = await refused(as('demo.commune', 'POST', '/api/v1/patients', long), 400, 'full_name');
  assert.deepEqual(said(vi), { code: 'too_long', field: 'full_name', min: 2, max: 160, lang: 'vi',
    message: "'full_name' phải có từ 2 đến 160 ký tự" });
  const en = await refused(as('demo.commune', 'POST', '/api/v1/patients', long, 'en-US,en;q=0.9,vi;q=0.8'), 400, 'full_name');
  assert.deepEqual(said(en), { code: 'too_long', field: 'full_name', min: 2, max: 160, lang: 'en',
    message: "field 'full_name' must have 2 to 160 characters." });
  // q-values decide, not the order: Vietnamese is preferred here although English comes first.
  const q = await refused(as('demo.commune', 'POST', '/api/v1/patients', long, 'en;q=0.4, vi;q=0.9'), 400);
  assert.equal(said(q).lang, 'vi');
  assert.ok(VI.test(q.body.error.message));
  // A language the server does not speak: Vietnamese.
  const fr = await refused(as('demo.commune', 'POST', '/api/v1/patients', long, 'fr-FR'), 400);
  assert.equal(said(fr).lang, 'vi');
  assert.equal(fr.headers.get('vary')?.includes('Accept-Language'), true);
});

test('each kind of wrong field has its code, its path and its limits', async () => {
  const p = (body, lang) => as('demo.commune', 'POST', '/api/v1/patients', body, lang);
  const cases = [
    [person({ full_name: 'A' }), { code: 'too_short', field: 'full_name', min: 2, max: 160 }],
    [person({ sex: undefined }), { code: 'required', field: 'sex' }],
    [person({ birth_year: 1899 }), { code: 'out_of_range', field: 'birth_year', min: 1900, max: 2100 }],
    [person({ birth_year: '1975' }), { code: 'bad_type', field: 'birth_year' }],
    [person({ height: 150 }), { code: 'unknown_field', field: 'height' }],
    [person({ sex: 'nam' }), { code: 'not_allowed', field: 'sex' }],
    [person({ phone: '12345' }), { code: 'bad_format', field: 'phone' }],
    [person({ guardian: { phone: '0912000000' } }), { code: 'required', field: 'guardian.name' }],
    [person({ guardian: { name: 'Vàng A Chứ', phone: '12' } }), { code: 'bad_format', field: 'guardian.phone' }],
    [person({ vulnerable: ['poor_household', 'near_poor_household'] }), { code: 'mismatch', field: 'vulnerable' }],
  ];
  for (const [body, want] of cases) {
    for (const lang of [undefined, 'en']) {
      const r = await refused(p(body, lang), 400, want.field, want.code);
      const { code, field, min, max, message } = r.body.error;
      assert.deepEqual({ code, field, min, max }, { min: undefined, max: undefined, ...want }, JSON.stringify(r.body));
      assert.ok(!message.includes(' / '), `one language: ${message}`);
      assert.equal(VI.test(message), !lang, `${lang ?? 'vi'}: ${message}`);
    }
  }
});

test('consent, vitals and a prescription name their fields the same way', async () => {
  const pt = await as('demo.commune', 'POST', '/api/v1/patients', person({ full_name: 'Giàng Thị Pà' }));
  assert.equal(pt.status, 201, JSON.stringify(pt.body));
  const consent = (body, lang) => as('demo.commune', 'POST', `/api/v1/patients/${pt.body.id}/consents`, body, lang);
  const c = await refused(consent({ purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient' }, 'en'), 400, 'witness_name');
  assert.equal(c.body.error.code, 'required');
  assert.equal(c.body.error.message, "verbal consent needs the witness's name.");
  for (const purpose of ['remote_care', 'data_processing'])
    assert.equal((await consent({ purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' })).status, 201);
  const v = await as('demo.commune', 'POST', '/api/v1/visits',
    { patient_id: pt.body.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Sốt' });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${v.body.id}/transitions`, { to: 'in_progress' })).status, 200);
  // 368 °C is what "36,8" becomes when a comma is dropped: refused with the range the app shows.
  const t = await refused(as('demo.commune', 'POST', `/api/v1/visits/${v.body.id}/vitals`, { temperature: 368 }), 400, 'temperature');
  assert.deepEqual(said(t), { code: 'out_of_range', field: 'temperature', min: 30, max: 45, lang: 'vi',
    message: "Giá trị 'temperature' ngoài khoảng hợp lý 30–45" });
  const w = await refused(as('demo.commune', 'POST', `/api/v1/visits/${v.body.id}/vitals`, { weight: 400 }, 'en'), 400, 'weight');
  assert.deepEqual([w.body.error.min, w.body.error.max], [0.5, 350]);
  const item = { medicine: 'Paracetamol', strength: '500 mg', dose: '1 viên', frequency: '3 lần/ngày', duration_days: 3, quantity: 9 };
  const rx = await refused(as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/prescriptions`,
    { items: [item, { ...item, quantity: 0 }] }), 400, 'items[1].quantity');
  assert.deepEqual([rx.body.error.code, rx.body.error.min, rx.body.error.max], ['out_of_range', 1, 10000]);
  const none = await refused(as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/prescriptions`, { items: [] }), 400, 'items');
  assert.deepEqual([none.body.error.code, none.body.error.min, none.body.error.max], ['too_short', 1, 30]);
});

test('errors that name no field, and the FHIR OperationOutcome, follow the language too', async () => {
  const nf = await as('demo.commune', 'GET', '/api/v1/patients/999999999', undefined, 'en');
  assert.equal(nf.status, 404);
  assert.deepEqual([nf.body.error.message, nf.headers.get('content-language')], ['not found.', 'en']);
  const nfVi = await as('demo.commune', 'GET', '/api/v1/patients/999999999');
  assert.deepEqual([nfVi.body.error.message, nfVi.headers.get('content-language')], ['Không tìm thấy', 'vi']);
  // A success says nothing in a language of its own.
  const ok = await as('demo.commune', 'GET', '/api/v1/patients?limit=1');
  assert.equal(ok.headers.get('content-language'), null);
  // FHIR: the diagnostics in one language as well (the details keep the precise code).
  const f = await as('demo.commune', 'GET', '/fhir/Patient/999999999', undefined, 'en');
  assert.equal(f.status, 404);
  assert.equal(f.body.issue[0].diagnostics, 'not found.');
  const fv = await as('demo.commune', 'GET', '/fhir/Patient/999999999');
  assert.equal(fv.body.issue[0].diagnostics, 'Không tìm thấy');
  assert.equal(fv.headers.get('content-language'), 'vi');
});

test('messages once in English alone answer in Vietnamese too, with their values in each half', async () => {
  // No value: a page of the user list is 1 to 200 long.
  const page = await as('demo.facility-admin', 'GET', '/api/v1/users?limit=0');
  assert.equal(page.status, 400);
  assert.deepEqual([page.body.error.message, page.headers.get('content-language')], ['Số dòng mỗi trang (limit) phải từ 1 đến 200', 'vi']);
  const pageEn = await as('demo.facility-admin', 'GET', '/api/v1/users?limit=0', undefined, 'en');
  assert.equal(pageEn.body.error.message, 'limit must be between 1 and 200.');
  // A value written into both halves: the role typed, in each language's sentence.
  const before = srv.sql('SELECT COUNT(*) FROM users');
  const role = { username: 'words.role', full_name: 'Lý Văn Sình', role: 'herbalist', password: 'mat-khau-dai-du', facility_id: 1 };
  const vi = await as('demo.facility-admin', 'POST', '/api/v1/users', role);
  assert.deepEqual(said(vi), { code: 'invalid_input', field: 'role', min: undefined, max: undefined, lang: 'vi', message: "Không có vai trò 'herbalist'" });
  const en = await as('demo.facility-admin', 'POST', '/api/v1/users', role, 'en');
  assert.deepEqual([en.body.error.message, en.body.error.field], ["Unknown role 'herbalist'.", 'role']);
  assert.equal(srv.sql('SELECT COUNT(*) FROM users'), before, 'nobody was made');
  // The body's own faults, before any route reads it.
  const bad = await api(srv, 'POST', '/api/v1/patients', { token: S['demo.commune'].token, raw: '{"full_name": ', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /^Nội dung không phải JSON hợp lệ: .* \(dòng 1, cột \d+\)$/);
});

// A signed prescription read as a pharmacist reads it (pdftotext), and its printed code opened as a
// phone's browser opens the QR code's link.
test('the prescription PDF is in Vietnam time and its printed code verifies, as a page and as JSON', async () => {
  const pt = await as('demo.commune', 'POST', '/api/v1/patients', person({ full_name: 'Sùng Thị Mỷ' }));
  for (const purpose of ['remote_care', 'data_processing'])
    await as('demo.commune', 'POST', `/api/v1/patients/${pt.body.id}/consents`, { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' });
  const v = await as('demo.commune', 'POST', '/api/v1/visits', { patient_id: pt.body.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Đau đầu' });
  assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${v.body.id}/transitions`, { to: 'in_progress' })).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/diagnoses`, { icd10: 'I10', primary: true })).status, 201);
  const item = { medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30 };
  const draft = await as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/prescriptions`, { items: [item] });
  const signed = await as('demo.doctor', 'POST', `/api/v1/prescriptions/${draft.body.id}/sign`);
  assert.equal(signed.status, 200, JSON.stringify(signed.body));

  const pdf = await fetch(`${srv.url}/api/v1/prescriptions/${signed.body.id}/pdf`, { headers: { authorization: `Bearer ${S['demo.doctor'].token}` } });
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-words-'));
  writeFileSync(join(dir, 'rx.pdf'), Buffer.from(await pdf.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'rx.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  // Signed at, say, 2026-12-07T18:30Z: 01:30 on 08/12/2026 in Vietnam (UTC+7, no daylight saving).
  const vn = new Date(Date.parse(signed.body.signature.at) + 7 * 3600e3);
  const two = (n) => String(n).padStart(2, '0');
  const when = `${two(vn.getUTCDate())}/${two(vn.getUTCMonth() + 1)}/${vn.getUTCFullYear()} ${two(vn.getUTCHours())}:${two(vn.getUTCMinutes())}`;
  assert.ok(text.includes(`Ký lúc: ${when} (giờ Việt Nam)`), `Vietnam time ${when}:\n${text}`);
  assert.ok(!text.includes('UTC') && !/\d{4}-\d\d-\d\dT/.test(text), `no UTC, no ISO time:\n${text}`);
  const code = text.match(/Mã kiểm tra đơn: ([0-9A-Z]{5}-[0-9A-Z]{5})/)?.[1];
  assert.ok(code, `a verification code is printed:\n${text}`);
  assert.ok(text.includes(`/api/v1/verify/${code}`), 'and the link to check it');

  // The browser: a page in Vietnamese, what was signed, by whom, when, valid; nothing of the patient.
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
  const open = (c, accept = BROWSER) => fetch(`${srv.url}/api/v1/verify/${c}`, { headers: { accept } });
  const page = await open(code);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('content-language'), 'vi');
  const html = await page.text();
  for (const want of ['Hợp lệ', 'Đơn thuốc', 'Nguyễn Văn An', '000123/HG-CCHN', `${when} (giờ Việt Nam)`, code, signed.body.signature.sha256])
    assert.ok(html.includes(want), `the page says "${want}":\n${html}`);
  // (The hash and the code are left out of this look: a year could be among their digits.)
  const told = html.replace(signed.body.signature.sha256, '').replace(code, '');
  for (const never of ['Sùng', 'Mỷ', 'Amlodipin', 'I10', String(pt.body.birth_year)])
    assert.ok(!told.includes(never), `the page does not say "${never}"`);
  // A program: the JSON, the same facts.
  const json = await (await open(code.toLowerCase().replace('-', ''), 'application/json')).json();
  assert.deepEqual({ ...json, signed_at: undefined }, {
    kind: 'prescription', code, prescription_id: signed.body.id, version: 1, valid: true, intact: true, current: true,
    signed_at: undefined, signer: { name: 'Nguyễn Văn An', licence_no: '000123/HG-CCHN' }, facility: json.facility,
    content_hash: signed.body.signature.sha256 });
  assert.equal(json.signed_at, signed.body.signature.at);
  // Replaced by a revision: no longer valid, and the page says so.
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${signed.body.id}/revise`, {})).status, 201);
  const old = await (await open(code)).text();
  assert.ok(old.includes('Không còn hiệu lực') && !old.includes('Hợp lệ'), old);
  assert.equal((await (await open(code, 'application/json')).json()).current, false);
  // Changed in the database behind the signature: not intact.
  srv.sql(`UPDATE prescriptions SET items = replace(items, '"quantity":30', '"quantity":90') WHERE id = ${signed.body.id}`);
  const forged = await (await open(code, 'application/json')).json();
  assert.deepEqual([forged.intact, forged.valid], [false, false]);
  assert.ok((await (await open(code)).text()).includes('nội dung đã bị thay đổi'));
  // No such code: a page that says so to a browser, a JSON 404 to a program.
  const none = await open('00000-00000');
  assert.equal(none.status, 404);
  assert.ok((await none.text()).includes('Không tìm thấy tài liệu có mã này'));
  const noneJson = await open('00000-00000', 'application/json');
  assert.equal(noneJson.status, 404);
  assert.equal((await noneJson.json()).error.code, 'not_found');
});

test("a notification names a case's specialty in words, never its code", async () => {
  const pt = await as('demo.commune', 'POST', '/api/v1/patients', person({ full_name: 'Vừ Thị Sua' }));
  for (const purpose of ['remote_care', 'data_processing'])
    await as('demo.commune', 'POST', `/api/v1/patients/${pt.body.id}/consents`, { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' });
  const c = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: pt.body.id, summary: 'Ho kéo dài 3 tuần, sốt về chiều.',
    questions: ['Phim có hình ảnh lao phổi không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const mine = (await as('demo.doctor', 'GET', '/api/v1/notifications')).body.items.filter((n) => n.consult_id === c.body.id);
  assert.equal(mine.length, 1, JSON.stringify(mine));
  assert.match(mine[0].text, new RegExp(`^Ca hội chẩn #${c.body.id} \\(khẩn, Chẩn đoán hình ảnh\\) từ Trạm Y tế xã Lũng Cú chờ tiếp nhận\\.$`));
  assert.doesNotMatch(mine[0].text, /imaging/);
});
