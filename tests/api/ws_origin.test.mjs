// The Origin check of the WebSocket handshake (GET /ws, src/app/health.c): a browser's page must
// come from the site's own origin — scheme, host and port, as the client reached the site (plain
// HTTP, TLS at ytexa, or TLS at nginx in front told by X-Forwarded-Proto with --trust-proxy) —
// or the handshake is refused with 403 JSON and no socket. A handshake without Host is refused;
// one without Origin (not a browser) is accepted. The handshakes are written by hand on a raw
// socket: fetch and WebSocket always send their own Host and never a chosen Origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, login } from './lib/server.mjs';

let plain, proxied, secure, certDir;
const S = {};

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'ytexa-ws-origin-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
  [plain, proxied, secure] = await Promise.all([
    startServer(),
    startServer({ extraArgs: ['--trust-proxy'] }),
    startServer({ tls: true, extraArgs: ['--tls-cert', join(certDir, 'cert.pem'), '--tls-key', join(certDir, 'key.pem')] }),
  ]);
  for (const srv of [plain, proxied, secure]) S[srv.port] = await login(srv, 'demo.doctor');
});
after(async () => {
  for (const srv of [plain, proxied, secure]) await srv?.close();
  rmSync(certDir, { recursive: true, force: true });
});

// A WebSocket handshake with exactly these header lines (a null value leaves the header out);
// resolves with the status and, for a refusal, the JSON body.
function handshake(srv, headers, { cookie = true } = {}) {
  const lines = {
    Host: `127.0.0.1:${srv.port}`, Upgrade: 'websocket', Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13',
    Cookie: cookie ? S[srv.port].cookie : null, ...headers,
  };
  const text = 'GET /ws HTTP/1.1\r\n' + Object.entries(lines).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  return new Promise((resolve, reject) => {
    const sock = srv.tls ? tls.connect({ port: srv.port, host: '127.0.0.1', rejectUnauthorized: false }) : net.connect(srv.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer to the handshake')); }, 5000);
    sock.on('error', reject);
    sock.on(srv.tls ? 'secureConnect' : 'connect', () => sock.write(text));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const status = Number(buf.subarray(0, head).toString().split(' ')[1]);
      const length = Number(/content-length: *(\d+)/i.exec(buf.subarray(0, head).toString())?.[1] ?? 0);
      if (status !== 101 && buf.length < head + 4 + length) return;
      clearTimeout(timer);
      sock.destroy();
      const rest = buf.subarray(head + 4, head + 4 + length).toString();
      resolve({ status, body: status === 101 ? null : JSON.parse(rest) });
    });
  });
}

