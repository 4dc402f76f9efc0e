// SMART Backend Services on the FHIR API (issue 20, "Access for systems"; docs/fhir.md). Keys are
// made here with node:crypto (RS384 and ES384), a system is registered through the REST route, and
// its JWT assertions are signed here by hand: each refusal the brief names is one assertion or
// token changed in one way. FHIR answers go through lib/fhir.mjs's three validators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { startSignedIn, startServer, login, api, assertError } from './lib/server.mjs';
import { fhir } from './lib/fhir.mjs';

let srv;
const S = {};
const K = {};
const SYS = {};
const P = {};
const b64u = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const tokenUrl = () => `${srv.url}/fhir/auth/token`;
const admin = (method, path, body) => api(srv, method, path, { token: S['demo.ministry-admin'].token, body });

// A key pair and its public JWK with a kid.
function keyPair(kind, kid) {
  const { privateKey, publicKey } = kind === 'RS384'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return { alg: kind, kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: kind } };
}

// A compact JWS: RS384 is PKCS #1 v1.5 over SHA-384, ES384 the raw r||s JOSE wants.
function jws(header, claims, key, alg = key.alg) {
  const data = `${b64u(header)}.${b64u(claims)}`;
  const sig = sign('sha384', Buffer.from(data), alg === 'ES384' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${data}.${sig.toString('base64url')}`;
}

// An assertion for client_id signed by key, with claims changed by more.
function assertion(clientId, key, more = {}, header = {}) {
  const claims = { iss: clientId, sub: clientId, aud: tokenUrl(), exp: now() + 240, jti: randomUUID(), ...more };
  return jws({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }, claims, key);
}

function askToken(clientAssertion, scope = 'system/Patient.rs', more = {}, headers = {}, to = srv) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials', scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion, ...more,
  });
  return api(to, 'POST', '/fhir/auth/token', { raw: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

async function tokenOf(clientId, key, scope) {
  const r = await askToken(assertion(clientId, key), scope);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

// An OAuth error (RFC 6749 5.2): the status and error code, with a description.
function assertOAuth(r, status, error) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error, error, JSON.stringify(r.body));
  assert.ok(r.body.error_description.length > 10);
}

const patient = (text) => ({ resourceType: 'Patient', name: [{ text }], gender: 'female', birthDate: '1988-03-08' });
const asSystem = (token, path) => fhir(srv, 'GET', path, { token });

before(async () => {
  srv = await startSignedIn(S);
  K.rsa = keyPair('RS384', 'his-rsa-1');
  K.ec = keyPair('ES384', 'his-ec-1');
  K.stranger = keyPair('RS384', 'his-rsa-1'); // the registered kid, another key
  // A patient at each of three facilities: the commune station Lũng Cú (12, Hà Giang 64), the Hà
  // Giang provincial hospital (4, Hà Giang 64), Bạch Mai (1, Hà Nội 1).
  for (const [k, who, name] of [['lungcu', 'demo.commune', 'Giàng Thị Mỷ'], ['hagiang', 'demo.doctor', 'Vàng Thị Dợ'], ['bachmai', 'demo.specialist', 'Nguyễn Thị Hằng']]) {
    const r = await fhir(srv, 'POST', '/fhir/Patient', { token: S[who].token, body: patient(name) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    P[k] = r.body;
  }
  assert.equal(P.lungcu.managingOrganization.reference, 'Organization/12');
  assert.equal(P.hagiang.managingOrganization.reference, 'Organization/4');
  assert.equal(P.bachmai.managingOrganization.reference, 'Organization/1');
  const his = await admin('POST', '/api/v1/systems', {
    client_id: 'his.lungcu', name: 'Phần mềm HIS trạm Lũng Cú', facility_ids: [12],
    scopes: 'system/Patient.rs system/Organization.rs', jwks: { keys: [K.rsa.jwk, K.ec.jwk] },
  });
  assert.equal(his.status, 201, JSON.stringify(his.body));
  SYS.his = his.body;
  const platform = await admin('POST', '/api/v1/systems', {
    client_id: 'vtelehealth', name: 'Nền tảng VTelehealth', province_ids: [64], scopes: 'system/Patient.read',
    jwks: { keys: [K.ec.jwk] },
  });
  assert.equal(platform.status, 201, JSON.stringify(platform.body));
  SYS.platform = platform.body;
});
after(() => srv.close());

test('registration: what the ministry administrator registered, and what it refuses', async () => {
  assert.equal(SYS.his.client_id, 'his.lungcu');
  assert.equal(SYS.his.name, 'Phần mềm HIS trạm Lũng Cú');
  assert.deepEqual(SYS.his.facility_ids, [12]);
  assert.equal(SYS.his.scopes, 'system/Patient.rs system/Organization.rs');
  assert.deepEqual(SYS.his.jwks.keys.map((k) => k.kid), ['his-rsa-1', 'his-ec-1']);
  assert.equal(SYS.platform.scopes, 'system/Patient.rs', 'v1 .read is kept as v2 .rs');
  const list = await admin('GET', '/api/v1/systems');
  assert.deepEqual(list.body.items.map((s) => s.client_id), ['his.lungcu', 'vtelehealth']);
  const base = { client_id: 'his.thu', name: 'Thử', facility_ids: [12], scopes: 'system/Patient.rs', jwks: { keys: [K.rsa.jwk] } };
  const refused = [
    [{ jwks: { keys: [{ ...K.rsa.privateKey.export({ format: 'jwk' }), kid: 'x' }] } }, 'jwks', 'a private key'],
    [{ jwks: { keys: [K.rsa.jwk, K.rsa.jwk] } }, 'jwks', 'two keys of one kid'],
    [{ jwks: { keys: [{ ...K.ec.jwk, x: K.ec.jwk.y }] } }, 'jwks', 'a point off the curve'],
    [{ scopes: 'system/Patient.cruds' }, 'scopes', 'a write scope'],
    [{ scopes: 'user/Patient.rs' }, 'scopes', 'a user scope'],
    [{ facility_ids: [] }, 'facility_ids', 'no place'],
    [{ facility_ids: [999999] }, 'facility_ids', 'a facility that does not exist'],
    [{ province_ids: [Number(srv.sql('SELECT unit_id FROM facilities WHERE id = 12'))] }, 'province_ids', 'a commune is not a province'],
    [{ client_id: 'his.lungcu' }, 'client_id', 'a client_id taken'],
  ];
  for (const [change, field, what] of refused) {
    const r = await admin('POST', '/api/v1/systems', { ...base, ...change });
    assert.ok([400, 409].includes(r.status), `${what}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field, what);
  }
  assert.equal(srv.sql("SELECT COUNT(*) FROM systems"), '2', 'nothing refused was stored');
  assertError(await api(srv, 'POST', '/api/v1/systems', { token: S['demo.province-admin'].token, body: base }), 403);
});

