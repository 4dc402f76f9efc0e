// Attachments: tus 1.0 resumable uploads into a SHA-256 store, type found from the content, limits
// and quota, downloads only for those who may see the file. A 10 MB X-ray cut off three times
// finishes without starting over; a kill -9 loses no acknowledged chunk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startSignedIn, api, login, assertError, ROLES, refuser } from './lib/server.mjs';
import { png, pngBomb, metric, tusUpload } from './lib/files.mjs';

let srv;
const S = {};
const TUS = { 'tus-resumable': '1.0.0' };
const b64 = (s) => Buffer.from(s).toString('base64');
const jpeg = (n) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(n - 4)]);
const pdf = (n) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n - 9)]);
// A DICOM Part 10 file: preamble, DICM, transfer syntax, modality, study date, body part, pixels.
function dicom(n) {
  const el = (g, e, vr, v) => { const b = Buffer.alloc(8 + v.length); b.writeUInt16LE(g, 0); b.writeUInt16LE(e, 2); b.write(vr, 4); b.writeUInt16LE(v.length, 6); b.write(v, 8); return b; };
  const head = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), el(2, 0x10, 'UI', '1.2.840.10008.1.2.1\0'),
    el(8, 0x20, 'DA', '20261120'), el(8, 0x60, 'CS', 'CR'), el(0x18, 0x15, 'CS', 'CHEST ')]);
  const px = Buffer.alloc(12); px.writeUInt16LE(0x7fe0, 0); px.writeUInt16LE(0x10, 2); px.write('OB', 4); px.writeUInt32LE(n - head.length - 12, 8);
  return Buffer.concat([head, px, randomBytes(n - head.length - 12)]);
}
const sha = (b) => createHash('sha256').update(b).digest('hex');
// Width and height of a JPEG, from its SOF marker.
function jpegSize(b) {
  for (let i = 2; i + 9 < b.length;) {
    const m = b[i + 1], len = b.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xc2) return [b.readUInt16BE(i + 7), b.readUInt16BE(i + 5)];
    i += 2 + len;
  }
  return null;
}

