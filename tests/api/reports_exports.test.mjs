// The exports of a report (docs/reports.md, "XLSX" and "DHIS2"): the visit report seeded with
// figures worked out by hand below, fetched as JSON, CSV, XLSX and DHIS2 — every format carries the
// same numbers. The XLSX is unzipped with `unzip -p` and its sheet XML read cell by cell: numbers
// are numbers, small cells the text "<5", Vietnamese names intact. DHIS2: the data element codes,
// the org unit codes, a grouping as category option combination, small cells left out, each
// period kind in DHIS2's format, and a range of days that is none of them refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { badQueriesNameTheirField, cells, colName } from './lib/reports.mjs';

let srv, dir;
const S = {};
const REPORT = '/api/v1/reports/visits';
const get = (who, query = '', headers = {}) => api(srv, 'GET', REPORT + query, { token: who && S[who].token, headers });
const one = (q) => srv.sql(q).split('\n')[0];
const F = {}, NAME = {};
const MIN = 60 * 1000;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The seed, all in November 2026 (Vietnam time), all finished:
//  Lũng Cú: 6 video visits, waits from booking to start 10, 20, 30, 40, 50, 60 minutes
//  Mèo Vạc: 2 audio visits, waits 5 and 15 minutes
// By hand (nearest rank):
//  Lũng Cú  booked 6, started 6, completed 6; median rank 3 of 6 = 30; p90 rank ceil(5.4) = 6 → 60
//  Mèo Vạc  booked 2, started 2, completed 2: small cells, and so are its waits (2 started)
//  totals   booked 8, started 8, completed 8; sorted 5 10 15 20 30 40 50 60: median rank 4 = 20,
//           p90 rank ceil(7.2) = 8 → 60
const SEED = [
  ['TYT-LUNGCU', 'video', [10, 20, 30, 40, 50, 60]],
  ['TYT-MEOVAC', 'audio', [5, 15]],
];
const LUNGCU = { booked: 6, started: 6, completed: 6, wait_median_min: 30, wait_p90_min: 60 };
const MEOVAC = { booked: '<5', started: '<5', completed: '<5', wait_median_min: '<5', wait_p90_min: '<5' };
// In the exports Lũng Cú's counts are masked: with the totals (8) they would give Mèo Vạc's 2 away
// (secondary suppression, docs/reports.md "Small cells"); its waits are not counts and stay.
const LUNGCU_OUT = { booked: 'x', started: 'x', completed: 'x', wait_median_min: 30, wait_p90_min: 60 };
const TOTALS = { booked: 8, started: 8, completed: 8, wait_median_min: 20, wait_p90_min: 60 };
const QUERY = () => `?period=month:2026-11&province=${F.HAGIANG}&by=facility`;