test('discovery: /.well-known/smart-configuration and the CapabilityStatement name SMART', async () => {
  const r = await api(srv, 'GET', '/fhir/.well-known/smart-configuration');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual((await api(srv, 'GET', '/.well-known/smart-configuration')).body, r.body);
  assert.equal(r.body.token_endpoint, tokenUrl());
  assert.deepEqual(r.body.token_endpoint_auth_methods_supported, ['private_key_jwt']);
  assert.deepEqual(r.body.token_endpoint_auth_signing_alg_values_supported, ['RS384', 'ES384']);
  assert.ok(r.body.capabilities.includes('client-confidential-asymmetric'));
  assert.ok(r.body.scopes_supported.includes('system/Patient.rs'));
  const cs = await fhir(srv, 'GET', '/fhir/metadata');
  const sec = cs.body.rest[0].security;
  assert.ok(sec.service.some((s) => s.coding[0].code === 'SMART-on-FHIR'));
  assert.equal(sec.extension[0].extension[0].valueUri, tokenUrl());
});

test('RS384: a token reads and searches Patient within its facility, and each use is audited as the system', async () => {
  const r = await askToken(assertion('his.lungcu', K.rsa), 'system/Patient.rs system/Organization.rs');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.token_type, 'bearer');
  assert.equal(r.body.expires_in, 300);
  assert.equal(r.body.scope, 'system/Patient.rs system/Organization.rs');
  assert.match(r.body.access_token, /^smart-[A-Za-z0-9_-]{43}$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const token = r.body.access_token;
  const read = await asSystem(token, `/fhir/Patient/${P.lungcu.id}`);
  assert.equal(read.status, 200);
  assert.equal(read.body.name[0].text, 'Giàng Thị Mỷ');
  const found = await asSystem(token, `/fhir/Patient?name=${encodeURIComponent('mỷ')}`);
  assert.equal(found.status, 200);
  assert.deepEqual(found.body.entry.map((e) => e.resource.id), [P.lungcu.id]);
  // The whole registry it sees: the seven demo patients of Lũng Cú and the one made above, and
  // only Lũng Cú's.
  const all = await asSystem(token, '/fhir/Patient?_count=100');
  assert.equal(all.body.entry.length, 8);
  assert.ok(all.body.entry.every((e) => e.resource.managingOrganization.reference === 'Organization/12'));
  const org = await asSystem(token, '/fhir/Organization/12');
  assert.equal(org.status, 200);
  const events = srv.sql(`SELECT action || ' ' || actor_role || ' ' || actor_id FROM audit_events WHERE actor_role = 'system' ORDER BY id`).split('\n');
  const id = SYS.his.id;
  assert.ok(events.includes(`system.token system ${id}`), events.join('; '));
  assert.ok(events.includes(`patient.read system ${id}`), events.join('; '));
  assert.equal(events.filter((e) => e === `patient.search system ${id}`).length, 2, events.join('; '));
});

