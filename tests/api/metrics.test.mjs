// GET /metrics, the operator's counters in Prometheus's text format: who may read them (a client
// on this machine when no token is configured; with one, only its bearer), and that they count
// what the server answered — requests by status class and in the latency histogram, the
// WebSockets open, the audit queue and the process's figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, assertError } from './lib/server.mjs';
import { openWs } from './lib/ws.mjs';

const TOKEN = 'giam-sat-' + Math.random().toString(36).slice(2);
let local, guarded;
before(async () => {
  [local, guarded] = await Promise.all([
    startServer(),
    startServer({ extraArgs: ['--metrics-token', TOKEN], demo: false }),
  ]);
});
after(async () => {
  await local?.close();
  await guarded?.close();
});

// The samples of one scrape: "name{labels}" → value; and the text's TYPE lines.
async function scrape(srv, headers = {}) {
  const r = await fetch(`${srv.url}/metrics`, { headers });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await r.text();
  const samples = new Map();
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) (\S+)$/);
    assert.ok(m, `a sample line: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE '))) assert.match(line, /^# TYPE ytexa_[a-z_]+ (counter|gauge|histogram)$/);
  return samples;
}

test('requests are counted by status class and in the latency histogram', async () => {
  const a = await scrape(local);
  for (let i = 0; i < 3; i++) assert.equal((await api(local, 'GET', '/healthz')).status, 200);
  for (let i = 0; i < 2; i++) assertError(await api(local, 'GET', '/api/v1/no-such-thing'), 404);
  const b = await scrape(local);
  const d = (k) => b.get(k) - a.get(k);
  // The first scrape itself is counted once it was answered: 3 + 1 answers of 2xx.
  assert.equal(d('ytexa_http_requests_total{class="2xx"}'), 4);
  assert.equal(d('ytexa_http_requests_total{class="4xx"}'), 2);
  assert.equal(d('ytexa_http_requests_total{class="5xx"}'), 0);
  const count = b.get('ytexa_http_request_duration_seconds_count');
  assert.equal(b.get('ytexa_http_request_duration_seconds_bucket{le="+Inf"}'), count);
  assert.equal(count, ['other', '1xx', '2xx', '3xx', '4xx', '5xx'].reduce((s, c) => s + b.get(`ytexa_http_requests_total{class="${c}"}`), 0));
  const buckets = [...b.keys()].filter((k) => k.startsWith('ytexa_http_request_duration_seconds_bucket')).map((k) => b.get(k));
  assert.equal(buckets.length, 12);
  buckets.reduce((prev, v) => { assert.ok(v >= prev, 'buckets are cumulative'); return v; }, 0);
  assert.ok(b.get('ytexa_http_request_duration_seconds_sum') > 0);
  assert.ok(b.get('ytexa_process_resident_memory_bytes') > 1e6);
  assert.ok(b.get('ytexa_process_open_fds') > 3);
  assert.ok(Math.abs(b.get('ytexa_process_start_time_seconds') - Date.now() / 1000) < 600);
  assert.equal(b.get('ytexa_audit_queue'), 0);
  assert.ok(b.has('ytexa_sqlite_paced_writebacks_total'));
});

// The checkpointer copies the WAL back into the SQLite file four times a second, and the file's
// writes go to the disk in groups of at most 64 pages (src/store/sqlite_pace.c): a checkpoint of N
// new pages is at least N / 64 groups. On PostgreSQL nothing is paced and the counter stays 0.
test('a big checkpoint is written back in paced groups on SQLite; none on PostgreSQL', async () => {
  const name = 'ytexa_sqlite_paced_writebacks_total';
  const before = (await scrape(local)).get(name);
  if (local.pg) {
    for (let i = 0; i < 3; i++) assert.equal((await api(local, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'demo-password' } })).status, 200);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(before, 0);
    assert.equal((await scrape(local)).get(name), 0);
    return;
  }
  // About 2 MiB in one transaction from another connection that does not checkpoint itself: only
  // the server's checkpointer copies it into the file.
  const pages = () => Number(local.sql('PRAGMA page_count'));
  const was = pages();
  local.sql('PRAGMA wal_autocheckpoint = 0; CREATE TABLE pace_probe AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) SELECT i, randomblob(4000) AS b FROM n;');
  const grown = pages() - was;
  assert.ok(grown >= 500, `the database grew by ${grown} pages`);
  let now = before;
  for (let i = 0; i < 100 && now - before < Math.floor(grown / 64); i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = (await scrape(local)).get(name);
  }
  assert.ok(now - before >= Math.floor(grown / 64), `${grown} pages checkpointed in ${now - before} groups of at most 64`);
  local.sql('DROP TABLE pace_probe');
});

// PostgreSQL: the statements of a write that need no answer go with the next one in one round trip
// (docs/architecture.md, "Statements sent later"), so registering patients runs more statements
// than round trips (4 trips for 7 statements each, once prepared). SQLite has no round trips: both stay 0.
test('writes on PostgreSQL send several statements a round trip; none on SQLite', async () => {
  const { token } = await login(local, 'demo.doctor');
  const a = await scrape(local);
  for (let i = 0; i < 10; i++) {
    const r = await api(local, 'POST', '/api/v1/patients', { token, body: { full_name: `Lò Văn Đếm ${'ABCDEFGHIJ'[i]}`, birth_year: 1980 + i, sex: 'male' } });
    assert.equal(r.status, 201);
  }
  const b = await scrape(local);
  const trips = b.get('ytexa_db_round_trips_total') - a.get('ytexa_db_round_trips_total');
  const statements = b.get('ytexa_db_statements_total') - a.get('ytexa_db_statements_total');
  if (!local.pg) {
    assert.equal(b.get('ytexa_db_round_trips_total'), 0);
    assert.equal(b.get('ytexa_db_statements_total'), 0);
    return;
  }
  assert.ok(statements >= 10 * 7, `${statements} statements for 10 registrations`);
  // One by one, each statement would be a trip of its own (and its first preparation another):
  // statements <= trips. The background jobs' polls, one statement a trip, only pull towards 1.
  assert.ok(statements > 1.2 * trips, `${statements} statements in ${trips} round trips`);
});

test('open WebSockets are a gauge', async () => {
  const s = await login(local, 'demo.doctor');
  const before = (await scrape(local)).get('ytexa_websockets');
  const socks = [await openWs(local, s), await openWs(local, s)];
  assert.equal((await scrape(local)).get('ytexa_websockets'), before + 2);
  for (const ws of socks) await ws.close();
  for (let i = 0; i < 50 && (await scrape(local)).get('ytexa_websockets') !== before; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await scrape(local)).get('ytexa_websockets'), before);
});

test('without a token, only a client on this machine reads them; with one, only its bearer', async () => {
  // Through a proxy on this machine (nginx) every client would look local: a proxied request is
  // refused in JSON, whatever address it claims.
  for (const xff of ['203.0.113.7', '127.0.0.1']) {
    const far = await fetch(`${local.url}/metrics`, { headers: { 'x-forwarded-for': xff } });
    assertError({ status: far.status, body: await far.json() }, 403, 'forbidden');
  }
  const s = await login(local, 'demo.ministry-admin');
  assert.equal((await fetch(`${local.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${s.token}` } })).status, 403,
    'a user\'s session is not the metrics token');
  // With a token configured, this machine is not enough.
  assertError(await api(guarded, 'GET', '/metrics'), 403, 'forbidden');
  assertError(await api(guarded, 'GET', '/metrics', { token: TOKEN.slice(0, -1) }), 403, 'forbidden');
  assertError(await api(guarded, 'GET', '/metrics', { token: TOKEN + 'x' }), 403, 'forbidden');
  const ok = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
  assert.ok(ok.get('ytexa_http_requests_total{class="4xx"}') >= 3);
  assertError(await api(guarded, 'POST', '/metrics', { token: TOKEN, body: {} }), 405, 'method_not_allowed');
});
