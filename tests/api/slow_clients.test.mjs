// Slow clients cannot hold more than their share (docs/operations.md, "Slow clients"): a request's
// headers and body must arrive whole within --request-timeout (3 s here, 30 by default); senders
// that trickle headers (slowloris) or a body one byte a second are closed by the server when it
// runs out, while everyone else is served meanwhile; a chunk that arrives in time is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, api, login } from './lib/server.mjs';
import { png, tusUpload } from './lib/files.mjs';

let srv;
before(async () => { srv = await startServer({ extraArgs: ['--request-timeout', '3'] }); });
after(() => srv.close());

// A connection that sends the start of a request, then one more piece a second, forever; resolves
// with how long the server let it live (ms), or null when it was still open after limitMs (9 s:
// three times the timeout given, and under h2o's own default of 10 s, which would not be this one).
function trickle(start, piece, limitMs = 9000) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(srv.port, '127.0.0.1');
    let timer, limit;
    const done = (v) => { clearInterval(timer); clearTimeout(limit); s.destroy(); resolve(v); };
    s.on('connect', () => {
      s.write(start);
      timer = setInterval(() => s.write(piece), 1000);
    });
    s.on('error', () => {});
    s.on('close', () => done(Date.now() - t0));
    limit = setTimeout(() => done(null), limitMs);
  });
}

test('trickled headers and bodies are closed after the request timeout; everyone else is served meanwhile', async () => {
  const heads = Array.from({ length: 40 }, () => trickle('GET /api/v1/me HTTP/1.1\r\nHost: x\r\n', 'X-Cham: 1\r\n'));
  const bodies = Array.from({ length: 40 }, () => trickle(
    'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"username":"', 'a'));
  // Meanwhile: people sign in, read and write as usual.
  const { token } = await login(srv, 'demo.commune');
  for (let i = 0; i < 10; i++) {
    assert.equal((await api(srv, 'GET', '/api/v1/me', { token })).status, 200);
    const r = await api(srv, 'POST', '/api/v1/patients', { token, body: { full_name: `Chảo Láo Sử ${i}`, birth_year: 1975, sex: 'male' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const lived = await Promise.all([...heads, ...bodies]);
  assert.equal(lived.filter((ms) => ms === null).length, 0, 'every trickling connection was closed by the server');
  // Closed by the timeout, not at once: each lived about the 3 s it was given.
  assert.ok(lived.every((ms) => ms >= 2500), `closed too early: ${Math.min(...lived)} ms`);
  assert.equal(srv.sql("SELECT COUNT(*) FROM patients WHERE full_name LIKE 'Chảo Láo Sử %'"), '10');
});

test('an upload chunk that arrives within the timeout is stored whole', async () => {
  const { token } = await login(srv, 'demo.commune');
  const buf = png(400, 300, true);
  const id = await tusUpload(srv, token, buf, 'phim-phoi.png', { chunk: 64 * 1024 });
  assert.ok(id > 0);
  assert.equal(srv.sql(`SELECT size FROM files WHERE id = ${id}`), String(buf.length));
});
