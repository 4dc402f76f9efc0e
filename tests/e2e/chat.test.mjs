// The chat panel of a visit in real Chromium, for threads the first page of a join does not hold
// and links that lose messages: a thread of several pages shows from its first message to its
// last and is marked read; a very long one pauses after ten pages and offers "Tải thêm tin
// nhắn"; a message lost on the way is fetched again (sync), also across a reconnect, and
// shown once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWithBrowser, closeAll, session } from './lib.mjs';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A chat visit of the commune's patient with the provincial doctor; returns its channel and
// the doctor's user id.
async function chatVisit(srv) {
  const station = await login(srv, 'demo.commune');
  const doctorId = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
  const p = await registerPatient(srv, station.token, { full_name: 'Giàng Thị Dở', birth_year: 1986, sex: 'female' });
  const v = await api(srv, 'POST', '/api/v1/visits', { token: station.token, body: { patient_id: p.id, doctor_id: doctorId, mode: 'chat', reason: 'Ho kéo dài' } });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  return { id: v.body.id, channel: `visit:${v.body.id}`, doctorId };
}

// The station, writing through the hub from a page of its own (a browser test runs without
// node's WebSocket): write() sends texts into channel one after the other, over as many sockets
// as the hub's burst of 200 messages a socket needs, and resolves with the seqs they got.
async function writer(chrome, url) {
  const { p, ctx } = await session(chrome, url, 'demo.commune');
  let n = 0;
  const write = (channel, texts) => p.evaluate(async ({ channel, texts, first }) => {
    const open = () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      ws.onerror = () => reject(new Error('WebSocket refused'));
      ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'hello') resolve(ws); };
    });
    const ask = (ws, msg) => new Promise((resolve) => {
      const ref = `e${Math.random().toString(36).slice(2)}`;
      const on = (e) => {
        const m = JSON.parse(e.data);
        if (m.ref === ref) { ws.removeEventListener('message', on); resolve(m); }
      };
      ws.addEventListener('message', on);
      ws.send(JSON.stringify({ ...msg, ref }));
    });
    const socks = [];
    for (let i = 0; i < Math.ceil(texts.length / 150); i++) {
      const ws = await open();
      await ask(ws, { type: 'join', channel, after: 0 });
      socks.push(ws);
    }
    const seqs = [];
    for (let i = 0; i < texts.length; i++) {
      const m = await ask(socks[Math.floor(i / 150)], { type: 'chat', channel, text: texts[i], client_id: `e2e-${first + i}` });
      seqs.push(m.seq ?? m.code);
    }
    socks.forEach((ws) => ws.close());
    return seqs;
  }, { channel, texts, first: (n += texts.length) - texts.length });
  return { write, close: () => ctx.close() };
}

// How far user has read the channel's thread, as the server recorded it.
const readSeq = (srv, channel, user) => Number(srv.sql(`SELECT m.read_seq FROM chat_marks m JOIN chat_threads t ON t.id = m.thread_id WHERE t.channel = '${channel}' AND m.user_id = ${user}`) || 0);

async function waitFor(what, f, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('a thread of 450 messages shows from the first to the last, and the reader marks it read', async () => {
  const env = await startWithBrowser();
  try {
    const { srv, chrome } = env;
    const { id, channel, doctorId } = await chatVisit(srv);
    const station = await writer(chrome, srv.url);
    const texts = Array.from({ length: 450 }, (_, i) => `Tin nhắn số ${i + 1}`);
    assert.deepEqual(await station.write(channel, texts), texts.map((_, i) => i + 1));
    await station.close();

    const { p } = await session(chrome, srv.url, 'demo.doctor');
    await p.goto(`${srv.url}/#/visits/${id}`);
    const msgs = p.locator('.chat .messages li[data-seq]');
    await waitFor('450 messages on the page', async () => (await msgs.count()) === 450);
    assert.equal(await msgs.first().locator('.text').textContent(), 'Tin nhắn số 1');
    assert.equal(await msgs.last().locator('.text').textContent(), 'Tin nhắn số 450');
    // In order, each once.
    const seqs = await msgs.evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, Array.from({ length: 450 }, (_, i) => i + 1));
    // The newest is in view at the bottom of the list, and no "load more" is offered.
    await p.locator('.chat .messages li[data-seq="450"]').scrollIntoViewIfNeeded();
    assert.ok(await p.locator('.chat .messages li[data-seq="450"]').isVisible());
    assert.equal(await p.getByRole('button', { name: 'Tải thêm tin nhắn' }).count(), 0);
    // What the join and the syncs brought is on the screen, so it is read (no "new messages" later).
    await waitFor('read_seq 450 for the doctor', () => readSeq(srv, channel, doctorId) === 450);
  } finally {
    await closeAll(env);
  }
});

