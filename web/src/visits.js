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
import { useDraft } from './drafts.js';
import { Confirm } from './dialog.js';
import { NetButton, NeedsNet, CopyNote, onOnlineChange } from './online.js';
import { read } from './reads.js';
import { send } from './outbox.js';
import { Queued, Waiting } from './outbox_page.js';

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
        <strong><time class="visit-time" datetime=${v.scheduled_at || v.created_at}>${formatTime(v.scheduled_at || v.created_at)}</time> ${v.patient?.full_name}</strong>
        <span class="muted">${t('state_' + v.state)} · ${t('mode_' + v.mode)} · ${t('visit_place')}: ${v.facility.name} · ${t('doctor')}: ${v.doctor.full_name}</span>
        <span class="muted">${v.reason}</span>
      </a></li>`,
      )}</ul>`
    }
  </main>`;
}

function PlanVisit({ patientId, user }) {
  const [patient, setPatient] = useState(null);
  const [doctors, setDoctors] = useState([]);
  const [f, set] = useState({ mode: 'chat', doctor_id: '', at: '', emergency: '' });
  // The reason is what takes typing: kept as a draft until the visit is planned.
  const [reason, setReason, clearReason] = useDraft(user?.id, 'visit-reason', patientId, '');
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
        visitId = (await call('POST', '/api/v1/appointments', { slot_id: slot, patient_id: patientId, reason: reason.trim() })).visit_id;
      } else {
        const body = { patient_id: patientId, doctor_id: Number(f.doctor_id), mode: f.mode, reason: reason.trim() };
        if (f.at) body.scheduled_at = `${f.at}:00+07:00`;
        if (f.emergency.trim()) body.emergency_reason = f.emergency.trim();
        visitId = (await call('POST', '/api/v1/visits', body)).id;
      }
      clearReason();
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
    <${Field} as="textarea" id="reason" label=${t('visit_reason')} error=${errs.reason} required minlength="2" rows="3" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <${Field} id="at" label=${t('visit_time')} error=${errs.at} type="datetime-local" value=${f.at} onInput=${(e) => set({ ...f, at: e.target.value })} />
    <details open=${!!errs.emergency}><summary>${t('emergency')}</summary>
      <${Field} id="emergency" label=${t('emergency_reason')} error=${errs.emergency} value=${f.emergency} onInput=${(e) => set({ ...f, emergency: e.target.value })} />
    </details>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${NetButton} type="submit" disabled=${busy || !f.doctor_id}>${t('plan_visit')}<//>
  </form></main>`;
}

// The measurements' fields by their API name: the input's id and its label.
const vitalFields = () => Object.fromEntries(VITALS.map(([k, u]) => [k, ['v_' + k, `${t('v_' + k)} (${u})`]]));

