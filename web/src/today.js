// The numbers of the caller's day above the home page's tiles (GET /api/v1/me/today;
// docs/reports.md, "Numbers on the home page"): each card links to the page that lists what it
// counts. Loaded when the home page opens and again whenever it is shown again; while loading or
// after a failure the tiles below stay usable.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { t, duration } from './i18n.js';
import { read, syncDay, TODAY } from './reads.js';
import { CopyNote, onOnlineChange } from './online.js';

// One card: a title, a big number, the details under it, and where it leads.
function Card({ id, href, title, value, details }) {
  return html`<li><a class="stat" href=${href} data-card=${id}>
    <span class="stat-title">${title}</span>
    <strong class="stat-value">${value}</strong>
    ${details.filter(Boolean).map((d) => html`<span class="stat-detail">${d}</span>`)}
  </a></li>`;
}

function cards(d) {
  const out = [];
  if (d.station) {
    const s = d.station;
    out.push({
      id: 'queue',
      href: '#/queue',
      title: t('today_queue'),
      value: s.queue_waiting,
      details: [`${t('today_waiting')}`, `${s.queue_in_progress} ${t('today_in_progress')}`],
    });
    out.push({
      id: 'visits',
      href: '#/visits',
      title: t('today_visits'),
      value: s.visits_booked,
      details: [t('today_booked'), `${s.visits_completed} ${t('today_completed')}`],
    });
    out.push({
      id: 'sent',
      href: '#/consults',
      title: t('today_sent'),
      value: s.consults_waiting,
      details: [t('today_sent_d'), s.consults_oldest_wait_min != null && `${t('today_oldest')}: ${duration(s.consults_oldest_wait_min)}`],
    });
  }
  if (d.hub) {
    const h = d.hub;
    out.push({
      id: 'inbox',
      href: '#/consults',
      title: t('today_inbox'),
      value: h.inbox.total,
      details: [
        ['emergency', 'urgent', 'routine'].map((u) => `${t('urgency_' + u)} ${h.inbox[u]}`).join(' · '),
        h.inbox_oldest_wait_min != null && `${t('today_oldest')}: ${duration(h.inbox_oldest_wait_min)}`,
      ],
    });
    out.push({ id: 'open', href: '#/consults', title: t('today_open'), value: h.accepted_open, details: [t('today_open_d')] });
    out.push({
      id: 'turnaround',
      href: '#/consults',
      title: t('today_turnaround'),
      value: h.turnaround_median_min == null ? '—' : duration(h.turnaround_median_min),
      details: [`${t('today_turnaround_d')} ${h.turnaround_days} ${t('today_days')}`, `${h.turnaround_cases} ${t('today_cases')}`],
    });
    out.push({
      id: 'visits',
      href: '#/visits',
      title: t('today_my_visits'),
      value: h.visits_booked,
      details: [t('today_booked'), `${h.visits_completed} ${t('today_completed')}`],
    });
  }
  if (d.training) {
    const w = d.training;
    out.push({
      id: 'sessions',
      href: '#/training',
      title: t('today_sessions'),
      value: w.sessions,
      details: [`${t('today_week')} ${w.week.split('-W')[1]}`, `${w.attendances} ${t('today_attendances')}`],
    });
  }
  return out;
}

export function TodayCards() {
  const [data, setData] = useState(null);
  const [at, setAt] = useState(null);
  const [failed, setFailed] = useState(false);
  // Without a network, the copy kept of the day (reads.js) with its time; a station's day (queue,
  // appointments, their patients) is copied again each time the home page opens online.
  const load = () =>
    read(TODAY)
      .then(({ data: d, at: copied }) => {
        setData(d);
        setAt(copied);
        setFailed(false);
        if (d.station && !copied) syncDay().catch(() => {});
      })
      .catch(() => setFailed(true));
  useEffect(() => {
    load();
    // A tab brought back, or the app reopened on a phone: the day has moved on.
    const onShow = () => {
      if (document.visibilityState === 'visible') load();
    };
    document.addEventListener('visibilitychange', onShow);
    window.addEventListener('pageshow', onShow);
    const stopNet = onOnlineChange((o) => o && load());
    return () => {
      stopNet();
      document.removeEventListener('visibilitychange', onShow);
      window.removeEventListener('pageshow', onShow);
    };
  }, []);
  if (failed && !data) {
    return html`<section class="today" aria-label=${t('today_title')}><p class="muted" role="status">${t('today_failed')}
      <button class="link" onClick=${load}>${t('retry')}</button></p></section>`;
  }
  if (!data)
    return html`<section class="today" aria-label=${t('today_title')} aria-busy="true"><p class="muted">${t('today_loading')}</p></section>`;
  const list = cards(data);
  if (list.length === 0) return null;
  return html`<section class="today" aria-label=${t('today_title')}>
    <h2>${t('today_title')}</h2>
    <${CopyNote} at=${at} />
    <ul class="stats">${list.map((c) => html`<${Card} ...${c} />`)}</ul>
  </section>`;
}
