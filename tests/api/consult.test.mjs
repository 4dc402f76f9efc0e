// Remote consultation between facilities as the commune station, the hubs and the chair live it:
// a case with an X-ray routed along the support network, escalated when no one accepts it in
// time (the server's clock moved forward), declined and reassigned, opinions, a conclusion per
// question, signed minutes whose paper copy can be verified, the outcome, a de-identified export;
// every role and facility that may not see or act refused, bad input refused and nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, api, login, assertError, ROLES, refuser } from './lib/server.mjs';
import { png, tusUpload } from './lib/files.mjs';
import { registerPatient } from './lib/patients.mjs';

let srv;
const S = {};
const as = (who, method, path, body, headers) => api(srv, method, path, { token: S[who].token, body, headers });
const facilityId = (code) => Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));
const userId = (username) => Number(srv.sql(`SELECT id FROM users WHERE username = '${username}'`));
const MIN = 60 * 1000;

let seq = 0;
const newPatient = (consent = true) => registerPatient(srv, S['demo.commune'].token,
  { full_name: `Sùng Thị Mỷ ${String.fromCharCode(65 + (seq % 26))}${seq++}`, birth_year: 1961, sex: 'female' }, { consent });
const CASE = {
  summary: 'Ho kéo dài 3 tuần, sốt về chiều, sụt 4 kg. Phim X-quang ngực thẳng chụp tại trạm.',
  questions: ['Phim có hình ảnh lao phổi không?', 'Có cần chuyển tuyến ngay không?'],
  urgency: 'urgent', specialty: 'imaging', kind: 'imaging',
};
async function newCase(over = {}, who = 'demo.commune') {
  const p = over.patient_id ? null : await newPatient();
  const r = await as(who, 'POST', '/api/v1/consults', { patient_id: p?.id, ...CASE, submit: true, ...over });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
const counts = () => srv.counts(['consults', 'consult_events', 'consult_questions', 'consult_participants', 'consult_opinions',
  'consult_files', 'consult_minutes', 'patient_shares']);
const refused = refuser(counts);

before(async () => {
  srv = await startSignedIn(S);
  // A doctor of the district centre, which supports Lũng Cú for internal medicine.
  const r = await as('demo.ministry-admin', 'POST', '/api/v1/users', {
    username: 'dongvan.doctor', full_name: 'Vàng Mí Chứ', password: 'Đồng Văn 2026 mật khẩu', role: 'doctor',
    facility_id: facilityId('TTYT-DONGVAN'), licence_no: '000777/HG-CCHN', practice_scope: ['general', 'internal'],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  S['dongvan.doctor'] = await login(srv, 'dongvan.doctor', 'Đồng Văn 2026 mật khẩu');
});
after(() => srv.close());

test('the whole case: X-ray from the commune, routed, accepted, opinions, conclusion, signed minutes, outcome', async () => {
  const xray = await tusUpload(srv, S['demo.commune'].token, png(640, 480), 'X-quang ngực Sùng Thị Mỷ.png');
  const p = await newPatient();
  // A draft first (so files can be added from a phone at leisure), then sent.
  const draft = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE, file_ids: [xray] });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  assert.equal(draft.body.state, 'draft');
  assert.equal(draft.body.assigned, null);
  assert.deepEqual(draft.body.questions.map((q) => q.question), CASE.questions);
  assert.equal(draft.body.files[0].kind, 'image');
  const id = draft.body.id;
  // Before it is sent, the hub does not know it exists.
  assertError(await as('demo.doctor', 'GET', `/api/v1/consults/${id}`), 404);
  const sent = await as('demo.commune', 'POST', `/api/v1/consults/${id}/submit`);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body.state, 'requested');
  assert.equal(sent.body.assigned.id, facilityId('BVDK-HAGIANG'), 'Hà Giang supports Lũng Cú for imaging');
  assert.ok(sent.body.accept_due_at, 'an acceptance deadline');
  const due = Date.parse(sent.body.accept_due_at) - Date.parse(sent.body.requested_at);
  assert.equal(due, 120 * MIN, 'urgent: 2 hours');

  // The hub's inbox shows it, with how long it has waited; the hub sees the patient and the X-ray.
  const inbox = await as('demo.doctor', 'GET', '/api/v1/consults?box=inbox');
  const item = inbox.body.items.find((c) => c.id === id);
  assert.ok(item, 'in the inbox');
  assert.equal(item.waiting_minutes, 0);
  assert.equal(item.patient.full_name, p.full_name);
  assert.equal((await as('demo.doctor', 'GET', `/api/v1/patients/${p.id}`)).status, 200, 'shared through the case');
  const file = await as('demo.doctor', 'GET', `/api/v1/files/${xray}`);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await as('demo.doctor', 'GET', `/api/v1/files/${xray}/thumbnail`)).status, 200);
  // A foreign facility guessing the id: nothing exists.
  for (const path of [`/api/v1/consults/${id}`, `/api/v1/files/${xray}`, `/api/v1/patients/${p.id}`])
    assertError(await as('demo.specialist', 'GET', path), 404);
  assertError(await as('demo.specialist', 'POST', `/api/v1/consults/${id}/accept`, {}), 404);
  // The station's health worker cannot accept its own case; only the hub's doctor can.
  assertError(await as('demo.commune', 'POST', `/api/v1/consults/${id}/accept`, {}), 403, 'forbidden');

  const acc = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/accept`, {});
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  assert.equal(acc.body.state, 'accepted');
  assert.equal(acc.body.chair.id, userId('demo.doctor'));
  assert.equal(acc.body.accept_due_at, null);
  assertError(await as('demo.doctor', 'POST', `/api/v1/consults/${id}/accept`, {}), 409, 'consult_state');
  // The chair invites Bạch Mai's specialist and its connection point; now she sees the case.
  const inv = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/participants`, { user_id: userId('demo.specialist'), role: 'specialist' });
  assert.equal(inv.status, 200, JSON.stringify(inv.body));
  await as('demo.doctor', 'POST', `/api/v1/consults/${id}/participants`, { facility_id: facilityId('BV-BACHMAI'), role: 'site' });
  assert.equal((await as('demo.specialist', 'GET', `/api/v1/consults/${id}`)).status, 200);
  assert.equal((await as('demo.specialist', 'GET', `/api/v1/files/${xray}`)).status, 200);
  // A participant is not the chair.
  assertError(await as('demo.specialist', 'POST', `/api/v1/consults/${id}/participants`, { user_id: userId('demo.commune'), role: 'observer' }), 403);

  const op1 = await as('demo.specialist', 'POST', `/api/v1/consults/${id}/opinions`, { opinion: 'Thâm nhiễm đỉnh phổi phải, có hang nhỏ: nghĩ nhiều đến lao phổi.' });
  assert.equal(op1.status, 200, JSON.stringify(op1.body));
  assert.equal(op1.body.state, 'answered', 'store-and-forward: the first opinion answers the case');
  await as('demo.doctor', 'POST', `/api/v1/consults/${id}/opinions`, { opinion: 'Đồng ý, đề nghị xét nghiệm đờm AFB và GeneXpert.' });
  const session = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/session`, { at: new Date(Date.now() + 3600e3).toISOString() });
  assert.equal(session.body.state, 'scheduled');
  const qs = session.body.questions;
  // The chair concludes each question; a missing answer is refused.
  assertError(await as('demo.specialist', 'POST', `/api/v1/consults/${id}/conclusion`,
    { answers: [], recommendation: 'transfer' }), 403);
  await refused(as('demo.doctor', 'POST', `/api/v1/consults/${id}/conclusion`,
    { answers: [{ question_id: qs[0].id, conclusion: 'Hình ảnh nghi lao phổi.' }], recommendation: 'transfer' }), 400, null, 'one answer missing');
  const CONCLUSION = 'Hình ảnh phù hợp lao phổi thể hang, cần khẳng định bằng xét nghiệm đờm.';
  const con = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/conclusion`, {
    answers: [{ question_id: qs[0].id, conclusion: CONCLUSION }, { question_id: qs[1].id, conclusion: 'Chuyển Bệnh viện Phổi tỉnh trong tuần.' }],
    recommendation: 'transfer', recommendation_note: 'Đeo khẩu trang, cách ly tại nhà đến khi chuyển.',
  });
  assert.equal(con.status, 200, JSON.stringify(con.body));
  assert.equal(con.body.state, 'concluded');
  assert.equal(con.body.questions[0].conclusion, CONCLUSION);

  // The outcome waits for the signature; then the chair signs.
  assertError(await as('demo.commune', 'POST', `/api/v1/consults/${id}/outcome`, { outcome: 'transferred' }), 409, 'minutes_unsigned');
  assertError(await as('demo.specialist', 'POST', `/api/v1/consults/${id}/minutes`, {}), 403);
  const signed = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/minutes`, {});
  assert.equal(signed.status, 201, JSON.stringify(signed.body));
  const m1 = signed.body.minutes[0];
  assert.equal(m1.version, 1);
  assert.match(m1.verify_code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  assert.match(m1.content_hash, /^[0-9a-f]{64}$/);
  const pdf = await api(srv, 'GET', m1.pdf_url, { token: S['demo.commune'].token });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-minutes-'));
  const pdfBytes = (await fetch(srv.url + m1.pdf_url, { headers: { authorization: `Bearer ${S['demo.commune'].token}` } })).arrayBuffer();
  writeFileSync(join(dir, 'm.pdf'), Buffer.from(await pdfBytes));
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'm.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const want of ['BIÊN BẢN HỘI CHẨN TỪ XA', CONCLUSION, p.full_name, 'Trần Thị Bích Ngọc', 'Chủ trì', 'Chuyển tuyến', m1.verify_code])
    assert.ok(text.includes(want), `PDF lacks "${want}": ${text.slice(0, 400)}`);
  // Anyone holding the paper can check it, without logging in; nothing about the patient is told.
  const v = await api(srv, 'GET', `/api/v1/verify/${m1.verify_code.toLowerCase()}?sha256=${m1.content_hash}`);
  assert.equal(v.status, 200, JSON.stringify(v.body));
  assert.equal(v.body.intact, true);
  assert.equal(v.body.current, true);
  assert.equal(v.body.matches, true);
  assert.equal(v.body.signer.name, 'Nguyễn Văn An');
  assert.ok(!JSON.stringify(v.body).includes(p.full_name), 'verification names no patient');
  assert.equal((await api(srv, 'GET', `/api/v1/verify/${m1.verify_code}?sha256=${'0'.repeat(64)}`)).body.matches, false);
  assertError(await api(srv, 'GET', '/api/v1/verify/AAAAA-AAAAA'), 404);
  assertError(await api(srv, 'GET', '/api/v1/verify/%2e%2e%2f'), 404);

  // Signed minutes never change: a second signature is an amendment with a reason and a change.
  await refused(as('demo.doctor', 'POST', `/api/v1/consults/${id}/minutes`, {}), 400, 'amendment_reason');
  await refused(as('demo.doctor', 'POST', `/api/v1/consults/${id}/minutes`, { amendment_reason: 'Ký lại' }), 409, null, 'unchanged');
  await as('demo.doctor', 'POST', `/api/v1/consults/${id}/conclusion`, {
    answers: [{ question_id: qs[1].id, conclusion: 'Chuyển Bệnh viện Phổi tỉnh trong 48 giờ.' }], recommendation: 'transfer',
    recommendation_note: 'Đeo khẩu trang, cách ly tại nhà đến khi chuyển.',
  });
  const amended = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/minutes`, { amendment_reason: 'Rút ngắn thời hạn chuyển tuyến' });
  assert.equal(amended.status, 201, JSON.stringify(amended.body));
  assert.equal(amended.body.minutes.length, 2);
  assert.equal(amended.body.minutes[0].superseded, true);
  assert.equal(amended.body.minutes[0].content_hash, m1.content_hash, 'version 1 unchanged');
  const v1 = await api(srv, 'GET', `/api/v1/verify/${m1.verify_code}`);
  assert.equal(v1.body.current, false);
  assert.equal(v1.body.latest_version, 2);
  // Tampering with the stored content shows.
  srv.sql(`UPDATE consult_minutes SET content = replace(content, 'lao phổi', 'viêm phổi') WHERE id = ${m1.id}`);
  assert.equal((await api(srv, 'GET', `/api/v1/verify/${m1.verify_code}`)).body.intact, false);

  // The requester records the outcome (Circular 49); the hub cannot; then the case closes.
  assertError(await as('demo.doctor', 'POST', `/api/v1/consults/${id}/outcome`, { outcome: 'transferred' }), 403);
  await refused(as('demo.commune', 'POST', `/api/v1/consults/${id}/outcome`, { outcome: 'cured' }), 400, 'outcome');
  const out = await as('demo.commune', 'POST', `/api/v1/consults/${id}/outcome`, { outcome: 'transferred', note: 'Đã chuyển BV Phổi Hà Giang ngày 24/11.' });
  assert.equal(out.status, 200, JSON.stringify(out.body));
  assert.equal(out.body.outcome.kind, 'transferred');
  assertError(await as('demo.commune', 'POST', `/api/v1/consults/${id}/cancel`, { reason: 'Nhầm ca bệnh' }), 409, 'consult_state');
  const closed = await as('demo.doctor', 'POST', `/api/v1/consults/${id}/close`);
  assert.equal(closed.body.state, 'closed');
  // Every step is in the history, with when and by whom.
  const steps = closed.body.events.map((e) => e.action);
  assert.deepEqual(steps, ['created', 'submitted', 'accepted', 'participant_added', 'site_added', 'answered', 'scheduled',
    'concluded', 'minutes_signed', 'conclusion_amended', 'minutes_amended', 'outcome_recorded', 'closed']);
  assert.ok(closed.body.events.every((e) => e.by && e.at));
  // No case is deleted through the API.
  assert.equal((await as('demo.commune', 'DELETE', `/api/v1/consults/${id}`)).status, 405);

  // For teaching: de-identified.
  const ex = await as('demo.doctor', 'GET', `/api/v1/consults/${id}/export`);
  assert.equal(ex.status, 200, JSON.stringify(ex.body));
  const s = JSON.stringify(ex.body);
  for (const secret of [p.full_name, 'Mỷ', 'Lũng Cú', 'Nguyễn Văn An', '1961'])
    assert.ok(!s.includes(secret), `export leaks "${secret}"`);
  assert.equal(ex.body.patient.age_band, '65-69');
  assert.ok(ex.body.deidentification.warnings.some((w) => w.includes('faces')));
  assert.equal(ex.body.questions[0].conclusion, CONCLUSION);
  assert.notEqual(ex.body.requested_at.slice(0, 10), closed.body.requested_at.slice(0, 10), 'dates shifted');
  assertError(await as('demo.trainer', 'GET', `/api/v1/consults/${id}/export`), 403);
});

