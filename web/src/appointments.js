// Booked appointments and the slot picker they share with booking: a station (on the patient's
// record) or the patient (on their own pages) sees what is booked, moves it to another free slot of
// the same doctor, or cancels it with a reason. Times are Vietnam time wherever the phone is.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { read } from './reads.js';
import { t } from './i18n.js';
import { placeError, Field, formatDateTime, formatTime } from './words.js';

export const vnToday = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
// Times as every screen writes them (words.js): "07/12/2026 19:05", Vietnam time.
export const when = formatDateTime;
const hhmm = formatTime;

// A day and the doctor's free slots on it, as radio buttons; slot is the chosen slot's id.
export function SlotPicker({ doctor, name, slot, setSlot, version = 0 }) {
  const [day, setDay] = useState(vnToday());
  const [slots, setSlots] = useState([]);
  useEffect(() => {
    setSlot(null);
    if (!doctor) {
      setSlots([]);
      return undefined;
    }
    // An answer for a day no longer chosen is dropped: the first day's slots, still on their way
    // when another day is picked, would otherwise replace that day's.
    let current = true;
    call('GET', `/api/v1/slots?doctor_id=${doctor}&date=${day}&free=1`)
      .then((r) => {
        if (current) setSlots(r.items);
      })
      .catch(() => {
        if (current) setSlots([]);
      });
    return () => {
      current = false;
    };
  }, [doctor, day, version]);
  return html`<label for=${name + 'day'}>${t('day')}</label>
    <input id=${name + 'day'} type="date" value=${day} onChange=${(e) => setDay(e.target.value || vnToday())} />
    ${
      slots.length === 0
        ? html`<p class="muted">${t('no_slots')}</p>`
        : html`<div class="slots">${slots.map(
            (x) => html`<label class="check">
      <input type="radio" name=${name} checked=${slot === x.id} onChange=${() => setSlot(x.id)} /> ${hhmm(x.start)} · ${t('mode_' + x.mode)}</label>`,
          )}</div>`
    }`;
}

function Appointment({ a, readOnly, onChange }) {
  const [mode, setMode] = useState(null); // null, 'cancel' or 'move'
  const [reason, setReason] = useState('');
  const [slot, setSlot] = useState(null);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const act = async (e, path, body) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    try {
      await call('POST', `/api/v1/appointments/${a.id}/${path}`, body);
      setMode(null);
      onChange(t(path === 'cancel' ? 'appt_cancelled' : 'appt_moved'));
    } catch (err) {
      const placed = placeError(err, { reason: ['cr' + a.id, t('cancel_reason')] });
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  return html`<li class="appt">
    <strong>${when(a.start)}</strong> · ${a.doctor.full_name} (${a.doctor.facility}) · ${t('mode_' + a.mode)}
    <div class="muted">${a.patient.full_name} — ${a.reason}</div>
    ${
      mode === null &&
      !readOnly &&
      html`<div class="actions">
      <button type="button" onClick=${() => setMode('move')}>${t('reschedule')}</button>
      <button type="button" class="danger" onClick=${() => setMode('cancel')}>${t('cancel_appt')}</button></div>`
    }
    ${
      mode === 'cancel' &&
      html`<form class="form" onSubmit=${(e) => act(e, 'cancel', { reason: reason.trim() })}>
      <${Field} id=${'cr' + a.id} label=${t('cancel_reason')} error=${errs['cr' + a.id]} required minlength="2" value=${reason} onInput=${(e) => setReason(e.target.value)} />
      <div class="actions"><button type="submit" class="danger">${t('confirm_cancel')}</button>
        <button type="button" onClick=${() => setMode(null)}>${t('back')}</button></div></form>`
    }
    ${
      mode === 'move' &&
      html`<form class="form" onSubmit=${(e) => act(e, 'reschedule', { slot_id: slot })}>
      <${SlotPicker} doctor=${a.doctor.id} name=${'mv' + a.id} slot=${slot} setSlot=${setSlot} />
      <div class="actions"><button type="submit" disabled=${!slot}>${t('confirm_move')}</button>
        <button type="button" onClick=${() => setMode(null)}>${t('back')}</button></div></form>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </li>`;
}

// The coming appointments of one patient (patientId), or the caller's own as a patient. readOnly:
// the caller reads them without moving or cancelling (a facility the patient is shared with).
export function Appointments({ patientId, readOnly = false, version = 0, onChange = () => {} }) {
  const [items, setItems] = useState([]);
  const [msg, setMsg] = useState(null);
  // A patient of the day kept for reading offline (reads.js): its copy is refreshed, and shown
  // without a network.
  const load = () =>
    read(`/api/v1/appointments?limit=100${patientId ? '&patient_id=' + patientId : ''}`, { save: 'update' })
      .then(({ data: r }) => setItems(r.items.filter((a) => a.status === 'booked' && new Date(a.end) > new Date())))
      .catch(() => setItems([]));
  useEffect(() => {
    load();
  }, [patientId, version]);
  const changed = (text) => {
    setMsg(text);
    load();
    onChange();
  };
  return html`<section class="card" aria-label=${t('appointments')}><h2>${t('appointments')}</h2>
    ${msg && html`<p role="status">${msg}</p>`}
    ${
      items.length === 0
        ? html`<p class="muted">${t('no_appointments')}</p>`
        : html`<ul class="links">${items.map((a) => html`<${Appointment} key=${a.id} a=${a} readOnly=${readOnly} onChange=${changed} />`)}</ul>`
    }
  </section>`;
}
