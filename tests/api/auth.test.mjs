// Login, sessions, logout, CSRF, expiry and the rate limits on failed logins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, assertError, ROLES, DEMO_PASSWORD } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ env: { YTEXA_LOGIN_FAIL_USER: '5', YTEXA_LOGIN_FAIL_ADDR: '12' } }); });
after(async () => { await srv.stop(); srv.cleanup(); });

test('each demo role logs in and /me tells who and where', async () => {
  for (const [username, role] of Object.entries(ROLES)) {
    const s = await login(srv, username);
    assert.match(s.token, /^[A-Za-z0-9_-]{43}$/, '256-bit token, base64url');
    assert.equal(s.user.role, role);
    const me = await api(srv, 'GET', '/api/v1/me', { token: s.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, username);
    assert.equal(me.body.user.role, role);
    assert.equal(me.body.csrf, s.csrf, 'the session\'s CSRF token, as login gave it');
    assert.match(s.csrf, /^[A-Za-z0-9_-]{20,}$/);
    // Everyone works at a facility but the ministry and a patient, who have none.
    if (!['ministry_admin', 'patient'].includes(role)) assert.match(me.body.user.facility.name, /\S{3}/, username);
    else assert.equal(me.body.user.facility, null, username);
  }
});

test('names keep their diacritics', async () => {
  const s = await login(srv, 'demo.doctor');
  assert.equal(s.user.full_name, 'Nguyễn Văn An');
});

test('the token is stored only as a hash', async () => {
  const s = await login(srv, 'demo.trainer');
  const rows = srv.sql(`SELECT token_hash FROM sessions`);
  assert.ok(!rows.includes(s.token));
  assert.match(rows.split('\n')[0], /^[0-9a-f]{64}$/);
});

test('the session cookie is HttpOnly and SameSite=Strict, and ends with the browser', async () => {
  const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: DEMO_PASSWORD } });
  const c = r.headers.get('set-cookie');
  assert.match(c, /^ytexa_session=[A-Za-z0-9_-]{43};/);
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Strict/);
  // No Max-Age nor Expires: a browser-session cookie, forgotten when the browser closes (a shared
  // computer's next user is not the last one; docs/asvs.md).
  assert.doesNotMatch(c, /Max-Age|Expires/i);
});

test('cookie sessions need the CSRF header to write; bearer tokens do not', async () => {
  const s = await login(srv, 'demo.specialist');
  assert.equal((await api(srv, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200);
  assertError(await api(srv, 'POST', '/api/v1/auth/logout', { cookie: s.cookie }), 403, 'forbidden');
  assertError(await api(srv, 'POST', '/api/v1/auth/logout', { cookie: s.cookie, csrf: 'x'.repeat(32) }), 403);
  assert.equal((await api(srv, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200, 'still logged in');
  assert.equal((await api(srv, 'POST', '/api/v1/auth/logout', { cookie: s.cookie, csrf: s.csrf })).status, 200);
  assertError(await api(srv, 'GET', '/api/v1/me', { cookie: s.cookie }), 401);
});

test('logout ends the session on the server', async () => {
  const s = await login(srv, 'demo.commune');
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200);
  const r = await api(srv, 'POST', '/api/v1/auth/logout', { token: s.token });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('set-cookie'), /Max-Age=0/);
  assertError(await api(srv, 'GET', '/api/v1/me', { token: s.token }), 401, 'unauthenticated');
  assertError(await api(srv, 'POST', '/api/v1/auth/logout', { token: s.token }), 401);
});

test('wrong password, unknown user and bad tokens get 401 and no session', async () => {
  const before = srv.sql('SELECT COUNT(*) FROM sessions');
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'wrong-password' } }), 401, 'unauthenticated');
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'wrong-password' } }), 401);
  assert.equal(srv.sql('SELECT COUNT(*) FROM sessions'), before);
  for (const token of ['', 'short', 'x'.repeat(43), 'bad token with spaces', "'; DROP TABLE sessions; --"]) {
    assertError(await api(srv, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } }), 401);
  }
  assertError(await api(srv, 'GET', '/api/v1/me'), 401);
  assertError(await api(srv, 'GET', '/api/v1/me', { cookie: 'ytexa_session=abc' }), 401);
});

