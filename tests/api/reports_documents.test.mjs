// The printed reports (docs/reports.md, "The monthly report" and "The hub's annual report"):
// consultations, remote visits and training written straight into the database at controlled
// times, then the monthly report of a commune and of its province, and the annual report of the
// hub BVĐK Hà Giang (and of Bạch Mai, which answered a case Hà Giang declined), checked against
// figures worked out by hand from the lists below; the PDFs read with pdftotext show the same
// figures, the diacritics and "<5" for small cells; the empty month and year; who may read
// which place; bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSignedIn, api, assertError } from './lib/server.mjs';
import { otherPlacesAnswerLikeAbsent, badQueriesNameTheirField, cells, colName } from './lib/reports.mjs';

let srv;
const S = {};
const one = (q) => srv.sql(q).split('\n')[0];
const F = {};
const MIN = 60 * 1000;
const at = (iso) => Date.parse(iso);
const CODES = ['TYT-LUNGCU', 'TYT-MEOVAC', 'TTYT-DONGVAN', 'BVDK-HAGIANG', 'BV-BACHMAI', 'TYT-YTY', 'BVDK-LAOCAI'];
const MONTHLY = '/api/v1/reports/monthly', HUB = '/api/v1/reports/hub';
const get = (path) => (who, query = '') => api(srv, 'GET', path + query, { token: who && S[who].token });
const monthly = get(MONTHLY), hub = get(HUB);

// Cases: who asked, the hub that has it now, specialty, requested, accepted and concluded
// (minutes after the request), and the hubs it was routed to ([hub, minutes after the request]).
const CASES = [
  ['k1', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'imaging', '2026-11-03T01:00:00Z', 20, 100],
  ['k2', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'imaging', '2026-11-10T01:00:00Z', 30, 200],
  ['k3', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'imaging', '2026-11-12T01:00:00Z', 40, 300],
  ['k4', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'emergency', '2026-11-14T01:00:00Z', 10, 60],
  ['k5', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'imaging', '2026-11-20T01:00:00Z', 50, null],
  ['k6', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'imaging', '2026-11-22T01:00:00Z', null, null],
  ['k7', 'TTYT-DONGVAN', 'BVDK-HAGIANG', 'internal', '2026-03-05T01:00:00Z', 15, 500],
  // Sent to Hà Giang, declined after 30 minutes to Bạch Mai, which accepted and concluded it.
  ['k8', 'TTYT-DONGVAN', 'BV-BACHMAI', 'cardiology', '2026-04-01T01:00:00Z', 60, 400, [['BVDK-HAGIANG', 0], ['BV-BACHMAI', 30]]],
  // Requested and accepted at 23:00 and 23:30 on 31 December 2025 in Vietnam, concluded on
  // 1 January 2026 at 09:00: its conclusion is Hà Giang's in 2026, its request in 2025.
  ['k9', 'TYT-LUNGCU', 'BVDK-HAGIANG', 'imaging', '2025-12-31T16:00:00Z', 30, 600],
];
// Remote visits by Hà Giang's doctor (demo.doctor) for patients of a facility: booked, state,
// ended (days after booking).
const VISITS = [
  ...[1, 2, 3, 4, 5, 6].map((i) => [`v${i}`, 'TYT-LUNGCU', `2026-11-0${i}T02:00:00Z`, 'finished']),
  ['v7', 'TYT-LUNGCU', '2026-11-08T02:00:00Z', 'cancelled'],
  ['v8', 'TYT-LUNGCU', '2025-06-08T02:00:00Z', 'finished'],
];
// Training hosted by Hà Giang: trainees h1, h2 (Lũng Cú), h3 (Đồng Văn), h4 (Hà Giang's own).
const USERS = [['h1', 'TYT-LUNGCU'], ['h2', 'TYT-LUNGCU'], ['h3', 'TTYT-DONGVAN'], ['h4', 'BVDK-HAGIANG']];
const SESSIONS = [['s1', 'ended', '2026-06-10T02:00:00Z'], ['s2', 'ended', '2026-09-10T02:00:00Z'], ['s3', 'cancelled', '2026-10-10T02:00:00Z']];
const ATTENDANCE = [['h1', 's1', 3000], ['h2', 's1', 3000], ['h1', 's2', 3000], ['h3', 's2', 1200], ['h4', 's1', 3000],
  ['h2', 's3', 3000], ['h3', 's1', 0]];
