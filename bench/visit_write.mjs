// The remote visit's write path, the one the visits report's rollup triggers (migration 0024) slow
// down: CONCURRENCY clients each run whole visits one after another for BENCH_SECONDS — booked by
// the station, started, a diagnosis, a prescription drafted and signed, finished by the doctor —
// on a fresh demo server. Prints visits/s and each step's p50/p99 (nearest rank) in ms.
//
//   YTEXA_BIN      the server binary (build/ytexa); the old one for "before"
//   BENCH_SECONDS  how long to run (10)
//   CONCURRENCY    clients at once (4)
//   YTEXA_TEST_DB  a PostgreSQL URL to run on PostgreSQL instead of SQLite (as the tests)
//
// Run as: taskset -c 1 node bench/visit_write.mjs (the server is pinned to CPU 0 by the script).
import { execFileSync } from 'node:child_process';
import { startServer, api, login } from '../tests/api/lib/server.mjs';
import { registerPatient } from '../tests/api/lib/patients.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONCURRENCY = Number(process.env.CONCURRENCY || 4);
const ITEMS = [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày, buổi sáng', duration_days: 30, quantity: 30, unit: 'viên' }];

const srv = await startServer();
try { execFileSync('taskset', ['-p', '-c', '0', String(srv.proc.pid)], { stdio: 'ignore' }); } catch { /* no taskset */ }
const station = await login(srv, 'demo.commune'), doctor = await login(srv, 'demo.doctor');
const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
const steps = ['book', 'start', 'diagnosis', 'prescribe', 'sign', 'finish'];
const ms = Object.fromEntries(steps.map((s) => [s, []]));

async function step(name, who, method, path, body, status) {
  const t0 = performance.now();
  const r = await api(srv, method, path, { token: who.token, csrf: who.csrf, body });
  ms[name].push(performance.now() - t0);
  if (r.status !== status) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function client(i, until) {
  const p = await registerPatient(srv, station.token, { full_name: `Giàng Thị Bench ${i}`, birth_year: 1975, sex: 'female' });
  let n = 0;
  while (performance.now() < until) {
    const v = await step('book', station, 'POST', '/api/v1/visits', { patient_id: p.id, doctor_id: doctorId, mode: 'video', reason: 'Tái khám tăng huyết áp' }, 201);
    await step('start', station, 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'in_progress' }, 200);
    await step('diagnosis', doctor, 'POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: 'I10', primary: true }, 201);
    const rx = await step('prescribe', doctor, 'POST', `/api/v1/visits/${v.id}/prescriptions`, { items: ITEMS }, 201);
    await step('sign', doctor, 'POST', `/api/v1/prescriptions/${rx.id}/sign`, undefined, 200);
    await step('finish', doctor, 'POST', `/api/v1/visits/${v.id}/transitions`, { to: 'finished' }, 200);
    n++;
  }
  return n;
}

const t0 = performance.now();
const done = (await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client(i, t0 + SECONDS * 1000)))).reduce((a, b) => a + b, 0);
const elapsed = (performance.now() - t0) / 1000;
const nearest = (v, p) => v[Math.max(0, Math.ceil((p * v.length) / 100) - 1)];
console.log(`visits ${done} in ${elapsed.toFixed(1)} s: ${(done / elapsed).toFixed(1)} visits/s (${CONCURRENCY} clients, ${srv.pg ? 'PostgreSQL' : 'SQLite'})`);
for (const s of steps) {
  const v = ms[s].sort((a, b) => a - b);
  console.log(`${s.padEnd(10)} p50 ${nearest(v, 50).toFixed(1).padStart(6)} ms  p99 ${nearest(v, 99).toFixed(1).padStart(6)} ms`);
}
await srv.close();
