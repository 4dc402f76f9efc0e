// The command line: help, migrate, demo, user add, configuration from file, environment and
// flags, and HTTPS with a certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { BIN, startServer, api, login, httpsGet } from './lib/server.mjs';

const run = (args, opts = {}) => spawnSync(BIN, args, { encoding: 'utf8', ...opts });
const tmp = () => mkdtempSync(join(tmpdir(), 'ytexa-cli-'));

test('help for the program and for each command', () => {
  const top = run(['--help']);
  assert.equal(top.status, 0);
  for (const c of ['serve', 'migrate', 'demo', 'user add', 'audit verify']) assert.match(top.stderr, new RegExp(c));
  for (const c of [['serve'], ['migrate'], ['demo'], ['user', 'add'], ['audit', 'verify']]) {
    const r = run([...c, '--help']);
    assert.equal(r.status, 0, c.join(' '));
    assert.match(r.stderr, /--port/);
  }
  assert.equal(run([]).status, 2);
  const bad = run(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command 'frobnicate'/);
  assert.match(run(['serve', '--no-such-flag']).stderr, /unknown option --no-such-flag/);
  assert.match(run(['serve', '--port', 'eighty']).stderr, /port: expected a whole number/);
});

test('migrate is idempotent; demo loads once; user add creates a working account', async () => {
  const dir = tmp();
  try {
    assert.equal(run(['migrate', '--data', dir]).status, 0);
    const again = run(['migrate', '--data', dir]);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /newest schema/);
    const demo = run(['demo', '--data', dir]);
    assert.equal(demo.status, 0);
    assert.match(demo.stdout, /demo\.commune/);
    assert.match(demo.stdout, /demo\.ministry-admin/);
    assert.match(run(['demo', '--data', dir]).stdout, /already has accounts/);
    const add = run(['user', 'add', 'bs.hoa', '--name', 'Lê Thị Hoa', '--role', 'doctor', '--facility', 'BV-BACHMAI', '--data', dir],
      { input: 'mot-mat-khau-tot\n' });
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stdout, /created user bs\.hoa/);
    assert.match(run(['user', 'add', 'bs.hoa', '--name', 'X', '--role', 'doctor', '--facility', 'BV-BACHMAI', '--data', dir],
      { input: 'mot-mat-khau-tot\n' }).stderr, /taken/);
    assert.match(run(['user', 'add', 'x.y', '--name', 'X', '--role', 'wizard', '--data', dir]).stderr, /unknown role/);
    assert.match(run(['user', 'add', 'x.y', '--name', 'X', '--role', 'doctor', '--facility', 'NOPE', '--data', dir], { input: 'mot-mat-khau-tot\n' }).stderr, /no facility/);
    assert.match(run(['user', 'add', 'x.y', '--name', 'X', '--role', 'doctor', '--data', dir], { input: 'short\n' }).stderr, /8 to 128/);
    assert.match(run(['user', 'add', 'x.y', '--name', 'X', '--role', 'doctor', '--data', dir], { input: 'iloveyou2026\n' }).stderr, /easily guessed: one of the most common/);
    assert.match(run(['user', 'add', 'x.y', '--name', 'Lê Văn Tú', '--role', 'doctor', '--data', dir], { input: 'Lê Văn Tú 1988\n' }).stderr, /easily guessed: it holds the username or the name/);
    // Serve the folder made above and log in as the new account.
    const s2 = await startServer({ demo: false, extraArgs: ['--data', dir, '--db', join(dir, 'ytexa.db')] });
    try {
      const s = await login(s2, 'bs.hoa', 'mot-mat-khau-tot');
      assert.equal(s.user.full_name, 'Lê Thị Hoa');
    } finally { await s2.stop(); s2.cleanup(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// How many failed logins an account may have on a server started with opts: the wrong password
// is answered 401 that many times, then 429.
async function failedLoginsAllowed(opts) {
  const srv = await startServer(opts);
  try {
    for (let n = 0; n < 6; n++) {
      const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'wrong-password' } });
      if (r.status === 429) return n;
      assert.equal(r.status, 401, JSON.stringify(r.body));
    }
    return null;
  } finally { await srv.stop(); srv.cleanup(); }
}

test('configuration: file, then environment, then flags', async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'ytexa.conf'), `# a comment\nsession-idle = 900\nlogin-fail-user = 3\n`);
    writeFileSync(join(dir, 'bad.conf'), `no equals sign\n`);
    assert.match(run(['migrate', '--config', join(dir, 'bad.conf'), '--data', dir]).stderr, /expected key = value/);
    writeFileSync(join(dir, 'unknown.conf'), `colour = blue\n`);
    assert.match(run(['migrate', '--config', join(dir, 'unknown.conf'), '--data', dir]).stderr, /unknown key/);
    // login-fail-user comes from the file (3), the environment overrides it (2), a flag both (1):
    // each level is seen to count, so that none of them could be ignored unnoticed.
    const conf = ['--config', join(dir, 'ytexa.conf')];
    assert.equal(await failedLoginsAllowed({ extraArgs: conf }), 3, 'from the file');
    assert.equal(await failedLoginsAllowed({ extraArgs: conf, env: { YTEXA_LOGIN_FAIL_USER: '2' } }), 2, 'the environment over the file');
    assert.equal(await failedLoginsAllowed({ extraArgs: [...conf, '--login-fail-user', '1'], env: { YTEXA_LOGIN_FAIL_USER: '2' } }), 1, 'a flag over both');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('HTTPS with a certificate and key; cookies are Secure', async () => {
  const dir = tmp();
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const srv = await startServer({ tls: true, extraArgs: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] });
    try {
      const h = await httpsGet(`${srv.url}/healthz`);
      assert.equal(h.status, 200);
      assert.equal(JSON.parse(h.text).status, 'ok');
      const body = JSON.stringify({ username: 'demo.doctor', password: 'demo-password' });
      const login = await new Promise((resolve, reject) => {
        const req = https.request(`${srv.url}/api/v1/auth/login`, { method: 'POST', rejectUnauthorized: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res));
        });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(login.statusCode, 200);
      assert.match(login.headers['set-cookie'][0], /; Secure/);
      // HSTS on the API's answers and the page's when ytexa itself speaks TLS (ASVS 3.4.1).
      assert.equal(login.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
      assert.equal(h.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
      await assert.rejects(fetch(`http://127.0.0.1:${srv.port}/healthz`), 'plain HTTP is not answered on a TLS port');
    } finally { await srv.stop(); srv.cleanup(); }
    assert.match(run(['serve', '--data', dir, '--port', '1', '--tls-cert', join(dir, 'nope.pem'), '--tls-key', join(dir, 'key.pem')]).stderr, /tls: cannot load/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('behind a proxy, the client address comes from X-Forwarded-For only when trusted', async () => {
  for (const trusted of [false, true]) {
    const srv = await startServer({ extraArgs: trusted ? ['--trust-proxy'] : [] });
    try {
      await api(srv, 'POST', '/api/v1/auth/login', { body: { username: 'demo.doctor', password: 'wrong-password' },
        headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } });
      const addr = srv.sql("SELECT addr FROM login_failures ORDER BY id DESC LIMIT 1");
      assert.equal(addr, trusted ? '198.51.100.7' : '127.0.0.1');
    } finally { await srv.stop(); srv.cleanup(); }
  }
});