const CREDITS = [['h1', 90, '2026-09-11T02:00:00Z'], ['h2', 60, '2026-06-11T02:00:00Z'], ['h3', 60, '2026-09-11T02:00:00Z'],
  ['h4', 60, '2026-06-11T02:00:00Z']];

before(async () => {
  srv = await startSignedIn(S);
  for (const code of CODES) F[code] = Number(one(`SELECT id FROM facilities WHERE code = '${code}'`));
  const patient = one('SELECT MIN(id) FROM patients');
  const commune = one("SELECT id FROM users WHERE username = 'demo.commune'");
  const doctor = one("SELECT id FROM users WHERE username = 'demo.doctor'");
  const sql = [];
  for (const [name, from, hubCode, specialty, req, acc, con, routes] of CASES) {
    const t = (m) => (m === null ? 'NULL' : at(req) + m * MIN);
    sql.push(`INSERT INTO consults (patient_id, requester_facility_id, created_by, summary, urgency, specialty, kind, state, ` +
      `assigned_facility_id, requested_at, accepted_at, concluded_at, created_at, updated_at) VALUES (${patient}, ${F[from]}, ` +
      `${commune}, 'seed ${name}', 'routine', '${specialty}', 'general', '${con !== null ? 'concluded' : acc !== null ? 'accepted' : 'requested'}', ` +
      `${F[hubCode]}, ${at(req)}, ${t(acc)}, ${t(con)}, ${at(req)}, ${at(req)});`);
    for (const [i, [to, m]] of (routes || [[hubCode, 0]]).entries())
      sql.push(`INSERT INTO consult_events (consult_id, action, from_state, to_state, from_facility_id, to_facility_id, at) VALUES ` +
        `((SELECT id FROM consults WHERE summary = 'seed ${name}'), '${i ? 'declined' : 'requested'}', '${i ? 'requested' : 'draft'}', ` +
        `'requested', ${i ? F[routes[i - 1][0]] : 'NULL'}, ${F[to]}, ${at(req) + m * MIN});`);
  }
  for (const [name, fac, booked, state] of VISITS)
    sql.push(`INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, state, reason, ` +
      `started_at, ended_at, created_at, updated_at) VALUES (${patient}, ${F[fac]}, ${doctor}, ${F['BVDK-HAGIANG']}, ${doctor}, ` +
      `'video', '${state}', 'seed ${name}', ${state === 'finished' ? at(booked) + 30 * MIN : 'NULL'}, ` +
      `${at(booked) + 60 * MIN}, ${at(booked)}, ${at(booked)});`);
  const user = (u) => `(SELECT id FROM users WHERE username = 'seed.${u}')`;
  const session = (s) => `(SELECT id FROM course_sessions WHERE title = 'seed ${s}')`;
  const course = "(SELECT id FROM courses WHERE title = 'Seed hub course')";
  for (const [u, fac] of USERS)
    sql.push(`INSERT INTO users (username, full_name, full_name_folded, password_hash, role, facility_id, created_at, updated_at) ` +
      `VALUES ('seed.${u}', 'Seed ${u}', 'seed ${u}', 'x', 'health_worker', ${F[fac]}, 0, 0);`);
  sql.push(`INSERT INTO courses (title, credit_minutes, facility_id, state, created_by, created_at, updated_at) VALUES ` +
    `('Seed hub course', 60, ${F['BVDK-HAGIANG']}, 'published', ${doctor}, ${at('2026-01-05T00:00:00Z')}, ${at('2026-01-05T00:00:00Z')});`);
  for (const [s, state, started] of SESSIONS)
    sql.push(`INSERT INTO course_sessions (course_id, kind, title, minutes, state, started_at, created_by, created_at) VALUES ` +
      `(${course}, 'live', 'seed ${s}', 60, '${state}', ${at(started)}, ${doctor}, ${at('2026-01-05T00:00:00Z')});`);
  for (const [u, s, seconds] of ATTENDANCE)
    sql.push(`INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES (${session(s)}, ` +
      `${user(u)}, ${seconds}, 50, 'online', 0, ${at('2026-12-01T00:00:00Z')});`);
  for (const [u, minutes, earned] of CREDITS)
    sql.push(`INSERT INTO credits (course_id, user_id, minutes, attendance_pct, earned_at) VALUES (${course}, ${user(u)}, ` +
      `${minutes}, 90, ${at(earned)});`);
  srv.sql(sql.join('\n'));
});

after(() => srv?.close());

