// The kill -9 soak (issue 22): cycles of SIGKILL under mixed concurrent writes — patients, visits
// with vitals, diagnoses and signed prescriptions, consultations with files sent by tus, chat, a
// site's training attendance — on one server that is killed and restarted again and again. After
// each restart: every acknowledged write is there and whole, nothing unacknowledged is half there,
// an upload cut by the kill resumes from where the server said it was, every stored file's SHA-256
// matches its bytes, and `ytexa audit verify` passes.
// SOAK_CYCLES cycles (3 in `make test`; `make soak` runs 200 on SQLite and on PostgreSQL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, api, login, BIN } from './lib/server.mjs';
import { openWs } from './lib/ws.mjs';

const CYCLES = Number(process.env.SOAK_CYCLES || 3);
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NAMES = ['Giàng Thị Dua', 'Lò Văn Sử', 'Thào Mí Páo', 'Nguyễn Thị Hoà', 'Vàng Thị Mỷ', 'Đặng Văn Ước'];
const ITEMS = [{ medicine: 'Amlodipin', strength: '5 mg', dose: '1 viên', frequency: '1 lần/ngày', duration_days: 30, quantity: 30, unit: 'viên' }];
const CASE = {
  summary: 'Ho kéo dài 3 tuần, sốt về chiều, sụt cân. Phim X-quang ngực chụp tại trạm.',
  questions: ['Phim có hình ảnh lao phổi không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
};

// One request; null when the connection died with the server (the write is then unacknowledged).
async function call(srv, token, method, path, body, headers) {
  try {
    return await api(srv, method, path, { token, body, headers });
  } catch {
    return null;
  }
}

// What the writers were told, kept across cycles: the check after each restart is against it.
const acked = { patients: new Map(), visits: new Map(), files: new Map(), consults: new Map(), chat: new Map(), sites: new Map() };
const tried = { patients: new Map() }; // by full name
const done = { writes: 0, resumed: 0 };

// A small PDF whose bytes differ each time (files are stored by their SHA-256).
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.from(randomBytes(24 << 10).toString('base64')), Buffer.from('\n%%EOF\n')]);

test('kill -9 under mixed concurrent writes: every acknowledged write there, whole, files intact, audit whole', { timeout: Infinity }, async () => {
  const srv = await startServer();
  const S = {};
  let running = true, failed = null;
  try {
    for (const u of ['demo.commune', 'demo.doctor', 'demo.trainer', 'demo.ministry-admin']) S[u] = (await login(srv, u)).token;
    const id = (q) => Number(srv.sql(q));
    const doctor = id("SELECT id FROM users WHERE username = 'demo.doctor'");
    const station = id("SELECT facility_id FROM users WHERE username = 'demo.commune'");
    const me = id("SELECT id FROM users WHERE username = 'demo.commune'");
    const world = await setUp(srv, S, { doctor, station, me });

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      running = true;
      const cut = { up: null }; // the upload the kill may cut: its location, bytes, acknowledged offset
      const writers = [
        patients(srv, S, () => running), patients(srv, S, () => running),
        visits(srv, S, world, () => running), visits(srv, S, world, () => running),
        consults(srv, S, world, () => running, cut),
        chat(srv, S, world, () => running),
        sites(srv, S, world, () => running),
      ].map((p) => p.catch((e) => { failed ??= e; }));
      await sleep(400 + Math.floor(Math.random() * 1100));
      await srv.kill9();
      running = false;
      await Promise.all(writers);
      if (failed) throw failed;
      await srv.restart();
      await resume(srv, S, cut);
      check(srv, world, cycle === CYCLES || cycle % 25 === 0);
      if (cycle % 10 === 0 || cycle === CYCLES)
        console.log(`# cycle ${cycle}: ${done.writes} writes acknowledged so far, ${done.resumed} uploads resumed after a kill`);
    }
    console.log(`# ${CYCLES} cycles of kill -9: ${done.writes} acknowledged writes (${acked.patients.size} patients, ${acked.visits.size} visits, ` +
      `${acked.files.size} files, ${acked.consults.size} consultations, ${acked.chat.size} chat messages, ` +
      `${[...acked.sites.values()].reduce((n, s) => n + s.writes, 0)} attendance records), all present after each restart`);
    await srv.stop();
  } finally {
    running = false;
    srv.cleanup();
  }
});