function Vitals({ v, canWrite, onSaved }) {
  const [f, set] = useState({});
  const [queued, setQueued] = useState(false);
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
      // Kept in the outbox when the link is down, sent once when it returns (docs/web.md).
      const r = await send('vitals', 'POST', `/api/v1/visits/${v.id}/vitals`, body, v.patient.full_name);
      set({});
      setQueued(!!r.queued);
      if (!r.queued) onSaved();
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
    <${Waiting} match=${(x) => x.kind === 'vitals' && x.path === `/api/v1/visits/${v.id}/vitals`} />
    ${queued && html`<${Queued} />`}
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

function Notes({ v, user, onSaved }) {
  const [f, set, clearDraft] = useDraft(user.id, 'visit-notes', v.id, { ...v.notes });
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
      clearDraft();
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
    <${NetButton} type="submit">${t('save_notes')}<//>
  </form>`;
}

// The doctor's notes, read only: after the visit ends, and for the visit's other readers.
function NotesView({ v }) {
  const written = NOTE_KEYS.filter((k) => v.notes[k]);
  if (!written.length) return '';
  return html`<section class="card notes-view" aria-label=${t('notes_readonly')}><h2>${t('notes_readonly')}</h2>
    <dl class="facts">${written.map((k) => html`<dt>${t('note_' + k)}</dt><dd class="note-text">${v.notes[k]}</dd>`)}</dl>
  </section>`;
}

function Diagnoses({ v, canWrite, onSaved }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState([]);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  // Codes of this visit that are not on the remote-care list (Circular 30), as the ICD-10 search
  // says: flagged when chosen and beside the code afterwards, before any prescription is written.
  const [offList, setOffList] = useState({});
  const codes = v.diagnoses.map((d) => d.code).join(',');
  useEffect(() => {
    if (!canWrite) return;
    for (const d of v.diagnoses)
      if (offList[d.code] === undefined)
        call('GET', `/api/v1/icd10?limit=8&q=${encodeURIComponent(d.code)}`)
          .then((r) => {
            const hit = r.items.find((h) => h.code === d.code);
            if (hit) setOffList((o) => ({ ...o, [d.code]: !hit.remote_treatable }));
          })
          .catch(() => {});
  }, [codes, canWrite]);
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
  const add = async (hit) => {
    const code = hit.code;
    setError(null);
    try {
      await call('POST', `/api/v1/visits/${v.id}/diagnoses`, { icd10: code, primary: !v.diagnoses.some((d) => d.primary) });
      setOffList((o) => ({ ...o, [code]: !hit.remote_treatable }));
      setQ('');
      onSaved();
    } catch (err) {
      refused(err);
    }
  };
  const name = (x) => (getLang() === 'en' ? x.name_en || x.name_vi : x.name_vi) || '';
  return html`<section class="card"><h2>${t('diagnoses')}</h2>
    ${v.diagnoses.length ? html`<ul class="links">${v.diagnoses.map((d) => html`<li><strong>${d.code}</strong> ${name(d)}${d.primary ? html` <span class="ok">${t('primary')}</span>` : ''}${offList[d.code] ? html` <span class="flag">${t('not_remote')}</span>` : ''}</li>`)}</ul>` : html`<p class="muted">${t('none')}</p>`}
    ${v.diagnoses
      .filter((d) => offList[d.code])
      .map((d) => html`<p class="warn" role="alert">${t('dx_not_remote_warn').replace('{code}', d.code)}</p>`)}
    ${
      canWrite &&
      html`<${Field} id="icd" label=${t('icd_search')} error=${errs.icd} type="search" value=${q} onInput=${(e) => setQ(e.target.value)} />
      <ul class="links">${hits.map((h) => html`<li><button class="link" onClick=${() => add(h)}>${h.code} — ${name(h)}</button>${h.remote_treatable ? '' : html` <span class="muted">${t('not_remote')}</span>`}</li>`)}</ul>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}

// One medicine as the prescription prints it.
const itemLine = (it) =>
  `${it.medicine} ${it.strength} · ${it.dose}, ${it.frequency} · ${it.duration_days} ${t('rx_days')} · ${it.quantity} ${it.unit || ''}${it.instructions ? ' · ' + it.instructions : ''}`;
const RxItems = ({ items }) => html`<ol class="rx-items">${items.map((it) => html`<li>${itemLine(it)}</li>`)}</ol>`;

function Prescription({ v, onSaved }) {
  const open = v.prescriptions.filter((p) => p.status === 'draft').at(-1);
  // The draft's medicines, read before it is signed; signing asks first, in the page.
  const [draft, setDraft] = useState(null);
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    setDraft(null);
    if (open)
      call('GET', `/api/v1/prescriptions/${open.id}`)
        .then(setDraft)
        .catch((e) => setError(errorText(e)));
  }, [open?.id]);
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
        ? html`<${NetButton} class="link" onClick=${() => act(() => call('POST', `/api/v1/prescriptions/${signed.at(-1).id}/revise`))}>${t('revise_rx')}<//>`
        : open
          ? html`<p>${t('draft_rx')} ${t('version')} ${open.version}</p>
      <h3>${t('rx_draft_items')}</h3>
      ${draft ? html`<${RxItems} items=${draft.items} />` : html`<p>${t('loading')}</p>`}
      <${NetButton} disabled=${!draft} onClick=${() => setAsking(true)}>${t('sign_rx')}<//>
      ${
        asking &&
        html`<${Confirm} title=${t('rx_sign_title')} yes=${t('rx_sign_yes')} onNo=${() => setAsking(false)}
          onYes=${() => {
            setAsking(false);
            act(() => call('POST', `/api/v1/prescriptions/${open.id}/sign`));
          }}>
          <p><strong>${v.patient.full_name}</strong> · ${t('version')} ${open.version}</p>
          ${draft && html`<${RxItems} items=${draft.items} />`}
          <p class="muted">${t('rx_sign_text')}</p>
        <//>`
      }`
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
        <${NetButton} type="submit">${t('save_draft')}<//>
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

// Cancelling a visit or marking a no-show: the reason in a form of the page (not the browser's
// prompt), kept in the visit's history.
function StopForm({ to, onDone, onBack }) {
  const [reason, setReason] = useState('');
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      await onDone(reason.trim());
    } catch (x) {
      setErr(placeError(x, { reason: ['stop_reason', t('reason')] }));
    } finally {
      setBusy(false);
    }
  };
  const title = to === 'cancelled' ? t('visit_cancel_title') : t('visit_no_show_title');
  return html`<form class="form stop-form" onSubmit=${submit} aria-label=${title}>
    <h2>${title}</h2>
    <${Field} as="textarea" id="stop_reason" label=${t('reason')} hint=${t('visit_reason_hint')} error=${err?.field.stop_reason}
      required minlength="2" maxlength="500" rows="2" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    ${err?.general && html`<p class="error" role="alert">${err.general}</p>`}
    <div class="actions">
      <button type="submit" class="danger" disabled=${busy}>${to === 'cancelled' ? t('visit_cancel_yes') : t('visit_no_show_yes')}</button>
      <button type="button" class="secondary" onClick=${onBack}>${t('dlg_cancel')}</button>
    </div>
  </form>`;
}

function VisitScreen({ id, user }) {
  const [v, setV] = useState(null);
  const [at, setAt] = useState(null);
  const [error, setError] = useState(null);
  const [stopping, setStopping] = useState(null);
  // The visit of one of today's appointments is kept for reading offline (reads.js): refreshed
  // here, shown from the copy with its time without a network.
  const load = () =>
    read(`/api/v1/visits/${id}`, { save: 'update' })
      .then(({ data, at: copied }) => {
        setV(data);
        setAt(copied);
        setError(null);
      })
      .catch((e) => setError(e.code === 'not_available_offline' ? t('not_available_offline') : errorText(e)));
  useEffect(() => {
    setV(null);
    setError(null);
    load();
    window.scrollTo(0, 0);
    return onOnlineChange((o) => o && load());
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
  const stop = async (reason) => {
    await call('POST', `/api/v1/visits/${id}/transitions`, { to: stopping, reason });
    setStopping(null);
    await load();
  };
  const move = async (to) => {
    const body = { to };
    if (to === 'cancelled' || to === 'no_show') return setStopping(to);
    try {
      await call('POST', `/api/v1/visits/${id}/transitions`, body);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return html`<main class="page visit-page">
    <a class="back" href="#/visits">← ${t('back')}</a>
    <div class="visit-grid"><div class="visit-side">
    <section class="card">
      <h1>${v.patient.full_name}</h1>
      <${CopyNote} at=${at} />
      <p>${v.patient.birth_year} · ${t('sex_' + v.patient.sex)} · ${t('mode_' + v.mode)}</p>
      <p><strong class="state">${t('state_' + v.state)}</strong> · ${t('doctor')}: ${v.doctor.full_name} (${v.doctor.facility.name})</p>
      <p class="muted">${v.reason}${v.emergency_reason ? ' · ' + t('emergency') + ': ' + v.emergency_reason : ''}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${party && NEXT[v.state] && !stopping && html`<div class="actions">${NEXT[v.state].map((to) => html`<${NetButton} quiet class=${to === 'cancelled' || to === 'no_show' ? 'secondary' : ''} onClick=${() => move(to)}>${t('to_' + to)}<//>`)}<${NeedsNet} /></div>`}
      ${party && stopping && NEXT[v.state]?.includes(stopping) && html`<${StopForm} to=${stopping} onDone=${stop} onBack=${() => setStopping(null)} />`}
      ${atStation && html`<p><a href=${'#/patients/' + v.patient.id}>${t('open_record')}</a></p>`}
      ${!party && html`<p class="muted" role="note">${t('visit_onlooker')}</p>`}
    </section>
    ${party && (live || v.state === 'arrived') && v.mode !== 'chat' && html`<${Call} channel=${'visit:' + v.id} video=${v.mode === 'video' || v.mode === 'assisted'} />`}
    <${Vitals} v=${v} canWrite=${live && party} onSaved=${load} />
    <${History} v=${v} />
    ${party && v.state !== 'cancelled' && html`<div id="chat"><${Chat} channel=${'visit:' + v.id} /></div>`}
    </div><div class="visit-main">
    ${isDoctor && live ? html`<${Notes} v=${v} user=${user} onSaved=${load} />` : html`<${NotesView} v=${v} />`}
    <${Diagnoses} v=${v} canWrite=${isDoctor && live} onSaved=${load} />
    ${isDoctor && (live || v.state === 'finished') && html`<${Prescription} v=${v} onSaved=${load} />`}
    ${!isDoctor && v.prescriptions.filter((p) => p.status === 'signed').map((p) => html`<p class="card"><a href=${`/api/v1/prescriptions/${p.id}/pdf`} target="_blank" rel="noopener">${t('rx_pdf')} (${t('version')} ${p.version})</a></p>`)}
    </div></div>
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
    <${NetButton} type="submit" disabled=${!slot}>${t('book_for_me')}<//>
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
    <${NetButton} type="submit">${t('publish')}<//>
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
  if (r.page === 'new') return html`<${PlanVisit} patientId=${r.patient} user=${user} />`;
  if (r.page === 'visit') return html`<${VisitScreen} id=${r.id} user=${user} />`;
  return html`<${VisitList} />`;
}
