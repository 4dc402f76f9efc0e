// A WebSocket reader that never reads (issue 22, slow clients): what waits for it is bounded
// (WS_MAX_QUEUED, 1 MiB, docs/realtime.md "Limits"), after which the server lets it go, while the
// other members of the channel get every message and the server goes on serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSignedIn, api } from './lib/server.mjs';
import { registerPatient } from './lib/patients.mjs';
import { openWs, rawWs, frame, closeCode } from './lib/ws.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a reader that never reads is let go once 1 MiB waits for it; the channel\'s others get everything', async () => {
  const S = {};
  const srv = await startSignedIn(S);
  try {
    const p = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Giàng Thị Dua', birth_year: 1988, sex: 'female' });
    const doctor = Number(srv.sql("SELECT id FROM users WHERE username = 'demo.doctor'"));
    const v = await api(srv, 'POST', '/api/v1/visits',
      { token: S['demo.commune'].token, body: { patient_id: p.id, doctor_id: doctor, mode: 'chat', reason: 'Sốt, ho 5 ngày' } });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    const channel = `visit:${v.body.id}`;

    // The doctor's stalled tab: joined, then never reads again (its kernel buffers fill, then the
    // server's queue for it grows).
    const stalled = await rawWs(srv, S['demo.doctor']);
    stalled.sock.write(frame(1, JSON.stringify({ type: 'join', channel, ref: 'j' })));
    for (let i = 0; i < 100 && !stalled.data.includes('"joined"'); i++) await sleep(50);
    assert.ok(stalled.data.includes('"joined"'), 'the stalled socket joined');
    stalled.sock.pause();
    let gone = false;
    stalled.ended.then(() => { gone = true; });

    // The doctor's other tab reads normally; four station sockets send 12 KB messages (200 each,
    // their burst), 40 at a time (480 KB: a member that reads stays within its 1 MiB), 9.6 MB.
    const reader = await openWs(srv, S['demo.doctor']);
    assert.equal((await reader.ask({ type: 'join', channel })).type, 'joined');
    const senders = [];
    for (let k = 0; k < 4; k++) {
      const s = await openWs(srv, S['demo.commune']);
      assert.equal((await s.ask({ type: 'join', channel })).type, 'joined');
      senders.push(s);
    }
    const text = 'ệ'.repeat(4000);
    const N = 800, BATCH = 40;
    let got = 0;
    for (let i = 0; i < N; i += BATCH) {
      const sent = [];
      for (let k = i; k < i + BATCH; k++) sent.push(senders[k % 4].ask({ type: 'chat', channel, text, client_id: `slow-${k}` }, 30000));
      for (const m of await Promise.all(sent)) assert.equal(m.type, 'chat', JSON.stringify(m).slice(0, 200));
      for (let k = i; k < i + BATCH; k++) {
        await reader.next((m) => m.type === 'chat' && m.text === text, `chat message ${k + 1} of ${N}`, 30000);
        got++;
      }
      for (const s of senders) s.msgs = s.msgs.filter((m) => m.type !== 'chat');
    }
    assert.equal(got, N, 'the reading member got every message');
    assert.equal(srv.sql(`SELECT COUNT(*) FROM chat_messages m JOIN chat_threads t ON t.id = m.thread_id WHERE t.visit_id = ${v.body.id}`), String(N));

    // The stalled socket was told to close behind what was queued, and let go when it did not
    // answer (WS_CLOSE_GRACE_MS, 5 s, applied by the keepalive round every 5 s): reading again
    // after that finds the end of the stream, well short of the 9.6 MB sent to the channel.
    await sleep(11000);
    stalled.sock.resume();
    await Promise.race([stalled.ended, sleep(10000)]);
    assert.ok(gone || stalled.sock.destroyed, 'the server let the stalled reader go');
    const received = stalled.data.length;
    // At most what the kernel buffers of the two ends hold (the receiver's initial window, the
    // sender's largest buffer: /proc/sys/net/ipv4/tcp_rmem, tcp_wmem), the 1 MiB queue and a message.
    const [rmem] = readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').trim().split(/\s+/).slice(1).map(Number);
    const wmem = Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
    const bound = rmem + wmem + (1 << 20) + 2 * 12100;
    assert.ok(bound < N * 12000, `the kernel's buffers (${rmem} + ${wmem}) leave the test nothing to show`);
    assert.ok(received <= bound, `the stalled reader got ${received} bytes, more than ${bound}: the server held more than its share`);
    const code = closeCode(stalled.data);
    assert.ok(code === null || code === 1008, `closed with ${code}`);
    console.log(`# the stalled reader got ${received} bytes of ${N * 12000}, then its socket was closed (close frame: ${code ?? 'none, dropped'})`);

    // The server and the other members go on.
    assert.equal((await api(srv, 'GET', '/healthz')).status, 200);
    assert.equal((await reader.ask({ type: 'ping' })).type, 'pong');
    assert.equal((await senders[0].ask({ type: 'chat', channel, text: 'Còn đó không?', client_id: 'after' })).type, 'chat');
    for (const s of [reader, ...senders]) await s.close();
  } finally {
    await srv.close();
  }
});
