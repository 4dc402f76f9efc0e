// Plain words (issue 21): what every page says to a person, in one place. The server's error turned
// into a sentence naming the field as the form labels it; one form field (label, input, the error
// below it); numbers typed with a decimal comma; dates and times in Vietnam time, one format.
import { html } from 'htm/preact';
import { t, getLang } from './i18n.js';

// The codes of a wrong field the server sends (docs/api.md, "Errors") that the app says in its own
// sentence (i18n err_<code>); for the others (bad_format, not_allowed, mismatch) the server's own
// message says more ("the CCCD does not match the sex") and follows the label.
const FIELD_CODES = new Set(['required', 'unknown_field', 'bad_type', 'too_short', 'too_long', 'out_of_range', 'decimal']);
const TOLD_CODES = new Set(['bad_format', 'not_allowed', 'mismatch']);

// A number as the reader writes it: "0,5" in Vietnamese, "0.5" in English.
export const numberText = (n) =>
  typeof n === 'number' ? n.toLocaleString(getLang() === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 2, useGrouping: false }) : '';

// The label of an API field path in labels: "items[1].quantity" is found as itself, then as
// "items[].quantity" (with the item's number after it), then by its last member.
function labelOf(labels, path) {
  if (!path) return null;
  if (labels[path]) return labels[path];
  const m = /^(.*)\[(\d+)\](.*)$/.exec(path);
  if (m && labels[`${m[1]}[]${m[3]}`]) return `${labels[`${m[1]}[]${m[3]}`]} (${Number(m[2]) + 1})`;
  return null;
}

// The sentence for an error of the API (an ApiError: status, code, field, detail) or of a form
// (made by readDecimal), naming the field by labels[field path]. Without a label the server's own
// message (already in the chosen language, as the app sends Accept-Language); never a raw field
// name or code.
export function errorText(e, labels = {}) {
  if (!e) return '';
  if (e.status === 0) return t('network_error');
  const label = labelOf(labels, e.field);
  if (label && FIELD_CODES.has(e.code)) {
    const d = e.detail ?? {};
    const ranged =
      d.min !== undefined && d.max !== undefined && (e.code === 'too_short' || e.code === 'too_long' || e.code === 'out_of_range');
    const key = `err_${e.code}${ranged ? '_range' : ''}`;
    return t(key).replace('{label}', label).replace('{min}', numberText(d.min)).replace('{max}', numberText(d.max));
  }
  if (label && TOLD_CODES.has(e.code) && !e.message) return t(`err_${e.code}`).replace('{label}', label);
  if (label) return `${label}: ${e.message}`;
  return e.message || t('err_generic');
}

// The field ids of a form whose error is shown next to them: fields maps an API path to the input's
// id and label ({ full_name: ['full_name', 'Họ và tên'] }). Returns { field: {id: sentence},
// general: sentence | null } and moves the focus to the wrong field once it is drawn.
export function placeError(e, fields) {
  const path = e?.field;
  const exact = path && (fields[path] ?? fields[path.replace(/\[\d+\]/g, '[]')]);
  const labels = Object.fromEntries(Object.entries(fields).map(([k, [, label]]) => [k, label]));
  const text = errorText(e, labels);
  if (!exact) return { field: {}, general: text };
  const id = typeof exact[0] === 'function' ? exact[0](path) : exact[0];
  requestAnimationFrame(() => document.getElementById(id)?.focus());
  return { field: { [id]: text }, general: null };
}

// One form field: its label, the input (or select, textarea: `as`), and its error below, which the
// input names in aria-describedby so a screen reader says it with the field.
export function Field({ id, label, error, as = 'input', hint, children, ...input }) {
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  const props = { id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described, ...input };
  const control =
    as === 'select'
      ? html`<select ...${props}>${children}</select>`
      : as === 'textarea'
        ? html`<textarea ...${props} />`
        : html`<input ...${props} />`;
  return html`<div class="field${error ? ' invalid' : ''}">
    <label for=${id}>${label}</label>
    ${control}
    ${hint && html`<p class="muted hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`} role="alert">${error}</p>`}
  </div>`;
}

// A decimal number as people type it on a phone: "36,8" and "36.8" are both 36.8; a thousands
// separator or a second separator ("1.234,5", "36,8,1", "1.234") is ambiguous and refused, never
// read as another number. { value } (undefined for an empty field) or { error: 'decimal' }.
export function readDecimal(text) {
  const s = String(text ?? '').trim();
  if (!s) return { value: undefined };
  if (!/^[+-]?\d+(?:[.,]\d+)?$/.test(s) || /^[+-]?[1-9]\d{0,2}[.,]\d{3}$/.test(s)) return { error: 'decimal' };
  return { value: Number(s.replace(',', '.')) };
}

// Vietnam keeps UTC+7 all year: its clock is UTC's seven hours on, with no time zone database.
const vn = (iso) => {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms + 7 * 3600e3);
};
const two = (n) => String(n).padStart(2, '0');

// "07/12/2026": the one way a day is written on every screen (a time or a day "2026-12-07").
export function formatDate(iso) {
  if (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso.split('-').reverse().join('/');
  const d = iso ? vn(iso) : null;
  return d ? `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}` : '';
}
// "07/12/2026 19:05" in Vietnam time.
export function formatDateTime(iso) {
  const d = iso ? vn(iso) : null;
  return d ? `${formatDate(iso)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}` : '';
}
// "19:05" in Vietnam time, for a time on a day already shown.
export function formatTime(iso) {
  const d = iso ? vn(iso) : null;
  return d ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}` : '';
}

// A value of an enumeration (a specialty, a kind of case, a visit's mode) in words: its i18n text
// (prefix + value), or a neutral word when none is written, never the code itself.
export const enumText = (prefix, value) => {
  const key = prefix + value;
  const s = t(key);
  return s === key ? t('enum_other') : s;
};
