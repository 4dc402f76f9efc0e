import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t, getLang } from './i18n.js';

// Specialty names, fetched once.
let specialtyNames = null;
const specialties = () => (specialtyNames ??= call('GET', '/api/v1/specialties')
  .then((r) => Object.fromEntries(r.items.map((s) => [s.code, s]))).catch(() => ({})));
const specialtyName = (names, code) => (names[code] ? (getLang() === 'en' ? names[code].name_en : names[code].name_vi) : code);

function Facility({ f, onBack }) {
  const [net, setNet] = useState(null);
  const [names, setNames] = useState({});
  useEffect(() => { specialties().then(setNames); }, []);
  useEffect(() => { call('GET', `/api/v1/facilities/${f.id}/network`).then(setNet).catch(() => setNet({ supported_by: [], supports: [] })); }, [f.id]);
  const list = (links) => links.length
    ? html`<ul class="links">${links.map((l) => html`<li><strong>${l.facility.name}</strong> <span class="muted">${t('level_' + l.facility.level)} · ${specialtyName(names, l.specialty)}</span></li>`)}</ul>`
    : html`<p class="muted">${t('none')}</p>`;
  return html`<section class="card facility-detail">
    <button class="link" onClick=${onBack}>← ${t('back')}</button>
    <h2>${f.name}</h2>
    <p>${t('level_' + f.level)} · ${[f.unit?.name, f.province?.name].filter(Boolean).join(', ')}</p>
    ${f.site?.name && html`<p>${t('site')}: ${f.site.name} · ${t('profile_' + f.site.profile)} · ${f.site.bandwidth_kbps} kbit/s</p>`}
    ${f.specialties?.length > 0 && html`<p>${t('specialties')}: ${f.specialties.map((c) => specialtyName(names, c)).join(', ')}</p>`}
    <h3>${t('supported_by')}</h3>
    ${net ? list(net.supported_by) : html`<p>${t('loading')}</p>`}
    <h3>${t('supports')}</h3>
    ${net ? list(net.supports) : ''}
  </section>`;
}

export function Network() {
  const [q, setQ] = useState('');
  const [province, setProvince] = useState('');
  const [provinces, setProvinces] = useState([]);
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [open, setOpen] = useState(null);
  useEffect(() => {
    call('GET', '/api/v1/admin-units?level=province&current=1&limit=200')
      .then((r) => setProvinces(r.items.sort((a, b) => a.name.localeCompare(b.name, 'vi')))).catch(() => {});
  }, []);
  const load = async (cursor) => {
    const p = new URLSearchParams({ limit: '50' });
    if (q.trim()) p.set('q', q.trim());
    if (province) p.set('province_id', province);
    if (cursor) p.set('cursor', cursor);
    const r = await call('GET', '/api/v1/facilities?' + p);
    setItems((old) => (cursor ? [...old, ...r.items] : r.items));
    setNext(r.next_cursor);
  };
  useEffect(() => {
    const timer = setTimeout(() => load(null).catch(() => setItems([])), 250); // debounced typing
    return () => clearTimeout(timer);
  }, [q, province]);
  if (open) return html`<main class="network"><${Facility} f=${open} onBack=${() => setOpen(null)} /></main>`;
  return html`<main class="network">
    <h1>${t('network_title')}</h1>
    <div class="filters">
      <label class="sr" for="q">${t('search')}</label>
      <input id="q" type="search" placeholder=${t('search')} value=${q} onInput=${(e) => setQ(e.target.value)} />
      <label class="sr" for="province">${t('province')}</label>
      <select id="province" value=${province} onChange=${(e) => setProvince(e.target.value)}>
        <option value="">${t('all_provinces')}</option>
        ${provinces.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
      </select>
    </div>
    ${items === null ? html`<p>${t('loading')}</p>` : items.length === 0 ? html`<p class="muted">${t('no_results')}</p>` : html`
      <ul class="facilities">${items.map((f) => html`<li><button class="facility" onClick=${() => setOpen(f)}>
        <strong>${f.name}</strong>
        <span class="muted">${t('level_' + f.level)} · ${f.province?.name ?? ''}${f.site?.name ? ' · ' + t('profile_' + f.site.profile) : ''}</span>
      </button></li>`)}</ul>`}
    ${next && html`<button class="more" onClick=${() => load(next)}>${t('more')}</button>`}
  </main>`;
}
