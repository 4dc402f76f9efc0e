// A NUL (U+0000) wherever a client can put one — a JSON string, an item of a list, a nested object,
// a key, an unescaped byte, the URL's path or query, a WebSocket message — is refused before any
// handler reads it, and nothing is written: in C and in the database a NUL would end the value
// early and the rest would be dropped without a word. Each refusal is checked against the same
// request without the NUL, which succeeds, so the test fails if the refusal came from elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSignedIn, api, assertError, refuser } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs } from './lib/ws.mjs';

let srv;
const S = {};
const as = (who, method, path, opts = {}) => api(srv, method, path, { token: S[who].token, ...opts });
const snapshot = () => srv.sql(
  'SELECT (SELECT COUNT(*) FROM patients), (SELECT COUNT(*) FROM patient_name_keys), (SELECT MAX(updated_at) FROM patients), ' +
  '(SELECT COUNT(*) FROM idempotency_keys), (SELECT COUNT(*) FROM chat_messages)');
const refused = refuser(snapshot);
const json = { 'content-type': 'application/json' };

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

const PERSON = {
  full_name: 'Giàng A Páo', birth_year: 1979, sex: 'male', languages: ['hmn'],
  guardian: { name: 'Giàng Thị Mỷ', relation: 'vợ' },
};

test('a NUL in a JSON body — string, list item, nested object, key or raw byte — is 400 JSON and writes nothing', async () => {
  const cases = [
    ['in a string field', { ...PERSON, full_name: 'Giàng A\u0000Páo' }],
    ['at the end of a string field', { ...PERSON, full_name: 'Giàng A Páo\u0000' }],
    ['in an item of a list', { ...PERSON, languages: ['hmn\u0000'] }],
    ['in a nested object', { ...PERSON, guardian: { name: 'Giàng\u0000 Thị Mỷ', relation: 'vợ' } }],
    ['in a key', { ...PERSON, ['full_name\u0000']: 'x' }],
  ];
  for (const [what, body] of cases) {
    const raw = JSON.stringify(body);
    assert.match(raw, /\\u0000/, `${what}: the body carries an escaped NUL`);
    const r = await refused(as('demo.commune', 'POST', '/api/v1/patients', { raw, headers: json }), 400, null, what);
    assert.equal(r.body.error.code, 'invalid_input', what);
    assert.match(r.body.error.message, /^Nội dung không phải JSON hợp lệ/, what);
  }
  // An unescaped NUL byte inside a string is not JSON either.
  const bytes = Buffer.from(JSON.stringify({ ...PERSON, full_name: 'Giàng A_Páo' }));
  bytes[bytes.indexOf('A_P') + 1] = 0;
  assert.ok(bytes.includes(0));
  assertError(await refused(as('demo.commune', 'POST', '/api/v1/patients', { raw: bytes, headers: json }), 400, null, 'raw NUL byte'), 400, 'invalid_input');
  // The same body without the NUL is a patient: what was refused was the NUL.
  const ok = await as('demo.commune', 'POST', '/api/v1/patients', { body: PERSON });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.full_name, 'Giàng A Páo');
});

test('a NUL in the URL path or query is 400 JSON: never a shorter id, path or search', async () => {
  const p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Vàng Thị Sua', birth_year: 1990, sex: 'female' });
  // Without the refusal h2o's decoded path ended at the NUL: this read patient p.
  for (const path of [`/api/v1/patients/${p.id}%00`, `/api/v1/patients/${p.id}%00.json`]) {
    const r = await as('demo.commune', 'GET', path);
    assertError(r, 400, 'invalid_input');
    assert.match(r.body.error.message, /NUL/, path);
  }
  assert.equal((await as('demo.commune', 'GET', `/api/v1/patients/${p.id}`)).status, 200);
  await refused(as('demo.commune', 'PATCH', `/api/v1/patients/${p.id}%00`, { body: { full_name: 'Vàng Thị Sua Mới' } }), 400, null, 'PATCH');
  assert.equal((await as('demo.commune', 'GET', `/api/v1/patients/${p.id}`)).body.full_name, 'Vàng Thị Sua');
  // A query's value (or name) with a NUL: not a search for what comes before it.
  const found = await as('demo.commune', 'GET', '/api/v1/patients?q=vang%20thi%20sua');
  assert.deepEqual(found.body.items.map((x) => x.id), [p.id]);
  for (const q of ['q=vang%00xyz', 'q=vang%00', 'q%00=vang', 'limit=5%00&q=vang']) {
    const r = await as('demo.commune', 'GET', `/api/v1/patients?${q}`);
    assertError(r, 400, 'invalid_input');
    assert.match(r.body.error.message, /NUL/, q);
  }
  // Logged out it is still refused for what it is, before anything else reads the path.
  assertError(await api(srv, 'GET', `/api/v1/patients/${p.id}%00`), 400, 'invalid_input');
});

test('a NUL in a header is not HTTP: refused before the request is read', async () => {
  // node's HTTP client will not send one; a socket does. The same request without it is answered.
  const send = (header) => new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let text = '';
    sock.on('error', reject);
    sock.on('data', (d) => { text += d; });
    sock.on('end', () => resolve(Number(text.split(' ')[1])));
    sock.write(`GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n${header}\r\nConnection: close\r\n\r\n`);
  });
  const token = S['demo.commune'].token;
  assert.equal(await send(`Authorization: Bearer ${token}`), 200);
  for (const header of [`Authorization: Bearer ${token}\u0000`, `Authorization: Bearer ${token}\r\nIdempotency-Key: a\u0000b`, `Authorization: Bearer ${token}\r\nX-A\u0000: b`])
    assert.equal(await send(header), 400, JSON.stringify(header));
});

test('a NUL in a WebSocket message is refused as not JSON, and no chat message is stored', async () => {
  const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Lý Thị Dế', birth_year: 1985, sex: 'female' });
  const v = await as('demo.commune', 'POST', '/api/v1/visits', { body: { patient_id: p.id, doctor_id: doctorId, mode: 'video', reason: 'Sốt, ho 5 ngày' } });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  const ch = `visit:${v.body.id}`;
  const ws = await openWs(srv, S['demo.commune']);
  try {
    assert.equal((await ws.ask({ type: 'join', channel: ch })).type, 'joined');
    const before = snapshot();
    ws.send(JSON.stringify({ type: 'chat', channel: ch, text: 'Sốt\u0000 39 độ', client_id: 'nul-1', ref: 'nul' }));
    const e = await ws.next((m) => m.type === 'error', 'the refusal');
    assert.equal(e.code, 'invalid_json', JSON.stringify(e));
    assert.equal(snapshot(), before, 'nothing stored');
    // Without the NUL the same message is stored.
    const m = await ws.ask({ type: 'chat', channel: ch, text: 'Sốt 39 độ', client_id: 'nul-2' });
    assert.equal(m.type, 'chat', JSON.stringify(m));
    assert.equal(srv.sql(`SELECT body FROM chat_messages WHERE id = ${m.id}`), 'Sốt 39 độ');
  } finally {
    await ws.close();
  }
});
