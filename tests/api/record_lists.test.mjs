// The patient record's lists (issue 21, "Smaller things found on the walk"): the consultations and
// signed prescriptions of one patient, newest first, for the record's page. Checked as the record
// is: another facility's patient answers exactly as an absent one; a hospital that reads the
// patient through a share sees only what it took part in; bad paging is refused with the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';

let srv;
const S = {};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const get = (path, who = 'demo.commune') => as(who, 'GET', path);
const userId = (username) => Number(srv.sql(`SELECT id FROM users WHERE username = '${username}'`));
const ITEMS = [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30 }];
const CASE = { summary: 'Ho kéo dài 3 tuần, sốt nhẹ về chiều, sụt cân', questions: ['Phim có tổn thương lao không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging' };

before(async () => {
  srv = await startSignedIn(S);
});
after(() => srv?.stop());

async function patient(name) {
  const r = await as('demo.commune', 'POST', '/api/v1/patients', { full_name: name, birth_year: 1968, sex: 'male' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  for (const purpose of ['remote_care', 'data_processing'])
    assert.equal((await as('demo.commune', 'POST', `/api/v1/patients/${r.body.id}/consents`, { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' })).status, 201);
  return r.body;
}
async function signedRx(p) {
  const v = await as('demo.commune', 'POST', '/api/v1/visits', { patient_id: p.id, doctor_id: userId('demo.doctor'), mode: 'chat', reason: 'Tăng huyết áp tái khám' });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/transitions`, { to: 'in_progress' })).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/diagnoses`, { icd10: 'I10', primary: true })).status, 201);
  const d = await as('demo.doctor', 'POST', `/api/v1/visits/${v.body.id}/prescriptions`, { items: ITEMS });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${d.body.id}/sign`)).status, 200);
  return { visit: v.body, rx: d.body };
}

test('the record lists the patient\'s consultations and signed prescriptions, newest first', async () => {
  const p = await patient('Vàng Seo Chứ');
  const other = await patient('Lù Thị Mỷ');
  const c1 = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE, submit: true });
  assert.equal(c1.status, 201, JSON.stringify(c1.body));
  const c2 = await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: p.id, ...CASE, summary: 'Đau ngực trái khi gắng sức, khó thở' });
  assert.equal(c2.status, 201);
  await as('demo.commune', 'POST', '/api/v1/consults', { patient_id: other.id, ...CASE });
  const a = await signedRx(p);
  const b = await signedRx(p);
  // A draft is not listed: it is not a prescription yet.
  await as('demo.doctor', 'POST', `/api/v1/visits/${b.visit.id}/prescriptions`, { items: ITEMS }).catch(() => {});

  const cs = await get(`/api/v1/patients/${p.id}/consults`);
  assert.equal(cs.status, 200, JSON.stringify(cs.body));
  assert.deepEqual(cs.body.items.map((c) => [c.id, c.state]), [[c2.body.id, 'draft'], [c1.body.id, 'requested']]);
  assert.equal(cs.body.items[1].summary, CASE.summary);
  assert.ok(cs.body.items[0].created_at);
  assert.equal(cs.body.items[1].assigned.name.length > 0, true);

  const rx = await get(`/api/v1/patients/${p.id}/prescriptions`);
  assert.equal(rx.status, 200, JSON.stringify(rx.body));
  assert.deepEqual(rx.body.items.map((x) => [x.id, x.visit_id, x.status]), [[b.rx.id, b.visit.id, 'signed'], [a.rx.id, a.visit.id, 'signed']]);
  assert.equal(rx.body.items[0].items[0].medicine, 'Amlodipin');
  assert.equal(rx.body.items[0].signature.name, 'Nguyễn Văn An');

  // Paged: one at a time, the cursor goes on to the older one.
  const one = await get(`/api/v1/patients/${p.id}/prescriptions?limit=1`);
  assert.deepEqual(one.body.items.map((x) => x.id), [b.rx.id]);
  assert.ok(one.body.next_cursor);
  const two = await get(`/api/v1/patients/${p.id}/prescriptions?limit=1&cursor=${encodeURIComponent(one.body.next_cursor)}`);
  assert.deepEqual(two.body.items.map((x) => x.id), [a.rx.id]);

  // The doctor's hospital reads the patient through the visits' share: the prescriptions it wrote,
  // not the station's cases sent elsewhere (the imaging hub of Lũng Cú is Hà Giang: it has c1).
  const hub = await get(`/api/v1/patients/${p.id}/prescriptions`, 'demo.doctor');
  assert.equal(hub.status, 200);
  assert.deepEqual(hub.body.items.map((x) => x.id), [b.rx.id, a.rx.id]);
  const hubCases = await get(`/api/v1/patients/${p.id}/consults`, 'demo.doctor');
  assert.equal(hubCases.status, 200);
  assert.ok(!hubCases.body.items.some((c) => c.id === c2.body.id), 'a draft the station kept is not the hub\'s');
});

test('another facility\'s patient answers as an absent one; roles without records are refused; bad paging names the field', async () => {
  const p = await patient('Sùng Mí Dế');
  const absent = Number(srv.sql('SELECT MAX(id) FROM patients')) + 1000;
  for (const what of ['consults', 'prescriptions']) {
    const foreign = await get(`/api/v1/patients/${p.id}/${what}`, 'demo.specialist');
    const none = await get(`/api/v1/patients/${absent}/${what}`, 'demo.specialist');
    assertError(foreign, 404);
    assert.deepEqual(foreign.body, none.body, `${what}: another facility's patient answers as an absent one`);
    assertError(await get(`/api/v1/patients/${p.id}/${what}`, 'demo.patient'), 403);
    assertError(await get(`/api/v1/patients/${p.id}/${what}`, 'demo.facility-admin'), 403);
    assertError(await get(`/api/v1/patients/${p.id}/${what}`, 'demo.trainer'), 403);
    assertError(await get(`/api/v1/patients/abc/${what}`), 404);
    for (const [q, field] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['limit=100000', 'limit'], ['cursor=abc', 'cursor'], ['cursor=-5', 'cursor']]) {
      const r = await get(`/api/v1/patients/${p.id}/${what}?${q}`);
      assertError(r, 400);
      assert.equal(r.body.error.field, field, `${what}?${q}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.error.code, 'the error has a code');
    }
    const lo = await api(srv, 'GET', `/api/v1/patients/${p.id}/${what}`);
    assertError(lo, 401);
  }
});
