// Places, facilities and the support network: search with and without diacritics, the 2025
// successors, paging, who may change what, and bad input that writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, assertError, ROLES } from './lib/server.mjs';

let srv, S = {};
const id = (table, code) => Number(srv.sql(`SELECT id FROM ${table} WHERE code = '${code}'`));
const counts = () => ['facilities', 'facility_specialties', 'support_links'].map((t) => srv.sql(`SELECT COUNT(*) FROM ${t}`)).join('/');
const get = (path, who = 'demo.commune') => api(srv, 'GET', path, { token: S[who].token });

before(async () => {
  srv = await startServer();
  for (const u of Object.keys(ROLES)) S[u] = await login(srv, u);
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('search finds names with or without diacritics, in any case, NFC or NFD', async () => {
  for (const q of ['lung cu', 'LŨNG CÚ', 'Lũng Cú', 'Lu\u0303ng Cu\u0301', 'lũng']) {
    const r = await get(`/api/v1/facilities?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.items.some((f) => f.name === 'Trạm Y tế xã Lũng Cú'), q);
  }
  const d = await get('/api/v1/facilities?q=dong%20van');
  assert.ok(d.body.items.some((f) => f.name === 'Trung tâm Y tế khu vực Đồng Văn'));
  assert.equal((await get('/api/v1/facilities?q=%25')).body.items.length, 0, '% is a character, not a wildcard');
  assert.equal((await get('/api/v1/facilities?q=_')).body.items.length, 0);
});

test('a facility shows its place, site and specialties; the network both ways', async () => {
  const f = (await get(`/api/v1/facilities/${id('facilities', 'TYT-LUNGCU')}`)).body;
  assert.equal(f.level, 'commune');
  assert.equal(f.unit.name, 'Xã Lũng Cú');
  assert.equal(f.province.name, 'Tuyên Quang');
  assert.deepEqual(f.site, { name: 'Điểm cầu Trạm Y tế xã Lũng Cú', bandwidth_kbps: 512, profile: 'low_video' });
  assert.deepEqual(f.specialties, ['family']);
  const n = (await get(`/api/v1/facilities/${f.id}/network`)).body;
  assert.ok(n.supported_by.some((l) => l.facility.code === 'TTYT-DONGVAN' && l.specialty === 'pediatrics'));
  const hub = (await get(`/api/v1/facilities/${id('facilities', 'BV-BACHMAI')}/network`)).body;
  assert.ok(hub.supports.some((l) => l.facility.code === 'BVDK-HAGIANG' && l.specialty === 'cardiology'));
  assertError(await get('/api/v1/facilities/999999'), 404);
  assertError(await get('/api/v1/facilities/999999/network'), 404);
  assertError(await get('/api/v1/facilities/x'), 404);
  assertError(await api(srv, 'GET', '/api/v1/facilities'), 401);
});

test('filters and cursor paging reach every facility once', async () => {
  const seen = new Set();
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const r = await get(`/api/v1/facilities?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
    for (const f of r.body.items) { assert.ok(!seen.has(f.id)); seen.add(f.id); }
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  assert.equal(seen.size, Number(srv.sql('SELECT COUNT(*) FROM facilities')));
  const tq = id('admin_units', '2025-08');
  const inTq = (await get(`/api/v1/facilities?province_id=${tq}&limit=200`)).body.items;
  assert.ok(inTq.length >= 4 && inTq.every((f) => f.province.id === tq));
  const communes = (await get('/api/v1/facilities?level=commune&limit=200')).body.items;
  assert.ok(communes.length >= 5 && communes.every((f) => f.level === 'commune'));
  const cardio = (await get('/api/v1/facilities?specialty=cardiology&limit=200')).body.items;
  assert.ok(cardio.every((f) => f.specialties.includes('cardiology')));
  for (const q of ['limit=0', 'limit=201', 'cursor=-1', 'cursor=x', 'province_id=0', 'q=' + 'a'.repeat(101)])
    assertError(await get(`/api/v1/facilities?${q}`), 400);
});

test('places follow the 2025 reform: old provinces point to today\'s', async () => {
  const hg = (await get(`/api/v1/admin-units/${id('admin_units', '02')}`)).body;
  assert.equal(hg.name, 'Hà Giang');
  assert.equal(hg.valid_to, '2025-07-01');
  assert.equal(hg.successor.name, 'Tuyên Quang');
  assert.equal(hg.current.name, 'Tuyên Quang');
  const yb = (await get(`/api/v1/admin-units/${id('admin_units', '15')}`)).body;
  assert.equal(yb.current.name, 'Lào Cai');
  assert.equal((await get(`/api/v1/admin-units/${id('admin_units', '06')}`)).body.current.name, 'Thái Nguyên');
  assert.equal((await get(`/api/v1/admin-units/${id('admin_units', '93')}`)).body.current.name, 'Cần Thơ');
  assert.equal((await get(`/api/v1/admin-units/${id('admin_units', '83')}`)).body.current.name, 'Vĩnh Long');
  const ls = (await get(`/api/v1/admin-units/${id('admin_units', '20')}`)).body;
  assert.equal(ls.valid_to, null);
  assert.equal(ls.current.id, ls.id, 'Lạng Sơn is unchanged');
  const oldCommune = (await get(`/api/v1/admin-units/${id('admin_units', 'X-LUNGCU-2008')}`)).body;
  assert.equal(oldCommune.current.name, 'Xã Lũng Cú');
  const now = (await get('/api/v1/admin-units?level=province&current=1&limit=200')).body.items;
  assert.equal(now.length, 34);
  const all = (await get('/api/v1/admin-units?level=province&limit=200')).body.items;
  assert.equal(all.length, 63 + 23);
  const q = (await get('/api/v1/admin-units?q=ha%20giang')).body.items;
  assert.ok(q.some((u) => u.name === 'Hà Giang'));
  assertError(await get('/api/v1/admin-units?level=district2'), 400);
  assertError(await get('/api/v1/admin-units/0'), 404);
  const sp = (await get('/api/v1/specialties')).body.items;
  assert.ok(sp.some((s) => s.code === 'cardiology' && s.name_vi === 'Tim mạch'));
});

const newFacility = (over = {}) => ({
  code: `TYT-TEST-${Math.random().toString(36).slice(2, 7).toUpperCase()}`, name: 'Trạm Y tế xã Sà Phìn', level: 'commune',
  unit_id: id('admin_units', 'X-SAPHIN'), site_name: 'Điểm cầu Sà Phìn', site_bandwidth_kbps: 384, site_profile: 'audio',
  specialties: ['family', 'pediatrics'], ...over,
});

test('ministry and province admins create facilities; others may not', async () => {
  const m = await api(srv, 'POST', '/api/v1/facilities', { token: S['demo.ministry-admin'].token, body: newFacility() });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  assert.equal(m.body.province.name, 'Tuyên Quang');
  assert.deepEqual(m.body.specialties, ['family', 'pediatrics']);
  assert.equal(srv.sql(`SELECT action || '|' || outcome FROM audit_events WHERE action = 'facility.create' AND resource_id = '${m.body.code}'`), 'facility.create|ok');
  const p = await api(srv, 'POST', '/api/v1/facilities', { token: S['demo.province-admin'].token, body: newFacility() });
  assert.equal(p.status, 201);
  const before = counts();
  assertError(await api(srv, 'POST', '/api/v1/facilities', { token: S['demo.province-admin'].token,
    body: newFacility({ unit_id: id('admin_units', 'X-DATMUI') }) }), 403);
  for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist', 'demo.trainer', 'demo.facility-admin', 'demo.patient'])
    assertError(await api(srv, 'POST', '/api/v1/facilities', { token: S[u].token, body: newFacility() }), 403);
  assertError(await api(srv, 'POST', '/api/v1/facilities', { body: newFacility() }), 401);
  assertError(await api(srv, 'POST', '/api/v1/facilities', { cookie: S['demo.ministry-admin'].cookie, body: newFacility() }), 403);
  assert.equal(counts(), before);
});

test('bad facility input names the field and writes nothing', async () => {
  const t = S['demo.ministry-admin'].token;
  const before = counts();
  const cases = [
    [{ code: 'lower-case' }, 'code'], [{ code: 'X' }, 'code'], [{ code: "A' OR 1=1" }, 'code'],
    [{ level: 'hospital' }, 'level'], [{ unit_id: 999999 }, 'unit_id'], [{ unit_id: id('admin_units', '02') }, 'unit_id'],
    [{ unit_id: '5' }, 'unit_id'], [{ name: 'x' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'],
    [{ site_profile: 'hd' }, 'site_profile'], [{ site_bandwidth_kbps: 8 }, 'site_bandwidth_kbps'],
    [{ specialties: ['astrology'] }, 'specialties'], [{ specialties: [1] }, 'specialties'], [{ specialties: 'family' }, 'specialties'],
    [{ founded: 1990 }, 'founded'],
  ];
  for (const [over, field] of cases) {
    const r = await api(srv, 'POST', '/api/v1/facilities', { token: t, body: newFacility(over) });
    assertError(r, 400);
    assert.equal(r.body.error.field, field, `${JSON.stringify(over)} → ${JSON.stringify(r.body)}`);
  }
  assertError(await api(srv, 'POST', '/api/v1/facilities', { token: t, body: newFacility({ code: 'TYT-LUNGCU' }) }), 409);
  assert.equal(counts(), before);
});

test('a facility admin edits its own site details, nothing else', async () => {
  const fa = S['demo.facility-admin'];
  const own = fa.user.facility.id;
  const r = await api(srv, 'PATCH', `/api/v1/facilities/${own}`, { token: fa.token, body: { site_bandwidth_kbps: 30000, phone: '02193866000' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.site.bandwidth_kbps, 30000);
  assert.equal(r.body.phone, '02193866000');
  assertError(await api(srv, 'PATCH', `/api/v1/facilities/${own}`, { token: fa.token, body: { name: 'Bệnh viện Mới' } }), 403);
  assertError(await api(srv, 'PATCH', `/api/v1/facilities/${id('facilities', 'TYT-LUNGCU')}`, { token: fa.token, body: { phone: '0123456789' } }), 403);
  assertError(await api(srv, 'PATCH', `/api/v1/facilities/${own}`, { token: S['demo.doctor'].token, body: { phone: '0123456789' } }), 403);
  assertError(await api(srv, 'PATCH', '/api/v1/facilities/999999', { token: fa.token, body: { phone: '0123456789' } }), 404);
  const m = await api(srv, 'PATCH', `/api/v1/facilities/${id('facilities', 'TYT-MEOVAC')}`, { token: S['demo.ministry-admin'].token,
    body: { name: 'Trạm Y tế xã Mèo Vạc (mới)', specialties: ['family', 'obstetrics'], active: false } });
  assert.equal(m.status, 200);
  assert.equal(m.body.active, false);
  assert.deepEqual(m.body.specialties, ['family', 'obstetrics']);
  assert.ok((await get('/api/v1/facilities?q=' + encodeURIComponent('MÈO VẠC (MỚI)'))).body.items.length === 1, 'folded name updated');
  assertError(await api(srv, 'PATCH', `/api/v1/facilities/${own}`, { token: S['demo.ministry-admin'].token, body: { code: 'NEW' } }), 400);
  assertError(await api(srv, 'PATCH', `/api/v1/facilities/${own}`, { token: S['demo.province-admin'].token, body: { unit_id: id('admin_units', 'X-DATMUI') } }), 403);
});

test('support links: who may link, which way, and unlinking', async () => {
  const m = S['demo.ministry-admin'].token, p = S['demo.province-admin'].token;
  const body = { hub_id: id('facilities', 'TTYT-DONGVAN'), site_id: id('facilities', 'TYT-LUNGCU'), specialty: 'nutrition' };
  const r = await api(srv, 'POST', '/api/v1/support-links', { token: p, body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const net = (await get(`/api/v1/facilities/${body.site_id}/network`)).body;
  assert.ok(net.supported_by.some((l) => l.id === r.body.id && l.specialty === 'nutrition'));
  assertError(await api(srv, 'POST', '/api/v1/support-links', { token: m, body }), 409);
  const before = counts();
  assertError(await api(srv, 'POST', '/api/v1/support-links', { token: m, body: { ...body, hub_id: body.site_id, site_id: body.hub_id } }), 400);
  assertError(await api(srv, 'POST', '/api/v1/support-links', { token: m, body: { ...body, hub_id: body.site_id } }), 400);
  assertError(await api(srv, 'POST', '/api/v1/support-links', { token: m, body: { ...body, specialty: 'astrology' } }), 400);
  assertError(await api(srv, 'POST', '/api/v1/support-links', { token: m, body: { ...body, hub_id: 999999 } }), 400);
  assertError(await api(srv, 'POST', '/api/v1/support-links', { token: p, body: { ...body, site_id: id('facilities', 'TYT-DATMUI'), hub_id: id('facilities', 'BVDK-CAMAU') } }), 403);
  for (const u of ['demo.commune', 'demo.doctor', 'demo.facility-admin', 'demo.trainer'])
    assertError(await api(srv, 'POST', '/api/v1/support-links', { token: S[u].token, body: { ...body, specialty: 'mental' } }), 403);
  assertError(await api(srv, 'DELETE', `/api/v1/support-links/${r.body.id}`, { token: S['demo.doctor'].token }), 403);
  assert.equal(counts(), before);
  assert.equal((await api(srv, 'DELETE', `/api/v1/support-links/${r.body.id}`, { token: p })).status, 200);
  assertError(await api(srv, 'DELETE', `/api/v1/support-links/${r.body.id}`, { token: p }), 404);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM audit_events WHERE action IN ('network.link', 'network.unlink') AND outcome = 'ok'`), '2');
});
