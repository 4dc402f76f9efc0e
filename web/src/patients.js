// The patient registry as a commune health worker uses it: find a person however the name is
// typed, register a new one (likely duplicates are shown first), read the record and record or
// withdraw consent. Routes: #/patients, #/patients/new, #/patients/<id>.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t, getLang } from './i18n.js';
import { errorText, placeError, Field as FormField, formatDateTime } from './words.js';
import { QueueButton } from './queue.js';
import { Appointments } from './appointments.js';
import { parts, idOf, useRoute, go } from './router.js';
import { Pending } from './loader.js';
import { read } from './reads.js';
import { CopyNote, onOnlineChange } from './online.js';
import { send as sendOrKeep, useOutbox, entry, localRef, resolvedId } from './outbox.js';
import { Queued, StateChip, Waiting } from './outbox_page.js';

// Languages a station meets most, as ISO 639 codes (the API takes any 2-3 letter code).
const LANGS = ['vi', 'hmn', 'tyz', 'nut', 'blt', 'ium', 'mtq', 'km', 'zh'];
const FLAGS = ['poor_household', 'near_poor_household', 'disability', 'pregnant'];

let ethnicityList = null;
const ethnicities = () =>
  (ethnicityList ??= call('GET', '/api/v1/ethnicities')
    .then((r) => r.items)
    .catch(() => []));

const sexName = (s) => t('sex_' + s);
const ageLine = (p) =>
  [p.birth_date ? p.birth_date.split('-').reverse().join('/') : p.birth_year, `${p.age} ${t('years_old')}`, sexName(p.sex)].join(' · ');
const Chips = ({ items }) => (items?.length ? html`<ul class="chips">${items.map((v) => html`<li>${t('vul_' + v)}</li>`)}</ul>` : '');

// #/patients, #/patients/new, #/patients/<id>, #/patients/local-<outbox entry> (registered offline).
export const patientRoute = () => {
  const what = parts()[1];
  const local = /^local-(\d+)$/.exec(what || '');
  return what === 'new' ? 'new' : local ? { local: Number(local[1]) } : idOf(what) || 'list';
};

// The registrations typed without a network, above the registry until the server has them.
function WaitingPatients() {
  const items = useOutbox().filter((e) => e.kind === 'patient');
  if (!items.length) return '';
  return html`<ul class="facilities patients ob-patients">${items.map(
    (e) => html`<li><a class="facility" href=${'#/patients/local-' + e.id}>
      <strong>${e.body.full_name}</strong> <${StateChip} e=${e} />
      <span class="muted">${[e.body.birth_date?.split('-').reverse().join('/') ?? e.body.birth_year, sexName(e.body.sex)].filter(Boolean).join(' · ')}</span>
    </a></li>`,
  )}</ul>`;
}

function PatientList() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const load = async (cursor) => {
    const p = new URLSearchParams({ limit: '30' });
    const text = q.trim();
    // Twelve digits are a CCCD, ten a phone or a BHYT number; anything else is a name.
    if (/^\d{12}$/.test(text)) p.set('cccd', text);
    else if (/^[A-Za-z]{2}\d{13}$/.test(text.replace(/\s/g, ''))) p.set('bhyt', text);
    else if (/^[+\d][\d .-]{8,}$/.test(text)) p.set('phone', text);
    else if (text) p.set('q', text);
    if (cursor) p.set('cursor', cursor);
    try {
      const r = await call('GET', '/api/v1/patients?' + p);
      setItems((old) => (cursor ? [...old, ...r.items] : r.items));
      setNext(r.next_cursor);
      setError(null);
    } catch (e) {
      setError(errorText(e));
      if (!cursor) setItems([]);
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => load(null), 250);
    return () => clearTimeout(timer);
  }, [q]);
  return html`<main class="page">
    <div class="title-row"><h1>${t('patients_title')}</h1><a class="button" href="#/patients/new">${t('register_patient')}</a></div>
    <label class="sr" for="pq">${t('patient_search')}</label>
    <input id="pq" type="search" placeholder=${t('patient_search')} value=${q} onInput=${(e) => setQ(e.target.value)} />
    <p class="muted">${t('patient_search_hint')}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${WaitingPatients} />
    ${
      items === null
        ? html`<p>${t('loading')}</p>`
        : items.length === 0
          ? !error && html`<p class="muted">${t('no_patients')}</p>`
          : html`
      <ul class="facilities patients">${items.map(
        (p) => html`<li><a class="facility" href=${'#/patients/' + p.id}>
        <strong>${p.full_name}</strong>
        <span class="muted">${ageLine(p)}${p.unit ? ' · ' + p.unit.name : ''}${p.cccd ? ' · CCCD ' + p.cccd : ''}</span>
        <${Chips} items=${p.vulnerable} />
      </a></li>`,
      )}</ul>`
    }
    ${next && html`<button class="more" onClick=${() => load(next)}>${t('more')}</button>`}
  </main>`;
}

