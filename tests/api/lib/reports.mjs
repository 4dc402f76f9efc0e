// Shared checks of the report tests (tests/api/reports*.test.mjs).
import assert from 'node:assert/strict';
import { assertError } from './server.mjs';

// Another administrator's place answers 404 exactly as a place that does not exist, byte for byte:
// a facility administrator asking for another facility or a province, a province administrator
// for another province or a facility outside theirs. get(who, query) calls the report's route.
export async function otherPlacesAnswerLikeAbsent(get, { F, tq, laocai, absentFacility, absentProvince }) {
  const absent = await get('demo.facility-admin', `?facility=${absentFacility}`);
  assertError(absent, 404);
  for (const [who, query, like] of [
    ['demo.facility-admin', `?facility=${F['TYT-LUNGCU']}`, `?facility=${absentFacility}`],
    ['demo.facility-admin', `?province=${tq}`, `?province=${absentProvince}`],
    ['demo.province-admin', `?province=${laocai}`, `?province=${absentProvince}`],
    ['demo.province-admin', `?facility=${F['TYT-YTY']}`, `?facility=${absentFacility}`],
  ]) {
    const other = await get(who, query), none = await get(who, like);
    assertError(other, 404);
    assert.deepEqual(other.body, none.body, `${who} ${query}`);
    assert.deepEqual(other.body, absent.body);
  }
}

// Each [query, field] is refused 400 naming field, asked by the ministry (who may read anything).
export async function badQueriesNameTheirField(get, cases) {
  assert.ok(cases.length > 0);
  for (const [query, field] of cases) {
    const r = await get('demo.ministry-admin', query);
    assertError(r, 400);
    assert.equal(r.body.error.field, field, `${query}: ${JSON.stringify(r.body)}`);
  }
}

// The cells of an XLSX sheet by reference ("B3"): shared strings as {type: 's', v}, numbers as
// {type: 'n', v, xml} (the cell's XML, to check its style); cells without a value are left out.
export function cells(sheetXml, sharedXml) {
  const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const shared = [...sharedXml.matchAll(/<si>(.*?)<\/si>/gs)].map((m) => unescape([...m[1].matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join('')));
  const out = {};
  for (const m of sheetXml.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
    const v = /<v>(.*?)<\/v>/s.exec(m[3] || '')?.[1];
    if (v === undefined) continue;
    out[m[1]] = /t="s"/.test(m[2]) ? { type: 's', v: shared[Number(v)] } : { type: 'n', v: Number(v), xml: m[0] };
  }
  return out;
}
export const colName = (i) => (i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(64 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));
