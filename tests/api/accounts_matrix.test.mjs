// The account actions matrix of issue 16: every caller role (and logged out) × every target role ×
// where the target works × every route that reads, creates or changes an account. What each case
// must answer comes from the rule of docs/api.md ("Who may act on an account"), written out below
// as a few small functions — never from what the server said. A refused write must leave every
// account and session row as it was, and an account the caller may not know of must answer
// exactly like an absent one (status, code and message).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login } from './lib/server.mjs';

// The callers all work at the province's health department (Sở Y tế), where the demo's province
// administrator works; a target works there too ('same'), at another facility of the province
// ('province'), in another province ('elsewhere'), or nowhere ('none': ministry and patient accounts).
const FACILITY_CODE = { same: 'SYT-TUYENQUANG', province: 'BVDK-HAGIANG', elsewhere: 'BV-BACHMAI' };
const FACILITY_ROLES = ['health_worker', 'doctor', 'specialist', 'trainer', 'facility_admin', 'province_admin'];
const KINDS = [
  ...FACILITY_ROLES.flatMap((role) => ['same', 'province', 'elsewhere'].map((place) => ({ role, place }))),
  { role: 'ministry_admin', place: 'none' }, { role: 'patient', place: 'none' },
];
const PASSWORD = 'mat-khau-ma-tran';

// ---- The rule, as docs/api.md states it ------------------------------------------------------
const RANK = { ministry_admin: 3, province_admin: 2, facility_admin: 1 };
// Acting on an account needs a rank above its role; the ministry, with nobody above it, acts on
// other ministry administrators.
const outranks = (caller, role) => (RANK[caller] ?? 0) > (RANK[role] ?? 0) || (caller === 'ministry_admin' && role === 'ministry_admin');
// The places an administrator holds: where it creates and changes accounts.
const holds = (caller, place) => caller === 'ministry_admin' ||
  (caller === 'province_admin' && (place === 'same' || place === 'province')) ||
  (caller === 'facility_admin' && place === 'same');
// The places whose accounts a caller may know of: its scope, and its own facility's colleagues.
const sees = (caller, place) => holds(caller, place) || (caller !== 'patient' && place === 'same');

// The answer to a route on an existing account: a read, or a write; to: the account after a change
// of role or place.
function expected(caller, target, { read, to }) {
  if (!caller.role) return 401;
  const own = target.id === caller.id;
  if (read) return own || sees(caller.role, target.place) ? 200 : 404;
  // Only administrators change accounts: every other role is refused by the routes' declaration,
  // whatever the account (so a refusal tells nothing of it).
  if (!RANK[caller.role]) return 403;
  if (own) return 403;
  if (!holds(caller.role, target.place)) return sees(caller.role, target.place) ? 403 : 404;
  if (!outranks(caller.role, target.role)) return 403;
  if (to && (!holds(caller.role, to.place) || !outranks(caller.role, to.role))) return 403;
  return 200;
}
// The answer to creating an account of role at place: facilities are public, so never 404.
const expectedCreate = (caller, role, place) =>
  !caller.role ? 401 : holds(caller.role, place) && outranks(caller.role, role) ? 201 : 403;

// ---- The routes ------------------------------------------------------------------------------
const NEXT = { same: 'province', province: 'elsewhere', elsewhere: 'same', none: 'same' };
const ROUTES = [
  { name: 'read', method: 'GET', read: true },
  { name: 'edit', method: 'PATCH', body: () => ({ phone: '0912000111' }) },
  { name: 'deactivate', method: 'PATCH', body: () => ({ active: false }) },
  { // A lateral change (one facility role for another); ministry and patient accounts get a facility.
    name: 'role', method: 'PATCH',
    to: (c, t) => ({ role: t.role === 'health_worker' ? 'doctor' : 'health_worker', place: t.place === 'none' ? 'same' : t.place }),
    body: (c, t, to) => ({ role: to.role, ...(t.place === 'none' ? { facility_id: FAC.same } : {}) }),
  },
  { // Raising the account to the caller's own role: a grant of the caller's rank.
    name: 'promote', method: 'PATCH',
    to: (c, t) => ({ role: c.role ?? 'facility_admin', place: t.place }),
    body: (c, t, to) => ({ role: to.role }),
  },
  {
    name: 'move', method: 'PATCH',
    to: (c, t) => ({ role: t.role, place: NEXT[t.place] }),
    body: (c, t, to) => ({ facility_id: FAC[to.place] }),
  },
  { name: 'password', method: 'POST', suffix: '/password', body: () => ({ password: 'mot-mat-khau-moi' }) },
];

