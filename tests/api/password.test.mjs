// A person changes their own password (POST /api/v1/me/password): the current one asked again (a
// computer left signed in is not enough), a wrong one counted with failed logins, the new one not
// the current one nor the username, every other session of the account ended and this one kept;
// bad input, the logged-out and a cookie without its CSRF token refused, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, api, login, assertError, DEMO_PASSWORD } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ extraArgs: ['--login-fail-user', '4'] }); });
after(() => srv.close());

const change = (s, body, extra = {}) => api(srv, 'POST', '/api/v1/me/password', { token: s?.token, body, ...extra });
const hashOf = (u) => srv.sql(`SELECT password_hash FROM users WHERE username = '${u}'`);
const live = (u) => srv.sql(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = '${u}' AND s.revoked_at IS NULL`);

test('the person changes it: the old one stops working, the other sessions end, this one goes on, audited without the password', async () => {
  const here = await login(srv, 'demo.trainer');
  const other = await login(srv, 'demo.trainer');
  const bystander = await login(srv, 'demo.doctor');
  const fresh = 'Mật khẩu mới của Hùng 2026';
  const r = await change(here, { current_password: DEMO_PASSWORD, new_password: fresh });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { ok: true });
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: here.token })).status, 200, 'this session goes on');
  assertError(await api(srv, 'GET', '/api/v1/me', { token: other.token }), 401, 'unauthenticated');
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: bystander.token })).status, 200, 'another account untouched');
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.trainer', password: DEMO_PASSWORD } }), 401);
  assert.equal((await login(srv, 'demo.trainer', fresh)).user.username, 'demo.trainer');
  const ev = srv.sql("SELECT action, resource_type, resource_id, outcome FROM audit_events WHERE action = 'auth.change_password'");
  assert.equal(ev, `auth.change_password|user|${here.user.id}|ok`);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%${fresh}%' OR detail LIKE '%${DEMO_PASSWORD}%'`), '0');
});

test('a wrong current password is refused and counted with failed logins: after the limit, 429 here and at the login', async () => {
  const s = await login(srv, 'demo.specialist');
  const before = hashOf('demo.specialist');
  for (let i = 0; i < 4; i++) {
    const r = await change(s, { current_password: 'doan-bua-' + i, new_password: 'mot-mat-khau-moi' });
    assertError(r, 403, 'wrong_password');
    assert.match(r.body.error.message, /Mật khẩu hiện tại không đúng/);
  }
  assertError(await change(s, { current_password: DEMO_PASSWORD, new_password: 'mot-mat-khau-moi' }), 429);
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.specialist', password: DEMO_PASSWORD } }), 429);
  assert.equal(hashOf('demo.specialist'), before, 'nothing changed');
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200, 'the session itself is not ended');
});

test('bad input names its field and writes nothing; the logged-out and a cookie without CSRF are refused', async () => {
  const s = await login(srv, 'demo.commune');
  const before = [hashOf('demo.commune'), live('demo.commune'), srv.sql('SELECT COUNT(*) FROM login_failures')];
  const ok = { current_password: DEMO_PASSWORD, new_password: 'mot-mat-khau-moi' };
  for (const [body, field] of [
    [{ new_password: 'mot-mat-khau-moi' }, 'current_password'],
    [{ current_password: DEMO_PASSWORD }, 'new_password'],
    [{ ...ok, new_password: 'ngan7ch' }, 'new_password'],
    [{ ...ok, new_password: 'x'.repeat(129) }, 'new_password'],
    [{ ...ok, new_password: 12345678 }, 'new_password'],
    [{ ...ok, current_password: '' }, 'current_password'],
    [{ ...ok, new_password: DEMO_PASSWORD }, 'new_password'],
    [{ ...ok, extra: 1 }, 'extra'],
  ]) {
    const r = await change(s, body);
    assertError(r, 400);
    assert.equal(r.body.error.field, field, JSON.stringify(body));
  }
  assertError(await api(srv, 'POST', '/api/v1/me/password', { token: s.token, raw: '{"current_password": ', headers: { 'content-type': 'application/json' } }), 400);
  assertError(await change(null, ok), 401);
  assertError(await api(srv, 'POST', '/api/v1/me/password', { cookie: s.cookie, body: ok }), 403);
  assert.deepEqual([hashOf('demo.commune'), live('demo.commune'), srv.sql('SELECT COUNT(*) FROM login_failures')], before);
});

