// What the outbox holds, on screen (docs/web.md, "Offline writes"): the count in the header, the
// page #/outbox "Đang chờ gửi" with each entry (what, for whom, when typed, its state) and, for a
// failed one, the server's reason in words and what to do about it; the line a form shows when
// what it saved waits for the network; the entries waiting beside the record they belong to.
import { useState } from 'preact/hooks';
import { html } from 'htm/preact';
import { t } from './i18n.js';
import { errorText, placeError, Field, formatDateTime, readDecimal, numberText } from './words.js';
import { useOutbox, flush, chooseExisting, registerAnyway, resend, discard, dependents } from './outbox.js';
import { NetButton } from './online.js';

// The fields of each kind of entry, by their API path, as its form labels them.
const VITALS = ['systolic', 'diastolic', 'pulse', 'temperature', 'spo2', 'respiratory_rate', 'weight', 'height', 'glucose'];
const labelsOf = (kind) =>
  ({
    patient: {
      full_name: t('full_name'),
      birth_date: t('birth_date'),
      birth_year: t('birth_year'),
      sex: t('sex'),
      ethnicity: t('ethnicity'),
      cccd: 'CCCD',
      bhyt: t('bhyt'),
      phone: t('phone'),
      address: t('address'),
      notify_channel: t('notify_channel'),
      'guardian.name': t('guardian_name'),
      'guardian.phone': t('guardian_phone'),
      'guardian.relation': t('relation'),
    },
    consent: {
      witness_name: t('witness_name'),
      document_ref: t('document_ref'),
      method: t('consent_method'),
      given_by: t('given_by'),
      purpose: t('consent_purpose'),
    },
    vitals: Object.fromEntries(VITALS.map((k) => [k, t('v_' + k)])),
    consult: {
      summary: t('consult_summary'),
      urgency: t('consult_urgency'),
      kind: t('consult_kind'),
      specialty: t('consult_specialty'),
      'questions[]': t('consult_question'),
      patient_id: t('consult_patient'),
    },
  })[kind] ?? {};

// The line a form shows when what it saved waits for the network.
export const Queued = () => html`<p class="ok queued" role="status">${t('ob_saved')}</p>`;

// A state in words, as a chip: "chờ gửi", "đang gửi", "không gửi được".
export const StateChip = ({ e }) => html`<span class=${'chip ob-' + e.state}>${t('ob_state_' + e.state)}</span>`;

// The entries waiting beside the record they belong to (a visit's vitals, a patient's consent).
export function Waiting({ match }) {
  const items = useOutbox().filter(match);
  if (!items.length) return '';
  return html`<ul class="links ob-pending">${items.map(
    (e) =>
      html`<li><a href="#/outbox">${t('ob_kind_' + e.kind)}</a> · ${e.label} · ${formatDateTime(e.created_at)} <${StateChip} e=${e} /></li>`,
  )}</ul>`;
}

// The header's count, when anything waits or failed.
export function OutboxCount() {
  const items = useOutbox();
  if (!items.length) return '';
  const failed = items.filter((e) => e.state === 'failed').length;
  const text = t('ob_count').replace('{n}', items.length) + (failed ? ' · ' + t('ob_failed_count').replace('{n}', failed) : '');
  return html`<a class=${'outbox-count' + (failed ? ' has-failed' : '')} href="#/outbox">${text}</a>`;
}

// The fields of a failed entry that can be edited, by kind: the typed ones (never the code of a
// choice), then those that are numbers (written as the reader writes them, "36,8").
const EDIT = {
  patient: [['full_name', 'birth_date', 'cccd', 'bhyt', 'phone', 'address'], ['birth_year']],
  consent: [['witness_name', 'document_ref'], []],
  vitals: [[], VITALS],
  consult: [['summary'], []],
};
const isNumber = (e, k) => (EDIT[e.kind]?.[1] ?? []).includes(k);
const editable = (e) => {
  const [texts, numbers] = EDIT[e.kind] ?? [[], []];
  return [...texts, ...numbers].filter((k) => numbers.includes(k) || typeof e.body[k] === 'string' || e.error?.field === k);
};
const asTyped = (e, k) => (e.body[k] === undefined ? '' : isNumber(e, k) ? numberText(e.body[k]) : String(e.body[k]));

