// The station's queue of the day (hàng đợi): walk-ins with their token, the most urgent first;
// the health worker calls, finishes or skips. Route #/queue; a patient's record adds to it. Under
// it, the day's booked appointments. Without a network both are read from the copy kept of the day
// (reads.js), with its time; calling, finishing and skipping wait for the network.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t } from './i18n.js';
import { onFacilityChanged } from './live.js';
import { errorText, formatTime, placeError, Field } from './words.js';
import { read, syncDay, QUEUE, apptsOfDay } from './reads.js';
import { CopyNote, NetButton, onOnlineChange } from './online.js';

// Today's booked appointments of the station's patients (a copy without a network).
function DayAppointments({ version }) {
  const [list, setList] = useState(null);
  useEffect(() => {
    read(apptsOfDay())
      .then(({ data, at }) => setList({ items: data.items.filter((a) => a.status === 'booked'), at }))
      .catch(() => setList(null));
  }, [version]);
  if (!list) return null;
  return html`<section class="card" aria-labelledby="day-appts"><h2 id="day-appts">${t('appts_today')}</h2>
    <${CopyNote} at=${list.at} />
    ${
      list.items.length === 0
        ? html`<p class="muted">${t('no_appointments')}</p>`
        : html`<ul class="links day-appts">${list.items.map(
            (a) => html`<li><strong>${formatTime(a.start)}</strong> <a href=${'#/patients/' + a.patient.id}>${a.patient.full_name}</a>
        <span class="muted"> · ${a.doctor.full_name} · ${t('mode_' + a.mode)}</span>
        ${a.visit_id && html` · <a href=${'#/visits/' + a.visit_id}>${t('appt_open_visit')}</a>`}</li>`,
          )}</ul>`
    }</section>`;
}

export function Queue() {
  const [q, setQ] = useState(null);
  const [at, setAt] = useState(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState(null);
  const load = () =>
    read(QUEUE)
      .then(({ data, at: copied }) => {
        setQ(data);
        setAt(copied);
        setError(null);
        setVersion((n) => n + 1);
        // The queue opened or changed online: the day's copy follows.
        if (!copied) syncDay().catch(() => {});
      })
      .catch((e) => setError(errorText(e)));
  // A patient taking a number at another desk, or called there, shows here at once (the facility's
  // channel says when; no polling).
  useEffect(() => {
    load();
    const stopLive = onFacilityChanged(['queue'], load);
    const stopNet = onOnlineChange((o) => o && load());
    return () => {
      stopLive();
      stopNet();
    };
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
    <${CopyNote} at=${at} />
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
          ${(e.status === 'waiting' || e.status === 'called') && html`<${NetButton} onClick=${() => act(e.id, 'call')}>${t('q_call')}<//>`}
          ${e.status === 'called' && html`<${NetButton} quiet onClick=${() => act(e.id, 'done')}>${t('q_done')}<//>`}
          ${(e.status === 'waiting' || e.status === 'called') && html`<${NetButton} quiet class="link" onClick=${() => act(e.id, 'skip')}>${t('q_skip')}<//>`}
        </span>
      </li>`,
      )}</ul>`
    }
    <${DayAppointments} version=${version} />
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