// A labelled input bound to one field of the form's state, its error (errs[id]) below it.
function Field({ id, label, form, set, errs = {}, type = 'text', ...rest }) {
  return html`<${FormField} id=${id} label=${label} error=${errs[id]} type=${type} value=${form[id] ?? ''}
    onInput=${(e) => set({ ...form, [id]: e.target.value })} ...${rest} />`;
}

// The registration form's fields by their API path: the input's id and its label.
const registerFields = () => ({
  full_name: ['full_name', t('full_name')],
  birth_date: ['birth_date', t('birth_date')],
  birth_year: ['birth_year', t('birth_year')],
  sex: ['sex_female', t('sex')],
  ethnicity: ['ethnicity', t('ethnicity')],
  cccd: ['cccd', 'CCCD'],
  bhyt: ['bhyt', t('bhyt')],
  phone: ['phone', t('phone')],
  address: ['address', t('address')],
  notify_channel: ['notify_channel', t('notify_channel')],
  vulnerable: ['v_poor_household', t('vulnerable')],
  languages: ['l_vi', t('languages')],
  'guardian.name': ['guardian_name', t('guardian_name')],
  'guardian.phone': ['guardian_phone', t('guardian_phone')],
  'guardian.relation': ['guardian_relation', t('relation')],
  guardian: ['guardian_name', t('guardian')],
});

function toBody(f) {
  const body = { full_name: f.full_name?.trim(), sex: f.sex };
  if (f.birth_date) body.birth_date = f.birth_date;
  else if (f.birth_year) body.birth_year = Number(f.birth_year);
  for (const k of ['ethnicity', 'cccd', 'bhyt', 'phone', 'address', 'notify_channel']) if (f[k]?.trim()) body[k] = f[k].trim();
  body.vulnerable = FLAGS.filter((k) => f['v_' + k]);
  body.languages = LANGS.filter((k) => f['l_' + k]);
  if (f.guardian_name?.trim()) {
    body.guardian = { name: f.guardian_name.trim() };
    if (f.guardian_phone?.trim()) body.guardian.phone = f.guardian_phone.trim();
    if (f.guardian_relation?.trim()) body.guardian.relation = f.guardian_relation.trim();
  }
  return body;
}

