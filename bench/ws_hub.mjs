// The real-time hub under load, on loopback, bounded in time.
//
// 1. Idle sockets: opens IDLE sockets to one instance (logged in, greeted, each in its user's
//    channel), 500 at a time, and reads the server's RSS at every 5,000 and at the end.
// 2. Signaling relay: PAIRS pairs of sockets, each pair in the channel of its own visit, send call
//    signals to each other at RATE messages a second in all for SECONDS; the latency of each
//    signal is measured from send to arrival at the peer (same process, same clock).
//
//   YTEXA_BIN  the server binary (build/ytexa)
//   IDLE       sockets for phase 1 (19900); 0 skips it
//   PAIRS      socket pairs for phase 2 (100)
//   RATE       signals a second, all pairs together (5000)
//   SECONDS    how long phase 2 sends (10)
//
// Run as: IDLE=19900 taskset -c 1 node --experimental-websocket bench/ws_hub.mjs (a process may hold
// at most `ulimit -Hn` descriptors: 20,000 on the project's machines)
// (the server is pinned to CPU 0 by the script).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServer, api, login } from '../tests/api/lib/server.mjs';
import { registerPatient } from '../tests/api/lib/patients.mjs';
import { openWs } from '../tests/api/lib/ws.mjs';

const IDLE = Number(process.env.IDLE ?? 19900);
const PAIRS = Number(process.env.PAIRS || 100);
const RATE = Number(process.env.RATE || 5000);
const SECONDS = Number(process.env.SECONDS || 10);

// A child that holds idle sockets (phase 1): opens n, 500 at a time, says how many, then waits.
if (process.env.WS_IDLE_CLIENT) {
  const { url, port, cookie, n } = JSON.parse(process.env.WS_IDLE_CLIENT);
  const held = [];
  while (held.length < n) {
    const k = Math.min(500, n - held.length);
    held.push(...await Promise.all(Array.from({ length: k }, () => openWs({ url, port }, { cookie }))));
    console.log(`opened ${k}`);
  }
  console.log('done');
  await new Promise(() => {});
}

const srv = await startServer({ extraArgs: ['--ws-rate', '1000', '--ws-burst', '2000'] });
try { execFileSync('taskset', ['-p', '-c', '0', String(srv.proc.pid)], { stdio: 'ignore' }); } catch { /* no taskset */ }
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]) / 1024;
const station = await login(srv, 'demo.commune');
const doctor = await login(srv, 'demo.doctor');
console.log(`server idle: RSS ${rssMb().toFixed(1)} MB`);

// Phase 1. A process may hold at most `ulimit -n` descriptors (20,000 on the project's machines,
// and not raisable there), so the sockets are opened by child processes of 9,000 each; the server
// raises its own soft limit to the hard one and so holds at most about 19,900.
const idleKids = [];
if (IDLE > 0) {
  const t0 = Date.now();
  const per = 9000;
  let opened = 0;
  let next = 5000;
  await Promise.all(Array.from({ length: Math.ceil(IDLE / per) }, (_, k) => new Promise((resolve, reject) => {
    const n = Math.min(per, IDLE - k * per);
    const kid = spawn(process.execPath, ['--experimental-websocket', new URL(import.meta.url).pathname], {
      env: { ...process.env, WS_IDLE_CLIENT: JSON.stringify({ url: srv.url, port: srv.port, cookie: k % 2 ? doctor.cookie : station.cookie, n }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    idleKids.push(kid);
    kid.stdout.on('data', (d) => {
      for (const line of d.toString().trim().split('\n')) {
        if (line.startsWith('opened')) {
          opened += Number(line.split(' ')[1]);
          while (opened >= next) { console.log(`${next} idle sockets: RSS ${rssMb().toFixed(1)} MB`); next += 5000; }
        }
        if (line === 'done') resolve();
      }
    });
    kid.on('exit', (code) => (code ? reject(new Error(`idle client exited ${code}`)) : resolve()));
  })));
  console.log(`${opened} idle sockets open in ${((Date.now() - t0) / 1000).toFixed(1)} s: RSS ${rssMb().toFixed(1)} MB`);
  const cpu = () => execFileSync('ps', ['-o', 'cputime=', '-p', String(srv.proc.pid)], { encoding: 'utf8' }).trim();
  const before = cpu();
  await new Promise((r) => setTimeout(r, 10000));
  console.log(`10 s holding them: RSS ${rssMb().toFixed(1)} MB, server CPU time ${before} -> ${cpu()}`);
  for (const kid of idleKids) kid.kill();
  await new Promise((r) => setTimeout(r, 2000));
}

// Phase 2.
const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
const pairs = [];
for (let i = 0; i < PAIRS; i++) {
  const p = await registerPatient(srv, station.token, { full_name: `Hầu A Chớ ${i}`, birth_year: 1970, sex: 'male' });
  const v = await api(srv, 'POST', '/api/v1/visits', { token: station.token, body: { patient_id: p.id, doctor_id: doctorId, mode: 'video', reason: 'Đo tải' } });
  const a = await openWs(srv, station);
  const b = await openWs(srv, doctor);
  const ch = `visit:${v.body.id}`;
  for (const c of [a, b]) {
    const j = await c.ask({ type: 'join', channel: ch });
    if (j.type !== 'joined') throw new Error(JSON.stringify(j));
  }
  pairs.push({ a, b, ch });
}
const lat = [];
let sent = 0;
for (const { a, b } of pairs) {
  for (const c of [a, b]) {
    c.ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'signal') lat.push(performance.now() - m.data.t);
    };
  }
}
const candidate = 'candidate:842163049 1 udp 1677729535 113.160.12.34 50123 typ srflx raddr 10.0.0.5 rport 50123 generation 0 ufrag abcd network-cost 999';
const t0 = performance.now();
const tickMs = 10;
const perTick = (RATE * tickMs) / 1000;
let carry = 0;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    if (performance.now() - t0 >= SECONDS * 1000) { clearInterval(timer); resolve(); return; }
    carry += perTick;
    for (; carry >= 1; carry--) {
      const { a, b, ch } = pairs[sent % PAIRS];
      (sent % 2 ? b : a).send({ type: 'signal', channel: ch, data: { kind: 'candidate', candidate, t: performance.now() } });
      sent++;
    }
  }, tickMs);
});
await new Promise((r) => setTimeout(r, 1000));
const elapsed = (performance.now() - t0 - 1000) / 1000;
lat.sort((x, y) => x - y);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))].toFixed(2);
console.log(`signaling: ${PAIRS} pairs, sent ${sent} (${(sent / elapsed).toFixed(0)}/s), relayed ${lat.length}, lost ${sent - lat.length}`);
console.log(`latency ms: p50 ${pct(50)} p90 ${pct(90)} p99 ${pct(99)} max ${lat[lat.length - 1].toFixed(2)}; server RSS ${rssMb().toFixed(1)} MB`);
for (const { a, b } of pairs) { a.ws.close(); b.ws.close(); }
await srv.close();
process.exit(0);