test("AuditEvent: a system's events name the system, and agent=Practitioner/<n> is user n's, not system n's", async () => {
  const id = SYS.his.id;
  // A user with the system's number, who has acted (the demo accounts log in).
  const userActs = Number(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE actor_id = ${id} AND actor_role <> 'system'`));
  assert.ok(userActs > 0, `user ${id} has acted`);
  const ev = Number(srv.sql(`SELECT MAX(id) FROM audit_events WHERE actor_role = 'system' AND actor_id = ${id} AND action = 'patient.read'`));
  const r = await admin('GET', `/fhir/AuditEvent/${ev}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.agent[0].who.identifier, { system: 'urn:ytexa:fhir:sid:system', value: String(id) });
  assert.equal(r.body.agent[0].who.display, 'system');
  let url = `/fhir/AuditEvent?agent=Practitioner/${id}&_count=100`;
  const got = [];
  while (url) {
    const page = await admin('GET', url);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    got.push(...(page.body.entry ?? []).map((e) => e.resource));
    const next = page.body.link.find((l) => l.relation === 'next');
    url = next ? next.url.slice(srv.url.length) : null;
  }
  assert.equal(got.length, userActs);
  for (const x of got) assert.deepEqual(x.agent[0].who.identifier, { system: 'urn:ytexa:fhir:sid:user', value: String(id) }, `event ${x.id}`);
  assert.ok(!got.some((x) => Number(x.id) === ev), 'the system event is not the user\'s');
});

test('ES384 (r||s signature): a token of the registered EC key reads too', async () => {
  const token = await tokenOf('his.lungcu', K.ec, 'system/Patient.r');
  assert.equal((await asSystem(token, `/fhir/Patient/${P.lungcu.id}`)).status, 200);
  // .r reads but does not search; Organization was not asked for.
  assertError2(await asSystem(token, '/fhir/Patient?name=my'), 403);
  assertError2(await asSystem(token, '/fhir/Organization/12'), 403);
});

// A FHIR error: its status, an OperationOutcome.
function assertError2(r, status) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.resourceType, 'OperationOutcome');
}

test("a patient outside the registration is the same 404 as an absent one; the province's registration reaches its facilities", async () => {
  const token = await tokenOf('his.lungcu', K.rsa);
  const other = await asSystem(token, `/fhir/Patient/${P.bachmai.id}`);
  const absent = await asSystem(token, '/fhir/Patient/99999999');
  assert.equal(other.status, 404);
  assert.equal(JSON.stringify(other.body), JSON.stringify(absent.body));
  assertError2(await asSystem(token, `/fhir/Patient/${P.hagiang.id}`), 404);
  const none = await asSystem(token, `/fhir/Patient?name=${encodeURIComponent('hằng')}`);
  assert.deepEqual(none.body.entry ?? [], []);
  // Province 64 holds Lũng Cú (12) and the provincial hospital (4), not Bạch Mai.
  const p = await tokenOf('vtelehealth', K.ec);
  assert.equal((await asSystem(p, `/fhir/Patient/${P.hagiang.id}`)).status, 200);
  assert.equal((await asSystem(p, `/fhir/Patient/${P.lungcu.id}`)).status, 200);
  assertError2(await asSystem(p, `/fhir/Patient/${P.bachmai.id}`), 404);
  const all = await asSystem(p, '/fhir/Patient?_count=100');
  assert.deepEqual([...new Set(all.body.entry.map((e) => e.resource.managingOrganization.reference))].sort(), ['Organization/12', 'Organization/4']);
  assert.equal(all.body.entry.length, 9, 'Lũng Cú\'s eight and the hospital\'s one');
});

