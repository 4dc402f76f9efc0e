// Remote visits: the day's list for a station or a doctor, planning a visit from a patient's
// record, the visit screen (state, vitals, notes, ICD-10 diagnosis, prescription signed and
// printed), and the patient's own visits with their summaries. Routes: #/visits, #/visits/<id>,
// #/visits/new/<patientId>, #/my-visits.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { Chat } from './chat.js';
import { parts, idOf, useRoute, go } from './router.js';
import { lazy, Pending } from './loader.js';
import { call } from './api.js';
import { onChanged } from './live.js';
import { t, getLang } from './i18n.js';
import { errorText, placeError, readDecimal, numberText, Field, formatTime } from './words.js';
import { Appointments, SlotPicker, when, vnToday } from './appointments.js';

const VITALS = [
  ['systolic', 'mmHg'],
  ['diastolic', 'mmHg'],
  ['pulse', '/ph'],
  ['temperature', '°C'],
  ['spo2', '%'],
  ['respiratory_rate', '/ph'],
  ['weight', 'kg'],
  ['height', 'cm'],
  ['glucose', 'mmol/L'],
];
const EMPTY_ITEM = { medicine: '', strength: '', dose: '', frequency: '', duration_days: '', quantity: '', unit: 'viên', instructions: '' };

// The call is fetched when a visit that has one is opened.
const Call = lazy(() => import('./call.js'), 'Call');

// #/visits, #/visits/new/<patient id>, #/visits/<id>.
export const visitRoute = () => {
  const [, what, patient] = parts();
  if (what === 'new' && idOf(patient)) return { page: 'new', patient: idOf(patient) };
  return idOf(what) ? { page: 'visit', id: idOf(what) } : { page: 'list' };
};

function VisitList() {
  const [date, setDate] = useState(vnToday());
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setItems(null);
    call('GET', `/api/v1/visits?limit=100&date=${date}`)
      .then((r) => setItems(r.items))
      .catch((e) => {
        setError(errorText(e));
        setItems([]);
      });
  }, [date]);
  const order = ['in_progress', 'arrived', 'planned', 'finished', 'cancelled', 'no_show'];
  const sorted = (items || []).slice().sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  return html`<main class="page">
    <div class="title-row"><h1>${t('visits_title')}</h1><a class="button" href="#/patients">${t('plan_from_patient')}</a></div>
    <label for="vdate">${t('day')}</label>
    <input id="vdate" type="date" value=${date} onChange=${(e) => setDate(e.target.value || vnToday())} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      items === null
        ? html`<p>${t('loading')}</p>`
        : sorted.length === 0
          ? html`<p class="muted">${t('no_visits')}</p>`
          : html`
      <ul class="facilities visits">${sorted.map(
        (v) => html`<li><a class="facility" href=${'#/visits/' + v.id}>
        <strong>${v.patient?.full_name}</strong>
        <span class="muted">${t('state_' + v.state)} · ${t('mode_' + v.mode)} · ${t('doctor')}: ${v.doctor.full_name}${v.scheduled_at ? ' · ' + when(v.scheduled_at) : ''}</span>
        <span class="muted">${v.reason}</span>
      </a></li>`,
      )}</ul>`
    }
  </main>`;
}