// A document as PDF, read as text laid out as on the page (pdftotext -layout); its file name.
async function pdf(path, who, query) {
  const r = await fetch(srv.url + path + query, { headers: { authorization: `Bearer ${S[who].token}` } });
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.equal(r.status, 200, bytes.toString());
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-report-'));
  writeFileSync(join(dir, 'r.pdf'), bytes);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
  rmSync(dir, { recursive: true });
  return { text, file: r.headers.get('content-disposition') };
}
// The figures on the line of the PDF that begins with label (after any spaces), as written.
function line(text, label, nth = 0) {
  const l = text.split('\n').filter((x) => x.trim().startsWith(label))[nth];
  assert.ok(l, `a line "${label}" in:\n${text}`);
  return l.trim().slice(label.length).trim().split(/\s+/).filter(Boolean);
}

// November 2026 for Lũng Cú, worked out by hand from CASES and VISITS:
// consultations requested k1–k6 = 6; accepted k1–k5 = 5, waits 20 30 40 10 50 (all within the
// routine deadline, 1,440 minutes): sorted 10 20 30 40 50, median rank 3 = 30, p90 rank 5 = 50;
// concluded k1–k4 = 4, taking 100 200 300 60: sorted 60 100 200 300, median rank 2 = 100, p90
// rank 4 = 300. Visits booked v1–v7 = 7, started and completed v1–v6 = 6, cancelled v7 = 1, each
// waiting 30 minutes.
const LUNGCU_CONSULTS = { requested: 6, accepted: 5, concluded: 4, cancelled: 0, declined: 0, escalated: 0, accepted_in_time: 5,
  outcome_treat_locally: 0, outcome_transfer: 0, outcome_more_tests: 0, outcome_another_consult: 0, accepted_in_time_pct: 100,
  accept_median_min: 30, accept_p90_min: 50, conclude_median_min: 100, conclude_p90_min: 300 };
const REPORTS = ['consultations', 'visits', 'reach', 'sites', 'training'];

test('the monthly report of a commune: the five reports of its month, by hand, and the same as each report alone', async () => {
  const q = `?period=month:2026-11&facility=${F['TYT-LUNGCU']}`;
  const r = await monthly('demo.ministry-admin', q);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'monthly');
  assert.deepEqual(r.body.period, { from: '2026-11-01', to: '2026-11-30', tz: 'Asia/Ho_Chi_Minh' });
  assert.deepEqual(r.body.scope, { kind: 'facility', id: F['TYT-LUNGCU'], name: 'Trạm Y tế xã Lũng Cú' });
  assert.deepEqual(r.body.sections.map((s) => s.report), REPORTS);
  assert.deepEqual(r.body.sections[0].totals, LUNGCU_CONSULTS);
  const v = r.body.sections[1].totals;
  assert.deepEqual([v.booked, v.started, v.completed, v.cancelled, v.wait_median_min], [7, 6, 6, 1, 30]);
  for (const [i, name] of REPORTS.entries()) {
    const alone = await api(srv, 'GET', `/api/v1/reports/${name}${q}`, { token: S['demo.ministry-admin'].token });
    assert.deepEqual(r.body.sections[i], alone.body, name);
  }
  // The facility administrator of Hà Giang reads its own month without naming it.
  const own = await monthly('demo.facility-admin', '?period=month:2026-11');
  assert.equal(own.status, 200);
  assert.equal(own.body.scope.name, 'Bệnh viện Đa khoa tỉnh Hà Giang');
});