test('a system writes nothing and its token opens nothing outside /fhir/', async () => {
  const token = await tokenOf('his.lungcu', K.rsa);
  assertError2(await fhir(srv, 'POST', '/fhir/Patient', { token, body: patient('Hệ Thống Ghi') }), 403);
  assertError2(await fhir(srv, 'PUT', `/fhir/Patient/${P.lungcu.id}`, { token, body: P.lungcu }), 403);
  // Nor through a Bundle, whose entries would each be a write (or a read outside its scopes).
  const before = srv.sql('SELECT COUNT(*) FROM patients');
  for (const path of ['/fhir', '/fhir/']) {
    for (const type of ['transaction', 'batch'])
      assertError2(await fhir(srv, 'POST', path, { token, body: { resourceType: 'Bundle', type,
        entry: [{ fullUrl: 'urn:uuid:6f1d2a3e-0000-4000-8000-000000000001', resource: patient('Hệ Thống Gói'), request: { method: 'POST', url: 'Patient' } }] } }), 403);
  }
  assert.equal(srv.sql('SELECT COUNT(*) FROM patients'), before);
  assertError(await api(srv, 'GET', '/api/v1/me', { token }), 401);
  assertError(await api(srv, 'GET', `/api/v1/patients/${P.lungcu.id}`, { token }), 401);
  assertError(await api(srv, 'GET', '/api/v1/patients', { token }), 401);
});

test('refused assertions: wrong key, unknown kid, expired, exp too far, replayed jti, wrong aud, scope outside, malformed', async () => {
  const tokensBefore = srv.sql('SELECT COUNT(*) FROM system_tokens');
  assertOAuth(await askToken(assertion('his.lungcu', K.stranger)), 401, 'invalid_client');
  assertOAuth(await askToken(assertion('his.lungcu', { ...K.rsa, kid: 'his-rsa-2' })), 401, 'invalid_client');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa, {}, { alg: 'ES384' })), 401, 'invalid_client');
  assertOAuth(await askToken(assertion('his.unknown', K.rsa)), 401, 'invalid_client');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { sub: 'vtelehealth' })), 401, 'invalid_client');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { exp: now() - 5 })), 400, 'invalid_grant');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { exp: now() + 600 })), 400, 'invalid_grant');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { aud: 'https://other.example/token' })), 400, 'invalid_grant');
  // An assertion the same client made for another server, posted here naming that server as Host:
  // the audience is this server's own URL, never one the request chooses.
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { aud: 'http://other.example/fhir/auth/token' }), undefined, {}, { host: 'other.example' }), 400, 'invalid_grant');
  const once = assertion('his.lungcu', K.rsa);
  assert.equal((await askToken(once)).status, 200);
  assertOAuth(await askToken(once), 400, 'invalid_grant');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa), 'system/Patient.rs system/Encounter.rs'), 400, 'invalid_scope');
  assertOAuth(await askToken(assertion('vtelehealth', K.ec), 'system/Organization.rs'), 400, 'invalid_scope');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa), 'system/Patient.cruds'), 400, 'invalid_scope');
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa), 'system/Patient.rs', { grant_type: 'password' }), 400, 'unsupported_grant_type');
  // Malformed: bad base64, not three parts, JSON that is not an object, a huge header.
  for (const bad of ['!!!.e30.e30', 'abc', 'e30.e30', `${b64u('[1]')}.${b64u('{}')}.AAAA`, `${b64u({ alg: 'RS384', kid: 'x'.repeat(5000) })}.e30.AAAA`]) {
    assertOAuth(await askToken(bad), 401, 'invalid_client');
  }
  // A huge header inside a huge form: refused by the form's ceiling before anything is decoded.
  assertOAuth(await askToken(`${b64u({ alg: 'RS384', kid: 'x'.repeat(100000) })}.e30.AAAA`), 413, 'invalid_request');
  assertOAuth(await api(srv, 'POST', '/fhir/auth/token', { raw: 'x'.repeat(20000), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 413, 'invalid_request');
  assertOAuth(await api(srv, 'POST', '/fhir/auth/token', { body: { grant_type: 'client_credentials' } }), 415, 'invalid_request');
  assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
  assert.equal(srv.sql('SELECT COUNT(*) FROM system_tokens'), String(Number(tokensBefore) + 1), 'only the first use of the jti got a token');
  const refusals = srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'system.token' AND outcome <> 'ok'");
  assert.ok(Number(refusals) >= 17, `every refusal is audited: ${refusals}`);
});

