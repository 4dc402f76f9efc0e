// Booking and the same-day queue: a doctor publishes availability, a station books a slot for its
// patient (or the patient books), a slot is never booked twice even by concurrent requests,
// cancelling frees it, rescheduling moves atomically; walk-ins get a token per station and day,
// ordered by priority. Bad input and the wrong callers are refused and nothing is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn, api, login, assertError, ROLES, refuser } from './lib/server.mjs';

let srv;
const S = {};
const as = (who, method, path, body) => api(srv, method, path, { token: S[who].token, body });
const get = (path, who = 'demo.commune') => as(who, 'GET', path);
const userId = (u) => Number(srv.sql(`SELECT id FROM users WHERE username = '${u}'`));
// A day in Vietnam, n days from today.
const vnDay = (n) => new Date(Date.now() + 7 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);

let seq = 0;
async function newPatient(over = {}) {
  const r = await as('demo.commune', 'POST', '/api/v1/patients', { full_name: `Sùng Văn Lử ${String.fromCharCode(65 + (seq % 26))}${seq++}`, birth_year: 1960, sex: 'male', ...over });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
async function publish(day, from, to, over = {}, who = 'demo.doctor') {
  const r = await as(who, 'POST', '/api/v1/schedules', { start: `${day}T${from}:00+07:00`, end: `${day}T${to}:00+07:00`, slot_minutes: 15, mode: 'video', ...over });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
const freeSlots = async (day, who = 'demo.commune', doctor = userId('demo.doctor')) =>
  (await get(`/api/v1/slots?doctor_id=${doctor}&date=${day}&free=1`, who)).body.items;

const snapshot = () => srv.sql(
  'SELECT (SELECT COUNT(*) FROM schedules), (SELECT COUNT(*) FROM slots), (SELECT COUNT(*) FROM appointments), ' +
  "(SELECT COUNT(*) FROM appointments WHERE status = 'booked'), (SELECT COUNT(*) FROM visits), (SELECT COUNT(*) FROM queue_entries), " +
  "(SELECT COUNT(*) FROM notifications), (SELECT COUNT(*) FROM schedules WHERE cancelled_at IS NOT NULL), (SELECT COUNT(*) FROM queue_entries WHERE status <> 'waiting')");
const refused = refuser(snapshot);

before(async () => { srv = await startSignedIn(S); });
after(() => srv.close());

test('a doctor publishes availability cut into slots; overlaps and bad blocks are refused', async () => {
  const day = vnDay(2);
  const s = await publish(day, '08:00', '10:00');
  assert.equal(s.slots, 8);
  assert.equal(s.start, `${day}T01:00:00.000Z`);
  const slots = await freeSlots(day);
  assert.equal(slots.length, 8);
  assert.deepEqual(slots.slice(0, 2).map((x) => x.start), [`${day}T01:00:00.000Z`, `${day}T01:15:00.000Z`]);
  assert.equal((await refused(as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${day}T09:30:00+07:00`, end: `${day}T11:00:00+07:00`, slot_minutes: 15, mode: 'video' }), 409)).body.error.code, 'schedule_overlap');
  const bad = (over) => as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${vnDay(3)}T08:00:00+07:00`, end: `${vnDay(3)}T09:00:00+07:00`, slot_minutes: 15, mode: 'video', ...over });
  await refused(bad({ start: `${vnDay(-1)}T08:00:00+07:00`, end: `${vnDay(-1)}T09:00:00+07:00` }), 400, 'start', 'the past');
  await refused(bad({ end: `${vnDay(3)}T07:00:00+07:00` }), 400, 'end', 'end before start');
  await refused(bad({ end: `${vnDay(4)}T09:00:00+07:00` }), 400, 'end', 'two days');
  await refused(bad({ slot_minutes: 25 }), 400, 'slot_minutes', 'does not divide');
  await refused(bad({ slot_minutes: 3 }), 400, 'slot_minutes', 'too short');
  await refused(bad({ mode: 'pigeon' }), 400, 'mode');
  await refused(bad({ start: `${vnDay(3)} 08:00` }), 400, 'start');
  await refused(bad({ doctor_id: userId('demo.commune') }), 400, 'doctor_id');
  await refused(bad({ room: 2 }), 400, 'room');
  // Who publishes: the doctor, or the administrator of the doctor's facility; nobody else.
  const h = (who) => api(srv, 'POST', '/api/v1/schedules', { token: S[who].token, body: { start: `${vnDay(3)}T08:00:00+07:00`, end: `${vnDay(3)}T09:00:00+07:00`, slot_minutes: 15, mode: 'video', doctor_id: userId('demo.doctor') } });
  await refused(h('demo.commune'), 403);
  await refused(h('demo.specialist'), 403);
  await refused(h('demo.ministry-admin'), 403);
  assertError(await api(srv, 'POST', '/api/v1/schedules', { body: {} }), 401);
  assert.equal((await h('demo.facility-admin')).status, 201);
  // Slots are listed for those who book; a trainer does not book.
  assert.equal((await freeSlots(day, 'demo.patient')).length, 8);
  await refused(get(`/api/v1/slots?doctor_id=${userId('demo.doctor')}&date=${day}`, 'demo.trainer'), 403);
  await refused(get(`/api/v1/slots?date=${day}`), 400, 'doctor_id');
  await refused(get(`/api/v1/slots?doctor_id=${userId('demo.doctor')}&date=tomorrow`), 400, 'date');
});

test('a weekly block: the same hours on the same weekday for several weeks, all or nothing', async () => {
  const s = await publish(vnDay(40), '13:30', '16:30', { slot_minutes: 30, repeat_weeks: 4, mode: 'audio' });
  assert.equal(s.series.length, 4);
  assert.equal(s.series[0], s.id);
  for (const w of [0, 1, 2, 3]) {
    const slots = await freeSlots(vnDay(40 + 7 * w));
    assert.equal(slots.length, 6, `week ${w}`);
    assert.equal(slots[0].start, `${vnDay(40 + 7 * w)}T06:30:00.000Z`);
  }
  assert.equal((await freeSlots(vnDay(41))).length, 0);
  // Week three of a new series overlaps one already published: nothing of the series is written.
  await publish(vnDay(69), '15:00', '16:00');
  const clash = await refused(as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${vnDay(55)}T14:00:00+07:00`, end: `${vnDay(55)}T17:00:00+07:00`, slot_minutes: 30, mode: 'video', repeat_weeks: 3 }), 409);
  assert.equal(clash.body.error.code, 'schedule_overlap');
  assert.equal(clash.body.error.start, `${vnDay(69)}T07:00:00.000Z`);
  await refused(as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${vnDay(90)}T08:00:00+07:00`, end: `${vnDay(90)}T09:00:00+07:00`, slot_minutes: 15, mode: 'video', repeat_weeks: 13 }), 400, 'repeat_weeks');
  await refused(as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${vnDay(90)}T08:00:00+07:00`, end: `${vnDay(90)}T09:00:00+07:00`, slot_minutes: 15, mode: 'video', repeat_weeks: 0 }), 400, 'repeat_weeks');
  await refused(as('demo.doctor', 'POST', '/api/v1/schedules', { start: `${vnDay(90)}T08:00:00+07:00`, end: `${vnDay(90)}T09:00:00+07:00`, slot_minutes: 15, mode: 'video', repeat_weeks: 'weekly' }), 400, 'repeat_weeks');
});

test('booking: a slot becomes a planned visit; one slot, one booking, even under concurrent requests', async () => {
  const day = vnDay(5);
  await publish(day, '14:00', '15:00');
  const free = await freeSlots(day);
  assert.equal(free.length, 4);
  const [first, second] = free;
  const p = await newPatient();
  const b = await as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: first.id, patient_id: p.id, reason: 'Tái khám tăng huyết áp' });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  assert.equal(b.body.status, 'booked');
  assert.equal(b.body.doctor.full_name, 'Nguyễn Văn An');
  const v = (await get(`/api/v1/visits/${b.body.visit_id}`)).body;
  assert.deepEqual([v.state, v.mode, v.scheduled_at, v.reason], ['planned', 'video', first.start, 'Tái khám tăng huyết áp']);
  assert.equal((await get(`/api/v1/patients/${p.id}`, 'demo.doctor')).status, 200, 'the doctor now sees the patient');
  assert.deepEqual((await freeSlots(day)).map((x) => x.id), free.slice(1).map((x) => x.id), 'the booked slot is no longer free, the others are');
  // Eight stations' clicks on one slot at once: exactly one wins.
  const patients = [];
  for (let i = 0; i < 8; i++) patients.push(await newPatient());
  const results = await Promise.all(patients.map((x) => as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: second.id, patient_id: x.id, reason: 'Khám' })));
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
  assert.deepEqual(results.filter((r) => r.status === 409).map((r) => r.body.error.code), Array(7).fill('slot_taken'));
  assert.equal(srv.sql(`SELECT COUNT(*) FROM appointments WHERE slot_id = ${second.id} AND status = 'booked'`), '1');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM visits WHERE scheduled_at = ${Date.parse(second.start)}`), '1', 'the losers left no visit behind');
  // Bad input.
  const book = (over) => as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: first.id, patient_id: p.id, reason: 'Khám', ...over });
  await refused(book({ slot_id: 99999999 }), 400, 'slot_id');
  await refused(book({ reason: '' }), 400, 'reason');
  await refused(book({ slot_id: 'x' }), 400, 'slot_id');
  await refused(book({ extra: 1 }), 400, 'extra');
  await refused(book({}), 409, null, 'taken');
  await refused(book({ patient_id: 99999999 }), 404);
  await refused(as('demo.specialist', 'POST', '/api/v1/appointments', { slot_id: first.id, patient_id: p.id, reason: 'x y' }), 404);
  await refused(as('demo.trainer', 'POST', '/api/v1/appointments', { slot_id: first.id, patient_id: p.id, reason: 'x y' }), 403);
  assertError(await api(srv, 'POST', '/api/v1/appointments', { body: {} }), 401);
});

