// The administrators' dashboard (#/reports, docs/reports.md "The dashboard"): headline figures of
// a period with their change against the period before, trends by month, a table by place that
// drills from the country to a province to a facility, filters and the downloads. Everything is
// read from the five report routes; nothing is computed here but the change and the layout.
// Loaded on demand (main.js imports it when the page is opened), with its chart library.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { LineChart } from 'chartist';
import 'chartist/dist/index.css';
import { call } from './api.js';
import { t, getLang } from './i18n.js';
import { parts, query, onRoute, go, replace } from './router.js';
import { NetLink } from './online.js';
import { Field, placeError } from './words.js';

const REPORTS = ['consultations', 'visits', 'reach', 'sites', 'training'];
const LEVELS = ['central', 'provincial', 'district', 'commune', 'private'];
// The report requests in flight at once: the trends alone are 24 requests.
const IN_FLIGHT = 4;

// A queue that runs at most n promises at a time; each call returns the task's promise.
function pool(n) {
  let running = 0;
  const waiting = [];
  const next = () => {
    if (running >= n || !waiting.length) return;
    const { task, ok, fail } = waiting.shift();
    running++;
    task()
      .then(ok, fail)
      .finally(() => {
        running--;
        next();
      });
  };
  return (task) =>
    new Promise((ok, fail) => {
      waiting.push({ task, ok, fail });
      next();
    });
}