function PlanVisit({ patientId }) {
  const [patient, setPatient] = useState(null);
  const [doctors, setDoctors] = useState([]);
  const [f, set] = useState({ mode: 'chat', reason: '', doctor_id: '', at: '', emergency: '' });
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    call('GET', `/api/v1/patients/${patientId}`)
      .then(setPatient)
      .catch((e) => setError(errorText(e)));
    call('GET', '/api/v1/doctors')
      .then((r) => {
        setDoctors(r.items);
        if (r.items[0]) set((o) => ({ ...o, doctor_id: String(r.items[0].id) }));
      })
      .catch(() => {});
  }, [patientId]);
  const [slot, setSlot] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let visitId;
      if (slot) {
        visitId = (await call('POST', '/api/v1/appointments', { slot_id: slot, patient_id: patientId, reason: f.reason.trim() })).visit_id;
      } else {
        const body = { patient_id: patientId, doctor_id: Number(f.doctor_id), mode: f.mode, reason: f.reason.trim() };
        if (f.at) body.scheduled_at = `${f.at}:00+07:00`;
        if (f.emergency.trim()) body.emergency_reason = f.emergency.trim();
        visitId = (await call('POST', '/api/v1/visits', body)).id;
      }
      go('visits/' + visitId);
    } catch (err) {
      const placed = placeError(err, {
        doctor_id: ['doctor', t('doctor')],
        mode: ['mode_chat', t('visit_mode')],
        reason: ['reason', t('visit_reason')],
        scheduled_at: ['at', t('visit_time')],
        emergency_reason: ['emergency', t('emergency_reason')],
      });
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="page"><form class="card form" onSubmit=${submit}>
    <a class="back" href=${'#/patients/' + patientId}>← ${t('back')}</a>
    <h1>${t('plan_visit')}</h1>
    ${patient && html`<p><strong>${patient.full_name}</strong> · ${patient.birth_year} · ${t('sex_' + patient.sex)}</p>`}
    <${Field} as="select" id="doctor" label=${t('doctor')} error=${errs.doctor} required value=${f.doctor_id} onChange=${(e) => set({ ...f, doctor_id: e.target.value })}>
      ${doctors.map((d) => html`<option value=${d.id}>${d.full_name} — ${d.facility.name}</option>`)}
    <//>
    <fieldset><legend>${t('visit_mode')}</legend>
      ${['chat', 'audio', 'video', 'assisted'].map((m) => html`<label class="check"><input type="radio" id=${'mode_' + m} name="mode" checked=${f.mode === m} onChange=${() => set({ ...f, mode: m })} /> ${t('mode_' + m)}</label>`)}
      ${errs.mode_chat && html`<p class="field-error" role="alert">${errs.mode_chat}</p>`}
    </fieldset>
    <fieldset><legend>${t('book_slot')}</legend>
      <${SlotPicker} doctor=${f.doctor_id} name="slot" slot=${slot} setSlot=${setSlot} />
    </fieldset>
    <${Field} as="textarea" id="reason" label=${t('visit_reason')} error=${errs.reason} required minlength="2" rows="3" value=${f.reason} onInput=${(e) => set({ ...f, reason: e.target.value })} />
    <${Field} id="at" label=${t('visit_time')} error=${errs.at} type="datetime-local" value=${f.at} onInput=${(e) => set({ ...f, at: e.target.value })} />
    <details open=${!!errs.emergency}><summary>${t('emergency')}</summary>
      <${Field} id="emergency" label=${t('emergency_reason')} error=${errs.emergency} value=${f.emergency} onInput=${(e) => set({ ...f, emergency: e.target.value })} />
    </details>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit" disabled=${busy || !f.doctor_id}>${t('plan_visit')}</button>
  </form></main>`;
}

// The measurements' fields by their API name: the input's id and its label.
const vitalFields = () => Object.fromEntries(VITALS.map(([k, u]) => [k, ['v_' + k, `${t('v_' + k)} (${u})`]]));

function Vitals({ v, canWrite, onSaved }) {
  const [f, set] = useState({});
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const show = (err) => {
    const placed = placeError(err, vitalFields());
    setErrs(placed.field);
    setError(placed.general);
  };
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setErrs({});
    const body = {};
    // "36,8" and "36.8" are 36.8; anything ambiguous is refused here, next to its field.
    for (const [k] of VITALS) {
      const read = readDecimal(f[k]);
      if (read.error) return show({ code: read.error, field: k });
      if (read.value !== undefined) body[k] = read.value;
    }
    try {
      await call('POST', `/api/v1/visits/${v.id}/vitals`, body);
      set({});
      onSaved();
    } catch (err) {
      show(err);
    }
  };
  return html`<section class="card"><h2>${t('vitals')}</h2>
    ${
      v.vitals.length
        ? html`<ul class="links">${v.vitals.map(
            (x) => html`<li>${when(x.at)} · ${x.recorded_by.name}:
      ${VITALS.filter(([k]) => x[k] !== null).map(([k, u]) => html` <span class="chip">${t('v_' + k)} ${numberText(x[k])} ${u}</span>`)}</li>`,
          )}</ul>`
        : html`<p class="muted">${t('none')}</p>`
    }
    ${
      canWrite &&
      html`<form class="form" onSubmit=${save} aria-label=${t('vitals')}>
      <div class="vitals-grid">${VITALS.map(
        ([k, u]) => html`<${Field} id=${'v_' + k} label=${`${t('v_' + k)} (${u})`} error=${errs['v_' + k]}
        type="text" inputmode="decimal" autocomplete="off" value=${f[k] ?? ''} onInput=${(e) => set({ ...f, [k]: e.target.value })} />`,
      )}</div>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit">${t('save_vitals')}</button>
    </form>`
    }
  </section>`;
}

const NOTE_KEYS = ['subjective', 'objective', 'assessment', 'plan'];

function Notes({ v, onSaved }) {
  const [f, set] = useState({ ...v.notes });
  const [msg, setMsg] = useState(null);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setMsg(null);
    setErrs({});
    setError(null);
    try {
      const body = {};
      for (const k of NOTE_KEYS) if ((f[k] ?? '') !== (v.notes[k] ?? '')) body[k] = f[k] || null;
      if (Object.keys(body).length) await call('PUT', `/api/v1/visits/${v.id}/notes`, body);
      setMsg(t('saved'));
      onSaved();
    } catch (err) {
      const placed = placeError(err, Object.fromEntries(NOTE_KEYS.map((k) => [k, ['n_' + k, t('note_' + k)]])));
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  return html`<form class="card form" onSubmit=${save} aria-label=${t('notes')}><h2>${t('notes')}</h2>
    ${NOTE_KEYS.map(
      (k) =>
        html`<${Field} as="textarea" id=${'n_' + k} label=${t('note_' + k)} error=${errs['n_' + k]} rows="2" value=${f[k] ?? ''} onInput=${(e) => set({ ...f, [k]: e.target.value })} />`,
    )}
    ${msg && html`<p role="status">${msg}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit">${t('save_notes')}</button>
  </form>`;
}

function Diagnoses({ v, canWrite, onSaved }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState([]);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  // The search and the code chosen are both said next to the search field.
  const refused = (err) => {
    const placed = placeError(err, { q: ['icd', t('icd_search')], icd10: ['icd', t('icd_search')] });
    setErrs(placed.field);
    setError(placed.general);
  };
  useEffect(() => {
    setErrs({});
    if (!q.trim()) {
      setHits([]);
      return undefined;
    }
    const timer = setTimeout(
      () =>
        call('GET', `/api/v1/icd10?limit=8&q=${encodeURIComponent(q.trim())}`)
          .then((r) => setHits(r.items))
          .catch((err) => (err.status ? refused(err) : undefined)),
      250,
    );
    return () => clearTimeout(timer);
  }, [q]);
  const add = async (code) => {
    setError(null);
    try {
      await call('POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: code, primary: !v.diagnoses.some((d) => d.primary) });
      setQ('');
      onSaved();
    } catch (err) {
      refused(err);
    }
  };
  const name = (x) => (getLang() === 'en' ? x.name_en || x.name_vi : x.name_vi) || '';
  return html`<section class="card"><h2>${t('diagnoses')}</h2>
    ${v.diagnoses.length ? html`<ul class="links">${v.diagnoses.map((d) => html`<li><strong>${d.code}</strong> ${name(d)}${d.primary ? html` <span class="ok">${t('primary')}</span>` : ''}</li>`)}</ul>` : html`<p class="muted">${t('none')}</p>`}
    ${
      canWrite &&
      html`<${Field} id="icd" label=${t('icd_search')} error=${errs.icd} type="search" value=${q} onInput=${(e) => setQ(e.target.value)} />
      <ul class="links">${hits.map((h) => html`<li><button class="link" onClick=${() => add(h.code)}>${h.code} — ${name(h)}</button>${h.remote_treatable ? '' : html` <span class="muted">${t('not_remote')}</span>`}</li>`)}</ul>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}

function Prescription({ v, onSaved }) {
  const open = v.prescriptions.filter((p) => p.status === 'draft').at(-1);
  const [items, setItems] = useState([{ ...EMPTY_ITEM }]);
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const setItem = (i, k, val) => setItems(items.map((it, j) => (j === i ? { ...it, [k]: val } : it)));
  // An item's field by its API path ("items[1].quantity"): the input of that item.
  const rxFields = Object.fromEntries(
    ['medicine', 'strength', 'dose', 'frequency', 'duration_days', 'quantity', 'unit', 'instructions'].map((k) => [
      `items[].${k}`,
      [(path) => `rx_${/\[(\d+)\]/.exec(path)[1]}_${k}`, t('rx_' + k)],
    ]),
  );
  rxFields.items = ['rx_0_medicine', t('rx_items')];
  const body = () => ({
    items: items.map((it) => {
      const o = { ...it, duration_days: Number(it.duration_days), quantity: Number(it.quantity) };
      if (!o.instructions) delete o.instructions;
      if (!o.unit) delete o.unit;
      return o;
    }),
  });
  const act = async (fn) => {
    setError(null);
    setErrs({});
    try {
      await fn();
      onSaved();
    } catch (err) {
      const placed = placeError(err, rxFields);
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  const signed = v.prescriptions.filter((p) => p.status === 'signed');
  return html`<section class="card"><h2>${t('prescription')}</h2>
    ${signed.map((p) => html`<p>${t('signed_rx')} ${t('version')} ${p.version} · ${when(p.signed_at)} · <a href=${`/api/v1/prescriptions/${p.id}/pdf`} target="_blank" rel="noopener">${t('rx_pdf')}</a></p>`)}
    ${
      !open && signed.length > 0
        ? html`<button class="link" onClick=${() => act(() => call('POST', `/api/v1/prescriptions/${signed.at(-1).id}/revise`))}>${t('revise_rx')}</button>`
        : open
          ? html`<p>${t('draft_rx')} ${t('version')} ${open.version}</p>
      <button onClick=${() => act(() => call('POST', `/api/v1/prescriptions/${open.id}/sign`))}>${t('sign_rx')}</button>`
          : html`
      <form class="form" aria-label=${t('prescription')} onSubmit=${(e) => {
        e.preventDefault();
        act(() => call('POST', `/api/v1/visits/${v.id}/prescriptions`, body()));
      }}>
        ${items.map(
          (it, i) => html`<fieldset><legend>${t('medicine')} ${i + 1}</legend>
          <div class="two">
            ${['medicine', 'strength', 'dose', 'frequency', 'duration_days', 'quantity', 'unit', 'instructions'].map(
              (k) => html`
              <${Field} id=${`rx_${i}_${k}`} label=${t('rx_' + k)} error=${errs[`rx_${i}_${k}`]} type=${k === 'duration_days' || k === 'quantity' ? 'number' : 'text'}
                required=${k !== 'instructions' && k !== 'unit'} value=${it[k]} onInput=${(e) => setItem(i, k, e.target.value)} />`,
            )}
          </div></fieldset>`,
        )}
        <div class="actions"><button type="button" class="link" onClick=${() => setItems([...items, { ...EMPTY_ITEM }])}>${t('add_medicine')}</button></div>
        <button type="submit">${t('save_draft')}</button>
      </form>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}

const NEXT = {
  planned: ['arrived', 'in_progress', 'cancelled', 'no_show'],
  arrived: ['in_progress', 'cancelled', 'no_show'],
  in_progress: ['finished'],
};

// Earlier visits of the same patient that the caller's facility took part in: the doctor's history.
function History({ v }) {
  const [items, setItems] = useState(null);
  useEffect(() => {
    call('GET', `/api/v1/visits?patient_id=${v.patient.id}&limit=50`)
      .then((r) => setItems(r.items.filter((x) => x.id !== v.id).reverse()))
      .catch(() => setItems([]));
  }, [v.id]);
  if (!items || items.length === 0) return '';
  return html`<section class="card"><h2>${t('history')}</h2><ul class="links">${items.slice(0, 10).map(
    (x) => html`<li>
    <a href=${'#/visits/' + x.id}>${when(x.started_at || x.scheduled_at || x.created_at)}</a> · ${t('state_' + x.state)} · ${x.doctor.full_name}
    <span class="muted"> · ${x.reason}</span></li>`,
  )}</ul></section>`;
}

function VisitScreen({ id, user }) {
  const [v, setV] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    call('GET', `/api/v1/visits/${id}`)
      .then((x) => {
        setV(x);
        setError(null);
      })
      .catch((e) => setError(errorText(e)));
  useEffect(() => {
    setV(null);
    load();
    window.scrollTo(0, 0);
  }, [id]);
  // Started, notes saved, the prescription signed by the other side: refetched in place (the
  // forms below keep what is typed in them). Only the visit's people get into its channel.
  useEffect(
    () =>
      onChanged(`visit:${id}`, () =>
        call('GET', `/api/v1/visits/${id}`)
          .then((x) => {
            setV(x);
            setError(null);
          })
          .catch(() => {}),
      ),
    [id],
  );
  if (!v) return html`<main class="page">${error ? html`<p class="error" role="alert">${error}</p>` : html`<${Pending} />`}</main>`;
  const isDoctor = user.id === v.doctor.id;
  const atStation = user.facility?.id === v.facility.id;
  // The visit's people: its doctor and the patient's station (the patient has My visits). Anyone
  // else who reads it (the doctor's colleagues while it is open, a facility the patient is shared
  // with) reads the record only; the server keeps them out of its chat and call (docs/realtime.md).
  const party = isDoctor || atStation;
  const live = v.state === 'in_progress';
  const move = async (to) => {
    const body = { to };
    if (to === 'cancelled' || to === 'no_show') {
      const reason = window.prompt(t('reason_prompt'));
      if (!reason || reason.trim().length < 2) return;
      body.reason = reason.trim();
    }
    try {
      await call('POST', `/api/v1/visits/${id}/transitions`, body);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return html`<main class="page">
    <a class="back" href="#/visits">← ${t('back')}</a>
    <section class="card">
      <h1>${v.patient.full_name}</h1>
      <p>${v.patient.birth_year} · ${t('sex_' + v.patient.sex)} · ${t('mode_' + v.mode)}</p>
      <p><strong class="state">${t('state_' + v.state)}</strong> · ${t('doctor')}: ${v.doctor.full_name} (${v.doctor.facility.name})</p>
      <p class="muted">${v.reason}${v.emergency_reason ? ' · ' + t('emergency') + ': ' + v.emergency_reason : ''}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${party && NEXT[v.state] && html`<div class="actions">${NEXT[v.state].map((to) => html`<button class=${to === 'cancelled' || to === 'no_show' ? 'link' : ''} onClick=${() => move(to)}>${t('to_' + to)}</button>`)}</div>`}
      ${atStation && html`<p><a href=${'#/patients/' + v.patient.id}>${t('open_record')}</a></p>`}
      ${!party && html`<p class="muted" role="note">${t('visit_onlooker')}</p>`}
    </section>
    ${party && (live || v.state === 'arrived') && v.mode !== 'chat' && html`<${Call} channel=${'visit:' + v.id} video=${v.mode === 'video' || v.mode === 'assisted'} />`}
    ${party && v.state !== 'cancelled' && html`<div id="chat"><${Chat} channel=${'visit:' + v.id} /></div>`}
    <${History} v=${v} />
    <${Vitals} v=${v} canWrite=${live && party} onSaved=${load} />
    ${isDoctor && live && html`<${Notes} v=${v} onSaved=${load} />`}
    <${Diagnoses} v=${v} canWrite=${isDoctor && live} onSaved=${load} />
    ${isDoctor && (live || v.state === 'finished') && html`<${Prescription} v=${v} onSaved=${load} />`}
    ${!isDoctor && v.prescriptions.filter((p) => p.status === 'signed').map((p) => html`<p class="card"><a href=${`/api/v1/prescriptions/${p.id}/pdf`} target="_blank" rel="noopener">${t('rx_pdf')} (${t('version')} ${p.version})</a></p>`)}
  </main>`;
}

// A patient books a free slot of a doctor of their station's network for themself.
function BookForMe({ user, onBooked }) {
  const [doctors, setDoctors] = useState([]);
  const [doctor, setDoctor] = useState('');
  const [slot, setSlot] = useState(null);
  const [version, setVersion] = useState(0);
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => {
    call('GET', '/api/v1/doctors')
      .then((r) => {
        setDoctors(r.items);
        if (r.items[0]) setDoctor(String(r.items[0].id));
      })
      .catch(() => {});
  }, []);
  const [errs, setErrs] = useState({});
  const submit = async (e) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    try {
      await call('POST', '/api/v1/appointments', { slot_id: slot, patient_id: user.patient_id, reason: reason.trim() });
      setReason('');
      setVersion(version + 1);
      onBooked();
    } catch (err) {
      const placed = placeError(err, { reason: ['breason', t('visit_reason')], doctor_id: ['bdoctor', t('doctor')] });
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  return html`<form class="card form" onSubmit=${submit} aria-label=${t('book_for_me')}>
    <h2>${t('book_for_me')}</h2>
    <${Field} as="select" id="bdoctor" label=${t('doctor')} error=${errs.bdoctor} value=${doctor} onChange=${(e) => setDoctor(e.target.value)}>
      ${doctors.map((d) => html`<option value=${d.id}>${d.full_name} — ${d.facility.name}</option>`)}
    </${Field}>
    <${SlotPicker} doctor=${doctor} name="b" slot=${slot} setSlot=${setSlot} version=${version} />
    <${Field} id="breason" label=${t('visit_reason')} error=${errs.breason} required minlength="2" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit" disabled=${!slot}>${t('book_for_me')}</button>
  </form>`;
}

// A doctor's own availability: publish a block of a day cut into slots, see the day's slots.
export function MySchedule({ user }) {
  const [f, set] = useState({ day: vnToday(), from: '08:00', to: '11:00', minutes: '15', mode: 'video', weeks: '1' });
  const [slots, setSlots] = useState([]);
  const [msg, setMsg] = useState(null);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const load = () =>
    call('GET', `/api/v1/slots?doctor_id=${user.id}&date=${f.day}`)
      .then((r) => setSlots(r.items))
      .catch(() => setSlots([]));
  useEffect(() => {
    load();
  }, [f.day]);
  const submit = async (e) => {
    e.preventDefault();
    setMsg(null);
    setErrs({});
    setError(null);
    try {
      const s = await call('POST', '/api/v1/schedules', {
        start: `${f.day}T${f.from}:00+07:00`,
        end: `${f.day}T${f.to}:00+07:00`,
        slot_minutes: Number(f.minutes),
        mode: f.mode,
        repeat_weeks: Number(f.weeks),
      });
      setMsg(`${t('published')}: ${s.slots * s.series.length}`);
      load();
    } catch (err) {
      // The block is the day and its two times: a refused start or end is said at its time.
      const placed = placeError(err, {
        start: ['sfrom', t('from')],
        end: ['sto', t('to')],
        slot_minutes: ['smin', t('slot_minutes')],
        mode: ['smode', t('visit_mode')],
        repeat_weeks: ['sweeks', t('repeat_weeks')],
      });
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  const time = formatTime;
  return html`<main class="page"><form class="card form" onSubmit=${submit} aria-label=${t('tile_schedule')}>
    <h1>${t('tile_schedule')}</h1>
    <${Field} id="sday" label=${t('day')} type="date" value=${f.day} onChange=${(e) => set({ ...f, day: e.target.value || vnToday() })} />
    <div class="two">
      <div><${Field} id="sfrom" label=${t('from')} error=${errs.sfrom} type="time" value=${f.from} onInput=${(e) => set({ ...f, from: e.target.value })} /></div>
      <div><${Field} id="sto" label=${t('to')} error=${errs.sto} type="time" value=${f.to} onInput=${(e) => set({ ...f, to: e.target.value })} /></div>
    </div>
    <div class="two">
      <div><${Field} id="smin" label=${t('slot_minutes')} error=${errs.smin} type="number" min="5" max="120" value=${f.minutes} onInput=${(e) => set({ ...f, minutes: e.target.value })} /></div>
      <div><${Field} as="select" id="smode" label=${t('visit_mode')} error=${errs.smode} value=${f.mode} onChange=${(e) => set({ ...f, mode: e.target.value })}>
        ${['video', 'audio', 'chat', 'assisted'].map((m) => html`<option value=${m}>${t('mode_' + m)}</option>`)}</${Field}></div>
    </div>
    <${Field} as="select" id="sweeks" label=${t('repeat_weeks')} error=${errs.sweeks} value=${f.weeks} onChange=${(e) => set({ ...f, weeks: e.target.value })}>
      ${['1', '2', '4', '8', '12'].map((w) => html`<option value=${w}>${w === '1' ? t('weeks_1') : w + ' ' + t('weeks_n')}</option>`)}</${Field}>
    ${msg && html`<p role="status">${msg}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit">${t('publish')}</button>
  </form>
  <section class="card"><h2>${t('slots_of_day')}</h2>
    ${slots.length === 0 ? html`<p class="muted">${t('none')}</p>` : html`<ul class="chips slot-list">${slots.map((x) => html`<li class=${x.booked ? 'booked' : ''}>${time(x.start)}${x.booked ? ' · ' + t('booked') : ''}</li>`)}</ul>`}
  </section></main>`;
}

// A patient's own visits, each with the summary the doctor left.
export function MyVisits({ user }) {
  const [items, setItems] = useState(null);
  const [open, setOpen] = useState({});
  const [error, setError] = useState(null);
  const [notes, setNotes] = useState([]);
  const [booked, setBooked] = useState(0);
  const load = () => {
    call('GET', '/api/v1/visits?limit=50')
      .then((r) => setItems(r.items.reverse()))
      .catch((e) => setError(errorText(e)));
    call('GET', '/api/v1/notifications?limit=20')
      .then((r) => setNotes(r.items.reverse()))
      .catch(() => {});
  };
  useEffect(load, []);
  const show = async (v) => {
    try {
      const [s, full] = await Promise.all([call('GET', `/api/v1/visits/${v.id}/summary`), call('GET', `/api/v1/visits/${v.id}`)]);
      setOpen({ ...open, [v.id]: { text: s.text_vi, rx: full.prescriptions } });
    } catch (e) {
      setError(errorText(e));
    }
  };
  return html`<main class="page"><h1>${t('tile_my_visits')}</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${user?.patient_id && html`<${Appointments} version=${booked} onChange=${load} />`}
    ${
      user?.patient_id &&
      html`<${BookForMe} user=${user} onBooked=${() => {
        setBooked(booked + 1);
        load();
      }} />`
    }
    ${
      notes.length > 0 &&
      html`<section class="card" aria-label=${t('notifications')}><h2>${t('notifications')}</h2>
      <ul class="links">${notes.map((n) => html`<li class=${n.read_at ? 'muted' : ''}>${n.text}</li>`)}</ul></section>`
    }
    ${
      items === null
        ? html`<p>${t('loading')}</p>`
        : items.length === 0
          ? html`<p class="muted">${t('no_visits')}</p>`
          : items.map(
              (v) => html`<section class="card">
      <h2>${when(v.scheduled_at || v.created_at)} · ${t('state_' + v.state)}</h2>
      <p>${t('doctor')}: ${v.doctor.full_name} (${v.doctor.facility.name}) · ${t('mode_' + v.mode)}</p>
      ${
        open[v.id]
          ? html`<pre class="summary">${open[v.id].text}</pre>
        ${open[v.id].rx.map((p) => html`<p><a href=${`/api/v1/prescriptions/${p.id}/pdf`} target="_blank" rel="noopener">${t('rx_pdf')} (${t('version')} ${p.version})</a></p>`)}`
          : html`<button onClick=${() => show(v)}>${t('see_summary')}</button>`
      }
    </section>`,
            )
    }
  </main>`;
}

export function Visits({ user }) {
  const r = useRoute(visitRoute);
  if (r.page === 'new') return html`<${PlanVisit} patientId=${r.patient} />`;
  if (r.page === 'visit') return html`<${VisitScreen} id=${r.id} user=${user} />`;
  return html`<${VisitList} />`;
}
