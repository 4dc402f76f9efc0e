// Remote consultation (hội chẩn từ xa) on screen: the station opens a case from a phone with its
// images (uploads that survive a dropped link), the hub's inbox puts emergencies first and shows
// how long each case has waited, and the case page carries it through: accept, opinions, the
// chair's conclusion and signature, the minutes PDF, the requester's outcome.
// Routes: #/consults, #/consults/new[/<patient id>], #/consults/<id>.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { Chat } from './chat.js';
import { parts, idOf, useRoute, go } from './router.js';
import { lazy, Pending } from './loader.js';
import { call } from './api.js';
import { t, getLang, duration } from './i18n.js';
import { errorText, placeError, Field, enumText } from './words.js';
import { when as at } from './appointments.js';
import { upload } from './upload.js';
import { onChanged, onFacilityChanged } from './live.js';
import { useDraft } from './drafts.js';
import { ImageViewer } from './viewer.js';
import { NetButton, useOnline } from './online.js';
import { send, entry, localRef, useOutbox } from './outbox.js';
import { Queued, Waiting } from './outbox_page.js';

const when = (iso) => at(iso) || '—';
const URGENCIES = ['emergency', 'urgent', 'routine'];
const KINDS = ['imaging', 'general', 'ecg', 'pathology', 'surgical'];

// The video room is fetched when a case that has one is opened.
const Room = lazy(() => import('./room.js'), 'Room');

// The consultation pages follow the address: #/consults, #/consults/new[/<patient id>], #/consults/<id>.
export const consultRoute = () => {
  const [, what, patient] = parts();
  // A patient registered offline is "local-<outbox entry>" until the server has them.
  if (what === 'new') return { page: 'new', patient: idOf(patient) ?? (/^local-\d+$/.test(patient || '') ? patient : null) };
  return idOf(what) ? { page: 'case', id: idOf(what) } : { page: 'list' };
};

const Urgency = ({ u }) => html`<span class=${'urgency u-' + u}>${t('urgency_' + u)}</span>`;

export function ConsultList({ user }) {
  const hub = user.role === 'doctor' || user.role === 'specialist';
  const [box, setBox] = useState(hub ? 'inbox' : 'outbox');
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setItems(null);
    call('GET', `/api/v1/consults?box=${box}&limit=100`)
      .then((r) => {
        setItems(r.items);
        setError(null);
      })
      .catch((e) => {
        setItems([]);
        setError(errorText(e));
      });
  }, [box]);
  // A case entering or leaving this facility's box refetches the list in place (no loading line).
  useEffect(
    () =>
      onFacilityChanged([box], () =>
        call('GET', `/api/v1/consults?box=${box}&limit=100`)
          .then((r) => {
            setItems(r.items);
            setError(null);
          })
          .catch(() => {}),
      ),
    [box],
  );
  return html`<main class="page">
    <div class="title-row"><h1>${t('consults_title')}</h1><a class="button" href="#/consults/new">${t('consult_new')}</a></div>
    <div class="tabs" role="tablist">
      ${['inbox', 'outbox'].map((b) => html`<button role="tab" aria-selected=${box === b} class=${box === b ? '' : 'link'} onClick=${() => setBox(b)}>${t('consult_' + b)}</button>`)}
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${box === 'outbox' && html`<${Waiting} match=${(x) => x.kind === 'consult'} />`}
    ${
      items === null
        ? html`<p>${t('loading')}</p>`
        : items.length === 0
          ? html`<p class="muted">${t('consult_none')}</p>`
          : html`
      <ul class="facilities consults">${items.map(
        (c) => html`<li><a class="facility" href=${'#/consults/' + c.id}>
        <strong><${Urgency} u=${c.urgency} /> ${c.patient.full_name} · ${t('ckind_' + c.kind)}</strong>
        <span class="muted">${box === 'inbox' ? c.requester.name : c.assigned?.name || t('consult_not_sent')} · ${t('cstate_' + c.state)}
          ${c.waiting_minutes !== null ? html` · <b class="waiting">${t('consult_waiting')} ${duration(c.waiting_minutes)}</b>` : ''}
          ${c.escalation_level ? html` · ${t('consult_escalated')}` : ''}</span>
        <span class="muted clip">${c.summary}</span>
      </a></li>`,
      )}</ul>`
    }
  </main>`;
}

