// Places, facilities and the support network, as a client sees them: search with and without
// diacritics, the 2025 successors, cursor paging, who may change what, and bad input that is
// refused with the field named and leaves every table as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startSignedIn, api, login, assertError, ROLES, BIN, refuser } from './lib/server.mjs';

let srv;
const S = {};
const JSON_CT = { 'content-type': 'application/json' };
const id = (table, code) => {
  const v = Number(srv.sql(`SELECT id FROM ${table} WHERE code = '${code}'`));
  assert.ok(v > 0, `no ${table} ${code}`);
  return v;
};
const unit = (code) => id('admin_units', code);
const fac = (code) => id('facilities', code);
const get = (path, who = 'demo.commune') => api(srv, 'GET', path, { token: S[who].token });
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });

// What a rejected write must leave alone: row counts, and the facilities' last change and state.
const snapshot = () => srv.sql(
  'SELECT (SELECT COUNT(*) FROM facilities), (SELECT COUNT(*) FROM facility_specialties), ' +
  '(SELECT COUNT(*) FROM support_links), (SELECT COUNT(*) FROM admin_units), (SELECT COUNT(*) FROM specialties), ' +
  '(SELECT MAX(updated_at) FROM facilities), (SELECT SUM(active) FROM facilities), ' +
  '(SELECT COUNT(*) FROM idempotency_keys)');

const refused = refuser(snapshot);
const OTHERS = ['demo.commune', 'demo.doctor', 'demo.specialist', 'demo.trainer', 'demo.facility-admin', 'demo.patient'];
let seq = 0;
const newCode = (prefix = 'TYT-T') => `${prefix}${Date.now().toString(36).toUpperCase()}-${++seq}`;
const newFacility = (over = {}) => ({
  code: newCode(), name: 'Trạm Y tế xã Sà Phìn', level: 'commune', unit_id: unit('2025-00733'),
  address: 'Thôn Sà Phìn A', phone: '0219 3856 123', site_name: 'Điểm cầu Sà Phìn', site_bandwidth_kbps: 384,
  site_profile: 'audio', specialties: ['family', 'pediatrics'], ...over,
});
// A raw body with bytes that are not UTF-8 in the middle of a string.
const badUtf8 = (before, after) => Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from(after)]);

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

test('specialties: the whole small list, Vietnamese and English names', async () => {
  const r = await get('/api/v1/specialties');
  assert.equal(r.status, 200);
  const codes = r.body.items.map((s) => s.code);
  assert.equal(new Set(codes).size, codes.length);
  assert.ok(codes.length >= 20);
  assert.ok(r.body.items.some((s) => s.code === 'cardiology' && s.name_vi === 'Tim mạch' && s.name_en === 'Cardiology'));
  assert.ok(r.body.items.some((s) => s.name_vi === 'Y học gia đình'));
  assertError(await api(srv, 'GET', '/api/v1/specialties'), 401);
});

