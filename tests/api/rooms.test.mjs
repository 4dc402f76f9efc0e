// A consultation's multi-site room on a real Janus (started by the test from tests/media/janus/):
// ytexa creates it when the first person enters, gives the pin and a signed Janus token only to
// people who may see the case, records only when everyone who entered consented (and keeps who
// did), and the chair closes it. Janus itself is asked what it has: the room exists, a wrong pin
// or a token not signed by ytexa is refused, the right pin gets in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { startSignedIn, api, login, assertError, refuser, freePort } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { startJanus, janusVideoroom } from '../media/servers.mjs';

let srv, janus;
const S = {};
const TOKEN_SECRET = randomBytes(16).toString('hex');
const ADMIN_KEY = randomBytes(16).toString('hex');
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
const counts = () => srv.counts(['rtc_rooms', 'rtc_room_people', 'rtc_recordings']);
const refused = refuser(counts);

let caseId;
before(async () => {
  const port = await freePort();
  janus = await startJanus({ port, tokenSecret: TOKEN_SECRET, adminKey: ADMIN_KEY, rtpPort: 43000 });
  srv = await startSignedIn(S, {
    extraArgs: ['--janus-url', janus.url, '--janus-public-url', janus.url, '--janus-token-secret', TOKEN_SECRET, '--janus-admin-key', ADMIN_KEY,
      '--stun-urls', 'stun:127.0.0.1:3478'],
  });
  S['dongvan.doctor'] = await (async () => {
    const fid = Number(srv.sql("SELECT id FROM facilities WHERE code = 'TTYT-DONGVAN'"));
    const r = await as('demo.ministry-admin', 'POST', '/api/v1/users', {
      username: 'dongvan.doctor', full_name: 'Vàng Mí Chứ', password: 'Đồng Văn 2026 mật khẩu', role: 'doctor',
      facility_id: fid, licence_no: '000777/HG-CCHN', practice_scope: ['general'],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return login(srv, 'dongvan.doctor', 'Đồng Văn 2026 mật khẩu');
  })();
  const p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Thào Thị Dợ', birth_year: 1988, sex: 'female' });
  const c = await as('demo.commune', 'POST', '/api/v1/consults', {
    patient_id: p.id, summary: 'Đau bụng vùng hạ vị, sốt 38,5 độ, siêu âm tại trạm nghi ruột thừa.',
    questions: ['Có cần chuyển tuyến mổ ngay không?'], urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  caseId = c.body.id;
});
after(async () => {
  await srv?.close();
  await janus?.stop();
});

test('not before the hub accepts; then the first one in opens the room on Janus, the others get the same room', async () => {
  assertError(await as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, {}), 409, 'consult_state');
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/accept`, {})).status, 200);
  assert.equal((await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/participants`, { user_id: userId('demo.specialist'), role: 'specialist' })).status, 200);

  const a = await as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(a.body.open, true);
  assert.equal(a.body.recording, false);
  assert.equal(a.body.display, 'Lò Thị Mai');
  assert.equal(a.body.janus.url, janus.url);
  assert.ok(a.body.pin.length >= 20, 'a pin nobody guesses');
  assert.deepEqual(a.body.people.map((x) => x.name), ['Lò Thị Mai']);
  // The token is Janus's signed kind: "<expiry>,janus,janus.plugin.videoroom:<HMAC-SHA1>".
  const [data, sig] = a.body.janus.token.split(':');
  const [expiry, realm, plugin] = data.split(',');
  assert.equal(realm, 'janus');
  assert.equal(plugin, 'janus.plugin.videoroom');
  assert.equal(sig, createHmac('sha1', TOKEN_SECRET).update(data).digest('base64'));
  assert.ok(Number(expiry) * 1000 > Date.now() + 3600e3, 'lasts the meeting');
  // The Lũng Cú station's site (site_bandwidth_kbps 256 in the demo network, or as set) caps it.
  const site = srv.sql("SELECT site_bandwidth_kbps || ' ' || site_profile FROM facilities WHERE code = 'TYT-LUNGCU'").split(' ');
  assert.equal(a.body.max_bitrate_kbps, Math.min(512, Math.floor(Number(site[0]) * 3 / 4), site[1] === 'low_video' ? 256 : 512));
  assert.equal(a.body.audio_only, site[1] === 'audio');

  const b = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assert.equal(b.status, 200);
  assert.equal(b.body.janus_room, a.body.janus_room);
  assert.equal(b.body.pin, a.body.pin);
  assert.deepEqual(b.body.people.map((x) => x.name), ['Lò Thị Mai', 'Nguyễn Văn An']);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM rtc_rooms WHERE consult_id = ${caseId}`), '1');

  // Janus has it, private; the pin is what lets a browser in.
  const jr = await janusVideoroom(janus.url, a.body.janus.token);
  assert.equal((await jr.sync({ request: 'exists', room: a.body.janus_room })).exists, true);
  // A public room beside it is listed, so the list is one that would show the consultation's.
  const pub = await jr.sync({ request: 'create', admin_key: ADMIN_KEY, room: 990001, is_private: false, description: 'public' });
  assert.equal(pub.videoroom, 'created', JSON.stringify(pub));
  const listed = await jr.sync({ request: 'list' });
  assert.ok(listed.list.some((x) => x.room === 990001), JSON.stringify(listed));
  assert.ok(!listed.list.some((x) => x.room === a.body.janus_room), 'a private room is not listed');
  assert.equal((await jr.sync({ request: 'destroy', admin_key: ADMIN_KEY, room: 990001 })).videoroom, 'destroyed');
  const wrong = await jr.async({ request: 'join', ptype: 'publisher', room: a.body.janus_room, pin: 'đoán-bừa', display: 'x' });
  assert.equal(wrong.error_code, 433, JSON.stringify(wrong));
  const ok = await jr.async({ request: 'join', ptype: 'publisher', room: a.body.janus_room, pin: a.body.pin, display: a.body.display });
  assert.equal(ok.videoroom, 'joined', JSON.stringify(ok));
  await jr.close();
  // Nobody creates rooms on Janus but ytexa (the admin key), nobody talks to it without a token
  // ytexa signed.
  const jr2 = await janusVideoroom(janus.url, a.body.janus.token);
  assert.equal((await jr2.sync({ request: 'create', room: 4242, is_private: false })).error_code, 429);
  await jr2.close();
  const forged = `${data}:${createHmac('sha1', 'not the secret').update(data).digest('base64')}`;
  assert.equal((await janusVideoroom(janus.url, forged)).error.code, 403);
  const stale = `${Math.floor(Date.now() / 1000) - 10},janus,janus.plugin.videoroom`;
  assert.equal((await janusVideoroom(janus.url, `${stale}:${createHmac('sha1', TOKEN_SECRET).update(stale).digest('base64')}`)).error.code, 403);
});

test('who may not enter: another facility, a trainer, a patient, the logged-out; bad input', async () => {
  for (const who of ['dongvan.doctor', 'demo.trainer', 'demo.patient', 'demo.province-admin']) {
    // Another facility's doctor: no such case; roles that never take part: refused whatever the case.
    const status = who === 'dongvan.doctor' ? 404 : 403;
    await refused(as(who, 'POST', `/api/v1/consults/${caseId}/room`, {}), status);
    await refused(as(who, 'GET', `/api/v1/consults/${caseId}/room`), status);
    await refused(as(who, 'PUT', `/api/v1/consults/${caseId}/room/consent`, { recording_consent: true }), status);
    await refused(as(who, 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true }), status);
    await refused(as(who, 'DELETE', `/api/v1/consults/${caseId}/room`), status);
  }
  await refused(api(srv, 'POST', `/api/v1/consults/${caseId}/room`, { body: {} }), 401);
  await refused(api(srv, 'GET', `/api/v1/consults/${caseId}/room`), 401);
  await refused(as('demo.commune', 'POST', '/api/v1/consults/99999999/room', {}), 404);
  await refused(as('demo.commune', 'POST', '/api/v1/consults/abc/room', {}), 404);
  await refused(as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, { recording_consent: 'có' }), 400, 'recording_consent');
  await refused(as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, { pin: '1234' }), 400, 'pin');
  await refused(as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, [1]), 400);
  await refused(as('demo.commune', 'PUT', `/api/v1/consults/${caseId}/room/consent`, {}), 400, 'recording_consent');
  await refused(as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: 1 }), 400, 'record');
  // Only the chair or the secretary records and closes.
  assertError(await refused(as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true }), 403), 403, 'not_your_part');
  assertError(await refused(as('demo.specialist', 'DELETE', `/api/v1/consults/${caseId}/room`), 403), 403, 'not_your_part');
  // Consent is given by someone who entered.
  assertError(await refused(as('demo.specialist', 'PUT', `/api/v1/consults/${caseId}/room/consent`, { recording_consent: true }), 409), 409, 'not_in_room');
});

test('recording: only when everyone who entered consented; a latecomer enters only consenting; a withdrawal stops it', async () => {
  const missing = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true });
  assertError(missing, 409, 'recording_consent_missing');
  assert.deepEqual(missing.body.error.missing.map((x) => x.name).sort(), ['Lò Thị Mai', 'Nguyễn Văn An']);
  assert.equal(srv.sql('SELECT COUNT(*) FROM rtc_recordings'), '0');
  for (const who of ['demo.commune', 'demo.doctor']) {
    const r = await as(who, 'PUT', `/api/v1/consults/${caseId}/room/consent`, { recording_consent: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const on = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  assert.equal(on.body.recording, true);
  const consents = JSON.parse(srv.sql(`SELECT consents FROM rtc_recordings WHERE stopped_at IS NULL`));
  assert.deepEqual(consents.map((x) => x.name).sort(), ['Lò Thị Mai', 'Nguyễn Văn An']);
  assert.ok(consents.every((x) => x.at), 'with when each consented');

  // The specialist arrives while it records: not without consenting.
  const late = await as('demo.specialist', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assertError(late, 409, 'recording_consent_required');
  assert.equal(late.body.pin, undefined);
  const inn = await as('demo.specialist', 'POST', `/api/v1/consults/${caseId}/room`, { recording_consent: true });
  assert.equal(inn.status, 200, JSON.stringify(inn.body));
  assert.ok(inn.body.people.find((x) => x.name === 'Trần Thị Bích Ngọc').recording_consent_at);

  // The station withdraws: the recording stops, and says why.
  const off = await as('demo.commune', 'PUT', `/api/v1/consults/${caseId}/room/consent`, { recording_consent: false });
  assert.equal(off.status, 200);
  assert.equal(off.body.recording, false);
  assert.equal(srv.sql(`SELECT stop_reason FROM rtc_recordings`), 'consent_withdrawn');
  const state = await as('demo.specialist', 'GET', `/api/v1/consults/${caseId}/room`);
  assert.equal(state.body.recording, false);
  assert.equal(state.body.pin, undefined, 'the state shows no pin');
  assert.equal(state.body.people.find((x) => x.name === 'Lò Thị Mai').recording_consent_at, null);
  assertError(await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true }), 409, 'recording_consent_missing');
});

test('guests: a family member invited by the station enters with a code and nothing else; counts for recording consent; revoked, the code is dead', async () => {
  const G = `/api/v1/consults/${caseId}/room/guests`;
  const gcounts = () => srv.sql('SELECT COUNT(*) FROM rtc_guests');
  // Who may invite: the requesting station, the chair, the secretary.
  assertError(await as('demo.specialist', 'POST', G, { name: 'Thào A Páo', relation: 'family' }), 403, 'not_your_part');
  for (const who of ['dongvan.doctor', 'demo.patient', 'demo.trainer']) assertError(await as(who, 'POST', G, { name: 'Thào A Páo', relation: 'family' }), who === 'dongvan.doctor' ? 404 : 403);
  assertError(await api(srv, 'POST', G, { body: { name: 'Thào A Páo', relation: 'family' } }), 401);
  for (const [body, field] of [[{ name: 'Thào A Páo', relation: 'cousin' }, 'relation'], [{ relation: 'family' }, 'name'],
    [{ name: 'x', relation: 'family' }, 'name'], [{ name: 'Thào A Páo', relation: 'family', phone: '0912345678' }, 'phone']]) {
    const r = await as('demo.commune', 'POST', G, body);
    assertError(r, 400);
    assert.equal(r.body.error.field, field);
  }
  assert.equal(gcounts(), '0', 'nothing written by a refused invitation');
  const inv = await as('demo.commune', 'POST', G, { name: 'Thào A Páo', relation: 'family' });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  assert.ok(inv.body.code.length >= 20);
  for (const who of ['dongvan.doctor', 'demo.patient', 'demo.trainer']) assertError(await as(who, 'GET', G), who === 'dongvan.doctor' ? 404 : 403);
  assertError(await api(srv, 'GET', G), 401);
  const list = await as('demo.doctor', 'GET', G);
  assert.deepEqual(list.body.items.map((x) => [x.name, x.relation, x.entered_at]), [['Thào A Páo', 'family', null]]);
  assert.ok(!JSON.stringify(list.body).includes(inv.body.code), 'the code is shown once, never listed');
  assert.ok(!srv.sql('SELECT code_hash FROM rtc_guests').includes(inv.body.code), 'only its hash is kept');

  // The guest, with no account: a wrong code, then the right one.
  assertError(await api(srv, 'POST', '/api/v1/guest/room', { body: { code: 'x'.repeat(20) } }), 404);
  assertError(await api(srv, 'POST', '/api/v1/guest/room', { body: { code: inv.body.code, extra: 1 } }), 400);
  assertError(await api(srv, 'POST', '/api/v1/guest/room', { body: {} }), 400);
  const g = await api(srv, 'POST', '/api/v1/guest/room', { body: { code: inv.body.code } });
  assert.equal(g.status, 200, JSON.stringify(g.body));
  assert.equal(g.body.display, 'Thào A Páo (người nhà)');
  const room = await as('demo.doctor', 'GET', `/api/v1/consults/${caseId}/room`);
  const doctorPass = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assert.equal(g.body.pin, doctorPass.body.pin);
  assert.equal(g.body.janus_room, doctorPass.body.janus_room);
  // The guest's browser is given the servers configured (an empty list would pass for a list).
  assert.deepEqual(g.body.ice.ice_servers, [{ urls: ['stun:127.0.0.1:3478'] }]);
  assert.doesNotMatch(JSON.stringify(g.body), /Thào Thị Dợ|ruột thừa|patient/, 'nothing of the case or the patient');
  const jr = await janusVideoroom(janus.url, g.body.janus.token);
  assert.equal((await jr.sync({ request: 'exists', room: g.body.janus_room })).exists, true);
  await jr.close();
  const seen = await as('demo.doctor', 'GET', `/api/v1/consults/${caseId}/room`);
  assert.deepEqual(seen.body.people.filter((x) => x.guest_id).map((x) => [x.name, x.relation]), [['Thào A Páo', 'family']]);
  assert.equal(room.status, 200);

  // Recording waits for the guest too.
  await as('demo.commune', 'PUT', `/api/v1/consults/${caseId}/room/consent`, { recording_consent: true });
  const missing = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true });
  assertError(missing, 409, 'recording_consent_missing');
  assert.deepEqual(missing.body.error.missing.map((x) => x.name), ['Thào A Páo']);
  const yes = await api(srv, 'PUT', '/api/v1/guest/room/consent', { body: { code: inv.body.code, recording_consent: true } });
  assert.equal(yes.status, 200, JSON.stringify(yes.body));
  const on = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room/recording`, { record: true });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const consents = JSON.parse(srv.sql('SELECT consents FROM rtc_recordings WHERE stopped_at IS NULL'));
  assert.ok(consents.some((x) => x.guest_id === g.body.guest_id && x.at), 'the guest\'s consent is kept with the recording');
  const st = await api(srv, 'POST', '/api/v1/guest/room/state', { body: { code: inv.body.code } });
  assert.deepEqual(st.body, { open: true, recording: true, recording_consent: true });
  assertError(await api(srv, 'POST', '/api/v1/guest/room/state', { body: { code: 'y'.repeat(24) } }), 404);
  // The public guest endpoints check their input like any other.
  for (const [path, method, body, field] of [
    ['/api/v1/guest/room/state', 'POST', {}, 'code'], ['/api/v1/guest/room/state', 'POST', { code: 'abc' }, 'code'],
    ['/api/v1/guest/room/state', 'POST', { code: inv.body.code, x: 1 }, 'x'],
    ['/api/v1/guest/room/consent', 'PUT', { code: inv.body.code }, 'recording_consent'],
    ['/api/v1/guest/room/consent', 'PUT', { code: inv.body.code, recording_consent: 'có' }, 'recording_consent'],
    ['/api/v1/guest/room/consent', 'PUT', { code: 'abc', recording_consent: true }, 'code'],
    ['/api/v1/guest/room', 'POST', { code: inv.body.code, recording_consent: 1 }, 'recording_consent'],
  ]) {
    const r = await refused(api(srv, method, path, { body }), 400);
    assert.equal(r.body.error.field, field, `${method} ${path} ${JSON.stringify(body)}`);
  }
  const no = await api(srv, 'PUT', '/api/v1/guest/room/consent', { body: { code: inv.body.code, recording_consent: false } });
  assert.equal(no.body.recording, false);
  assert.equal(srv.sql('SELECT stop_reason FROM rtc_recordings ORDER BY id DESC LIMIT 1'), 'consent_withdrawn');

  // Revoked: the code no longer opens anything.
  assertError(await as('demo.specialist', 'DELETE', `${G}/${g.body.guest_id}`), 403, 'not_your_part');
  assertError(await as('demo.commune', 'DELETE', `${G}/99999999`), 404);
  assertError(await as('demo.commune', 'DELETE', `${G}/abc`), 404);
  assertError(await as('dongvan.doctor', 'DELETE', `${G}/${g.body.guest_id}`), 404);
  assertError(await api(srv, 'DELETE', `${G}/${g.body.guest_id}`), 401);
  assert.equal((await as('demo.commune', 'DELETE', `${G}/${g.body.guest_id}`)).status, 200);
  assertError(await api(srv, 'POST', '/api/v1/guest/room', { body: { code: inv.body.code } }), 404);
  assertError(await api(srv, 'PUT', '/api/v1/guest/room/consent', { body: { code: inv.body.code, recording_consent: true } }), 404);
  const after = await as('demo.doctor', 'GET', `/api/v1/consults/${caseId}/room`);
  assert.ok(after.body.people.some((x) => x.guest_id), 'a revoked guest may still be in the room: still counted');
});

