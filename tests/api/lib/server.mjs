// Starts a real ytexa server on a free loopback port for black-box tests, and speaks HTTP to it
// as a client would. The engine comes from YTEXA_TEST_DB: unset for SQLite in a temp folder, or
// a postgres:// URL of a server where each test server gets a fresh database.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, statSync, existsSync, renameSync, copyFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import assert from 'node:assert/strict';

export const BIN = process.env.YTEXA_BIN || new URL('../../../build/ytexa', import.meta.url).pathname;
export const DEMO_PASSWORD = 'demo-password';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function pgAdmin(sql) {
  execFileSync('psql', [process.env.YTEXA_TEST_DB, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: 'pipe' });
}

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// The demo data is loaded once per binary, engine and Vietnam day (it books "today"), then copied
// for each server: a database made from a template on PostgreSQL, a file copy on SQLite. Loading it
// took 2 s per server on PostgreSQL and 2.4 s under AddressSanitizer; a copy takes 0.2 s or less.
function demoKey() {
  const st = statSync(BIN);
  const day = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const id = `${BIN}|${st.mtimeMs}|${st.size}|${day}|${process.env.YTEXA_TEST_DB || 'sqlite'}`;
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

// Makes the template once across the test processes running at the same time (a folder as the
// lock; one left by a crashed maker is taken over after a minute).
function once(key, exists, make) {
  const lock = join(tmpdir(), `ytexa-demo-${key}.lock`);
  for (let i = 0; i < 1800; i++) {
    if (exists()) return;
    try {
      mkdirSync(lock);
    } catch {
      try { if (Date.now() - statSync(lock).mtimeMs > 60000) rmSync(lock, { recursive: true, force: true }); } catch { /* gone */ }
      sleepSync(100);
      continue;
    }
    try { if (!exists()) make(); } finally { rmSync(lock, { recursive: true, force: true }); }
    return;
  }
  throw new Error(`the demo template was not made in 3 min (lock ${lock})`);
}

function pgExists(name) {
  return execFileSync('psql', [process.env.YTEXA_TEST_DB, '-qAtc', `SELECT 1 FROM pg_database WHERE datname = '${name}'`], { encoding: 'utf8' }).trim() === '1';
}

function pgUrl(name) {
  const u = new URL(process.env.YTEXA_TEST_DB);
  u.pathname = '/' + name;
  return u.toString();
}

// The demo loaded into db (a URL or a file path) with a data folder of its own, thrown away after.
function loadDemo(db, check = () => {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'ytexa-demo-'));
  try {
    ytexa(['demo'], ['--data', scratch, '--db', typeof db === 'function' ? db(scratch) : db]);
    check(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Templates this process has seen made: no psql process or stat to ask again for each server.
const made = new Set();

// A fresh database with the demo data: its URL (PostgreSQL) or path (SQLite).
function demoCopy(dir, pgName) {
  const key = demoKey();
  if (pgName) {
    const tpl = `yx_demo_${key}`;
    if (!made.has(tpl))
      once(key, () => pgExists(tpl), () => {
        pgAdmin(`DROP DATABASE IF EXISTS ${tpl}_make`);
        pgAdmin(`CREATE DATABASE ${tpl}_make`);
        loadDemo(pgUrl(`${tpl}_make`));
        pgAdmin(`ALTER DATABASE ${tpl}_make RENAME TO ${tpl}`);
      });
    made.add(tpl);
    pgAdmin(`CREATE DATABASE ${pgName} TEMPLATE ${tpl}`);
    return pgUrl(pgName);
  }
  const tpl = join(tmpdir(), `ytexa-demo-${key}.db`);
  if (!made.has(tpl))
    once(key, () => existsSync(tpl), () => {
      for (const f of readdirSync(tmpdir()))
        if (/^ytexa-demo-[0-9a-f]{16}\.db$/.test(f) && Date.now() - statSync(join(tmpdir(), f)).mtimeMs > 6 * 3600e3) rmSync(join(tmpdir(), f), { force: true });
      loadDemo((scratch) => join(scratch, 'y.db'), (scratch) => {
        assert.ok(!existsSync(join(scratch, 'y.db-wal')) || statSync(join(scratch, 'y.db-wal')).size === 0, 'the demo left a WAL behind');
        renameSync(join(scratch, 'y.db'), tpl);
      });
    });
  made.add(tpl);
  const db = join(dir, 'ytexa.db');
  copyFileSync(tpl, db);
  return db;
}

// Runs the ytexa command with args and the server's options; returns stdout.
export function ytexa(args, opts) {
  return execFileSync(BIN, [...args, ...opts], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
}

// Starts a server with the demo data. extraArgs are more `serve` flags; env more variables.
// share: another test server whose database this one serves too (a second instance of the same
// deployment, on PostgreSQL); the data is not loaded again, and the database stays the other's.
export async function startServer({ extraArgs = [], env = {}, demo = true, tls = false, share = null } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-test-'));
  let dbOpt = [];
  let dbUrl = join(dir, 'ytexa.db');
  let pgName = null;
  if (share) {
    dbUrl = share.dbUrl;
    demo = false;
  } else if (process.env.YTEXA_TEST_DB && process.env.YTEXA_TEST_DB.startsWith('postgres')) {
    pgName = `yx_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    if (!demo) pgAdmin(`CREATE DATABASE ${pgName}`);
    dbUrl = pgUrl(pgName);
  }
  if (demo && !share) dbUrl = demoCopy(dir, pgName);
  dbOpt = ['--data', dir, '--db', dbUrl];
  const port = await freePort();
  const srv = {
    dir, dbUrl, port, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, tls, pg: !!pgName || !!share?.pg, logs: '', proc: null, exit: null,
    args: ['serve', ...dbOpt, '--port', String(port), '--web', join(dir, 'no-web'), ...extraArgs], env,
  };
  await launch(srv);
  srv.stop = () => stop(srv);
  srv.kill9 = () => kill9(srv);
  srv.restart = () => launch(srv);
  srv.cleanup = () => cleanup(srv, pgName);
  srv.close = async () => { await stop(srv); cleanup(srv, pgName); };
  srv.sql = (q) => sql(srv, q);
  srv.counts = (tables) => counts(srv, tables);
  return srv;
}

async function launch(srv) {
  srv.exit = null;
  // A test machine's /tmp may be nearly full (seen: 287 MB free); the floor under which writes are
  // refused (--min-free-mb, 256 by default) is kept low for tests but for the drill that sets it.
  srv.proc = spawn(BIN, srv.args, { env: { YTEXA_MIN_FREE_MB: '8', ...process.env, ...srv.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  srv.proc.stdout.on('data', (d) => { srv.logs += d; });
  srv.proc.stderr.on('data', (d) => { srv.logs += d; });
  srv.exited = new Promise((resolve) => srv.proc.on('exit', (code, signal) => { srv.exit = { code, signal }; resolve(srv.exit); }));
  for (let i = 0; i < 200; i++) {
    if (srv.exit) throw new Error(`server exited at start: ${JSON.stringify(srv.exit)}\n${srv.logs}`);
    try {
      const status = srv.tls ? (await httpsGet(`${srv.url}/healthz`)).status : (await fetch(`${srv.url}/healthz`)).status;
      if (status === 200) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not answer /healthz in 10 s\n' + srv.logs);
}

// A GET over HTTPS that accepts the test's self-signed certificate.
export function httpsGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', reject);
  });
}

// SIGTERM, then the exit must be clean: code 0 and no sanitizer report.
async function stop(srv) {
  if (srv.exit) return srv.exit;
  srv.proc.kill('SIGTERM');
  const timer = setTimeout(() => srv.proc.kill('SIGKILL'), 30000);
  const exit = await srv.exited;
  clearTimeout(timer);
  const at = srv.logs.search(/AddressSanitizer|LeakSanitizer|runtime error:/);
  assert.ok(at < 0, 'sanitizer report in server log:\n' + srv.logs.slice(Math.max(0, at - 200), at + 4000));
  assert.deepEqual(exit, { code: 0, signal: null }, 'server did not exit cleanly:\n' + srv.logs.slice(-3000));
  return exit;
}

async function kill9(srv) {
  srv.proc.kill('SIGKILL');
  await srv.exited;
}

function cleanup(srv, pgName) {
  if (srv.proc && !srv.exit) srv.proc.kill('SIGKILL');
  if (pgName) {
    try { pgAdmin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`); } catch { /* already gone */ }
  }
  rmSync(srv.dir, { recursive: true, force: true });
}

// Runs SQL directly on the server's database (to check what was stored, or to tamper in tests).
function sql(srv, q) {
  const out = srv.pg
    ? execFileSync('psql', [srv.dbUrl, '-v', 'ON_ERROR_STOP=1', '-qAtF', '|', '-c', q], { encoding: 'utf8' })
    : execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.dbUrl, q], { encoding: 'utf8' });
  return out.trim();
}