let srv, ministry, absentId;
const FAC = {};
const callers = [];   // { name, role, id, token, place }
const targets = [];   // { name, role, place, id }
let made = 0;

// Every account and session row: what a refused write must not change.
const rows = () => srv.sql(
  "SELECT 'u' || CAST(id AS TEXT) || '|' || role || '|' || COALESCE(CAST(facility_id AS TEXT), '-') || '|' || " +
  "CAST(active AS TEXT) || '|' || password_hash || '|' || COALESCE(phone, '-') || '|' || CAST(updated_at AS TEXT) " +
  "FROM users UNION ALL SELECT 's' || CAST(id AS TEXT) || '|' || CAST(user_id AS TEXT) || '|' || " +
  "COALESCE(CAST(revoked_at AS TEXT), '-') FROM sessions ORDER BY 1").split('\n');
// The rows of after that differ from before, for a failure to name them.
const changed = (before, after) => after.filter((l) => !before.includes(l)).map((l) => l.slice(0, 60)).join('; ');

async function create(role, place, name) {
  const body = { username: name, full_name: 'Tài khoản thử ma trận', password: PASSWORD, role };
  if (place !== 'none') body.facility_id = FAC[place];
  const r = await api(srv, 'POST', '/api/v1/users', { token: ministry.token, body });
  assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.body)}`);
  return r.body.id;
}

before(async () => {
  srv = await startServer();
  for (const [place, code] of Object.entries(FACILITY_CODE)) FAC[place] = Number(srv.sql(`SELECT id FROM facilities WHERE code = '${code}'`));
  ministry = await login(srv, 'demo.ministry-admin');
  const pa = await login(srv, 'demo.province-admin');
  assert.equal(pa.user.facility.id, FAC.same, 'the demo province admin works at the Sở Y tế');
  // The callers: one of each role. The world is built by the ministry, as an operator would.
  const own = await Promise.all(['health_worker', 'doctor', 'specialist', 'trainer', 'facility_admin'].map(async (role) => {
    const name = `mx.caller.${role}`;
    await create(role, 'same', name);
    const s = await login(srv, name, PASSWORD);
    return { name, role, id: s.user.id, token: s.token, place: 'same' };
  }));
  const patient = await login(srv, 'demo.patient');
  callers.push(...own,
    { name: 'demo.province-admin', role: 'province_admin', id: pa.user.id, token: pa.token, place: 'same' },
    { name: 'demo.ministry-admin', role: 'ministry_admin', id: ministry.user.id, token: ministry.token, place: 'none' },
    { name: 'demo.patient', role: 'patient', id: patient.user.id, token: patient.token, place: 'none' },
    { name: 'logged out', role: null, id: 0, token: undefined, place: 'none' });
  // The targets, each signed in once so that a write that ended its sessions would show.
  targets.push(...await Promise.all(KINDS.map(async ({ role, place }) => {
    const name = `mx.${role}.${place}`;
    const id = await create(role, place, name);
    await login(srv, name, PASSWORD);
    return { name, role, place, id };
  })));
  absentId = Number(srv.sql('SELECT MAX(id) FROM users')) + 100000;
});
after(() => srv.close());

const call = (caller, route, id, body) =>
  api(srv, route.method, `/api/v1/users/${id}${route.suffix ?? ''}`, { token: caller.token, body });

// Checks one answer against the rule; returns a line saying what is wrong, or null.
const ERROR_CODE = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' };
function wrong(what, r, want, absent) {
  if (r.status !== want) return `${what}: expected ${want}, got ${r.status} ${JSON.stringify(r.body)}`;
  if (want >= 400 && r.body?.error?.code !== ERROR_CODE[want]) return `${what}: error code ${JSON.stringify(r.body)}`;
  if (want === 404 && JSON.stringify(r.body) !== JSON.stringify(absent.body))
    return `${what}: answers ${JSON.stringify(r.body)}, an absent account ${JSON.stringify(absent.body)}`;
  return null;
}

// Runs fn over items, n at a time (the server answers several connections at once).
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

// Fails listing every wrong answer (the test runner would cut a long array short).
function none(problems) {
  assert.ok(problems.length === 0, `${problems.length} wrong:\n` + problems.slice(0, 80).map((p) => p.slice(0, 300)).join('\n'));
}

// Every case of an existing account: caller × (each target, and the caller's own account) × route.
function cases() {
  const out = [];
  for (const c of callers) {
    const own = c.id ? [{ name: `own account (${c.name})`, role: c.role, place: c.place, id: c.id }] : [];
    for (const t of [...targets, ...own])
      for (const route of ROUTES) {
        const to = route.to?.(c, t);
        const want = expected(c, t, { read: route.read, to });
        out.push({ c, t, route, to, want, what: `${c.name} → ${route.name} ${t.name}` });
      }
  }
  return out;
}

test('the rule is not empty: every route has cases that pass and cases refused both ways', () => {
  const all = cases();
  assert.equal(all.length, callers.length * (targets.length + 1) * ROUTES.length - ROUTES.length);
  for (const route of ROUTES)
    for (const want of route.read ? [200, 401, 404] : [200, 401, 403, 404])
      assert.ok(all.some((k) => k.route === route && k.want === want), `${route.name}: no case expects ${want}`);
  const allowed = all.filter((k) => k.want === 200 && !k.route.read);
  for (const role of ['facility_admin', 'province_admin', 'ministry_admin'])
    assert.ok(allowed.some((k) => k.c.role === role), `${role} is allowed something`);
});

test('reads and refused writes answer as the rule says, and a refused write changes nothing', async () => {
  const problems = [];
  const absent = new Map();
  const fake = { place: 'same', role: 'doctor' };
  for (const c of callers)
    for (const route of ROUTES)
      absent.set(c.name + route.name, await call(c, route, absentId, route.body?.(c, fake, route.to?.(c, fake))));
  let ran = 0;
  for (const c of callers) {
    // One snapshot around each caller's refused writes (a psql is slow to start); a change names its rows.
    const before = rows();
    await pool(cases().filter((x) => x.c === c && (x.route.read || x.want !== 200)), 4, async (k) => {
      const r = await call(c, k.route, k.t.id, k.route.body?.(c, k.t, k.to));
      const w = wrong(k.what, r, k.want, absent.get(c.name + k.route.name));
      if (w) problems.push(w);
      if (k.want === 200 && r.status === 200 && r.body.id !== k.t.id) problems.push(`${k.what}: read another account`);
      ran++;
    });
    const after = rows();
    if (after.join() !== before.join()) problems.push(`${c.name}: a refused write changed ${changed(before, after)}`);
    // The absent account itself answers 404 to everyone signed in (403 to a role that changes no
    // accounts, for a change), 401 to nobody.
    for (const route of ROUTES) {
      const r = absent.get(c.name + route.name);
      const want = !c.role ? 401 : !route.read && !RANK[c.role] ? 403 : 404;
      if (r.status !== want) problems.push(`${c.name} → ${route.name} absent: ${r.status}`);
    }
  }
  none(problems);
  assert.ok(ran > 1000, `only ${ran} cases ran`);
});

// Puts a target back as the table describes it after an allowed write changed it: through the
// ministry (a write the matrix has just seen allowed), or in SQL where no write of the API can
// take a facility away again.
async function restore(t) {
  if (t.place === 'none') {
    srv.sql(`UPDATE users SET active = 1, role = '${t.role}', facility_id = NULL WHERE id = ${t.id}`);
    return;
  }
  const r = await api(srv, 'PATCH', `/api/v1/users/${t.id}`, { token: ministry.token, body: { role: t.role, facility_id: FAC[t.place], active: true } });
  assert.equal(r.status, 200, `restoring ${t.name}: ${JSON.stringify(r.body)}`);
}

// One allowed write: it answers 200 and does what it says; the target is then put back.
async function allowedWrite(k, problems, hashes) {
  const r = await call(k.c, k.route, k.t.id, k.route.body(k.c, k.t, k.to));
  const w = wrong(k.what, r, 200);
  if (w) return problems.push(w);
  if (k.route.name === 'password') {
    const now = srv.sql(`SELECT password_hash FROM users WHERE id = ${k.t.id}`);
    if (now === hashes.get(k.t.id)) problems.push(`${k.what}: the password did not change`);
    hashes.set(k.t.id, now);
  } else if (k.route.name === 'edit') {
    if (r.body.phone !== '0912000111') problems.push(`${k.what}: ${JSON.stringify(r.body)}`);
  } else if (k.route.name === 'deactivate') {
    if (r.body.active !== false) problems.push(`${k.what}: still active`);
  } else if (r.body.role !== k.to.role || (r.body.facility?.id ?? null) !== (FAC[k.to.place] ?? null)) {
    problems.push(`${k.what}: became ${r.body.role} at ${r.body.facility?.id}, not ${k.to.role} at ${k.to.place}`);
  }
  if (['deactivate', 'role', 'promote', 'move'].includes(k.route.name)) await restore(k.t);
}

test('allowed writes do what they say', async () => {
  const problems = [];
  const allowed = cases().filter((k) => k.want === 200 && !k.route.read);
  const hashes = new Map(srv.sql(`SELECT id, password_hash FROM users WHERE id IN (${targets.map((t) => t.id).join(', ')})`)
    .split('\n').map((l) => l.split('|')).map(([id, h]) => [Number(id), h]));
  // One target's cases in turn (each sees it as the table describes it), several targets at once.
  const byTarget = [...new Set(allowed.map((k) => k.t.id))].map((id) => allowed.filter((k) => k.t.id === id));
  await pool(byTarget, 4, async (group) => {
    for (const k of group) await allowedWrite(k, problems, hashes);
  });
  none(problems);
  // 20 targets × 6 writes for the ministry alone.
  assert.ok(allowed.length > 120, `only ${allowed.length} allowed writes`);
});

test('creating an account of every role at every place', async () => {
  const problems = [];
  const todo = callers.flatMap((c) => KINDS.map(({ role, place }) => ({ c, role, place, want: expectedCreate(c, role, place) })));
  const body = (k) => ({
    username: `mx.new.${++made}`, full_name: 'Tài khoản mới', password: PASSWORD, role: k.role,
    ...(k.place === 'none' ? {} : { facility_id: FAC[k.place] }),
  });
  const before = rows();
  for (const k of todo.filter((x) => x.want !== 201)) {
    const w = wrong(`${k.c.name} creates ${k.role} at ${k.place}`, await api(srv, 'POST', '/api/v1/users', { token: k.c.token, body: body(k) }), k.want);
    if (w) problems.push(w);
  }
  const after = rows();
  if (after.join() !== before.join()) problems.push(`a refused creation changed ${changed(before, after)}`);
  const allowed = todo.filter((k) => k.want === 201);
  for (const k of allowed) {
    const r = await api(srv, 'POST', '/api/v1/users', { token: k.c.token, body: body(k) });
    const w = wrong(`${k.c.name} creates ${k.role} at ${k.place}`, r, 201);
    if (w) problems.push(w);
    else if (r.body.role !== k.role || (r.body.facility?.id ?? null) !== (FAC[k.place] ?? null))
      problems.push(`${k.c.name} creates ${k.role} at ${k.place}: made ${JSON.stringify(r.body)}`);
  }
  none(problems);
  // The ministry creates all 20 kinds; the province admin 5 roles × 2 places; the facility admin 4.
  assert.equal(allowed.length, 20 + 10 + 4);
  assert.ok(todo.length - allowed.length > 100);
});
