// `ytexa reports check` and `ytexa reports rebuild` (src/reports/rollups.c, docs/operations.md
// "Report rollups"), run beside a serving server as an operator would: the demo database, written
// through the API and the triggers, agrees with what its events say; a rollup row broken by hand is
// found and named with its figures, rebuilt, and the check passes again; a rollup deleted
// whole is rebuilt to the same report; --table stands anywhere among the options, and check
// migrates nothing; an unknown table is refused naming the rollups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSignedIn, api, BIN } from './lib/server.mjs';

let srv;
const S = {};
const one = (q) => srv.sql(q).split('\n')[0];
// Runs `ytexa reports <args>` against the server's database: { code, out }.
const reports = (...args) => {
  try {
    return { code: 0, out: execFileSync(BIN, ['reports', ...args, '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    return { code: e.status, out: String(e.stdout) + String(e.stderr) };
  }
};
const summary = (out) => out.trim().split('\n').at(-1);
const TABLES = 17;

before(async () => {
  srv = await startSignedIn(S);
  // Events of every kind, written as the API and an import write them, so that the triggers fill
  // every rollup: a person registered through the API; visits booked, started, finished and
  // diagnosed, a prescription signed; consultations requested, accepted, concluded, declined.
  const p = await api(srv, 'POST', '/api/v1/patients', { token: S['demo.commune'].token, csrf: S['demo.commune'].csrf,
    body: { full_name: 'Giàng Thị Dợ', birth_year: 1950, sex: 'female' } });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const fac = one("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'"), hub = one("SELECT id FROM facilities WHERE code = 'BVDK-HAGIANG'");
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'"), user = one("SELECT id FROM users WHERE username = 'demo.commune'");
  const sql = [];
  ['2024-03-10', '2024-03-31', '2024-04-01', '2024-07-15'].forEach((day, i) => {
    const t = Date.parse(`${day}T16:30:00Z`);
    sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, started_at, ended_at, created_at, updated_at) ` +
      `VALUES (${p.body.id}, ${fac}, ${doctor}, ${fac}, ${doctor}, '${i % 2 ? 'audio' : 'video'}', 'finished', 'check ${i}', ${t + (i + 1) * 700000}, ${t + 9000000}, ${t}, ${t});`);
    sql.push(`INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, created_at) SELECT id, '${['J06', 'I10', 'E11', 'A09'][i]}', 1, ${doctor}, ${t + 800000} FROM visits WHERE reason = 'check ${i}';`);
    sql.push(`INSERT INTO prescriptions (visit_id, patient_id, status, items, created_by, created_at, updated_at, signed_at) SELECT id, ${p.body.id}, 'signed', '[]', ${doctor}, ${t}, ${t}, ${t + 8000000} FROM visits WHERE reason = 'check ${i}';`);
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, assigned_facility_id, requested_at, created_at, updated_at) ` +
      `VALUES (${p.body.id}, ${fac}, ${user}, 'check ${i}', '${i % 2 ? 'urgent' : 'routine'}', 'internal', 'general', 'requested', ${hub}, ${t}, ${t}, ${t});`);
    sql.push(`UPDATE consults SET state = 'concluded', accepted_at = ${t + (i + 1) * 3000000}, concluded_at = ${t + 90000000}, recommendation = 'treat_locally' WHERE summary = 'check ${i}';`);
  });
  sql.push(`INSERT INTO consult_events (consult_id, action, from_state, to_state, at) SELECT id, 'declined', 'requested', 'requested', requested_at + 60000 FROM consults WHERE summary = 'check 1';`);
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

test('the demo database agrees with its events, every table', () => {
  const r = reports('check');
  assert.equal(r.code, 0, r.out);
  const m = /^(\d+) tables, (\d+) rows, 0 differ$/.exec(summary(r.out));
  assert.ok(m, r.out);
  assert.equal(Number(m[1]), TABLES);
  assert.ok(Number(m[2]) > 0, r.out);
  assert.equal(r.out.trim().split('\n').length, 1, r.out);
});

test('a broken row is found and named, rebuild mends it, the check passes', async () => {
  // One month row of visit_rollup broken by hand.
  const row = one('SELECT grain, span, facility_id, mode, booked FROM visit_rollup WHERE grain = 2 AND booked > 0 ORDER BY span, facility_id, mode LIMIT 1').split('|');
  assert.equal(row.length, 5, 'a month of visits');
  const [grain, span, fac, mode, booked] = row;
  srv.sql(`UPDATE visit_rollup SET booked = booked + 7 WHERE grain = ${grain} AND span = ${span} AND facility_id = ${fac} AND mode = '${mode}'`);
  // And a row of a rollup without the facility that no event explains.
  srv.sql("INSERT INTO visit_dx_by (grain, span, province_id, level, mode, code, n) VALUES (1, 3, 1, 'commune', 'video', 'Z99', 2)");
  const bad = reports('check');
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, new RegExp(`visit_rollup \\(grain 2, span ${span}, facility_id '${fac}', mode '${mode}'\\): booked ${Number(booked) + 7}, expected ${booked};`));
  assert.match(bad.out, /visit_dx_by \(grain 1, span 3, province_id '1', level 'commune', mode 'video', code 'Z99'\): n 2, expected 0;/);
  assert.match(summary(bad.out), new RegExp(`^${TABLES} tables, \\d+ rows, 2 differ$`));
  // Only one table: the other's difference is not read.
  const only = reports('check', '--table', 'visit_dx_by');
  assert.equal(only.code, 1);
  assert.match(summary(only.out), /^1 tables, \d+ rows, 1 differ$/);
  const fixed = reports('rebuild', '--table', 'visit_rollup');
  assert.equal(fixed.code, 0, fixed.out);
  assert.match(fixed.out, /^visit_rollup: \d+ rows written$/m);
  assert.equal(one(`SELECT booked FROM visit_rollup WHERE grain = ${grain} AND span = ${span} AND facility_id = ${fac} AND mode = '${mode}'`), booked);
  assert.match(summary(reports('check').out), /, 1 differ$/);
  // Every table rewritten once: the four by facility alone (0034, 0040) with the tables they follow.
  const all = reports('rebuild');
  assert.equal(all.code, 0, all.out);
  assert.equal(all.out.trim().split('\n').length, TABLES - 4, all.out);
  assert.doesNotMatch(all.out, /^(visit_waits_fac|consult_waits_fac|consult_rollup_fac|visit_rollup_fac):/m);
  assert.equal(one("SELECT COUNT(*) FROM visit_dx_by WHERE code = 'Z99'"), '0');
  const ok = reports('check');
  assert.equal(ok.code, 0, ok.out);
  assert.match(summary(ok.out), /, 0 differ$/);
});

test('a rollup deleted whole is rebuilt to the same report, its year rows too', async () => {
  const get = async (q) => (await api(srv, 'GET', `/api/v1/reports/consultations?${q}`, { token: S['demo.ministry-admin'].token })).body;
  // A whole year by facility reads the rollups by facility alone (0034), which the delete leaves;
  // one facility's days from March to July by urgency read consult_rollup and consult_waits
  // themselves (lead and tail days, a grouping finer than the facility), the tables deleted here.
  const fac = one("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'");
  const YEAR = 'period=year:2024&by=facility', DAYS = `from=2024-03-05&to=2024-07-20&facility=${fac}&by=urgency`;
  const was = await get(YEAR), wasDays = await get(DAYS);
  assert.equal(was.totals.requested, 4);
  assert.equal(wasDays.totals.requested, 4);
  assert.equal(wasDays.totals.concluded, 4);
  assert.deepEqual(wasDays.rows.map((r) => [r.key.id, r.values.requested]), [['routine', 2], ['urgent', 2]]);
  assert.notEqual(wasDays.totals.conclude_median_min, null);
  const years = one('SELECT COUNT(*) FROM consult_waits WHERE grain = 3');
  srv.sql('DELETE FROM consult_waits; DELETE FROM consult_rollup;');
  // The report over consult_rollup sees the delete (no cases, no waits); the one by facility alone does not.
  const gone = await get(DAYS);
  assert.notDeepEqual(gone.rows, wasDays.rows);
  assert.equal(gone.totals.requested, 0);
  assert.equal(gone.totals.conclude_median_min, null);
  assert.deepEqual((await get(YEAR)).rows, was.rows);
  assert.match(summary(reports('check').out), /, [1-9]\d* differ$/);
  assert.equal(reports('rebuild', '--table', 'consult_waits').code, 0);
  assert.equal(reports('rebuild', '--table', 'consult_rollup').code, 0);
  assert.equal(one('SELECT COUNT(*) FROM consult_waits WHERE grain = 3'), years);
  assert.deepEqual((await get(YEAR)).rows, was.rows);
  const back = await get(DAYS);
  assert.deepEqual([back.rows, back.totals], [wasDays.rows, wasDays.totals]);
  assert.equal(reports('check').code, 0);
});

test('--table is read anywhere among the options; check runs no migration', () => {
  const run = (...args) => {
    try {
      return { code: 0, out: execFileSync(BIN, ['reports', ...args], { encoding: 'utf8', stdio: 'pipe' }) };
    } catch (e) {
      return { code: e.status, out: String(e.stdout) + String(e.stderr) };
    }
  };
  const after = run('check', '--data', srv.dir, '--db', srv.dbUrl, '--table', 'visit_dx_by');
  assert.equal(after.code, 0, after.out);
  assert.match(summary(after.out), /^1 tables, \d+ rows, 0 differ$/);
  const between = run('check', '--data', srv.dir, '--table=visit_rollup', '--db', srv.dbUrl);
  assert.equal(between.code, 0, between.out);
  assert.match(summary(between.out), /^1 tables, \d+ rows, 0 differ$/);
  const rebuilt = run('rebuild', '--db', srv.dbUrl, '--data', srv.dir, '--table', 'reach_tally');
  assert.equal(rebuilt.code, 0, rebuilt.out);
  assert.match(rebuilt.out, /^reach_tally: \d+ rows written\n$/);
  assert.equal(run('check', '--data', srv.dir, '--db', srv.dbUrl, '--table').code, 2);
  assert.equal(run('check', '--table', 'visit_rollup', '--data', srv.dir, '--db', srv.dbUrl, '--table', 'reach_tally').code, 2);
  // The newest migration taken back, as a database an older server serves: check reads it as it
  // is and leaves the schema alone.
  const [version, name, at] = one('SELECT version, name, applied_at FROM schema_migrations ORDER BY version DESC LIMIT 1').split('|');
  srv.sql(`DELETE FROM schema_migrations WHERE version = ${version}`);
  try {
    const r = run('check', '--data', srv.dir, '--db', srv.dbUrl);
    assert.equal(r.code, 0, r.out);
    assert.equal(one(`SELECT COUNT(*) FROM schema_migrations WHERE version = ${version}`), '0');
  } finally {
    srv.sql(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${version}, '${name}', ${at})`);
  }
});

test('a table that is not a rollup is refused, naming the rollups', () => {
  const r = reports('check', '--table', 'patients');
  assert.equal(r.code, 2);
  assert.match(r.out, /no rollup table 'patients'; the rollups are: visit_rollup .* reach_tally/);
  assert.equal(reports('rebuild', '--table', 'patients').code, 2);
});