test('new keys replace the old ones and end their tokens; a revoked system gets no token and its tokens end', async () => {
  const old = await tokenOf('his.lungcu', K.rsa);
  const K2 = keyPair('ES384', 'his-ec-2');
  const put = await admin('PUT', `/api/v1/systems/${SYS.his.id}/keys`, { jwks: { keys: [K2.jwk] } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assertError2(await asSystem(old, `/fhir/Patient/${P.lungcu.id}`), 401);
  assertOAuth(await askToken(assertion('his.lungcu', K.rsa)), 401, 'invalid_client');
  const fresh = await tokenOf('his.lungcu', K2);
  assert.equal((await asSystem(fresh, `/fhir/Patient/${P.lungcu.id}`)).status, 200);
  const rev = await admin('POST', `/api/v1/systems/${SYS.his.id}/revoke`);
  assert.equal(rev.status, 200);
  assert.equal(rev.body.revoked, true);
  assertError2(await asSystem(fresh, `/fhir/Patient/${P.lungcu.id}`), 401);
  assertOAuth(await askToken(assertion('his.lungcu', K2)), 401, 'invalid_client');
  assert.equal((await admin('POST', `/api/v1/systems/${SYS.his.id}/revoke`)).status, 409);
  const audit = srv.sql("SELECT action FROM audit_events WHERE action IN ('system.create', 'system.keys', 'system.revoke') AND outcome = 'ok' ORDER BY id").split('\n');
  assert.deepEqual(audit, ['system.create', 'system.create', 'system.keys', 'system.revoke']);
});

test('a token expires after 300 s', async () => {
  const token = await tokenOf('vtelehealth', K.ec);
  assert.equal((await asSystem(token, `/fhir/Patient/${P.hagiang.id}`)).status, 200);
  await srv.stop();
  srv.env = { YTEXA_CLOCK_OFFSET_MS: String(301 * 1000) };
  await srv.restart();
  assertError2(await asSystem(token, `/fhir/Patient/${P.hagiang.id}`), 401);
});

// Behind nginx clients reach the server by its public name: --public-url says which, and it alone
// is the audience (docs/operations.md, "Registering the national platform's client").
test('--public-url is the token endpoint and the only audience', async () => {
  const pub = await startServer({ extraArgs: ['--public-url', 'https://ytexa.tuyenquang.example/'] });
  try {
    const url = 'https://ytexa.tuyenquang.example/fhir/auth/token';
    assert.equal((await api(pub, 'GET', '/fhir/.well-known/smart-configuration')).body.token_endpoint, url);
    const reg = await api(pub, 'POST', '/api/v1/systems', { token: (await login(pub, 'demo.ministry-admin')).token, body: {
      client_id: 'his.lungcu', name: 'Phần mềm HIS trạm Lũng Cú', facility_ids: [12], scopes: 'system/Patient.rs', jwks: { keys: [K.rsa.jwk] } } });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const host = { host: 'ytexa.tuyenquang.example' };
    // Its listening address (what the request reached) or the Host it names are not the audience.
    assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { aud: `${pub.url}/fhir/auth/token` }), undefined, {}, {}, pub), 400, 'invalid_grant');
    assertOAuth(await askToken(assertion('his.lungcu', K.rsa, { aud: 'http://ytexa.tuyenquang.example/fhir/auth/token' }), undefined, {}, host, pub), 400, 'invalid_grant');
    const ok = await askToken(assertion('his.lungcu', K.rsa, { aud: url }), undefined, {}, {}, pub);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  } finally {
    await pub.close();
  }
});