test('the patient books for themself, reads the notification, and may not book for anyone else', async () => {
  const day = vnDay(6);
  await publish(day, '09:00', '09:30');
  const [slot] = await freeSlots(day, 'demo.patient');
  const own = S['demo.patient'].user.patient_id;
  const b = await as('demo.patient', 'POST', '/api/v1/appointments', { slot_id: slot.id, patient_id: own, reason: 'Tôi muốn hỏi về thuốc huyết áp' });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const other = await newPatient();
  const [slot2] = await freeSlots(day, 'demo.patient');
  await refused(as('demo.patient', 'POST', '/api/v1/appointments', { slot_id: slot2.id, patient_id: other.id, reason: 'Đặt hộ' }), 404);
  const n = await get('/api/v1/notifications', 'demo.patient');
  assert.equal(n.status, 200);
  const mine = n.body.items.find((x) => x.appointment_id === b.body.id && x.kind === 'booked');
  assert.match(mine.text, /^ytexa: Lịch khám từ xa \(gọi video\) lúc 09:00 ngày \d\d\/\d\d\/\d{4} với bác sĩ Nguyễn Văn An/);
  // A notification may show on a locked phone: it never names the patient (docs/realtime.md).
  assert.doesNotMatch(mine.text, /Giàng|Páo/);
  // In the reader's language: the same notification in English for an app in English.
  const en = await api(srv, 'GET', '/api/v1/notifications', { token: S['demo.patient'].token, headers: { 'accept-language': 'en' } });
  assert.match(en.body.items.find((x) => x.id === mine.id).text,
    /^ytexa: Remote visit \(video call\) at 09:00 on \d\d\/\d\d\/\d{4} with doctor Nguyễn Văn An/);
  // An SMS goes in Vietnamese alone.
  assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE appointment_id = ${b.body.id} AND channel <> 'app' AND text_en IS NOT NULL`), '0');
  const read = await as('demo.patient', 'POST', `/api/v1/notifications/${mine.id}/read`);
  assert.equal(read.status, 200);
  assert.ok((await get('/api/v1/notifications', 'demo.patient')).body.items.find((x) => x.id === mine.id).read_at);
  assertError(await as('demo.commune', 'POST', `/api/v1/notifications/${mine.id}/read`), 404);
  // The reminder an hour before is not shown before its time.
  assert.ok(!n.body.items.some((x) => x.appointment_id === b.body.id && x.kind === 'reminder'));
  assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE appointment_id = ${b.body.id} AND kind = 'reminder' AND channel = 'sms'`), '2');
  // The patient's list holds their booking and nobody else's, though the station's holds others.
  const mineList = await get('/api/v1/appointments', 'demo.patient');
  assert.equal(mineList.status, 200);
  assert.ok(mineList.body.items.some((a) => a.id === b.body.id), JSON.stringify(mineList.body));
  assert.ok(mineList.body.items.every((a) => a.patient.id === own));
  assert.ok((await get('/api/v1/appointments')).body.items.some((a) => a.patient.id !== own), 'the station books for others too');
});