// The row counts of tables as "table=n …", in one query (one psql or sqlite3 process: a refusal
// test takes a snapshot before and after each of its refused requests).
function counts(srv, tables) {
  const n = sql(srv, `SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM ${t})`).join(', ')}`).split('|');
  return tables.map((t, i) => `${t}=${n[i]}`).join(' ');
}

// One API call, on a connection of its own (no pooled keep-alive socket can outlive a killed
// server). Returns { status, body (parsed JSON or text), headers (a Headers) }.
export function api(srv, method, path, { token, cookie, csrf, body, raw, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  if (csrf) h['x-csrf-token'] = csrf;
  let payload;
  if (raw !== undefined) payload = typeof raw === 'string' ? Buffer.from(raw) : raw;
  else if (body !== undefined) {
    payload = Buffer.from(JSON.stringify(body));
    h['content-type'] ??= 'application/json';
  }
  if (payload) h['content-length'] = payload.length;
  const mod = srv.tls ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(srv.url + path, { method, headers: h, agent: false, rejectUnauthorized: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        const hs = new Headers();
        for (const [k, v] of Object.entries(res.headers)) hs.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode, body: parsed, headers: hs });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// Starts a server (options as startServer) and signs every demo account in, into S[username].
export async function startSignedIn(S, opts) {
  const srv = await startServer(opts);
  for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
  return srv;
}

// Logs a demo account in; returns { token, csrf, cookie, user }.
export async function login(srv, username, password = DEMO_PASSWORD) {
  const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { username, password } });
  assert.equal(r.status, 200, `login ${username}: ${JSON.stringify(r.body)}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return { token: r.body.token, csrf: r.body.csrf, cookie, user: r.body.user };
}

