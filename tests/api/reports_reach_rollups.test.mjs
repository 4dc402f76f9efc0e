// The reach report's rollups (migration 0026, docs/reports.md "How it is computed, and its bound"):
// every write that moves a figure, through the triggers that keep the rollups — a person seen twice
// in a month or in two months of a year counts once, a person turning 60 (or 6) on the period's
// last day, the people new in the period counted in the age group of its last day, a visit started
// and a consultation requested after they were written, a consent withdrawn, a patient moved to
// another facility and ethnicity, and the empty period. Rows are written straight into the
// database (so the triggers, not the API, keep the rollups), in facility TYT-YTY where the demo
// registers nobody; every expected figure is worked out by hand from the list below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api } from './lib/server.mjs';

let srv;
const S = {};
const get = (query) => api(srv, 'GET', '/api/v1/reports/reach' + query, { token: S['demo.ministry-admin'].token });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const at = (iso) => Date.parse(iso);
const fig = (registered, nw, consented, reached, per) => ({ registered, new: nw, consented, reached, reached_per_1000: per });
const ZERO = fig(0, 0, 0, 0, null);
const id = (name) => `(SELECT id FROM patients WHERE full_name = 'Seed ${name}')`;
let doctor, doctorFacility;
const yty = (q) => get(`${q}&facility=${F['TYT-YTY']}`);
const groups = (r) => Object.fromEntries(r.rows.map((x) => [x.key.id, x.values]));

// Everyone at TYT-YTY, Kinh (01). Times are UTC; 03:00Z is 10:00 in Vietnam, 00:00Z is 07:00.
const PEOPLE = [
  // 60 on 31 May 2029, the month's last day; seen twice in May and once in August.
  { name: 'r1', born: '1969-05-31', created: '2029-01-10T00:00:00Z', visits: ['2029-05-03T03:00:00Z', '2029-05-20T03:00:00Z'], consults: ['2029-08-01T03:00:00Z'] },
  { name: 'r2', born: '1990-01-01', created: '2029-02-01T00:00:00Z', consent: '2029-02-01T00:00:00Z' },
  { name: 'r3', born: '1985-01-01', created: '2029-01-05T00:00:00Z', visits: ['2029-04-02T03:00:00Z'] },
  // Registered at 59 on 10 May 2029, 60 on the 20th: new in May and 60 or over at its end.
  { name: 'r4', born: '1969-05-20', created: '2029-05-10T00:00:00Z' },
  // Registered at 5 on 1 May 2029, 6 on the 15th: new in May, no longer under 6 at its end.
  { name: 'r5', born: '2023-05-15', created: '2029-05-01T00:00:00Z' },
  { name: 'r6', born: '2025-01-01', created: '2029-03-01T00:00:00Z' },
];

