// The web app's files: index without caching, hashed assets cached for a year, security headers,
// and API paths never fall through to files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.mjs';

let srv, web;
before(async () => {
  web = mkdtempSync(join(tmpdir(), 'ytexa-web-'));
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><html lang="vi"><title>ytexa</title>');
  writeFileSync(join(web, 'assets', 'app-3f2a1b.js'), 'console.log("xin chào")');
  srv = await startServer({ extraArgs: ['--web', web] });
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(web, { recursive: true, force: true }); });

test('index.html is served and revalidated', async () => {
  const r = await fetch(srv.url + '/');
  assert.equal(r.status, 200);
  assert.match(await r.text(), /<title>ytexa<\/title>/);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.ok(r.headers.get('etag') || r.headers.get('last-modified'), 'a validator for revalidation');
});

test('hashed assets are cached for a year', async () => {
  const r = await fetch(srv.url + '/assets/app-3f2a1b.js');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /javascript/);
  assert.match(r.headers.get('cache-control'), /max-age=31536000/);
});

test('missing files are 404 and API paths never fall through to files', async () => {
  assert.equal((await fetch(srv.url + '/nope.js')).status, 404);
  assert.equal((await fetch(srv.url + '/../../etc/passwd')).status, 404);
  const r = await fetch(srv.url + '/api/v1/index.html');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /application\/json/);
});
