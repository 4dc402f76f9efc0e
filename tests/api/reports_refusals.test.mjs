// Prescriptions refused by Circular 30 (docs/reports.md, "Refused prescriptions"): a prescription
// for a condition not on the remote-care list still answers 409 not_remote_treatable and writes no
// prescription, but the refusal is kept (prescription_refusals) — once a visit and diagnosis,
// whether refused on creation or on signing — and the visits report counts it:
// prescriptions_refused, and refused_pct = refused ÷ (signed + refused), by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, assertError } from './lib/server.mjs';

let srv;
const S = {};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const one = (q) => srv.sql(q).split('\n')[0];
const ITEMS = [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30, unit: 'viên' }];
// This month in Vietnam: the refusals are kept at the time they happen.
const MONTH = new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 7);

let seq = 0;
async function startedVisit() {
  const p = await as('demo.commune', 'POST', '/api/v1/patients', { full_name: `Giàng Thị Mỷ ${seq++}`, birth_year: 1980, sex: 'female' });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  for (const purpose of ['remote_care', 'data_processing'])
    assert.equal((await as('demo.commune', 'POST', `/api/v1/patients/${p.body.id}/consents`,
      { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' })).status, 201);
  const doctor = Number(one("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const v = await as('demo.commune', 'POST', '/api/v1/visits', { patient_id: p.body.id, doctor_id: doctor, mode: 'chat', reason: 'Ho, sốt 5 ngày' });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  assert.equal((await as('demo.commune', 'POST', `/api/v1/visits/${v.body.id}/transitions`, { to: 'in_progress' })).status, 200);
  return v.body;
}
const diagnose = (v, icd10) => as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10, primary: true });
const prescribe = (v) => as('demo.doctor', 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS });
const report = (query = '') => api(srv, 'GET', `/api/v1/reports/visits?period=month:${MONTH}${query}`, { token: S['demo.ministry-admin'].token });

before(async () => {
  srv = await startSignedIn(S);
});
after(() => srv?.close());

test('nothing refused: the columns are there, 0 and no share', async () => {
  const r = await report();
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.columns.some((c) => c.key === 'prescriptions_refused' && c.label_vi.includes('Thông tư 30')));
  assert.equal(r.body.totals.prescriptions_refused, 0);
  assert.equal(r.body.totals.refused_pct, null);
});

test('a refused prescription still answers 409 and writes no prescription, but is counted once in the visits report', async () => {
  // Visit A: pneumonia (J18.9) is not on the list; refused twice, one refusal.
  const a = await startedVisit();
  assert.equal((await diagnose(a, 'J18.9')).status, 201);
  for (let i = 0; i < 2; i++) {
    const no = await prescribe(a);
    assertError(no, 409, 'not_remote_treatable');
    assert.equal(no.body.error.icd10, 'J18.9');
  }
  assert.equal(one(`SELECT COUNT(*) FROM prescriptions WHERE visit_id = ${a.id}`), '0');
  assert.equal(one(`SELECT code || ' ' || icd10 || ' ' || by_user FROM prescription_refusals WHERE visit_id = ${a.id}`),
    `not_remote_treatable J18.9 ${one("SELECT id FROM users WHERE username = 'demo.doctor'")}`);
  // Visit B: hypertension (I10) is on the list: a draft, then signed.
  const b = await startedVisit();
  assert.equal((await diagnose(b, 'I10')).status, 201);
  const draft = await prescribe(b);
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/prescriptions/${draft.body.id}/sign`)).status, 200);
  // Visit C: a draft for I10, then the primary diagnosis becomes J18.9: signing is refused and kept.
  const c = await startedVisit();
  assert.equal((await diagnose(c, 'I10')).status, 201);
  const draftC = await prescribe(c);
  assert.equal(draftC.status, 201);
  assert.equal((await diagnose(c, 'J18.9')).status, 201);
  assertError(await as('demo.doctor', 'POST', `/api/v1/prescriptions/${draftC.body.id}/sign`), 409, 'not_remote_treatable');
  assert.equal(one(`SELECT status FROM prescriptions WHERE id = ${draftC.body.id}`), 'draft');
  // By hand: refused 2 (A once, C), signed 1 (B): 2 ÷ (1 + 2) = 66.7 %.
  const r = await report();
  assert.equal(r.body.totals.prescriptions_refused, 2);
  assert.equal(r.body.totals.prescriptions_signed, 1);
  assert.equal(r.body.totals.refused_pct, 66.7);
  // All three visits are at the demo commune's station: one row, the same figures.
  const rows = (await report('&by=facility')).body.rows;
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].values.prescriptions_refused, rows[0].values.refused_pct], [2, 66.7]);
  // Another month has none of them.
  const before = await api(srv, 'GET', '/api/v1/reports/visits?period=month:2025-01', { token: S['demo.ministry-admin'].token });
  assert.equal(before.body.totals.prescriptions_refused, 0);
});
