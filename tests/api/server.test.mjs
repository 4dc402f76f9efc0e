// The server as a whole: health, readiness, unknown paths, request ids, WebSocket, and a graceful
// SIGTERM that finishes requests in flight and closes WebSockets with 1001.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, api, login, assertError } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); srv.cleanup(); });

test('healthz and readyz answer', async () => {
  const h = await api(srv, 'GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.body, { status: 'ok' });
  const r = await api(srv, 'GET', '/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ready');
  assert.equal(r.body.database, srv.pg ? 'postgres' : 'sqlite');
  assert.ok(r.body.schema >= 1);
});

test('every answer carries a request id that is in the access log', async () => {
  const r = await api(srv, 'GET', '/api/v1/me');
  const id = r.headers.get('x-request-id');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]+$/);
  await new Promise((res) => setTimeout(res, 100));
  const line = srv.logs.split('\n').find((l) => l.includes(`"rid":"${id}"`));
  assert.ok(line, 'access log line with the request id');
  const entry = JSON.parse(line);
  assert.equal(entry.path, '/api/v1/me');
  assert.equal(entry.status, 401);
});

test('the access log never shows the query string', async () => {
  await api(srv, 'GET', '/api/v1/users?q=Nguyen%20Van%20Secret');
  await new Promise((res) => setTimeout(res, 100));
  assert.doesNotMatch(srv.logs, /Secret/);
});

test('unknown endpoints and methods get JSON errors', async () => {
  assertError(await api(srv, 'GET', '/api/v1/no-such-thing'), 404, 'not_found');
  assertError(await api(srv, 'DELETE', '/api/v1/me'), 405, 'method_not_allowed');
  assertError(await api(srv, 'GET', '/api/v2/me'), 404, 'not_found');
  // A NUL in the path is refused for what it is (it used to end the path: /api/v1/users/).
  assertError(await api(srv, 'GET', '/api/v1/users/%00'), 400, 'invalid_input');
  assertError(await api(srv, 'GET', '/api/v1/users/../../etc/passwd'), 404);
});

test('a GET with a body is refused', async () => {
  // fetch() will not send a GET with a body (this test used to send a POST, and saw the 405 of
  // the method): node:http does.
  const s = await login(srv, 'demo.doctor');
  const r = await api(srv, 'GET', '/api/v1/me', { token: s.token, body: { full_name: 'x' } });
  assertError(r, 400, 'invalid_input');
  assert.equal(r.body.error.message, 'Yêu cầu GET không có nội dung', 'in Vietnamese without Accept-Language');
  assert.equal((await api(srv, 'GET', '/api/v1/me', { token: s.token })).status, 200, 'without the body it is answered');
});

test('WebSocket: refused without a session, greeted with one, answers ping', async () => {
  const s = await login(srv, 'demo.doctor');
  // fetch() refuses upgrade headers, so the anonymous handshake goes through node:http.
  const anon = await new Promise((resolve, reject) => {
    const req = http.get(srv.url + '/ws', { headers: { upgrade: 'websocket', connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('upgrade', () => reject(new Error('upgraded without a session')));
    req.on('error', reject);
  });
  assertError(anon, 401, 'unauthenticated');
  const evil = new WebSocket(srv.url.replace('http', 'ws') + '/ws', { headers: { cookie: s.cookie, origin: 'http://evil.example' } });
  const evilResult = await new Promise((resolve) => { evil.onopen = () => resolve('open'); evil.onerror = () => resolve('refused'); });
  assert.equal(evilResult, 'refused', 'a WebSocket from another origin is refused');
  // The browser WebSocket sends cookies only from a page; node's client takes headers this way.
  const ws = new WebSocket(srv.url.replace('http', 'ws') + '/ws', { headers: { cookie: s.cookie } });
  const msgs = [];
  await new Promise((resolve, reject) => {
    ws.onmessage = (e) => { msgs.push(JSON.parse(e.data)); if (msgs.length === 1) ws.send(JSON.stringify({ type: 'ping' })); if (msgs.length === 2) resolve(); };
    ws.onerror = reject;
    setTimeout(() => reject(new Error('no messages')), 5000);
  });
  assert.equal(msgs[0].type, 'hello');
  assert.equal(msgs[0].role, 'doctor');
  assert.equal(msgs[1].type, 'pong');
  ws.close();
});