test('administrative units: cursor paging reaches every unit once; filters', async () => {
  const seen = new Set();
  let cursor = null, pages = 0;
  do {
    const r = await get(`/api/v1/admin-units?limit=97${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.items.length <= 97);
    for (const u of r.body.items) {
      assert.ok(!seen.has(u.id), `unit ${u.id} twice`);
      seen.add(u.id);
    }
    cursor = r.body.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  assert.equal(seen.size, Number(srv.sql('SELECT COUNT(*) FROM admin_units')));
  assert.ok(seen.size > 1800, 'every commune of the ten provinces, before and after the reform');
  // The GSO's lists: every commune of the ten provinces before the reform, each with its successor.
  const perOld = Object.fromEntries(srv.sql("SELECT p.code, COUNT(*) FROM admin_units c JOIN admin_units p ON p.id = c.parent_id WHERE c.level = 'commune' AND c.valid_to = '2025-07-01' GROUP BY p.code").split('\n').map((l) => l.split('|')));
  assert.deepEqual(perOld, { '02': '193', '06': '108', '10': '151', '12': '106', '15': '168', '20': '194', '72': '94', '83': '148', '93': '75', '96': '100' });
  assert.equal(srv.sql("SELECT COUNT(*) FROM admin_units WHERE level = 'commune' AND valid_to IS NOT NULL AND successor_id IS NULL"), '0');
  const split = srv.sql("SELECT COUNT(*) FROM admin_units WHERE note LIKE 'chia cho / split among:%'");
  assert.ok(Number(split) > 0, 'a commune split among several keeps the others in its note');
  const u = (await get(`/api/v1/admin-units?limit=1`)).body.items[0];
  assert.deepEqual(Object.keys(u).sort(), ['code', 'id', 'level', 'name', 'parent', 'successor', 'valid_from', 'valid_to']);

  assert.equal((await get('/api/v1/admin-units?level=province&current=1&limit=200')).body.items.length, 34);
  assert.equal((await get('/api/v1/admin-units?level=province&limit=200')).body.items.length, 63 + 23);
  assert.equal((await get('/api/v1/admin-units?level=province&current=0&limit=200')).body.items.length, 63 + 23);
  const tq = unit('2025-08');
  const communes = (await get(`/api/v1/admin-units?parent_id=${tq}&level=commune&limit=200`)).body.items;
  assert.ok(communes.length >= 4 && communes.every((c) => c.parent.id === tq && c.parent.name === 'Tuyên Quang'));
  for (const name of ['Xã Lũng Cú', 'Xã Đồng Văn', 'Xã Mèo Vạc']) assert.ok(communes.some((c) => c.name === name), name);
  const nowCommunes = (await get(`/api/v1/admin-units?level=commune&current=1&limit=200`)).body.items;
  assert.equal(nowCommunes.length, 200, 'a full page: there are hundreds of current communes');
  assert.ok(!nowCommunes.some((c) => c.valid_to && c.valid_to <= new Date().toISOString().slice(0, 10)));
  // Lũng Cú before the reform (00715) is found without the filter, and not with it.
  const lungCu = (current) => get(`/api/v1/admin-units?level=commune&q=lung%20cu${current}`).then((r) => r.body.items.map((c) => c.code));
  assert.ok((await lungCu('')).includes('00715'));
  assert.ok(!(await lungCu('&current=1')).includes('00715'), 'the pre-2025 commune is not current');

  for (const q of ['ha giang', 'HÀ GIANG', 'Ha\u0300 Giang']) {
    const r = (await get(`/api/v1/admin-units?q=${encodeURIComponent(q)}`)).body.items;
    assert.ok(r.some((x) => x.name === 'Hà Giang'), q);
  }
  const lc = (await get(`/api/v1/admin-units?q=lung%20cu&current=1`)).body.items;
  assert.deepEqual(lc.map((x) => x.name), ['Xã Lũng Cú']);
  assert.equal((await get('/api/v1/admin-units?q=%25')).body.items.length, 0, '% is a character, not a wildcard');
  assert.equal((await get('/api/v1/admin-units?q=_')).body.items.length, 0);
  for (const q of ['level=district2', 'parent_id=x', 'parent_id=0', 'parent_id=-3', 'current=yes', 'limit=0', 'limit=201',
    'limit=x', 'cursor=abc', 'cursor=-1', 'q=' + 'a'.repeat(101)])
    assertError(await get(`/api/v1/admin-units?${q}`), 400);
  assertError(await api(srv, 'GET', '/api/v1/admin-units'), 401);
});

test('places follow the 2025 reform: every old province leads to today\'s', async () => {
  const current = async (code) => (await get(`/api/v1/admin-units/${unit(code)}`)).body;
  const hg = await current('02');
  assert.equal(hg.name, 'Hà Giang');
  assert.equal(hg.level, 'province');
  assert.equal(hg.valid_to, '2025-07-01');
  assert.equal(hg.successor.name, 'Tuyên Quang');
  assert.deepEqual(hg.current, { id: unit('2025-08'), name: 'Tuyên Quang' });
  const cases = [
    ['15', '2025-15', 'Lào Cai'], ['10', '2025-15', 'Lào Cai'], ['06', '2025-19', 'Thái Nguyên'],
    ['93', '2025-92', 'Cần Thơ'], ['83', '2025-86', 'Vĩnh Long'], ['96', '2025-96', 'Cà Mau'], ['95', '2025-96', 'Cà Mau'],
    ['72', '2025-80', 'Tây Ninh'], ['80', '2025-80', 'Tây Ninh'], ['08', '2025-08', 'Tuyên Quang'],
  ];
  for (const [old, now, name] of cases) {
    const u = await current(old);
    assert.deepEqual(u.current, { id: unit(now), name }, `${old} → ${name}`);
    assert.notEqual(u.current.id, u.id, `${old} is not its own successor`);
  }
  for (const same of ['20', '12', '01']) {
    const u = await current(same);
    assert.equal(u.valid_to, null);
    assert.equal(u.successor, null);
    assert.equal(u.current.id, u.id, `${u.name} is unchanged`);
  }
  const newLc = await current('2025-15');
  assert.equal(newLc.valid_from, '2025-07-01');
  assert.equal(newLc.current.id, newLc.id);
  const oldCommune = await current('00715');
  assert.equal(oldCommune.parent.name, 'Hà Giang');
  assert.deepEqual(oldCommune.current, { id: unit('2025-00715'), name: 'Xã Lũng Cú' });
  for (const p of ['/api/v1/admin-units/0', '/api/v1/admin-units/999999', '/api/v1/admin-units/abc'])
    assertError(await get(p), 404);
});

test('a successor cycle in the data ends the walk with current: null', async () => {
  srv.sql("INSERT INTO admin_units (code, name, name_folded, level, valid_from, valid_to) VALUES " +
    "('CYC-A', 'Vòng A', 'vong a', 'province', '2000-01-01', '2001-01-01'), " +
    "('CYC-B', 'Vòng B', 'vong b', 'province', '2000-01-01', '2001-01-01')");
  srv.sql("UPDATE admin_units SET successor_id = (SELECT id FROM admin_units WHERE code = 'CYC-B') WHERE code = 'CYC-A'");
  srv.sql("UPDATE admin_units SET successor_id = (SELECT id FROM admin_units WHERE code = 'CYC-A') WHERE code = 'CYC-B'");
  const r = await get(`/api/v1/admin-units/${unit('CYC-A')}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.current, null);
  assert.equal(r.body.successor.name, 'Vòng B');
});

test('facility search finds names with or without diacritics, in any case, NFC or NFD', async () => {
  for (const q of ['lung cu', 'LUNG CU', 'LŨNG CÚ', 'Lũng Cú', 'Lu\u0303ng Cu\u0301', 'lũng', 'xa lung']) {
    const r = await get(`/api/v1/facilities?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.some((f) => f.name === 'Trạm Y tế xã Lũng Cú'), q);
  }
  for (const q of ['dong van', 'ĐỒNG VĂN', 'Đồng Văn']) {
    const r = (await get(`/api/v1/facilities?q=${encodeURIComponent(q)}`)).body.items;
    assert.ok(r.some((f) => f.name === 'Trung tâm Y tế khu vực Đồng Văn'), q);
  }
  assert.ok((await get('/api/v1/facilities?q=bach%20mai')).body.items.some((f) => f.code === 'BV-BACHMAI'));
  assert.equal((await get('/api/v1/facilities?q=%25')).body.items.length, 0, '% is a character, not a wildcard');
  assert.equal((await get('/api/v1/facilities?q=_')).body.items.length, 0);
  assert.equal((await get(`/api/v1/facilities?q=${encodeURIComponent("' OR 1=1 --")}`)).body.items.length, 0);
  assert.equal((await get('/api/v1/facilities?q=khong%20co%20dau%20ca')).body.items.length, 0);
});

test('a facility shows its place, site and specialties; the network both ways', async () => {
  const f = (await get(`/api/v1/facilities/${fac('TYT-LUNGCU')}`)).body;
  assert.deepEqual(Object.keys(f).sort(), ['active', 'address', 'code', 'id', 'level', 'name', 'phone', 'province', 'site',
    'specialties', 'unit'].sort());
  assert.equal(f.code, 'TYT-LUNGCU');
  assert.equal(f.level, 'commune');
  assert.deepEqual(f.unit, { id: unit('2025-00715'), name: 'Xã Lũng Cú' });
  assert.deepEqual(f.province, { id: unit('2025-08'), name: 'Tuyên Quang' });
  assert.deepEqual(f.site, { name: 'Điểm cầu Trạm Y tế xã Lũng Cú', bandwidth_kbps: 512, profile: 'low_video' });
  assert.deepEqual(f.specialties, ['family']);
  assert.equal(f.active, true);
  assert.equal((await get(`/api/v1/facilities/${fac('BVDK-HAGIANG')}`)).body.province.name, 'Tuyên Quang');
  for (const code of ['TYT-LUNGCU', 'BVDK-HAGIANG', 'BV-BACHMAI', 'SYT-TUYENQUANG'])
    assert.equal((await get(`/api/v1/facilities/${fac(code)}`)).status, 200, code);

  const n = (await get(`/api/v1/facilities/${f.id}/network`)).body;
  const link = n.supported_by.find((l) => l.facility.code === 'TTYT-DONGVAN' && l.specialty === 'pediatrics');
  assert.ok(link && link.id > 0);
  assert.deepEqual(Object.keys(link.facility).sort(), ['code', 'id', 'level', 'name']);
  assert.equal(link.facility.level, 'district');
  assert.deepEqual(n.supports, []);
  const hub = (await get(`/api/v1/facilities/${fac('BV-BACHMAI')}/network`)).body;
  assert.ok(hub.supports.some((l) => l.facility.code === 'BVDK-HAGIANG' && l.specialty === 'cardiology'));
  assert.deepEqual(hub.supported_by, []);
  for (const p of ['/api/v1/facilities/999999', '/api/v1/facilities/999999/network', '/api/v1/facilities/x', '/api/v1/facilities/0'])
    assertError(await get(p), 404);
  assertError(await api(srv, 'GET', '/api/v1/facilities'), 401);
  assertError(await api(srv, 'GET', `/api/v1/facilities/${f.id}/network`), 401);
  // Every signed-in role reads the network.
  for (const u of Object.keys(ROLES)) assert.equal((await get(`/api/v1/facilities/${f.id}/network`, u)).status, 200, u);
});

test('facility filters and cursor paging reach every facility once', async () => {
  const seen = new Set();
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const r = await get(`/api/v1/facilities?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    for (const f of r.body.items) {
      assert.ok(!seen.has(f.id), `facility ${f.id} twice`);
      seen.add(f.id);
    }
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  assert.equal(seen.size, Number(srv.sql('SELECT COUNT(*) FROM facilities')));
  assert.ok(seen.size > 8, 'several pages of four');
  const def = (await get('/api/v1/facilities')).body;
  assert.ok(def.items.length <= 50);
  const tq = unit('2025-08');
  const inTq = (await get(`/api/v1/facilities?province_id=${tq}&limit=200`)).body.items;
  assert.ok(inTq.length >= 4 && inTq.every((f) => f.province.id === tq));
  const communes = (await get('/api/v1/facilities?level=commune&limit=200')).body.items;
  assert.ok(communes.length >= 5 && communes.every((f) => f.level === 'commune'));
  const cardio = (await get('/api/v1/facilities?specialty=cardiology&limit=200')).body.items;
  assert.ok(cardio.length >= 2 && cardio.every((f) => f.specialties.includes('cardiology')));
  const both = (await get(`/api/v1/facilities?q=lung&province_id=${tq}&level=commune`)).body.items;
  assert.deepEqual(both.map((f) => f.code), ['TYT-LUNGCU']);
  assert.equal((await get('/api/v1/facilities?specialty=astrology')).body.items.length, 0);
  for (const q of ['limit=0', 'limit=201', 'cursor=-1', 'cursor=x', 'province_id=0', 'province_id=abc', 'level=hospital',
    'q=' + 'a'.repeat(101)])
    assertError(await get(`/api/v1/facilities?${q}`), 400);
});

test('create a facility: ministry anywhere, province admin in its province; audited', async () => {
  const body = newFacility();
  const m = await as('demo.ministry-admin', 'POST', '/api/v1/facilities', body);
  assert.equal(m.status, 201, JSON.stringify(m.body));
  assert.equal(m.body.code, body.code);
  assert.equal(m.body.name, body.name);
  assert.equal(m.body.level, 'commune');
  assert.deepEqual(m.body.unit, { id: body.unit_id, name: 'Xã Sà Phìn' });
  assert.equal(m.body.province.name, 'Tuyên Quang', 'the province is the commune\'s parent');
  assert.equal(m.body.address, 'Thôn Sà Phìn A');
  assert.equal(m.body.phone, '0219 3856 123');
  assert.deepEqual(m.body.site, { name: 'Điểm cầu Sà Phìn', bandwidth_kbps: 384, profile: 'audio' });
  assert.deepEqual(m.body.specialties, ['family', 'pediatrics']);
  assert.equal(m.body.active, true);
  assert.deepEqual((await get(`/api/v1/facilities/${m.body.id}`)).body, m.body);
  assert.equal(srv.sql(`SELECT name_folded FROM facilities WHERE id = ${m.body.id}`), 'tram y te xa sa phin');
  assert.equal(srv.sql(`SELECT action, outcome, actor_id, resource_type FROM audit_events WHERE action = 'facility.create' ` +
    `AND resource_id = '${m.body.id}'`), `facility.create|ok|${S['demo.ministry-admin'].user.id}|facility`);

  // Placed in a province-level unit, the province is the unit itself; defaults fill the site.
  const minimal = await as('demo.province-admin', 'POST', '/api/v1/facilities',
    { code: newCode('SYT-'), name: 'Phòng khám Đa khoa Tư nhân An Bình', level: 'private', unit_id: unit('2025-08') });
  assert.equal(minimal.status, 201, JSON.stringify(minimal.body));
  assert.deepEqual(minimal.body.province, { id: unit('2025-08'), name: 'Tuyên Quang' });
  assert.deepEqual(minimal.body.site, { name: null, bandwidth_kbps: 1000, profile: 'video' });
  assert.deepEqual(minimal.body.specialties, []);
  assert.equal(minimal.body.address, null);

  // A cookie session works with its CSRF token.
  const c = await api(srv, 'POST', '/api/v1/facilities', { cookie: S['demo.ministry-admin'].cookie,
    csrf: S['demo.ministry-admin'].csrf, body: newFacility() });
  assert.equal(c.status, 201);

  await refused(as('demo.ministry-admin', 'POST', '/api/v1/facilities', newFacility({ code: 'TYT-LUNGCU' })), 409, 'code', 'duplicate');
  await refused(as('demo.ministry-admin', 'POST', '/api/v1/facilities', newFacility({ code: body.code })), 409, 'code', 'duplicate');
});

test('create a facility: every other role, another province, no session, no CSRF token → refused', async () => {
  const path = '/api/v1/facilities';
  const deniedNow = () => Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'facility.create' AND outcome = 'denied'"));
  const deniedBefore = deniedNow();
  await refused(as('demo.province-admin', 'POST', path, newFacility({ unit_id: unit('2025-32248') })), 403, null, 'other province');
  await refused(as('demo.province-admin', 'POST', path, newFacility({ unit_id: unit('01') })), 403, null, 'Hà Nội');
  for (const u of OTHERS) {
    await refused(as(u, 'POST', path, newFacility()), 403, null, u);
    await refused(as(u, 'POST', path, { nonsense: true }), 403, null, `${u}: refused before its body is read`);
  }
  await refused(api(srv, 'POST', path, { body: newFacility() }), 401);
  await refused(api(srv, 'POST', path, { token: 'not-a-session', body: newFacility() }), 401);
  await refused(api(srv, 'POST', path, { cookie: S['demo.ministry-admin'].cookie, body: newFacility() }), 403, null, 'no CSRF');
  await refused(api(srv, 'POST', path, { cookie: S['demo.ministry-admin'].cookie, csrf: 'wrong', body: newFacility() }), 403);
  // The refusals of this test, not of earlier ones, are counted.
  const denied = deniedNow() - deniedBefore;
  assert.ok(denied >= OTHERS.length * 2 + 2, `refusals are audited (${denied})`);
});

test('create a facility: bad input names the field and writes nothing', async () => {
  const t = 'demo.ministry-admin';
  const post = (body) => as(t, 'POST', '/api/v1/facilities', body);
  const cases = [
    [{ code: 'lower-case' }, 'code'], [{ code: 'X' }, 'code'], [{ code: 'A'.repeat(33) }, 'code'],
    [{ code: "A' OR 1=1" }, 'code'], [{ code: 'TYT_1' }, 'code'], [{ code: 'TYT LUNG' }, 'code'], [{ code: 'TYT-ĐV' }, 'code'],
    [{ code: 12 }, 'code'], [{ code: null }, 'code'],
    [{ name: 'x' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'], [{ name: 'ă'.repeat(201) }, 'name'], [{ name: '   ' }, 'name'],
    [{ name: 'Trạm\nY tế' }, 'name'], [{ name: 'Trạm\u0007' }, 'name'], [{ name: 'a\u0000b' }, null], [{ name: ['Trạm'] }, 'name'], [{ name: undefined }, 'name'],
    [{ level: 'hospital' }, 'level'], [{ level: 'Commune' }, 'level'], [{ level: true }, 'level'], [{ level: undefined }, 'level'],
    [{ unit_id: 999999 }, 'unit_id'], [{ unit_id: 0 }, 'unit_id'], [{ unit_id: -1 }, 'unit_id'], [{ unit_id: '5' }, 'unit_id'],
    [{ unit_id: 1.5 }, 'unit_id'], [{ unit_id: undefined }, 'unit_id'],
    [{ unit_id: unit('02') }, 'unit_id'], [{ unit_id: unit('00715') }, 'unit_id'],
    [{ address: 'đ'.repeat(301) }, 'address'], [{ address: 5 }, 'address'],
    [{ phone: 'call me' }, 'phone'], [{ phone: '12' }, 'phone'], [{ phone: '1'.repeat(21) }, 'phone'], [{ phone: 219 }, 'phone'],
    [{ site_name: 'x'.repeat(201) }, 'site_name'],
    [{ site_bandwidth_kbps: 15 }, 'site_bandwidth_kbps'], [{ site_bandwidth_kbps: 1000001 }, 'site_bandwidth_kbps'],
    [{ site_bandwidth_kbps: '512' }, 'site_bandwidth_kbps'], [{ site_bandwidth_kbps: 512.5 }, 'site_bandwidth_kbps'],
    [{ site_profile: 'hd' }, 'site_profile'], [{ site_profile: 'VIDEO' }, 'site_profile'],
    [{ specialties: ['astrology'] }, 'specialties'], [{ specialties: ['family', 'astrology'] }, 'specialties'],
    [{ specialties: [1] }, 'specialties'], [{ specialties: 'family' }, 'specialties'], [{ specialties: [null] }, 'specialties'],
    [{ specialties: Array.from({ length: 51 }, () => 'family') }, 'specialties'], [{ specialties: { a: 1 } }, 'specialties'],
    [{ founded: 1990 }, 'founded'], [{ active: false }, 'active'], [{ province_id: unit('2025-08') }, 'province_id'],
  ];
  const invalid = () => Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'facility.create' AND outcome = 'invalid'"));
  const invalidBefore = invalid();
  for (const [over, field] of cases) await refused(post(newFacility(over)), 400, field, JSON.stringify(over).slice(0, 80));
  const raw = (payload, headers = JSON_CT) => api(srv, 'POST', '/api/v1/facilities', { token: S[t].token, raw: payload, headers });
  await refused(raw('{"code": "TYT-X", "name": "Trạm'), 400, null, 'truncated JSON');
  await refused(raw('{"code": "TYT-X",}'), 400, null, 'trailing comma');
  await refused(raw('[{"code": "TYT-X"}]'), 400, null, 'array body');
  await refused(raw(''), 400, null, 'empty body');
  await refused(raw('{"code":"TYT-X","code":"TYT-Y"}'), 400, null, 'duplicate key');
  await refused(raw(badUtf8('{"code":"TYT-UTF","name":"Tr', `","level":"commune","unit_id":${unit('2025-00733')}}`)), 400, null,
    'invalid UTF-8');
  await refused(raw(JSON.stringify(newFacility()), { 'content-type': 'text/plain' }), 415, null, 'content type');
  await refused(raw(`{"code":"TYT-BIG","name":"Trạm","level":"commune","unit_id":${unit('2025-00733')},"site_bandwidth_kbps":1e400}`),
    400, null, 'number overflow');
  // Each refusal the handler made is audited as invalid; one that was not even JSON never reached it.
  assert.ok(invalid() - invalidBefore >= cases.length - 1, `${invalid() - invalidBefore} refusals audited`);
});

test('SQL metacharacters are stored verbatim and do nothing', async () => {
  const users = srv.sql('SELECT COUNT(*) FROM users');
  const body = newFacility({ name: "Trạm Y tế'; DROP TABLE facilities; --", address: 'Robert"); DELETE FROM users; --',
    site_name: "x' OR '1'='1", phone: '(0219) 3.856-123' });
  const r = await as('demo.ministry-admin', 'POST', '/api/v1/facilities', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const back = (await get(`/api/v1/facilities/${r.body.id}`)).body;
  assert.equal(back.name, body.name);
  assert.equal(back.address, body.address);
  assert.equal(back.site.name, body.site_name);
  assert.equal(back.phone, body.phone);
  assert.equal(srv.sql('SELECT COUNT(*) FROM users'), users);
  const found = (await get(`/api/v1/facilities?q=${encodeURIComponent("'; drop table")}`)).body.items;
  assert.deepEqual(found.map((f) => f.id), [r.body.id]);
});

test('change a facility: facility admin its own contact and site, admins more; audited', async () => {
  const fa = S['demo.facility-admin'];
  const own = fa.user.facility.id;
  const r = await as('demo.facility-admin', 'PATCH', `/api/v1/facilities/${own}`,
    { site_bandwidth_kbps: 30000, phone: '02193866000', address: 'Tổ 10, phường Hà Giang 1', site_name: 'Điểm cầu BVĐK', site_profile: 'low_video' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.site, { name: 'Điểm cầu BVĐK', bandwidth_kbps: 30000, profile: 'low_video' });
  assert.equal(r.body.phone, '02193866000');
  assert.equal(r.body.address, 'Tổ 10, phường Hà Giang 1');
  assert.equal(r.body.name, 'Bệnh viện Đa khoa tỉnh Hà Giang', 'untouched fields stay');
  assert.equal(srv.sql(`SELECT action, outcome, resource_id FROM audit_events WHERE action = 'facility.update' ORDER BY id DESC LIMIT 1`),
    `facility.update|ok|${own}`);
  const c = await api(srv, 'PATCH', `/api/v1/facilities/${own}`, { cookie: fa.cookie, csrf: fa.csrf, body: { phone: '0219 386 6001' } });
  assert.equal(c.status, 200);

  // The province admin changes a facility of its province, beyond contact fields.
  const lc = fac('TYT-LUNGCU');
  const p = await as('demo.province-admin', 'PATCH', `/api/v1/facilities/${lc}`, { site_bandwidth_kbps: 1024, specialties: ['family', 'nutrition'] });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.deepEqual(p.body.specialties, ['family', 'nutrition']);
  assert.equal(p.body.site.bandwidth_kbps, 1024);
  const same = await as('demo.province-admin', 'PATCH', `/api/v1/facilities/${lc}`, {});
  assert.equal(same.status, 200, 'an empty change is allowed and changes nothing');
  assert.deepEqual(same.body.specialties, ['family', 'nutrition']);

  // The ministry renames (the folded name follows), moves, and deactivates; nothing is deleted.
  const created = (await as('demo.ministry-admin', 'POST', '/api/v1/facilities', newFacility({ name: 'Trạm Y tế xã Mèo Vạc cũ' }))).body;
  const m = await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${created.id}`,
    { name: 'Trạm Y tế xã Đất Mũi Mới', unit_id: unit('2025-32248'), level: 'district', specialties: ['obstetrics', 'family'], active: false });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.equal(m.body.active, false);
  assert.equal(m.body.level, 'district');
  assert.equal(m.body.province.name, 'Cà Mau');
  assert.deepEqual(m.body.specialties, ['family', 'obstetrics']);
  assert.equal(m.body.code, created.code);
  const hits = (await get('/api/v1/facilities?q=' + encodeURIComponent('DAT MUI MOI'))).body.items;
  assert.deepEqual(hits.map((f) => f.id), [created.id]);
  assert.equal((await get('/api/v1/facilities?q=' + encodeURIComponent('meo vac cu'))).body.items.length, 0);
  assert.equal((await get(`/api/v1/facilities/${created.id}`)).body.active, false);
  const back = await as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${created.id}`, { active: true });
  assert.equal(back.body.active, true);
});

test('change a facility: refused for other roles, facilities and provinces, without session or CSRF', async () => {
  const own = S['demo.facility-admin'].user.facility.id, lc = fac('TYT-LUNGCU'), bm = fac('BV-BACHMAI');
  const patch = (who, fid, body) => as(who, 'PATCH', `/api/v1/facilities/${fid}`, body);
  await refused(patch('demo.facility-admin', own, { name: 'Bệnh viện Mới' }), 403, null, 'facility admin renames');
  await refused(patch('demo.facility-admin', own, { active: false }), 403, null, 'facility admin deactivates');
  await refused(patch('demo.facility-admin', own, { specialties: ['family'] }), 403, null, 'facility admin specialties');
  await refused(patch('demo.facility-admin', own, { unit_id: unit('2025-00715') }), 403, null, 'facility admin moves');
  await refused(patch('demo.facility-admin', lc, { phone: '0123456789' }), 403, null, 'another facility');
  for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist', 'demo.trainer', 'demo.patient']) {
    await refused(patch(u, own, { phone: '0123456789' }), 403, null, u);
    await refused(patch(u, lc, { phone: '0123456789' }), 403, null, u);
    await refused(patch(u, own, { bogus: 1 }), 403, null, `${u}: refused before its body is read`);
  }
  await refused(patch('demo.province-admin', bm, { phone: '0123456789' }), 403, null, 'province admin, Hà Nội facility');
  await refused(patch('demo.province-admin', lc, { unit_id: unit('2025-32248') }), 403, null, 'province admin moves it out');
  await refused(patch('demo.province-admin', lc, { unit_id: unit('01') }), 403, null, 'province admin moves it to Hà Nội');
  await refused(api(srv, 'PATCH', `/api/v1/facilities/${own}`, { body: { phone: '0123456789' } }), 401);
  await refused(api(srv, 'PATCH', `/api/v1/facilities/${own}`, { cookie: S['demo.facility-admin'].cookie, body: { phone: '0123456789' } }),
    403, null, 'no CSRF');
  await refused(patch('demo.ministry-admin', 999999, { phone: '0123456789' }), 404);
  await refused(patch('demo.ministry-admin', 'abc', { phone: '0123456789' }), 404);
});

test('change a facility: bad input names the field and writes nothing', async () => {
  const lc = fac('TYT-LUNGCU');
  const patch = (body) => as('demo.ministry-admin', 'PATCH', `/api/v1/facilities/${lc}`, body);
  const cases = [
    [{ code: 'NEW-CODE' }, 'code'], [{ id: 5 }, 'id'], [{ name: 'x' }, 'name'], [{ name: '  ' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 7 }, 'name'], [{ level: 'hospital' }, 'level'], [{ unit_id: 999999 }, 'unit_id'], [{ unit_id: unit('02') }, 'unit_id'],
    [{ unit_id: 'x' }, 'unit_id'], [{ phone: 'abc-def-ghi' }, 'phone'], [{ site_profile: 'hd' }, 'site_profile'],
    [{ site_bandwidth_kbps: 0 }, 'site_bandwidth_kbps'], [{ site_bandwidth_kbps: 2000000 }, 'site_bandwidth_kbps'],
    [{ specialties: ['astrology'] }, 'specialties'], [{ specialties: [{}] }, 'specialties'], [{ active: 'no' }, 'active'],
    [{ active: 0 }, 'active'], [{ address: 'x'.repeat(301) }, 'address'], [{ phone: '0123456789', unknown: 1 }, 'unknown'],
    // A good field beside a bad one: nothing of it is written.
    [{ phone: '0999999999', specialties: ['family', 'astrology'] }, 'specialties'],
    [{ site_bandwidth_kbps: 2048, unit_id: 999999 }, 'unit_id'],
  ];
  for (const [body, field] of cases) await refused(patch(body), 400, field, JSON.stringify(body).slice(0, 80));
  const raw = (payload) => api(srv, 'PATCH', `/api/v1/facilities/${lc}`, { token: S['demo.ministry-admin'].token, raw: payload, headers: JSON_CT });
  await refused(raw('{"phone": '), 400, null, 'truncated JSON');
  await refused(raw('"phone"'), 400, null, 'a string body');
  await refused(raw(''), 400, null, 'no body');
  await refused(raw(badUtf8('{"address":"Th', '"}')), 400, null, 'invalid UTF-8');
  const f = (await get(`/api/v1/facilities/${lc}`)).body;
  assert.notEqual(f.phone, '0999999999');
  assert.notEqual(f.site.bandwidth_kbps, 2048);
});

test('support links: who may link, which way, duplicates, and unlinking', async () => {
  const dv = fac('TTYT-DONGVAN'), lc = fac('TYT-LUNGCU');
  const body = { hub_id: dv, site_id: lc, specialty: 'nutrition' };
  const r = await as('demo.province-admin', 'POST', '/api/v1/support-links', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body, { id: r.body.id, ...body });
  const net = (await get(`/api/v1/facilities/${lc}/network`)).body;
  assert.ok(net.supported_by.some((l) => l.id === r.body.id && l.specialty === 'nutrition' && l.facility.code === 'TTYT-DONGVAN'));
  const hubNet = (await get(`/api/v1/facilities/${dv}/network`)).body;
  assert.ok(hubNet.supports.some((l) => l.id === r.body.id && l.facility.code === 'TYT-LUNGCU'));
  assert.equal(srv.sql(`SELECT outcome, resource_id FROM audit_events WHERE action = 'network.link' ORDER BY id DESC LIMIT 1`), `ok|${r.body.id}`);
  await refused(as('demo.ministry-admin', 'POST', '/api/v1/support-links', body), 409, null, 'duplicate');

  // The ministry links anywhere; a hub of the same level may support a site; a private facility
  // may support or be supported by anyone.
  const central = await as('demo.ministry-admin', 'POST', '/api/v1/support-links',
    { hub_id: fac('BV-CHORAY'), site_id: fac('BV-BACHMAI'), specialty: 'oncology' });
  assert.equal(central.status, 201, JSON.stringify(central.body));
  const pk = (await as('demo.ministry-admin', 'POST', '/api/v1/facilities',
    newFacility({ code: newCode('PK-'), name: 'Phòng khám tư nhân Lũng Cú', level: 'private' }))).body;
  for (const [hub, site] of [[pk.id, fac('BV-BACHMAI')], [lc, pk.id], [pk.id, lc]]) {
    const x = await as('demo.ministry-admin', 'POST', '/api/v1/support-links', { hub_id: hub, site_id: site, specialty: 'family' });
    assert.equal(x.status, 201, `${hub} → ${site}: ${JSON.stringify(x.body)}`);
  }
  const cookie = await api(srv, 'POST', '/api/v1/support-links', { cookie: S['demo.province-admin'].cookie, csrf: S['demo.province-admin'].csrf,
    body: { ...body, specialty: 'mental' } });
  assert.equal(cookie.status, 201);

  const del = await as('demo.province-admin', 'DELETE', `/api/v1/support-links/${r.body.id}`);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal(srv.sql(`SELECT COUNT(*) FROM support_links WHERE id = ${r.body.id}`), '0');
  assert.ok(!(await get(`/api/v1/facilities/${lc}/network`)).body.supported_by.some((l) => l.id === r.body.id));
  assert.equal(srv.sql(`SELECT outcome, resource_id FROM audit_events WHERE action = 'network.unlink' ORDER BY id DESC LIMIT 1`), `ok|${r.body.id}`);
  await refused(as('demo.province-admin', 'DELETE', `/api/v1/support-links/${r.body.id}`), 404, null, 'already gone');
  const again = await as('demo.province-admin', 'POST', '/api/v1/support-links', body);
  assert.equal(again.status, 201, 'an unlinked pair may be linked again');
  const viaCookie = await api(srv, 'DELETE', `/api/v1/support-links/${again.body.id}`, { cookie: S['demo.ministry-admin'].cookie,
    csrf: S['demo.ministry-admin'].csrf });
  assert.equal(viaCookie.status, 200);
});

test('support links: refused for other roles and provinces, without session or CSRF', async () => {
  const linkDenials = () => Number(srv.sql("SELECT COUNT(*) FROM audit_events WHERE action IN ('network.link', 'network.unlink') AND outcome = 'denied'"));
  const denialsBefore = linkDenials();
  const body = { hub_id: fac('TTYT-DONGVAN'), site_id: fac('TYT-LUNGCU'), specialty: 'mental' };
  const camau = { hub_id: fac('BVDK-CAMAU'), site_id: fac('TYT-DATMUI'), specialty: 'mental' };
  await refused(as('demo.province-admin', 'POST', '/api/v1/support-links', camau), 403, null, 'site in another province');
  // The site decides: a Tuyên Quang hub supporting a Cà Mau site is Cà Mau's business.
  await refused(as('demo.province-admin', 'POST', '/api/v1/support-links', { ...camau, hub_id: fac('BVDK-HAGIANG') }), 403);
  for (const u of OTHERS) {
    await refused(as(u, 'POST', '/api/v1/support-links', body), 403, null, u);
    await refused(as(u, 'POST', '/api/v1/support-links', { nonsense: 1 }), 403, null, `${u}: refused before its body is read`);
  }
  await refused(api(srv, 'POST', '/api/v1/support-links', { body }), 401);
  await refused(api(srv, 'POST', '/api/v1/support-links', { cookie: S['demo.ministry-admin'].cookie, body }), 403, null, 'no CSRF');

  const tqLink = Number(srv.sql(`SELECT id FROM support_links WHERE site_id = ${fac('TYT-LUNGCU')} AND specialty = 'pediatrics'`));
  const cmLink = Number(srv.sql(`SELECT id FROM support_links WHERE site_id = ${fac('TYT-DATMUI')} LIMIT 1`));
  await refused(as('demo.province-admin', 'DELETE', `/api/v1/support-links/${cmLink}`), 403, null, 'unlink in another province');
  for (const u of OTHERS) await refused(as(u, 'DELETE', `/api/v1/support-links/${tqLink}`), 403, null, u);
  await refused(api(srv, 'DELETE', `/api/v1/support-links/${tqLink}`), 401);
  await refused(api(srv, 'DELETE', `/api/v1/support-links/${tqLink}`, { cookie: S['demo.ministry-admin'].cookie }), 403, null, 'no CSRF');
  await refused(as('demo.ministry-admin', 'DELETE', '/api/v1/support-links/999999'), 404);
  await refused(as('demo.ministry-admin', 'DELETE', '/api/v1/support-links/x'), 404);
  await refused(api(srv, 'DELETE', `/api/v1/support-links/${tqLink}`, { token: S['demo.ministry-admin'].token, body: { force: true } }), 400);
  assert.ok(linkDenials() - denialsBefore > 10, 'this test\'s refusals are audited');
});

test('support links: bad input names the field and writes nothing', async () => {
  const t = 'demo.ministry-admin';
  const lc = fac('TYT-LUNGCU'), dv = fac('TTYT-DONGVAN'), bm = fac('BV-BACHMAI'), hg = fac('BVDK-HAGIANG');
  const ok = { hub_id: dv, site_id: lc, specialty: 'dermatology' };
  const post = (over) => as(t, 'POST', '/api/v1/support-links', { ...ok, ...over });
  const gone = (await as(t, 'POST', '/api/v1/facilities', newFacility())).body;
  await as(t, 'PATCH', `/api/v1/facilities/${gone.id}`, { active: false });
  const cases = [
    [{ hub_id: lc }, 'hub_id', 'a facility does not support itself'],
    [{ hub_id: lc, site_id: dv }, 'hub_id', 'a commune does not support a district'],
    [{ hub_id: hg, site_id: bm }, 'hub_id', 'a provincial hospital does not support a central one'],
    [{ hub_id: dv, site_id: hg }, 'hub_id', 'a district centre does not support a provincial hospital'],
    [{ specialty: 'astrology' }, 'specialty'], [{ specialty: '' }, 'specialty'], [{ specialty: 'x'.repeat(41) }, 'specialty'],
    [{ specialty: "cardiology' OR '1'='1" }, 'specialty'], [{ specialty: ['cardiology'] }, 'specialty'],
    [{ hub_id: 999999 }, 'hub_id'], [{ site_id: 999999 }, 'site_id'], [{ hub_id: gone.id }, 'hub_id', 'deactivated hub'],
    [{ site_id: gone.id, hub_id: bm }, 'site_id', 'deactivated site'],
    [{ hub_id: String(dv) }, 'hub_id'], [{ site_id: 1.5 }, 'site_id'], [{ hub_id: 0 }, 'hub_id'], [{ hub_id: -4 }, 'hub_id'],
    [{ hub_id: undefined }, 'hub_id'], [{ site_id: undefined }, 'site_id'], [{ specialty: undefined }, 'specialty'],
    [{ note: 'x' }, 'note'],
  ];
  for (const [over, field, what] of cases) await refused(post(over), 400, field, what || JSON.stringify(over));
  const raw = (payload) => api(srv, 'POST', '/api/v1/support-links', { token: S[t].token, raw: payload, headers: JSON_CT });
  await refused(raw('{"hub_id": 1, "site_id": '), 400, null, 'truncated JSON');
  await refused(raw('[]'), 400, null, 'array body');
  await refused(raw(''), 400, null, 'no body');
  await refused(raw(badUtf8(`{"hub_id":${dv},"site_id":${lc},"specialty":"ca`, '"}')), 400, null, 'invalid UTF-8');
});

test('a repeated create with the same Idempotency-Key answers the same and writes once', async () => {
  const body = newFacility();
  const send = () => api(srv, 'POST', '/api/v1/facilities', { token: S['demo.ministry-admin'].token, body,
    headers: { 'idempotency-key': `fac-${body.code}` } });
  const a = await send(), b = await send();
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.deepEqual(b.body, a.body);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM facilities WHERE code = '${body.code}'`), '1');
});

test('the audit chain is whole after all of it', () => {
  const out = execFileSync(BIN, ['audit', 'verify', '--data', srv.dir, '--db', srv.dbUrl], { encoding: 'utf8' });
  assert.match(out, /audit chain whole/);
});
