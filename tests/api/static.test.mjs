// The web app's files: index without caching, hashed assets cached for a year, security headers,
// API paths never fall through to files, no path reaches a file outside the web folder, and the
// build's .br/.gz copies are sent to browsers that accept them (plain otherwise).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { gzipSync, brotliCompressSync, gunzipSync, brotliDecompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.mjs';

// The web folder sits in a folder of its own beside a canary file and a sibling folder whose name
// starts like the web folder's: a path that climbs out of the web folder would bring one back.
const CANARY = 'canary-' + Math.random().toString(36).slice(2);
// Text that compresses well, with Vietnamese in it: the bytes must come back exactly.
const SCRIPT = Buffer.from(Array.from({ length: 400 }, (_, i) => `export const m${i} = 'Nguyễn Thị Hồng — trạm y tế xã ${i}';\n`).join(''));
let srv, root, web;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ytexa-webroot-'));
  web = join(root, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  mkdirSync(join(root, 'web2'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><html lang="vi"><title>ytexa</title>');
  writeFileSync(join(web, 'assets', 'app-3f2a1b.js'), 'console.log("xin chào")');
  // A built script with its precompressed copies, as web/scripts/precompress.mjs writes them.
  writeFileSync(join(web, 'assets', 'main-9c1d.js'), SCRIPT);
  writeFileSync(join(web, 'assets', 'main-9c1d.js.gz'), gzipSync(SCRIPT, { level: 9 }));
  writeFileSync(join(web, 'assets', 'main-9c1d.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(web, 'index.html.br'), brotliCompressSync(readFileSync(join(web, 'index.html'))));
  writeFileSync(join(root, 'canary.txt'), CANARY);
  writeFileSync(join(root, 'web2', 'canary.txt'), CANARY);
  srv = await startServer({ extraArgs: ['--web', web] });
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(root, { recursive: true, force: true }); });

// Sends the request line's target exactly as given (fetch and node's http would normalise or
// refuse it first) and reads the whole answer: { status, text }.
function rawGet(target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    const chunks = [];
    sock.on('error', reject);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = text.match(/^HTTP\/1\.1 (\d{3}) /);
      resolve({ status: m ? Number(m[1]) : 0, text });
    });
    sock.write(Buffer.concat([Buffer.from('GET '), Buffer.from(target, 'latin1'),
      Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')]));
  });
}

test('index.html is served and revalidated', async () => {
  const r = await fetch(srv.url + '/');
  assert.equal(r.status, 200);
  assert.match(await r.text(), /<title>ytexa<\/title>/);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  // No plugins, no <base> to move the page's relative addresses, forms only to the site itself
  // (ASVS 3.4.3, docs/asvs.md).
  for (const d of ["object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"])
    assert.ok(r.headers.get('content-security-policy').split(/;\s*/).includes(d), d);
  assert.equal(r.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
  assert.ok(r.headers.get('etag') || r.headers.get('last-modified'), 'a validator for revalidation');
});

test('hashed assets are cached for a year, with the security headers', async () => {
  for (const enc of ['identity', 'br']) {
    const r = await fetch(srv.url + '/assets/main-9c1d.js', { headers: { 'accept-encoding': enc } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /javascript/);
    assert.equal(r.headers.get('cache-control'), 'max-age=31536000', enc);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', enc);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', enc);
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/, enc);
  }
});

test('missing files are 404 and API paths never fall through to files', async () => {
  assert.equal((await fetch(srv.url + '/nope.js')).status, 404);
  const r = await fetch(srv.url + '/api/v1/index.html');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /application\/json/);
});

test('no path, however written, reaches a file outside the web folder', async () => {
  // The raw requests do reach files: these are served, so a refusal below is not the sender's.
  for (const target of ['/assets/app-3f2a1b.js', '/assets/./app-3f2a1b.js', '/assets/x/../app-3f2a1b.js', '/%61ssets/app-3f2a1b.js']) {
    const r = await rawGet(target);
    assert.equal(r.status, 200, `${target}: ${r.text.slice(0, 200)}`);
    assert.ok(r.text.includes('console.log("xin ch'), target);
  }
  const targets = [
    '/../canary.txt', '/../../canary.txt', '/../web2/canary.txt', '/./../canary.txt', '//../canary.txt',
    '/assets/../../canary.txt', '/static/../../canary.txt', '/api/../../canary.txt', '/index.html/../../canary.txt',
    '/%2e%2e/canary.txt', '/%2E%2E/canary.txt', '/.%2e/canary.txt', '/%2e./canary.txt', '/..%2fcanary.txt', '/..%2Fcanary.txt',
    '/%2e%2e%2fcanary.txt', '/assets/%2e%2e/%2e%2e/canary.txt', '/assets/..%2f..%2fcanary.txt', '/%2e%2e/web2/canary.txt',
    '/%252e%252e/canary.txt', '/..%252fcanary.txt',
    '/..\\canary.txt', '/..%5ccanary.txt', '/%5c..%5ccanary.txt', '/assets\\..\\..\\canary.txt',
    '/..%00/canary.txt', '/index.html%00/../../canary.txt', '/../canary.txt%00', '/../canary.txt%00.js',
    '/..;/canary.txt', '/..%c0%afcanary.txt', '/%c0%ae%c0%ae/canary.txt',
    '/../../../../../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '../canary.txt', 'http://127.0.0.1/../canary.txt',
  ];
  for (const target of targets) {
    const r = await rawGet(target);
    assert.ok(!r.text.includes(CANARY), `${target} answered a file outside the web folder:\n${r.text.slice(0, 300)}`);
    assert.ok(!/root:.*:0:0:/.test(r.text), `${target} answered /etc/passwd`);
    assert.ok(r.status >= 400 && r.status < 500, `${target}: ${r.status}\n${r.text.slice(0, 300)}`);
  }
});

test('a NUL in the path is refused: a file name does not end early', async () => {
  // Before, h2o's decoded path ended at the NUL when the file was opened: /index.html%00.js was
  // the page served as JavaScript, and a script could be served as a page.
  for (const target of ['/index.html%00', '/index.html%00.js', '/assets/app-3f2a1b.js%00.html', '/%00', '/assets/%00']) {
    const r = await rawGet(target);
    assert.equal(r.status, 400, `${target}: ${r.text.slice(0, 300)}`);
    assert.ok(!r.text.includes('<title>ytexa') && !r.text.includes('console.log'), target);
  }
  // A raw NUL byte in the request line is not HTTP.
  const raw = await rawGet('/index.html\x00.js');
  assert.equal(raw.status, 400, raw.text.slice(0, 300));
  assert.equal((await rawGet('/index.html')).status, 200);
});

// A request as a browser's network stack sends it, without fetch's own Accept-Encoding and
// decompression: { status, headers, body } with the bytes as they came over the wire.
function get(path, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a browser that accepts brotli gets the .br copy, and it decompresses to the script', async () => {
  for (const ae of ['br', 'gzip, deflate, br, zstd', 'gzip, deflate, br', 'br, gzip;q=0.8']) {
    const r = await get('/assets/main-9c1d.js', { 'accept-encoding': ae });
    assert.equal(r.status, 200, ae);
    assert.equal(r.headers['content-encoding'], 'br', ae);
    assert.match(r.headers['content-type'], /javascript/, ae);
    assert.match(r.headers.vary, /accept-encoding/i, ae);
    assert.match(r.headers['cache-control'], /max-age=31536000/, ae);
    assert.ok(r.body.length < SCRIPT.length / 4, `${ae}: ${r.body.length} bytes of ${SCRIPT.length}`);
    assert.equal(Number(r.headers['content-length']), r.body.length, ae);
    assert.ok(brotliDecompressSync(r.body).equals(SCRIPT), ae);
  }
});