before(async () => {
  srv = await startSignedIn(S);
  for (const code of ['TYT-LUNGCU', 'TYT-YTY']) F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  doctorFacility = one(`SELECT facility_id FROM users WHERE id = ${doctor}`);
  const sql = [];
  for (const p of PEOPLE) {
    sql.push(`INSERT INTO patients (facility_id, full_name, name_folded, birth_date, birth_year, sex, ethnicity, created_by, created_at, ` +
      `updated_at) VALUES (${F['TYT-YTY']}, 'Seed ${p.name}', 'seed ${p.name}', '${p.born}', ${p.born.slice(0, 4)}, 'male', '01', ` +
      `${doctor}, ${at(p.created)}, ${at(p.created)});`);
    if (p.consent)
      sql.push(`INSERT INTO consents (patient_id, purpose, method, given_by, recorded_by, granted_at) VALUES ` +
        `(${id(p.name)}, 'remote_care', 'paper_signed', 'patient', ${doctor}, ${at(p.consent)});`);
    for (const v of p.visits || []) sql.push(visit(p.name, at(v)));
    for (const c of p.consults || []) sql.push(consult(p.name, at(c)));
  }
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

// A visit, started at ms (null: booked, not started), and a consultation, requested at ms (null: a draft).
function visit(name, ms) {
  const t = ms ?? at('2029-01-01T00:00:00Z');
  return `INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, started_at, ` +
    `created_at, updated_at) VALUES (${id(name)}, ${F['TYT-YTY']}, ${doctor}, ${doctorFacility}, ${doctor}, 'video', ` +
    `'${ms ? 'in_progress' : 'planned'}', 'seed', ${ms ?? 'NULL'}, ${t}, ${t});`;
}
function consult(name, ms) {
  const t = ms ?? at('2029-01-01T00:00:00Z');
  return `INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, requested_at, ` +
    `created_at, updated_at) VALUES (${id(name)}, ${F['TYT-YTY']}, ${doctor}, 'seed', 'routine', 'internal', 'general', ` +
    `'${ms ? 'requested' : 'draft'}', ${ms ?? 'NULL'}, ${t}, ${t});`;
}

test('a person seen twice in a month counts once, and once in a year seen in two of its months', async () => {
  // May 2029: registered by the 31st r1–r6 = 6; new r4, r5 = 2; consented r2 = 1; reached r1 (the 3rd
  // and the 20th) = 1 → 1000 / 6 = 166.7.
  assert.deepEqual((await yty('?period=month:2029-05')).body.totals, fig(6, 2, 1, 1, 166.7));
  // 2029: registered and new r1–r6 = 6; consented r2 = 1; reached r1 (May, August), r3 (April) = 2.
  assert.deepEqual((await yty('?period=year:2029')).body.totals, fig(6, 6, 1, 2, 333.3));
  // Q2: new r4, r5; reached r3 (April), r1 (May).
  assert.deepEqual((await yty('?period=quarter:2029-Q2')).body.totals, fig(6, 2, 1, 2, 333.3));
  // ISO week 18 of 2029 is 30 April to 6 May: registered r1, r2, r3, r5, r6; new r5; reached r1 (the 3rd).
  assert.deepEqual((await yty('?period=week:2029-W18')).body.totals, fig(5, 1, 1, 1, 200));
  assert.deepEqual((await yty('?period=day:2029-05-20')).body.totals, fig(6, 0, 1, 1, 166.7));
  // A range naming the same week is read from the rollups too; two days are no span of theirs and go
  // through the live query (registered r1, r2, r3, r5, r6; r1 reached on the 3rd).
  assert.deepEqual((await yty('?from=2029-04-30&to=2029-05-06')).body.totals, fig(5, 1, 1, 1, 200));
  assert.deepEqual((await yty('?from=2029-05-03&to=2029-05-04')).body.totals, fig(5, 0, 1, 1, 200));
});

test('the age on the period\'s last day: 60 that day, and the new people\'s age groups on it', async () => {
  // 30 May: 60 or over r4 (since the 20th); under 6 r6, not r5 (6 on the 15th).
  assert.deepEqual(groups((await yty('?period=day:2029-05-30&by=group')).body), {
    age_60_plus: fig(1, 0, 0, 0, 0),
    under_6: fig(1, 0, 0, 0, 0),
  });
  // 31 May, r1's 60th birthday: r1 and r4. Over the month, r4 is new and 60 or over at its end (59
  // when registered); r5 is new but 6 at its end (5 when registered), so under 6 has no one new.
  assert.deepEqual(groups((await yty('?period=month:2029-05&by=group')).body), {
    age_60_plus: fig(2, 1, 0, 1, 500), // reached r1
    under_6: fig(1, 0, 0, 0, 0), // r6
  });
  // April: r1 is 59 at its end, r4 and r5 not registered yet.
  assert.deepEqual(groups((await yty('?period=month:2029-04&by=group')).body), { under_6: fig(1, 0, 0, 0, 0) });
});

test('the empty period is zeros and a null rate', async () => {
  const r = await yty('?period=week:2028-W40&by=group');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.rows, []);
  assert.deepEqual(r.body.totals, ZERO);
  assert.deepEqual((await yty('?period=year:2028')).body.totals, ZERO);
});

test('a consent withdrawn is no longer in force from that day', async () => {
  assert.equal((await yty('?period=month:2029-06')).body.totals.consented, 1); // r2
  srv.sql(`UPDATE consents SET withdrawn_at = ${at('2029-06-15T00:00:00Z')} WHERE patient_id = ${id('r2')};`);
  assert.equal((await yty('?period=day:2029-06-14')).body.totals.consented, 1);
  assert.equal((await yty('?period=day:2029-06-15')).body.totals.consented, 0);
  assert.equal((await yty('?period=month:2029-05')).body.totals.consented, 1);
  assert.equal((await yty('?period=month:2029-06')).body.totals.consented, 0);
  assert.equal((await yty('?period=year:2029')).body.totals.consented, 0);
});

test('a visit started and a consultation requested after they were written reach the person', async () => {
  srv.sql(visit('r2', null) + consult('r2', null));
  assert.equal((await yty('?period=month:2029-06')).body.totals.reached, 0);
  srv.sql(`UPDATE visits SET started_at = ${at('2029-06-10T03:00:00Z')}, state = 'in_progress' WHERE patient_id = ${id('r2')};` +
    `UPDATE consults SET requested_at = ${at('2029-07-05T03:00:00Z')}, state = 'requested' WHERE patient_id = ${id('r2')};`);
  assert.equal((await yty('?period=month:2029-06')).body.totals.reached, 1); // r2's visit
  assert.equal((await yty('?period=month:2029-07')).body.totals.reached, 1); // r2's consultation
  // 2029: r1, r2, r3.
  assert.equal((await yty('?period=year:2029')).body.totals.reached, 3);
});

test('a patient moved to another facility and ethnicity takes every figure along', async () => {
  const lungcu = async () => {
    const r = (await get(`?period=quarter:2029-Q2&by=group&facility=${F['TYT-LUNGCU']}`)).body;
    return { totals: r.totals, mong: groups(r)['ethnicity:08'] };
  };
  // Q2 at TYT-YTY: registered r1–r6 = 6; new r4, r5; consented none (r2 withdrew on 15 June);
  // reached r3 (April), r1 (May), r2 (June) = 3 → 500.
  assert.deepEqual((await yty('?period=quarter:2029-Q2')).body.totals, fig(6, 2, 0, 3, 500));
  const before = await lungcu();
  srv.sql(`UPDATE patients SET facility_id = ${F['TYT-LUNGCU']}, ethnicity = '08' WHERE id = ${id('r3')};`);
  // r3 (registered in January, reached in April) leaves TYT-YTY...
  assert.deepEqual((await yty('?period=quarter:2029-Q2')).body.totals, fig(5, 2, 0, 2, 400));
  // No minority row stays behind at TYT-YTY; the ages are r1, r4 (reached r1 in May) and r6.
  assert.deepEqual(groups((await yty('?period=quarter:2029-Q2&by=group')).body), {
    age_60_plus: fig(2, 1, 0, 1, 500),
    under_6: fig(1, 0, 0, 0, 0),
  });
  // ...and is at TYT-LUNGCU, a Hmong (08): one more registered and reached there, none new.
  const after = await lungcu();
  for (const k of ['registered', 'reached']) assert.equal(after.totals[k], before.totals[k] + 1, k);
  for (const k of ['new', 'consented']) assert.equal(after.totals[k], before.totals[k], k);
  assert.equal(after.mong.registered, (before.mong?.registered ?? 0) + 1);
  assert.equal(after.mong.reached, (before.mong?.reached ?? 0) + 1);
});

test('a person holding two consents at once counts once, and while either is in force', async () => {
  // r7, registered on 1 July 2029: a consent from that day, never withdrawn, and a second from the
  // 10th to 1 September; r8, registered the same day, two never withdrawn (the 1st and the 5th). The
  // API refuses a second consent while one is in force; imported rows may not.
  const consent = (who, from, until) => `INSERT INTO consents (patient_id, purpose, method, given_by, recorded_by, granted_at, ` +
    `withdrawn_at) VALUES (${id(who)}, 'remote_care', 'paper_signed', 'patient', ${doctor}, ${at(from)}, ${until ? at(until) : 'NULL'});`;
  for (const who of ['r7', 'r8'])
    srv.sql(`INSERT INTO patients (facility_id, full_name, name_folded, birth_date, birth_year, sex, ethnicity, created_by, ` +
      `created_at, updated_at) VALUES (${F['TYT-YTY']}, 'Seed ${who}', 'seed ${who}', '1990-01-01', 1990, 'male', '01', ${doctor}, ` +
      `${at('2029-07-01T00:00:00Z')}, ${at('2029-07-01T00:00:00Z')});`);
  srv.sql(consent('r7', '2029-07-01T00:00:00Z', null) + consent('r7', '2029-07-10T00:00:00Z', '2029-09-01T00:00:00Z') +
    consent('r8', '2029-07-01T00:00:00Z', null) + consent('r8', '2029-07-05T00:00:00Z', null));
  // TYT-YTY's consents in force from July on are r7's and r8's (r2 withdrew on 15 June): 2 people.
  assert.equal((await yty('?period=month:2029-07')).body.totals.consented, 2);
  // r7's first withdrawn on 1 August: the second keeps r7 consented until 1 September.
  srv.sql(`UPDATE consents SET withdrawn_at = ${at('2029-08-01T00:00:00Z')} WHERE patient_id = ${id('r7')} AND withdrawn_at IS NULL;`);
  assert.equal((await yty('?period=month:2029-07')).body.totals.consented, 2);
  assert.equal((await yty('?period=day:2029-08-31')).body.totals.consented, 2);
  assert.equal((await yty('?period=day:2029-09-01')).body.totals.consented, 1); // r8
  // r8's first withdrawn on 1 October: the second is still in force.
  srv.sql(`UPDATE consents SET withdrawn_at = ${at('2029-10-01T00:00:00Z')} WHERE patient_id = ${id('r8')} AND granted_at = ${at('2029-07-01T00:00:00Z')};`);
  assert.equal((await yty('?period=year:2029')).body.totals.consented, 1);
});