// Hole 11's shape: "every question answered" holds over a case with none, and "every question of
// the minutes concluded" over minutes with none. The API never stores a case without questions (1
// to 10 at creation and on every change), so these are cases changed outside it (an import, a
// repair): the conclusion and the signature check what they conclude and sign.
async function discussed() {
  const c = await newCase();
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/accept`, {})).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/opinions`, { opinion: 'Nghĩ đến lao phổi, cần xét nghiệm đờm.' })).status, 200);
  return c;
}
const answersFor = (c, text = 'Nghĩ nhiều đến lao phổi.') => c.questions.map((q) => ({ question_id: q.id, conclusion: text }));

test('a case with no question is not concluded: 409 no_questions; nor a case made without questions', async () => {
  await refused(as('demo.commune', 'POST', '/api/v1/consults', { patient_id: (await newPatient()).id, ...CASE, questions: [] }), 400, 'questions', 'created without questions');
  const c = await discussed();
  srv.sql(`DELETE FROM consult_questions WHERE consult_id = ${c.id}`);
  const none = await refused(as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/conclusion`, { answers: [], recommendation: 'transfer' }), 409, null, 'no question');
  assert.equal(none.body.error.code, 'no_questions');
  assert.equal(none.body.error.message, 'Ca hội chẩn không có câu hỏi nào để kết luận', 'in Vietnamese alone (no Accept-Language)');
  assert.equal(srv.sql(`SELECT state || ' ' || COALESCE(recommendation, '-') FROM consults WHERE id = ${c.id}`), 'answered -');
});

test('minutes with no conclusion are not signed: 409 conclusion_missing — no question, a question unanswered, no recommendation', async () => {
  const c = await discussed();
  const con = await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/conclusion`, { answers: answersFor(c), recommendation: 'more_tests' });
  assert.equal(con.status, 200, JSON.stringify(con.body));
  const sign = () => as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/minutes`, {});
  const saved = srv.sql(`SELECT id || ':' || conclusion FROM consult_questions WHERE consult_id = ${c.id} ORDER BY id`);
  for (const [tamper, what] of [
    [`UPDATE consult_questions SET conclusion = NULL WHERE id = ${c.questions[1].id}`, 'a question without its conclusion'],
    [`DELETE FROM consult_questions WHERE consult_id = ${c.id}`, 'no question at all'],
    [`UPDATE consults SET recommendation = NULL WHERE id = ${c.id}`, 'no recommendation'],
  ]) {
    srv.sql(tamper);
    const r = await refused(sign(), 409, null, what);
    assert.equal(r.body.error.code, 'conclusion_missing', what);
    assert.match(r.body.error.message, /^Biên bản chưa có kết luận [^/]*$/);
    // Put back as it was concluded.
    srv.sql(`DELETE FROM consult_questions WHERE consult_id = ${c.id}`);
    c.questions.forEach((q, i) => srv.sql(`INSERT INTO consult_questions (id, consult_id, position, question, conclusion)
      VALUES (${q.id}, ${c.id}, ${i + 1}, '${q.question}', '${saved.split('\n')[i].split(':').slice(1).join(':')}')`));
    srv.sql(`UPDATE consults SET recommendation = 'more_tests' WHERE id = ${c.id}`);
  }
  assert.equal(srv.sql(`SELECT COUNT(*) FROM consult_minutes WHERE consult_id = ${c.id}`), '0');
  const ok = await sign();
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});

test('no one accepts in time: the case escalates one level up, then says there is nowhere higher', async () => {
  const c = await newCase({ urgency: 'emergency' });
  assert.equal(c.assigned.id, facilityId('BVDK-HAGIANG'));
  const p = c.patient.id;
  const at = async (minutes) => {
    await srv.stop();
    srv.env = { YTEXA_CLOCK_OFFSET_MS: String(minutes * MIN) };
    await srv.restart();
    for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist']) S[u] = await login(srv, u);
  };
  const waitFor = async (pred) => {
    for (let i = 0; i < 100; i++) {
      const r = await as('demo.commune', 'GET', `/api/v1/consults/${c.id}`);
      if (pred(r.body)) return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.fail('the escalator did not act');
  };
  try {
    await at(10);
    assert.equal((await as('demo.commune', 'GET', `/api/v1/consults/${c.id}`)).body.escalation_level, 0, '10 minutes: not yet');
    await at(16);
    const up = await waitFor((b) => b.escalation_level === 1);
    assert.equal(up.assigned.id, facilityId('BV-BACHMAI'), 'Bạch Mai supports Hà Giang for imaging');
    const ev = up.events.at(-1);
    assert.equal(ev.action, 'escalated');
    assert.equal(ev.by, null, 'the server did it');
    assert.equal(ev.from_facility.id, facilityId('BVDK-HAGIANG'));
    // The hub that let it lapse no longer sees the case or the patient; the new one does.
    assertError(await as('demo.doctor', 'GET', `/api/v1/consults/${c.id}`), 404);
    assertError(await as('demo.doctor', 'GET', `/api/v1/patients/${p}`), 404);
    assert.equal((await as('demo.specialist', 'GET', `/api/v1/patients/${p}`)).status, 200);
    assert.ok((await as('demo.specialist', 'GET', '/api/v1/consults?box=inbox')).body.items.some((i) => i.id === c.id));
    await at(33);
    const top = await waitFor((b) => b.events.at(-1).action === 'escalation_exhausted');
    assert.equal(top.assigned.id, facilityId('BV-BACHMAI'), 'stays with the top hub');
    assert.equal(top.accept_due_at, null);
    assert.equal(top.state, 'requested');
    const acc = await as('demo.specialist', 'POST', `/api/v1/consults/${c.id}/accept`, {});
    assert.equal(acc.status, 200, JSON.stringify(acc.body));
  } finally {
    await srv.stop();
    srv.env = {};
    await srv.restart();
    for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
    S['dongvan.doctor'] = await login(srv, 'dongvan.doctor', 'Đồng Văn 2026 mật khẩu');
  }
});

test('deadlines per urgency are the ministry\'s to set', async () => {
  assert.deepEqual((await as('demo.commune', 'GET', '/api/v1/consult-deadlines')).body, { emergency: 15, urgent: 120, routine: 1440 });
  assertError(await as('demo.province-admin', 'PUT', '/api/v1/consult-deadlines', { emergency: 5 }), 403);
  assertError(await api(srv, 'PUT', '/api/v1/consult-deadlines', { body: { emergency: 5 } }), 401);
  for (const bad of [{}, { emergency: 0 }, { urgent: 99999 }, { routine: '60' }, { other: 5 }])
    assertError(await as('demo.ministry-admin', 'PUT', '/api/v1/consult-deadlines', bad), 400);
  const r = await as('demo.ministry-admin', 'PUT', '/api/v1/consult-deadlines', { emergency: 10 });
  assert.deepEqual(r.body, { emergency: 10, urgent: 120, routine: 1440 });
  const c = await newCase({ urgency: 'emergency' });
  assert.equal(Date.parse(c.accept_due_at) - Date.parse(c.requested_at), 10 * MIN);
  await as('demo.ministry-admin', 'PUT', '/api/v1/consult-deadlines', { emergency: 15 });
});

test('declined: to the next hub up; reassigned: to a named facility; the requester only before acceptance', async () => {
  const c = await newCase({ specialty: 'internal', kind: 'general' });
  assert.equal(c.assigned.id, facilityId('TTYT-DONGVAN'), 'the district centre first');
  await refused(as('dongvan.doctor', 'POST', `/api/v1/consults/${c.id}/decline`, {}), 400, 'reason');
  const d = await as('dongvan.doctor', 'POST', `/api/v1/consults/${c.id}/decline`, { reason: 'Không có bác sĩ nội trực hôm nay' });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.assigned.id, facilityId('BVDK-HAGIANG'), 'Hà Giang supports Đồng Văn');
  assert.equal(d.body.events.at(-1).action, 'declined');
  assert.equal(d.body.events.at(-1).reason, 'Không có bác sĩ nội trực hôm nay');
  assertError(await as('dongvan.doctor', 'GET', `/api/v1/consults/${c.id}`), 404);
  // Reassigning to a place without the specialty, to the requester, or to a station is refused.
  for (const code of ['TYT-MEOVAC', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'SYT-TUYENQUANG'])
    await refused(as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/reassign`, { facility_id: facilityId(code), reason: 'Chuyển nơi khác' }), 400, 'facility_id', code);
  await refused(as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/reassign`, { facility_id: 999999, reason: 'Chuyển nơi khác' }), 400, 'facility_id');
  await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/accept`, {});
  assertError(await as('demo.commune', 'POST', `/api/v1/consults/${c.id}/reassign`, { facility_id: facilityId('BV-BACHMAI'), reason: 'Muốn Bạch Mai' }), 403);
  const re = await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/reassign`, { facility_id: facilityId('BV-BACHMAI'), reason: 'Cần chuyên gia tim mạch' });
  assert.equal(re.status, 200, JSON.stringify(re.body));
  assert.equal(re.body.state, 'requested');
  assert.equal(re.body.chair, null);
  assert.equal(re.body.assigned.id, facilityId('BV-BACHMAI'));
  assertError(await as('demo.doctor', 'GET', `/api/v1/consults/${c.id}`), 404);
  // With nowhere else in the network to go, a decline is refused: the hub must name a facility.
  assertError(await as('demo.specialist', 'POST', `/api/v1/consults/${c.id}/decline`, { reason: 'Quá tải' }), 409, 'no_other_hub');
  // While it waits, the requester may move it too.
  const mine = await as('demo.commune', 'POST', `/api/v1/consults/${c.id}/reassign`, { facility_id: facilityId('BV-TWTN'), reason: 'Gần hơn' });
  assert.equal(mine.body.assigned.id, facilityId('BV-TWTN'));
});

test('consent: no case leaves the station without it, except an emergency, which is recorded', async () => {
  const p = await newPatient(false);
  const draft = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE });
  await refused(as('demo.commune', 'POST', `/api/v1/consults/${draft.body.id}/submit`), 409, null, 'no consent');
  assert.equal((await as('demo.commune', 'GET', `/api/v1/consults/${draft.body.id}`)).body.state, 'draft');
  await as('demo.commune', 'PATCH', `/api/v1/consults/${draft.body.id}`, { urgency: 'emergency' });
  const sent = await as('demo.commune', 'POST', `/api/v1/consults/${draft.body.id}/submit`);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body.events.at(-1).reason, 'consent_bypassed: emergency');
  // A sent case is no longer a draft to edit.
  await refused(as('demo.commune', 'PATCH', `/api/v1/consults/${draft.body.id}`, { summary: 'Sửa lại tóm tắt bệnh án' }), 409);
});

test('bad input is refused with the field named, and writes nothing', async () => {
  const p = await newPatient();
  const other = (await as('demo.doctor', 'POST', '/api/v1/patients', { full_name: 'Lý Văn Hải', birth_year: 1990, sex: 'male' })).body;
  const hgFile = await tusUpload(srv, S['demo.doctor'].token, png(32, 32), 'anh.png');
  const base = { patient_id: p.id, ...CASE };
  const cases = [
    [{ ...base, summary: 'ngắn' }, 'summary'],
    [{ ...base, urgency: 'asap' }, 'urgency'],
    [{ ...base, kind: 'mri' }, 'kind'],
    [{ ...base, specialty: 'astrology' }, 'specialty'],
    [{ ...base, questions: [] }, 'questions'],
    [{ ...base, questions: ['a'] }, 'questions'],
    [{ ...base, questions: [1, 2] }, 'questions'],
    [{ ...base, questions: Array(11).fill('Câu hỏi?') }, 'questions'],
    [{ ...base, questions: 'Một câu hỏi' }, 'questions'],
    [{ ...base, file_ids: [hgFile] }, 'file_ids'],
    [{ ...base, file_ids: ['x'] }, 'file_ids'],
    [{ ...base, file_ids: [999999] }, 'file_ids'],
    [{ ...base, submit: 'yes' }, 'submit'],
    [{ ...base, patient_id: 'x' }, 'patient_id'],
    [{ ...base, extra: 1 }, 'extra'],
    [{ ...CASE }, 'patient_id'],
  ];
  for (const [body, field] of cases)
    await refused(as('demo.commune', 'POST', '/api/v1/consults', body), 400, field, JSON.stringify(body).slice(0, 80));
  await refused(as('demo.commune', 'POST', '/api/v1/consults', { ...base, patient_id: other.id }), 404, null, 'another facility\'s patient');
  await refused(as('demo.commune', 'POST', '/api/v1/consults', { ...base, specialty: 'neurology', submit: true }), 409, null, 'no route');
  const c = await newCase();
  for (const [path, body, field] of [
    ['accept', { chair_id: userId('demo.commune') }, 'chair_id'],
    ['accept', { secretary_id: 'x' }, 'secretary_id'],
    ['accept', { chair: 1 }, 'chair'],
  ])
    await refused(as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/${path}`, body), 400, field, path);
  await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/accept`, {});
  for (const [path, body, field] of [
    ['participants', { user_id: userId('demo.trainer'), role: 'specialist' }, 'user_id'],
    ['participants', { user_id: userId('demo.specialist'), role: 'chair' }, 'role'],
    ['participants', { facility_id: 999999, role: 'site' }, 'facility_id'],
    ['participants', { user_id: userId('demo.specialist'), facility_id: 1, role: 'specialist' }, null],
    ['session', { at: 'tomorrow' }, 'at'],
    ['session', { at: '2020-01-01T09:00:00+07:00' }, 'at'],
    ['opinions', { opinion: '' }, 'opinion'],
    ['opinions', { opinion: 'x'.repeat(8001) }, 'opinion'],
    ['files', { file_id: hgFile + 100000 }, 'file_id'],
    ['cancel', { reason: '' }, 'reason'],
  ])
    await refused(as(path === 'cancel' ? 'demo.commune' : 'demo.doctor', 'POST', `/api/v1/consults/${c.id}/${path}`, body), 400, field, path);
  // Concluding needs a live session or an opinion, then an opinion, then every question answered.
  assertError(await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/conclusion`, { answers: [], recommendation: 'transfer' }), 409, 'consult_state');
  await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/session`, { at: new Date(Date.now() + 86400e3).toISOString() });
  assertError(await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/conclusion`, { answers: [], recommendation: 'transfer' }), 409, 'no_opinion');
  await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/opinions`, { opinion: 'Theo dõi thêm, chụp lại phim sau 2 tuần.' });
  for (const [body, field] of [
    [{ answers: [], recommendation: 'pray' }, 'recommendation'],
    [{ answers: [{ question_id: 1 }], recommendation: 'transfer' }, 'answers'],
    [{ answers: [{ question_id: 999999, conclusion: 'Không rõ' }], recommendation: 'transfer' }, 'answers'],
    [{ answers: 'tất cả', recommendation: 'transfer' }, 'answers'],
    [{ answers: [], recommendation: 'transfer', extra: true }, 'extra'],
  ])
    await refused(as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/conclusion`, body), 400, field, JSON.stringify(body));
  for (const q of ['box=all', 'state=lost', 'cursor=x', 'limit=0'])
    assertError(await as('demo.commune', 'GET', `/api/v1/consults?${q}`), 400);
  for (const path of ['/api/v1/consults/0', '/api/v1/consults/abc', '/api/v1/consults/99999999'])
    assertError(await as('demo.commune', 'GET', path), 404);
  assertError(await as('demo.commune', 'GET', `/api/v1/consults/${c.id}/minutes/1/pdf`), 404);
  // A case is exported for teaching only once it is concluded.
  assertError(await as('demo.doctor', 'GET', `/api/v1/consults/${c.id}/export`), 409, 'consult_state');
});