test('a thread of 2,100 messages pauses after ten pages and loads the rest on "Tải thêm tin nhắn"', async () => {
  const env = await startWithBrowser();
  try {
    const { srv, chrome } = env;
    const { id, channel } = await chatVisit(srv);
    const station = await writer(chrome, srv.url);
    assert.deepEqual(await station.write(channel, ['Tin nhắn số 1']), [1]);
    await station.close();
    // The other 2,099 straight into the record (through the API they would take a while).
    srv.sql(`WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 2100)
      INSERT INTO chat_messages (thread_id, seq, sender_id, client_id, body, created_at)
      SELECT m.thread_id, n.i, m.sender_id, 'e2e-many-' || n.i, 'Tin nhắn số ' || n.i, m.created_at + n.i
      FROM n, chat_messages m JOIN chat_threads t ON t.id = m.thread_id WHERE t.channel = '${channel}' AND m.seq = 1;
      UPDATE chat_threads SET last_seq = 2100 WHERE channel = '${channel}';`);

    const { p } = await session(chrome, srv.url, 'demo.doctor');
    await p.goto(`${srv.url}/#/visits/${id}`);
    const msgs = p.locator('.chat .messages li[data-seq]');
    const more = p.getByRole('button', { name: 'Tải thêm tin nhắn' });
    await more.waitFor({ timeout: 20000 });
    assert.equal(await msgs.count(), 2000, 'ten pages of 200');
    assert.equal(await msgs.last().getAttribute('data-seq'), '2000');
    await more.click();
    await waitFor('2100 messages on the page', async () => (await msgs.count()) === 2100);
    assert.equal(await msgs.last().locator('.text').textContent(), 'Tin nhắn số 2100');
    await waitFor('the button gone', async () => (await more.count()) === 0);
  } finally {
    await closeAll(env);
  }
});

test('a message lost on the way is fetched with sync, and again after a reconnect, shown once', async () => {
  const env = await startWithBrowser();
  try {
    const { srv, chrome } = env;
    const { id, channel, doctorId } = await chatVisit(srv);
    // The doctor's page talks to the hub through a relay of the test's that can drop messages.
    const drop = { seqs: new Set(), history: false };
    const relays = [];
    const seen = [];
    const ctx = await chrome.browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'vi-VN' });
    await ctx.routeWebSocket(/\/ws$/, (page) => {
      const server = page.connectToServer();
      relays.push({ page, server });
      server.onMessage((text) => {
        const m = JSON.parse(text);
        if (m.type === 'chat' && drop.seqs.has(m.seq)) return;
        if (m.type === 'history' && drop.history) return;
        page.send(text);
      });
      page.onMessage((text) => { seen.push(JSON.parse(text)); server.send(text); });
    });
    const p = await ctx.newPage();
    await p.goto(srv.url + '/');
    await p.getByLabel('Tên đăng nhập').fill('demo.doctor');
    await p.getByLabel('Mật khẩu').fill('demo-password');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
    await p.goto(`${srv.url}/#/visits/${id}`);
    await waitFor('the page joined', () => seen.some((m) => m.type === 'join' && m.channel === channel));
    await sleep(300);

    const station = await writer(chrome, srv.url);
    const say = async (n) => assert.deepEqual(await station.write(channel, [`Tin nhắn số ${n}`]), [n]);
    const msgs = p.locator('.chat .messages li[data-seq]');

    // 2 is lost; 3 shows the gap, and the page asks for what came after 1.
    drop.seqs.add(2);
    await say(1);
    await say(2);
    await say(3);
    await p.locator('.chat .messages li[data-seq="2"]', { hasText: 'Tin nhắn số 2' }).waitFor();
    assert.ok(seen.some((m) => m.type === 'sync' && m.channel === channel && m.after === 1), JSON.stringify(seen));
    assert.deepEqual(await msgs.evaluateAll((els) => els.map((e) => Number(e.dataset.seq))), [1, 2, 3]);

    // 5 is lost and so is the answer to the sync; the link drops. The page joins again from 4,
    // the last number it has without a gap, not from 6, the highest it saw.
    drop.seqs.add(5);
    drop.history = true;
    await say(4);
    await say(5);
    await say(6);
    await p.locator('.chat .messages li[data-seq="6"]').waitFor();
    await waitFor('the sync for 5', () => seen.some((m) => m.type === 'sync' && m.after === 4));
    drop.history = false;
    const { page, server } = relays[relays.length - 1];
    await page.close({ code: 1001, reason: 'test' });
    await server.close();
    await waitFor('the join from 4', () => seen.some((m) => m.type === 'join' && m.channel === channel && m.after === 4));
    await p.locator('.chat .messages li[data-seq="5"]', { hasText: 'Tin nhắn số 5' }).waitFor();
    assert.deepEqual(await msgs.evaluateAll((els) => els.map((e) => Number(e.dataset.seq))), [1, 2, 3, 4, 5, 6]);
    // Everything the station wrote is on the doctor's screen and marked read.
    await waitFor('read_seq 6 for the doctor', () => readSeq(srv, channel, doctorId) === 6);
  } finally {
    await closeAll(env);
  }
});
