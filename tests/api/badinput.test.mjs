// Bad input to every write route, generated from the routes themselves (`ytexa routes --json`: each
// route's field table) rather than written by hand: malformed bodies, and for each field of each
// table a missing required field, a wrong type, a string too long or too short, a number out of
// range, SQL metacharacters where a value of another type is due, plus an unknown field and a NUL.
// Every answer must be a 4xx JSON error with a code (naming the field when one field is wrong),
// the server must stay up, and not one row of any table may change. Each request comes from a
// caller whose role the route names, with valid path ids of records that do not exist, so that a
// check missed anywhere would show as a 404 (or a write) instead of the 400 of the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, BIN, errorOf } from './lib/server.mjs';
import { CALLERS, ids, pool, startWorld, stopWorld } from './lib/world.mjs';
import { ROUTES, pathFor } from './lib/routes.mjs';

const all = JSON.parse(execFileSync(BIN, ['routes', '--json'], { encoding: 'utf8' }));
const WRITES = all.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !r.flags.includes('raw'));
const key = (r) => `${r.method} ${r.path}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const SQL = "x' OR '1'='1'; DROP TABLE patients; --";

// Malformed bodies, the same for every route.
const MALFORMED = [
  ['truncated JSON', { raw: '{"name": "Trạm', headers: JSON_TYPE }],
  ['not JSON', { raw: 'hello', headers: JSON_TYPE }],
  ['a JSON array', { raw: '[1,2,3]', headers: JSON_TYPE }],
  ['a JSON string', { raw: '"x"', headers: JSON_TYPE }],
  ['null', { raw: 'null', headers: JSON_TYPE }],
  ['invalid UTF-8', { raw: Buffer.from('{"name":"\xff\xfe\xfd"}', 'latin1'), headers: JSON_TYPE }],
  ['overlong UTF-8', { raw: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), headers: JSON_TYPE }],
  ['NUL escaped', { raw: '{"name":"a\\u0000b"}', headers: JSON_TYPE }],
  ['duplicate keys', { raw: '{"name":"a","name":"b"}', headers: JSON_TYPE }],
  ['deep nesting', { raw: '['.repeat(5000) + ']'.repeat(5000), headers: JSON_TYPE }],
  ['form encoded', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ['no content type', { raw: '{"name":"x"}', headers: {} }],
  ['oversize body', { raw: '{"name":"' + 'x'.repeat(3 * 1024 * 1024) + '"}', headers: JSON_TYPE }],
  ['an Idempotency-Key of 201 characters', { body: {}, headers: { 'idempotency-key': 'k'.repeat(201) } }],
];

// A value of another type than t (strings get a number, the rest SQL text).
const WRONG = { string: 12345, int: SQL, bool: SQL, array: SQL, object: SQL, number: SQL };
const SAFE_MAX = 2 ** 53;

// The bad bodies made from one route's table, each with the field it must be refused for, the
// code that says why (docs/api.md, "Errors") and the limits the answer must carry.
function generated(route, valid) {
  const out = [[`an unknown field`, { ...valid, zz_not_a_field: 1 }, 'zz_not_a_field', 'unknown_field']];
  for (const f of route.fields) {
    const base = { ...valid };
    const limits = { min: f.min, max: f.max };
    if (f.required) {
      const { [f.name]: _, ...without } = base;
      out.push([`${f.name} missing`, without, f.name, 'required']);
    }
    if (WRONG[f.type] !== undefined) out.push([`${f.name} of another type`, { ...base, [f.name]: WRONG[f.type] }, f.name, 'bad_type']);
    if (f.type === 'string' && f.max > 0) {
      out.push([`${f.name} one character too long`, { ...base, [f.name]: 'ă'.repeat(f.max + 1) }, f.name, 'too_long', limits]);
      out.push([`${f.name} SQL metacharacters, too long`, { ...base, [f.name]: SQL.repeat(Math.ceil((f.max + 1) / SQL.length)) }, f.name, 'too_long', limits]);
    }
    if (f.type === 'string' && f.min > 1) out.push([`${f.name} one character too short`, { ...base, [f.name]: 'ă'.repeat(f.min - 1) }, f.name, 'too_short', limits]);
    if (f.type === 'string') out.push([`${f.name} with a NUL`, { ...base, [f.name]: 'a\u0000b' }, null]);
    if (f.type === 'int' && (f.min || f.max)) {
      out.push([`${f.name} below its range`, { ...base, [f.name]: f.min - 1 }, f.name, 'out_of_range', limits]);
      if (f.max < SAFE_MAX) out.push([`${f.name} above its range`, { ...base, [f.name]: f.max + 1 }, f.name, 'out_of_range', limits]);
    }
    if (f.type === 'int') out.push([`${f.name} a fraction`, { ...base, [f.name]: 1.5 }, f.name, 'bad_type']);
  }
  return out;
}

let srv, W, world;
before(async () => {
  world = await startWorld();
  ({ srv, W } = world);
});
after(() => stopWorld(world, 'bad input changed the database'));

// A caller the route lets through its role gate, or nobody for a public route.
const callerOf = (r) => (r.flags.includes('public') ? null : CALLERS.find((c) => r.roles.includes(c.role)));
function send(r, caller, req, path) {
  const token = caller ? W.S[caller.name].token : undefined;
  return api(srv, r.method, path ?? pathFor(r, ids(W, 'absent')), { token, ...req });
}

test('every write route with a field table has a valid body to start from', () => {
  assert.ok(WRITES.length >= 80, `${WRITES.length} write routes`);
  const none = WRITES.filter((r) => r.fields && !ROUTES[key(r)]?.body).map(key);
  assert.deepEqual(none, []);
});

test('malformed bodies: a 4xx JSON error with a code, on every write route', async () => {
  const wrong = [];
  await pool(WRITES.flatMap((r) => MALFORMED.map((m) => [r, m])), 4, async ([r, [what, req]]) => {
    const a = await send(r, callerOf(r), req);
    if (!(a.status >= 400 && a.status < 500) || typeof errorOf(a.body)?.code !== 'string' || typeof errorOf(a.body).message !== 'string')
      wrong.push(`${key(r)}, ${what}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
  });
  assert.deepEqual(wrong, []);
});

