// The route matrix (issue 16): every route the server has — read from `ytexa routes --json`, so a
// new route is in it the day it is added — called by the logged-out, by every role at every place,
// with its own records, another facility's, an absent id, and, from the hospital that reads the
// station's patient through a share, with the station's records. What must hold:
//   * logged out: 401 on every route but the public ones;
//   * a role the route does not name: 403 "your role may not do this", whatever the record;
//   * another facility's record: the answer of an absent id, byte for byte (status, code,
//     message), and refused;
//   * the sharing hospital never widens the share nor acts for the owner (403 or 404);
//   * nothing of all that writes anything, and no call is answered 2xx.
// How each route is called is in lib/routes.mjs; the world in lib/world.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, BIN, errorOf } from './lib/server.mjs';
import { CALLERS, ids, pool, startWorld, stopWorld } from './lib/world.mjs';
import { ROUTES, pathFor } from './lib/routes.mjs';

const routes = JSON.parse(execFileSync(BIN, ['routes', '--json'], { encoding: 'utf8' }));
const key = (r) => `${r.method} ${r.path}`;
const fixture = (r) => ROUTES[key(r)];
const isPublic = (r) => r.flags.includes('public');
// Kinds whose records are known to everyone (the network) or reached through a course, and those
// the ministry may see anywhere (the audit trail: all of it; a Group: any facility's or province's export).
const ministryRelated = (kinds) => kinds.some((k) => ['user', 'course', 'session', 'material', 'enrolment', 'credit', 'certificate', 'auditevent', 'group'].includes(k));

let srv, W, world;
before(async () => {
  world = await startWorld();
  ({ srv, W } = world);
});
after(() => stopWorld(world, 'a refused call changed the database'));

function call(caller, route, x) {
  const fx = fixture(route);
  const token = caller ? W.S[caller.name].token : undefined;
  const opts = { token };
  if (fx.raw !== undefined) opts.raw = fx.raw;
  else if (fx.body) opts.body = fx.body(x, W);
  if (fx.headers) opts.headers = fx.headers();
  return api(srv, route.method, pathFor(route, x), opts);
}
const short = (r) => `${r.status} ${JSON.stringify(r.body).slice(0, 160)}`;

test('every route is in the table and declares who may call it; nothing in the table is stale', () => {
  assert.ok(routes.length >= 140, `${routes.length} routes`);
  const missing = routes.filter((r) => !fixture(r)).map(key);
  assert.deepEqual(missing, [], 'routes with no entry in tests/api/lib/routes.mjs');
  const known = new Set(routes.map(key));
  assert.deepEqual(Object.keys(ROUTES).filter((k) => !known.has(k)), [], 'entries for routes the server no longer has');
  const undeclared = routes.filter((r) => !isPublic(r) && r.roles.length === 0).map(key);
  assert.deepEqual(undeclared, [], 'routes that declare no role');
});

test('logged out: 401 on every route but the public ones', async () => {
  const wrong = [];
  const todo = routes.filter((r) => !isPublic(r));
  await pool(todo, 4, async (r) => {
    const a = await call(null, r, ids(W, 'A'));
    if (a.status !== 401) wrong.push(`${key(r)}: ${short(a)}`);
  });
  assert.deepEqual(wrong, []);
  assert.ok(todo.length > 120);
});

test('a role the route does not name is refused 403, whatever the record', async () => {
  const wrong = [];
  const todo = [];
  for (const r of routes.filter((x) => !isPublic(x)))
    for (const c of CALLERS.filter((x) => !r.roles.includes(x.role))) todo.push([r, c]);
  // The same answer from every route: the route's declaration refused it, not some later check.
  const GATE = { error: { code: 'forbidden', message: 'Vai trò của bạn không được làm việc này' } };
  await pool(todo, 4, async ([r, c]) => {
    for (const pole of ['A', 'absent']) {
      const a = await call(c, r, ids(W, pole));
      // A FHIR route says the same as an OperationOutcome: its code and message compared.
      const body = r.method === 'HEAD' ? GATE : r.path.startsWith('/fhir/') ? { error: errorOf(a.body) } : a.body;
      if (a.status !== 403 || JSON.stringify(body) !== JSON.stringify(GATE)) wrong.push(`${c.name} ${key(r)} (${pole}): ${short(a)}`);
    }
  });
  assert.deepEqual(wrong, []);
  // Most routes are for a few roles: the gate is exercised thousands of times, not vacuously.
  assert.ok(todo.length > 1000, `${todo.length} refusals`);
});

test("another facility's record answers exactly as an absent one, and is refused", async () => {
  const wrong = [];
  const todo = [];
  for (const r of routes) {
    const fx = fixture(r);
    if (!fx.on || fx.public || isPublic(r)) continue;
    for (const c of CALLERS.filter((x) => r.roles.includes(x.role))) {
      if (c.pole === '*' && ministryRelated(fx.on)) continue;
      const poles = [c.pole === 'C' ? 'A' : 'C'];
      // A station of the same province is no more related to the other station's patients.
      if (c.place === 'A2' && !fx.training && !fx.on.includes('user')) poles.push('A');
      for (const pole of poles) todo.push([r, c, pole]);
    }
  }
  await pool(todo, 4, async ([r, c, pole]) => {
    const foreign = await call(c, r, ids(W, pole));
    const absent = await call(c, r, ids(W, 'absent'));
    const what = `${c.name} ${key(r)} (${pole}'s)`;
    if (![403, 404].includes(foreign.status)) wrong.push(`${what}: not refused: ${short(foreign)}`);
    else if (foreign.status !== absent.status || JSON.stringify(foreign.body) !== JSON.stringify(absent.body))
      wrong.push(`${what}: ${short(foreign)} but absent: ${short(absent)}`);
  });
  assert.deepEqual(wrong, []);
  // Every route that names a record was compared at least once.
  const compared = new Set(todo.map(([r]) => key(r)));
  const none = routes.filter((r) => fixture(r).on && !fixture(r).public && !isPublic(r) && !compared.has(key(r))).map(key);
  assert.deepEqual(none, [], 'routes no caller could be compared on');
  assert.ok(todo.length > 800, `${todo.length} comparisons`);
});

test('the hospital that reads the station\'s patient neither widens the share nor acts for the station', async () => {
  const wrong = [];
  const todo = [];
  for (const r of routes) {
    const fx = fixture(r);
    if (!['none', 'party'].includes(fx.share)) continue;
    // 'party': only the visit's own doctor acts; his colleagues do not. 'none': nobody there.
    for (const c of CALLERS.filter((x) => x.place === 'H' && r.roles.includes(x.role)))
      if (!(fx.share === 'party' && c.name === 'demo.doctor')) todo.push([r, c]);
  }
  await pool(todo, 4, async ([r, c]) => {
    const a = await call(c, r, ids(W, 'A'));
    if (![403, 404].includes(a.status)) wrong.push(`${c.name} ${key(r)}: ${short(a)}`);
  });
  assert.deepEqual(wrong, []);
  assert.ok(todo.length > 40, `${todo.length} attempts`);
  // The share is there to be widened: the hospital does read the patient.
  assert.equal((await api(srv, 'GET', `/api/v1/patients/${W.A.patient}`, { token: W.S['h.hw'].token })).status, 200);
});