function Register() {
  const [form, set] = useState({ sex: 'female', l_vi: true });
  const [groups, setGroups] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const [dups, setDups] = useState(null);
  useEffect(() => {
    ethnicities().then(setGroups);
  }, []);
  const send = async (allowDuplicate) => {
    setBusy(true);
    setError(null);
    setErrs({});
    try {
      const body = toBody(form);
      if (allowDuplicate) body.allow_duplicate = true;
      const r = await sendOrKeep('patient', 'POST', '/api/v1/patients', body, body.full_name);
      go(r.queued ? 'patients/local-' + r.id : 'patients/' + r.data.id);
    } catch (e) {
      if (e.code === 'possible_duplicate') setDups(e.detail.candidates);
      else {
        const placed = placeError(e, registerFields());
        setErrs(placed.field);
        setError(placed.general);
      }
    } finally {
      setBusy(false);
    }
  };
  if (dups) {
    return html`<main class="page"><section class="card" aria-labelledby="dup-title">
      <h2 id="dup-title">${t('dup_title')}</h2><p>${t('dup_text')}</p>
      <ul class="facilities">${dups.map(
        (p) => html`<li><a class="facility" href=${'#/patients/' + p.id}>
        <strong>${p.full_name}</strong><span class="muted">${ageLine(p)}${p.unit ? ' · ' + p.unit.name : ''}</span></a></li>`,
      )}</ul>
      <div class="actions"><button onClick=${() => {
        setDups(null);
        send(true);
      }}>${t('dup_new')}</button>
        <button class="link" onClick=${() => setDups(null)}>${t('back')}</button></div>
    </section></main>`;
  }
  const check = (k, label) =>
    html`<label class="check"><input type="checkbox" id=${k} checked=${!!form[k]} onChange=${(e) => set({ ...form, [k]: e.target.checked })} /> ${label}</label>`;
  return html`<main class="page"><form class="card form" onSubmit=${(e) => {
    e.preventDefault();
    send(false);
  }}>
    <a class="back" href="#/patients">← ${t('back')}</a>
    <h1>${t('register_patient')}</h1>
    <${Field} id="full_name" label=${t('full_name')} form=${form} set=${set} errs=${errs} required autocomplete="off" />
    <div class="two">
      <div><${Field} id="birth_date" label=${t('birth_date')} form=${form} set=${set} errs=${errs} type="date" /></div>
      <div><${Field} id="birth_year" label=${t('birth_year_only')} form=${form} set=${set} errs=${errs} type="number" min="1900" max="2100" inputmode="numeric" /></div>
    </div>
    <fieldset><legend>${t('sex')}</legend>
      ${['female', 'male', 'other'].map((s) => html`<label class="check"><input type="radio" id=${'sex_' + s} name="sex" checked=${form.sex === s} onChange=${() => set({ ...form, sex: s })} /> ${sexName(s)}</label>`)}
      ${errs.sex_female && html`<p class="field-error" role="alert">${errs.sex_female}</p>`}
    </fieldset>
    <${FormField} as="select" id="ethnicity" label=${t('ethnicity')} error=${errs.ethnicity} value=${form.ethnicity ?? ''} onChange=${(e) => set({ ...form, ethnicity: e.target.value })}>
      <option value="">—</option>
      ${groups.map((g) => html`<option value=${g.code}>${getLang() === 'en' ? g.name_en : g.name_vi}</option>`)}
    <//>
    <div class="two">
      <div><${Field} id="cccd" label="CCCD" form=${form} set=${set} errs=${errs} inputmode="numeric" maxlength="12" /></div>
      <div><${Field} id="bhyt" label=${t('bhyt')} form=${form} set=${set} errs=${errs} /></div>
    </div>
    <${Field} id="phone" label=${t('phone')} form=${form} set=${set} errs=${errs} type="tel" />
    <${Field} id="address" label=${t('address')} form=${form} set=${set} errs=${errs} />
    <${FormField} as="select" id="notify_channel" label=${t('notify_channel')} error=${errs.notify_channel} value=${form.notify_channel ?? 'sms'} onChange=${(e) => set({ ...form, notify_channel: e.target.value })}>
      ${['sms', 'zalo', 'none'].map((c) => html`<option value=${c}>${t('channel_' + c)}</option>`)}
    <//>
    <fieldset><legend>${t('vulnerable')}</legend>
      ${FLAGS.map((k) => check('v_' + k, t('vul_' + k)))}
      ${errs.v_poor_household && html`<p class="field-error" role="alert">${errs.v_poor_household}</p>`}
    </fieldset>
    <fieldset><legend>${t('languages')}</legend>
      ${LANGS.map((k) => check('l_' + k, t('lang_' + k)))}
      ${errs.l_vi && html`<p class="field-error" role="alert">${errs.l_vi}</p>`}
    </fieldset>
    <fieldset><legend>${t('guardian')}</legend>
      <${Field} id="guardian_name" label=${t('guardian_name')} form=${form} set=${set} errs=${errs} />
      <div class="two">
        <div><${Field} id="guardian_phone" label=${t('guardian_phone')} form=${form} set=${set} errs=${errs} type="tel" /></div>
        <div><${Field} id="guardian_relation" label=${t('relation')} form=${form} set=${set} errs=${errs} /></div>
      </div>
    </fieldset>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit" disabled=${busy}>${busy ? t('saving') : t('save')}</button>
  </form></main>`;
}

