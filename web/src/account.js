// The signed-in person's own account (#/account): who they are, and a new password — the current
// one asked again, so that someone at a computer left signed in cannot change it (docs/api.md,
// "POST /api/v1/me/password"). Every other session of the account ends; this one goes on.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import * as api from './api.js';
import { t } from './i18n.js';
import { Field, placeError } from './words.js';
import { NetButton } from './online.js';

const NONE = { field: {}, general: null };

export function Account({ user }) {
  const [form, setForm] = useState({ current: '', fresh: '', again: '' });
  const [err, setErr] = useState(NONE);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const fields = {
    current_password: ['acc-current', t('acc_current')],
    new_password: ['acc-new', t('acc_new')],
    again: ['acc-again', t('acc_again')],
  };
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setDone(false);
    if (form.fresh !== form.again) return setErr(placeError({ field: 'again', message: t('acc_mismatch') }, fields));
    setBusy(true);
    try {
      await api.call('POST', '/api/v1/me/password', { current_password: form.current, new_password: form.fresh });
      setForm({ current: '', fresh: '', again: '' });
      setErr(NONE);
      setDone(true);
    } catch (x) {
      // The server's sentence under the current password when that is what was wrong.
      setErr(x.code === 'wrong_password' ? { field: { 'acc-current': x.message }, general: null } : placeError(x, fields));
    } finally {
      setBusy(false);
    }
  };
  const place = [user.facility?.name, t('role_' + user.role)].filter(Boolean).join(' · ');
  return html`<main class="account">
    <h1>${t('acc_title')}</h1>
    <p><strong>${user.full_name}</strong> (${user.username})<br />${place}</p>
    <form class="card" onSubmit=${submit} aria-labelledby="acc-pw" novalidate>
      <h2 id="acc-pw">${t('acc_change')}</h2>
      <${Field} id="acc-current" type="password" autocomplete="current-password" label=${t('acc_current')}
        value=${form.current} onInput=${set('current')} error=${err.field['acc-current']} />
      <${Field} id="acc-new" type="password" autocomplete="new-password" label=${t('acc_new')} hint=${t('acc_new_hint')}
        value=${form.fresh} onInput=${set('fresh')} error=${err.field['acc-new']} />
      <${Field} id="acc-again" type="password" autocomplete="new-password" label=${t('acc_again')}
        value=${form.again} onInput=${set('again')} error=${err.field['acc-again']} />
      ${err.general && html`<p class="error" role="alert">${err.general}</p>`}
      ${done && html`<p class="ok" role="status">${t('acc_done')}</p>`}
      <${NetButton} type="submit" disabled=${busy}>${t('acc_submit')}<//>
    </form>
  </main>`;
}