test('gzip only: the .gz copy; brotli refused with q=0: gzip too', async () => {
  for (const ae of ['gzip', 'gzip, deflate', 'br;q=0, gzip']) {
    const r = await get('/assets/main-9c1d.js', { 'accept-encoding': ae });
    assert.equal(r.status, 200, ae);
    assert.equal(r.headers['content-encoding'], 'gzip', ae);
    assert.match(r.headers.vary, /accept-encoding/i, ae);
    assert.ok(gunzipSync(r.body).equals(SCRIPT), ae);
  }
});

test('no Accept-Encoding, identity, or an unknown coding: the plain file', async () => {
  // h2o takes a coding with any q-value as refused (browsers send none): the plain file, never a
  // coding the client did not ask for.
  for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'compress' }, { 'accept-encoding': '' },
    { 'accept-encoding': 'br;q=0.9, gzip;q=0.8' }]) {
    const r = await get('/assets/main-9c1d.js', headers);
    assert.equal(r.status, 200, JSON.stringify(headers));
    assert.equal(r.headers['content-encoding'], undefined, JSON.stringify(headers));
    // Even the plain answer says it varies: a cache in between must not give it to a browser
    // that accepts brotli, nor the brotli copy to one that does not.
    assert.match(r.headers.vary, /accept-encoding/i, JSON.stringify(headers));
    assert.ok(r.body.equals(SCRIPT), JSON.stringify(headers));
  }
  // A file the build left without copies (an image, the test's older script) is plain to everyone.
  const r = await get('/assets/app-3f2a1b.js', { 'accept-encoding': 'br, gzip' });
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.toString(), 'console.log("xin chào")');
});