test('who may not: other roles, logged out, another facility; a retried creation makes one case', async () => {
  const c = await newCase();
  const p = await newPatient();
  for (const who of ['demo.trainer', 'demo.facility-admin', 'demo.province-admin', 'demo.ministry-admin', 'demo.patient']) {
    await refused(as(who, 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE }), 403, null, who);
    assertError(await as(who, 'GET', '/api/v1/consults'), 403);
    // Roles that never take part in a case are refused whatever the case (no record is looked at).
    assertError(await as(who, 'GET', `/api/v1/consults/${c.id}`), 403);
  }
  for (const [method, path] of [['GET', '/api/v1/consults'], ['POST', '/api/v1/consults'], ['GET', `/api/v1/consults/${c.id}`],
    ['POST', `/api/v1/consults/${c.id}/accept`], ['POST', `/api/v1/consults/${c.id}/opinions`], ['GET', '/api/v1/consult-deadlines']])
    assertError(await api(srv, method, path, { body: method === 'POST' ? {} : undefined }), 401);
  // Bạch Mai's specialist is not part of it: every action is "no such case".
  // (Each with a body its route takes: a body it refuses is answered 400 before any case is looked at.)
  const at = new Date(Date.now() + 86400e3).toISOString();
  for (const [path, body] of [['accept', {}], ['decline', { reason: 'Không đủ chuyên môn' }], ['reassign', { facility_id: 1, reason: 'Cần tuyến trên' }],
    ['opinions', { opinion: 'Ý kiến của tôi' }], ['participants', { user_id: 1, role: 'observer' }], ['session', { at }],
    ['conclusion', { answers: [], recommendation: 'transfer' }], ['minutes', {}], ['outcome', { outcome: 'stable' }], ['close', {}],
    ['cancel', { reason: 'Nhầm ca bệnh' }], ['files', { file_id: 1 }], ['submit', {}]])
    assertError(await as('demo.specialist', 'POST', `/api/v1/consults/${c.id}/${path}`, body), 404);
  assertError(await as('demo.specialist', 'GET', `/api/v1/consults/${c.id}/export`), 404);
  const inbox = (who) => as(who, 'GET', '/api/v1/consults?box=inbox&limit=200');
  assert.ok((await inbox('demo.doctor')).body.items.some((i) => i.id === c.id), 'the hub\'s inbox lists it');
  const elsewhere = await inbox('demo.specialist');
  assert.equal(elsewhere.status, 200);
  assert.ok(!elsewhere.body.items.some((i) => i.id === c.id));
  // The hub may not edit or cancel the requester's case, nor write the outcome.
  assertError(await as('demo.doctor', 'PATCH', `/api/v1/consults/${c.id}`, { summary: 'Tóm tắt mới của tuyến trên' }), 403);
  assertError(await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/cancel`, { reason: 'Không cần nữa' }), 403);
  // Idempotency-Key: a retry after a lost answer gets the first answer, and there is one case.
  const key = { 'idempotency-key': `consult-${Date.now()}` };
  const before = srv.sql('SELECT COUNT(*) FROM consults');
  const a = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE, submit: true }, key);
  const b = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE, submit: true }, key);
  assert.equal(a.status, 201);
  assert.equal(b.body.id, a.body.id);
  assert.equal(Number(srv.sql('SELECT COUNT(*) FROM consults')), Number(before) + 1);
  assert.ok((await inbox('demo.doctor')).body.items.some((i) => i.id === a.body.id), 'listed while it is open');
  // The requester cancels with a reason; the hub's inbox no longer lists it.
  const x = await as('demo.commune', 'POST', `/api/v1/consults/${a.body.id}/cancel`, { reason: 'Bệnh nhân đã tự chuyển viện' });
  assert.equal(x.body.state, 'cancelled');
  assert.ok(!(await inbox('demo.doctor')).body.items.some((i) => i.id === a.body.id));
  const outbox = await as('demo.commune', 'GET', '/api/v1/consults?box=outbox&limit=2');
  assert.equal(outbox.body.items.length, 2);
  assert.ok(outbox.body.next_cursor);
  const page2 = await as('demo.commune', 'GET', `/api/v1/consults?box=outbox&limit=2&cursor=${outbox.body.next_cursor}`);
  // The second page goes on where the first stopped: the same ids as one page of four.
  const four = await as('demo.commune', 'GET', '/api/v1/consults?box=outbox&limit=4');
  assert.ok(four.body.items.length >= 3, JSON.stringify(four.body.items.map((i) => i.id)));
  assert.deepEqual([...outbox.body.items, ...page2.body.items].map((i) => i.id), four.body.items.map((i) => i.id));
  assert.ok(page2.body.items.every((i) => i.id < outbox.body.items[1].id));
});

// A case accepted by the hub with Bạch Mai's specialist invited, and three images attached: the
// station's X-ray, the hub doctor's annotated copy, the specialist's comparison (made once).
let attached;
async function caseWithImages() {
  if (attached) return attached;
  const p = await newPatient();
  const xray = await tusUpload(srv, S['demo.commune'].token, png(64, 48), 'X-quang ngực trạm chụp.png');
  const c = await newCase({ patient_id: p.id, file_ids: [xray] });
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/accept`, {})).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/participants`, { user_id: userId('demo.specialist'), role: 'specialist' })).status, 200);
  // The hub's doctor and Bạch Mai's specialist each add an image of their own.
  const annotated = await tusUpload(srv, S['demo.doctor'].token, png(64, 48), 'Phim có chú thích của tuyến tỉnh.png');
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/files`, { file_id: annotated })).status, 200);
  const second = await tusUpload(srv, S['demo.specialist'].token, png(64, 48), 'Ảnh so sánh Bạch Mai.png');
  assert.equal((await as('demo.specialist', 'POST', `/api/v1/consults/${c.id}/files`, { file_id: second })).status, 200);
  attached = { c, p, xray, annotated, second };
  return attached;
}