test('cancelling frees the slot and the visit; rescheduling moves in one step or not at all', async () => {
  const day = vnDay(7);
  const sched = await publish(day, '10:00', '11:00');
  const [a, b, c] = await freeSlots(day);
  const p = await newPatient();
  const appt = (await as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: a.id, patient_id: p.id, reason: 'Khám định kỳ' })).body;
  // Another patient holds slot c.
  const holder = await newPatient();
  await as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: c.id, patient_id: holder.id, reason: 'Khám' });
  assert.equal((await refused(as('demo.commune', 'POST', `/api/v1/appointments/${appt.id}/reschedule`, { slot_id: c.id }), 409)).body.error.code, 'slot_taken');
  const moved = await as('demo.commune', 'POST', `/api/v1/appointments/${appt.id}/reschedule`, { slot_id: b.id });
  assert.equal(moved.status, 201, JSON.stringify(moved.body));
  assert.equal(moved.body.start, b.start);
  assert.equal(moved.body.visit_id, appt.visit_id);
  assert.equal((await get(`/api/v1/visits/${appt.visit_id}`)).body.scheduled_at, b.start);
  const old = (await get(`/api/v1/appointments?patient_id=${p.id}`)).body.items.find((x) => x.id === appt.id);
  assert.deepEqual([old.status, old.replaced_by], ['rescheduled', moved.body.id]);
  assert.ok((await freeSlots(day)).some((x) => x.id === a.id), 'the old slot is free again');
  await refused(as('demo.commune', 'POST', `/api/v1/appointments/${appt.id}/cancel`, { reason: 'Đã dời' }), 409);
  // The block cannot be withdrawn while slots are booked.
  assert.equal((await refused(as('demo.doctor', 'POST', `/api/v1/schedules/${sched.id}/cancel`), 409)).body.error.code, 'slots_booked');
  await refused(as('demo.commune', 'POST', `/api/v1/appointments/${moved.body.id}/cancel`, {}), 400, 'reason');
  await refused(as('demo.specialist', 'POST', `/api/v1/appointments/${moved.body.id}/cancel`, { reason: 'không' }), 404);
  const cancelled = await as('demo.commune', 'POST', `/api/v1/appointments/${moved.body.id}/cancel`, { reason: 'Người bệnh đi làm ăn xa' });
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.body.status, 'cancelled');
  assert.equal((await get(`/api/v1/visits/${appt.visit_id}`)).body.state, 'cancelled');
  assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE appointment_id = ${moved.body.id} AND kind = 'reminder' AND status = 'pending'`), '0');
  const holderAppt = (await get(`/api/v1/appointments?patient_id=${holder.id}`)).body.items[0];
  await as('demo.commune', 'POST', `/api/v1/appointments/${holderAppt.id}/cancel`, { reason: 'Bác sĩ đi công tác' });
  const withdrawn = await as('demo.doctor', 'POST', `/api/v1/schedules/${sched.id}/cancel`);
  assert.equal(withdrawn.status, 200);
  assert.equal(withdrawn.body.cancelled, true);
  assert.deepEqual(await freeSlots(day), []);
  // A block the caller may not withdraw answers exactly as one that does not exist.
  const foreign = await refused(as('demo.specialist', 'POST', `/api/v1/schedules/${sched.id}/cancel`), 404);
  const absent = await refused(as('demo.specialist', 'POST', '/api/v1/schedules/99999999/cancel'), 404);
  await refused(as('demo.commune', 'POST', `/api/v1/schedules/${sched.id}/cancel`), 403);
  assert.deepEqual(foreign.body, absent.body);
  await refused(as('demo.doctor', 'POST', '/api/v1/schedules/99999999/cancel'), 404);
});

test('the same-day queue: a token per station and day, priority first, called and done', async () => {
  const people = [];
  for (let i = 0; i < 3; i++) people.push(await newPatient());
  const add = (p, priority) => as('demo.commune', 'POST', '/api/v1/queue', { patient_id: p.id, reason: 'Khám bệnh', ...(priority ? { priority } : {}) });
  const t1 = (await add(people[0])).body, t2 = (await add(people[1], 'elderly')).body, t3 = (await add(people[2], 'emergency')).body;
  assert.deepEqual([t1.token, t2.token, t3.token], [1, 2, 3]);
  assert.equal(t1.day, vnDay(0));
  const list = (await get('/api/v1/queue')).body.items;
  assert.deepEqual(list.map((e) => e.token), [3, 2, 1]);
  // Ten desks at once: ten different consecutive numbers.
  const many = await Promise.all(Array.from({ length: 10 }, () => add(people[0])));
  assert.deepEqual(many.map((r) => r.body.token).sort((x, y) => x - y), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.equal((await as('demo.commune', 'POST', `/api/v1/queue/${t3.id}/call`)).body.status, 'called');
  assert.equal((await as('demo.commune', 'POST', `/api/v1/queue/${t3.id}/done`)).body.status, 'done');
  assert.equal((await refused(as('demo.commune', 'POST', `/api/v1/queue/${t1.id}/done`), 409)).body.error.code, 'queue_state');
  assert.equal((await as('demo.commune', 'POST', `/api/v1/queue/${t1.id}/skip`)).body.status, 'skipped');
  await refused(add({ id: 99999999 }), 404);
  await refused(add(people[0], 'vip'), 400, 'priority');
  await refused(as('demo.commune', 'POST', '/api/v1/queue', { patient_id: people[0].id }), 400, 'reason');
  await refused(get('/api/v1/queue?date=hôm-nay'), 400, 'date');
  // Another station sees neither the queue nor its entries.
  assert.deepEqual((await get('/api/v1/queue', 'demo.doctor')).body.items, []);
  await refused(as('demo.doctor', 'POST', `/api/v1/queue/${t2.id}/call`), 404);
  await refused(as('demo.doctor', 'POST', '/api/v1/queue', { patient_id: people[0].id, reason: 'Khám' }), 404);
  for (const who of ['demo.trainer', 'demo.patient', 'demo.ministry-admin']) await refused(get('/api/v1/queue', who), 403, null, who);
  assertError(await api(srv, 'GET', '/api/v1/queue'), 401);
});

test('tokens restart on the next day in Vietnam', async () => {
  const p = await newPatient();
  const today = (await as('demo.commune', 'POST', '/api/v1/queue', { patient_id: p.id, reason: 'Khám' })).body;
  await srv.stop();
  srv.env.YTEXA_CLOCK_OFFSET_MS = String(86400e3);
  await srv.restart();
  S['demo.commune'] = await login(srv, 'demo.commune');
  const tomorrow = (await as('demo.commune', 'POST', '/api/v1/queue', { patient_id: p.id, reason: 'Khám lại' })).body;
  assert.equal(tomorrow.token, 1);
  assert.equal(tomorrow.day, vnDay(1));
  assert.ok(today.token > 1);
});

test('reminders go on the channel the patient chose: Zalo, SMS, or only the app', async () => {
  // The test before moved the server's clock a day on: sessions from before it have expired.
  for (const u of ['demo.doctor', 'demo.commune']) S[u] = await login(srv, u);
  const day = vnDay(8);
  await publish(day, '08:00', '09:00');
  const slots = await freeSlots(day);
  const channels = {};
  for (const [i, ch] of [['zalo', 0], ['none', 1], ['sms', 2]].map(([c, k]) => [k, c])) {
    const p = await newPatient({ phone: `091300000${i}`, notify_channel: ch });
    assert.equal(p.notify_channel, ch);
    const b = await as('demo.commune', 'POST', '/api/v1/appointments', { slot_id: slots[i].id, patient_id: p.id, reason: 'Khám' });
    channels[ch] = srv.sql(`SELECT DISTINCT channel FROM notifications WHERE appointment_id = ${b.body.id} AND channel <> 'app' ORDER BY 1`);
  }
  assert.deepEqual(channels, { zalo: 'zalo', none: '', sms: 'sms' });
});
