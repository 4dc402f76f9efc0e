// Group commit (src/http/writes.c): on SQLite concurrent write requests share one transaction and
// one sync, each in a savepoint of its own. A request that fails, even after it wrote a row,
// leaves nothing; the others of its group commit; every refusal is audited; the chain stays whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, api, login, BIN } from './lib/server.mjs';

let srv, admin, unitId;
before(async () => {
  srv = await startServer();
  admin = await login(srv, 'demo.ministry-admin');
  const units = await api(srv, 'GET', '/api/v1/admin-units?level=province&current=1&limit=1', { token: admin.token });
  unitId = units.body.items[0].id;
  // A specialty the database refuses to link, by a trigger: a facility created with it fails after
  // its own row was written, which only its savepoint's rollback can undo.
  srv.sql("INSERT INTO specialties (code, name_vi, name_en) VALUES ('gc-fails', 'Thử nghiệm', 'Test')");
  srv.sql(srv.pg
    ? "CREATE FUNCTION gc_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'gc-fails refused'; END $$; " +
      "CREATE TRIGGER gc_fails BEFORE INSERT ON facility_specialties FOR EACH ROW WHEN (NEW.specialty = 'gc-fails') EXECUTE FUNCTION gc_fails()"
    : "CREATE TRIGGER gc_fails BEFORE INSERT ON facility_specialties WHEN NEW.specialty = 'gc-fails' BEGIN SELECT RAISE(ABORT, 'gc-fails refused'); END");
});
after(async () => { await srv.close(); });

async function metric(name) {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

const facility = (code, extra = {}) => ({ code, name: `Trạm Y tế Lũng Cú ${code}`, level: 'commune', unit_id: unitId, ...extra });
const count = (where) => Number(srv.sql(`SELECT COUNT(*) FROM facilities WHERE ${where}`));
const refusals = () => Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'facility.create' AND outcome <> 'ok'"));

test('concurrent writes share commits; the ones that fail leave nothing and the rest commit', async () => {
  for (let k = 0; k < 8; k++)
    assert.equal((await api(srv, 'POST', '/api/v1/facilities', { token: admin.token, body: facility(`GC-TAKEN-${k}`) })).status, 201);
  const groups = await metric('ytexa_write_groups_total'), writes = await metric('ytexa_writes_grouped_total');
  const refusedBefore = refusals();
  const calls = [];
  for (let i = 0; i < 48; i++) {
    // Every fourth fails: a code already taken (refused at its INSERT), or the refused specialty
    // (after the facility's row was written).
    const body = i % 8 === 3 ? facility(`GC-TAKEN-${i % 8}`)
      : i % 8 === 7 ? facility(`GC-BADSPEC-${i}`, { specialties: ['gc-fails'] })
        : facility(`GC-OK-${i}`);
    calls.push(api(srv, 'POST', '/api/v1/facilities', { token: admin.token, body }).then((r) => ({ body, r })));
  }
  const results = await Promise.all(calls);
  for (const { body, r } of results) {
    if (body.code.startsWith('GC-OK-')) assert.equal(r.status, 201, JSON.stringify(r.body));
    else if (body.code.startsWith('GC-TAKEN-')) assert.equal(r.status, 409, JSON.stringify(r.body));
    else assert.ok(r.status >= 400 && r.status !== 503, `${r.status} ${JSON.stringify(r.body)}`);
  }
  assert.equal(count("code LIKE 'GC-OK-%'"), 36);
  assert.equal(count("code LIKE 'GC-BADSPEC-%'"), 0, 'a request that failed after its INSERT left its row');
  assert.equal(count("code LIKE 'GC-TAKEN-%'"), 8);
  assert.equal(Number(srv.sql("SELECT COUNT(*) FROM facility_specialties WHERE specialty = 'gc-fails'")), 0);
  assert.equal(refusals(), refusedBefore + 12, 'each refusal audited');
  if (!srv.pg) {
    const ran = (await metric('ytexa_writes_grouped_total')) - writes, commits = (await metric('ytexa_write_groups_total')) - groups;
    assert.ok(ran >= 48, `${ran} writes through the writes thread`);
    assert.ok(commits < ran, `${commits} commits for ${ran} writes: none shared`);
    console.log(`# ${ran} writes in ${commits} commits`);
  }
  const v = execFileSync(BIN, ['audit', 'verify', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' });
  assert.match(v, /audit chain whole/);
});

test('a retry with the same Idempotency-Key in the same burst is answered once', async () => {
  const key = `gc-idem-${Date.now()}`;
  const body = facility('GC-IDEM-1');
  const rs = await Promise.all(Array.from({ length: 6 }, () =>
    api(srv, 'POST', '/api/v1/facilities', { token: admin.token, body, headers: { 'Idempotency-Key': key } })));
  const ids = new Set(rs.map((r) => { assert.equal(r.status, 201, JSON.stringify(r.body)); return r.body.id; }));
  assert.equal(ids.size, 1);
  assert.equal(count("code = 'GC-IDEM-1'"), 1);
});
