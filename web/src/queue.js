// The station's queue of the day (hàng đợi): walk-ins with their token, the most urgent first;
// the health worker calls, finishes or skips. Route #/queue; a patient's record adds to it.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t } from './i18n.js';
import { onFacilityChanged } from './live.js';
import { errorText, placeError, Field } from './words.js';

export function Queue() {
  const [q, setQ] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    call('GET', '/api/v1/queue')
      .then(setQ)
      .catch((e) => setError(errorText(e)));
  // A patient taking a number at another desk, or called there, shows here at once (the facility's
  // channel says when; no polling).
  useEffect(() => {
    load();
    return onFacilityChanged(['queue'], load);
  }, []);
  const act = async (id, what) => {
    try {
      await call('POST', `/api/v1/queue/${id}/${what}`);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return html`<main class="page">
    <div class="title-row"><h1>${t('queue_title')}</h1><a class="button" href="#/patients">${t('queue_add_from')}</a></div>
    ${q && html`<p class="muted">${q.day.split('-').reverse().join('/')}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      !q
        ? html`<p>${t('loading')}</p>`
        : q.items.length === 0
          ? html`<p class="muted">${t('queue_empty')}</p>`
          : html`
      <ul class="facilities queue">${q.items.map(
        (e) => html`<li class=${'facility q-' + e.status}>
        <strong class="token">${e.token}</strong>
        <span><a href=${'#/patients/' + e.patient.id}>${e.patient.full_name}</a> · ${e.patient.birth_year} · ${t('prio_' + e.priority)} · ${t('qs_' + e.status)}</span>
        <span class="muted">${e.reason}</span>
        <span class="actions">
          ${(e.status === 'waiting' || e.status === 'called') && html`<button onClick=${() => act(e.id, 'call')}>${t('q_call')}</button>`}
          ${e.status === 'called' && html`<button onClick=${() => act(e.id, 'done')}>${t('q_done')}</button>`}
          ${(e.status === 'waiting' || e.status === 'called') && html`<button class="link" onClick=${() => act(e.id, 'skip')}>${t('q_skip')}</button>`}
        </span>
      </li>`,
      )}</ul>`
    }
  </main>`;
}

// On a patient's record: give a walk-in a number.
export function QueueButton({ patient }) {
  const [prio, setPrio] = useState(
    patient.vulnerable?.includes('pregnant')
      ? 'pregnant'
      : patient.vulnerable?.includes('child_under_6')
        ? 'child'
        : patient.vulnerable?.includes('elderly')
          ? 'elderly'
          : 'normal',
  );
  const [reason, setReason] = useState('');
  const [done, setDone] = useState(null);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    try {
      setDone(
        await call('POST', '/api/v1/queue', { patient_id: patient.id, reason: reason.trim() || t('queue_default_reason'), priority: prio }),
      );
    } catch (err) {
      const placed = placeError(err, { reason: ['qreason', t('visit_reason')], priority: ['qprio', t('priority')] });
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  if (done) return html`<p class="card ok" role="status">${t('queue_token')}: <strong class="token">${done.token}</strong></p>`;
  return html`<form class="card form" onSubmit=${add} aria-label=${t('queue_take')}>
    <h2>${t('queue_take')}</h2>
    <${Field} id="qreason" label=${t('visit_reason')} error=${errs.qreason} value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <${Field} as="select" id="qprio" label=${t('priority')} error=${errs.qprio} value=${prio} onChange=${(e) => setPrio(e.target.value)}>
      ${['normal', 'elderly', 'child', 'pregnant', 'emergency'].map((p) => html`<option value=${p}>${t('prio_' + p)}</option>`)}
    </${Field}>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit">${t('queue_take')}</button>
  </form>`;
}
