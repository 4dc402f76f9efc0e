// Every endpoint that takes a body, fed the same malformed inputs: each gets a 4xx JSON error,
// the server stays up, and no table changes. Endpoints of later workflows are added to WRITES.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login } from './lib/server.mjs';

let srv, admin;
const WRITES = [
  ['POST', '/api/v1/auth/login', { public: true }],
  ['POST', '/api/v1/auth/logout'],
  ['POST', '/api/v1/users'],
  ['PATCH', '/api/v1/users/1'],
  ['POST', '/api/v1/users/1/password'],
  ['POST', '/api/v1/facilities'],
  ['PATCH', '/api/v1/facilities/1'],
  ['POST', '/api/v1/support-links'],
];
const TABLES = ['users', 'sessions', 'facilities', 'facility_specialties', 'support_links', 'admin_units',
  'idempotency_keys', 'login_failures'];

const snapshot = () => TABLES.map((t) => `${t}=${srv.sql(`SELECT COUNT(*) FROM ${t}`)}`).join(' ');
const json = { 'content-type': 'application/json' };
const BAD = [
  ['truncated JSON', { raw: '{"name": "Trạm', headers: json }],
  ['not JSON', { raw: 'hello', headers: json }],
  ['a JSON array', { raw: '[1,2,3]', headers: json }],
  ['a JSON string', { raw: '"x"', headers: json }],
  ['null', { raw: 'null', headers: json }],
  ['invalid UTF-8', { raw: Buffer.from('{"name":"\xff\xfe\xfd"}', 'latin1'), headers: json }],
  ['overlong UTF-8', { raw: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), headers: json }],
  ['NUL escaped', { raw: '{"name":"a\\u0000b"}', headers: json }],
  ['duplicate keys', { raw: '{"name":"a","name":"b"}', headers: json }],
  ['unknown field', { body: { definitely_not_a_field: 1 } }],
  ['wrong types everywhere', { body: { name: 1, code: [], level: {}, username: false, password: 3, unit_id: 'x', hub_id: 'x', active: 'yes' } }],
  ['SQL metacharacters', { body: { name: "'; DROP TABLE users; --", code: "' OR 1=1 --", username: "a' --", password: "x' OR '1'='1" } }],
  ['huge string', { body: { name: 'ă'.repeat(50000) } }],
  ['deep nesting', { raw: '['.repeat(5000) + ']'.repeat(5000), headers: json }],
  ['form encoded', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ['no content type', { raw: '{"name":"x"}', headers: {} }],
  ['oversize body', { raw: '{"name":"' + 'x'.repeat(3 * 1024 * 1024) + '"}', headers: json }],
];

before(async () => {
  srv = await startServer();
  admin = await login(srv, 'demo.ministry-admin');
});
after(async () => { await srv.stop(); srv.cleanup(); });

for (const [method, path, opts = {}] of WRITES) {
  test(`${method} ${path}: malformed input → 4xx JSON, nothing written`, async () => {
    const before = snapshot();
    for (const [what, req] of BAD) {
      const r = await api(srv, method, path, { token: opts.public ? undefined : admin.token, ...req });
      assert.ok(r.status >= 400 && r.status < 500, `${what}: got ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      assert.equal(typeof r.body?.error?.code, 'string', `${what}: error body ${String(r.body).slice(0, 100)}`);
    }
    // Logging in with bad input is not a failed login of anyone: no count changes at all.
    assert.equal(snapshot(), before);
    assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
  });
}

test('the session survived all of it', async () => {
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: admin.token })).status, 200);
});