test('login bad inputs get 4xx JSON and write nothing', async () => {
  const sessions = srv.sql('SELECT COUNT(*) FROM sessions');
  const cases = [
    [{ raw: '{"username":', headers: { 'content-type': 'application/json' } }, 400],
    [{ raw: 'username=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
    [{ body: [] }, 400],
    [{ body: 'x' }, 400],
    [{ body: { username: 'demo.doctor' } }, 400],
    [{ body: { username: 1, password: DEMO_PASSWORD } }, 400],
    [{ body: { username: 'demo.doctor', password: DEMO_PASSWORD, admin: true } }, 400],
    [{ body: { username: 'a'.repeat(65), password: DEMO_PASSWORD } }, 400],
    [{ body: { username: 'demo.doctor', password: 'p'.repeat(1025) } }, 400],
    [{ raw: Buffer.from([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } }, 400],
    [{ raw: '{"username":"a","username":"b","password":"x"}', headers: { 'content-type': 'application/json' } }, 400],
    [{ raw: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'application/json' } }, 413],
  ];
  for (const [opts, status] of cases) {
    const r = await api(srv, 'POST', '/api/v1/auth/login', opts);
    assert.equal(r.status, status, `${JSON.stringify(opts).slice(0, 80)} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    assert.equal(typeof r.body?.error?.code, 'string', `a JSON error: ${String(r.body).slice(0, 100)}`);
  }
  assert.equal(srv.sql('SELECT COUNT(*) FROM sessions'), sessions);
  assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
});

test('a long password with any characters works, and is never truncated', async () => {
  const admin = await login(srv, 'demo.ministry-admin');
  const password = 'Mật khẩu rất dài '.repeat(7).slice(0, 120);
  const created = await api(srv, 'POST', '/api/v1/users', { token: admin.token, body: {
    username: 'long.pass', full_name: 'Long Pass', password, role: 'ministry_admin' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await login(srv, 'long.pass', password);
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'long.pass', password: password.slice(0, 72) } }), 401);
  assert.match(srv.sql("SELECT password_hash FROM users WHERE username = 'long.pass'"), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test('failed logins are limited per account, then per address', async () => {
  for (let i = 0; i < 5; i++)
    assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.patient', password: 'nope-nope' } }), 401);
  const limited = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.patient', password: DEMO_PASSWORD } });
  assertError(limited, 429, 'rate_limited');
  // Other accounts from this address still work until the address limit.
  await login(srv, 'demo.doctor');
  let last;
  for (let i = 0; i < 12; i++)
    last = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: `someone${i}`, password: 'nope-nope' } });
  assertError(last, 429, 'rate_limited');
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: DEMO_PASSWORD } }), 429);
});

// ASVS 6.1.1: an account's failures are counted per address, so that someone who knows a
// username cannot lock its holder out from everywhere; spread over many addresses, guesses still
// stop at ten times the limit for the account.
test('a username known to an attacker: its holder still signs in from elsewhere; guesses from many addresses stay bounded', async () => {
  const own = await startServer({ extraArgs: ['--trust-proxy'], env: { YTEXA_LOGIN_FAIL_USER: '3', YTEXA_LOGIN_FAIL_ADDR: '1000' } });
  try {
    const from = (addr, password) => api(own, 'POST', '/api/v1/auth/login',
      { body: { username: 'demo.doctor', password }, headers: { 'x-forwarded-for': addr } });
    for (let i = 0; i < 3; i++) assertError(await from('203.0.113.7', 'doan-bua-' + i), 401);
    assertError(await from('203.0.113.7', DEMO_PASSWORD), 429, 'rate_limited');
    assert.equal((await from('198.51.100.20', DEMO_PASSWORD)).status, 200, 'the doctor at the hospital still signs in');
    for (let i = 0; i < 27; i++) assertError(await from(`192.0.2.${i + 1}`, 'doan-bua'), 401);
    assertError(await from('198.51.100.21', DEMO_PASSWORD), 429, 'rate_limited');
  } finally {
    await own.close();
  }
});
