// The folders of src/ depend on each other only downwards, in the order docs/architecture.md
// states ("Which folder may include which"): this test reads every #include under src/ and fails
// when a folder includes a header of a folder above it, or when two folders of one layer include
// each other. A header under include/ytexa/ belongs to the folder the same table names.
//
// While issue 17 (#8) untangles the tree, the inclusions it has not removed yet are listed in
// KNOWN below, each one exactly: a new one fails the test, and so does one that is gone but still
// listed (the list only shrinks). The issue is done when KNOWN is empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../', import.meta.url).pathname;
const KNOWN = [
];

// The table of docs/architecture.md: "| layer | folders | headers |" rows, lowest first.
function layers() {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const at = doc.indexOf('### Which folder may include which');
  assert.ok(at >= 0, 'docs/architecture.md states the layers');
  const rows = doc.slice(at).split('\n').filter((l) => /^\| \d+ \|/.test(l));
  const folder = {}, owner = {};
  for (const row of rows) {
    const [, n, folders, headers] = row.split('|').map((c) => c.trim());
    for (const f of folders.split(/[ ,]+/).filter(Boolean)) folder[f.replace(/`/g, '')] = Number(n);
    for (const h of headers.split(/[ ,]+/).filter(Boolean)) {
      const [hdr, own] = h.replace(/`/g, '').split(':');
      owner[hdr] = own;
    }
  }
  return { folder, owner };
}

function sources(dir) {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : /\.[ch]$/.test(e) ? [p] : [];
  });
}

// Every folder's includes of other folders: { from: { to: [file …] } }.
function edges({ owner }) {
  const out = {};
  for (const file of sources(join(ROOT, 'src'))) {
    const from = file.slice(join(ROOT, 'src').length + 1).split('/')[0];
    for (const [, inc] of readFileSync(file, 'utf8').matchAll(/^#include "([^"]+)"/gm)) {
      let to;
      if (inc.startsWith('ytexa/')) to = owner[inc.slice(6)];
      else if (inc.startsWith('../')) to = inc.split('/')[1];
      else continue;
      assert.ok(to, `${file}: ${inc} belongs to no folder in docs/architecture.md`);
      if (to === from) continue;
      ((out[from] ??= {})[to] ??= []).push(file.slice(ROOT.length));
    }
  }
  return out;
}

test('the layer table names every folder of src/ and every public header', () => {
  const { folder, owner } = layers();
  const folders = readdirSync(join(ROOT, 'src')).filter((e) => statSync(join(ROOT, 'src', e)).isDirectory());
  assert.deepEqual(folders.filter((f) => folder[f] === undefined), [], 'folders missing from the table');
  const headers = readdirSync(join(ROOT, 'include/ytexa'));
  assert.deepEqual(headers.filter((h) => !owner[h]), [], 'headers missing from the table');
  assert.ok(Object.keys(folder).length >= 14);
});

test('no folder includes one above it, no two folders include each other', () => {
  const L = layers();
  const E = edges(L);
  const found = [];
  for (const [from, tos] of Object.entries(E))
    for (const to of Object.keys(tos)) {
      if (L.folder[to] > L.folder[from]) found.push(`${from} -> ${to}`);
      else if (L.folder[to] === L.folder[from] && E[to]?.[from] && from < to) found.push(`${from} <-> ${to}`);
    }
  // core depends on nothing but libc, OpenSSL, libsodium, utf8proc and jansson: no cairo, no pango.
  const coreFiles = sources(join(ROOT, 'src/core')).concat(
    Object.entries(L.owner).filter(([, o]) => o === 'core').map(([h]) => join(ROOT, 'include/ytexa', h)));
  for (const f of coreFiles)
    if (/^#include <(cairo|pango)/m.test(readFileSync(f, 'utf8'))) found.push(`core -> cairo/pango (${f.slice(ROOT.length)})`);
  const fresh = found.filter((f) => !KNOWN.includes(f));
  const gone = KNOWN.filter((k) => !found.includes(k));
  assert.deepEqual(fresh, [], 'new upward or circular includes (see docs/architecture.md)');
  assert.deepEqual(gone, [], 'untangled: remove these from KNOWN in tests/layers.test.mjs');
});
