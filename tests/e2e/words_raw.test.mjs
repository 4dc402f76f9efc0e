// No raw code on screen (issue 21, "Plain Vietnamese"): the station's health worker, the province
// hospital's doctor and the central hospital's specialist each walk their main pages, in
// Vietnamese and in English, with a consultation in "imaging" on them and its notification in the
// notice area; no value of the API's enumerations and no snake_case field name may be read in
// `main` or in the notices. The case goes from the station to the doctor's hub (the doctor's
// notice), then is declined up to the specialist's hospital (the specialist's notice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../api/lib/server.mjs';
import { registerPatient } from '../api/lib/patients.mjs';
import { startWithBrowser, closeAll, session as signIn, OUT } from './lib.mjs';

let srv, chrome;
const S = {};
before(async () => {
  ({ srv, chrome } = await startWithBrowser());
  for (const u of ['demo.commune', 'demo.doctor', 'demo.specialist']) S[u] = await login(srv, u);
});
after(() => closeAll({ srv, chrome }));

const as = async (who, method, path, body) => {
  const r = await api(srv, method, path, { token: S[who].token, body });
  assert.ok([200, 201].includes(r.status), `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

// The API's enumeration values a page could print as they are (specialties and kinds of cases,
// states of a case and of a visit, modes, urgencies, roles, levels, outcomes, recommendations),
// and any snake_case word (a field name, "in_progress", "health_worker"), as whole lower-case
// words. A Vietnamese page has none of them ("video" is Vietnamese too); an English page writes
// "Imaging", "Waiting", but may say "a patient's record" or "accepted": there the codes that are
// no English word in running text.
const CODES = {
  vi: [
    'imaging', 'pathology', 'surgical', 'ecg', 'pediatrics', 'internal', 'obstetrics',
    'routine', 'urgent', 'emergency', 'requested', 'accepted', 'answered', 'concluded', 'declined', 'escalated',
    'draft', 'scheduled', 'cancelled', 'closed', 'arrived', 'finished',
    'audio', 'chat', 'assisted', 'doctor', 'specialist', 'trainer', 'patient',
    'central', 'provincial', 'district', 'commune', 'private',
    'improved', 'stable', 'worse', 'transferred', 'died', 'transfer', 'live', 'inbox', 'outbox',
  ],
  en: ['imaging', 'pathology', 'ecg', 'pediatrics', 'obstetrics', 'assisted', 'provincial', 'inbox', 'outbox'],
};
const raw = (lang) => new RegExp(`\\b(?:${CODES[lang].join('|')})\\b|\\b[a-z]+_[a-z_]+\\b`);

const PAGES = {
  'demo.commune': ['home', 'queue', 'patients', 'visits', 'consults', 'consult', 'training', 'network'],
  'demo.doctor': ['home', 'visits', 'schedule', 'consults', 'consult', 'patients', 'training', 'network'],
  'demo.specialist': ['home', 'consults', 'consult', 'visits', 'schedule', 'training', 'network'],
};

// What the reader sees: the text of `main` and of the notices, without what is typed in inputs.
const shown = (p) =>
  p.evaluate(() => [...document.querySelectorAll('main, .notices')].map((e) => e.innerText).join('\n'));

async function walk(who, lang) {
  const { p, ctx } = await signIn(chrome, srv.url, who);
  const found = [];
  try {
    if (lang === 'en') {
      await p.evaluate(() => localStorage.setItem('ytexa.lang', 'en'));
      await p.reload();
    }
    await p.locator('main').waitFor();
    return { p, ctx, found };
  } catch (e) {
    await ctx.close();
    throw e;
  }
}

async function visit({ p, found }, who, lang, consultId) {
  for (const page of PAGES[who]) {
    await p.goto(`${srv.url}/#/${page === 'consult' ? `consults/${consultId}` : page}`);
    await p.locator('main').waitFor();
    await p.waitForLoadState('networkidle');
    // Every part of the page drawn: nothing still says it is loading.
    await p.waitForFunction(() => !document.querySelector('main .loading, main [aria-busy="true"]'));
    const text = await shown(p);
    const m = raw(lang).exec(text);
    if (m) found.push(`${who} ${lang} #/${page}: "${m[0]}" in …${text.slice(Math.max(0, m.index - 60), m.index + 40).replace(/\s+/g, ' ')}…`);
  }
  await p.screenshot({ path: `${OUT}words-raw-${who}-${lang}.png`, fullPage: true });
}

test('no raw code on the main pages of the station, the doctor and the specialist, in vi and en', async () => {
  const pt = await registerPatient(srv, S['demo.commune'].token, { full_name: 'Sùng Thị Dua', birth_year: 1979, sex: 'female' });
  const found = [];
  for (const lang of ['vi', 'en']) {
    const station = await walk('demo.commune', lang);
    const doctor = await walk('demo.doctor', lang);
    const specialist = await walk('demo.specialist', lang);
    try {
      // The case in imaging arrives while the doctor's page is open: its notice shows there.
      const c = await as('demo.commune', 'POST', '/api/v1/consults', {
        patient_id: pt.id, summary: 'Đau ngực trái 2 ngày, phim X-quang chụp tại trạm.', questions: ['Có tổn thương phổi không?'],
        urgency: 'urgent', specialty: 'imaging', kind: 'imaging', submit: true,
      });
      // The notice names the specialty as people read it, never its code, in the page's language.
      const notice = lang === 'en' ? /^Consultation #\d+ \(urgent, Imaging\)/ : /^Ca hội chẩn #\d+ \(khẩn, Chẩn đoán hình ảnh\)/;
      await doctor.p.locator('.notices .notice', { hasText: notice }).first().waitFor({ timeout: 10000 });
      // Declined up to the central hospital: the specialist's notice.
      await as('demo.doctor', 'POST', `/api/v1/consults/${c.id}/decline`, { reason: 'Cần bác sĩ chẩn đoán hình ảnh tuyến trên' });
      await specialist.p.locator('.notices .notice', { hasText: notice }).first().waitFor({ timeout: 10000 });
      for (const [who, s] of [['demo.commune', station], ['demo.doctor', doctor], ['demo.specialist', specialist]]) {
        await visit(s, who, lang, c.id);
        found.push(...s.found);
      }
    } finally {
      for (const s of [station, doctor, specialist]) await s.ctx.close();
    }
  }
  assert.deepEqual(found, []);
});
