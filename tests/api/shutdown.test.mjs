// SIGTERM: no new connections, requests in flight finish, WebSockets close with 1001, exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, api, login, DEMO_PASSWORD } from './lib/server.mjs';

test('SIGTERM drains requests in flight and closes WebSockets with 1001', async () => {
  const srv = await startServer();
  try {
    const s = await login(srv, 'demo.doctor');
    const sockets = Array.from({ length: 5 }, () => new WebSocket(srv.url.replace('http', 'ws') + '/ws', { headers: { cookie: s.cookie } }));
    await Promise.all(sockets.map((ws) => new Promise((resolve, reject) => { ws.onmessage = resolve; ws.onerror = reject; })));
    const closed = Promise.all(sockets.map((ws) => new Promise((resolve) => { ws.onclose = (e) => resolve(e.code); })));
    // Logins are slow on purpose (Argon2id) and run two at a time: once the first of eight is
    // answered, the others have surely arrived (a fixed wait was not enough on a loaded machine)
    // and most are still queued or hashing when the signal comes.
    const inflight = Array.from({ length: 8 }, () =>
      api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.commune', password: DEMO_PASSWORD } })
        .then((r) => ({ status: r.status, at: Date.now() })));
    await Promise.race(inflight);
    const killedAt = Date.now();
    srv.proc.kill('SIGTERM');
    const answers = await Promise.all(inflight);
    assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
    assert.ok(answers.filter((a) => a.at > killedAt).length >= 3, 'several were answered after the signal');
    assert.deepEqual(await closed, Array(5).fill(1001));
    const exit = await srv.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.doesNotMatch(srv.logs, /AddressSanitizer|LeakSanitizer|runtime error:/);
    await assert.rejects(fetch(srv.url + '/healthz'), 'no new connections after exit');
  } finally {
    srv.cleanup();
  }
});