test('a case\'s attachments are read exactly by the case\'s readers: not by the trainers or administrators of the facility that stored them', async () => {
  const ROUTES = ['', '/meta', '/thumbnail', '/preview'];
  const { c, p, xray, annotated, second } = await caseWithImages();
  // The case's readers read every one of them, wherever it was stored.
  for (const who of ['demo.commune', 'demo.doctor', 'demo.specialist'])
    for (const f of [xray, annotated, second])
      for (const route of ROUTES)
        assert.equal((await as(who, 'GET', `/api/v1/files/${f}${route}`)).status, 200, `${who} reads ${f}${route}`);
  // The hub's administrator and Bạch Mai's trainer do not read the chart, nor its attachments —
  // not even those their own facility stored: each answer is the absent file's, byte for byte.
  for (const [who, theirs] of [['demo.facility-admin', annotated], ['demo.trainer', second]]) {
    // (Their roles take no part in cases or charts at all: refused whatever the id.)
    assertError(await as(who, 'GET', `/api/v1/consults/${c.id}`), 403);
    assertError(await as(who, 'GET', `/api/v1/patients/${p.id}`), 403);
    for (const f of [theirs, xray])
      for (const route of ROUTES) {
        const r = await as(who, 'GET', `/api/v1/files/${f}${route}`);
        const absent = await as(who, 'GET', `/api/v1/files/99999999${route}`);
        assertError(r, 404);
        assert.deepEqual([r.status, r.body], [absent.status, absent.body], `${who} ${f}${route}`);
      }
  }
});