test('the monthly report of a commune as XLSX: a sheet a section in the order of the document, the same totals', async () => {
  const q = `?period=month:2026-11&facility=${F['TYT-LUNGCU']}`;
  const json = (await monthly('demo.ministry-admin', q)).body;
  const r = await fetch(srv.url + MONTHLY + q + '&format=xlsx', { headers: { authorization: `Bearer ${S['demo.ministry-admin'].token}` } });
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.equal(r.status, 200, bytes.toString());
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="bao-cao-thang-2026-11.xlsx"');
  const dir = mkdtempSync(join(tmpdir(), 'ytexa-report-'));
  const file = join(dir, 'r.xlsx');
  writeFileSync(file, bytes);
  const part = (name) => execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' });
  const names = [...part('xl/workbook.xml').matchAll(/<sheet name="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(names, ['1. Hội chẩn', '2. Khám từ xa', '3. Tiếp cận', '4. Điểm kết nối', '5. Đào tạo', 'Thông tin']);
  // Each section's totals row (a facility's month has no other row: header, totals) holds its
  // totals as the JSON does — small cells (1 to 4) as "<5", the rest as number cells.
  const shared = part('xl/sharedStrings.xml');
  for (const [k, section] of json.sections.entries()) {
    const sheet = cells(part(`xl/worksheets/sheet${k + 1}.xml`), shared);
    assert.equal(sheet.A2.v, 'Tổng cộng', section.report);
    section.columns.forEach((c, i) => {
      const cell = sheet[colName(i + 1) + '2'], v = section.totals[c.key];
      if (v === null) assert.equal(cell, undefined, `${section.report}.${c.key}`);
      else if (cell.type === 's') assert.equal(cell.v, '<5', `${section.report}.${c.key}`);
      else assert.equal(cell.v, v, `${section.report}.${c.key}`);
    });
  }
  const consults = cells(part('xl/worksheets/sheet1.xml'), shared);
  assert.deepEqual([consults.B2, consults.C2, consults.D2].map((c) => c.v), [6, 5, '<5']); // requested, accepted, concluded 4
  rmSync(dir, { recursive: true });
});

test('the monthly report of a commune as PDF: its title, the same figures, <5 for a small cell, page numbers', async () => {
  const { text, file } = await pdf(MONTHLY, 'demo.ministry-admin', `?period=month:2026-11&facility=${F['TYT-LUNGCU']}&format=pdf`);
  assert.ok(text.includes('Báo cáo tháng 11/2026 — Trạm Y tế xã Lũng Cú'), text);
  assert.match(text, /Lập lúc \d\d:\d\d ngày \d\d\/\d\d\/20\d\d \(giờ Việt Nam\)/);
  assert.match(text, /Trang 1\/\d/);
  assert.equal(file, 'attachment; filename="bao-cao-thang-2026-11.pdf"');
  assert.deepEqual(line(text, 'Yêu cầu hội chẩn'), ['6']);
  assert.deepEqual(line(text, 'Được tiếp nhận'), ['5']);
  assert.deepEqual(line(text, 'Có kết luận'), ['<5']); // 4 concluded
  assert.deepEqual(line(text, 'Trung vị thời gian đến tiếp nhận (phút)'), ['30']);
  assert.deepEqual(line(text, 'Trung vị thời gian đến kết luận (phút)'), ['<5']); // a median of 4 cases
  assert.deepEqual(line(text, 'Lượt khám được đặt'), ['7']);
  assert.deepEqual(line(text, 'Lượt khám hoàn thành'), ['6']);
  for (const heading of ['1. Hội chẩn từ xa', '2. Khám, chữa bệnh từ xa', '3. Tiếp cận người dân', '4. Điểm kết nối', '5. Đào tạo, chỉ đạo tuyến'])
    assert.ok(text.includes(heading), heading);
});

test('the monthly report of a province: each section by facility, as each report by facility; the PDF names them', async () => {
  const tq = one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`);
  const r = await monthly('demo.province-admin', '?period=month:2026-11');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.scope.kind, 'province');
  for (const [i, name] of REPORTS.entries()) {
    const alone = await api(srv, 'GET', `/api/v1/reports/${name}?period=month:2026-11&province=${tq}&by=facility`,
      { token: S['demo.province-admin'].token });
    assert.deepEqual(r.body.sections[i], alone.body, name);
  }
  const lungcu = r.body.sections[0].rows.find((x) => x.key.id === F['TYT-LUNGCU']);
  assert.equal(lungcu.values.requested, 6);
  const { text } = await pdf(MONTHLY, 'demo.province-admin', '?period=month:2026-11&format=pdf');
  assert.ok(text.includes('Báo cáo tháng 11/2026 — Tuyên Quang'), text);
  assert.ok(text.includes('Lũng Cú'), text);
  // The province's totals, then Lũng Cú's column, the only facility with cases in November.
  assert.deepEqual(line(text, 'Yêu cầu hội chẩn'), ['6', '6']);
  assert.deepEqual(line(text, 'Có kết luận'), ['<5', '<5']);
});

test('the empty month: zeros in JSON and on paper', async () => {
  const q = `?period=month:2025-10&facility=${F['TYT-LUNGCU']}`;
  const r = await monthly('demo.ministry-admin', q);
  assert.equal(r.status, 200);
  assert.equal(r.body.sections[0].totals.requested, 0);
  assert.equal(r.body.sections[0].totals.conclude_median_min, null);
  const { text } = await pdf(MONTHLY, 'demo.ministry-admin', `${q}&format=pdf`);
  assert.ok(text.includes('Báo cáo tháng 10/2025'), text);
  assert.deepEqual(line(text, 'Yêu cầu hội chẩn'), ['0']);
  assert.deepEqual(line(text, 'Trung vị thời gian đến kết luận (phút)'), []);
});

test('the monthly report: who may read which place, and bad input', async () => {
  const absent = { absentFacility: 999999, absentProvince: 999999 };
  const places = { F: { 'TYT-LUNGCU': F['TYT-LUNGCU'], 'TYT-YTY': F['TYT-YTY'] }, tq: one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`),
    laocai: one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`), ...absent };
  await otherPlacesAnswerLikeAbsent((who, query) => monthly(who, `${query}&period=month:2026-11`), places);
  assertError(await monthly('demo.doctor', '?period=month:2026-11'), 403);
  assertError(await monthly(null, '?period=month:2026-11'), 401);
  await badQueriesNameTheirField(monthly, [['?period=quarter:2026-Q4', 'period'], ['?period=year:2026', 'period'],
    ['?from=2026-11-01&to=2026-11-30', 'period'], ['?period=month:2026-13', 'period'], ['?period=month:2026-11&format=csv', 'format'],
    [`?period=month:2026-11&facility=${F['TYT-LUNGCU']}&province=1`, 'province'], ['?period=month:2026-11&facility=abc', 'facility']]);
});

// The year 2026 for the hub BVĐK Hà Giang, worked out by hand:
// Lũng Cú, emergency: k4 sent, accepted, concluded in 60 minutes.
// Lũng Cú, imaging: sent k1 k2 k3 k5 k6 = 5 (k9 was sent in 2025); accepted k1 k2 k3 k5 = 4 (k9's
//   acceptance was in 2025); concluded k1 k2 k3 k9 = 4, taking 100 200 300 600: median rank 2 = 200.
// Đồng Văn, cardiology: k8 sent, then declined to Bạch Mai, which answered it: sent 1, nothing else.
// Đồng Văn, internal: k7 sent, accepted, concluded in 500 minutes.
// Totals: sent 8, accepted 6, concluded 6 taking 60 100 200 300 500 600: median rank 3 = 200.
// Support: Lũng Cú concluded 1 + 4 = 5, visits v1–v6 = 6 (v7 cancelled, v8 in 2025), sessions s1 s2
//   (s3 cancelled) = 2, attendances h1·s1 h2·s1 h1·s2 = 3, trained h1 h2 = 2 with 90 + 60 minutes
//   = 2.5 hours; Đồng Văn concluded 1, sessions s2 = 1 (h3 was at s1 for 0 seconds), attendances 1,
//   trained h3 = 1, 1 hour. Hà Giang's own h4 is not a facility it supports. Totals: sessions s1 s2
//   = 2 (not 3: s2 is one session however many facilities attended it), attendances 4, trained 3,
//   3.5 hours.
const cases = (requested, accepted, concluded, median) => ({ requested, accepted, concluded, conclude_median_min: median });
const support = (concluded, visits, sessions, attendances, trained, hours) => ({ concluded, visits, sessions, attendances, trained, credit_hours: hours });

test('the hub\'s year: per facility and specialty, counted by the answering hub, by hand', async () => {
  const r = await hub('demo.ministry-admin', `?year=2026&facility=${F['BVDK-HAGIANG']}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.report, 'hub');
  assert.equal(r.body.year, 2026);
  assert.deepEqual(r.body.period, { from: '2026-01-01', to: '2026-12-31', tz: 'Asia/Ho_Chi_Minh' });
  assert.deepEqual(r.body.hub, { id: F['BVDK-HAGIANG'], name: 'Bệnh viện Đa khoa tỉnh Hà Giang' });
  const byKey = (a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1);
  assert.deepEqual(r.body.consultations.rows.map((x) => [x.facility.id, x.specialty.code, x.values]), [
    [F['TYT-LUNGCU'], 'emergency', cases(1, 1, 1, 60)], [F['TYT-LUNGCU'], 'imaging', cases(5, 4, 4, 200)],
    [F['TTYT-DONGVAN'], 'cardiology', cases(1, 0, 0, null)], [F['TTYT-DONGVAN'], 'internal', cases(1, 1, 1, 500)],
  ].sort(byKey));
  assert.equal(r.body.consultations.rows.find((x) => x.facility.id === F['TYT-LUNGCU']).facility.name, 'Trạm Y tế xã Lũng Cú');
  assert.deepEqual(r.body.consultations.totals, cases(8, 6, 6, 200));
  assert.deepEqual(r.body.support.rows.map((x) => [x.facility.id, x.values]), [
    [F['TYT-LUNGCU'], support(5, 6, 2, 3, 2, 2.5)], [F['TTYT-DONGVAN'], support(1, 0, 1, 1, 1, 1)]].sort(byKey));
  assert.deepEqual(r.body.support.totals, support(6, 6, 2, 4, 3, 3.5));
  // Bạch Mai answered k8: its acceptance and conclusion (400 minutes) are Bạch Mai's.
  const bm = await hub('demo.ministry-admin', `?year=2026&facility=${F['BV-BACHMAI']}`);
  assert.deepEqual(bm.body.consultations.rows.map((x) => [x.facility.id, x.specialty.code, x.values]),
    [[F['TTYT-DONGVAN'], 'cardiology', cases(1, 1, 1, 400)]]);
  assert.deepEqual(bm.body.support.totals, support(1, 0, 0, 0, 0, 0));
});

