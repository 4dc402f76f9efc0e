// The disk-full drill (docs/operations.md, "A full disk"): the server's data folder is a 64 MiB
// tmpfs in a mount namespace of its own. When its free space falls under --min-free-mb, writes are
// refused with 503 storage_full and Retry-After, while sign-ins and reads (audited) go on; when the
// disk is filled to the last byte a write still fails cleanly (503, nothing half-written); once
// space returns writes are taken again by themselves, and the database and the audit chain are
// whole.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, freePort, api, login, DEMO_PASSWORD } from './lib/server.mjs';

const PG = (process.env.YTEXA_TEST_DB || '').startsWith('postgres');
const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
const SKIP = (!canMount && 'needs root for a mount namespace') || (PG && 'SQLite: the database lives in the data folder');

// A server whose data folder is a 64 MiB tmpfs in a mount namespace of its own, with the floor given.
async function startInTmpfs(floorMb) {
  const s = { dir: mkdtempSync(join(tmpdir(), 'ytexa-full-')), port: await freePort(), logs: '' };
  s.url = `http://127.0.0.1:${s.port}`;
  // unshare execs bash, which execs the server: the process's pid is the server, inside the namespace.
  const script = 'mount -t tmpfs -o size=64m tmpfs "$0" && "$1" demo --data "$0" >/dev/null 2>&1 && ' +
    'exec "$1" serve --data "$0" --port "$2" --web "$0/no-web" --min-free-mb "$3"';
  s.proc = spawn('unshare', ['-m', '--propagation', 'private', 'bash', '-c', script, s.dir, BIN, String(s.port), String(floorMb)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  s.proc.stdout.on('data', (d) => { s.logs += d; });
  s.proc.stderr.on('data', (d) => { s.logs += d; });
  s.exited = new Promise((r) => s.proc.on('exit', r));
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(s.url + '/healthz')).status === 200) return s; } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start\n' + s.logs);
}
const stopped = [];
after(async () => {
  for (const s of stopped) {
    s.proc.kill('SIGTERM');
    await s.exited;
    rmSync(s.dir, { recursive: true, force: true });
  }
});
let srv;
const start = async (floorMb) => { srv = await startInTmpfs(floorMb); stopped.push(srv); return srv; };

// Commands inside the server's mount namespace, where the tmpfs is.
const inside = (...cmd) => execFileSync('nsenter', ['-t', String(srv.proc.pid), '-m', '--', ...cmd], { encoding: 'utf8' }).trim();
const freeBytes = () => Number(inside('df', '--output=avail', '-B1', srv.dir).split('\n')[1]);
const fill = (name, leave) => inside('fallocate', '-l', String(Math.max(freeBytes() - leave, 4096)), join(srv.dir, name));
const sql = (q) => inside('sqlite3', '-cmd', '.timeout 5000', join(srv.dir, 'ytexa.db'), q);
const until = async (what, ok) => {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} did not happen in 10 s\n${srv.logs}`);
};
const metric = async (name) => Number((await (await fetch(srv.url + '/metrics')).text()).match(new RegExp(`^${name} (\\S+)`, 'm'))?.[1]);
const register = (token, n) => api(srv, 'POST', '/api/v1/patients', { token, body: { full_name: `Vàng Thị Dợ ${n}`, birth_year: 1988, sex: 'female' } });

test('under the floor writes are refused clearly, reads and sign-ins go on, and writes come back by themselves', { skip: SKIP }, async () => {
  await start(16);
  const token = (await login(srv, 'demo.commune')).token;
  const first = await register(token, 0);
  assert.equal(first.status, 201);
  const before = sql('SELECT COUNT(*) FROM patients');

  fill('filler', 8 << 20); // 8 MiB left, under the 16 MiB floor
  await until('the floor seen', async () => (await metric('ytexa_storage_low')) === 1);
  const refused = await register(token, 1);
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'storage_full');
  assert.match(refused.body.error.message, /hết chỗ lưu trữ/);
  assert.equal(refused.headers.get('retry-after'), '60');
  const en = await api(srv, 'POST', '/api/v1/patients', { token, headers: { 'accept-language': 'en' }, body: { full_name: 'Lò Văn Ón', birth_year: 1990, sex: 'male' } });
  assert.match(en.body.error.message, /nearly out of storage/);
  assert.equal(sql('SELECT COUNT(*) FROM patients'), before, 'nothing was written');
  // Who may not write still hears that first, as on a disk with room.
  const anon = await api(srv, 'POST', '/api/v1/patients', { body: { full_name: 'Ai Đó', birth_year: 1990, sex: 'male' } });
  assert.equal(anon.status, 401);
  // Reads (audited) and a new sign-in still work in the space kept free.
  const doctor = await login(srv, 'demo.doctor');
  assert.ok(doctor.token);
  const read = await api(srv, 'GET', `/api/v1/patients/${first.body.id}`, { token });
  assert.equal(read.status, 200);
  assert.equal(read.body.full_name, 'Vàng Thị Dợ 0');
  assert.equal((await api(srv, 'GET', '/api/v1/patients?q=vang', { token })).status, 200);

  inside('rm', join(srv.dir, 'filler'));
  await until('writes taken again', async () => (await register(token, 2)).status === 201);
  assert.equal(await metric('ytexa_storage_low'), 0);
});

test('a disk filled to the last byte fails a write cleanly; freed, the database and the audit chain are whole', { skip: SKIP }, async () => {
  // No floor: the writes meet the full disk itself (as a burst faster than the once-a-second look would).
  await start(0);
  const token = (await login(srv, 'demo.commune')).token;
  assert.equal((await register(token, 99)).status, 201);
  const before = Number(sql('SELECT COUNT(*) FROM patients'));
  fill('filler2', 0);
  try { inside('fallocate', '-l', '4096', join(srv.dir, 'crumbs')); } catch { /* already full */ }
  assert.equal(freeBytes(), 0);
  // The WAL and the database's free pages take some writes still: write until the disk refuses.
  const answers = [];
  for (let round = 0; round < 300 && !answers.some((a) => a.status !== 201); round++)
    answers.push(...(await Promise.all([0, 1, 2, 3].map((i) => register(token, 1000 + round * 4 + i)))));
  for (const a of answers) assert.ok(a.status === 503 || a.status === 201, `status ${a.status}: ${JSON.stringify(a.body)}`);
  assert.ok(answers.some((a) => a.status === 503), `a full disk refuses (${answers.length} writes taken)`);
  // A sign-in (a transaction of its own, outside the writes' group commit) on the full disk: 503 too.
  const signIn = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: DEMO_PASSWORD } });
  assert.ok(signIn.status === 200 || signIn.status === 503, `sign-in: ${signIn.status} ${JSON.stringify(signIn.body)}`);
  const acked = answers.filter((a) => a.status === 201).map((a) => a.body.id);
  inside('rm', '-f', join(srv.dir, 'filler2'), join(srv.dir, 'crumbs'));
  await until('writes taken again', async () => (await register(token, 200)).status === 201);
  assert.equal(Number(sql('SELECT COUNT(*) FROM patients')), before + acked.length + 1, 'each acknowledged write, and nothing else');
  assert.equal(sql('PRAGMA integrity_check'), 'ok');
  const verify = inside(BIN, 'audit', 'verify', '--data', srv.dir);
  assert.match(verify, /audit chain whole/);
});

