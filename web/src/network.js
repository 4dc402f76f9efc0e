import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t, getLang } from './i18n.js';
import { parts, idOf, useRoute } from './router.js';

// Specialty names, fetched once.
let specialtyNames = null;
const specialties = () =>
  (specialtyNames ??= call('GET', '/api/v1/specialties')
    .then((r) => Object.fromEntries(r.items.map((s) => [s.code, s])))
    .catch(() => ({})));
const specialtyName = (names, code) => (names[code] ? (getLang() === 'en' ? names[code].name_en : names[code].name_vi) : code);

// #/network/<id> opens one facility, so the phone's back button returns to the list.
const openId = () => idOf(parts()[1]);

const rate = (kbps) =>
  kbps >= 1000
    ? `${(kbps / 1000).toLocaleString(getLang() === 'en' ? 'en' : 'vi', { maximumFractionDigits: 1 })} Mbit/s`
    : `${kbps} kbit/s`;
const siteLine = (site) =>
  site?.name ? [t('profile_' + site.profile), site.bandwidth_kbps ? rate(site.bandwidth_kbps) : ''].filter(Boolean).join(' · ') : '';

// One row per facility with the specialties of its links, instead of one row per link.
function byFacility(links) {
  const rows = new Map();
  for (const l of links) {
    if (!rows.has(l.facility.id)) rows.set(l.facility.id, { facility: l.facility, specialties: [] });
    rows.get(l.facility.id).specialties.push(l.specialty);
  }
  return [...rows.values()];
}

function Links({ links, names }) {
  if (!links.length) return html`<p class="muted">${t('none')}</p>`;
  return html`<ul class="links">${byFacility(links).map(
    (row) => html`<li>
    <a href=${'#/network/' + row.facility.id}><strong>${row.facility.name}</strong></a>
    <span class="muted"> · ${t('level_' + row.facility.level)}</span>
    <ul class="chips" aria-label=${t('specialties')}>${row.specialties.map((c) => html`<li>${specialtyName(names, c)}</li>`)}</ul>
  </li>`,
  )}</ul>`;
}

function Facility({ id, known }) {
  const [f, setF] = useState(known);
  const [net, setNet] = useState(null);
  const [names, setNames] = useState({});
  const [error, setError] = useState(null);
  useEffect(() => {
    specialties().then(setNames);
  }, []);
  useEffect(() => {
    setNet(null);
    setError(null);
    if (!known)
      call('GET', `/api/v1/facilities/${id}`)
        .then(setF)
        .catch((e) => setError(e.message || t('network_error')));
    else setF(known);
    call('GET', `/api/v1/facilities/${id}/network`)
      .then(setNet)
      .catch(() => setNet({ supported_by: [], supports: [] }));
    window.scrollTo(0, 0);
  }, [id]);
  return html`<section class="card facility-detail">
    <a class="back" href="#/network">← ${t('back')}</a>
    ${
      error
        ? html`<p class="error" role="alert">${error}</p>`
        : !f
          ? html`<p>${t('loading')}</p>`
          : html`
      <h2>${f.name}</h2>
      <p>${t('level_' + f.level)} · ${[f.unit?.name, f.province?.name].filter(Boolean).join(', ')}</p>
      ${f.site?.name && html`<p>${t('site')}: ${f.site.name} · ${siteLine(f.site)}</p>`}
      ${f.specialties?.length > 0 && html`<p>${t('specialties')}: ${f.specialties.map((c) => specialtyName(names, c)).join(', ')}</p>`}`
    }
    <h3>${t('supported_by')}</h3>
    ${net ? html`<${Links} links=${net.supported_by} names=${names} />` : html`<p>${t('loading')}</p>`}
    <h3>${t('supports')}</h3>
    ${net ? html`<${Links} links=${net.supports} names=${names} />` : ''}
  </section>`;
}

export function Network() {
  const [q, setQ] = useState('');
  const [province, setProvince] = useState('');
  const [provinces, setProvinces] = useState([]);
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const open = useRoute(openId);
  useEffect(() => {
    call('GET', '/api/v1/admin-units?level=province&current=1&limit=200')
      .then((r) => setProvinces(r.items.sort((a, b) => a.name.localeCompare(b.name, 'vi'))))
      .catch(() => {});
  }, []);
  const load = async (cursor) => {
    const p = new URLSearchParams({ limit: '50' });
    if (q.trim()) p.set('q', q.trim());
    if (province) p.set('province_id', province);
    if (cursor) p.set('cursor', cursor);
    try {
      const r = await call('GET', '/api/v1/facilities?' + p);
      setItems((old) => (cursor ? [...old, ...r.items] : r.items));
      setNext(r.next_cursor);
      setError(null);
    } catch (e) {
      setError(e.status === 0 ? t('network_error') : e.message);
      if (!cursor) setItems([]);
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => load(null), 250); // debounced typing
    return () => clearTimeout(timer);
  }, [q, province]);
  if (open) {
    return html`<main class="network"><${Facility} id=${open} known=${items?.find((f) => f.id === open)} /></main>`;
  }
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
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      items === null
        ? html`<p>${t('loading')}</p>`
        : items.length === 0
          ? !error && html`<p class="muted">${t('no_results')}</p>`
          : html`
      <ul class="facilities">${items.map(
        (f) => html`<li><a class="facility" href=${'#/network/' + f.id}>
        <strong>${f.name}</strong>
        <span class="muted">${t('level_' + f.level)} · ${f.province?.name ?? ''}${f.site?.name ? ' · ' + siteLine(f.site) : ''}</span>
      </a></li>`,
      )}</ul>`
    }
    ${next && html`<button class="more" onClick=${() => load(next)}>${t('more')}</button>`}
  </main>`;
}