before(async () => {
  srv = await startSignedIn(S);
  dir = mkdtempSync(join(tmpdir(), 'ytexa-xlsx-'));
  for (const code of ['TYT-LUNGCU', 'TYT-MEOVAC']) {
    F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
    NAME[code] = one(`SELECT name FROM facilities WHERE code = '${code}'`);
  }
  F.HAGIANG = Number(one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`));
  F.HAGIANG_CODE = one(`SELECT code FROM admin_units WHERE id = ${F.HAGIANG}`);
  const patient = one('SELECT MIN(id) FROM patients');
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [];
  let day = 2;
  for (const [fac, mode, waits] of SEED)
    for (const wait of waits) {
      const booked = Date.parse(`2026-11-${String(day++).padStart(2, '0')}T02:00:00Z`);
      sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
        `started_at, ended_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${doctor}, ${F[fac]}, ${doctor}, '${mode}', ` +
        `'finished', 'seed', ${booked + wait * MIN}, ${booked + (wait + 10) * MIN}, ${booked}, ${booked});`);
    }
  srv.sql(sql.join('\n'));
});

after(() => {
  srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// What the seeded figures of a row are, the rest of the counts being 0.
function expected(values, hand) {
  for (const [k, v] of Object.entries(hand)) assert.equal(values[k], typeof v === 'number' ? v : values[k], k);
}

test('JSON: the seeded figures by hand', async () => {
  const r = await get('demo.ministry-admin', QUERY());
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.rows.map((x) => x.key.name), [NAME['TYT-LUNGCU'], NAME['TYT-MEOVAC']]);
  expected(r.body.rows[0].values, LUNGCU);
  assert.deepEqual([r.body.rows[1].values.booked, r.body.rows[1].values.started], [2, 2]);
  expected(r.body.totals, TOTALS);
  assert.equal(r.body.totals.cancelled, 0);
});

async function fetchXlsx(query, headers = {}) {
  const res = await fetch(srv.url + REPORT + query, { headers: { authorization: `Bearer ${S['demo.ministry-admin'].token}`, ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const file = join(dir, `r${Math.random().toString(36).slice(2)}.xlsx`);
  writeFileSync(file, bytes);
  const part = (name) => execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' });
  return { res, bytes, part };
}

test('XLSX: sheet "Báo cáo" with labels, rows and totals; numbers as numbers, "<5" as text; sheet "Thông tin"', async () => {
  const json = (await get('demo.ministry-admin', QUERY())).body;
  const { res, bytes, part } = await fetchXlsx(QUERY() + '&format=xlsx');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), XLSX);
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="bao-cao-kham-tu-xa-2026-11.xlsx"');
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip');
  const workbook = part('xl/workbook.xml');
  assert.deepEqual([...workbook.matchAll(/<sheet name="([^"]*)"/g)].map((m) => m[1]), ['Báo cáo', 'Thông tin']);
  const shared = part('xl/sharedStrings.xml');
  const sheet = cells(part('xl/worksheets/sheet1.xml'), shared);
  // The header: the labels, Vietnamese.
  assert.equal(sheet.A1.v, 'Nhóm');
  json.columns.forEach((c, i) => assert.equal(sheet[`${colName(i + 1)}1`].v, c.label_vi, c.key));
  const at = (row, key) => sheet[`${colName(1 + json.columns.findIndex((c) => c.key === key))}${row}`];
  // Lũng Cú on row 2, its name with its diacritics; counts as integers, minutes as numbers.
  assert.deepEqual(sheet.A2, { type: 's', v: NAME['TYT-LUNGCU'] });
  assert.match(NAME['TYT-LUNGCU'], /Lũng Cú/);
  for (const [key, v] of Object.entries(LUNGCU_OUT)) assert.deepEqual([at(2, key).type, at(2, key).v], [typeof v === 'number' ? 'n' : 's', v], key);
  assert.match(at(2, 'wait_median_min').xml, /^<c r="[A-Z]+2" s="\d+"><v>30<\/v><\/c>$/, 'a number cell: no t="s"');
  assert.equal(at(2, 'cancelled').v, 0);
  // Mèo Vạc: small cells are the text "<5".
  assert.deepEqual(sheet.A3, { type: 's', v: NAME['TYT-MEOVAC'] });
  for (const [key, v] of Object.entries(MEOVAC)) assert.deepEqual([at(3, key).type, at(3, key).v], ['s', v], key);
  // The totals row.
  assert.equal(sheet.A4.v, 'Tổng cộng');
  for (const [key, v] of Object.entries(TOTALS)) assert.deepEqual([at(4, key).type, at(4, key).v], ['n', v], key);
  assert.equal(sheet.A5, undefined, 'nothing after the totals');
  // Minutes carry a number format with one decimal; counts the built-in whole-number one (id 1).
  const styles = part('xl/styles.xml');
  const xfs = [...styles.split('<cellXfs')[1].split('</cellXfs>')[0].matchAll(/<xf [^>]*numFmtId="(\d+)"/g)].map((m) => m[1]);
  const custom = Object.fromEntries([...styles.matchAll(/<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const fmtOf = (cell) => {
    const id = xfs[Number(/ s="(\d+)"/.exec(cell.xml)[1])];
    return id === '1' ? '0' : custom[id];
  };
  assert.equal(fmtOf(at(2, 'wait_median_min')), '0.0');
  assert.equal(fmtOf(at(4, 'booked')), '0');

  // The sheet "Thông tin": report, period, place, when it was made, the note on small cells.
  const about = Object.values(cells(part('xl/worksheets/sheet2.xml'), shared)).map((c) => c.v);
  for (const want of ['visits', '2026-11-01 – 2026-11-30 (ngày theo giờ Việt Nam)', one(`SELECT name FROM admin_units WHERE id = ${F.HAGIANG}`), 'facility', 'Ô nhỏ'])
    assert.ok(about.includes(want), `${want} in ${JSON.stringify(about)}`);
  assert.ok(about.some((v) => /^\d{4}-\d\d-\d\d \d\d:\d\d \(giờ Việt Nam, UTC\+7\)$/.test(v)), 'made at, Vietnam time');
  assert.ok(about.some((v) => String(v).includes('"<5"')), 'the note on small cells');

  // English on request, and Accept of the XLSX type without format.
  const en = await fetchXlsx(QUERY(), { accept: XLSX, 'accept-language': 'en' });
  assert.equal(en.res.headers.get('content-type'), XLSX);
  assert.deepEqual([...en.part('xl/workbook.xml').matchAll(/<sheet name="([^"]*)"/g)].map((m) => m[1]), ['Report', 'About']);
  const enSheet = cells(en.part('xl/worksheets/sheet1.xml'), en.part('xl/sharedStrings.xml'));
  assert.equal(enSheet.B1.v, json.columns[0].label_en);
  assert.equal(enSheet.A4.v, 'Total');
});

test('XLSX of an empty period: the header and a totals row of zeros', async () => {
  const { res, part } = await fetchXlsx(`?period=month:2025-02&facility=${F['TYT-LUNGCU']}&format=xlsx`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="bao-cao-kham-tu-xa-2025-02.xlsx"');
  const sheet = cells(part('xl/worksheets/sheet1.xml'), part('xl/sharedStrings.xml'));
  assert.equal(sheet.A2.v, 'Tổng cộng');
  assert.deepEqual([sheet.B2.type, sheet.B2.v], ['n', 0]);
  assert.equal(sheet.A3, undefined);
});

test('CSV carries the same numbers', async () => {
  const r = await get('demo.ministry-admin', QUERY() + '&format=csv');
  const lines = r.body.slice(1).trim().split('\r\n').map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const json = (await get('demo.ministry-admin', QUERY())).body;
  const col = (key) => 1 + json.columns.findIndex((c) => c.key === key);
  for (const [i, hand] of [[1, LUNGCU_OUT], [2, MEOVAC], [3, TOTALS]])
    for (const [key, v] of Object.entries(hand)) assert.equal(lines[i][col(key)], String(v), `${lines[i][0]} ${key}`);
  assert.equal(lines[1][0], NAME['TYT-LUNGCU']);
});

// The data values of a DHIS2 answer as { "orgUnit|dataElement|combo": value }.
const valuesOf = (body) => Object.fromEntries(body.dataValues.map((d) => [`${d.orgUnit}|${d.dataElement}|${d.categoryOptionCombo ?? ''}`, d.value]));

test('DHIS2 by facility: data element and org unit codes, values as text, small cells left out', async () => {
  const r = await get('demo.ministry-admin', QUERY() + '&format=dhis2');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.period, '202611');
  assert.equal(r.body.orgUnit, undefined, 'each value names its facility');
  for (const d of r.body.dataValues) {
    assert.equal(d.period, '202611');
    assert.equal(typeof d.value, 'string');
    assert.equal(d.categoryOptionCombo, undefined);
  }
  const v = valuesOf(r.body);
  // Lũng Cú's counts are masked (they and the total would give Mèo Vạc's away): left out too.
  for (const key of ['BOOKED', 'STARTED', 'COMPLETED']) assert.equal(v[`TYT-LUNGCU|YX_VISITS_${key}|`], undefined, key);
  assert.equal(v['TYT-LUNGCU|YX_VISITS_WAIT_MEDIAN_MIN|'], '30');
  assert.equal(v['TYT-LUNGCU|YX_VISITS_WAIT_P90_MIN|'], '60');
  assert.equal(v['TYT-LUNGCU|YX_VISITS_CANCELLED|'], '0');
  assert.equal(v['TYT-LUNGCU|YX_VISITS_ICD_CH09|'], '0');
  // Mèo Vạc's small cells are not sent at all; its zeros are.
  for (const key of ['BOOKED', 'STARTED', 'COMPLETED', 'WAIT_MEDIAN_MIN', 'WAIT_P90_MIN'])
    assert.equal(v[`TYT-MEOVAC|YX_VISITS_${key}|`], undefined, key);
  assert.equal(v['TYT-MEOVAC|YX_VISITS_CANCELLED|'], '0');
  // Only the two facilities with visits, no totals: DHIS2 adds facilities up its hierarchy.
  assert.deepEqual([...new Set(r.body.dataValues.map((d) => d.orgUnit))].sort(), ['TYT-LUNGCU', 'TYT-MEOVAC']);
  const json = (await get('demo.ministry-admin', QUERY())).body;
  // Neither had a prescription signed or refused: refused_pct is null for both, and a null is not sent.
  assert.equal(v['TYT-LUNGCU|YX_VISITS_REFUSED_PCT|'], undefined);
  assert.equal(v['TYT-LUNGCU|YX_VISITS_PRESCRIPTIONS_REFUSED|'], '0');
  // Lũng Cú: its three masked counts and the null; Mèo Vạc: its five small cells and the null.
  assert.equal(r.body.dataValues.length, json.columns.length - 3 - 1 + (json.columns.length - 5 - 1));
});

test('DHIS2 of one place: the totals under its code; another grouping as category option combination', async () => {
  const r = await get('demo.ministry-admin', `?period=month:2026-11&province=${F.HAGIANG}&format=dhis2`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.orgUnit, F.HAGIANG_CODE);
  const v = valuesOf(r.body);
  for (const [key, want] of Object.entries(TOTALS))
    assert.equal(v[`${F.HAGIANG_CODE}|YX_VISITS_${key.toUpperCase()}|`], String(want), key);

  const byMode = await get('demo.ministry-admin', `?period=month:2026-11&province=${F.HAGIANG}&by=mode&format=dhis2`);
  assert.equal(byMode.status, 200, JSON.stringify(byMode.body));
  const m = valuesOf(byMode.body);
  assert.equal(m[`${F.HAGIANG_CODE}|YX_VISITS_BOOKED|YX_MODE_VIDEO`], undefined, 'masked against the audio 2');
  assert.equal(m[`${F.HAGIANG_CODE}|YX_VISITS_WAIT_MEDIAN_MIN|YX_MODE_VIDEO`], '30');
  assert.equal(m[`${F.HAGIANG_CODE}|YX_VISITS_BOOKED|YX_MODE_AUDIO`], undefined, 'small');
  assert.equal(m[`${F.HAGIANG_CODE}|YX_VISITS_NO_SHOW|YX_MODE_AUDIO`], '0');
  assert.ok(byMode.body.dataValues.every((d) => d.orgUnit === F.HAGIANG_CODE && /^YX_MODE_[A-Z]+$/.test(d.categoryOptionCombo)));

  // A facility alone, and an empty period: zeros, no medians (there are none).
  const empty = await get('demo.ministry-admin', `?period=month:2025-02&facility=${F['TYT-LUNGCU']}&format=dhis2`);
  assert.equal(empty.status, 200);
  assert.equal(empty.body.orgUnit, 'TYT-LUNGCU');
  const e = valuesOf(empty.body);
  assert.equal(e['TYT-LUNGCU|YX_VISITS_BOOKED|'], '0');
  assert.equal(e['TYT-LUNGCU|YX_VISITS_WAIT_MEDIAN_MIN|'], undefined);
});

test('DHIS2 periods: a day, a week, a month, a quarter, a year, or the same days as from/to', async () => {
  const place = `&facility=${F['TYT-LUNGCU']}&format=dhis2`;
  for (const [query, want] of [
    ['?period=day:2026-11-05', '20261105'],
    ['?period=week:2026-W45', '2026W45'],
    ['?period=week:2026-W03', '2026W3'],
    ['?period=month:2026-11', '202611'],
    ['?period=quarter:2026-Q4', '2026Q4'],
    ['?period=year:2026', '2026'],
    ['?from=2026-11-02&to=2026-11-08', '2026W45'],
    ['?from=2026-11-01&to=2026-11-30', '202611'],
    ['?from=2026-11-05&to=2026-11-05', '20261105'],
  ]) {
    const r = await get('demo.ministry-admin', query + place);
    assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.period, want, query);
    assert.ok(r.body.dataValues.every((d) => d.period === want), query);
  }
});

test('DHIS2 refuses a range that is not one of its periods, and the country without units; bad format', async () => {
  await badQueriesNameTheirField(get, [
    [`?from=2026-11-03&to=2026-11-20&facility=${F['TYT-LUNGCU']}&format=dhis2`, 'period'],
    [`?from=2026-11-03&to=2026-11-09&facility=${F['TYT-LUNGCU']}&format=dhis2`, 'period'],
    [`?from=2026-11-01&to=2026-12-31&facility=${F['TYT-LUNGCU']}&format=dhis2`, 'period'],
    ['?period=month:2026-11&format=dhis2', 'province'],
    ['?period=month:2026-11&by=mode&format=dhis2', 'province'],
    ['?format=xls', 'format'], ['?format=XLSX', 'format'],
  ]);
  const bad = await get('demo.ministry-admin', '?format=xls');
  assert.match(bad.body.error.message, /xlsx/);
  // The country by province or facility has codes for every row.
  const byProvince = await get('demo.ministry-admin', '?period=month:2026-11&by=province&format=dhis2');
  assert.equal(byProvince.status, 200, JSON.stringify(byProvince.body));
  assert.equal(valuesOf(byProvince.body)[`${F.HAGIANG_CODE}|YX_VISITS_BOOKED|`], '8');
  // Another administrator's place answers in every format as an absent one: 404, JSON.
  for (const format of ['xlsx', 'dhis2']) {
    const other = await get('demo.facility-admin', `?facility=${F['TYT-LUNGCU']}&format=${format}`);
    assertError(other, 404);
    assert.deepEqual(other.body, (await get('demo.facility-admin', '?facility=999999&format=json')).body);
  }
  assertError(await get(null, '?format=xlsx'), 401);
});

// Every report and every grouping it offers answers as XLSX (a workbook with its labels) and as
// DHIS2 (codes of the report's prefix, units and combinations as codes), for the year of the demo.
test('every report in XLSX and DHIS2, each grouping', async () => {
  const reports = {
    consultations: ['YX_CONS', 'hoi-chan', ['facility', 'province', 'level_pair', 'urgency', 'specialty', 'kind']],
    visits: ['YX_VISITS', 'kham-tu-xa', ['facility', 'province', 'mode']],
    reach: ['YX_REACH', 'tiep-can', ['facility', 'province', 'group']],
    sites: ['YX_SITES', 'diem-ket-noi', ['facility', 'level', 'province']],
    training: ['YX_TRAIN', 'dao-tao', ['role', 'level', 'facility', 'province']],
  };
  const token = S['demo.ministry-admin'].token;
  for (const [name, [prefix, stem, groupings]] of Object.entries(reports)) {
    const path = `/api/v1/reports/${name}?period=year:2026&province=${F.HAGIANG}`;
    const json = (await api(srv, 'GET', path, { token })).body;
    const res = await fetch(`${srv.url}${path}&format=xlsx`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="bao-cao-${stem}-2026-01-01_2026-12-31.xlsx"`);
    const file = join(dir, `${name}.xlsx`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const sheet = cells(execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' }),
      execFileSync('unzip', ['-p', file, 'xl/sharedStrings.xml'], { encoding: 'utf8' }));
    json.columns.forEach((c, i) => assert.equal(sheet[`${colName(i + 1)}1`].v, c.label_vi, `${name} ${c.key}`));
    let sent = 0;
    for (const by of [null, ...groupings]) {
      const r = await api(srv, 'GET', `${path}${by ? `&by=${by}` : ''}&format=dhis2`, { token });
      sent += r.body.dataValues?.length ?? 0;
      assert.equal(r.status, 200, `${name} by=${by}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.period, '2026');
      for (const d of r.body.dataValues) {
        assert.ok(d.dataElement.startsWith(`${prefix}_`) && /^[A-Z0-9_]{1,50}$/.test(d.dataElement), d.dataElement);
        assert.match(d.value, /^-?\d+(\.\d+)?$/, `${name} ${d.dataElement}`);
        assert.equal(d.orgUnit, by === 'facility' ? d.orgUnit : F.HAGIANG_CODE, `${name} by=${by}`);
        if (by && by !== 'facility' && by !== 'province') assert.match(d.categoryOptionCombo, /^YX_[A-Z0-9_]{1,47}$/, `${name} by=${by}`);
      }
    }
    assert.ok(sent > 0, `${name}: some values`);
  }
});

// Secondary suppression within a row and beside a rate (docs/reports.md, "Small cells"), May 2023,
// which holds nothing else. Lũng Cú: 8 visits, diagnoses J06 ×6 (chapter X) and I10 ×2 (chapter
// IX), 6 prescriptions refused; Mèo Vạc: 2 visits, 2 refused, no diagnoses. By hand, as exported:
//  Lũng Cú  chapter IX 2 → "<5"; its chapters add up to its 8 diagnoses, so chapter X (6) would
//           give the 2 away (8 − 6): masked "x". Refused 6 is masked "x" by its column (with the
//           total 8 it would give Mèo Vạc's 2 away), and so is its refused share (100 % of the
//           refused and signed: the share and the signed count would give the 6 back).
//  Mèo Vạc  refused 2 → "<5", its share over 2 → "<5"; chapters 0.
//  totals   chapter IX 2 → "<5"; chapter X 6 masked "x" (Lũng Cú's, the only other, is masked);
//           diagnoses 8, refused 8 and its share 100 shown.
test('within a row and beside a rate: the second chapter and the share are masked, in the CSV and the XLSX', async () => {
  const fac = F['TYT-LUNGCU'], mv = F['TYT-MEOVAC'];
  const patient = one('SELECT MIN(id) FROM patients'), doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [];
  for (let i = 0; i < 10; i++) {
    const f = i < 8 ? fac : mv, t = Date.parse(`2023-05-${String(i + 2).padStart(2, '0')}T02:00:00Z`);
    sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, started_at, ended_at, created_at, updated_at) ` +
      `VALUES (${patient}, ${f}, ${doctor}, ${f}, ${doctor}, 'video', 'finished', 'mask ${i}', ${t + 10 * MIN}, ${t + 20 * MIN}, ${t}, ${t});`);
    if (i < 8) sql.push(`INSERT INTO visit_diagnoses (visit_id, code, is_primary, created_by, created_at) SELECT id, '${i < 6 ? 'J06' : 'I10'}', 1, ${doctor}, ${t + 15 * MIN} FROM visits WHERE reason = 'mask ${i}';`);
    if (i < 6 || i >= 8) sql.push(`INSERT INTO prescription_refusals (visit_id, code, icd10, refused_at, by_user) SELECT id, 'not_remote_treatable', 'J06', ${t + 16 * MIN}, ${doctor} FROM visits WHERE reason = 'mask ${i}';`);
  }
  srv.sql(sql.join('\n'));
  const query = `?period=month:2023-05&province=${F.HAGIANG}&by=facility`;
  const json = (await get('demo.ministry-admin', query)).body;
  // The JSON (not an export) keeps every figure.
  assert.deepEqual(json.rows.map((r) => [r.key.id, r.values.icd_ch09, r.values.icd_ch10, r.values.prescriptions_refused, r.values.refused_pct]),
    [[fac, 2, 6, 6, 100], [mv, 0, 0, 2, 100]]);
  const KEYS = ['icd_ch09', 'icd_ch10', 'diagnoses', 'prescriptions_refused', 'refused_pct'];
  const WANT = { [NAME['TYT-LUNGCU']]: ['<5', 'x', '8', 'x', 'x'], [NAME['TYT-MEOVAC']]: ['0', '0', '0', '<5', '<5'], 'Tổng cộng': ['<5', 'x', '8', '8', '100'] };
  const col = (key) => 1 + json.columns.findIndex((c) => c.key === key);
  const csv = (await get('demo.ministry-admin', query + '&format=csv')).body.slice(1).trim().split('\r\n')
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  assert.equal(csv.length, 4);
  for (const line of csv.slice(1)) assert.deepEqual(KEYS.map((k) => line[col(k)]), WANT[line[0]], line[0]);
  const { part } = await fetchXlsx(query + '&format=xlsx');
  const sheet = cells(part('xl/worksheets/sheet1.xml'), part('xl/sharedStrings.xml'));
  for (const row of [2, 3, 4]) {
    const got = KEYS.map((k) => sheet[`${colName(col(k))}${row}`]).map((c) => (c.type === 's' ? c.v : String(c.v)));
    assert.deepEqual(got, WANT[sheet[`A${row}`].v], sheet[`A${row}`].v);
  }
});