function ConsentForm({ patient, self, onDone }) {
  const [f, set] = useState({
    purposes: { remote_care: true, data_processing: true },
    method: self ? 'in_app' : 'verbal_witnessed',
    given_by: patient.age < 16 ? 'guardian' : 'patient',
  });
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState(false);
  // A consent that waits in the outbox is not asked for again.
  const path = `/api/v1/patients/${patient.id}/consents`;
  const waiting = useOutbox().filter((x) => x.kind === 'consent' && x.path === path && x.state !== 'failed');
  const missing = ['remote_care', 'data_processing'].filter((k) => !patient.consent[k] && !waiting.some((x) => x.body.purpose === k));
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrs({});
    try {
      let later = false;
      for (const purpose of missing.filter((k) => f.purposes[k])) {
        const body = { purpose, method: f.method, given_by: f.given_by };
        if (f.method === 'verbal_witnessed') body.witness_name = f.witness_name;
        if (f.method === 'paper_signed') body.document_ref = f.document_ref;
        const r = await sendOrKeep('consent', 'POST', path, body, `${patient.full_name} · ${t('purpose_' + purpose)}`);
        later ||= !!r.queued;
      }
      setQueued(later);
      if (!later) onDone();
    } catch (err) {
      const placed = placeError(err, {
        witness_name: ['witness', t('witness_name')],
        document_ref: ['docref', t('document_ref')],
        method: ['method', t('consent_method')],
        given_by: ['given_by', t('given_by')],
        purpose: [`purpose_${missing[0]}`, t('consent_purpose')],
      });
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  const pending = html`<${Waiting} match=${(x) => x.kind === 'consent' && x.path === path} />`;
  if (!missing.length)
    return queued || waiting.length ? html`<section class="card">${queued && html`<${Queued} />`}${pending}</section>` : '';
  return html`<form class="card form" onSubmit=${submit} aria-label=${t('consent_record')}>
    <h2>${t('consent_record')}</h2>
    <p class="muted">${t('consent_explain')}</p>
    ${missing.map((k) => html`<label class="check"><input type="checkbox" id=${'purpose_' + k} checked=${f.purposes[k]} onChange=${(e) => set({ ...f, purposes: { ...f.purposes, [k]: e.target.checked } })} /> ${t('purpose_' + k)}</label>`)}
    ${errs[`purpose_${missing[0]}`] && html`<p class="field-error" role="alert">${errs[`purpose_${missing[0]}`]}</p>`}
    ${
      !self &&
      html`<${FormField} as="select" id="method" label=${t('consent_method')} error=${errs.method} value=${f.method} onChange=${(e) => set({ ...f, method: e.target.value })}>
        <option value="verbal_witnessed">${t('method_verbal_witnessed')}</option>
        <option value="paper_signed">${t('method_paper_signed')}</option>
      <//>
      <${FormField} as="select" id="given_by" label=${t('given_by')} error=${errs.given_by} value=${f.given_by} onChange=${(e) => set({ ...f, given_by: e.target.value })}>
        <option value="patient">${t('given_by_patient')}</option><option value="guardian">${t('given_by_guardian')}</option>
      <//>
      ${
        f.method === 'verbal_witnessed'
          ? html`<${FormField} id="witness" label=${t('witness_name')} error=${errs.witness} required value=${f.witness_name ?? ''} onInput=${(e) => set({ ...f, witness_name: e.target.value })} />`
          : html`<${FormField} id="docref" label=${t('document_ref')} error=${errs.docref} required value=${f.document_ref ?? ''} onInput=${(e) => set({ ...f, document_ref: e.target.value })} />`
      }`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${queued && html`<${Queued} />`}
    ${pending}
    <button type="submit" disabled=${busy}>${self ? t('consent_agree') : t('consent_save')}</button>
  </form>`;
}

// The patient's own app account, made at the station (the patient reads summaries and
// prescriptions, books and consents with it).
function AccountForm({ patient, onDone }) {
  const [f, set] = useState({ username: '', password: '' });
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    try {
      await call('POST', `/api/v1/patients/${patient.id}/account`, f);
      onDone();
    } catch (err) {
      const placed = placeError(err, { username: ['acc_user', t('username')], password: ['acc_pass', t('password')] });
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  return html`<form class="card form" onSubmit=${submit} aria-label=${t('account_create')}>
    <h2>${t('account_create')}</h2>
    <p class="muted">${t('account_explain')}</p>
    <${FormField} id="acc_user" label=${t('username')} error=${errs.acc_user} autocapitalize="none" autocomplete="off" required
      value=${f.username} onInput=${(e) => set({ ...f, username: e.target.value.trim() })} />
    <${FormField} id="acc_pass" label=${t('password')} error=${errs.acc_pass} type="password" autocomplete="new-password" required minlength="8"
      value=${f.password} onInput=${(e) => set({ ...f, password: e.target.value })} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit">${t('account_create')}</button>
  </form>`;
}

function ConsentList({ patient, canWithdraw, onChange }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    read(`/api/v1/patients/${patient.id}/consents?limit=100`, { save: 'update' })
      .then(({ data: r }) => setItems(r.items))
      .catch((e) => setError(errorText(e)));
  }, [patient]);
  // Withdrawing asks for the reason in a small form under the consent (never the browser's prompt).
  const [asking, setAsking] = useState(null);
  const when = formatDateTime;
  return html`<section class="card"><h2>${t('consent_history')}</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      items === null
        ? html`<p>${t('loading')}</p>`
        : items.length === 0
          ? html`<p class="muted">${t('none')}</p>`
          : html`
      <ul class="links consents">${items.map(
        (c) => html`<li>
        <strong>${t('purpose_' + c.purpose)}</strong> · ${t('method_' + c.method)} · ${when(c.granted_at)} · ${c.recorded_by.name}
        ${c.witness_name && html` · <span class="witness">${t('witness')}: ${c.witness_name}</span>`}${c.document_ref && html` · ${t('paper_ref')}: ${c.document_ref}`}
        ${
          c.active
            ? html` <span class="ok">${t('in_force')}</span>${canWithdraw && asking !== c.id && html` <button class="link" onClick=${() => setAsking(c.id)}>${t('withdraw')}</button>`}
              ${
                asking === c.id &&
                html`<${WithdrawForm} patient=${patient} consent=${c} onCancel=${() => setAsking(null)} onDone=${() => {
                  setAsking(null);
                  onChange();
                }} />`
              }`
            : html` <span class="muted">${t('withdrawn')} ${when(c.withdrawn_at)}: ${c.withdraw_reason}</span>`
        }
      </li>`,
      )}</ul>`
    }
  </section>`;
}