function Editor({ e, onClose }) {
  const labels = labelsOf(e.kind);
  const fields = Object.fromEntries(editable(e).map((k) => [k, [`ob${e.id}_${k}`, labels[k] ?? t('ob_value')]]));
  const [f, set] = useState(() => Object.fromEntries(editable(e).map((k) => [k, asTyped(e, k)])));
  // The server's reason next to its field, once (placeError moves the focus there).
  const [placed, setPlaced] = useState(() => placeError(e.error, fields));
  const save = async (ev) => {
    ev.preventDefault();
    const body = { ...e.body };
    for (const [k, v] of Object.entries(f)) {
      const read = isNumber(e, k) ? readDecimal(v) : { value: v.trim() || undefined };
      if (read.error) return setPlaced(placeError({ code: read.error, field: k }, fields));
      if (read.value === undefined) delete body[k];
      else body[k] = read.value;
    }
    await resend(e.id, body);
    onClose();
  };
  return html`<form class="form" onSubmit=${save} aria-label=${t('ob_edit')}>
    ${Object.keys(f).map(
      (k) => html`<${Field} id=${`ob${e.id}_${k}`} label=${fields[k][1]} error=${placed.field[`ob${e.id}_${k}`]} value=${f[k]}
        inputmode=${isNumber(e, k) ? 'decimal' : undefined} onInput=${(ev) => set({ ...f, [k]: ev.target.value })} />`,
    )}
    <div class="actions"><button type="submit">${t('ob_resend')}</button>
      <button type="button" class="link" onClick=${onClose}>${t('back')}</button></div>
  </form>`;
}

function Discard({ e, onClose }) {
  const n = e.kind === 'patient' ? dependents(e.id).length : 0;
  return html`<div class="ob-confirm" role="alertdialog" aria-label=${t('ob_discard')}>
    <p>${t('ob_discard_confirm')}${n ? ' ' + t('ob_discard_deps').replace('{n}', n) : ''}</p>
    <div class="actions"><button class="danger" onClick=${() => discard(e.id)}>${t('ob_discard_yes')}</button>
      <button class="link" onClick=${onClose}>${t('ob_keep')}</button></div>
  </div>`;
}

function Failed({ e }) {
  const [mode, setMode] = useState(null);
  const dup = e.error?.code === 'possible_duplicate';
  const candidates = e.error?.detail?.candidates ?? [];
  return html`<div class="ob-failed">
    <p class="error">${dup ? t('dup_title') : errorText(e.error, labelsOf(e.kind))}</p>
    ${
      dup &&
      html`<p>${t('ob_dup_text')}</p>
      <ul class="facilities ob-candidates">${candidates.map(
        (p) => html`<li class="facility"><strong>${p.full_name}</strong>
        <span class="muted">${[p.birth_year, t('sex_' + p.sex), p.unit?.name, p.cccd && 'CCCD ' + p.cccd].filter(Boolean).join(' · ')}</span>
        <button onClick=${() => chooseExisting(e.id, p.id)}>${t('ob_is_existing')}</button></li>`,
      )}</ul>
      <div class="actions"><button onClick=${() => registerAnyway(e.id)}>${t('ob_register_anyway')}</button>
        <button class="link" onClick=${() => setMode('discard')}>${t('ob_discard')}</button></div>`
    }
    ${
      !dup &&
      mode === null &&
      html`<div class="actions"><button onClick=${() => setMode('edit')}>${t('ob_edit')}</button>
        <button class="link" onClick=${() => setMode('discard')}>${t('ob_discard')}</button></div>`
    }
    ${mode === 'edit' && html`<${Editor} e=${e} onClose=${() => setMode(null)} />`}
    ${mode === 'discard' && html`<${Discard} e=${e} onClose=${() => setMode(null)} />`}
  </div>`;
}

// The list itself (the #/outbox page, and the offline screen before a session is known).
export function OutboxList() {
  const items = useOutbox();
  if (!items.length) return html`<p class="muted">${t('ob_empty')}</p>`;
  return html`<ul class="outbox">${items.map(
    (e) => html`<li class="card ob-entry" data-state=${e.state}>
      <p><strong>${t('ob_kind_' + e.kind)}</strong> · ${e.label} <${StateChip} e=${e} /></p>
      <p class="muted">${t('ob_typed')} ${formatDateTime(e.created_at)}${/@local:\d+/.test(JSON.stringify([e.path, e.body])) ? ' · ' + t('ob_waits_for') : ''}</p>
      ${e.state === 'failed' && html`<${Failed} e=${e} />`}
    </li>`,
  )}</ul>`;
}

export function OutboxPage() {
  const items = useOutbox();
  return html`<main class="page">
    <a class="back" href="#/home">← ${t('back')}</a>
    <h1>${t('ob_title')}</h1>
    <p class="muted">${t('ob_explain')}</p>
    <${OutboxList} />
    ${items.some((e) => e.state === 'waiting') && html`<${NetButton} onClick=${() => flush()}>${t('ob_send_now')}<//>`}
  </main>`;
}
