// Nothing acknowledged is lost: clients write while the server is killed with SIGKILL; after a
// restart every write that got a 2xx is there, whole, and the audit chain is unbroken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, api, login, BIN } from './lib/server.mjs';

test('every acknowledged write survives kill -9', async () => {
  const srv = await startServer();
  try {
    const admin = await login(srv, 'demo.ministry-admin');
    const units = await api(srv, 'GET', '/api/v1/admin-units?level=province&current=1&limit=1', { token: admin.token });
    assert.equal(units.status, 200, JSON.stringify(units.body));
    const unitId = units.body.items[0].id;
    const acked = [], attempted = [];
    let stop = false;
    const writer = async (w) => {
      for (let i = 0; !stop && i < 100000; i++) {
        const body = { code: `KILL-${w}-${i}`, name: `Trạm Y tế thử nghiệm ${w}-${i} Đồng Văn`, level: 'commune', unit_id: unitId };
        attempted.push(body);
        // Only the connection's death with the server ends a writer: a wrong answer fails the test
        // (a catch around the assertion too would have swallowed it).
        let r;
        try {
          r = await api(srv, 'POST', '/api/v1/facilities', { token: admin.token, body });
        } catch { return; }
        if (r.status === 201) acked.push(body);
        else assert.fail(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 1500));
    await srv.kill9();
    stop = true;
    await Promise.all(writers);
    assert.ok(acked.length > 20, `only ${acked.length} writes acknowledged before the kill`);
    await srv.restart();
    const t = (await login(srv, 'demo.ministry-admin')).token;
    const stored = new Map(srv.sql("SELECT code, name, level FROM facilities WHERE code LIKE 'KILL-%'").split('\n')
      .filter(Boolean).map((line) => { const [code, name, level] = line.split('|'); return [code, `${name}|${level}`]; }));
    for (const body of acked) {
      assert.equal(stored.get(body.code), `${body.name}|commune`, `acknowledged ${body.code} lost or damaged after kill -9`);
    }
    // Writes in flight at the kill may or may not be there, but never half there.
    for (const body of attempted) {
      const row = stored.get(body.code);
      assert.ok(row === undefined || row === `${body.name}|commune`, `${body.code} half-written: ${row}`);
    }
    // The search keys were written with the rows: the stored facilities are found by name.
    const found = await api(srv, 'GET', `/api/v1/facilities?q=${encodeURIComponent('thu nghiem')}&limit=200`, { token: t });
    assert.equal(found.status, 200);
    assert.equal(found.body.items.length, Math.min(200, stored.size));
    assert.ok(found.body.items.every((f) => stored.has(f.code)), 'only the stored ones');
    const v = execFileSync(BIN, ['audit', 'verify', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' });
    assert.match(v, /audit chain whole/);
    console.log(`# ${acked.length} writes acknowledged before kill -9, all present after restart`);
    // The restarted server exits cleanly, without a sanitizer report (stop() asserts both).
    await srv.stop();
  } finally {
    srv.cleanup();
  }
});

test('every answered read of a patient has its audit event, even across kill -9', async () => {
  const srv = await startServer();
  try {
    const hw = await login(srv, 'demo.commune');
    const me = await login(srv, 'demo.patient');
    const patientId = me.user.patient_id;
    const answered = [];
    let stop = false;
    // Reads are answered only once the audit writer has committed their events (group commit).
    const reader = async () => {
      for (let i = 0; !stop && i < 100000; i++) {
        let r;
        try {
          r = await api(srv, 'GET', `/api/v1/patients/${patientId}`, { token: hw.token });
        } catch { return; } // the connection died with the server
        if (r.status === 200) answered.push(r.headers.get('x-request-id'));
        else assert.fail(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
      }
    };
    const readers = Array.from({ length: 8 }, () => reader());
    await new Promise((r) => setTimeout(r, 1000));
    await srv.kill9();
    stop = true;
    await Promise.all(readers);
    assert.ok(answered.length > 50, `only ${answered.length} reads answered before the kill`);
    await srv.restart();
    const logged = new Set(srv.sql(`SELECT request_id FROM audit_events WHERE action = 'patient.read' AND patient_id = ${patientId} AND outcome = 'ok'`).split('\n'));
    const missing = answered.filter((id) => !logged.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${answered.length} answered reads have no audit event`);
    const v = execFileSync(BIN, ['audit', 'verify', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' });
    assert.match(v, /audit chain whole/);
    console.log(`# ${answered.length} reads answered before kill -9, every one audited`);
    await srv.stop();
  } finally {
    srv.cleanup();
  }
});