// Periods. The value of each kind: month "YYYY-MM", quarter "YYYY-Qn", year "YYYY", custom
// { from, to } (days, both included).
const pad = (n) => String(n).padStart(2, '0');
const day = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
// Today in Vietnam (UTC+7, no daylight saving).
const vnNow = () => new Date(Date.now() + 7 * 3600e3);
function defaults() {
  const now = vnNow(),
    y = now.getUTCFullYear(),
    m = now.getUTCMonth() + 1;
  return {
    month: `${y}-${pad(m)}`,
    quarter: `${y}-Q${Math.ceil(m / 3)}`,
    year: String(y),
    from: day(new Date(Date.UTC(y, m - 1, 1))),
    to: day(now),
  };
}
// The query of a period, and of the period of the same kind just before it.
function periodQuery(kind, v) {
  if (kind === 'custom') return { from: v.from, to: v.to };
  return { period: `${kind}:${v[kind]}` };
}
function previous(kind, v) {
  if (kind === 'month') {
    const [y, m] = v.month.split('-').map(Number);
    return { ...v, month: m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}` };
  }
  if (kind === 'quarter') {
    const [y, q] = v.quarter.split('-Q').map(Number);
    return { ...v, quarter: q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}` };
  }
  if (kind === 'year') return { ...v, year: String(Number(v.year) - 1) };
  // As many days, ending the day before.
  const from = Date.parse(v.from + 'T00:00:00Z'),
    to = Date.parse(v.to + 'T00:00:00Z');
  const days = Math.round((to - from) / 86400e3);
  return { ...v, from: day(new Date(from - (days + 1) * 86400e3)), to: day(new Date(from - 86400e3)) };
}
// The twelve months that end with the month of the period's last day.
function lastMonths(kind, v) {
  let y, m;
  if (kind === 'month') [y, m] = v.month.split('-').map(Number);
  else if (kind === 'quarter') {
    const [yy, q] = v.quarter.split('-Q').map(Number);
    y = yy;
    m = q * 3;
  } else if (kind === 'year') {
    y = Number(v.year);
    m = 12;
  } else [y, m] = v.to.split('-').map(Number);
  const out = [];
  for (let i = 11; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`);
  }
  return out;
}
// The days of months (YYYY-MM, in order) as one from/to range.
function monthsQuery(months) {
  const [y, m] = months[months.length - 1].split('-').map(Number);
  return { from: `${months[0]}-01`, to: `${months[months.length - 1]}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}` };
}
const validPeriod = (kind, v) =>
  kind === 'custom'
    ? /^\d{4}-\d\d-\d\d$/.test(v.from) && /^\d{4}-\d\d-\d\d$/.test(v.to) && v.from <= v.to
    : kind === 'month'
      ? /^\d{4}-\d\d$/.test(v.month)
      : kind === 'quarter'
        ? /^\d{4}-Q[1-4]$/.test(v.quarter)
        : /^\d{4}$/.test(v.year);

// The dashboard's state in the address — #/reports?period=month:2026-11&level=commune&province=7&facility=6,
// the API's own parameter names — so that a reload or a shared link opens the same view and Back
// climbs the drill. The places are those drilled into below the caller's own, by id; their names
// come from the answers.
function readHash() {
  const q = query();
  const s = { kind: 'month', value: defaults(), filters: { level: q.get('level') || '', specialty: q.get('specialty') || '' }, places: [] };
  const m = /^(month|quarter|year):(.+)$/.exec(q.get('period') || '');
  if (m) {
    s.kind = m[1];
    s.value = { ...s.value, [m[1]]: m[2] };
  } else if (q.get('from') && q.get('to')) {
    s.kind = 'custom';
    s.value = { ...s.value, from: q.get('from'), to: q.get('to') };
  }
  for (const kind of ['province', 'facility']) if (/^\d+$/.test(q.get(kind) || '')) s.places.push({ kind, id: Number(q.get(kind)) });
  return s;
}
function hashOf(kind, value, filters, places) {
  const q = new URLSearchParams(periodQuery(kind, value));
  if (filters.level) q.set('level', filters.level);
  if (filters.specialty) q.set('specialty', filters.specialty);
  for (const p of places) q.set(p.kind, p.id);
  return '#/reports?' + q;
}
const placeIds = (places) => places.map((p) => `${p.kind}:${p.id}`).join();

// The query of a report: the period, the place, the filters (specialty only where offered), `by`.
function reportQuery(name, period, place, filters, by) {
  const q = new URLSearchParams(period);
  if (place?.kind === 'province') q.set('province', place.id);
  if (place?.kind === 'facility') q.set('facility', place.id);
  if (filters.level) q.set('level', filters.level);
  if (filters.specialty && name === 'consultations') q.set('specialty', filters.specialty);
  if (by) q.set('by', by);
  return q;
}
const get = (name, q) => call('GET', `/api/v1/reports/${name}?${q}`);

// The grouping of the table at a place: the provinces of the country, the facilities of a
// province; a facility is one row of itself. Before the first answer the place is the caller's
// own (null), which only the ministry reads as the country.
const byAt = (place, user) =>
  (place ? place.kind : user.role === 'ministry_admin' ? 'country' : 'other') === 'country' ? 'province' : 'facility';

const fmt = (v, digits = 1) =>
  v === null || v === undefined
    ? '—'
    : new Intl.NumberFormat(getLang() === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits }).format(v);

// The headline figures: [label key, report, column, digits].
const HEADLINES = [
  ['rp_requested', 'consultations', 'requested', 0],
  ['rp_concluded', 'consultations', 'concluded', 0],
  ['rp_conclude_median', 'consultations', 'conclude_median_min', 0],
  ['rp_visits_completed', 'visits', 'completed', 0],
  ['rp_reached', 'reach', 'reached_per_1000', 1],
  ['rp_sites_active', 'sites', 'active_pct', 1],
  ['rp_trained', 'training', 'trained', 0],
];
// The columns of the table by place, the same figures but the median.
const TABLE = HEADLINES.filter(([k]) => k !== 'rp_conclude_median');
// The trends: [title key, report, [series label key, column]…].
const TRENDS = [
  [
    'rp_trend_consults',
    'consultations',
    [
      ['rp_requested', 'requested'],
      ['rp_concluded', 'concluded'],
    ],
  ],
  ['rp_trend_visits', 'visits', [['rp_visits_completed', 'completed']]],
];

function change(cur, prev, digits) {
  if (cur === null || cur === undefined || prev === null || prev === undefined) return { text: t('rp_no_change_data'), dir: 'none' };
  const d = cur - prev;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const pct = prev ? ` (${sign}${fmt(Math.abs((100 * d) / prev), 1)} %)` : '';
  return {
    text: `${sign}${fmt(Math.abs(d), digits)}${pct} ${t('rp_vs_previous')} (${fmt(prev, digits)})`,
    dir: d > 0 ? 'up' : d < 0 ? 'down' : 'same',
  };
}

function Headline({ label, value, prev, digits, unit }) {
  const c = change(value, prev, digits);
  return html`<li class="kpi">
    <h3>${label}</h3>
    <p class="value">${fmt(value, digits)}${unit && value !== null && value !== undefined ? html` <small>${unit}</small>` : ''}</p>
    <p class=${'delta ' + c.dir}>${c.text}</p>
  </li>`;
}

// A chart with its table view: the same numbers, the table for screen readers and for reading.
function Trend({ title, months, series }) {
  const [asTable, setAsTable] = useState(false);
  const box = useRef(null);
  useEffect(() => {
    if (asTable || !box.current || !series.length) return undefined;
    const chart = new LineChart(
      box.current,
      { labels: months.map((m) => m.slice(5) + '/' + m.slice(2, 4)), series: series.map((s) => s.values.map((v) => v ?? null)) },
      { height: '220px', fullWidth: true, chartPadding: { right: 12 }, axisY: { onlyInteger: true }, low: 0 },
    );
    return () => chart.detach();
  }, [asTable, months.join(), JSON.stringify(series)]);
  const summary = series.map((s) => `${s.label}: ${s.values.map((v) => fmt(v)).join(', ')}`).join('; ');
  return html`<section class="card trend">
    <div class="title-row"><h3>${title}</h3>
      <button class="link" aria-pressed=${asTable} onClick=${() => setAsTable(!asTable)}>${asTable ? t('rp_show_chart') : t('rp_show_table')}</button></div>
    ${
      asTable
        ? html`<div class="scroll"><table aria-label=${title}>
        <thead><tr><th scope="col">${t('rp_month')}</th>${series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
        <tbody>${months.map((m, i) => html`<tr><th scope="row">${m.slice(5)}/${m.slice(0, 4)}</th>${series.map((s) => html`<td>${fmt(s.values[i])}</td>`)}</tr>`)}</tbody>
      </table></div>`
        : html`<div class="chart" ref=${box} role="img" aria-label=${title + '. ' + summary}></div>
        <ul class="legend">${series.map((s, i) => html`<li class=${'s' + i}>${s.label}</li>`)}</ul>`
    }
  </section>`;
}

// errs: a refused filter's sentence by its field's id (placeError), said below it.
function PeriodPicker({ kind, value, onKind, onValue, errs = {} }) {
  const now = vnNow().getUTCFullYear();
  const years = Array.from({ length: 6 }, (_, i) => String(now - i));
  const quarters = years.flatMap((y) => [4, 3, 2, 1].map((q) => `${y}-Q${q}`));
  return html`<div>
    <${Field} as="select" id="rp-kind" label=${t('rp_period')} error=${errs['rp-kind']} value=${kind} onChange=${(e) => onKind(e.target.value)}>
      ${['month', 'quarter', 'year', 'custom'].map((k) => html`<option value=${k}>${t('rp_kind_' + k)}</option>`)}
    </${Field}>
  </div>
  ${
    kind === 'month' &&
    html`<div><${Field} id="rp-month" label=${t('rp_kind_month')} error=${errs['rp-month']} type="month" value=${value.month} onChange=${(e) => onValue({ month: e.target.value })} /></div>`
  }
  ${
    kind === 'quarter' &&
    html`<div><${Field} as="select" id="rp-quarter" label=${t('rp_kind_quarter')} error=${errs['rp-quarter']} value=${value.quarter} onChange=${(e) => onValue({ quarter: e.target.value })}>
      ${quarters.map((q) => html`<option value=${q}>${q.replace('-Q', ' – Q')}</option>`)}</${Field}></div>`
  }
  ${
    kind === 'year' &&
    html`<div><${Field} as="select" id="rp-year" label=${t('rp_kind_year')} error=${errs['rp-year']} value=${value.year} onChange=${(e) => onValue({ year: e.target.value })}>
      ${years.map((y) => html`<option value=${y}>${y}</option>`)}</${Field}></div>`
  }
  ${
    kind === 'custom' &&
    html`<div><${Field} id="rp-from" label=${t('rp_from')} error=${errs['rp-from']} type="date" value=${value.from} onChange=${(e) => onValue({ from: e.target.value })} /></div>
    <div><${Field} id="rp-to" label=${t('rp_to')} error=${errs['rp-to']} type="date" value=${value.to} onChange=${(e) => onValue({ to: e.target.value })} /></div>`
  }`;
}

// The report filters by the API's field: where a refusal is said (the period by the kind chosen).
const filterFields = (kind) => ({
  period: [kind === 'custom' ? 'rp-from' : `rp-${kind}`, t('rp_period')],
  from: ['rp-from', t('rp_from')],
  to: ['rp-to', t('rp_to')],
  level: ['rp-level', t('rp_level')],
  specialty: ['rp-specialty', t('rp_specialty')],
});

export function Reports({ user }) {
  const [initial] = useState(readHash);
  const [kind, setKind] = useState(initial.kind);
  const [value, setValue] = useState(initial.value);
  const [filters, setFilters] = useState(initial.filters);
  const [specialties, setSpecialties] = useState([]);
  // The places drilled into, the caller's own first; [] before the first answer names it. A place
  // read from the address has no name until an answer gives it.
  const [trail, setTrail] = useState(initial.places.length ? [{ kind: 'own' }, ...initial.places] : []);
  const [data, setData] = useState(null); // { current: {name: report}, previous: {…}, trends: {name: [report…]} }
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const generation = useRef(0);
  const place = trail.length ? trail[trail.length - 1] : null;
  // The place asked for: none (the caller's own) at the root of the trail.
  const asked = trail.length > 1 ? place : null;

  useEffect(() => {
    call('GET', '/api/v1/specialties')
      .then((r) => setSpecialties(r.items))
      .catch(() => {});
  }, []);

  // The address follows the view: a drill is a step Back can undo, a change of period or filter
  // replaces the address. Back or an edited address sets the view again.
  const places = trail.slice(1);
  useEffect(() => {
    if (!validPeriod(kind, value)) return;
    const h = hashOf(kind, value, filters, places);
    if (h === location.hash) return;
    if (placeIds(places) !== placeIds(readHash().places)) go(h);
    else replace(h);
  }, [kind, JSON.stringify(value), filters.level, filters.specialty, placeIds(places)]);
  useEffect(
    () =>
      onRoute(() => {
        if (parts()[0] !== 'reports') return;
        const s = readHash();
        setKind(s.kind);
        setValue(s.value);
        setFilters(s.filters);
        setTrail((t) => {
          if (placeIds(s.places) === placeIds(t.slice(1))) return t;
          // Keep the names already known for the places still on the way.
          const known = new Map(t.map((p) => [`${p.kind}:${p.id}`, p]));
          return [t[0] || { kind: 'own' }, ...s.places.map((p) => known.get(`${p.kind}:${p.id}`) || p)];
        });
      }),
    [],
  );
  // The names of places read from the address: the place's own answer (one small report) names it.
  useEffect(() => {
    trail.forEach((p, i) => {
      if (p.name) return;
      const q = reportQuery('sites', periodQuery(kind, value), p.kind === 'own' ? null : p, { level: '', specialty: '' }, null);
      get('sites', q)
        .then((r) => setTrail((t) => t.map((x, j) => (j === i && !x.name ? r.scope : x))))
        .catch(() => {});
    });
  }, [placeIds(trail), trail.some((p) => !p.name)]);

  useEffect(() => {
    if (!validPeriod(kind, value)) return;
    const mine = ++generation.current;
    const run = pool(IN_FLIGHT);
    const by = byAt(asked, user);
    const period = periodQuery(kind, value),
      before = periodQuery(kind, previous(kind, value));
    const months = lastMonths(kind, value);
    setError(null);
    setErrs({});
    setData(null);
    const ask = (name, p, grouped) => run(() => get(name, reportQuery(name, p, asked, filters, grouped ? by : null)));
    Promise.all([
      Promise.all(REPORTS.map((n) => ask(n, period, true))),
      Promise.all(REPORTS.map((n) => ask(n, before, false))),
      // A trend is one request: the twelve months by month (by=month), a row a month.
      Promise.all(TRENDS.map(([, n]) => run(() => get(n, reportQuery(n, monthsQuery(months), asked, filters, 'month'))))),
    ])
      .then(([cur, prev, trends]) => {
        if (mine !== generation.current) return;
        const current = Object.fromEntries(REPORTS.map((n, i) => [n, cur[i]]));
        // The first answer names the caller's own place: the root of the breadcrumb.
        if (!trail.length) setTrail([current.consultations.scope]);
        setData({
          current,
          previous: Object.fromEntries(REPORTS.map((n, i) => [n, prev[i]])),
          trends: Object.fromEntries(
            TRENDS.map(([, n], i) => [n, months.map((m) => trends[i].rows.find((r) => r.key.id === m)?.values ?? {})]),
          ),
          months,
        });
      })
      .catch((e) => {
        if (mine !== generation.current) return;
        const placed = placeError(e, filterFields(kind));
        setErrs(placed.field);
        setError(placed.general);
      });
  }, [kind, JSON.stringify(value), filters.level, filters.specialty, asked?.kind, asked?.id]);

  const drillable = place && place.kind !== 'facility';
  const rows = new Map(); // the table: a row a place, from every report's rows
  if (data) {
    for (const n of REPORTS) {
      for (const r of data.current[n].rows) {
        if (!rows.has(r.key.id)) rows.set(r.key.id, { key: r.key, values: {} });
        rows.get(r.key.id).values[n] = r.values;
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) => a.key.name.localeCompare(b.key.name, 'vi'));
  const nextKind = place?.kind === 'country' ? 'province' : 'facility';
  const downloadQuery = (name, format) => {
    const q = reportQuery(name, periodQuery(kind, value), asked, filters, byAt(asked, user));
    q.set('format', format);
    return `/api/v1/reports/${name}?${q}`;
  };

  return html`<main class="page reports">
    <h1>${t('rp_title')}</h1>
    <section class="card">
      <h2 class="sr">${t('rp_filters')}</h2>
      <div class="rp-filters">
        <${PeriodPicker} kind=${kind} value=${value} errs=${errs} onKind=${setKind} onValue=${(v) => setValue({ ...value, ...v })} />
        <div><${Field} as="select" id="rp-level" label=${t('rp_level')} error=${errs['rp-level']} value=${filters.level} onChange=${(e) => setFilters({ ...filters, level: e.target.value })}>
            <option value="">${t('rp_all_levels')}</option>
            ${LEVELS.map((l) => html`<option value=${l}>${t('level_' + l)}</option>`)}</${Field}></div>
        <div><${Field} as="select" id="rp-specialty" label=${t('rp_specialty')} error=${errs['rp-specialty']} value=${filters.specialty} onChange=${(e) => setFilters({ ...filters, specialty: e.target.value })}>
            <option value="">${t('rp_all_specialties')}</option>
            ${specialties.map((s) => html`<option value=${s.code}>${getLang() === 'en' ? s.name_en : s.name_vi}</option>`)}</${Field}></div>
      </div>
      ${filters.specialty && html`<p class="muted">${t('rp_specialty_note')}</p>`}
      ${!validPeriod(kind, value) && html`<p class="error" role="alert">${t('rp_bad_period')}</p>`}
    </section>

    <nav class="crumbs" aria-label=${t('rp_places')}><ol>
      ${trail.map(
        (p, i) =>
          html`<li>${
            i < trail.length - 1
              ? html`<button class="link" onClick=${() => setTrail(trail.slice(0, i + 1))}>${p.name || '…'}</button>`
              : html`<span aria-current="page">${p.name || '…'}</span>`
          }</li>`,
      )}
    </ol></nav>

    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data && !error && html`<p class="loading">${t('loading')}</p>`}
    ${
      data &&
      html`
      <p class="muted">${t('rp_period_shown')}: ${data.current.consultations.period.from} – ${data.current.consultations.period.to}</p>
      <ul class="kpis" aria-label=${t('rp_headlines')}>
        ${HEADLINES.map(
          ([k, n, col, digits]) => html`<${Headline} label=${t(k)} value=${data.current[n].totals[col]} prev=${data.previous[n].totals[col]}
          digits=${digits} unit=${col.endsWith('_min') ? t('rp_minutes') : col.endsWith('_pct') ? '%' : ''} />`,
        )}
      </ul>

      <h2>${t('rp_trends')}</h2>
      <div class="trends">
        ${TRENDS.map(
          ([k, n, series]) => html`<${Trend} title=${t(k)} months=${data.months}
          series=${series.map(([label, col]) => ({ label: t(label), values: data.trends[n].map((v) => v[col]) }))} />`,
        )}
      </div>

      <h2>${t('rp_by_place')}</h2>
      <div class="scroll card">
        <table class="by-place" aria-label=${t('rp_by_place')}>
          <thead><tr><th scope="col">${t(nextKind === 'province' ? 'province' : 'rp_facility')}</th>
            ${TABLE.map(([k]) => html`<th scope="col">${t(k)}</th>`)}</tr></thead>
          <tbody>
            ${sorted.length === 0 && html`<tr><td colspan=${TABLE.length + 1} class="muted">${t('rp_no_rows')}</td></tr>`}
            ${sorted.map(
              (r) => html`<tr>
              <th scope="row">${
                drillable
                  ? html`<button class="link" onClick=${() => setTrail([...trail, { kind: nextKind, id: r.key.id, name: r.key.name }])}>${r.key.name}</button>`
                  : r.key.name
              }</th>
              ${TABLE.map(([, n, col, digits]) => html`<td>${fmt(r.values[n]?.[col] ?? (n === 'sites' || n === 'reach' ? null : 0), digits)}</td>`)}
            </tr>`,
            )}
          </tbody>
        </table>
      </div>

      <h2>${t('rp_downloads')}</h2>
      <ul class="downloads">
        ${REPORTS.map(
          (n) => html`<li><span>${t('rp_report_' + n)}</span>
          <${NetLink} href=${downloadQuery(n, 'csv')} download>CSV<//>
          <${NetLink} href=${downloadQuery(n, 'xlsx')} download>XLSX<//>
          <${NetLink} href=${downloadQuery(n, 'dhis2')} download>DHIS2<//></li>`,
        )}
      </ul>`
    }
  </main>`;
}