// What the record holds besides its facts: the patient's visits, consultations and signed
// prescriptions, newest first, each a link, in Vietnam time. What the caller's facility took part in
// only (the server decides: docs/api.md).
function useList(path, deps) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setItems(null);
    call('GET', path)
      .then((r) => setItems(r.items))
      .catch((e) => setError(errorText(e)));
  }, deps);
  return { items, error };
}

function RecordList({ title, id, list, row }) {
  return html`<section class="card record-list" aria-labelledby=${id}><h2 id=${id}>${title}</h2>
    ${list.error && html`<p class="error" role="alert">${list.error}</p>`}
    ${
      list.items === null
        ? !list.error && html`<p>${t('loading')}</p>`
        : list.items.length === 0
          ? html`<p class="muted">${t('none')}</p>`
          : html`<ul class="links">${list.items.map((x) => html`<li>${row(x)}</li>`)}</ul>`
    }
  </section>`;
}

function PatientHistory({ p }) {
  const visits = useList(`/api/v1/visits?patient_id=${p.id}&limit=100`, [p.id]);
  const consults = useList(`/api/v1/patients/${p.id}/consults?limit=50`, [p.id]);
  const rx = useList(`/api/v1/patients/${p.id}/prescriptions?limit=50`, [p.id]);
  // The visits list answers oldest first: the record reads newest first.
  const newest = visits.items && { ...visits, items: visits.items.slice().reverse() };
  const when = (iso) => formatDateTime(iso);
  return html`<div class="record-lists">
    <${RecordList} title=${t('rec_visits')} id="rec-visits" list=${newest || visits} row=${(v) =>
      html`<a href=${'#/visits/' + v.id}>${when(v.started_at || v.scheduled_at || v.created_at)}</a>${' · '}${t('state_' + v.state)} · ${v.doctor.full_name}
        <span class="muted">${' · ' + v.reason}</span>`} />
    <${RecordList} title=${t('rec_consults')} id="rec-consults" list=${consults} row=${(c) =>
      html`<a href=${'#/consults/' + c.id}>${when(c.requested_at || c.created_at)}</a>${' · '}${t('cstate_' + c.state)} · ${t('ckind_' + c.kind)}${c.assigned ? ' · ' + c.assigned.name : ''}
        <span class="muted">${' · ' + c.summary}</span>`} />
    <${RecordList} title=${t('rec_prescriptions')} id="rec-rx" list=${rx} row=${(x) =>
      html`<a href=${'#/visits/' + x.visit_id}>${when(x.signature?.at)}</a>${' · '}${x.items.map((it) => `${it.medicine} ${it.strength}`).join(', ')}
        <span class="muted">${` · ${x.signature?.name} · ${t('version')} ${x.version} · `}</span><a href=${`/api/v1/prescriptions/${x.id}/pdf`} target="_blank" rel="noopener">${t('rx_pdf')}</a>`} />
  </div>`;
}