const create = (who, size, name, headers = {}) => api(srv, 'POST', '/api/v1/files', {
  token: S[who].token, headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': `filename ${b64(name)},filetype ${b64('image/jpeg')}`, ...headers },
});
const head = (who, loc) => api(srv, 'HEAD', loc, { token: S[who].token, headers: TUS });
const patch = (who, loc, offset, bytes, headers = {}) => api(srv, 'PATCH', loc, {
  token: S[who].token, raw: bytes, headers: { ...TUS, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', ...headers },
});
// Uploads buf (tus, in chunks); returns the file id.
const upload = (who, buf, name) => tusUpload(srv, S[who].token, buf, name);
// A PATCH whose connection drops after `sent` of its bytes: the server never gets the whole chunk.
function cutPatch(who, loc, offset, bytes, sent) {
  return new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1', () => {
      s.write(`PATCH ${loc} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${S[who].token}\r\nTus-Resumable: 1.0.0\r\n` +
        `Upload-Offset: ${offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${bytes.length}\r\n\r\n`);
      s.write(bytes.subarray(0, sent), () => setTimeout(() => { s.destroy(); resolve(); }, 50));
    });
    s.on('error', resolve);
  });
}
function getBytes(who, path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(srv.url + path, { headers: { authorization: `Bearer ${S[who].token}`, ...headers } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

const snapshot = () => srv.sql('SELECT (SELECT COUNT(*) FROM files), (SELECT COUNT(*) FROM uploads), (SELECT COALESCE(SUM(received), 0) FROM uploads)');
const refused = refuser(snapshot);

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

test('OPTIONS says what this tus server does', async () => {
  const r = await api(srv, 'OPTIONS', '/api/v1/files');
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('tus-version'), '1.0.0');
  assert.match(r.headers.get('tus-extension'), /creation/);
  assert.match(r.headers.get('tus-extension'), /termination/);
});

test('a 10 MB X-ray cut off three times finishes without starting over, and comes back byte for byte', async () => {
  const img = jpeg(10 * 1000 * 1000);
  const c = await create('demo.commune', img.length, 'X-quang ngực thẳng – Giàng Seo Páo.jpg');
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const loc = c.headers.get('location');
  assert.match(loc, /^\/api\/v1\/files\/uploads\/[0-9a-f]{32}$/);
  const chunk = 3 << 20;
  let offset = 0, cuts = 0, sentBytes = 0;
  while (offset < img.length) {
    const part = img.subarray(offset, offset + chunk);
    if (cuts < 3) {
      // The link drops halfway through this chunk: the server keeps what it had acknowledged.
      await cutPatch('demo.commune', loc, offset, part, part.length >> 1);
      sentBytes += part.length >> 1;
      cuts++;
      const h = await head('demo.commune', loc);
      assert.equal(h.status, 200);
      assert.equal(Number(h.headers.get('upload-offset')), offset, 'resumes from the last acknowledged byte');
      assert.equal(Number(h.headers.get('upload-length')), img.length);
    }
    const r = await patch('demo.commune', loc, offset, part);
    assert.equal(r.status, 204, JSON.stringify(r.body));
    sentBytes += part.length;
    assert.equal(Number(r.headers.get('upload-offset')), offset + part.length);
    offset += part.length;
  }
  assert.equal(cuts, 3);
  // Nothing was sent twice in full: each cut cost half a chunk, never the bytes before it.
  assert.ok(sentBytes < img.length + 3 * chunk, `sent ${sentBytes} for ${img.length}`);
  const u = await api(srv, 'GET', loc, { token: S['demo.commune'].token });
  assert.equal(u.body.file.sha256, sha(img));
  assert.equal(u.body.file.kind, 'image');
  assert.equal(u.body.file.mime, 'image/jpeg');
  assert.equal(u.body.file.name, 'X-quang ngực thẳng – Giàng Seo Páo.jpg');
  const g = await getBytes('demo.commune', u.body.file.url);
  assert.equal(g.status, 200);
  assert.equal(g.headers['content-type'], 'image/jpeg');
  assert.equal(g.headers['x-content-type-options'], 'nosniff');
  assert.match(g.headers['content-disposition'], /^attachment; .*filename\*=UTF-8''X-quang%20ng%E1%BB%B1c/);
  assert.ok(g.body.equals(img));
  assert.equal(g.headers['cache-control'], 'no-store');
  // A download cut off on a bad link goes on from where it stopped (HTTP range).
  const rest = await getBytes('demo.commune', u.body.file.url, { range: 'bytes=6000000-' });
  assert.equal(rest.status, 206);
  assert.ok(rest.body.equals(img.subarray(6000000)));
  assert.equal(rest.headers['content-range'], `bytes 6000000-${img.length - 1}/${img.length}`);
  const first = await getBytes('demo.commune', u.body.file.url, { range: 'bytes=0-3' });
  assert.ok(first.body.equals(img.subarray(0, 4)));
  assert.equal((await getBytes('demo.commune', u.body.file.url, { range: 'bytes=20000000-' })).status, 416);
  // Stored by hash, outside the web root, and the upload's part file is gone.
  assert.ok(existsSync(join(srv.dir, 'files', sha(img).slice(0, 2), sha(img))));
  assert.equal(existsSync(join(srv.dir, 'uploads', loc.split('/').pop() + '.part')), false);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'file.read' AND resource_id = '${u.body.file.id}'`), '4', 'every read audited');
});

test('an acknowledged chunk survives kill -9; the upload goes on after the restart', async () => {
  const doc = pdf(3 << 20);
  const c = await create('demo.doctor', doc.length, 'Điện tim.pdf');
  const loc = c.headers.get('location');
  assert.equal((await patch('demo.doctor', loc, 0, doc.subarray(0, 2 << 20))).status, 204);
  await srv.kill9();
  await srv.restart();
  S['demo.doctor'] = await login(srv, 'demo.doctor');
  const h = await head('demo.doctor', loc);
  assert.equal(Number(h.headers.get('upload-offset')), 2 << 20);
  const r = await patch('demo.doctor', loc, 2 << 20, doc.subarray(2 << 20));
  assert.equal(r.status, 204);
  const g = await getBytes('demo.doctor', `/api/v1/files/${r.headers.get('ytexa-file-id')}`);
  assert.ok(g.body.equals(doc));
  for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
});

test('an upload left unfinished for more than 7 days is removed, bytes and all; finished files stay', async () => {
  const doc = pdf(1 << 20);
  const c = await create('demo.doctor', doc.length, 'Bỏ dở.pdf');
  const loc = c.headers.get('location');
  const id = loc.split('/').pop();
  assert.equal((await patch('demo.doctor', loc, 0, doc.subarray(0, 512 << 10))).status, 204);
  const done = await create('demo.doctor', 4096, 'Xong.pdf');
  const fileId = (await patch('demo.doctor', done.headers.get('location'), 0, pdf(4096))).headers.get('ytexa-file-id');
  const part = join(srv.dir, 'uploads', `${id}.part`);
  assert.ok(existsSync(part));
  await srv.stop();
  srv.env = { YTEXA_CLOCK_OFFSET_MS: String(8 * 24 * 3600 * 1000) };
  await srv.restart();
  try {
    // The sweeper runs at start; give it a moment. It removes the bytes first and then the row (so
    // a crash between leaves a row to sweep again, never bytes nobody knows of): wait for both.
    const row = () => srv.sql(`SELECT COUNT(*) FROM uploads WHERE id = '${id}'`);
    for (let i = 0; i < 100 && (existsSync(part) || row() !== '0'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!existsSync(part), 'the bytes of the unfinished upload are gone');
    assert.equal(row(), '0');
    assert.equal(srv.sql(`SELECT COUNT(*) FROM files WHERE id = ${fileId}`), '1', 'a finished file is never swept');
  } finally {
    await srv.stop();
    srv.env = {};
    await srv.restart();
    for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
  }
});

test('the type comes from the content: a renamed file is refused, DICOM is recognised, the same bytes are stored once', async () => {
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), randomBytes(5000)]);
  const c = await create('demo.commune', exe.length, 'anh-phoi.jpg');
  const before = snapshot();
  const r = await patch('demo.commune', c.headers.get('location'), 0, exe);
  assertError(r, 415, 'type_not_allowed');
  assert.equal(snapshot(), before, 'a refused file writes nothing');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  const c2 = await create('demo.commune', svg.length, 'anh.png');
  assertError(await patch('demo.commune', c2.headers.get('location'), 0, svg), 415, 'type_not_allowed');

  const d = dicom(70000);
  const id = await upload('demo.commune', d, 'CT sọ não.dcm');
  const meta = await api(srv, 'GET', `/api/v1/files/${id}/meta`, { token: S['demo.commune'].token });
  assert.deepEqual([meta.body.kind, meta.body.mime], ['dicom', 'application/dicom']);
  assert.deepEqual(meta.body.dicom, { modality: 'CR', study_date: '20261120', body_part: 'CHEST' });
  const again = await upload('demo.commune', d, 'CT sọ não (gửi lại).dcm');
  assert.notEqual(again, id);
  assert.equal(srv.sql(`SELECT COUNT(DISTINCT sha256) FROM files WHERE id IN (${id}, ${again})`), '1');
});

test('an image gets a thumbnail and a preview for slow links: small JPEGs without metadata, made once', async () => {
  const big = png(2400, 1600);
  const id = await upload('demo.commune', big, 'Ảnh tổn thương da.png');
  const t = await getBytes('demo.commune', `/api/v1/files/${id}/thumbnail`);
  assert.equal(t.status, 200);
  assert.equal(t.headers['content-type'], 'image/jpeg');
  assert.deepEqual(jpegSize(t.body), [320, 213]);
  const p = await getBytes('demo.commune', `/api/v1/files/${id}/preview`);
  assert.deepEqual(jpegSize(p.body), [1280, 853]);
  assert.ok(p.body.length < big.length / 4, `preview ${p.body.length} bytes for ${big.length}`);
  // Kept on disk by hash, so the second request is the same bytes.
  assert.ok((await getBytes('demo.commune', `/api/v1/files/${id}/preview`)).body.equals(p.body));
  assert.ok(existsSync(join(srv.dir, 'files', 'derived', `${sha(big)}-1280.jpg`)));
  // A small image is not enlarged; a PDF has no thumbnail; bytes that only look like a JPEG are refused.
  const small = await upload('demo.commune', png(200, 100), 'nho.png');
  assert.deepEqual(jpegSize((await getBytes('demo.commune', `/api/v1/files/${small}/preview`)).body), [200, 100]);
  const doc = await upload('demo.commune', pdf(4000), 'kq.pdf');
  assertError(await api(srv, 'GET', `/api/v1/files/${doc}/thumbnail`, { token: S['demo.commune'].token }), 409, 'not_an_image');
  const fake = await upload('demo.commune', jpeg(4000), 'hong.jpg');
  assertError(await api(srv, 'GET', `/api/v1/files/${fake}/preview`, { token: S['demo.commune'].token }), 409, 'unreadable_image');
  // Another facility's doctor: no such file; a patient's role reads no files at all.
  for (const [who, status] of [['demo.doctor', 404], ['demo.patient', 403]]) {
    assertError(await api(srv, 'GET', `/api/v1/files/${id}/thumbnail`, { token: S[who].token }), status);
    assertError(await api(srv, 'GET', `/api/v1/files/${id}/preview`, { token: S[who].token }), status);
  }
  assertError(await api(srv, 'GET', `/api/v1/files/${id}/preview`), 401);
});

test('bad uploads are refused with a clear error and write nothing', async () => {
  const loc = (await create('demo.commune', 1000, 'a.jpg')).headers.get('location');
  const noTus = (h) => api(srv, 'POST', '/api/v1/files', { token: S['demo.commune'].token, headers: h });
  await refused(noTus({ 'upload-length': '100', 'upload-metadata': `filename ${b64('a.jpg')}` }), 412);
  await refused(noTus({ 'tus-resumable': '0.2.2', 'upload-length': '100', 'upload-metadata': `filename ${b64('a.jpg')}` }), 412);
  await refused(create('demo.commune', 0, 'a.jpg'), 400, 'upload-length');
  await refused(create('demo.commune', 'abc', 'a.jpg'), 400, 'upload-length');
  await refused(create('demo.commune', 600 * 1024 * 1024, 'a.jpg'), 413, 'upload-length');
  await refused(create('demo.commune', 100, '../../etc/passwd'), 400, 'filename');
  await refused(create('demo.commune', 100, '..'), 400, 'filename');
  await refused(create('demo.commune', 100, 'a\\b.jpg'), 400, 'filename');
  await refused(create('demo.commune', 100, 'x\u0001.jpg'), 400, 'filename');
  // A NUL would end the name early: "scan.png\0.exe" read as "scan.png".
  await refused(create('demo.commune', 100, 'scan.png\u0000.exe'), 400, 'filename');
  await refused(create('demo.commune', 100, 'ok.jpg', { 'upload-metadata': 'filetype aW1hZ2U=' }), 400, 'filename');
  await refused(create('demo.commune', 100, 'ok.jpg', { 'upload-metadata': 'filename !!!notbase64' }), 400, 'filename');
  // PATCH: the protocol's rules.
  await refused(patch('demo.commune', loc, 0, jpeg(100), { 'content-type': 'application/json' }), 415);
  const off = await refused(patch('demo.commune', loc, 10, jpeg(100)), 409);
  assert.equal(off.body.error.code, 'offset_mismatch');
  assert.equal(off.headers.get('upload-offset'), '0');
  await refused(patch('demo.commune', loc, 0, jpeg(1001)), 413);
  await refused(patch('demo.commune', loc, 'x', jpeg(10)), 400, 'upload-offset');
  await refused(patch('demo.commune', loc, 0, jpeg(10), { 'tus-resumable': '' }), 412);
  await refused(patch('demo.commune', '/api/v1/files/uploads/../../etc', 0, jpeg(10)), 404);
  await refused(patch('demo.commune', '/api/v1/files/uploads/ZZZ', 0, jpeg(10)), 404);
  // Two PATCHes of one upload at once: one is written, the other refused; the offset counts one chunk.
  const cc = (await create('demo.commune', 16 << 20, 'song-song.jpg')).headers.get('location');
  const same = jpeg(8 << 20);
  const both = await Promise.all([patch('demo.commune', cc, 0, same), patch('demo.commune', cc, 0, same)]);
  assert.deepEqual(both.map((x) => x.status).sort(), [204, 409], JSON.stringify(both.map((x) => x.body)));
  assert.match(both.find((x) => x.status === 409).body.error.code, /^(upload_busy|offset_mismatch)$/);
  assert.equal((await head('demo.commune', cc)).headers.get('upload-offset'), String(8 << 20));
  // A file too big for its type: known from the first chunk (its content says JPEG, its
  // Upload-Length says 31 MiB), not after 31 MiB have come up.
  const big = jpeg(31 * 1024 * 1024);
  const bl = (await create('demo.commune', big.length, 'to.jpg')).headers.get('location');
  const tooBig = await patch('demo.commune', bl, 0, big.subarray(0, 8 << 20));
  assertError(tooBig, 413, 'file_too_large');
  assert.equal(tooBig.body.error.max, 30 * 1024 * 1024);
  assert.equal(existsSync(join(srv.dir, 'uploads', `${bl.split('/').pop()}.part`)), false, 'its bytes are dropped');
  // A chunk over the per-request limit.
  const cl = (await create('demo.commune', 16 << 20, 'lon.jpg')).headers.get('location');
  await refused(patch('demo.commune', cl, 0, Buffer.alloc((8 << 20) + 1)), 413);
});

test('a facility over its quota cannot start or finish an upload', async () => {
  const station = srv.sql("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'");
  const used = Number(srv.sql(`SELECT COALESCE(SUM(size), 0) FROM files WHERE facility_id = ${station}`));
  srv.sql(`UPDATE facilities SET storage_quota_bytes = ${used + 5000} WHERE id = ${station}`);
  try {
    const q = await refused(create('demo.commune', 6000, 'a.jpg'), 413);
    assert.equal(q.body.error.code, 'quota_exceeded');
    const loc = (await create('demo.commune', 4000, 'b.jpg')).headers.get('location');
    const loc2 = (await create('demo.commune', 4000, 'c.jpg')).headers.get('location');
    assert.equal((await patch('demo.commune', loc, 0, jpeg(4000))).status, 204);
    assertError(await patch('demo.commune', loc2, 0, jpeg(4000)), 413, 'quota_exceeded');
  } finally {
    srv.sql(`UPDATE facilities SET storage_quota_bytes = NULL WHERE id = ${station}`);
  }
});

test('who may upload, resume and read: the uploader\'s own upload, the facility\'s files; others get 404', async () => {
  const img = jpeg(5000);
  const c = await create('demo.commune', img.length, 'a.jpg');
  const loc = c.headers.get('location');
  // Another user, even of another facility, cannot see or feed someone's upload.
  assert.equal((await head('demo.doctor', loc)).status, 404);
  assertError(await api(srv, 'GET', loc, { token: S['demo.doctor'].token }), 404);
  assert.equal((await api(srv, 'HEAD', loc, { headers: TUS })).status, 401);
  assertError(await api(srv, 'PATCH', loc, { raw: img, headers: { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } }), 401);
  assertError(await api(srv, 'GET', loc), 401);
  await refused(patch('demo.doctor', loc, 0, img), 404);
  await refused(api(srv, 'DELETE', loc, { token: S['demo.doctor'].token, headers: TUS }), 404);
  await refused(create('demo.patient', 100, 'a.jpg'), 403);
  await refused(create('demo.ministry-admin', 100, 'a.jpg'), 403);
  await refused(api(srv, 'POST', '/api/v1/files', { headers: { ...TUS, 'upload-length': '100', 'upload-metadata': `filename ${b64('a.jpg')}` } }), 401);
  const r = await patch('demo.commune', loc, 0, img);
  const id = r.headers.get('ytexa-file-id');
  // The file: its facility's staff; a foreign facility guessing the id gets 404.
  assert.equal((await getBytes('demo.commune', `/api/v1/files/${id}`)).status, 200);
  for (const who of ['demo.doctor', 'demo.specialist', 'demo.patient', 'demo.ministry-admin']) {
    const status = who === 'demo.patient' ? 403 : 404;
    assertError(await api(srv, 'GET', `/api/v1/files/${id}`, { token: S[who].token }), status);
    assertError(await api(srv, 'GET', `/api/v1/files/${id}/meta`, { token: S[who].token }), status);
  }
  assertError(await api(srv, 'GET', `/api/v1/files/${id}`), 401);
  assertError(await api(srv, 'GET', '/api/v1/files/999999', { token: S['demo.commune'].token }), 404);
  assertError(await api(srv, 'GET', '/api/v1/files/abc', { token: S['demo.commune'].token }), 404);
  // Termination drops an unfinished upload; a finished one is kept.
  const t = (await create('demo.commune', 100, 'bỏ.jpg')).headers.get('location');
  assert.equal((await api(srv, 'DELETE', t, { token: S['demo.commune'].token, headers: TUS })).status, 204);
  assert.equal((await head('demo.commune', t)).status, 404);
  assertError(await api(srv, 'DELETE', loc, { token: S['demo.commune'].token, headers: TUS }), 409, 'complete');
});

// The four routes that read a stored file; a foreign file must answer each exactly as an absent one.
const FILE_ROUTES = ['', '/meta', '/thumbnail', '/preview'];
async function unreadable(who, id, what) {
  for (const route of FILE_ROUTES) {
    const r = await api(srv, 'GET', `/api/v1/files/${id}${route}`, { token: S[who].token });
    const absent = await api(srv, 'GET', `/api/v1/files/99999999${route}`, { token: S[who].token });
    // A patient's role reads no stored files at all: refused whatever the id.
    assertError(r, S[who].user.role === 'patient' ? 403 : 404);
    assert.deepEqual([r.status, r.body], [absent.status, absent.body], `${who} ${route || 'GET'} of ${what}: like an absent file`);
  }
}
async function readable(who, id, what) {
  for (const route of FILE_ROUTES)
    assert.equal((await getBytes(who, `/api/v1/files/${id}${route}`)).status, 200, `${who} ${route || 'GET'} of ${what}`);
}

test('a clinical file attached to nothing is read by its uploader and its facility\'s clinicians, not by the facility\'s trainers or administrators', async () => {
  const PW = 'Tệp đính kèm 2026 mật khẩu';
  const station = srv.sql("SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'");
  for (const [username, role] of [['lungcu.nurse', 'health_worker'], ['lungcu.admin', 'facility_admin'], ['lungcu.trainer', 'trainer']]) {
    const u = await api(srv, 'POST', '/api/v1/users', { token: S['demo.ministry-admin'].token, body: { username, full_name: 'Giàng Thị Súa', password: PW, role, facility_id: Number(station) } });
    assert.equal(u.status, 201, JSON.stringify(u.body));
    S[username] = await login(srv, username, PW);
  }
  const xray = await upload('demo.commune', png(64, 48), 'X-quang chưa gửi.png');
  await readable('demo.commune', xray, 'her own upload');
  await readable('lungcu.nurse', xray, 'a colleague\'s upload');
  for (const who of ['lungcu.admin', 'lungcu.trainer', 'demo.doctor', 'demo.patient']) await unreadable(who, xray, 'the station\'s X-ray');
  // Bạch Mai: the specialist's upload, not its trainer's to read; the hub's, not its administrator's.
  const skin = await upload('demo.specialist', png(64, 48), 'Ảnh da.png');
  await readable('demo.specialist', skin, 'her own upload');
  await unreadable('demo.trainer', skin, 'the specialist\'s photo');
  const hub = await upload('demo.doctor', png(64, 48), 'Phim chụp lại.png');
  await unreadable('demo.facility-admin', hub, 'the hub doctor\'s image');
});

test('what a file is for is said at upload: a course material only by those who make or teach courses, read by its uploader until a course takes it', async () => {
  const meta = (purpose) => `filename ${b64('bai-giang.pdf')},purpose ${b64(purpose)}`;
  await refused(create('demo.commune', 100, 'x', { 'upload-metadata': meta('course_material') }), 403, 'purpose');
  await refused(create('demo.trainer', 100, 'x', { 'upload-metadata': meta('teaching') }), 400, 'purpose');
  await refused(create('demo.trainer', 100, 'x', { 'upload-metadata': `filename ${b64('a.pdf')},purpose !!` }), 400, 'purpose');
  await refused(create('demo.trainer', 100, 'x', { 'upload-metadata': meta('clinical\u0000x') }), 400, 'purpose');
  const c = await create('demo.trainer', 4000, 'x', { 'upload-metadata': meta('course_material') });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.purpose, 'course_material');
  const id = Number((await patch('demo.trainer', c.headers.get('location'), 0, pdf(4000))).headers.get('ytexa-file-id'));
  const m = await api(srv, 'GET', `/api/v1/files/${id}/meta`, { token: S['demo.trainer'].token });
  assert.equal(m.body.purpose, 'course_material');
  // Not a clinician's of the same facility: it is no patient's, and no course has it yet.
  assertError(await api(srv, 'GET', `/api/v1/files/${id}`, { token: S['demo.specialist'].token }), 404);
  // Clinical when nothing is said.
  const plain = await upload('demo.commune', pdf(3000), 'kq.pdf');
  assert.equal((await api(srv, 'GET', `/api/v1/files/${plain}/meta`, { token: S['demo.commune'].token })).body.purpose, 'clinical');
});

test('the type is known at the first chunk: a refused upload is dropped at once, bytes and all; a slow allowed one goes on chunk by chunk', async () => {
  const part = (loc) => join(srv.dir, 'uploads', `${loc.split('/').pop()}.part`);
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), randomBytes(2 << 20)]);
  const loc = (await create('demo.commune', exe.length, 'bao-cao.jpg')).headers.get('location');
  assert.ok(existsSync(part(loc)));
  const before = snapshot();
  assertError(await patch('demo.commune', loc, 0, exe.subarray(0, 1 << 20)), 415, 'type_not_allowed');
  assert.equal(existsSync(part(loc)), false, 'the part file is gone after the first chunk');
  assert.equal(snapshot(), before, 'no file, nothing received');
  assert.equal(srv.sql(`SELECT refused FROM uploads WHERE id = '${loc.split('/').pop()}'`), 'type_not_allowed');
  // It takes nothing more, wherever the client goes on from, and says why.
  for (const [offset, bytes] of [[0, exe.subarray(0, 1 << 20)], [1 << 20, exe.subarray(1 << 20)]]) {
    const r = await patch('demo.commune', loc, offset, bytes);
    assertError(r, 409, 'upload_refused');
    assert.equal(r.body.error.reason, 'type_not_allowed');
  }
  assert.equal((await head('demo.commune', loc)).status, 409);
  const g = await api(srv, 'GET', loc, { token: S['demo.commune'].token });
  assert.deepEqual([g.status, g.body.refused, g.body.offset, g.body.file], [200, 'type_not_allowed', 0, null]);
  assert.equal(existsSync(part(loc)), false, 'and never comes back');
  assert.equal(snapshot(), before);
  assert.equal((await api(srv, 'DELETE', loc, { token: S['demo.commune'].token, headers: TUS })).status, 204);
  assert.equal((await head('demo.commune', loc)).status, 404);

  // A first chunk shorter than the type needs (a DICOM file says so at byte 132): decided once
  // enough bytes are there.
  const exe2 = Buffer.concat([Buffer.from('MZ'), randomBytes(998)]);
  const l2 = (await create('demo.commune', exe2.length, 'ngan.dcm')).headers.get('location');
  assert.equal((await patch('demo.commune', l2, 0, exe2.subarray(0, 100))).status, 204);
  assertError(await patch('demo.commune', l2, 100, exe2.subarray(100, 300)), 415, 'type_not_allowed');
  assert.equal(existsSync(part(l2)), false);
  // A file smaller than that is decided by its last byte.
  const tiny = (await create('demo.commune', 40, 'nho.png')).headers.get('location');
  assertError(await patch('demo.commune', tiny, 0, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').subarray(0, 40)), 415, 'type_not_allowed');

  // A slow link: a DICOM file 50 bytes a chunk (its magic completes in the third), then the rest.
  const d = dicom(70000);
  const l3 = (await create('demo.commune', d.length, 'CT chậm.dcm')).headers.get('location');
  let off = 0;
  for (const n of [50, 50, 50, 50, 30000]) {
    const r = await patch('demo.commune', l3, off, d.subarray(off, off + n));
    assert.equal(r.status, 204, JSON.stringify(r.body));
    off += n;
    assert.equal(Number((await head('demo.commune', l3)).headers.get('upload-offset')), off);
  }
  const last = await patch('demo.commune', l3, off, d.subarray(off));
  assert.equal(last.status, 204, JSON.stringify(last.body));
  const meta = await api(srv, 'GET', `/api/v1/files/${last.headers.get('ytexa-file-id')}/meta`, { token: S['demo.commune'].token });
  assert.equal(meta.body.kind, 'dicom');
  assert.equal(meta.body.sha256, sha(d));
});

test('an image bomb is refused from its header, at upload or at preview, never decoded; a normal image still previews', async () => {
  const part = (loc) => join(srv.dir, 'uploads', `${loc.split('/').pop()}.part`);
  const bomb = pngBomb(30000, 30000);
  assert.ok(bomb.length < 2000, `${bomb.length} bytes on the wire`);
  const loc = (await create('demo.commune', bomb.length, 'bom.png')).headers.get('location');
  const r = await patch('demo.commune', loc, 0, bomb);
  assertError(r, 413, 'image_too_large');
  assert.deepEqual([r.body.error.width, r.body.error.height, r.body.error.max_pixels], [30000, 30000, 64000000]);
  assert.match(r.body.error.message, /64/, 'the limit is in the message');
  assert.equal(existsSync(part(loc)), false);
  // A JPEG whose frame header comes after 128 KB of metadata, in the upload's second chunk: the
  // first chunk cannot tell, the last one does.
  const seg = (marker, body) => { const h = Buffer.from([0xff, marker, 0, 0]); h.writeUInt16BE(body.length + 2, 2); return Buffer.concat([h, body]); };
  const sof = Buffer.from([8, 0x75, 0x30, 0x75, 0x30, 1, 1, 0x11, 0]); // 30000 × 30000
  const jpg = Buffer.concat([Buffer.from([0xff, 0xd8]), seg(0xe1, randomBytes(65000)), seg(0xe2, randomBytes(65000)), seg(0xc0, sof), seg(0xda, Buffer.alloc(10)), randomBytes(5000)]);
  const jl = (await create('demo.commune', jpg.length, 'bom.jpg')).headers.get('location');
  assert.equal((await patch('demo.commune', jl, 0, jpg.subarray(0, 64 << 10))).status, 204);
  assertError(await patch('demo.commune', jl, 64 << 10, jpg.subarray(64 << 10)), 413, 'image_too_large');
  assert.equal(existsSync(part(jl)), false);
  // One stored before uploads were checked: no thumbnail, no preview, nothing decoded.
  const hash = sha(bomb);
  mkdirSync(join(srv.dir, 'files', hash.slice(0, 2)), { recursive: true });
  writeFileSync(join(srv.dir, 'files', hash.slice(0, 2), hash), bomb);
  srv.sql(`INSERT INTO files (sha256, size, mime, kind, name, facility_id, uploaded_by, created_at) VALUES ('${hash}', ${bomb.length}, 'image/png', 'image', 'cu.png', ` +
    `(SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'), (SELECT id FROM users WHERE username = 'demo.commune'), 0)`);
  const old = srv.sql(`SELECT MAX(id) FROM files WHERE sha256 = '${hash}'`);
  const renders = await metric(srv, 'ytexa_image_renders_total');
  for (const route of ['thumbnail', 'preview']) {
    const p = await api(srv, 'GET', `/api/v1/files/${old}/${route}`, { token: S['demo.commune'].token });
    assertError(p, 409, 'image_too_large');
  }
  assert.equal((await getBytes('demo.commune', `/api/v1/files/${old}`)).status, 200, 'the original is still there to download');
  assert.equal(await metric(srv, 'ytexa_image_renders_total'), renders, 'nothing was decoded');
  // A real photo's size passes.
  const ok = await upload('demo.commune', png(1600, 1200), 'Ảnh bình thường.png');
  const p = await getBytes('demo.commune', `/api/v1/files/${ok}/preview`);
  assert.equal(p.status, 200);
  assert.deepEqual(jpegSize(p.body), [1280, 960]);
});

test('concurrent previews of one image are made once, even with several image workers', async () => {
  // Four image requests at a time, so that it is the single-flight lock, not the queue, that
  // keeps the six requests below to one render.
  await srv.stop();
  srv.args.push('--image-concurrency', '4');
  await srv.restart();
  try {
    for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
    const img = png(2400, 1600, true);
    const id = await upload('demo.commune', img, 'Nhiều người cùng xem.png');
    const before = await metric(srv, 'ytexa_image_renders_total');
    const all = await Promise.all(Array.from({ length: 6 }, () => getBytes('demo.commune', `/api/v1/files/${id}/preview`)));
    for (const r of all) {
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(all[0].body), 'the same bytes for everyone');
    }
    assert.equal(await metric(srv, 'ytexa_image_renders_total'), before + 1, 'one render for six requests');
    const derived = join(srv.dir, 'files', 'derived', `${sha(img)}-1280.jpg`);
    const made = statSync(derived).ino;
    assert.equal((await getBytes('demo.commune', `/api/v1/files/${id}/preview`)).status, 200);
    assert.equal(statSync(derived).ino, made, 'kept, not made again');
    assert.equal(existsSync(`${derived}.lock`), false, 'no lock left behind');
    assert.equal(await metric(srv, 'ytexa_image_renders_total'), before + 1);
  } finally {
    await srv.stop();
    srv.args.splice(srv.args.indexOf('--image-concurrency'), 2);
    await srv.restart();
    for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
  }
});
