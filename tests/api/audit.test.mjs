// The audit trail: events for admin actions and logins, read only by administrators within their
// scope, and a hash chain that `ytexa audit verify` checks: an edited, deleted or reordered row is
// found, and so is a row removed from the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, api, login, assertError, BIN } from './lib/server.mjs';

let srv, admin;
before(async () => {
  srv = await startServer();
  admin = await login(srv, 'demo.ministry-admin');
  for (const u of ['demo.doctor', 'demo.commune', 'demo.facility-admin']) await login(srv, u);
  await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'wrong-password' } });
});
after(async () => { await srv.stop(); srv.cleanup(); });

function verify() {
  try {
    return { code: 0, out: execFileSync(BIN, ['audit', 'verify', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' }) };
  } catch (e) {
    return { code: e.status, out: e.stdout };
  }
}

// Waits until the sealer has placed every recorded event in the chain (PostgreSQL records events
// for it; SQLite places them as they are written).
async function sealed(on = srv) {
  for (let i = 0; i < 100; i++) {
    if (on.sql('SELECT COUNT(*) FROM audit_events WHERE seq IS NULL') === '0') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.fail('events left unsealed for 5 s');
}

// Runs a tampering, checks verify names the event, then puts the rows back.
function tamper(sql, restore, expectId, reason) {
  const saved = srv.sql('SELECT COUNT(*) FROM audit_events');
  srv.sql(sql);
  const v = verify();
  srv.sql(restore);
  assert.equal(v.code, 1, `verify must fail after: ${sql}\n${v.out}`);
  assert.match(v.out, new RegExp(`BROKEN at event ${expectId}\\b`), v.out);
  assert.match(v.out, reason);
  assert.equal(srv.sql('SELECT COUNT(*) FROM audit_events'), saved);
  assert.equal(verify().code, 0, 'whole again once restored');
}

test('logins, failed logins and admin reads are audited with who, where and outcome', async () => {
  await sealed();
  const r = await api(srv, 'GET', '/api/v1/audit?limit=50', { token: admin.token });
  assert.equal(r.status, 200);
  const failed = r.body.items.find((e) => e.action === 'auth.login' && e.outcome === 'denied');
  assert.ok(failed, 'failed login audited');
  assert.equal(failed.resource_id, 'demo.doctor');
  assert.equal(failed.addr, '127.0.0.1');
  const ok = r.body.items.find((e) => e.action === 'auth.login' && e.outcome === 'ok' && e.resource_id === 'demo.commune');
  assert.ok(ok.actor_id > 0);
  assert.equal(ok.actor_role, 'health_worker');
  assert.ok(ok.actor_facility_id > 0);
  assert.match(ok.request_id, /^[0-9a-f]{8}-/);
  assert.match(ok.hash, /^[0-9a-f]{64}$/);
  const again = await api(srv, 'GET', '/api/v1/audit?limit=1', { token: admin.token });
  assert.equal(again.body.items[0].action, 'audit.read', 'reading the trail is itself audited');
});

test('only administrators read the trail, each within its scope', async () => {
  for (const u of ['demo.doctor', 'demo.commune', 'demo.trainer', 'demo.patient', 'demo.specialist']) {
    const s = await login(srv, u);
    assertError(await api(srv, 'GET', '/api/v1/audit', { token: s.token }), 403, 'forbidden');
  }
  assertError(await api(srv, 'GET', '/api/v1/audit'), 401);
  const fa = await login(srv, 'demo.facility-admin');
  const fid = fa.user.facility.id;
  // The trail holds other facilities' events, for the scope to leave out.
  const others = Number(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE actor_facility_id IS NULL OR actor_facility_id <> ${fid}`));
  assert.ok(others >= 5, `${others} events of other facilities`);
  const r = await api(srv, 'GET', '/api/v1/audit?limit=500', { token: fa.token });
  assert.equal(r.status, 200);
  // Exactly its own facility's events, newest first (its own read of the trail comes after).
  const own = srv.sql(`SELECT id FROM audit_events WHERE actor_facility_id = ${fid} AND id <= ${r.body.items[0]?.id ?? 0} ORDER BY id DESC`).split('\n').map(Number);
  assert.ok(own.length >= 2, 'at least its administrator\'s two logins');
  assert.deepEqual(r.body.items.map((e) => e.id), own);
  assert.ok(r.body.items.every((e) => e.actor_facility_id === fid));
  for (const q of ['limit=0', 'limit=501', 'limit=x', 'cursor=-1', 'cursor=abc', 'patient_id=0', "patient_id=1'--", 'actor_id=0', 'actor_id=x', 'actor_id=-2'])
    assertError(await api(srv, 'GET', `/api/v1/audit?${q}`, { token: admin.token }), 400);
});

// Every page of GET /api/v1/audit?q, following next_cursor: the ids in the order given.
async function allIds(q, token = admin.token) {
  const ids = [];
  for (let cursor = null, n = 0; n < 50; n++) {
    const r = await api(srv, 'GET', `/api/v1/audit?limit=2&${q}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    ids.push(...r.body.items.map((e) => e.id));
    if (!(cursor = r.body.next_cursor)) return ids;
  }
  assert.fail('more pages than expected');
}

test('the trail by patient and by actor: every event of theirs, newest first, page after page', async () => {
  const hw = await login(srv, 'demo.commune');
  const [p1, p2] = srv.sql(`SELECT id FROM patients WHERE facility_id = ${hw.user.facility.id} ORDER BY id LIMIT 2`).split('\n');
  for (const p of [p1, p1, p2, p1, p2])
    assert.equal((await api(srv, 'GET', `/api/v1/patients/${p}`, { token: hw.token })).status, 200);
  const expected = (where) => srv.sql(`SELECT id FROM audit_events WHERE ${where} ORDER BY id DESC`).split('\n').map(Number);
  const reads = await allIds(`patient_id=${p1}`);
  assert.deepEqual(reads, expected(`patient_id = ${p1}`));
  assert.ok(reads.length >= 3);
  assert.deepEqual(await allIds(`actor_id=${hw.user.id}`), expected(`actor_id = ${hw.user.id}`));
  assert.deepEqual(await allIds(`patient_id=${p2}&actor_id=${hw.user.id}`), expected(`patient_id = ${p2} AND actor_id = ${hw.user.id}`));
  assert.deepEqual(await allIds(`patient_id=${p2}&actor_id=${admin.user.id}`), []);
  // A hospital's administrator sees none of the station's events, whatever the filter.
  const fa = await login(srv, 'demo.facility-admin');
  assert.notEqual(fa.user.facility.id, hw.user.facility.id);
  assert.deepEqual(await allIds(`actor_id=${hw.user.id}`, fa.token), []);
  assert.deepEqual(await allIds(`patient_id=${p1}`, fa.token), []);
  assertError(await api(srv, 'GET', `/api/v1/audit?actor_id=${hw.user.id}`, { token: hw.token }), 403);
});

test('no API changes or deletes audit events', async () => {
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'])
    assert.ok([404, 405].includes((await api(srv, m, '/api/v1/audit', { token: admin.token, body: {} })).status));
  assert.ok([404, 405].includes((await api(srv, 'DELETE', '/api/v1/audit/1', { token: admin.token })).status));
});

test('two instances writing at once on one database keep one chain', async () => {
  const second = await startServer({ share: srv });
  try {
    const before = Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login'"));
    const logins = [];
    for (let i = 0; i < 20; i++)
      for (const on of [srv, second])
        logins.push(api(on, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'demo-password' } }));
    for (const r of await Promise.all(logins)) assert.equal(r.status, 200);
    await sealed();
    assert.equal(Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login'")), before + 40);
    const v = verify();
    assert.equal(v.code, 0, v.out);
    const events = Number(srv.sql('SELECT COUNT(*) FROM audit_events'));
    assert.match(v.out, new RegExp(`audit chain whole: ${events} events checked\n`));
    assert.equal(srv.sql('SELECT COUNT(DISTINCT seq) FROM audit_events'), String(events));
  } finally {
    await second.stop();
    second.cleanup();
  }
});

test('an event recorded but never sealed is named', async () => {
  await sealed();
  const stale = Date.now() - 3600 * 1000;
  // Slipped in past a stopped sealer: written as the sealer would find it, an hour old.
  await srv.stop();
  try {
    srv.sql(`INSERT INTO audit_events (at, action, resource_type, outcome, prev_hash, hash) VALUES (${stale}, 'patient.read', 'patient', 'ok', '', '')`);
    const id = srv.sql('SELECT MAX(id) FROM audit_events');
    const v = verify();
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, new RegExp(`BROKEN at event ${id}\\b.*never sealed`));
  } finally {
    await srv.restart();
  }
  // The sealer places it once it runs again; the chain is whole.
  await sealed();
  assert.equal(verify().code, 0);
});

test('verify passes on the untouched chain', async () => {
  await sealed();
  const v = verify();
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, /audit chain whole: \d+ events checked/);
});

test('an edited event is found', () => {
  tamper("UPDATE audit_events SET outcome = outcome || 'x' WHERE id = 3", `UPDATE audit_events SET outcome = '${srv.sql('SELECT outcome FROM audit_events WHERE id = 3')}' WHERE id = 3`, 3, /edited/);
  tamper("UPDATE audit_events SET actor_id = actor_id + 1 WHERE id = 2", `UPDATE audit_events SET actor_id = ${srv.sql('SELECT actor_id FROM audit_events WHERE id = 2')} WHERE id = 2`, 2, /edited/);
});

test('a deleted event is found', () => {
  srv.sql('CREATE TABLE saved_events AS SELECT * FROM audit_events WHERE id = 2');
  tamper('DELETE FROM audit_events WHERE id = 2', 'INSERT INTO audit_events SELECT * FROM saved_events', 2, /missing/);
  srv.sql('DROP TABLE saved_events');
});

test('a deleted event with the ids renumbered to hide it is found', () => {
  srv.sql('CREATE TABLE saved_events AS SELECT * FROM audit_events');
  tamper('DELETE FROM audit_events WHERE id = 2; UPDATE audit_events SET id = 1 - id WHERE id > 2; UPDATE audit_events SET id = -id WHERE id < 0',
    'DELETE FROM audit_events; INSERT INTO audit_events SELECT * FROM saved_events', 2, /removed or reordered|edited/);
  srv.sql('DROP TABLE saved_events');
});

// The chain's order is its positions (seq): events swapped there no longer follow each other.
// Swapping their ids instead leaves each out of line with its hash.
test('reordered events are found', () => {
  srv.sql('CREATE TABLE saved_events AS SELECT * FROM audit_events');
  const third = srv.sql('SELECT id FROM audit_events WHERE seq = 3');
  tamper('UPDATE audit_events SET seq = -seq WHERE seq IN (2, 3); UPDATE audit_events SET seq = 3 WHERE seq = -2; UPDATE audit_events SET seq = 2 WHERE seq = -3',
    'DELETE FROM audit_events; INSERT INTO audit_events SELECT * FROM saved_events', third, /reordered/);
  const second = srv.sql('SELECT id FROM audit_events WHERE seq = 2');
  tamper('UPDATE audit_events SET id = -id WHERE seq IN (2, 3); UPDATE audit_events SET id = (SELECT -id FROM audit_events WHERE seq = 3) WHERE seq = 2; UPDATE audit_events SET id = (SELECT id FROM saved_events WHERE seq = 2) WHERE seq = 3',
    'DELETE FROM audit_events; INSERT INTO audit_events SELECT * FROM saved_events', third, /edited/);
  assert.notEqual(second, third);
  srv.sql('DROP TABLE saved_events');
});

test('events removed from the end are found', () => {
  const last = Number(srv.sql('SELECT MAX(id) FROM audit_events'));
  srv.sql('CREATE TABLE saved_events AS SELECT * FROM audit_events');
  tamper(`DELETE FROM audit_events WHERE id = ${last}`, 'DELETE FROM audit_events; INSERT INTO audit_events SELECT * FROM saved_events', last, /removed from the end/);
  srv.sql('DROP TABLE saved_events');
});