test('a clinical file never becomes course material, and a course material is no part of a case', async () => {
  const { c, annotated, second } = await caseWithImages();
  // No course takes a case's images. Bạch Mai's trainer cannot even name the specialist's image: the same
  // answer as a file that does not exist.
  const course = await as('demo.trainer', 'POST', '/api/v1/courses', {
    title: 'Đọc phim X-quang ngực cho tuyến xã', specialty: 'imaging', target_roles: ['health_worker'], target_levels: ['commune'], credit_hours: 1,
  });
  assert.equal(course.status, 201, JSON.stringify(course.body));
  const material = (who, courseId, file) => as(who, 'POST', `/api/v1/courses/${courseId}/materials`, { title: 'Phim minh hoạ', file_id: file });
  const materials = () => srv.sql('SELECT COUNT(*) FROM course_materials');
  const before = materials();
  const foreign = await material('demo.trainer', course.body.id, second);
  const absent = await material('demo.trainer', course.body.id, 99999999);
  assertError(foreign, 400);
  assert.equal(foreign.body.error.field, 'file_id');
  const same = (r, id) => JSON.stringify(r.body).replaceAll(String(id), 'N');
  assert.equal(same(foreign, second), same(absent, 99999999), 'like an absent file');
  // Her own clinical upload she may read, but it is part of a patient's care: refused by name.
  const own = await tusUpload(srv, S['demo.trainer'].token, png(64, 48), 'Ảnh chụp tại khoa.png');
  const named = await material('demo.trainer', course.body.id, own);
  assertError(named, 409, 'not_course_material');
  assert.equal(named.body.error.field, 'file_id');
  // A hub doctor named a course's trainer reads the case's image, and still cannot publish it.
  const hubCourse = await as('demo.facility-admin', 'POST', '/api/v1/courses', {
    title: 'Ca khó chẩn đoán hình ảnh của tỉnh', specialty: 'imaging', target_roles: ['health_worker', 'doctor'], target_levels: ['commune', 'district'],
    credit_hours: 1, trainer_ids: [userId('demo.doctor')],
  });
  assert.equal(hubCourse.status, 201, JSON.stringify(hubCourse.body));
  assertError(await material('demo.doctor', hubCourse.body.id, annotated), 409, 'not_course_material');
  assertError(await material('demo.facility-admin', hubCourse.body.id, annotated), 400);
  assert.equal(materials(), before, 'nothing added');
  // And a course material is no part of a case.
  const slides = await tusUpload(srv, S['demo.doctor'].token, png(64, 48), 'Bài giảng.png', { purpose: 'course_material' });
  const notCare = await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/files`, { file_id: slides });
  assertError(notCare, 409, 'not_clinical');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM consult_files WHERE file_id = ${slides}`), '0');
});