test('each coding has its own ETag, and a revalidation answers 304 for its own', async () => {
  const br = await get('/assets/main-9c1d.js', { 'accept-encoding': 'br' });
  const gz = await get('/assets/main-9c1d.js', { 'accept-encoding': 'gzip' });
  const plain = await get('/assets/main-9c1d.js');
  const tags = [br, gz, plain].map((r) => r.headers.etag);
  assert.ok(tags.every(Boolean), JSON.stringify(tags));
  assert.equal(new Set(tags).size, 3, JSON.stringify(tags));
  const again = await get('/assets/main-9c1d.js', { 'accept-encoding': 'br', 'if-none-match': br.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
});

test('HEAD says what GET would send, without the body', async () => {
  const r = await get('/assets/main-9c1d.js', { 'accept-encoding': 'br' }, 'HEAD');
  const full = await get('/assets/main-9c1d.js', { 'accept-encoding': 'br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'br');
  assert.equal(r.headers['content-length'], String(full.body.length));
  assert.equal(r.body.length, 0);
});

test('a Range request is answered from the representation the coding chose', async () => {
  const whole = await get('/assets/main-9c1d.js', { 'accept-encoding': 'br' });
  const part = await get('/assets/main-9c1d.js', { 'accept-encoding': 'br', range: 'bytes=0-99' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-encoding'], 'br');
  assert.equal(part.headers['content-range'], `bytes 0-99/${whole.body.length}`);
  assert.ok(part.body.equals(whole.body.subarray(0, 100)));
  const plain = await get('/assets/main-9c1d.js', { range: 'bytes=100-199' });
  assert.equal(plain.status, 206);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers['content-range'], `bytes 100-199/${SCRIPT.length}`);
  assert.ok(plain.body.equals(SCRIPT.subarray(100, 200)));
});

test('the page itself is sent compressed too, with its security headers', async () => {
  const r = await get('/', { 'accept-encoding': 'br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'br');
  assert.match(r.headers['content-type'], /text\/html/);
  assert.equal(r.headers['cache-control'], 'no-cache');
  assert.match(r.headers['content-security-policy'], /default-src 'self'/);
  assert.match(brotliDecompressSync(r.body).toString(), /<title>ytexa<\/title>/);
});
