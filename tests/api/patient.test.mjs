// The patient registry and consent, as a health worker, a doctor elsewhere and the patient see
// them: registering with duplicates shown, search that ignores diacritics, case and Unicode form,
// identity numbers checked, who may see whom, consent given and withdrawn, and bad input refused
// with the field named and nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, login, assertError, ROLES, refuser } from './lib/server.mjs';

let srv;
const S = {};
const as = (who, method, path, body, headers) => api(srv, method, path, { token: S[who].token, body, headers });
const get = (path, who = 'demo.commune') => as(who, 'GET', path);
const names = (r) => r.body.items.map((p) => p.full_name);

// Each test's people get a family name of their own, so that searches and duplicates are exact.
let seq = 0;
const FAMILY = ['Khổng', 'Quách', 'Mạc', 'Thạch', 'Kiều', 'Lục', 'Ninh', 'Tiêu', 'Ông', 'Giáp', 'Âu', 'Lã'];
const family = () => `${FAMILY[seq % FAMILY.length]}${'a'.repeat(Math.floor(seq++ / FAMILY.length))}`;
const person = (over = {}) => ({ full_name: `${family()} Văn Tư`, birth_year: 1980, sex: 'male', ...over });
async function register(over = {}, who = 'demo.commune') {
  const r = await as(who, 'POST', '/api/v1/patients', person(over));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const snapshot = () => srv.sql(
  'SELECT (SELECT COUNT(*) FROM patients), (SELECT COUNT(*) FROM patient_name_keys), (SELECT COUNT(*) FROM consents), ' +
  '(SELECT MAX(updated_at) FROM patients), (SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NOT NULL), ' +
  '(SELECT COUNT(*) FROM idempotency_keys), (SELECT COUNT(*) FROM users)');
const refused = refuser(snapshot);

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

test('a health worker registers a patient; the record comes back whole, with computed groups', async () => {
  const p = await register({
    full_name: 'Hầu Thị Dợ', birth_date: '1958-03-09', birth_year: undefined, sex: 'female', ethnicity: '08',
    cccd: '002158000321', bhyt: 'hn2 02 1234567890', phone: '+84 912 345 678', address: 'Thôn Sán Trồ',
    vulnerable: ['poor_household'], languages: ['hmn'], guardian: { name: 'Hầu Seo Lử', phone: '0987 654 321', relation: 'con trai' },
  });
  assert.equal(p.full_name, 'Hầu Thị Dợ');
  assert.equal(p.birth_year, 1958);
  assert.equal(p.facility.name, 'Trạm Y tế xã Lũng Cú');
  assert.deepEqual(p.ethnicity, { code: '08', name: 'Mông' });
  assert.equal(p.bhyt, 'HN2021234567890');
  assert.equal(p.phone, '0912345678');
  assert.deepEqual(p.guardian, { name: 'Hầu Seo Lử', phone: '0987654321', relation: 'con trai' });
  assert.deepEqual([...p.vulnerable].sort(), ['elderly', 'ethnic_minority', 'poor_household']);
  assert.equal(p.needs_interpreter, true);
  assert.deepEqual(p.consent, { remote_care: false, data_processing: false });
  const again = await get(`/api/v1/patients/${p.id}`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, p);
  const child = await register({ birth_date: '2023-05-01', birth_year: undefined, guardian: { name: 'Lục Thị Na' } });
  assert.ok(child.vulnerable.includes('child_under_6'));
  assert.deepEqual(child.languages, ['vi']);
  assert.equal(child.needs_interpreter, false);
});

test('search ignores diacritics, case and Unicode form, and đ folds to d', async () => {
  const fam = 'Nguyễn';
  const a = await register({ full_name: `${fam} Văn Ấn Khổngz`, birth_year: 1971 });
  const b = await register({ full_name: 'Đặng Thị Khổngz', birth_year: 1983, sex: 'female' });
  const forms = ['nguyen van an khongz', 'NGUYEN VAN AN KHONGZ', 'Nguyễn Văn Ấn Khổngz',
    'Nguyễn Văn Ấn Khổngz'.normalize('NFD'), '  nguyễn   VĂN ấn  khổngz '];
  for (const q of forms) {
    const r = await get(`/api/v1/patients?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, q);
    assert.deepEqual(r.body.items.map((p) => p.id), [a.id], `search "${q}"`);
  }
  for (const q of ['dang thi khongz', 'ĐẶNG THỊ KHỔNGZ', 'dang thi khong']) {
    const r = await get(`/api/v1/patients?q=${encodeURIComponent(q)}`);
    assert.deepEqual(r.body.items.map((p) => p.id), [b.id], `search "${q}"`);
  }
  // A prefix of any word on: the given name, the middle and given name.
  assert.deepEqual((await get('/api/v1/patients?q=khongz')).body.items.map((p) => p.id).sort(), [a.id, b.id].sort());
  assert.deepEqual((await get('/api/v1/patients?q=an%20khong')).body.items.map((p) => p.id), [a.id]);
  assert.deepEqual((await get('/api/v1/patients?q=nguyen%20van%20an%20khongzz')).body.items, []);
});

test('name search pages with a cursor: every match once, in order, then the end', async () => {
  const fam = family();
  const made = [];
  for (const given of ['An', 'Bình', 'Chiến', 'Dũng', 'Giang']) made.push((await register({ full_name: `${fam} Văn ${given}` })).id);
  const seen = [];
  let cursor = null, pages = 0;
  do {
    const r = await get(`/api/v1/patients?q=${encodeURIComponent(fam)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length <= 2);
    seen.push(...r.body.items.map((p) => p.id));
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor && pages < 10);
  assert.deepEqual(seen, made);
  assert.equal(pages, 3);
  for (const bad of ['xyz', '6e67.0', '6e67', 'zz.1', '.5', '6e6.1']) await refused(get(`/api/v1/patients?q=a&cursor=${bad}`), 400, 'cursor', bad);
});

test('search by CCCD, BHYT number (card or 10 digits) and phone, including the guardian\'s', async () => {
  const p = await register({ birth_year: 1990, cccd: '002090765432', bhyt: 'DN4025555544444', phone: '0915 111 222' });
  const kid = await register({ birth_year: 2020, guardian: { name: 'Mạc Thị Hằng', phone: '0915111333' } });
  const ids = async (q) => (await get(`/api/v1/patients?${q}`)).body.items.map((x) => x.id);
  assert.deepEqual(await ids('cccd=002090765432'), [p.id]);
  assert.deepEqual(await ids('bhyt=5555544444'), [p.id]);
  assert.deepEqual(await ids('bhyt=dn4%2001%205555544444'), [p.id], 'another card with the same social insurance number');
  assert.deepEqual(await ids('phone=%2B84915111222'), [p.id]);
  assert.deepEqual(await ids('phone=0915111333'), [kid.id]);
  assert.deepEqual(await ids('cccd=002090765433'), []);
  await refused(get('/api/v1/patients?cccd=12345'), 400, 'cccd');
  await refused(get('/api/v1/patients?bhyt=XX'), 400, 'bhyt');
  await refused(get('/api/v1/patients?phone=abc'), 400, 'phone');
  await refused(get('/api/v1/patients?q=a&cccd=002090765432'), 400);
  await refused(get('/api/v1/patients?limit=0'), 400, 'limit');
  await refused(get('/api/v1/patients?q='), 400, 'q');
  await refused(get(`/api/v1/patients?q=${'a'.repeat(201)}`), 400, 'q');
});

test('likely duplicates are shown before a second record is made; the user decides', async () => {
  const unit = Number(srv.sql("SELECT unit_id FROM facilities WHERE code = 'TYT-LUNGCU'"));
  const first = await register({ full_name: 'Thạch Văn Trùng', birth_year: 1975, unit_id: unit, bhyt: '7777700001' });
  const dup = await refused(as('demo.commune', 'POST', '/api/v1/patients',
    person({ full_name: 'THẠCH VĂN TRÙNG', birth_year: 1975, unit_id: unit })), 409);
  assert.equal(dup.body.error.code, 'possible_duplicate');
  assert.deepEqual(dup.body.error.candidates.map((c) => [c.id, c.match]), [[first.id, 'name_birth_year_commune']]);
  const byCard = await refused(as('demo.commune', 'POST', '/api/v1/patients',
    person({ full_name: 'Thạch V. Trùng', bhyt: 'GD4027777700001' })), 409);
  assert.deepEqual(byCard.body.error.candidates.map((c) => [c.id, c.match]), [[first.id, 'bhyt']]);
  // Another year of birth is another person; so is the same name when the user says so.
  await register({ full_name: 'Thạch Văn Trùng', birth_year: 1976, unit_id: unit });
  const second = await register({ full_name: 'Thạch Văn Trùng', birth_year: 1975, unit_id: unit, allow_duplicate: true });
  assert.notEqual(second.id, first.id);
  // A CCCD is one person: never twice in a registry, whatever the client says.
  const withId = await register({ birth_year: 1982, cccd: '002082111222' });
  const r = await refused(as('demo.commune', 'POST', '/api/v1/patients',
    person({ birth_year: 1982, cccd: '002082111222', allow_duplicate: true })), 409);
  assert.equal(r.body.error.code, 'duplicate_cccd');
  assert.equal(r.body.error.patient_id, withId.id);
  // Another facility's registry is its own: the same CCCD registers there.
  const there = await as('demo.doctor', 'POST', '/api/v1/patients', person({ birth_year: 1982, cccd: '002082111222' }));
  assert.equal(there.status, 201);
});

test('identity numbers and fields are checked; a refused record writes nothing', async () => {
  const post = (over) => as('demo.commune', 'POST', '/api/v1/patients', person(over));
  const cases = [
    [{ cccd: '00208011122' }, 'cccd', '11 digits'],
    [{ cccd: '003080111222' }, 'cccd', 'no province 003'],
    [{ cccd: '002180111222' }, 'cccd', 'female digit for a man'],
    [{ cccd: '002281111222' }, 'cccd', '21st century for 1980'],
    [{ cccd: '002079111222' }, 'cccd', 'year 79 for 1980'],
    [{ cccd: '00208011122a' }, 'cccd', 'a letter'],
    [{ bhyt: 'GD6021234567890' }, 'bhyt', 'benefit level 6'],
    [{ bhyt: '123456789' }, 'bhyt', '9 digits'],
    [{ phone: '12345' }, 'phone', 'short'],
    [{ phone: '+1 202 555 0100' }, 'phone', 'foreign'],
    [{ birth_date: '1980-02-30', birth_year: undefined }, 'birth_date', 'no 30 February'],
    [{ birth_date: '2999-01-01', birth_year: undefined }, 'birth_date', 'future'],
    [{ birth_date: '1980-01-01', birth_year: 1981 }, 'birth_year', 'date and year disagree'],
    [{ birth_year: undefined }, 'birth_year', 'no birth'],
    [{ birth_year: 1899 }, 'birth_year', 'before 1900'],
    [{ birth_year: '1980' }, 'birth_year', 'a string'],
    [{ sex: 'm' }, 'sex', 'sex'],
    [{ ethnicity: '55' }, 'ethnicity', 'no group 55'],
    [{ vulnerable: ['elderly'] }, 'vulnerable', 'computed flag'],
    [{ vulnerable: ['poor_household', 'near_poor_household'] }, 'vulnerable', 'both'],
    [{ vulnerable: ['pregnant'] }, 'vulnerable', 'pregnant man'],
    [{ vulnerable: 'poor_household' }, 'vulnerable', 'not a list'],
    [{ languages: ['Vietnamese'] }, 'languages', 'not a code'],
    [{ languages: [] .concat(Array(11).fill('vi')) }, 'languages', 'too many'],
    [{ guardian: { phone: '0912000000' } }, 'guardian.name', 'guardian without name'],
    [{ guardian: { name: 'Lã Văn B', age: 3 } }, 'guardian.age', 'unknown guardian field'],
    [{ full_name: 'A' }, 'full_name', 'one letter'],
    [{ full_name: 'Lã\u0007Văn' }, 'full_name', 'control character'],
    [{ full_name: 'x'.repeat(161) }, 'full_name', 'too long'],
    [{ height: 170 }, 'height', 'unknown field'],
    [{ notify_channel: 'email' }, 'notify_channel', 'no such channel'],
    [{ unit_id: 1 }, 'unit_id', 'a province, not a commune'],
    [{ unit_id: 999999 }, 'unit_id', 'no such unit'],
  ];
  for (const [over, field, what] of cases) await refused(post(over), 400, field, what);
  await refused(api(srv, 'POST', '/api/v1/patients', { token: S['demo.commune'].token, raw: '{"full_name": "Lã Văn', headers: { 'content-type': 'application/json' } }), 400, null, 'broken JSON');
  await refused(api(srv, 'POST', '/api/v1/patients', { token: S['demo.commune'].token, raw: Buffer.concat([Buffer.from('{"full_name":"L'), Buffer.from([0xff, 0xfe]), Buffer.from('","birth_year":1980,"sex":"male"}')]), headers: { 'content-type': 'application/json' } }), 400, null, 'invalid UTF-8');
  // SQL metacharacters are a name like any other, stored and found as typed.
  const odd = await register({ full_name: "Lã O'Brien'); DROP TABLE patients;--" });
  assert.equal((await get(`/api/v1/patients/${odd.id}`)).body.full_name, "Lã O'Brien'); DROP TABLE patients;--");
  assert.deepEqual((await get(`/api/v1/patients?q=${encodeURIComponent("o'brien")}`)).body.items.map((p) => p.id), [odd.id]);
});

test('who may see a patient: the home facility, a facility it is shared with, the patient; no one else', async () => {
  const p = await register({ birth_year: 1966 });
  const path = `/api/v1/patients/${p.id}`;
  assertError(await api(srv, 'GET', path), 401);
  assertError(await api(srv, 'GET', '/api/v1/patients?q=a'), 401);
  assertError(await api(srv, 'POST', '/api/v1/patients', { body: person() }), 401);
  assertError(await get(path, 'demo.specialist'), 404);
  assertError(await get(path, 'demo.doctor'), 404);
  for (const who of ['demo.trainer', 'demo.facility-admin', 'demo.province-admin', 'demo.ministry-admin', 'demo.patient']) {
    // Roles that read no charts are refused whatever the record; a patient's account finds no other patient.
    assertError(await get(path, who), who === 'demo.patient' ? 404 : 403, undefined);
    await refused(get('/api/v1/patients?q=a', who), 403, null, who);
    await refused(as(who, 'POST', '/api/v1/patients', person()), 403, null, who);
    await refused(as(who, 'PATCH', path, { phone: '0912000999' }), 403, null, who);
  }
  // The search that finds the patient at the station finds nothing at another hospital.
  const byName = `/api/v1/patients?q=${encodeURIComponent(p.full_name)}`;
  assert.deepEqual((await get(byName)).body.items.map((x) => x.id), [p.id]);
  assert.deepEqual((await get(byName, 'demo.specialist')).body.items, []);
  // Shared by a visit with the specialist's hospital: readable there, but the registry record stays the station's.
  srv.sql(`INSERT INTO patient_shares (patient_id, facility_id, reason, ref_id, created_at) SELECT ${p.id}, id, 'visit', 1, 0 FROM facilities WHERE code = 'BV-BACHMAI'`);
  assert.equal((await get(path, 'demo.specialist')).status, 200);
  await refused(as('demo.specialist', 'PATCH', path, { phone: '0912000999' }), 403);
  assertError(await get(path, 'demo.doctor'), 404);
  // The demo patient's own account reads that record only, and cannot change it.
  const own = S['demo.patient'].user.patient_id;
  assert.ok(own > 0);
  const me = await get(`/api/v1/patients/${own}`, 'demo.patient');
  assert.equal(me.status, 200);
  assert.equal(me.body.full_name, 'Giàng Seo Páo');
  assert.deepEqual(me.body.consent, { remote_care: true, data_processing: true });
  await refused(as('demo.patient', 'PATCH', `/api/v1/patients/${own}`, { phone: '0912000999' }), 403);
  for (const bad of ['/api/v1/patients/0', '/api/v1/patients/abc', '/api/v1/patients/99999999']) assertError(await get(bad), 404);
});

test('corrections: checked as a whole record, search keys follow the name, null clears a field', async () => {
  const p = await register({ full_name: 'Kiều Văn Cũ', birth_year: 1970, cccd: '002070123123', phone: '0912777888' });
  const path = `/api/v1/patients/${p.id}`;
  const r = await as('demo.commune', 'PATCH', path, { full_name: 'Kiều Văn Mới', phone: null, ethnicity: '02' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.phone, null);
  assert.deepEqual(r.body.ethnicity, { code: '02', name: 'Tày' });
  assert.equal(r.body.cccd, '002070123123');
  assert.deepEqual(names(await get('/api/v1/patients?q=kieu%20van%20moi')), ['Kiều Văn Mới']);
  assert.deepEqual(names(await get('/api/v1/patients?q=kieu%20van%20cu')), []);
  // The CCCD says 1970 and male: changing only the year or the sex contradicts it.
  await refused(as('demo.commune', 'PATCH', path, { birth_year: 1971 }), 400, 'cccd');
  await refused(as('demo.commune', 'PATCH', path, { sex: 'female' }), 400, 'cccd');
  await refused(as('demo.commune', 'PATCH', path, { allow_duplicate: true }), 400, 'allow_duplicate');
  await refused(as('demo.commune', 'PATCH', path, { full_name: 7 }), 400, 'full_name');
  const other = await register({ birth_year: 1983, cccd: '002083444555' });
  const taken = await refused(as('demo.commune', 'PATCH', `/api/v1/patients/${other.id}`, { cccd: '002070123123', birth_year: 1970 }), 409);
  assert.equal(taken.body.error.code, 'duplicate_cccd');
  const both = await as('demo.commune', 'PATCH', path, { birth_year: 1971, cccd: null });
  assert.equal(both.status, 200);
  assert.equal(both.body.birth_year, 1971);
});

test('consent: explicit, for a purpose, recorded how and by whom, withdrawable; history kept', async () => {
  const p = await register({ birth_year: 1979 });
  const base = `/api/v1/patients/${p.id}/consents`;
  const give = (body, who = 'demo.commune') => as(who, 'POST', base, body);
  await refused(give({ purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient' }), 400, 'witness_name');
  await refused(give({ purpose: 'remote_care', method: 'paper_signed', given_by: 'patient' }), 400, 'document_ref');
  await refused(give({ purpose: 'remote_care', method: 'in_app', given_by: 'patient' }), 400, 'method');
  await refused(give({ purpose: 'marketing', method: 'paper_signed', given_by: 'patient', document_ref: 'x' }), 400, 'purpose');
  await refused(give({ purpose: 'remote_care', method: 'email', given_by: 'patient' }), 400, 'method');
  await refused(give({ purpose: 'remote_care', method: 'paper_signed', given_by: 'neighbour', document_ref: 'x' }), 400, 'given_by');
  await refused(give({ purpose: 'remote_care', method: 'paper_signed', given_by: 'guardian', document_ref: 'x' }), 400, 'given_by');
  await refused(give({ purpose: 'remote_care', method: 'paper_signed', given_by: 'patient', document_ref: 'x', extra: 1 }), 400, 'extra');
  await refused(give({ purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' }, 'demo.specialist'), 404);
  await refused(give({ purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' }, 'demo.facility-admin'), 403);
  assertError(await api(srv, 'POST', base, { body: { purpose: 'remote_care' } }), 401);

  const care = await give({ purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử', note: 'Giải thích bằng tiếng Mông' });
  assert.equal(care.status, 201, JSON.stringify(care.body));
  assert.equal(care.body.active, true);
  assert.equal(care.body.recorded_by.name, 'Lò Thị Mai');
  const dup = await refused(give({ purpose: 'remote_care', method: 'paper_signed', given_by: 'patient', document_ref: 'GĐY-2026-17' }), 409);
  assert.equal(dup.body.error.code, 'consent_active');
  assert.equal((await give({ purpose: 'data_processing', method: 'paper_signed', given_by: 'patient', document_ref: 'GĐY-2026-17' })).status, 201);
  assert.deepEqual((await get(`/api/v1/patients/${p.id}`)).body.consent, { remote_care: true, data_processing: true });

  const w = `${base}/${care.body.id}/withdraw`;
  await refused(as('demo.commune', 'POST', w, {}), 400, 'reason');
  await refused(as('demo.specialist', 'POST', w, { reason: 'Không muốn nữa' }), 404);
  const out = await as('demo.commune', 'POST', w, { reason: 'Người bệnh không muốn khám từ xa nữa' });
  assert.equal(out.status, 200);
  assert.equal(out.body.active, false);
  assert.equal(out.body.withdraw_reason, 'Người bệnh không muốn khám từ xa nữa');
  const twice = await refused(as('demo.commune', 'POST', w, { reason: 'lần nữa' }), 409);
  assert.equal(twice.body.error.code, 'already_withdrawn');
  assert.deepEqual((await get(`/api/v1/patients/${p.id}`)).body.consent, { remote_care: false, data_processing: true });
  const list = await get(base);
  assert.deepEqual(list.body.items.map((c) => [c.purpose, c.active]), [['remote_care', false], ['data_processing', true]]);
  await refused(as('demo.commune', 'POST', `${base}/999999/withdraw`, { reason: 'không có' }), 404);
  assertError(await get(base, 'demo.specialist'), 404);
});

test('a child\'s consent is the guardian\'s; a patient consents in the app for themself', async () => {
  const kid = await register({ birth_year: 2015, guardian: { name: 'Ông Thị Hà', relation: 'mẹ' } });
  const base = `/api/v1/patients/${kid.id}/consents`;
  await refused(as('demo.commune', 'POST', base, { purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' }), 400, 'given_by');
  assert.equal((await as('demo.commune', 'POST', base, { purpose: 'remote_care', method: 'verbal_witnessed', given_by: 'guardian', witness_name: 'Lò Văn Sử' })).status, 201);

  const own = S['demo.patient'].user.patient_id;
  const mine = `/api/v1/patients/${own}/consents`;
  const current = (await get(mine, 'demo.patient')).body.items.find((c) => c.purpose === 'data_processing' && c.active);
  assert.ok(current, 'the demo patient has consented to data processing');
  await refused(as('demo.patient', 'POST', mine, { purpose: 'data_processing', method: 'paper_signed', given_by: 'patient', document_ref: 'x' }), 400, 'method');
  const off = await as('demo.patient', 'POST', `${mine}/${current.id}/withdraw`, { reason: 'Tôi muốn suy nghĩ thêm' });
  assert.equal(off.status, 200);
  const on = await as('demo.patient', 'POST', mine, { purpose: 'data_processing', method: 'in_app', given_by: 'patient' });
  assert.equal(on.status, 201, JSON.stringify(on.body));
  assert.equal(on.body.facility_id, null);
  await refused(as('demo.patient', 'POST', base, { purpose: 'data_processing', method: 'in_app', given_by: 'patient' }), 404);
});

test('every read and write of a patient is audited with the patient; a search without its text', async () => {
  const p = await register({ full_name: 'Tiêu Thị Kín', birth_year: 1961, sex: 'female' });
  await get(`/api/v1/patients/${p.id}`, 'demo.commune');
  const searches = () => Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'patient.search' AND outcome = 'ok'"));
  const searchesBefore = searches();
  assert.deepEqual((await get('/api/v1/patients?q=tieu%20thi%20kin')).body.items.map((x) => x.id), [p.id]);
  await get(`/api/v1/patients/${p.id}`, 'demo.specialist');
  const rows = srv.sql(`SELECT action || ':' || outcome FROM audit_events WHERE patient_id = ${p.id} ORDER BY id`).split('\n');
  assert.deepEqual(rows, ['patient.create:ok', 'patient.read:ok']);
  // A refusal as absent is audited with the id asked for but names no patient: the trail must not
  // tell an administrator which ids exist at other facilities (the same row as for an absent id).
  const denied = (id) => srv.sql(`SELECT resource_id || ':' || COALESCE(patient_id, 0) || ':' || detail FROM audit_events WHERE action = 'patient.read' AND outcome = 'denied' AND resource_id = '${id}' ORDER BY id DESC LIMIT 1`);
  await get('/api/v1/patients/99999999', 'demo.specialist');
  assert.equal(denied(p.id), `${p.id}:0:not_found: Không tìm thấy / not found.`);
  assert.equal(denied(99999999), '99999999:0:not_found: Không tìm thấy / not found.');
  assert.equal(searches(), searchesBefore + 1, 'the search is audited, once');
  assert.equal(srv.sql("SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%tieu%' OR resource_id LIKE '%tieu%'"), '0');
  assert.ok(Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'patient.read' AND outcome = 'denied' AND actor_role = 'specialist'")) > 0);
});

test('a registration repeated by a flaky network makes one record', async () => {
  const body = person({ birth_year: 1977 });
  const key = { 'idempotency-key': `reg-${Date.now()}` };
  const a = await as('demo.commune', 'POST', '/api/v1/patients', body, key);
  const b = await as('demo.commune', 'POST', '/api/v1/patients', body, key);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.body.id, a.body.id);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM patients WHERE full_name = '${body.full_name}'`), '1');
});

test('the 54 ethnic groups for forms', async () => {
  const r = await get('/api/v1/ethnicities', 'demo.patient');
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 54);
  assert.deepEqual(r.body.items[0], { code: '01', name_vi: 'Kinh', name_en: 'Kinh' });
  assert.equal(r.body.items.find((e) => e.code === '08').name_vi, 'Mông');
  assertError(await api(srv, 'GET', '/api/v1/ethnicities'), 401);
});

test('the station creates the patient\'s own app account; one per patient; the patient then reads the record', async () => {
  const p = await register({ birth_year: 1993, sex: 'female', full_name: 'Ninh Thị Xuân' });
  const path = `/api/v1/patients/${p.id}/account`;
  await refused(as('demo.commune', 'POST', path, { username: 'Ninh Xuan', password: 'mat-khau-du-dai' }), 400, 'username');
  await refused(as('demo.commune', 'POST', path, { username: 'ninh.xuan', password: 'ngan' }), 400, 'password');
  // Guessable (docs/api.md, "Passwords"): the patient's name, a common password, a run.
  for (const weak of ['Ninh Thị Xuân 93', 'xuan1993', 'iloveyou', '12345678']) {
    const r = await refused(as('demo.commune', 'POST', path, { username: 'ninh.xuan', password: weak }), 400, 'password');
    assert.equal(r.body.error.code, 'weak_password', weak);
  }
  await refused(as('demo.commune', 'POST', path, { username: 'ninh.xuan' }), 400, 'password');
  await refused(as('demo.commune', 'POST', path, { username: 'demo.doctor', password: 'mat-khau-du-dai' }), 409, 'username');
  await refused(as('demo.specialist', 'POST', path, { username: 'ninh.xuan', password: 'mat-khau-du-dai' }), 404);
  await refused(as('demo.patient', 'POST', path, { username: 'ninh.xuan', password: 'mat-khau-du-dai' }), 403);
  await refused(as('demo.facility-admin', 'POST', path, { username: 'ninh.xuan', password: 'mat-khau-du-dai' }), 403);
  assertError(await api(srv, 'POST', path, { body: { username: 'ninh.xuan', password: 'mat-khau-du-dai' } }), 401);
  const made = await as('demo.commune', 'POST', path, { username: 'ninh.xuan', password: 'mat-khau-du-dai' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual([made.body.role, made.body.patient_id, made.body.full_name, made.body.facility], ['patient', p.id, 'Ninh Thị Xuân', null]);
  assert.equal((await get(`/api/v1/patients/${p.id}`)).body.has_account, true);
  const again = await refused(as('demo.commune', 'POST', path, { username: 'ninh.xuan2', password: 'mat-khau-du-dai' }), 409);
  assert.equal(again.body.error.code, 'account_exists');
  const s = await login(srv, 'ninh.xuan', 'mat-khau-du-dai');
  assert.equal(s.user.patient_id, p.id);
  const own = await api(srv, 'GET', `/api/v1/patients/${p.id}`, { token: s.token });
  assert.equal(own.status, 200);
  assert.equal(own.body.full_name, 'Ninh Thị Xuân');
  assertError(await api(srv, 'GET', `/api/v1/patients/${S['demo.patient'].user.patient_id}`, { token: s.token }), 404);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'patient.account' AND patient_id = ${p.id} AND outcome = 'ok'`), '1');
});