// One chosen file and how its upload goes.
function FileRow({ f }) {
  return html`<li class="upload">
    <span>${f.file.name} (${Math.ceil(f.file.size / 1024)} KB)</span>
    ${
      f.error
        ? html`<span class="error">${f.error}</span>`
        : f.id
          ? html`<span class="ok">${t('upload_done')}</span>`
          : html`<progress max=${f.file.size} value=${f.sent} aria-label=${t('upload_progress')}></progress>
          <span class="muted">${Math.floor((100 * f.sent) / Math.max(1, f.file.size))}%${f.state === 'retrying' ? ' · ' + t('upload_retrying') : ''}</span>`
    }
  </li>`;
}

function PatientPicker({ value, onPick }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState([]);
  useEffect(() => {
    if (!q.trim()) return setItems([]);
    const timer = setTimeout(
      () =>
        call('GET', '/api/v1/patients?limit=8&q=' + encodeURIComponent(q.trim()))
          .then((r) => setItems(r.items))
          .catch(() => setItems([])),
      250,
    );
    return () => clearTimeout(timer);
  }, [q]);
  if (value)
    return html`<p><strong>${value.full_name}</strong> · ${value.birth_year} <button type="button" class="link" onClick=${() => onPick(null)}>${t('change')}</button></p>`;
  return html`<label for="cp">${t('consult_patient')}</label>
    <input id="cp" type="search" value=${q} placeholder=${t('patient_search')} onInput=${(e) => setQ(e.target.value)} />
    <ul class="links">${items.map((p) => html`<li><button type="button" class="link" onClick=${() => onPick(p)}>${p.full_name} · ${p.birth_year}</button></li>`)}</ul>`;
}

const SPECIALTIES = 'ytexa.specialties';
const EMPTY_CONSULT = { urgency: 'urgent', kind: 'imaging', specialty: 'imaging', summary: '', questions: [''] };
// The case form's fields by their API path: the input's id and its label.
const consultFields = () => ({
  patient_id: ['cp', t('consult_patient')],
  urgency: ['urgency', t('consult_urgency')],
  kind: ['kind', t('consult_kind')],
  specialty: ['specialty', t('consult_specialty')],
  summary: ['summary', t('consult_summary')],
  'questions[]': [(path) => 'q' + /\[(\d+)\]/.exec(path)[1], t('consult_question')],
});
// A refusal of the form itself, placed like the server's.
class ApiErrorLike extends Error {
  constructor(code, field, message) {
    super(message);
    Object.assign(this, { status: 400, code, field, detail: {} });
  }
}

