// PostgreSQL restarted under traffic (issue 22's drill, docs/operations.md "PostgreSQL"): two
// ytexa instances on a PostgreSQL server of this test's own take registrations on both; the server
// is stopped for a few seconds and started again. While it is down every answer is 201 or a 503
// with Retry-After (never a 500), and the instances keep running; afterwards both take writes
// again by themselves, the bus between them carries events again, and every registration that was
// acknowledged is in the database once. The suite's own PostgreSQL is never restarted (other tests
// run on it): this one is started here, so the drill runs in `make test` too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login } from './lib/server.mjs';
import { openWs } from './lib/ws.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const PG_SCRIPT = join(ROOT, 'scripts/pg-test-server.sh');
const PG_BIN = (() => {
  try { return execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], { encoding: 'utf8' }).trim(); } catch { return ''; }
})();
const skip = (process.env.YTEXA_TEST_DB || '').startsWith('postgres') ? 'runs in the SQLite suites, on a PostgreSQL of its own' : (!PG_BIN && 'no PostgreSQL server installed');

let dir, url, A, B, savedDb;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pgctl = (...args) => execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', join(dir, 'data'), ...args], { stdio: 'pipe' });

before(async () => {
  if (skip) return;
  dir = mkdtempSync('/tmp/ytexa-pgr-');
  chmodSync(dir, 0o755);
  const port = 20000 + Math.floor(Math.random() * 12000);
  url = execFileSync('bash', [PG_SCRIPT, 'start', dir, String(port)], { encoding: 'utf8' }).trim();
  // startServer makes its database on the PostgreSQL that YTEXA_TEST_DB names: this one.
  savedDb = process.env.YTEXA_TEST_DB;
  process.env.YTEXA_TEST_DB = url;
  A = await startServer();
  B = await startServer({ share: A });
});
after(async () => {
  if (skip) return;
  if (B) await B.close();
  if (A) await A.close();
  if (savedDb === undefined) delete process.env.YTEXA_TEST_DB;
  else process.env.YTEXA_TEST_DB = savedDb;
  execFileSync('bash', [PG_SCRIPT, 'stop', dir], { stdio: 'pipe' });
  rmSync(dir, { recursive: true, force: true });
});

test('PostgreSQL stopped and started under writes on two instances: 503 with Retry-After meanwhile, nothing acknowledged lost, both back by themselves', { skip }, async () => {
  const tokens = [(await login(A, 'demo.commune')).token, (await login(B, 'demo.commune')).token];
  const acked = [], refused = [], other = [];
  let stop = false, n = 0;
  const writer = async (srv, token) => {
    while (!stop) {
      const name = `Lường Văn Pó ${n++}`;
      let r;
      try {
        r = await api(srv, 'POST', '/api/v1/patients', { token, body: { full_name: name, birth_year: 1960 + (n % 50), sex: 'male' } });
      } catch (e) {
        other.push(`no answer: ${e.message}`);
        continue;
      }
      if (r.status === 201) acked.push(r.body.id);
      else if (r.status === 503) refused.push(r.headers.get('retry-after'));
      else other.push(`${r.status} ${JSON.stringify(r.body)}`);
      if (r.status !== 201) await sleep(100);
    }
  };
  const writers = [writer(A, tokens[0]), writer(B, tokens[1]), writer(A, tokens[0]), writer(B, tokens[1])];
  while (acked.length < 20) await sleep(20);

  pgctl('-m', 'fast', '-w', 'stop');
  const downAt = Date.now();
  while (refused.length < 4 || Date.now() - downAt < 3000) await sleep(50);
  // While it is down both instances still answer (their health says so; readiness says not ready).
  assert.equal((await fetch(A.url + '/healthz')).status, 200);
  assert.equal((await fetch(B.url + '/readyz')).status, 503);
  const ackedWhileDown = acked.length;
  pgctl('-l', join(dir, 'server.log'), '-w', 'start');

  // Both take writes again by themselves.
  const upAt = acked.length;
  while (acked.length < upAt + 20) await sleep(50);
  stop = true;
  await Promise.all(writers);
  // An answer that is neither: what the servers logged about its request (the id is in its message).
  const why = other.map((o) => /([0-9a-f]{8}-[0-9a-z]+)\)/.exec(o)?.[1]).filter(Boolean)
    .flatMap((id) => (A.logs + B.logs).split('\n').filter((l) => l.includes(id.split('-')[0])));
  assert.deepEqual(other, [], `every answer was 201 or 503; the servers said:\n${why.join('\n')}`);
  assert.ok(refused.length >= 4);
  assert.ok(refused.every((h) => Number(h) > 0), `every 503 says when to try again: ${refused.join(',')}`);
  const stored = new Set(A.sql('SELECT id FROM patients').split('\n').map(Number));
  assert.deepEqual(acked.filter((id) => !stored.has(id)), [], 'every acknowledged registration is stored');
  const names = A.sql("SELECT full_name FROM patients WHERE full_name LIKE 'Lường Văn Pó %'").split('\n');
  assert.equal(names.length, new Set(names).size, 'none is stored twice');
  assert.ok(ackedWhileDown <= acked.length);

  // The bus between instances is back: a queue entry taken on B is announced to a socket on A.
  const station = await openWs(A, await login(A, 'demo.commune'));
  const facility = Number(A.sql("SELECT facility_id FROM users WHERE username = 'demo.commune'"));
  let joined;
  for (let i = 0; i < 50 && joined?.type !== 'joined'; i++) {
    joined = await station.ask({ type: 'join', channel: `facility:${facility}` });
    if (joined.type !== 'joined') await sleep(200);
  }
  assert.equal(joined.type, 'joined', JSON.stringify(joined));
  let seen = null;
  for (let i = 0; i < 20 && !seen; i++) {
    const q = await api(B, 'POST', '/api/v1/queue', { token: tokens[1], body: { patient_id: acked[acked.length - 1 - i], priority: 'normal', reason: 'Tái khám' } });
    assert.equal(q.status, 201, JSON.stringify(q.body));
    seen = await station.next((m) => m.type === 'changed' && m.channel === `facility:${facility}`, 'the queue event from B', 1500).catch(() => null);
  }
  assert.ok(seen, 'an event published on B reached A after the restart');
  await station.close();
});