// A visit to chat in, people of the station enrolled in a course whose sessions are live (set live
// in the database: starting one needs Janus, which this drill does not run).
async function setUp(srv, S, w) {
  const p = await registered(srv, S, 'Hờ Thị Sinh');
  const v = await api(srv, 'POST', '/api/v1/visits', { token: S['demo.commune'], body: { patient_id: p, doctor_id: w.doctor, mode: 'chat', reason: 'Theo dõi huyết áp' } });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  assert.equal((await api(srv, 'POST', `/api/v1/visits/${v.body.id}/transitions`, { token: S['demo.commune'], body: { to: 'in_progress' } })).status, 200);
  w.chatVisit = v.body.id;
  w.people = [w.me];
  for (let i = 0; i < 4; i++) {
    const u = await api(srv, 'POST', '/api/v1/users', { token: S['demo.ministry-admin'],
      body: { username: `soak.hw${i}`, full_name: `${NAMES[i]} (trạm)`, password: 'mat-khau-du-dai', role: 'health_worker', facility_id: w.station } });
    assert.equal(u.status, 201, JSON.stringify(u.body));
    w.people.push(u.body.id);
  }
  const c = await api(srv, 'POST', '/api/v1/courses', { token: S['demo.trainer'], body: {
    title: 'Xử trí ban đầu sốt xuất huyết tại trạm', description: 'Dấu hiệu cảnh báo, bù dịch, chuyển tuyến.',
    specialty: 'infectious', target_roles: ['health_worker'], target_levels: ['commune'], credit_hours: 1 } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  w.sessions = [];
  for (let i = 0; i < 2; i++) {
    const s = await api(srv, 'POST', `/api/v1/courses/${c.body.id}/sessions`, { token: S['demo.trainer'],
      body: { kind: 'live', title: `Buổi ${i + 1}`, starts_at: new Date(Date.now() + 3600e3).toISOString(), minutes: 60 } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    w.sessions.push(s.body.id);
  }
  const pub = await api(srv, 'POST', `/api/v1/courses/${c.body.id}/publish`, { token: S['demo.trainer'], body: {} });
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
  const e = await api(srv, 'POST', `/api/v1/courses/${c.body.id}/enrolments`, { token: S['demo.trainer'], body: { facility_id: w.station } });
  assert.equal(e.status, 201, JSON.stringify(e.body));
  srv.sql(`UPDATE course_sessions SET state = 'live', started_at = ${Date.now()} WHERE id IN (${w.sessions.join(', ')})`);
  w.consented = [];
  for (let i = 0; i < 4; i++) w.consented.push(await registered(srv, S, `${NAMES[i]} ${i}`));
  return w;
}

async function registered(srv, S, name) {
  const r = await api(srv, 'POST', '/api/v1/patients', { token: S['demo.commune'], body: { full_name: name, birth_year: 1968, sex: 'female' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  for (const purpose of ['remote_care', 'data_processing']) {
    const c = await api(srv, 'POST', `/api/v1/patients/${r.body.id}/consents`,
      { token: S['demo.commune'], body: { purpose, method: 'verbal_witnessed', given_by: 'patient', witness_name: 'Lò Văn Sử' } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
  }
  return r.body.id;
}

// Expects a status; null (the server died) ends the writer; any other answer fails the drill.
function ok(r, status, what) {
  if (r === null) return false;
  assert.equal(r.status, status, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  done.writes++;
  return true;
}

async function patients(srv, S, on) {
  while (on()) {
    const key = randomBytes(6).toString('hex');
    const body = { full_name: `${NAMES[key.charCodeAt(0) % NAMES.length]} ${key}`, birth_year: 1950 + (key.charCodeAt(1) % 60), sex: 'male' };
    tried.patients.set(body.full_name, body);
    const r = await call(srv, S['demo.commune'], 'POST', '/api/v1/patients', body);
    if (!ok(r, 201, 'register a patient')) return;
    acked.patients.set(r.body.id, body);
  }
}

// A visit through its writes: planned, started, vitals, diagnosis, a prescription drafted, signed.
async function visits(srv, S, w, on) {
  while (on()) {
    const patient = w.consented[Math.floor(Math.random() * w.consented.length)];
    const v = await call(srv, S['demo.commune'], 'POST', '/api/v1/visits', { patient_id: patient, doctor_id: w.doctor, mode: 'chat', reason: 'Đau đầu, chóng mặt' });
    if (!ok(v, 201, 'plan a visit')) return;
    const rec = { patient, started: false, vitals: [], dx: false, rx: null, signed: false };
    acked.visits.set(v.body.id, rec);
    const base = `/api/v1/visits/${v.body.id}`;
    if (!ok(await call(srv, S['demo.commune'], 'POST', `${base}/transitions`, { to: 'in_progress' }), 200, 'start a visit')) return;
    rec.started = true;
    for (const systolic of [150 + Math.floor(Math.random() * 30), 140]) {
      const vit = await call(srv, S['demo.commune'], 'POST', `${base}/vitals`, { systolic, diastolic: 90, pulse: 80, spo2: 97 });
      if (!ok(vit, 201, 'record vitals')) return;
      const newest = vit.body.vitals.at(-1);
      assert.equal(newest.systolic, systolic, 'the newest vitals last');
      rec.vitals.push([newest.id, systolic]);
    }
    if (!ok(await call(srv, S['demo.doctor'], 'POST', `${base}/diagnoses`, { icd10: 'I10', primary: true }), 201, 'diagnose')) return;
    rec.dx = true;
    const rx = await call(srv, S['demo.doctor'], 'POST', `${base}/prescriptions`, { items: ITEMS, note: 'Tái khám khi hết thuốc' });
    if (!ok(rx, 201, 'draft a prescription')) return;
    rec.rx = rx.body.id;
    if (!ok(await call(srv, S['demo.doctor'], 'POST', `/api/v1/prescriptions/${rx.body.id}/sign`), 200, 'sign a prescription')) return;
    rec.signed = true;
  }
}

const TUS = { 'tus-resumable': '1.0.0' };
const CHUNK = 8 << 10;

// Consultations, each with a file sent by tus in chunks; the kill often falls inside an upload.
async function consults(srv, S, w, on, cut) {
  while (on()) {
    const buf = pdf();
    const b64 = Buffer.from(`phim-${sha256(buf).slice(0, 8)}.pdf`).toString('base64');
    const c = await call(srv, S['demo.commune'], 'POST', '/api/v1/files', undefined,
      { ...TUS, 'upload-length': String(buf.length), 'upload-metadata': `filename ${b64}` });
    if (!ok(c, 201, 'create an upload')) return;
    cut.up = { location: c.headers.get('location'), buf, offset: 0 };
    const file = await send(srv, S, cut.up);
    if (file === null) return;
    cut.up = null;
    acked.files.set(file, sha256(buf));
    const k = await call(srv, S['demo.commune'], 'POST', '/api/v1/consults', { patient_id: w.consented[0], ...CASE, file_ids: [file] });
    if (!ok(k, 201, 'request a consultation')) return;
    acked.consults.set(k.body.id, file);
  }
}

// PATCHes the rest of an upload from up.offset; the file's id, or null if the server died.
async function send(srv, S, up) {
  let file = null;
  while (up.offset < up.buf.length) {
    const p = await rawPatch(srv, S['demo.commune'], up);
    if (!ok(p, 204, 'send a chunk')) return null;
    up.offset = Number(p.headers.get('upload-offset'));
    file = p.headers.get('ytexa-file-id');
  }
  return Number(file);
}

async function rawPatch(srv, token, up) {
  try {
    return await api(srv, 'PATCH', up.location, {
      token, raw: up.buf.subarray(up.offset, up.offset + CHUNK),
      headers: { ...TUS, 'upload-offset': String(up.offset), 'content-type': 'application/offset+octet-stream' },
    });
  } catch {
    return null;
  }
}

// After a restart the cut upload goes on from the offset the server gives (never behind what it
// acknowledged), and its file is then whole.
async function resume(srv, S, cut) {
  const up = cut.up;
  if (!up) return;
  const h = await api(srv, 'HEAD', up.location, { token: S['demo.commune'], headers: TUS });
  assert.equal(h.status, 200, `HEAD of a cut upload after the restart: ${h.status}`);
  const at = Number(h.headers.get('upload-offset'));
  assert.ok(at >= up.offset && at <= up.buf.length, `the server's offset ${at}, acknowledged ${up.offset} of ${up.buf.length}`);
  up.offset = at;
  const file = at === up.buf.length ? null : await send(srv, S, up);
  if (file === null) return; // every byte was there already: the last answer was lost, not the file
  acked.files.set(file, sha256(up.buf));
  done.resumed++;
}

// Chat in one visit over the WebSocket; a message is acknowledged when its answer carries its seq.
async function chat(srv, S, w, on) {
  let ws;
  try {
    ws = await openWs(srv, { token: S['demo.commune'] });
    const j = await ws.ask({ type: 'join', channel: `visit:${w.chatVisit}` });
    assert.equal(j.type, 'joined', JSON.stringify(j));
  } catch {
    return;
  }
  while (on()) {
    const client = randomBytes(8).toString('hex');
    const text = `Bệnh nhân ${NAMES[client.charCodeAt(0) % NAMES.length]} đo lại huyết áp ${client}`;
    let m;
    try {
      m = await ws.ask({ type: 'chat', channel: `visit:${w.chatVisit}`, text, client_id: client }, 3000);
    } catch {
      return; // the socket died with the server
    }
    assert.equal(m.type, 'chat', JSON.stringify(m));
    assert.ok(m.seq > 0);
    acked.chat.set(client, text);
    done.writes++;
  }
  ws.ws.close();
}

// The station records who watched each live session (each record replaces the last).
async function sites(srv, S, w, on) {
  while (on()) {
    for (const s of w.sessions) {
      const who = w.people.filter(() => Math.random() < 0.6);
      if (who.length === 0) who.push(w.people[0]);
      const rec = acked.sites.get(s) || { last: null, inFlight: null, writes: 0 };
      acked.sites.set(s, rec);
      rec.inFlight = who.slice().sort((a, b) => a - b).join(',');
      const r = await call(srv, S['demo.commune'], 'POST', `/api/v1/sessions/${s}/site-attendance`, { user_ids: who });
      if (!ok(r, 201, 'record attendance on site')) return;
      rec.last = rec.inFlight;
      rec.inFlight = null;
      rec.writes++;
      if (!on()) return;
    }
  }
}

// Rows of a query given on stdin (the lists of ids grow past what a command line may hold).
function query(srv, q) {
  const [cmd, args] = srv.pg ? ['psql', [srv.dbUrl, '-v', 'ON_ERROR_STOP=1', '-qAtF', '|', '-f', '-']] : ['sqlite3', ['-cmd', '.timeout 5000', srv.dbUrl]];
  const out = execFileSync(cmd, args, { input: q, encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').filter(Boolean).map((l) => l.split('|'));
}

// The checks after a restart. all: every acknowledged write since the start, else a sample of
// the newest (the last 400 of each kind) and the invariants over the whole database.
function check(srv, w, all) {
  const rows = (q) => query(srv, q);
  const newest = (m) => (all ? [...m] : [...m].slice(-400));
  const inList = (m) => newest(m).map(([k]) => (typeof k === 'string' ? `'${k}'` : k)).join(', ') || 'NULL';

  const pts = new Map(rows(`SELECT id, full_name, birth_year FROM patients WHERE id IN (${inList(acked.patients)})`).map(([i, n, y]) => [Number(i), `${n}|${y}`]));
  for (const [pid, b] of newest(acked.patients)) assert.equal(pts.get(pid), `${b.full_name}|${b.birth_year}`, `acknowledged patient ${pid} lost or changed`);
  // A registration the kill cut is there whole or not at all, and found by its folded name.
  const cutNames = [...tried.patients.keys()].slice(-50).map((n) => `'${n}'`).join(', ');
  for (const [n, y, folded] of rows(`SELECT full_name, birth_year, name_folded FROM patients WHERE full_name IN (${cutNames})`)) {
    const b = tried.patients.get(n);
    assert.equal(Number(y), b.birth_year, `${n} half-written`);
    assert.ok(folded.length > 0 && !/[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/.test(folded), `${n}: folded name "${folded}"`);
  }

  const vis = new Map(rows(`SELECT v.id, v.state, (SELECT COUNT(*) FROM visit_diagnoses d WHERE d.visit_id = v.id) FROM visits v WHERE v.id IN (${inList(acked.visits)})`)
    .map(([i, s, d]) => [Number(i), { state: s, dx: Number(d) }]));
  const vit = new Map(rows(`SELECT id, systolic FROM vitals WHERE visit_id IN (${inList(acked.visits)})`).map(([i, s]) => [Number(i), Number(s)]));
  const rxs = new Map(rows(`SELECT id, status, items FROM prescriptions WHERE visit_id IN (${inList(acked.visits)})`).map(([i, s, it]) => [Number(i), { status: s, items: it }]));
  for (const [vid, rec] of newest(acked.visits)) {
    const v = vis.get(vid);
    assert.ok(v, `acknowledged visit ${vid} lost`);
    if (rec.started) assert.equal(v.state, 'in_progress', `visit ${vid} started, then "${v.state}"`);
    for (const [i, s] of rec.vitals) assert.equal(vit.get(i), s, `vitals ${i} of visit ${vid} lost`);
    if (rec.dx) assert.ok(v.dx >= 1, `the diagnosis of visit ${vid} lost`);
    if (rec.rx) assert.ok(rxs.get(rec.rx), `prescription ${rec.rx} lost`);
    if (rec.signed) assert.equal(rxs.get(rec.rx).status, 'signed', `prescription ${rec.rx} signed, then "${rxs.get(rec.rx).status}"`);
  }
  // Whole or absent: every visit has its first event, every prescription its medicines, every
  // consultation its questions and first event, every file its bytes.
  const whole = rows(`SELECT
      (SELECT COUNT(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_events e WHERE e.visit_id = v.id)),
      (SELECT COUNT(*) FROM prescriptions WHERE items NOT LIKE '%Amlodipin%' AND created_by = ${w.doctor} AND visit_id > ${w.chatVisit}),
      (SELECT COUNT(*) FROM consults c WHERE NOT EXISTS (SELECT 1 FROM consult_questions q WHERE q.consult_id = c.id)),
      (SELECT COUNT(*) FROM consults c WHERE NOT EXISTS (SELECT 1 FROM consult_events e WHERE e.consult_id = c.id)),
      (SELECT COUNT(*) FROM vitals t WHERE t.systolic IS NULL)`)[0].map(Number);
  assert.deepEqual(whole, [0, 0, 0, 0, 0], 'half-written: visits without events, prescriptions without medicines, consultations without questions or events, empty vitals');

  const files = rows(`SELECT id, sha256, size FROM files WHERE id IN (${inList(acked.files)})`);
  const fileSha = new Map(files.map(([i, s]) => [Number(i), s]));
  for (const [fid, s] of newest(acked.files)) assert.equal(fileSha.get(fid), s, `acknowledged file ${fid} lost or changed`);
  for (const [fid, s, size] of files) {
    const path = join(srv.dir, 'files', s.slice(0, 2), s);
    assert.ok(existsSync(path), `file ${fid}: no bytes at ${path}`);
    const b = readFileSync(path);
    assert.equal(b.length, Number(size), `file ${fid}: ${b.length} bytes stored, ${size} recorded`);
    assert.equal(sha256(b), s, `file ${fid}: its bytes do not match its SHA-256`);
  }
  const kf = new Map(rows(`SELECT c.id, f.file_id, c.state FROM consults c LEFT JOIN consult_files f ON f.consult_id = c.id WHERE c.id IN (${inList(acked.consults)})`)
    .map(([i, f, s]) => [Number(i), `${f}|${s}`]));
  for (const [kid, fid] of newest(acked.consults)) assert.equal(kf.get(kid), `${fid}|requested`, `acknowledged consultation ${kid} lost or without its file`);

  const msgs = new Map(rows(`SELECT client_id, body FROM chat_messages WHERE client_id IN (${inList(acked.chat)})`));
  for (const [client, text] of newest(acked.chat)) assert.equal(msgs.get(client), text, `acknowledged chat message ${client} lost or changed`);
  const seqs = rows(`SELECT COUNT(*), COUNT(DISTINCT m.seq), MIN(m.seq), MAX(m.seq) FROM chat_messages m JOIN chat_threads t ON t.id = m.thread_id WHERE t.visit_id = ${w.chatVisit}`)[0].map(Number);
  assert.equal(seqs[0], seqs[1], 'two chat messages with one seq');

  for (const [s, rec] of acked.sites) {
    const now = rows(`SELECT a.user_id FROM site_attendees a JOIN site_attendance s ON s.id = a.site_attendance_id WHERE s.session_id = ${s} ORDER BY a.user_id`).map(([u]) => u).join(',');
    assert.ok(now === rec.last || now === rec.inFlight, `site attendance of session ${s}: "${now}", acknowledged "${rec.last}", in flight "${rec.inFlight}"`);
    rec.inFlight = null;
  }

  const v = execFileSync(BIN, ['audit', 'verify', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' });
  assert.match(v, /audit chain whole/);
}