test('the chair closes the room: Janus forgets it, the next entry opens a new one', async () => {
  const before = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room`, {});
  const closed = await as('demo.doctor', 'DELETE', `/api/v1/consults/${caseId}/room`);
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.equal(closed.body.open, false);
  const jr = await janusVideoroom(janus.url, before.body.janus.token);
  assert.equal((await jr.sync({ request: 'exists', room: before.body.janus_room })).exists, false);
  await jr.close();
  assertError(await as('demo.doctor', 'DELETE', `/api/v1/consults/${caseId}/room`), 409, 'room_closed');
  const again = await as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assert.equal(again.status, 200);
  assert.notEqual(again.body.janus_room, before.body.janus_room);
  assert.notEqual(again.body.pin, before.body.pin);
  assert.deepEqual(again.body.people.map((x) => x.name), ['Lò Thị Mai']);
});

test('Janus restarted: the room is made again on entry; Janus down: a clear 503, the server goes on', async () => {
  const a = await as('demo.commune', 'POST', `/api/v1/consults/${caseId}/room`, {});
  const port = Number(new URL(janus.url).port);
  await janus.stop();
  const down = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assertError(down, 503, 'media_unavailable');
  assert.equal((await as('demo.doctor', 'GET', `/api/v1/consults/${caseId}/room`)).status, 200);
  janus = await startJanus({ port, tokenSecret: TOKEN_SECRET, adminKey: ADMIN_KEY, rtpPort: 43000 });
  const b = await as('demo.doctor', 'POST', `/api/v1/consults/${caseId}/room`, {});
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.equal(b.body.janus_room, a.body.janus_room);
  const jr = await janusVideoroom(janus.url, b.body.janus.token);
  assert.equal((await jr.sync({ request: 'exists', room: b.body.janus_room })).exists, true);
  await jr.close();
});

test('a server without Janus says so', async () => {
  const P = {};
  const plain = await startSignedIn(P, {});
  try {
    const as2 = (who, method, path, body) => api(plain, method, path, { token: P[who].token, body });
    const p = await registerPatient(plain, P['demo.commune'].token, { full_name: 'Mùa A Sử', birth_year: 1970, sex: 'male' });
    const c = await as2('demo.commune', 'POST', '/api/v1/consults', {
      patient_id: p.id, summary: 'Khó thở khi gắng sức, phù hai chân, nghe tim có tiếng thổi.', questions: ['Có suy tim không?'],
      urgency: 'routine', specialty: 'imaging', kind: 'imaging', submit: true,
    });
    assert.equal((await as2('demo.doctor', 'POST', `/api/v1/consults/${c.body.id}/accept`, {})).status, 200);
    assertError(await as2('demo.doctor', 'POST', `/api/v1/consults/${c.body.id}/room`, {}), 503, 'rooms_unavailable');
    assert.equal(plain.sql('SELECT COUNT(*) FROM rtc_rooms'), '0');
  } finally {
    await plain.close();
  }
});