test('the hub\'s year as PDF, ready to sign: header, the same figures, <5, the date line and signatures', async () => {
  const { text, file } = await pdf(HUB, 'demo.facility-admin', '?year=2026&format=pdf');
  for (const want of ['Bệnh viện Đa khoa tỉnh Hà Giang', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc',
    'BÁO CÁO HOẠT ĐỘNG HỖ TRỢ CHUYÊN MÔN', 'Năm 2026', 'ngày …… tháng …… năm ……', 'NGƯỜI LẬP BIỂU', 'THỦ TRƯỞNG ĐƠN VỊ',
    'Trạm Y tế xã Lũng Cú', 'Trung tâm Y tế khu vực Đồng Văn', 'Trang 1/1'])
    assert.ok(text.includes(want), `the PDF says "${want}":\n${text}`);
  assert.equal(file, `attachment; filename="bao-cao-ho-tro-${F['BVDK-HAGIANG']}-2026.pdf"`);
  assert.deepEqual(line(text, 'Tổng cộng', 0), ['8', '6', '6', '200']);
  // Attendances 4, people 3 and their hours are small cells; sessions are things, never small.
  assert.deepEqual(line(text, 'Tổng cộng', 1), ['6', '6', '2', '<5', '<5', '<5']);
});

test('the hub\'s empty year: no rows, zeros', async () => {
  const r = await hub('demo.province-admin', `?year=2024&facility=${F['BVDK-HAGIANG']}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.consultations.rows, []);
  assert.deepEqual(r.body.consultations.totals, cases(0, 0, 0, null));
  assert.deepEqual(r.body.support.rows, []);
  assert.deepEqual(r.body.support.totals, support(0, 0, 0, 0, 0, 0));
  const { text } = await pdf(HUB, 'demo.province-admin', `?year=2024&facility=${F['BVDK-HAGIANG']}&format=pdf`);
  assert.deepEqual(line(text, 'Tổng cộng', 0), ['0', '0', '0']);
});

test('the hub\'s report: who may read which hub, and bad input', async () => {
  const places = { F: { 'TYT-LUNGCU': F['BV-BACHMAI'], 'TYT-YTY': F['BVDK-LAOCAI'] }, tq: one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-LUNGCU']}`),
    laocai: one(`SELECT province_id FROM facilities WHERE id = ${F['TYT-YTY']}`), absentFacility: 999999, absentProvince: 999999 };
  await otherPlacesAnswerLikeAbsent((who, query) => hub(who, `${query}&year=2026`), places);
  assert.equal((await hub('demo.province-admin', `?year=2026&facility=${F['BVDK-HAGIANG']}`)).status, 200);
  assertError(await hub('demo.doctor', `?year=2026&facility=${F['BVDK-HAGIANG']}`), 403);
  assertError(await hub(null, `?year=2026&facility=${F['BVDK-HAGIANG']}`), 401);
  const h = F['BVDK-HAGIANG'];
  await badQueriesNameTheirField(hub, [[`?facility=${h}`, 'year'], [`?year=26&facility=${h}`, 'year'], [`?year=1999&facility=${h}`, 'year'],
    [`?year=2026x&facility=${h}`, 'year'], [`?year=2026&facility=${h}&format=csv`, 'format'], ['?year=2026', 'facility'],
    [`?year=2026&facility=${F['TYT-LUNGCU']}`, 'facility'], ['?year=2026&province=1', 'facility'], ['?year=2026&facility=abc', 'facility']]);
});