// The codes of a wrong field (docs/api.md, "Errors"): the field table's checks and the handlers'.
const FIELD_CODES = ['invalid_input', 'required', 'unknown_field', 'bad_type', 'too_short', 'too_long', 'out_of_range',
  'bad_format', 'not_allowed', 'mismatch'];

test('each field of each table, wrong: 400 naming the field, on every write route', async () => {
  const wrong = [];
  const cases = [];
  for (const r of WRITES) {
    const valid = ROUTES[key(r)].body?.(ids(W, 'absent'), W) ?? {};
    // A route that takes no body refuses any field.
    const list = r.fields ? generated(r, valid) : [['a field where none is taken', { zz_not_a_field: 1 }, null]];
    for (const [what, body, field, code, limits] of list) cases.push([r, what, body, field, code, limits]);
  }
  await pool(cases, 4, async ([r, what, body, field, code, limits]) => {
    const a = await send(r, callerOf(r), { body });
    const e = errorOf(a.body);
    if (a.status !== 400 || !FIELD_CODES.includes(e?.code) || (field && e.field !== field) ||
        (code && e.code !== code) ||
        // An OperationOutcome has no place for the limits: its message names them.
        (limits && !r.path.startsWith('/fhir') && (e.min !== limits.min || e.max !== limits.max)))
      wrong.push(`${key(r)}, ${what}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
  });
  assert.deepEqual(wrong, []);
  assert.ok(cases.length > 500, `${cases.length} cases`);
});

test('SQL metacharacters in a path id: 404 JSON, nothing else', async () => {
  const wrong = [];
  const withIds = WRITES.filter((r) => r.path.includes(':'));
  await pool(withIds, 4, async (r) => {
    const path = r.path.replace(/:[a-z]+/, encodeURIComponent("1' OR '1'='1")).replace(/:[a-z]+/g, '1');
    const fx = ROUTES[key(r)];
    const body = fx.body?.(ids(W, 'absent'), W);
    const a = await send(r, callerOf(r), { ...(body ? { body } : {}), headers: fx.headers?.() ?? {} }, path);
    if (a.status !== 404 || errorOf(a.body)?.code !== 'not_found') wrong.push(`${key(r)}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
  });
  assert.deepEqual(wrong, []);
  assert.ok(withIds.length > 60);
});

test('resumable uploads: bad tus headers answered 4xx JSON', async () => {
  const tus = { 'tus-resumable': '1.0.0' };
  const name = `filename ${Buffer.from('a.png').toString('base64')}`;
  const token = W.S['demo.commune'].token;
  const create = (headers) => api(srv, 'POST', '/api/v1/files', { token, headers });
  const patch = (headers, raw = 'abc') => api(srv, 'PATCH', `/api/v1/files/uploads/${W.A.upload}`, { token, raw, headers });
  const chunk = { ...tus, 'content-type': 'application/offset+octet-stream' };
  const cases = [
    ['no Tus-Resumable', create({ 'upload-length': '100', 'upload-metadata': name })],
    ['no length', create({ ...tus, 'upload-metadata': name })],
    ['a length that is not a number', create({ ...tus, 'upload-length': 'abc', 'upload-metadata': name })],
    ['a negative length', create({ ...tus, 'upload-length': '-1', 'upload-metadata': name })],
    ['an enormous length', create({ ...tus, 'upload-length': '100000000000000000000', 'upload-metadata': name })],
    ['metadata not base64', create({ ...tus, 'upload-length': '100', 'upload-metadata': 'filename ***' })],
    ['a file name with a path', create({ ...tus, 'upload-length': '100', 'upload-metadata': `filename ${Buffer.from('../../etc/passwd').toString('base64')}` })],
    ['a purpose that is none', create({ ...tus, 'upload-length': '100', 'upload-metadata': `${name},purpose ${Buffer.from(SQL).toString('base64')}` })],
    ['a chunk at the wrong offset', patch({ ...chunk, 'upload-offset': '7' })],
    ['an offset that is not a number', patch({ ...chunk, 'upload-offset': SQL })],
    ['a chunk not sent as octets', patch({ ...tus, 'upload-offset': '0', 'content-type': 'application/json' })],
  ];
  for (const [what, p] of cases) {
    const a = await p;
    assert.ok(a.status >= 400 && a.status < 500, `${what}: ${a.status}`);
    assert.equal(typeof a.body?.error?.code, 'string', `${what}: ${JSON.stringify(a.body)}`);
  }
});

test('$import: a malformed request is 4xx; malformed lines are refused one by one; nothing is written', async () => {
  const token = W.S['demo.ministry-admin'].token;
  const NDJSON = { 'content-type': 'application/fhir+ndjson' };
  const send = (raw, q = `?facility=${W.A.facility}`, headers = NDJSON) => api(srv, 'POST', `/fhir/$import${q}`, { token, raw, headers });
  const requests = [
    ['no facility', send('{}\n', '')],
    ['a facility of SQL', send('{}\n', `?facility=${encodeURIComponent(SQL)}`)],
    ['a facility that is absent', send('{}\n', '?facility=99999999')],
    ['an empty file', send('')],
    ['JSON, not NDJSON', send('{"resourceType":"Patient"}', undefined, JSON_TYPE)],
    ['no content type', send('{"resourceType":"Patient"}', undefined, {})],
    ['10 001 lines', send('{}\n'.repeat(10001))],
  ];
  for (const [what, p] of requests) {
    const a = await p;
    assert.ok(a.status >= 400 && a.status < 500, `${what}: ${a.status}`);
    assert.equal(typeof errorOf(a.body)?.code, 'string', `${what}: ${JSON.stringify(a.body)}`);
  }
  // Every bad body of the JSON routes, and a Patient's bad elements, as lines of one file: each
  // refused with its line number, none written.
  const lines = [
    ...MALFORMED.map(([, m]) => m.raw).filter((raw) => raw !== undefined && raw.length < 60000 && !raw.includes('\n')),
    JSON.stringify({ resourceType: 'Patient', name: [{ text: SQL }], gender: SQL, birthDate: '1980' }),
    JSON.stringify({ resourceType: 'Patient', name: [{ text: 'Người Thử' }], gender: 'male', birthDate: SQL }),
    JSON.stringify({ resourceType: 'Patient', name: [{ text: 'a\u0000b' }], gender: 'male', birthDate: '1980' }),
    JSON.stringify({ resourceType: 'Patient', name: [{ text: 'Người Thử' }], gender: 'male', birthDate: '1980', zz_not_a_field: 1 }),
  ].map((l) => (Buffer.isBuffer(l) ? l : Buffer.from(l)));
  assert.ok(lines.length >= 14, `${lines.length} lines`);
  const a = await send(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
  assert.equal(a.status, 200, JSON.stringify(a.body));
  const out = a.body.trimEnd().split('\n').map((l) => JSON.parse(l));
  const sum = Object.fromEntries(out[0].parameter.map((p) => [p.name, p.valueInteger]));
  assert.deepEqual(sum, { created: 0, updated: 0, unchanged: 0, refused: lines.length });
  assert.deepEqual(out.slice(1).map((o) => o.extension[0].valueInteger), lines.map((_, i) => i + 1));
});

test('the server is still up, and every session still works', async () => {
  assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
  for (const c of CALLERS) assert.equal((await api(srv, 'GET', '/api/v1/me', { token: W.S[c.name].token })).status, 200, c.name);
});
