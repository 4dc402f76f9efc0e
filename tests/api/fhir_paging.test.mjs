// FHIR Patient searches by name page in the order of the name index (issue 20, docs/fhir.md
// "Search"): the next link carries an opaque cursor of the name key and the id, each match is on
// exactly one page — many patients of one folded name across a page boundary, a patient matching
// at two words, a patient renamed between pages — another facility's patients are never counted
// nor shown, and a cursor this server did not give for this search is a 400 OperationOutcome.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignedIn } from './lib/server.mjs';
import { fhir } from './lib/fhir.mjs';

let srv;
const S = {};
const as = (who, method, path, o = {}) => fhir(srv, method, path, { token: S[who].token, ...o });
const hw = (method, path, o) => as('demo.commune', method, path, o);
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
const patient = (text, gender, birthDate) => ({ resourceType: 'Patient', name: [{ text }], gender, birthDate });
const ours = {}; // id → the patient as created, at Lũng Cú (demo.commune's station)
const theirs = new Set(); // ids at BVDK Hà Giang (demo.doctor's hospital)

async function make(who, text, gender, birthDate) {
  const r = await as(who, 'POST', '/fhir/Patient', { body: patient(text, gender, birthDate) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  srv = await startSignedIn(S);
  // Seven of one folded name (written three ways), born in seven years so none is a likely
  // duplicate of another; one whose name matches "vuong" at two words; two more of the family.
  const spellings = ['Vương Trùng Tên', 'VƯƠNG TRÙNG TÊN', 'Vương Trùng Tên'.normalize('NFD')];
  for (let i = 0; i < 7; i++) {
    const p = await make('demo.commune', spellings[i % 3], i % 2 ? 'male' : 'female', `${1950 + i}`);
    ours[p.id] = p;
  }
  for (const [text, g, b] of [['Vương Vương Hà', 'female', '1970-02-03'], ['Vương Thị Ánh', 'female', '1981'], ['Vương Văn Đức', 'male', '1990-10-10']]) {
    const p = await make('demo.commune', text, g, b);
    ours[p.id] = p;
  }
  // The same names in another facility's registry: never counted, never shown.
  for (let i = 0; i < 5; i++) theirs.add((await make('demo.doctor', 'Vương Trùng Tên', 'male', `${1960 + i}`)).id);
  theirs.add((await make('demo.doctor', 'Vương Thị Ánh', 'female', '1981')).id);
});
after(() => srv.close());

// Every page of a search, following next links: the pages' resources, in order.
async function pages(path, who = 'demo.commune') {
  const out = [];
  let url = path;
  for (let i = 0; url && i < 60; i++) {
    const r = await as(who, 'GET', url);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push((r.body.entry ?? []).map((e) => e.resource));
    const next = r.body.link.find((l) => l.relation === 'next');
    url = next ? next.url.slice(srv.url.length) : null;
  }
  return out;
}
const ids = (ps) => ps.flat().map((p) => p.id);
const expect = (ok) => Object.values(ours).filter(ok).map((p) => p.id).sort();

test('name searches page in name order: every match once, across boundaries inside one name', async () => {
  const cases = [
    ['family=vuong', () => true],
    ['family=V%C6%B0%C6%A1ng', () => true],
    ['name=vuong', () => true],
    ['name=trung', (p) => fold(p.name[0].text).includes('trung')],
    ['given=ten', (p) => fold(p.name[0].text).endsWith(' ten')],
    ['given=vuong', (p) => fold(p.name[0].text) === 'vuong vuong ha'],
    ['family=vuong&gender=female', (p) => p.gender === 'female'],
    ['family=vuong&birthdate=ge1953', (p) => (p.birthDate.length === 4 ? p.birthDate : p.birthDate.slice(0, 4)) >= '1953'],
    ['name=trung&family=vuong', (p) => fold(p.name[0].text).includes('trung')],
    ['given=trung&name=ten', (p) => fold(p.name[0].text).includes('trung ten')],
    ['family=vuong&name=ha', (p) => fold(p.name[0].text) === 'vuong vuong ha'],
  ];
  for (const [q, ok] of cases) {
    const want = expect(ok);
    assert.ok(want.length > 0, q);
    for (const count of [1, 2, 3, 100]) {
      const got = await pages(`/fhir/Patient?${q}&_count=${count}`);
      const seen = ids(got);
      assert.equal(new Set(seen).size, seen.length, `${q} _count=${count}: a patient came twice: ${seen}`);
      assert.deepEqual([...seen].sort(), want, `${q} _count=${count}`);
      // Full pages but the last, which is never empty unless the search matches nobody.
      for (const [i, p] of got.entries()) assert.equal(p.length, i < got.length - 1 ? count : p.length, `${q}: page ${i} short`);
      assert.ok(got.at(-1).length > 0, `${q} _count=${count}: an empty last page`);
    }
  }
  // The order is the name's, folded (family orders by the whole name), then the id.
  const fam = (await pages('/fhir/Patient?family=vuong&_count=4')).flat();
  const keys = fam.map((p) => [fold(p.name[0].text).normalize('NFC'), Number(p.id)]);
  const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  assert.deepEqual(keys, sorted);
});

test("another facility's patients of the same names are never counted nor shown", async () => {
  const want = expect(() => true);
  // Exactly a page of ours: no next link, as if theirs were not there (they are as many).
  const one = await hw('GET', `/fhir/Patient?family=vuong&_count=${want.length}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.entry.length, want.length);
  assert.equal(one.body.link.find((l) => l.relation === 'next'), undefined);
  for (const q of ['family=vuong', 'name=trung', 'given=anh']) {
    assert.ok(ids(await pages(`/fhir/Patient?${q}&_count=2`)).every((id) => !theirs.has(id)), q);
    // and theirs see only theirs
    const other = ids(await pages(`/fhir/Patient?${q}&_count=2`, 'demo.doctor'));
    assert.ok(other.length > 0 && other.every((id) => theirs.has(id)), q);
  }
  // Their cursor carries a key and an id, not a facility: used by us it pages our registry.
  const theirsFirst = await as('demo.doctor', 'GET', '/fhir/Patient?family=vuong&_count=1');
  const next = theirsFirst.body.link.find((l) => l.relation === 'next').url.slice(srv.url.length);
  assert.ok(ids(await pages(next)).every((id) => !theirs.has(id)));
});

test('a patient renamed between pages moves no other patient off a page, nor onto a second', async () => {
  const first = await hw('GET', '/fhir/Patient?family=vuong&_count=3');
  const page1 = first.body.entry.map((e) => e.resource);
  // The cursor's own patient (the last shown) renamed out of the search, and one not shown yet
  // renamed further on: the cursor still holds the key and id it was given.
  const cursorRow = page1.at(-1);
  await hw('PUT', `/fhir/Patient/${cursorRow.id}`, { body: { ...cursorRow, name: [{ text: 'Lò Đổi Tên' }] } });
  const rest = expect(() => true).filter((id) => !page1.some((p) => p.id === id));
  const later = ours[rest[0]];
  const moved = await hw('PUT', `/fhir/Patient/${later.id}`, { body: { ...later, name: [{ text: 'Vương Zương Đổi' }] } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const tail = ids(await pages(first.body.link.find((l) => l.relation === 'next').url.slice(srv.url.length)));
  assert.equal(new Set(tail).size, tail.length, 'a patient came twice');
  assert.deepEqual([...tail].sort(), [...rest].sort(), 'each patient not shown yet, once');
  assert.ok(!tail.includes(cursorRow.id));
  assert.equal(tail.at(-1), later.id, 'the renamed patient at its new name');
  // Put them back for the other tests.
  for (const p of [cursorRow, later]) {
    const now = await hw('GET', `/fhir/Patient/${p.id}`);
    assert.equal((await hw('PUT', `/fhir/Patient/${p.id}`, { body: { ...now.body, name: p.name } })).status, 200);
  }
});

test('a cursor this server did not give for this search is a 400 OperationOutcome naming _cursor', async () => {
  const first = await hw('GET', '/fhir/Patient?family=vuong&_count=2');
  const next = new URL(first.body.link.find((l) => l.relation === 'next').url);
  const cursor = next.searchParams.get('_cursor');
  assert.match(cursor, /^[A-Za-z0-9_-]+\.[0-9]+$/, 'opaque: base64url, a dot, the id');
  const b64 = (s) => Buffer.from(s).toString('base64url');
  const bad = [
    `family=vuong&_cursor=${cursor.split('.')[0]}`, // no id
    `family=vuong&_cursor=${cursor.split('.')[0]}.0`,
    `family=vuong&_cursor=${cursor.split('.')[0]}.-4`,
    `family=vuong&_cursor=${cursor.split('.')[0]}.99999999999999999999`,
    `family=vuong&_cursor=.${cursor.split('.')[1]}`, // no key
    `family=vuong&_cursor=${cursor.split('.')[1]}`, // an id alone, as other searches' cursors
    `family=vuong&_cursor=%2B%2F%3D.5`, // not base64url
    `family=vuong&_cursor=${b64('tran van an')}.5`, // another search's key
    `family=tran&_cursor=${cursor}`, // this cursor with another search
    `family=vuong&_cursor=${Buffer.from([0x76, 0x75, 0x6f, 0x6e, 0x67, 0xff]).toString('base64url')}.5`, // not UTF-8
    `family=vuong&_cursor=${b64('vuong\u0000x')}.5`,
    `family=vuong&_cursor=${'A'.repeat(600)}.5`, // longer than any key
    `gender=female&_cursor=${cursor}`, // a key cursor on a search paged by id
  ];
  const count = () => srv.sql('SELECT COUNT(*) FROM patients');
  const before = count();
  for (const q of bad) {
    const r = await hw('GET', `/fhir/Patient?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.resourceType, 'OperationOutcome', q);
    assert.equal(r.body.issue[0].code, 'invalid', q);
    assert.deepEqual(r.body.issue[0].expression, ['_cursor'], q);
    assert.match(r.body.issue[0].diagnostics, /.{10}/, q);
  }
  assert.equal(count(), before);
  // A good cursor whose key no patient has any more still pages on from where it points.
  const r = await hw('GET', `/fhir/Patient?family=vuong&_count=50&_cursor=${b64('vuong thi')}.1`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.entry.map((e) => fold(e.resource.name[0].text)).filter((n) => n < 'vuong thi'), []);
  assert.equal(r.body.link[0].url.includes(`_cursor=${b64('vuong thi')}.1`), true, 'the self link keeps the cursor');
});

test('other Patient searches keep paging on the id', async () => {
  const want = expect((p) => p.gender === 'female').length;
  const fem = await pages('/fhir/Patient?gender=female&_count=2');
  const seen = ids(fem);
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(seen.length >= want);
  for (const p of fem.flat()) assert.equal(p.gender, 'female');
  const numeric = (await hw('GET', '/fhir/Patient?gender=female&_count=2')).body.link.find((l) => l.relation === 'next').url;
  assert.match(new URL(numeric).searchParams.get('_cursor'), /^[0-9]+$/);
  const one = Object.values(ours)[3];
  assert.deepEqual(ids(await pages(`/fhir/Patient?_id=${one.id}&name=vuong`)), [one.id]);
  assert.deepEqual(ids(await pages(`/fhir/Patient?_id=${one.id}&name=tran`)), []);
});
