// Accounts: who may create, read and change them, and what bad input does (nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, login, assertError, ROLES } from './lib/server.mjs';

let srv, S = {};
const facilityId = (code) => Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));
const count = () => srv.sql('SELECT COUNT(*) FROM users') + '/' + srv.sql('SELECT COUNT(*) FROM audit_events WHERE outcome = \'ok\'');

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

const newUser = (over = {}) => ({
  username: `nv.${Math.random().toString(36).slice(2, 8)}`, full_name: 'Đặng Thị Hồng', password: 'mat-khau-du-dai',
  role: 'health_worker', facility_id: facilityId('TYT-LUNGCU'), ...over,
});

test('a facility admin creates an account at its own facility; the new user logs in', async () => {
  const body = newUser({ facility_id: facilityId('BVDK-HAGIANG'), role: 'doctor', licence_no: '0099/HG-CCHN', scope_of_practice: 'Nội khoa' });
  const r = await api(srv, 'POST', '/api/v1/users', { token: S['demo.facility-admin'].token, body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.full_name, 'Đặng Thị Hồng');
  assert.equal(r.body.licence_no, '0099/HG-CCHN');
  assert.equal(r.body.facility.id, body.facility_id);
  assert.equal(r.body.password, undefined);
  assert.equal(r.body.password_hash, undefined);
  const s = await login(srv, body.username, body.password);
  assert.equal(s.user.role, 'doctor');
  const ev = srv.sql(`SELECT action, outcome, actor_id FROM audit_events WHERE action = 'user.create' AND resource_id = '${r.body.id}'`);
  assert.equal(ev, `user.create|ok|${S['demo.facility-admin'].user.id}`);
});

test('scope of practice as specialty codes: known codes only, stored once each, replaced by PATCH', async () => {
  const fa = S['demo.facility-admin'].token;
  const body = newUser({ facility_id: facilityId('BVDK-HAGIANG'), role: 'doctor', licence_no: '0100/HG-CCHN', practice_scope: ['general', 'pediatrics', 'general'] });
  const r = await api(srv, 'POST', '/api/v1/users', { token: fa, body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.practice_scope, ['general', 'pediatrics']);
  const before = count();
  // A list of another type is "bad_type" (the field table's check), a list of wrong codes the handler's "invalid_input".
  for (const [bad, code] of [[['khong-co'], 'invalid_input'], [['astrology'], 'invalid_input'], [[42], 'invalid_input'], ['general', 'bad_type'], [Array(11).fill('general'), 'invalid_input']])
    assertError(await api(srv, 'POST', '/api/v1/users', { token: fa, body: newUser({ practice_scope: bad }) }), 400, code);
  assertError(await api(srv, 'PATCH', `/api/v1/users/${r.body.id}`, { token: fa, body: { practice_scope: ['nope'] } }), 400, 'invalid_input');
  assert.equal(count(), before);
  const p = await api(srv, 'PATCH', `/api/v1/users/${r.body.id}`, { token: fa, body: { practice_scope: ['obstetrics'] } });
  assert.deepEqual(p.body.practice_scope, ['obstetrics']);
  const kept = await api(srv, 'PATCH', `/api/v1/users/${r.body.id}`, { token: fa, body: { phone: '0912345678' } });
  assert.deepEqual(kept.body.practice_scope, ['obstetrics']);
  const me = await api(srv, 'GET', '/api/v1/me', { token: S['demo.doctor'].token });
  assert.deepEqual(me.body.user?.practice_scope ?? me.body.practice_scope, ['general', 'internal']);
});

test('the ministry creates anywhere; a province admin only inside its province', async () => {
  const m = await api(srv, 'POST', '/api/v1/users', { token: S['demo.ministry-admin'].token, body: newUser({ facility_id: facilityId('BV-BACHMAI'), role: 'specialist' }) });
  assert.equal(m.status, 201);
  const p = await api(srv, 'POST', '/api/v1/users', { token: S['demo.province-admin'].token, body: newUser() });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const before = count();
  assertError(await api(srv, 'POST', '/api/v1/users', { token: S['demo.province-admin'].token, body: newUser({ facility_id: facilityId('BV-BACHMAI') }) }), 403);
  assert.equal(count(), before);
});

test('no one grants a wider scope than their own', async () => {
  const before = count();
  assertError(await api(srv, 'POST', '/api/v1/users', { token: S['demo.facility-admin'].token, body: newUser({ role: 'province_admin', facility_id: facilityId('BVDK-HAGIANG') }) }), 403);
  assertError(await api(srv, 'POST', '/api/v1/users', { token: S['demo.province-admin'].token, body: newUser({ role: 'ministry_admin', facility_id: undefined }) }), 403);
  assertError(await api(srv, 'POST', '/api/v1/users', { token: S['demo.facility-admin'].token, body: newUser({ facility_id: facilityId('BV-BACHMAI') }) }), 403);
  assert.equal(count(), before);
});

test('clinicians, trainers and patients may not create accounts', async () => {
  const before = count();
  for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist', 'demo.trainer', 'demo.patient']) {
    const r = await api(srv, 'POST', '/api/v1/users', { token: S[u].token, body: newUser({ facility_id: S[u].user.facility?.id ?? facilityId('TYT-LUNGCU') }) });
    assertError(r, 403, 'forbidden');
  }
  assertError(await api(srv, 'POST', '/api/v1/users', { body: newUser() }), 401);
  assertError(await api(srv, 'POST', '/api/v1/users', { cookie: S['demo.ministry-admin'].cookie, body: newUser() }), 403);
  assert.equal(count(), before);
});

test('bad account input is refused, naming the field, and writes nothing', async () => {
  const t = S['demo.ministry-admin'].token;
  const before = count();
  const cases = [
    [{ username: 'Có Dấu' }, 'username'], [{ username: 'ab' }, 'username'], [{ username: 7 }, 'username'],
    [{ password: 'short' }, 'password'], [{ password: 'x'.repeat(129) }, 'password'],
    [{ role: 'superuser' }, 'role'], [{ role: 'doctor', facility_id: undefined }, 'facility_id'],
    [{ facility_id: 999999 }, 'facility_id'], [{ facility_id: -1 }, 'facility_id'], [{ facility_id: '1' }, 'facility_id'],
    [{ full_name: '' }, 'full_name'], [{ full_name: 'x'.repeat(161) }, 'full_name'],
    [{ is_admin: true }, 'is_admin'], [{ email: ['a'] }, 'email'],
  ];
  // The code says why (docs/api.md, "Errors"): the field table's own, or the handler's invalid_input.
  const CODES = ['invalid_input', 'required', 'unknown_field', 'bad_type', 'too_short', 'too_long', 'out_of_range'];
  for (const [over, field] of cases) {
    const r = await api(srv, 'POST', '/api/v1/users', { token: t, body: newUser(over) });
    assertError(r, 400);
    assert.ok(CODES.includes(r.body.error.code), JSON.stringify(r.body));
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  }
  const dup = await api(srv, 'POST', '/api/v1/users', { token: t, body: newUser({ username: 'demo.doctor' }) });
  assertError(dup, 409, 'conflict');
  assert.equal(count(), before);
});

test('SQL metacharacters are stored verbatim', async () => {
  const name = "Robert'); DROP TABLE users; -- Nguyễn";
  const r = await api(srv, 'POST', '/api/v1/users', { token: S['demo.ministry-admin'].token, body: newUser({ full_name: name }) });
  assert.equal(r.status, 201);
  assert.equal((await api(srv, 'GET', `/api/v1/users/${r.body.id}`, { token: S['demo.ministry-admin'].token })).body.full_name, name);
});

test('reading accounts: own always, others only in scope (404 outside)', async () => {
  const doc = S['demo.doctor'];
  assert.equal((await api(srv, 'GET', `/api/v1/users/${doc.user.id}`, { token: doc.token })).status, 200);
  const spec = S['demo.specialist'].user.id; // at Bạch Mai, another province
  assertError(await api(srv, 'GET', `/api/v1/users/${spec}`, { token: doc.token }), 404);
  assertError(await api(srv, 'GET', `/api/v1/users/${spec}`, { token: S['demo.facility-admin'].token }), 404);
  assertError(await api(srv, 'GET', `/api/v1/users/${spec}`, { token: S['demo.province-admin'].token }), 404);
  assert.equal((await api(srv, 'GET', `/api/v1/users/${spec}`, { token: S['demo.ministry-admin'].token })).status, 200);
  assertError(await api(srv, 'GET', '/api/v1/users/99999999', { token: S['demo.ministry-admin'].token }), 404);
  assertError(await api(srv, 'GET', '/api/v1/users/abc', { token: S['demo.ministry-admin'].token }), 404);
  assertError(await api(srv, 'GET', `/api/v1/users/${spec}`), 401);
});

test('lists are paged by cursor and scoped', async () => {
  const t = S['demo.ministry-admin'].token;
  const seen = new Set();
  let cursor = null, pages = 0;
  do {
    const r = await api(srv, 'GET', `/api/v1/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: t });
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length <= 3);
    for (const u of r.body.items) { assert.ok(!seen.has(u.id), 'no account twice'); seen.add(u.id); }
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  assert.equal(seen.size, Number(srv.sql('SELECT COUNT(*) FROM users')));
  const fa = await api(srv, 'GET', '/api/v1/users?limit=200', { token: S['demo.facility-admin'].token });
  const fid = S['demo.facility-admin'].user.facility.id;
  assert.ok(fa.body.items.length >= 2);
  assert.ok(fa.body.items.every((u) => u.facility?.id === fid));
  // Exactly the facility's accounts, while there are others elsewhere to leave out.
  const own = srv.sql(`SELECT id FROM users WHERE facility_id = ${fid} ORDER BY id`).split('\n').map(Number);
  assert.deepEqual(fa.body.items.map((u) => u.id).sort((a, b) => a - b), own);
  assert.ok(seen.size > own.length + 2, 'accounts of other facilities exist');
  assertError(await api(srv, 'GET', '/api/v1/users?limit=0', { token: t }), 400);
  assertError(await api(srv, 'GET', '/api/v1/users?limit=201', { token: t }), 400);
  assertError(await api(srv, 'GET', '/api/v1/users?cursor=-5', { token: t }), 400);
  assertError(await api(srv, 'GET', '/api/v1/users', { token: S['demo.patient'].token }), 403);
});

test('deactivating an account ends its sessions; changes are audited', async () => {
  const admin = S['demo.ministry-admin'].token;
  const body = newUser();
  const created = await api(srv, 'POST', '/api/v1/users', { token: admin, body });
  const s = await login(srv, body.username, body.password);
  // Used first, so the server remembers the session (for a second, src/auth/session.c).
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200);
  const r = await api(srv, 'PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { active: false, phone: '0912345678' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.active, false);
  assert.equal(r.body.phone, '0912345678');
  assertError(await api(srv, 'GET', '/api/v1/me', { token: s.token }), 401);
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: body.username, password: body.password } }), 401);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'user.update' AND resource_id = '${created.body.id}'`), '1');
  const before = count();
  assertError(await api(srv, 'PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { active: 'no' } }), 400);
  assertError(await api(srv, 'PATCH', `/api/v1/users/${created.body.id}`, { token: S['demo.doctor'].token, body: { active: true } }), 403);
  assert.equal(count(), before);
});

test('a health worker moved to another station stops reading the old station\'s patients at once', async () => {
  const admin = S['demo.ministry-admin'].token;
  const body = newUser();
  const created = await api(srv, 'POST', '/api/v1/users', { token: admin, body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const s = await login(srv, body.username, body.password);
  const patient = srv.sql(`SELECT id FROM patients WHERE facility_id = ${body.facility_id} ORDER BY id LIMIT 1`);
  // Read twice within a second: the second answer comes from the session the server remembers.
  for (let i = 0; i < 2; i++)
    assert.equal((await api(srv, 'GET', `/api/v1/patients/${patient}`, { token: s.token })).status, 200);
  const moved = await api(srv, 'PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { facility_id: facilityId('TYT-DATMUI') } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assertError(await api(srv, 'GET', `/api/v1/patients/${patient}`, { token: s.token }), 404);
  const me = await api(srv, 'GET', '/api/v1/me', { token: s.token });
  assert.equal(me.body.user.facility.id, facilityId('TYT-DATMUI'));
});

test('a new name is stored with its folded form; a change without a name keeps the old one', async () => {
  const admin = S['demo.ministry-admin'].token;
  const created = await api(srv, 'POST', '/api/v1/users', { token: admin, body: newUser() });
  const renamed = await api(srv, 'PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { full_name: 'Nguyễn Thị Đào' } });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.equal(renamed.body.full_name, 'Nguyễn Thị Đào');
  const kept = await api(srv, 'PATCH', `/api/v1/users/${created.body.id}`, { token: admin, body: { email: 'dao@example.vn' } });
  assert.equal(kept.body.full_name, 'Nguyễn Thị Đào');
  assert.equal(srv.sql(`SELECT full_name_folded FROM users WHERE id = ${created.body.id}`), 'nguyen thi dao');
});

test('an administrator resets a password; the old sessions end', async () => {
  const admin = S['demo.facility-admin'].token;
  const body = newUser({ facility_id: facilityId('BVDK-HAGIANG') });
  const created = await api(srv, 'POST', '/api/v1/users', { token: admin, body });
  const s = await login(srv, body.username, body.password);
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200);
  assert.equal((await api(srv, 'POST', `/api/v1/users/${created.body.id}/password`, { token: admin, body: { password: 'mot-mat-khau-moi' } })).status, 200);
  assertError(await api(srv, 'GET', '/api/v1/me', { token: s.token }), 401);
  await login(srv, body.username, 'mot-mat-khau-moi');
  assertError(await api(srv, 'POST', `/api/v1/users/${created.body.id}/password`, { token: admin, body: { password: 'short' } }), 400);
  assertError(await api(srv, 'POST', `/api/v1/users/${S['demo.specialist'].user.id}/password`, { token: admin, body: { password: 'mot-mat-khau-moi' } }), 404);
});

test('a retried create with the same Idempotency-Key makes one account', async () => {
  const admin = S['demo.ministry-admin'].token;
  const body = newUser();
  const headers = { 'idempotency-key': 'create-' + body.username };
  const a = await api(srv, 'POST', '/api/v1/users', { token: admin, body, headers });
  assert.equal(a.status, 201);
  const retry = await api(srv, 'POST', '/api/v1/users', { token: admin, body, headers });
  assert.equal(retry.status, 201, 'the retry gets the first answer, not 409');
  assert.deepEqual(retry.body, a.body);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM users WHERE username = '${body.username}'`), '1');
  const other = await api(srv, 'POST', '/api/v1/users/1/password', { token: admin, body: { password: 'khac-hoan-toan' }, headers });
  assert.equal(other.status, 409, 'the same key on another request is refused');
  // The same route with another body under the same key: refused too, and that account is not made
  // (before, the first answer came back and the second write was silently never done).
  const changed = { ...newUser(), role: body.role, facility_id: body.facility_id };
  const reused = await api(srv, 'POST', '/api/v1/users', { token: admin, body: changed, headers });
  assert.equal(reused.status, 409);
  assert.equal(reused.body.error.code, 'idempotency_key_reused');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM users WHERE username = '${changed.username}'`), '0');
  const b = await api(srv, 'PATCH', `/api/v1/users/${a.body.id}`, { token: admin, body: { phone: '0987654321' }, headers: { 'idempotency-key': 'patch-1' } });
  const c = await api(srv, 'PATCH', `/api/v1/users/${a.body.id}`, { token: admin, body: { phone: '0987654321' }, headers: { 'idempotency-key': 'patch-1' } });
  assert.deepEqual(c.body, b.body);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'user.update' AND resource_id = '${a.body.id}'`), '1');
});

// The accounts and sessions rows: what a refused account action must leave as it was.
const accountRows = () => srv.sql(
  "SELECT 'u' || CAST(id AS TEXT) || '|' || role || '|' || COALESCE(CAST(facility_id AS TEXT), '-') || '|' || " +
  "CAST(active AS TEXT) || '|' || password_hash || '|' || CAST(updated_at AS TEXT) FROM users UNION ALL " +
  "SELECT 's' || CAST(id AS TEXT) || '|' || CAST(user_id AS TEXT) || '|' || COALESCE(CAST(revoked_at AS TEXT), '-') " +
  'FROM sessions ORDER BY 1');

test('hole 1: a facility admin of the Sở Y tế cannot take over its province administrator', async () => {
  const body = newUser({ role: 'facility_admin', facility_id: facilityId('SYT-TUYENQUANG') });
  const created = await api(srv, 'POST', '/api/v1/users', { token: S['demo.ministry-admin'].token, body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const fa = await login(srv, body.username, body.password);
  const pa = S['demo.province-admin'];
  assert.equal(pa.user.facility.id, facilityId('SYT-TUYENQUANG'), 'both work at the same facility');
  // The province administrator is in the facility admin's scope (same facility) but ranks above it.
  assert.equal((await api(srv, 'GET', `/api/v1/users/${pa.user.id}`, { token: fa.token })).status, 200);
  const before = accountRows();
  assertError(await api(srv, 'POST', `/api/v1/users/${pa.user.id}/password`, { token: fa.token, body: { password: 'chiem-tai-khoan-tinh' } }), 403, 'forbidden');
  assertError(await api(srv, 'PATCH', `/api/v1/users/${pa.user.id}`, { token: fa.token, body: { active: false } }), 403, 'forbidden');
  assertError(await api(srv, 'PATCH', `/api/v1/users/${pa.user.id}`, { token: fa.token, body: { phone: '0912000111' } }), 403, 'forbidden');
  assert.equal(accountRows(), before, 'the refused takeover changed an account or a session');
  // The province administrator's session and password still work; the attacker's does not.
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: pa.token })).status, 200);
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.province-admin', password: 'chiem-tai-khoan-tinh' } }), 401);
  await login(srv, 'demo.province-admin');
});

test('hole 6: an account outside the caller\'s scope answers exactly like an absent one', async () => {
  const foreign = S['demo.specialist'].user.id; // at Bạch Mai, Hà Nội: nobody below the ministry here holds it
  const absent = Number(srv.sql('SELECT MAX(id) FROM users')) + 100000;
  const routes = [
    ['GET', '', undefined], ['PATCH', '', { phone: '0912000111' }], ['PATCH', '', { active: false }],
    ['POST', '/password', { password: 'mot-mat-khau-moi' }],
  ];
  const before = accountRows();
  let compared = 0;
  for (const who of ['demo.commune', 'demo.doctor', 'demo.facility-admin', 'demo.province-admin', 'demo.patient']) {
    for (const [method, suffix, body] of routes) {
      const a = await api(srv, method, `/api/v1/users/${foreign}${suffix}`, { token: S[who].token, body });
      const b = await api(srv, method, `/api/v1/users/${absent}${suffix}`, { token: S[who].token, body });
      // Roles that change no accounts are refused by the route's declaration, whatever the id.
      const admin = who.endsWith('-admin');
      assertError(a, method === 'GET' || admin ? 404 : 403, method === 'GET' || admin ? 'not_found' : 'forbidden');
      assert.deepEqual({ status: a.status, body: a.body }, { status: b.status, body: b.body }, `${who} ${method} …${suffix}`);
      compared++;
    }
  }
  assert.equal(compared, 20);
  assert.equal(accountRows(), before);
});