export function NewConsult({ patientId }) {
  const [patient, setPatient] = useState(null);
  const [specialties, setSpecialties] = useState([]);
  const [form, setForm] = useState(EMPTY_CONSULT);
  const [files, setFiles] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const [queued, setQueued] = useState(false);
  // A patient registered offline is read from the outbox, which may still be opening.
  const kept = useOutbox().length;
  useEffect(() => {
    // The list of specialties is kept for a form opened without a network (it is no one's data).
    const kept = JSON.parse(localStorage.getItem(SPECIALTIES) || 'null');
    if (kept) setSpecialties(kept);
    call('GET', '/api/v1/specialties')
      .then((r) => {
        setSpecialties(r.items);
        localStorage.setItem(SPECIALTIES, JSON.stringify(r.items));
      })
      .catch(() => {});
    const local = typeof patientId === 'string' && entry(Number(patientId.slice(6)));
    if (local)
      setPatient({
        id: localRef(local.id),
        full_name: local.body.full_name,
        birth_year: local.body.birth_year ?? local.body.birth_date?.slice(0, 4),
      });
    else if (patientId)
      call('GET', `/api/v1/patients/${patientId}`)
        .then(setPatient)
        .catch(() => {});
  }, [patientId, kept]);
  const set = (k, v) => setForm({ ...form, [k]: v });
  // Files are sent as they are chosen: that waits for the network.
  const online = useOnline();
  // Each file starts uploading as soon as it is chosen; the form waits for all of them.
  const choose = (list) => {
    for (const file of list) {
      const entry = { file, sent: 0, state: 'sending', id: null, error: null };
      setFiles((old) => [...old, entry]);
      const update = (patch) => setFiles((old) => old.map((x) => (x.file === file ? { ...x, ...patch } : x)));
      entry.done = upload(file, (sent, total, state) => update({ sent, state }))
        .then((id) => {
          update({ id });
          return id;
        })
        .catch((e) => {
          update({ error: e.message });
          return null;
        });
    }
  };
  const submit = async (submitted) => {
    setBusy(true);
    setError(null);
    setErrs({});
    setQueued(false);
    try {
      if (!patient) throw new ApiErrorLike('required', 'patient_id', t('consult_pick_patient'));
      const ids = (await Promise.all(files.map((f) => f.done ?? f.id))).filter(Boolean);
      const body = {
        patient_id: patient.id,
        summary: form.summary.trim(),
        urgency: form.urgency,
        specialty: form.specialty,
        kind: form.kind,
        questions: form.questions.map((q) => q.trim()).filter(Boolean),
        file_ids: ids,
        submit: submitted,
      };
      // A draft is kept in the outbox when the link is down and sent once when it returns; sending
      // the case to the hub needs the network (its files, its people waiting).
      if (submitted) return go('consults/' + (await call('POST', '/api/v1/consults', body)).id);
      const r = await send('consult', 'POST', '/api/v1/consults', body, patient.full_name);
      if (!r.queued) return go('consults/' + r.data.id);
      setQueued(true);
      setForm(EMPTY_CONSULT);
    } catch (e) {
      const placed = placeError(e, consultFields(form.questions));
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="page">
    <a class="back" href="#/consults">← ${t('consults_title')}</a>
    <form class="card form" onSubmit=${(e) => {
      e.preventDefault();
      submit(true);
    }}>
      <h1>${t('consult_new')}</h1>
      <${PatientPicker} value=${patient} onPick=${setPatient} />
      ${errs.cp && html`<p class="field-error" role="alert">${errs.cp}</p>`}
      <div class="two">
        <div><${Field} as="select" id="urgency" label=${t('consult_urgency')} error=${errs.urgency} value=${form.urgency} onChange=${(e) => set('urgency', e.target.value)}>
            ${URGENCIES.map((u) => html`<option value=${u}>${t('urgency_' + u)}</option>`)}<//></div>
        <div><${Field} as="select" id="kind" label=${t('consult_kind')} error=${errs.kind} value=${form.kind} onChange=${(e) => set('kind', e.target.value)}>
            ${KINDS.map((k) => html`<option value=${k}>${t('ckind_' + k)}</option>`)}<//></div>
      </div>
      <${Field} as="select" id="specialty" label=${t('consult_specialty')} error=${errs.specialty} value=${form.specialty} onChange=${(e) => set('specialty', e.target.value)}>
        ${specialties.map((s) => html`<option value=${s.code}>${getLang() === 'en' ? s.name_en : s.name_vi}</option>`)}<//>
      <${Field} as="textarea" id="summary" label=${t('consult_summary')} error=${errs.summary} rows="5" required minlength="10" value=${form.summary} onInput=${(e) => set('summary', e.target.value)} />
      <fieldset><legend>${t('consult_questions')}</legend>
        ${form.questions.map(
          (q, i) =>
            html`<${Field} id=${'q' + i} label=${`${t('consult_question')} ${i + 1}`} error=${errs['q' + i]} value=${q} onInput=${(e) =>
              set(
                'questions',
                form.questions.map((x, k) => (k === i ? e.target.value : x)),
              )} />`,
        )}
        ${form.questions.length < 10 && html`<button type="button" class="link" onClick=${() => set('questions', [...form.questions, ''])}>+ ${t('consult_add_question')}</button>`}
      </fieldset>
      <fieldset><legend>${t('consult_files')}</legend>
        <label for="files" class="sr">${t('consult_files')}</label>
        <input id="files" type="file" multiple accept="image/jpeg,image/png,application/pdf,application/dicom,.dcm,video/mp4,video/webm"
          disabled=${!online} title=${online ? undefined : t('needs_network')} onChange=${(e) => {
            choose([...e.target.files]);
            e.target.value = '';
          }} />
        <p class="muted">${online ? t('consult_files_hint') : t('needs_network')}</p>
        <ul class="uploads">${files.map((f) => html`<${FileRow} f=${f} />`)}</ul>
      </fieldset>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${queued && html`<${Queued} />`}
      <${Waiting} match=${(x) => x.kind === 'consult'} />
      <div class="actions">
        <button type="submit" disabled=${busy}>${t('consult_send')}</button>
        <button type="button" class="link" disabled=${busy} onClick=${() => submit(false)}>${t('consult_save_draft')}</button>
      </div>
    </form>
  </main>`;
}

// Attachments: images as thumbnails that open a larger copy made for slow links.
function Attachments({ files }) {
  const [open, setOpen] = useState(null);
  if (!files.length) return html`<p class="muted">${t('consult_no_files')}</p>`;
  return html`<ul class="thumbs">${files.map(
    (f) => html`<li>
      ${
        f.kind === 'image'
          ? html`<button class="thumb" onClick=${() => setOpen(f)} aria-label=${t('view') + ' ' + f.name}><img src=${f.url + '/thumbnail'} alt=${f.name} loading="lazy" /></button>`
          : html`<a class="file" href=${f.url}>${enumText('fkind_', f.kind)}</a>`
      }
      <span class="muted clip">${f.name}</span>
      ${f.dicom && html`<span class="muted">${[f.dicom.modality, f.dicom.body_part, f.dicom.study_date].filter(Boolean).join(' · ')}</span>`}
    </li>`,
  )}</ul>
    ${open && html`<${ImageViewer} file=${open} onClose=${() => setOpen(null)} />`}`;
}

// A small form that posts one action of the case and shows the case that comes back. A refused
// field is said next to itself, by its label, and takes the focus (words.js). draft (a user id):
// what is typed is kept in the browser until it is sent (drafts.js).
function ActionForm({ id, action, label, fields, onDone, danger, draft }) {
  const [values, setValues, clearDraft] = useDraft(draft, draft ? 'consult-' + action : null, id, {});
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const run = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErrs({});
    setError(null);
    try {
      const body = {};
      for (const f of fields)
        if (values[f.name])
          // A time typed in the form is Vietnam time, whatever the device's zone.
          body[f.name] = f.number ? Number(values[f.name]) : f.time ? `${values[f.name]}:00+07:00` : values[f.name];
      onDone(await call('POST', `/api/v1/consults/${id}/${action}`, body));
      clearDraft({});
    } catch (err) {
      const placed = placeError(err, Object.fromEntries(fields.map((f) => [f.name, [action + f.name, f.label]])));
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  const input = (f) => ({
    id: action + f.name,
    label: f.label,
    error: errs[action + f.name],
    required: !f.optional,
    value: values[f.name] || '',
    [f.options ? 'onChange' : 'onInput']: (e) => setValues({ ...values, [f.name]: e.target.value }),
  });
  return html`<form class="form action" onSubmit=${run}>
    ${fields.map((f) =>
      f.options
        ? html`<${Field} as="select" ...${input(f)}><option value="">—</option>${f.options.map(([v, l]) => html`<option value=${v}>${l}</option>`)}</${Field}>`
        : f.long
          ? html`<${Field} as="textarea" rows="3" ...${input(f)} />`
          : html`<${Field} type=${f.time ? 'datetime-local' : f.number ? 'number' : 'text'} ...${input(f)} />`,
    )}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${NetButton} type="submit" class=${danger ? 'danger' : ''} disabled=${busy}>${label}<//>
  </form>`;
}

function Conclusion({ c, user, onDone }) {
  // The chair's answers are long: kept as a draft (per user and case) until the conclusion is sent.
  const [f, setF, clearDraft] = useDraft(user?.id, 'consult-conclusion', c.id, {
    answers: Object.fromEntries(c.questions.map((q) => [q.id, q.conclusion || ''])),
    rec: c.recommendation.kind || '',
    note: c.recommendation.note || '',
  });
  const { answers, rec, note } = f;
  const setAnswers = (a) => setF((o) => ({ ...o, answers: a }));
  const setRec = (r) => setF((o) => ({ ...o, rec: r }));
  const setNote = (n) => setF((o) => ({ ...o, note: n }));
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const run = async (e) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    try {
      onDone(
        await call('POST', `/api/v1/consults/${c.id}/conclusion`, {
          answers: c.questions.map((q) => ({ question_id: q.id, conclusion: (answers[q.id] ?? '').trim() })),
          recommendation: rec,
          ...(note.trim() ? { recommendation_note: note.trim() } : {}),
        }),
      );
      clearDraft();
    } catch (err) {
      // answers[i] is the i-th question's answer, labelled by its question.
      const fields = {
        recommendation: ['rec', t('consult_recommendation')],
        recommendation_note: ['recnote', t('consult_recommendation_note')],
        ...Object.fromEntries(c.questions.map((q, i) => [`answers[${i}].conclusion`, ['a' + q.id, `${q.position}. ${q.question}`]])),
        ...Object.fromEntries(c.questions.map((q, i) => [`answers[${i}]`, ['a' + q.id, `${q.position}. ${q.question}`]])),
      };
      const placed = placeError(err, fields);
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  return html`<form class="form action" onSubmit=${run}>
    <h3>${t('consult_conclude')}</h3>
    ${c.questions.map(
      (
        q,
      ) => html`<${Field} as="textarea" id=${'a' + q.id} label=${`${q.position}. ${q.question}`} error=${errs['a' + q.id]} rows="2" required
        value=${answers[q.id] ?? ''} onInput=${(e) => setAnswers({ ...answers, [q.id]: e.target.value })} />`,
    )}
    <${Field} as="select" id="rec" label=${t('consult_recommendation')} error=${errs.rec} required value=${rec} onChange=${(e) => setRec(e.target.value)}><option value="">—</option>
      ${['treat_locally', 'transfer', 'more_tests', 'another_consult'].map((k) => html`<option value=${k}>${t('rec_' + k)}</option>`)}</${Field}>
    <${Field} as="textarea" id="recnote" label=${t('consult_recommendation_note')} error=${errs.recnote} rows="2" value=${note} onInput=${(e) => setNote(e.target.value)} />
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${NetButton} type="submit">${t('consult_conclude')}<//>
  </form>`;
}

// Reassigning: to a facility that offers the case's specialty, chosen by name.
function Reassign({ c, onDone }) {
  const [options, setOptions] = useState(null);
  useEffect(() => {
    call('GET', `/api/v1/facilities?specialty=${encodeURIComponent(c.specialty.code)}&limit=200`)
      .then((r) =>
        setOptions(
          r.items
            .filter((f) => f.level !== 'commune' && f.id !== c.requester.id && f.id !== c.assigned?.id)
            .map((f) => [String(f.id), f.name]),
        ),
      )
      .catch(() => setOptions([]));
  }, [c.id, c.assigned?.id]);
  if (!options) return html`<p>${t('loading')}</p>`;
  return html`<${ActionForm} id=${c.id} action="reassign" label=${t('consult_reassign')}
    fields=${[
      { name: 'facility_id', label: t('consult_reassign_to'), options, number: true },
      { name: 'reason', label: t('reason'), long: true },
    ]} onDone=${onDone} />`;
}

// What the caller may do now, from the case's state, their part in it and their role: accepting,
// declining and opinions are a doctor's (the server refuses a health worker).
function Actions({ c, setC, user }) {
  const s = c.state,
    me = c.my_side || {};
  const doctor = ['doctor', 'specialist'].includes(user?.role);
  const discussing = ['accepted', 'scheduled', 'answered'].includes(s);
  const out = [];
  if (me.requester && s === 'draft')
    out.push(html`<${ActionForm} id=${c.id} action="submit" label=${t('consult_send')} fields=${[]} onDone=${setC} />`);
  if (me.hub && doctor && s === 'requested') {
    out.push(html`<${ActionForm} id=${c.id} action="accept" label=${t('consult_accept')} fields=${[]} onDone=${setC} />`);
    out.push(html`<details><summary>${t('consult_decline')}</summary><${ActionForm} id=${c.id} action="decline" label=${t('consult_decline')}
      fields=${[{ name: 'reason', label: t('reason'), long: true }]} onDone=${setC} danger /></details>`);
  }
  if ((me.hub && ['requested', 'accepted'].includes(s)) || (me.requester && s === 'requested'))
    out.push(html`<details><summary>${t('consult_reassign')}</summary>
    <${Reassign} c=${c} onDone=${setC} /></details>`);
  if ((me.hub || me.participant) && doctor && discussing)
    out.push(html`<${ActionForm} id=${c.id} action="opinions" label=${t('consult_give_opinion')}
    fields=${[{ name: 'opinion', label: t('consult_opinion'), long: true }]} onDone=${setC} draft=${user?.id} />`);
  if ((me.chair || me.secretary) && ['accepted', 'answered', 'scheduled'].includes(s))
    out.push(html`<details><summary>${t('consult_schedule')}</summary>
    <${ActionForm} id=${c.id} action="session" label=${t('consult_schedule')} fields=${[{ name: 'at', label: t('consult_session_at'), time: true }]} onDone=${setC} /></details>`);
  if (me.chair && ['scheduled', 'answered'].includes(s)) out.push(html`<${Conclusion} c=${c} user=${user} onDone=${setC} />`);
  // Before the outcome the chair may amend the conclusion; signed minutes then need a new version.
  if (me.chair && s === 'concluded')
    out.push(
      html`<details><summary>${t('consult_amend_conclusion')}</summary><${Conclusion} c=${c} user=${user} onDone=${setC} /></details>`,
    );
  if (me.chair && s === 'concluded')
    out.push(html`<${ActionForm} id=${c.id} action="minutes" label=${c.minutes.length ? t('consult_sign_amend') : t('consult_sign')}
    fields=${c.minutes.length ? [{ name: 'amendment_reason', label: t('consult_amendment_reason'), long: true }] : []} onDone=${setC} />`);
  if (me.requester && s === 'concluded' && c.minutes.length)
    out.push(html`<${ActionForm} id=${c.id} action="outcome" label=${t('consult_record_outcome')}
    fields=${[
      {
        name: 'outcome',
        label: t('consult_outcome'),
        options: ['improved', 'stable', 'worse', 'transferred', 'died', 'other'].map((k) => [k, t('outcome_' + k)]),
      },
      { name: 'note', label: t('note'), long: true, optional: true },
    ]} onDone=${setC} />`);
  if ((me.requester || me.hub) && s === 'outcome_recorded')
    out.push(html`<${ActionForm} id=${c.id} action="close" label=${t('consult_close')} fields=${[]} onDone=${setC} />`);
  if (me.requester && ['draft', 'requested', 'accepted', 'scheduled', 'answered'].includes(s))
    out.push(html`<details><summary>${t('consult_cancel')}</summary>
    <${ActionForm} id=${c.id} action="cancel" label=${t('consult_cancel')} fields=${[{ name: 'reason', label: t('reason'), long: true }]} onDone=${setC} danger /></details>`);
  return out.length ? html`<section class="card"><h2>${t('consult_next')}</h2>${out}</section>` : '';
}

export function ConsultPage({ id, user }) {
  const [c, setC] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    call('GET', `/api/v1/consults/${id}`)
      .then(setC)
      .catch((e) => setError(errorText(e)));
  }, [id]);
  // Accepted, an opinion, the conclusion, the minutes signed elsewhere: refetched in place; a form
  // being filled keeps what was typed. A failed refetch keeps what is shown.
  useEffect(
    () =>
      onChanged(`consult:${id}`, () =>
        call('GET', `/api/v1/consults/${id}`)
          .then(setC)
          .catch(() => {}),
      ),
    [id],
  );
  if (error)
    return html`<main class="page"><a class="back" href="#/consults">← ${t('consults_title')}</a><p class="error" role="alert">${error}</p></main>`;
  if (!c) return html`<${Pending} />`;
  return html`<main class="page consult">
    <a class="back" href="#/consults">← ${t('consults_title')}</a>
    <section class="card">
      <h1><${Urgency} u=${c.urgency} /> ${c.patient.full_name} · ${c.patient.birth_year}</h1>
      <p><strong class="state" data-state=${c.state}>${t('cstate_' + c.state)}</strong> · ${getLang() === 'en' ? c.specialty.name_en || c.specialty.name_vi : c.specialty.name_vi} · ${t('ckind_' + c.kind)}</p>
      <dl class="facts">
        <dt>${t('consult_from')}</dt><dd>${c.requester.name} (${c.created_by.full_name})</dd>
        <dt>${t('consult_to')}</dt><dd>${c.assigned ? c.assigned.name : t('consult_not_sent')}${c.escalation_level ? ` · ${t('consult_escalated')} ${c.escalation_level}` : ''}</dd>
        ${c.accept_due_at && html`<dt>${t('consult_due')}</dt><dd>${when(c.accept_due_at)}</dd>`}
        ${c.chair && html`<dt>${t('consult_chair')}</dt><dd>${c.chair.full_name}</dd>`}
        ${c.session_at && html`<dt>${t('consult_session_at')}</dt><dd>${when(c.session_at)}</dd>`}
      </dl>
      <h2>${t('consult_summary')}</h2><pre class="summary">${c.summary}</pre>
      <h2>${t('consult_files')}</h2><${Attachments} files=${c.files} />
      <h2>${t('consult_questions')}</h2>
      <ol class="questions">${c.questions.map(
        (q) => html`<li><strong>${q.question}</strong>
        ${q.conclusion && html`<p class="conclusion">${t('consult_conclusion')}: ${q.conclusion}</p>`}</li>`,
      )}</ol>
      ${c.recommendation.kind && html`<p><strong>${t('consult_recommendation')}:</strong> ${t('rec_' + c.recommendation.kind)}${c.recommendation.note ? ' — ' + c.recommendation.note : ''}</p>`}
      ${c.outcome.kind && html`<p><strong>${t('consult_outcome')}:</strong> ${t('outcome_' + c.outcome.kind)}${c.outcome.note ? ' — ' + c.outcome.note : ''}</p>`}
    </section>
    ${
      c.opinions.length > 0 &&
      html`<section class="card"><h2>${t('consult_opinions')}</h2>
      ${c.opinions.map((o) => html`<div class="opinion"><strong>${o.author.full_name}</strong> <span class="muted">${o.facility.name} · ${when(o.updated_at)}</span><p>${o.opinion}</p></div>`)}</section>`
    }
    ${
      c.minutes.length > 0 &&
      html`<section class="card"><h2>${t('consult_minutes')}</h2><ul class="links">
      ${c.minutes.map(
        (m) => html`<li><a href=${m.pdf_url} download>${t('consult_minutes')} ${t('version')} ${m.version} (PDF)</a>
        <span class="muted"> · ${m.signer_name} · ${when(m.signed_at)} · ${t('verify_code')} <code>${m.verify_code}</code>${m.superseded ? ' · ' + t('superseded') : ''}</span></li>`,
      )}</ul></section>`
    }
    <${Actions} c=${c} setC=${setC} user=${user} />
    ${
      ['accepted', 'scheduled', 'answered'].includes(c.state) &&
      html`<${Room} consultId=${c.id} chair=${!!(c.my_side?.chair || c.my_side?.secretary)}
      canInvite=${!!(c.my_side?.requester || c.my_side?.chair || c.my_side?.secretary)} />`
    }
    ${c.state !== 'draft' && html`<div id="chat"><${Chat} channel=${'consult:' + c.id} /></div>`}
    <section class="card"><h2>${t('consult_history')}</h2><ol class="history">
      ${c.events.map((e) => html`<li><span class="muted">${when(e.at)}</span> ${t('cev_' + e.action)}${e.to_facility && e.action !== 'site_added' ? ' → ' + e.to_facility.name : ''}${' · '}${e.by ? e.by.full_name : t('consult_system')}${e.reason ? ' — ' + e.reason : ''}</li>`)}</ol></section>
  </main>`;
}

export function Consults({ user }) {
  const r = useRoute(consultRoute);
  return r.page === 'new'
    ? html`<${NewConsult} patientId=${r.patient} />`
    : r.page === 'case'
      ? html`<${ConsultPage} id=${r.id} user=${user} />`
      : html`<${ConsultList} user=${user} />`;
}