// Each case its own test, so that each shows on its own when it fails: [what, server, headers,
// status]. A refusal is 403 JSON "forbidden" with a Vietnamese / English message.
const P = () => plain.port, T = () => secure.port;
const site = { Host: 'ytexa.example.vn', 'X-Forwarded-For': '203.0.113.7' };
const cases = [
  // Plain HTTP: only http://<Host> is our origin; scheme, port and host all count, not the host's case.
  ['our own origin', () => plain, () => ({ Origin: `http://127.0.0.1:${P()}` }), 101],
  ['the same host in another case', () => plain, () => ({ Host: `LocalHost:${P()}`, Origin: `http://localhost:${P()}` }), 101],
  ['the case of either side', () => plain, () => ({ Host: `YTEXA.test:${P()}`, Origin: `http://ytexa.TEST:${P()}` }), 101],
  ['the default port written out', () => plain, () => ({ Host: 'ytexa.test', Origin: 'http://ytexa.test:80' }), 101],
  ['the default port left out', () => plain, () => ({ Host: 'ytexa.test:80', Origin: 'http://ytexa.test' }), 101],
  ['https: another scheme', () => plain, () => ({ Origin: `https://127.0.0.1:${P()}` }), 403],
  ['https on the default ports', () => plain, () => ({ Host: 'ytexa.test', Origin: 'https://ytexa.test' }), 403],
  ['another port', () => plain, () => ({ Origin: `http://127.0.0.1:${P() + 1}` }), 403],
  ['a port against the default', () => plain, () => ({ Host: 'ytexa.test', Origin: 'http://ytexa.test:8080' }), 403],
  ['another host', () => plain, () => ({ Origin: `http://evil.example:${P()}` }), 403],
  ['our host as a prefix', () => plain, () => ({ Origin: `http://127.0.0.1.evil.example:${P()}` }), 403],
  ['"null", the opaque origin of a sandboxed page or a file', () => plain, () => ({ Origin: 'null' }), 403],
  ['an origin with a path', () => plain, () => ({ Origin: `http://127.0.0.1:${P()}/ws` }), 403],
  ['a ws: scheme is not an origin', () => plain, () => ({ Origin: `ws://127.0.0.1:${P()}` }), 403],
  // Not behind a trusted proxy, X-Forwarded-Proto is anyone's to send and is not believed.
  ['an untrusted X-Forwarded-Proto', () => plain, () => ({ Origin: `https://127.0.0.1:${P()}`, 'X-Forwarded-Proto': 'https' }), 403],
  // Without Host (h2o then fills in its host configuration's name, "default"): refused.
  ['no Host, no Origin', () => plain, () => ({ Host: null }), 403],
  ['no Host, the name h2o fills in', () => plain, () => ({ Host: null, Origin: 'http://default' }), 403],
  ['no Host, a plausible Origin', () => plain, () => ({ Host: null, Origin: `http://127.0.0.1:${P()}` }), 403],
  // Without Origin: not a browser; a client with its own session, let in.
  ['no Origin: a native client with its own session', () => plain, () => ({}), 101],
  // TLS at ytexa: the origin is https://<Host>.
  ['TLS: our own origin', () => secure, () => ({ Origin: `https://127.0.0.1:${T()}` }), 101],
  ['TLS: http is another scheme', () => secure, () => ({ Origin: `http://127.0.0.1:${T()}` }), 403],
  ['TLS: http on the default ports', () => secure, () => ({ Host: 'ytexa.test', Origin: 'http://ytexa.test' }), 403],
  ['TLS: https with its default port', () => secure, () => ({ Host: 'ytexa.test', Origin: 'https://ytexa.test:443' }), 101],
  ['TLS: no Host', () => secure, () => ({ Host: null, Origin: 'https://default' }), 403],
  // TLS at nginx in front, with --trust-proxy: the scheme is its X-Forwarded-Proto, http without.
  ['proxy: https through nginx', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'https', Origin: 'https://ytexa.example.vn' }), 101],
  ['proxy: with the default port', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'https', Origin: 'https://ytexa.example.vn:443' }), 101],
  ['proxy: a page over http', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'https', Origin: 'http://ytexa.example.vn' }), 403],
  ['proxy: another port', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'https', Origin: 'https://ytexa.example.vn:8443' }), 403],
  ['proxy: another host', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'https', Origin: 'https://evil.example' }), 403],
  ['proxy: no X-Forwarded-Proto is plain http', () => proxied, () => ({ ...site, Origin: 'https://ytexa.example.vn' }), 403],
  ['proxy: plain http through the proxy', () => proxied, () => ({ ...site, Origin: 'http://ytexa.example.vn' }), 101],
  // Proxies append: the last entry is the one the proxy next to us wrote.
  ['proxy: the last entry says https', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'http, https', Origin: 'https://ytexa.example.vn' }), 101],
  ['proxy: the last entry says http', () => proxied, () => ({ ...site, 'X-Forwarded-Proto': 'https, http', Origin: 'https://ytexa.example.vn' }), 403],
  ['proxy: no Host', () => proxied, () => ({ ...site, Host: null, 'X-Forwarded-Proto': 'https', Origin: 'https://default' }), 403],
];

for (const [what, srv, headers, status] of cases) {
  test(`${status === 101 ? 'accepted' : 'refused'}: ${what}`, async () => {
    const r = await handshake(srv(), headers());
    assert.equal(r.status, status, JSON.stringify(r));
    if (status === 101) return;
    assert.equal(r.body.error.code, 'forbidden');
    assert.ok(!r.body.error.message.includes(' / ') && /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i.test(r.body.error.message), `Vietnamese alone: ${r.body.error.message}`);
  });
}

test('without a session the origin does not matter: 401 first', async () => {
  const anon = await handshake(plain, { Origin: `http://127.0.0.1:${plain.port}` }, { cookie: false });
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error.code, 'unauthenticated');
});