// The reason a consent is withdrawn, typed in the page; a refusal is said next to the field.
function WithdrawForm({ patient, consent, onCancel, onDone }) {
  const [reason, setReason] = useState('');
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = `withdraw_reason_${consent.id}`;
  const submit = async (e) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    setBusy(true);
    try {
      await call('POST', `/api/v1/patients/${patient.id}/consents/${consent.id}/withdraw`, { reason: reason.trim() });
      onDone();
    } catch (err) {
      const placed = placeError(err, { reason: [id, t('withdraw_reason')] });
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form withdraw" onSubmit=${submit} aria-label=${t('withdraw')}>
    <${FormField} as="textarea" id=${id} label=${t('withdraw_reason')} error=${errs[id]} rows="2" required value=${reason} onInput=${(e) => setReason(e.target.value)} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions"><button type="submit" class="danger" disabled=${busy}>${t('withdraw')}</button>
    <button type="button" class="secondary" onClick=${onCancel}>${t('form_cancel')}</button></div>
  </form>`;
}

export function PatientPage({ id, self, user }) {
  const [p, setP] = useState(null);
  const [at, setAt] = useState(null);
  const [error, setError] = useState(null);
  // A patient of the station's day has a copy kept (reads.js): refreshed here, shown without a
  // network with its time; any other record says it cannot be read offline.
  const load = () =>
    read(`/api/v1/patients/${id}`, { save: 'update' })
      .then(({ data, at: copied }) => {
        setP(data);
        setAt(copied);
        setError(null);
      })
      .catch((e) => setError(e.code === 'not_available_offline' ? t('not_available_offline') : errorText(e)));
  useEffect(() => {
    setP(null);
    setError(null);
    load();
    window.scrollTo(0, 0);
    return onOnlineChange((o) => o && load());
  }, [id]);
  if (error)
    return html`<main class="page">${!self && html`<a class="back" href="#/patients">← ${t('back')}</a>`}<p class="error" role="alert">${error}</p></main>`;
  if (!p) return html`<main class="page"><${Pending} /></main>`;
  const rows = [
    [t('ethnicity'), p.ethnicity?.name],
    ['CCCD', p.cccd],
    [t('bhyt'), p.bhyt],
    [t('phone'), p.phone],
    [t('address'), [p.address, p.unit?.name].filter(Boolean).join(', ')],
    [t('guardian'), p.guardian && [p.guardian.name, p.guardian.relation, p.guardian.phone].filter(Boolean).join(' · ')],
    [t('languages'), p.languages.map((l) => t('lang_' + l)).join(', ') + (p.needs_interpreter ? ' — ' + t('needs_interpreter') : '')],
    [t('home_facility'), p.facility.name],
  ].filter(([, v]) => v);
  // The patient's own facility keeps the record: it plans visits, books, queues and records or
  // withdraws consent. Another facility that reads the patient through a share (a visit's doctor,
  // a hub with a case) only reads it, and the server refuses it the rest (docs/api.md); the
  // patient's own account consents and withdraws for themself.
  const home = !self && user && p.facility.id === user.facility?.id;
  return html`<main class="page">
    ${!self && html`<a class="back" href="#/patients">← ${t('back')}</a>`}
    <section class="card">
      <h1>${p.full_name}</h1>
      <${CopyNote} at=${at} />
      <p>${ageLine(p)}</p>
      <${Chips} items=${p.vulnerable} />
      <dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      <p class=${p.consent.remote_care && p.consent.data_processing ? 'ok' : 'error'}>
        ${p.consent.remote_care && p.consent.data_processing ? t('consent_ok') : t('consent_missing')}</p>
    </section>
    ${!self && !home && html`<p class="card muted" role="note">${t('shared_record')}</p>`}
    ${home && html`<div class="actions"><a class="button" href=${'#/visits/new/' + p.id}>${t('plan_visit')}</a></div>`}
    ${home && html`<${QueueButton} patient=${p} />`}
    ${home && html`<a class="button" href=${'#/consults/new/' + p.id}>${t('consult_new')}</a>`}
    ${!self && html`<${Appointments} patientId=${p.id} readOnly=${!home} />`}
    ${(self || home) && html`<${ConsentForm} patient=${p} self=${self} onDone=${load} />`}
    <${ConsentList} patient=${p} canWithdraw=${self || home} onChange=${load} />
    ${!self && html`<${PatientHistory} p=${p} />`}
    ${home && (p.has_account ? html`<p class="card ok">${t('account_exists')}</p>` : html`<${AccountForm} patient=${p} onDone=${load} />`)}
  </main>`;
}

// A patient registered without a network, from the outbox until the server has them: what was
// typed, and what can already be done for them (consent, a consultation draft), each kept for
// after the registration.
function LocalPatient({ id }) {
  useOutbox();
  const e = entry(id);
  // Sent while the page was open: the record on the server replaces it.
  useEffect(() => {
    if (!e && resolvedId(id)) go('patients/' + resolvedId(id));
  });
  if (!e)
    return html`<main class="page"><a class="back" href="#/patients">← ${t('back')}</a>
      <p class="card muted">${t('ob_empty')}</p></main>`;
  const b = e.body;
  const age = b.birth_year
    ? new Date().getFullYear() - b.birth_year
    : b.birth_date
      ? new Date().getFullYear() - Number(b.birth_date.slice(0, 4))
      : 99;
  const patient = { id: localRef(e.id), full_name: b.full_name, age, consent: {} };
  return html`<main class="page">
    <a class="back" href="#/patients">← ${t('back')}</a>
    <section class="card">
      <h1>${b.full_name}</h1>
      <p>${[b.birth_date ? b.birth_date.split('-').reverse().join('/') : b.birth_year, sexName(b.sex)].filter(Boolean).join(' · ')} <${StateChip} e=${e} /></p>
      <${Queued} />
      <p class="muted">${t('ob_local_patient')}</p>
      <p><a href="#/outbox">${t('ob_title')}</a></p>
    </section>
    <a class="button" href=${'#/consults/new/local-' + e.id}>${t('consult_new')}</a>
    <${ConsentForm} patient=${patient} onDone=${() => {}} />
  </main>`;
}

export function Patients({ user }) {
  const r = useRoute(patientRoute);
  if (r === 'new') return html`<${Register} />`;
  if (r?.local) return html`<${LocalPatient} id=${r.local} />`;
  if (typeof r === 'number') return html`<${PatientPage} id=${r} user=${user} />`;
  return html`<${PatientList} />`;
}
