// SMS reminders through the operator's webhook, against a real HTTP receiver on loopback that
// fails the first attempts: the sender retries with backoff, signs every POST, records the
// attempts, sends a reminder when its time comes (the clock moved forward across a restart) and
// never sends a delivered message again after the restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { startServer, api, login, freePort } from './lib/server.mjs';

const SECRET = 'bí-mật-của-nhà-mạng';
let srv, receiver, received = [], failFirst = 2;

before(async () => {
  const port = await freePort();
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ body, headers: req.headers, at: Date.now() });
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(500).end('busy');
      } else {
        res.writeHead(202).end('ok');
      }
    });
  });
  await new Promise((r) => receiver.listen(port, '127.0.0.1', r));
  srv = await startServer({ extraArgs: ['--notify-webhook-url', `http://127.0.0.1:${port}/sms`, '--notify-secret', SECRET] });
});
after(async () => {
  await srv.stop();
  srv.cleanup();
  receiver.close();
});

const until = async (what, fn, ms = 20000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
};

test('the booking SMS arrives signed after two failed attempts; the reminder goes at its time; nothing twice after a restart', async () => {
  const doctor = await login(srv, 'demo.doctor');
  const station = await login(srv, 'demo.commune');
  const patientId = Number(srv.sql("SELECT patient_id FROM users WHERE username = 'demo.patient'"));
  const day = new Date(Date.now() + 7 * 3600e3 + 2 * 86400e3).toISOString().slice(0, 10);
  const s = await api(srv, 'POST', '/api/v1/schedules', { token: doctor.token, body: { start: `${day}T08:00:00+07:00`, end: `${day}T08:30:00+07:00`, slot_minutes: 15, mode: 'audio' } });
  assert.equal(s.status, 201);
  const slots = await api(srv, 'GET', `/api/v1/slots?doctor_id=${doctor.user.id}&date=${day}&free=1`, { token: station.token });
  const b = await api(srv, 'POST', '/api/v1/appointments', { token: station.token, body: { slot_id: slots.body.items[0].id, patient_id: patientId, reason: 'Khám huyết áp' } });
  assert.equal(b.status, 201, JSON.stringify(b.body));

  // Two 500s, then 202: delivered on the third attempt (backoff 1 s, then 5 s).
  const row = await until('delivery', () => {
    const r = srv.sql(`SELECT id, status, attempts, last_error FROM notifications WHERE appointment_id = ${b.body.id} AND channel = 'sms' AND kind = 'booked'`);
    return r.split('|')[1] === 'delivered' ? r : null;
  });
  const [id, , attempts] = row.split('|');
  assert.equal(attempts, '3');
  const mine = received.filter((x) => JSON.parse(x.body).id === Number(id));
  assert.equal(mine.length, 3);
  assert.ok(mine[1].at - mine[0].at >= 900, 'waited before retrying');
  assert.ok(mine[2].at - mine[1].at >= 4500, 'waited longer the second time');
  const last = mine[2];
  const msg = JSON.parse(last.body);
  assert.deepEqual([msg.channel, msg.to, msg.kind, msg.appointment_id], ['sms', '0912000111', 'booked', b.body.id]);
  assert.match(msg.text, /^ytexa: Lịch khám từ xa \(gọi thoại\) lúc 08:00 ngày .* với bác sĩ Nguyễn Văn An/);
  assert.doesNotMatch(msg.text, /Giàng|Páo/, 'an SMS never names the patient');
  assert.doesNotMatch(msg.text, /huyết áp/, 'no clinical detail in an SMS');
  assert.equal(last.headers['x-ytexa-signature'], 'sha256=' + createHmac('sha256', SECRET).update(last.body).digest('hex'));
  assert.equal(last.headers['x-ytexa-delivery'], id);

  // The reminder an hour before is waiting; move the clock to just past its time and restart.
  const due = Number(srv.sql(`SELECT due_at FROM notifications WHERE appointment_id = ${b.body.id} AND channel = 'sms' AND kind = 'reminder' AND status = 'pending' ORDER BY due_at DESC LIMIT 1`));
  assert.ok(due > Date.now());
  const before = received.length;
  await srv.stop();
  srv.env.YTEXA_CLOCK_OFFSET_MS = String(due - Date.now() + 2000);
  await srv.restart();
  await until('the reminder', () => received.slice(before).find((x) => JSON.parse(x.body).kind === 'reminder'));
  await new Promise((r) => setTimeout(r, 1500));
  const after = received.slice(before).map((x) => JSON.parse(x.body));
  // What arrived is exactly the reminders the database says went out (a reminder hours overdue,
  // the day-before one, is dropped instead), each once, and nothing else.
  const sms = `appointment_id = ${b.body.id} AND channel = 'sms' AND kind = 'reminder'`;
  const delivered = srv.sql(`SELECT id FROM notifications WHERE ${sms} AND status = 'delivered' ORDER BY id`).split('\n').filter(Boolean).map(Number);
  assert.ok(delivered.length >= 1);
  assert.equal(srv.sql(`SELECT COUNT(*) FROM notifications WHERE ${sms} AND status NOT IN ('delivered', 'not_needed')`), '0');
  assert.deepEqual(after.map((m) => m.id).sort((x, y) => x - y), delivered, `the reminders and nothing else after the restart: ${JSON.stringify(after)}`);
  assert.ok(after.every((m) => m.kind === 'reminder'), `only reminders after the restart: ${JSON.stringify(after)}`);
  assert.match(after[0].text, /Nhắc lịch khám từ xa \(gọi thoại\) lúc 08:00/);
  assert.equal(new Set(after.map((m) => m.id)).size, after.length, 'each reminder once');
});