// The error of an answer as {code, message, field}: the API's {"error": …}, or the first issue of a
// FHIR route's OperationOutcome (its details code, diagnostics and expression).
export function errorOf(body) {
  if (body?.resourceType !== 'OperationOutcome') return body?.error;
  const i = body.issue?.[0];
  return { code: i?.details?.coding?.[0]?.code, message: i?.diagnostics, ...(i?.expression ? { field: i.expression[0] } : {}) };
}

// Asserts the shape of an error answer.
export function assertError(r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  assert.equal(typeof r.body, 'object', 'error body must be JSON');
  assert.equal(typeof r.body.error?.message, 'string', 'error.message missing');
  assert.ok(r.body.error.message.length > 5, 'error.message must say something');
  if (code) assert.equal(r.body.error.code, code);
}

export const ROLES = {
  'demo.commune': 'health_worker', 'demo.doctor': 'doctor', 'demo.specialist': 'specialist',
  'demo.trainer': 'trainer', 'demo.facility-admin': 'facility_admin', 'demo.province-admin': 'province_admin',
  'demo.ministry-admin': 'ministry_admin', 'demo.patient': 'patient',
};

// A request that must be refused with status (and, when given, the field named), leaving the
// database as snapshot() — the counts and stamps a refused write must not move — saw it.
export function refuser(snapshot) {
  return async (req, status, field, what = '') => {
    const before = snapshot();
    const r = await req;
    assertError(r, status);
    if (field) assert.equal(r.body.error.field, field, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(snapshot(), before, `${what}: a refused request changed the database`);
    return r;
  };
}
