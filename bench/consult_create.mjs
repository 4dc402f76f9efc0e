// Consultation cases with a 1 MB attachment each, as stations send them: a tus upload (create,
// one PATCH of 1 MB, fdatasync on the server before the answer), then POST /api/v1/consults with
// the file and submit: true (routed, the patient shared with the hub). CONCURRENCY clients for
// BENCH_SECONDS; then the server is killed with SIGKILL while cases are still being sent, started
// again, and every case whose creation was acknowledged (201) is looked for, with its file's bytes
// checked against their SHA-256. Prints cases/s, latency percentiles and what was lost (must be 0).
//
//   YTEXA_BIN      the server binary (build/ytexa)
//   BENCH_SECONDS  how long to send (10)
//   CONCURRENCY    clients sending at once (16)
//   YTEXA_TEST_DB  a PostgreSQL URL to run on PostgreSQL instead of SQLite (as the tests)
//
// Run as: taskset -c 1 node bench/consult_create.mjs (the server is pinned to CPU 0 by the script).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login } from '../tests/api/lib/server.mjs';
import { tusUpload } from '../tests/api/lib/files.mjs';
import { registerPatient } from '../tests/api/lib/patients.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONCURRENCY = Number(process.env.CONCURRENCY || 16);
const MB = 1 << 20;

const srv = await startServer({ extraArgs: ['--file-quota-mb', '100000'] });
const pin = () => { try { execFileSync('taskset', ['-p', '-c', '0', String(srv.proc.pid)], { stdio: 'ignore' }); } catch { /* no taskset */ } };
pin();
let hw = await login(srv, 'demo.commune');

const patient = async (_, i) => (await registerPatient(srv, hw.token,
  { full_name: `Lầu Thị Súa ${String.fromCharCode(65 + i)}`, birth_year: 1960 + i, sex: 'female' })).id;

// One case: returns { id, fileId, sha } once the creation is acknowledged.
async function oneCase(patientId) {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(MB - 4)]);
  const fileId = await tusUpload(srv, hw.token, bytes, 'x-quang.jpg');
  const r = await api(srv, 'POST', '/api/v1/consults', { token: hw.token, body: {
    patient_id: patientId, summary: 'Ho kéo dài, sốt về chiều, sụt cân. Phim X-quang ngực chụp tại trạm.',
    questions: ['Phim có hình ảnh lao phổi không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', file_ids: [fileId], submit: true,
  } });
  if (r.status !== 201) throw new Error(`consult ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.id, fileId, sha: createHash('sha256').update(bytes).digest('hex') };
}

const pct = (a, q) => a[Math.min(a.length - 1, Math.floor(q * a.length))];

// Phase 1: measured.
const patients = await Promise.all(Array.from({ length: CONCURRENCY }, patient));
const acked = [];
const times = [];
let errors = 0;
const until = Date.now() + SECONDS * 1000;
await Promise.all(patients.map(async (pid) => {
  while (Date.now() < until) {
    const t0 = performance.now();
    try {
      acked.push(await oneCase(pid));
      times.push(performance.now() - t0);
    } catch (e) { if (!errors++) console.error("first error:", e.message); }
  }
}));
times.sort((a, b) => a - b);
const rate = acked.length / SECONDS;

// Phase 2: SIGKILL while cases are in flight, then look for every acknowledged one.
let stop = false;
const inflight = patients.map(async (pid) => {
  while (!stop) {
    try { acked.push(await oneCase(pid)); } catch { /* the kill */ }
  }
});
await new Promise((r) => setTimeout(r, 1500));
srv.proc.kill('SIGKILL');
stop = true;
await Promise.all(inflight);
await srv.exited;
await srv.restart();
pin();
hw = await login(srv, 'demo.commune');
let lost = 0;
for (const a of acked) {
  const row = srv.sql(`SELECT c.state || '|' || f.sha256 FROM consults c JOIN consult_files cf ON cf.consult_id = c.id JOIN files f ON f.id = cf.file_id WHERE c.id = ${a.id}`);
  const blob = join(srv.dir, 'files', a.sha.slice(0, 2), a.sha);
  const ok = row === `requested|${a.sha}` && existsSync(blob) && createHash('sha256').update(readFileSync(blob)).digest('hex') === a.sha;
  if (!ok) lost++;
}
console.log(`consult creation with a 1 MB attachment (${srv.pg ? 'PostgreSQL' : 'SQLite'}, ${CONCURRENCY} clients, ${SECONDS} s):`);
console.log(`  ${times.length} cases in ${SECONDS} s = ${rate.toFixed(1)} cases/s (${(rate * 1).toFixed(1)} MB/s of attachments), errors ${errors}`);
console.log(`  per case (3 requests): p50 ${pct(times, 0.5).toFixed(1)} ms, p90 ${pct(times, 0.9).toFixed(1)} ms, p99 ${pct(times, 0.99).toFixed(1)} ms`);
console.log(`  after SIGKILL mid-traffic: ${acked.length} acknowledged cases checked, ${lost} lost`);
await srv.close();
process.exit(lost || errors ? 1 : 0);