// Guessable passwords (docs/api.md, "Passwords"), refused by one rule wherever a password is set:
// one's own change, an administrator's new account and reset (and the station's patient account,
// tests/api/patient.test.mjs). The common list is Debian's john-data (scripts/setup.sh).
const WEAK = [
  ['iloveyou', 'common (the list)'], ['Sunshine2026!', 'common with digits after it'], ['baseball', 'common'],
  ['Mật khẩu 123', 'a local word'], ['ytexa-2026', 'a local word'],
  ['12345678', 'a run'], ['98765432', 'a run down'], ['abcdefgh', 'letters in a run'], ['zzzzzzzz', 'one character'],
  ['abcabcabc', 'a unit repeated'],
];

test('a guessable new password is refused (weak_password, the field named), nothing written', async () => {
  assert.ok(fs.existsSync('/usr/share/john/password.lst'), 'john-data is installed by scripts/setup.sh');
  const s = await login(srv, 'demo.commune'); // Lò Thị Mai
  const before = [hashOf('demo.commune'), live('demo.commune')];
  const personal = [['toi-la-DEMO.COMMUNE', 'the username'], ['Lò Thị Mai 1990', 'the name'], ['mai19901990', 'a word of the name and digits']];
  for (const [weak, why] of [...WEAK, ...personal]) {
    const r = await change(s, { current_password: DEMO_PASSWORD, new_password: weak });
    assertError(r, 400, 'weak_password');
    assert.equal(r.body.error.field, 'new_password', `${weak}: ${why}`);
  }
  assert.deepEqual([hashOf('demo.commune'), live('demo.commune')], before);
  // Close to them but not them: taken.
  const r = await change(s, { current_password: DEMO_PASSWORD, new_password: 'sunshine trên đèo Mã Pí Lèng' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

test('an administrator cannot give a new account or a reset a guessable password', async () => {
  const admin = await login(srv, 'demo.facility-admin');
  const users = srv.sql('SELECT COUNT(*) FROM users');
  const facility = Number(srv.sql("SELECT facility_id FROM users WHERE username = 'demo.facility-admin'"));
  const body = (password) => ({ username: 'hg.nurse', full_name: 'Hà Thị Thu', password, role: 'health_worker', facility_id: facility });
  for (const [weak] of [...WEAK, ['hg.nurse-2026'], ['Hà Thị Thu 2026']]) {
    const r = await api(srv, 'POST', '/api/v1/users', { token: admin.token, body: body(weak) });
    assertError(r, 400, 'weak_password');
    assert.equal(r.body.error.field, 'password', weak);
  }
  assert.equal(srv.sql('SELECT COUNT(*) FROM users'), users);
  const doctor = srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"); // Nguyễn Văn An, at the admin's hospital
  const hash = hashOf('demo.doctor');
  for (const weak of ['Nguyễn Văn An 2026', 'demo.doctor!', 'password1', '11111111']) {
    const r = await api(srv, 'POST', `/api/v1/users/${doctor}/password`, { token: admin.token, body: { password: weak } });
    assertError(r, 400, 'weak_password');
    assert.equal(r.body.error.field, 'password', weak);
  }
  assert.equal(hashOf('demo.doctor'), hash);
  const made = await api(srv, 'POST', '/api/v1/users', { token: admin.token, body: body('Thu trực đêm ở Đồng Văn') });
  assert.equal(made.status, 201, JSON.stringify(made.body));
});