test('an attachment follows its case: a hub that passes the case on no longer reads what it attached, its uploader included', async () => {
  const c = await newCase({ specialty: 'internal', kind: 'general' });
  assert.equal(c.assigned.id, facilityId('TTYT-DONGVAN'));
  const tus = { 'tus-resumable': '1.0.0' };
  const ecg = png(64, 48);
  const up = await api(srv, 'POST', '/api/v1/files', { token: S['dongvan.doctor'].token, headers: { ...tus, 'upload-length': String(ecg.length), 'upload-metadata': `filename ${Buffer.from('Điện tim đọc lại.png').toString('base64')}` } });
  const loc = up.headers.get('location');
  const done = await api(srv, 'PATCH', loc, { token: S['dongvan.doctor'].token, raw: ecg, headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } });
  const file = Number(done.headers.get('ytexa-file-id'));
  assert.equal((await as('dongvan.doctor', 'POST', `/api/v1/consults/${c.id}/files`, { file_id: file })).status, 200);
  assert.equal((await as('dongvan.doctor', 'GET', loc)).body.file.id, file);
  assert.equal((await as('dongvan.doctor', 'POST', `/api/v1/consults/${c.id}/decline`, { reason: 'Không có bác sĩ nội trực hôm nay' })).status, 200);
  // The case is Hà Giang's now: its doctor reads the ECG; Đồng Văn, which made it, no longer does.
  assert.equal((await as('demo.doctor', 'GET', `/api/v1/files/${file}`)).status, 200);
  assert.equal((await as('demo.commune', 'GET', `/api/v1/files/${file}`)).status, 200);
  const absentFile = await as('dongvan.doctor', 'GET', '/api/v1/files/99999999');
  const absentUpload = await as('dongvan.doctor', 'GET', `/api/v1/files/uploads/${'0'.repeat(32)}`);
  for (const route of ['', '/meta', '/thumbnail', '/preview']) {
    const r = await as('dongvan.doctor', 'GET', `/api/v1/files/${file}${route}`);
    assert.deepEqual([r.status, r.body], [404, (await as('dongvan.doctor', 'GET', `/api/v1/files/99999999${route}`)).body]);
  }
  const gone = await as('dongvan.doctor', 'GET', loc);
  assert.deepEqual([gone.status, gone.body], [absentUpload.status, absentUpload.body]);
  assert.equal(absentFile.status, 404);
  assert.equal((await api(srv, 'HEAD', loc, { token: S['dongvan.doctor'].token, headers: tus })).status, 404);
});
